// The checksum trailer (man/ddrtape.5 section 7): exact layout, self-checks, and what
// each hash does and does not depend on.
#include "formats/ddrtape/trailer.hpp"
#include "formats/ddrtape/thr_group.hpp"
#include "formats/io/error.hpp"

#include <doctest/doctest.h>

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include <cstring>
#include <random>

using namespace ddr;

namespace {

TrailerHeader sample_header()
{
    TrailerHeader h;
    h.flags = kTrailerFlagLastReel;
    h.tod = 0xE3A26AB72F94B000ULL;
    h.reel = 2;
    h.sum_blocks = 2;
    h.units = 300;
    h.first_unit = 1000;
    h.reel_hash = {0x0102030405060708ULL, 0x1112131415161718ULL};
    h.vhr_hash = 0xAAAA;
    h.end_hash = 0xBBBB;
    h.devtype = 0x3390;
    h.model = "3390-3";
    h.cylinders = 3339;
    h.heads = 15;
    h.track_size = 56832;
    h.extents = {{0, 10, 0}, {50, 60, 11}};
    h.tool = "ddr 0.1.0";
    h.unix_time = 1764062721;
    h.source_size = 2846431232ULL;
    h.source_format = "CKD_P370";
    h.source_name = "vmres.3390";
    return h;
}

TrackImage track_with(std::vector<uint16_t> data_lengths, TrackAddress addr, uint8_t fill)
{
    TrackImage t;
    t.start(0, addr);
    uint8_t r0[8];
    encode_cchh(r0, addr);
    r0[4] = r0[5] = 0;
    store_be16(r0 + 6, 8);
    Bytes z(8, 0);
    t.add_record(r0, {}, z);
    uint8_t r = 1;
    for (uint16_t dl : data_lengths) {
        uint8_t c[8];
        encode_cchh(c, addr);
        c[4] = r++;
        c[5] = 0;
        store_be16(c + 6, dl);
        Bytes d(dl, fill);
        t.add_record(c, {}, d);
    }
    t.finish();
    return t;
}

} // namespace

TEST_CASE("trailer header: every field round trips; the layout is fixed")
{
    TrailerHeader h = sample_header();
    Bytes b = encode_trailer_header(h);
    REQUIRE(b.size() == 512);
    // EBCDIC 'DDRXHDR ', version 1, length 512, flags, TOD at 16, reel at 24.
    const uint8_t id[8] = {0xC4, 0xC4, 0xD9, 0xE7, 0xC8, 0xC4, 0xD9, 0x40};
    CHECK(std::memcmp(b.data(), id, 8) == 0);
    CHECK(load_be16(&b[8]) == 1);
    CHECK(load_be16(&b[10]) == 512);
    CHECK(load_be32(&b[12]) == kTrailerFlagLastReel);
    CHECK(load_be64(&b[16]) == h.tod);
    CHECK(load_be32(&b[24]) == 2);
    CHECK(load_be16(&b[88]) == 0x3390);
    CHECK(std::string(reinterpret_cast<const char*>(&b[90]), 6) == "3390-3");
    CHECK(load_be32(&b[104]) == 3339);
    CHECK(load_be32(&b[132]) == 2);
    CHECK(load_be32(&b[136 + 12 + 8]) == 11);
    CHECK(load_be64(&b[504]) == hash64(ByteSpan(b.data(), 504)));
    CHECK(is_trailer_header(b));
    CHECK_FALSE(is_trailer_sum(b));

    TrailerHeader d = decode_trailer_header(b);
    CHECK(d.tod == h.tod);
    CHECK(d.reel == h.reel);
    CHECK(d.units == h.units);
    CHECK(d.first_unit == h.first_unit);
    CHECK(d.reel_hash == h.reel_hash);
    CHECK(d.model == "3390-3");
    CHECK(d.cylinders == 3339);
    CHECK(d.extents == h.extents);
    CHECK(d.source_name == "vmres.3390");
    CHECK(d.source_format == "CKD_P370");
    CHECK(d.tool == "ddr 0.1.0");
    CHECK(d.last_reel());
}

TEST_CASE("trailer header: any flipped bit is caught by its own checksum")
{
    Bytes b = encode_trailer_header(sample_header());
    for (size_t byte = 8; byte < 512; byte += 7) {
        Bytes bad = b;
        bad[byte] ^= 0x04;
        CAPTURE(byte);
        CHECK_THROWS_AS(decode_trailer_header(bad), Error);
    }
    Bytes short_block(b.begin(), b.begin() + 400);
    CHECK_THROWS_AS(decode_trailer_header(short_block), Error);
}

TEST_CASE("trailer hash blocks: 253 entries fill 4088 bytes; round trip; self-check")
{
    std::vector<UnitHash> entries;
    for (uint32_t i = 0; i < kTrailerEntriesPerBlock; ++i)
        entries.push_back({i << 16 | (i % 15), 0x1000000000000000ULL + i, 0xABC00000u + i});
    Bytes b = encode_trailer_sum(42, 3, 7, entries);
    CHECK(b.size() == 4088);
    TrailerSum s = decode_trailer_sum(b);
    CHECK(s.tod == 42);
    CHECK(s.reel == 3);
    CHECK(s.seq == 7);
    CHECK(s.entries == entries);
    Bytes bad = b;
    bad[32 + 16 * 100 + 5] ^= 0x80;
    CHECK_THROWS_AS(decode_trailer_sum(bad), Error);
    CHECK_THROWS_AS(encode_trailer_sum(1, 1, 0, std::span<const UnitHash>()), Error);
}

TEST_CASE("trailer_block_tod: the dump's TOD of a header or hash block, damaged or not; 0 otherwise")
{
    TrailerHeader h = sample_header();
    h.tod = 0xD123456789ABCDEFULL;
    Bytes header = encode_trailer_header(h);
    CHECK(trailer_block_tod(header) == h.tod);
    const UnitHash entry{0x00050003, 11, 12};
    Bytes sum = encode_trailer_sum(0xC0FFEE0012345678ULL, 2, 0, std::span<const UnitHash>(&entry, 1));
    CHECK(trailer_block_tod(sum) == 0xC0FFEE0012345678ULL);
    // The TOD is read as it stands: a block whose own hash fails still names its dump.
    sum.back() ^= 0x01;
    CHECK(trailer_block_tod(sum) == 0xC0FFEE0012345678ULL);
    // Cut short before the TOD ends, or not a trailer block at all: 0.
    CHECK(trailer_block_tod(ByteSpan(header.data(), 23)) == 0);
    CHECK(trailer_block_tod(ByteSpan(header.data(), 24)) == h.tod);
    CHECK(trailer_block_tod(ByteSpan(sum.data(), 15)) == 0);
    CHECK(trailer_block_tod(ByteSpan(sum.data(), 16)) == 0xC0FFEE0012345678ULL);
    Bytes other = header;
    other[0] ^= 0x01;
    CHECK(trailer_block_tod(other) == 0);
}

TEST_CASE("a whole trailer: header then ceil(n/253) hash blocks, through a spool that spills")
{
    UnitHashSpool spool(100);  // small, so entries spill to the temporary file
    for (uint32_t i = 0; i < 600; ++i)
        spool.push({i, i * 3ULL, i * 5u});
    std::vector<Bytes> blocks;
    encode_trailer(sample_header(), spool, [&](ByteSpan b) { blocks.emplace_back(b.begin(), b.end()); });
    REQUIRE(blocks.size() == 1 + 3);
    TrailerHeader h = decode_trailer_header(blocks[0]);
    CHECK(h.units == 600);
    CHECK(h.sum_blocks == 3);
    uint32_t next = 0;
    for (size_t i = 1; i < blocks.size(); ++i) {
        TrailerSum s = decode_trailer_sum(blocks[i]);
        CHECK(s.seq == i - 1);
        for (const UnitHash& u : s.entries) {
            CHECK(u.address == next);
            CHECK(u.content == next * 3ULL);
            ++next;
        }
    }
    CHECK(next == 600);
    uint64_t bytes = 0;
    for (const Bytes& b : blocks)
        bytes += 6 + b.size();
    CHECK(trailer_tape_bytes(600) == bytes);
}

TEST_CASE("group digest: content ignores address and pad; group hash covers them")
{
    // 4096 + 40 bytes of image: the last block is raised to 80 bytes of which 40 are pad.
    TrackImage t = track_with({uint16_t(4096 + 40 - 40)}, {3, 4}, 0x5A);
    DdrTrackEncoder enc;
    enc.encode(t, {3, 4});
    REQUIRE(enc.blocks().size() == 2);
    REQUIRE(enc.blocks()[1].size() == 80);
    GroupDigest a = digest_group(enc.blocks(), enc.image().size());

    DdrTrackEncoder moved;
    moved.encode(t, {20, 4});  // REORDERed: only the HA differs
    GroupDigest b = digest_group(moved.blocks(), moved.image().size());
    CHECK(a.content == b.content);
    CHECK(a.group != b.group);
    CHECK(a.cchh == 0x00030004u);

    // IBM's stale pad bytes change the group hash but not the content hash.
    Bytes last(enc.blocks()[1].begin(), enc.blocks()[1].end());
    last[70] = 0xEE;
    std::vector<ByteSpan> stale = {enc.blocks()[0], last};
    GroupDigest c = digest_group(stale, enc.image().size());
    CHECK(c.content == a.content);
    CHECK(c.pad != a.pad);
    CHECK(c.group != a.group);

    // A data byte: both change.
    Bytes first(enc.blocks()[0].begin(), enc.blocks()[0].end());
    first[2000] ^= 1;
    std::vector<ByteSpan> changed = {first, enc.blocks()[1]};
    GroupDigest e = digest_group(changed, enc.image().size());
    CHECK(e.content != a.content);
    CHECK(e.group != a.group);
}

// The group digest as the trailer defines it, fed piece by piece: each block's real bytes
// hashed (block 0 with its CCHH zeroed), the big-endian block hashes hashed in order, the
// pad bytes after the image hashed in order, and the 24-byte group record.  digest_group
// gathers the pieces and hashes them at once; the values on tape must not change.
namespace {
GroupDigest digest_piece_by_piece(const std::vector<Bytes>& blocks, size_t image_length)
{
    XXH3_state_t content, pad;
    XXH3_64bits_reset(&content);
    XXH3_64bits_reset(&pad);
    size_t start = 0;
    for (size_t i = 0; i < blocks.size(); ++i) {
        Bytes b = blocks[i];
        const size_t real = start >= image_length ? 0 : std::min(b.size(), image_length - start);
        if (i == 0)
            std::memset(b.data() + 12, 0, 4);
        const uint64_t d = XXH3_64bits(b.data(), real);
        uint8_t be[8];
        for (int k = 0; k < 8; ++k)
            be[k] = uint8_t(d >> (56 - 8 * k));
        XXH3_64bits_update(&content, be, 8);
        XXH3_64bits_update(&pad, b.data() + real, b.size() - real);
        start += b.size();
    }
    GroupDigest g;
    g.content = XXH3_64bits_digest(&content);
    g.pad = XXH3_64bits_digest(&pad);
    g.cchh = uint32_t(blocks[0][12]) << 24 | uint32_t(blocks[0][13]) << 16 | uint32_t(blocks[0][14]) << 8 | blocks[0][15];
    uint8_t rec[24];
    for (int k = 0; k < 8; ++k) {
        rec[k] = uint8_t(g.content >> (56 - 8 * k));
        rec[12 + k] = uint8_t(g.pad >> (56 - 8 * k));
    }
    for (int k = 0; k < 4; ++k) {
        rec[8 + k] = uint8_t(g.cchh >> (24 - 8 * k));
        rec[20 + k] = uint8_t(uint32_t(blocks.size()) >> (24 - 8 * k));
    }
    g.group = uint32_t(XXH3_64bits(rec, sizeof rec));
    return g;
}
} // namespace

TEST_CASE("group digest: the same values as the pieces hashed one by one (pad in one block, none, across blocks; many blocks)")
{
    std::mt19937 rng(3);
    auto random_bytes = [&](size_t n) {
        Bytes b(n);
        for (uint8_t& x : b)
            x = uint8_t(rng());
        return b;
    };
    struct Shape {
        std::vector<size_t> sizes;
        size_t image;
    };
    const std::vector<Shape> shapes = {
        {{4096, 80}, 4096 + 40},             // the split rule: the last block raised to 80
        {{4096, 4096, 1200}, 4096 * 2 + 1200},  // no pad
        {{4096, 100, 80}, 4096 + 50},        // pad over two blocks (DDR never cuts so)
        {{2000, 0, 80, 0}, 2030},            // empty blocks
        {std::vector<size_t>(70, 4096), 70 * 4096 - 3000},  // more blocks than fit on the stack
        {{16}, 16},                          // the shortest group
    };
    for (const Shape& s : shapes) {
        std::vector<Bytes> blocks;
        for (size_t n : s.sizes)
            blocks.push_back(random_bytes(n));
        const std::vector<ByteSpan> spans(blocks.begin(), blocks.end());
        const GroupDigest got = digest_group(spans, s.image);
        const GroupDigest want = digest_piece_by_piece(blocks, s.image);
        CAPTURE(s.sizes.size());
        CAPTURE(s.image);
        CHECK(got.content == want.content);
        CHECK(got.pad == want.pad);
        CHECK(got.cchh == want.cchh);
        CHECK(got.group == want.group);
    }
}

TEST_CASE("reel hash: order and every item count")
{
    GroupDigest g1{1, 2, 3, 4}, g2{5, 6, 7, 8};
    auto run = [](std::vector<int> order, GroupDigest x, GroupDigest y) {
        ReelHasher h;
        h.add_record(ReelHasher::kVhr, 11);
        for (int i : order)
            h.add_group(i == 1 ? x : y);
        h.add_record(ReelHasher::kEnd, 22);
        return h.digest();
    };
    CHECK(run({1, 2}, g1, g2) == run({1, 2}, g1, g2));
    CHECK_FALSE(run({1, 2}, g1, g2) == run({2, 1}, g1, g2));
    GroupDigest g2b = g2;
    g2b.pad ^= 1;
    CHECK_FALSE(run({1, 2}, g1, g2) == run({1, 2}, g1, g2b));
}
