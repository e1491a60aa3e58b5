// The compressed-image building blocks: header and table encodings (checked against
// bytes Hercules wrote, ddrimage(5)), null tracks (ddrimage(5)), compression, and the
// builder's size arithmetic (the 4 GiB limit of the 32-bit format, ddrimage(5)).
#include "formats/volume/cckd/builder.hpp"
#include "formats/volume/cckd/codec.hpp"
#include "formats/volume/cckd/layout.hpp"
#include "formats/io/error.hpp"
#include "tests/unit/support.hpp"

#include <doctest/doctest.h>

#include <bzlib.h>
#include <cstring>
#include <random>

using namespace ddr;
using namespace ddr::cckd;

namespace {

Bytes hex(const char* text)
{
    Bytes out;
    for (const char* p = text; *p;) {
        if (*p == ' ') {
            ++p;
            continue;
        }
        out.push_back(uint8_t(std::stoi(std::string(p, 2), nullptr, 16)));
        p += 2;
    }
    return out;
}

} // namespace

TEST_CASE("CCKD layout: magic strings")
{
    for (const char* m : {"CKD_C370", "CKD_S370", "FBA_C370", "FBA_S370", "CKD_C064", "CKD_S064", "FBA_C064", "FBA_S064"}) {
        auto k = classify_magic(reinterpret_cast<const uint8_t*>(m));
        REQUIRE(k);
        CHECK(k->magic == m);
        CHECK(k->flavor == (m[0] == 'C' ? Flavor::Ckd : Flavor::Fba));
        CHECK(k->wide == (m[6] == '6'));
        CHECK(k->shadow == (m[4] == 'S'));
    }
    CHECK(!classify_magic(reinterpret_cast<const uint8_t*>("CKD_P370")));
    CHECK(!classify_magic(reinterpret_cast<const uint8_t*>("\0\0\0\0\0\0\0\0")));
    CHECK(magic_for(Flavor::Fba, true) == "FBA_C064");
}

TEST_CASE("CCKD layout: the cdevhdr dasdcopy wrote parses and re-encodes byte for byte")
{
    // ddrimage(5) [RUN]: cdevhdr of a dasdcopy output (3390-3).
    Bytes raw = hex("0003 0141 c400 0000 0001 0000 4928 0600 4928 0600 0000 0000 0000 0000 0000 0000"
                    "0000 0000 0000 0000 0b0d 0000 0001 ffff");
    raw.resize(512, 0);
    const auto h = CompressedHeader::parse(raw.data(), false);
    CHECK(h.options == 0x41);
    CHECK(h.order() == ByteOrder::Little);
    CHECK(h.numl1tab == 196);
    CHECK(h.numl2tab == 256);
    CHECK(h.size == 403529);
    CHECK(h.used == 403529);
    CHECK(h.free == 0);
    CHECK(h.cyls == 3339);
    CHECK(h.nullfmt == 0);
    CHECK(h.compress == 1);
    CHECK(h.compress_parm == 0xFFFF);
    Bytes again(512);
    h.store(again.data(), false, ByteOrder::Little);
    CHECK(again == raw);

    // Big-endian: every field but cyls swaps, and the option bit says so.
    Bytes big(512);
    h.store(big.data(), false, ByteOrder::Big);
    CHECK(big[3] == 0x43);
    CHECK(load_be32(big.data() + 4) == 196);
    CHECK(load_be32(big.data() + 12) == 403529);
    CHECK(load_le32(big.data() + 40) == 3339);
    CHECK(load_be16(big.data() + 46) == 0xFFFF);
    const auto back = CompressedHeader::parse(big.data(), false);
    CHECK(back.size == 403529);
    CHECK(back.cyls == 3339);
    CHECK(back.numl1tab == 196);

    // 64-bit form (SDL cckd64.h): cyls at 12, u64 fields from 16, nullfmt at 72.
    CompressedHeader w = h;
    w.size = 0x123456789ull;
    Bytes wide(512);
    w.store(wide.data(), true, ByteOrder::Little);
    CHECK(load_le32(wide.data() + 12) == 3339);
    CHECK(load_le64(wide.data() + 16) == 0x123456789ull);
    CHECK(wide[72] == 0);
    CHECK(wide[73] == 1);
    CHECK(load_le16(wide.data() + 74) == 0xFFFF);
    CHECK(CompressedHeader::parse(wide.data(), true).size == 0x123456789ull);
}

TEST_CASE("CCKD layout: L1 and L2 entries in both widths and byte orders")
{
    // ddrimage(5) [RUN]: L2[0] = 100F0000 39013901 -> pos 0x0F10, len = size = 0x139.
    const Bytes e = hex("100F0000 39013901");
    const L2Entry l2 = load_l2(e.data(), false, ByteOrder::Little);
    CHECK(l2.pos == 0x0F10);
    CHECK(l2.len == 0x139);
    CHECK(l2.size == 0x139);
    Bytes out(8);
    store_l2(out.data(), l2, false, ByteOrder::Big);
    CHECK(out == hex("00000F10 01390139"));
    Bytes wide(16, 0xAA);
    store_l2(wide.data(), L2Entry{0x1'0000'0010ull, 7, 9}, true, ByteOrder::Little);
    CHECK(wide == hex("10000000 01000000 0700 0900 00000000"));
    CHECK(load_l2(wide.data(), true, ByteOrder::Little).pos == 0x1'0000'0010ull);
    Bytes l1(8);
    store_l1(l1.data(), 1808, false, ByteOrder::Little);
    CHECK(load_le32(l1.data()) == 1808);
    store_l1(l1.data(), 1032, true, ByteOrder::Big);
    CHECK(load_be64(l1.data()) == 1032);
    CHECK(l2_table_size(false) == 2048);
    CHECK(l2_table_size(true) == 4096);
    CHECK(shadow_marker(false) == 0xFFFFFFFFu);
}

TEST_CASE("CCKD layout: null track formats 0, 1 and 2")
{
    const TrackAddress a{0x1234, 7};
    Bytes t;
    build_null_track(kNullFmt1, a, t);
    CHECK(t == hex("00 12340007 12340007 00 00 0008 0000000000000000 FFFFFFFFFFFFFFFF"));
    CHECK(t == TrackImage::empty(a).bytes);
    build_null_track(kNullFmt0, a, t);
    CHECK(t == hex("00 12340007 12340007 00 00 0008 0000000000000000 12340007 01 00 0000 FFFFFFFFFFFFFFFF"));
    build_null_track(kNullFmt2, a, t);
    REQUIRE(t.size() == 49277);
    CHECK(std::memcmp(t.data() + 21 + 11 * 4104, hex("12340007 0C 00 1000").data(), 8) == 0);
    CHECK(TrackImage::measure(t) == 49277u);

    for (uint8_t fmt : {kNullFmt0, kNullFmt1, kNullFmt2}) {
        build_null_track(fmt, a, t);
        CHECK(null_format_of(t, a, true) == fmt);
        CHECK(!null_format_of(t, TrackAddress{0x1234, 8}, true));
    }
    CHECK(!null_format_of(t, a, false));  // FMT2 only where allowed
    build_null_track(kNullFmt1, a, t);
    t[21] = 1;  // non-zero R0 data: a real track, not an empty one
    CHECK(!null_format_of(t, a, true));
    build_null_track(kNullFmt0, a, t);
    t[33] = 2;  // the end-of-file record is R2, not R1
    CHECK(!null_format_of(t, a, true));
}

TEST_CASE("CCKD codec: zlib and bzip2 streams, and when images stay raw")
{
    Compressor c;
    Decompressor d;
    Bytes text(40000);
    for (size_t i = 0; i < text.size(); ++i)
        text[i] = uint8_t("DATA RECORD "[i % 12]);
    Bytes random(40000);
    std::mt19937 rng(1);
    for (auto& b : random)
        b = uint8_t(rng());

    Bytes z;
    REQUIRE(c.compress(CckdCompression::Zlib, -1, text, z, 0, text.size()));
    CHECK(z[0] == 0x78);  // RFC 1950 header
    CHECK(z.size() < 1000);
    Bytes back(40000);
    std::string why;
    CHECK(d.decompress(CckdCompression::Zlib, z, back, why) == 40000u);
    CHECK(back == text);
    // A stream longer than the room is refused, with the reason.
    Bytes small(39999);
    CHECK(!d.decompress(CckdCompression::Zlib, z, small, why));
    CHECK(why.find("more than 39999") != std::string::npos);
    // Corrupt and truncated streams.
    Bytes bad = z;
    bad[5] ^= 0xFF;
    bad[6] ^= 0x55;
    CHECK(!d.decompress(CckdCompression::Zlib, bad, back, why));
    CHECK(!why.empty());
    CHECK(!d.decompress(CckdCompression::Zlib, ByteSpan(z).first(z.size() / 2), back, why));
    CHECK(why.find("truncated") != std::string::npos);
    // Random data does not get shorter: the caller stores it raw.
    CHECK(!c.compress(CckdCompression::Zlib, -1, random, z, 0, random.size()));

    Bytes b;
    REQUIRE(c.compress(CckdCompression::Bzip2, -1, text, b, 5, text.size()));
    CHECK(std::memcmp(b.data() + 5, "BZh1", 4) == 0);
    CHECK(d.decompress(CckdCompression::Bzip2, ByteSpan(b).subspan(5), back, why) == 40000u);
    CHECK(back == text);
    CHECK(!d.decompress(CckdCompression::Bzip2, ByteSpan(b).subspan(5, 20), back, why));
    CHECK(!d.decompress(CckdCompression::Bzip2, z, back, why));
    CHECK(!d.decompress(CckdCompression(3), z, back, why));

    // compress_image: 5-byte header kept, byte 0 = the method; short images stay raw.
    Bytes raw(5 + text.size());
    raw[1] = 0x12;
    std::memcpy(raw.data() + 5, text.data(), text.size());
    Bytes stored;
    REQUIRE(compress_image(c, CckdCompression::Zlib, 6, raw, stored));
    CHECK(stored[0] == 1);
    CHECK(stored[1] == 0x12);
    CHECK(!compress_image(c, CckdCompression::Zlib, 6, ByteSpan(raw).first(511), stored));
    CHECK(compress_image(c, CckdCompression::Bzip2, 9, ByteSpan(raw).first(512), stored));
    CHECK(!compress_image(c, CckdCompression::None, -1, raw, stored));

    CHECK_THROWS_AS(check_compression_level(CckdCompression::Bzip2, 0, "x"), Error);
    CHECK_THROWS_AS(check_compression_level(CckdCompression::Zlib, 10, "x"), Error);
    CHECK_NOTHROW(check_compression_level(CckdCompression::Zlib, 0, "x"));
}

// The codec keeps bzip2's work areas from one track image to the next (Bzip2Memory);
// its streams and its verdicts must stay those of bzip2's one-shot calls, whatever
// block size came before.
TEST_CASE("CCKD codec: bzip2 with reused work areas gives the one-shot calls' bytes and verdicts")
{
    Compressor c;
    Decompressor d;
    std::mt19937 rng(7);
    for (int round = 0; round < 12; ++round) {
        const int level = round % 3 == 0 ? 9 : round % 3 == 1 ? 1 : 5;
        Bytes in(1000 + rng() % 60000);
        for (size_t i = 0; i < in.size(); ++i)
            in[i] = uint8_t(round % 2 ? rng() % 7 : "TRACK DATA "[i % 11]);
        Bytes ours;
        const bool compressed = c.compress(CckdCompression::Bzip2, level, in, ours, 0, in.size());
        Bytes theirs(in.size());
        unsigned theirs_len = unsigned(in.size() - 1);
        const int rc = BZ2_bzBuffToBuffCompress(reinterpret_cast<char*>(theirs.data()), &theirs_len,
                                                reinterpret_cast<char*>(in.data()), unsigned(in.size()), level, 0, 0);
        REQUIRE(compressed == (rc == BZ_OK));
        if (!compressed)
            continue;
        theirs.resize(theirs_len);
        CHECK(ours == theirs);

        // Each damaged stream gets the verdict of BZ2_bzBuffToBuffDecompress.
        auto verdict_of_one_shot = [](ByteSpan stream, size_t room) -> std::string {
            Bytes out(room);
            unsigned len = unsigned(room);
            const int one_shot = BZ2_bzBuffToBuffDecompress(
                reinterpret_cast<char*>(out.data()), &len,
                const_cast<char*>(reinterpret_cast<const char*>(stream.data())), unsigned(stream.size()), 0, 0);
            switch (one_shot) {
            case BZ_OK: return "ok " + std::to_string(len);
            case BZ_OUTBUFF_FULL: return "bzip2 stream decompresses to more than " + std::to_string(room) + " bytes";
            case BZ_UNEXPECTED_EOF: return "bzip2 stream is truncated";
            case BZ_DATA_ERROR_MAGIC: return "corrupt bzip2 stream (no BZh signature)";
            default: return "corrupt bzip2 stream (code " + std::to_string(one_shot) + ")";
            }
        };
        auto verdict = [&d](ByteSpan stream, size_t room) -> std::string {
            Bytes out(room);
            std::string why;
            const auto n = d.decompress(CckdCompression::Bzip2, stream, out, why);
            return n ? "ok " + std::to_string(*n) : why;
        };
        CHECK(verdict(ours, in.size()) == "ok " + std::to_string(in.size()));
        Bytes back(in.size());
        std::string why;
        REQUIRE(d.decompress(CckdCompression::Bzip2, ours, back, why));
        CHECK(back == in);
        CHECK(verdict(ours, in.size() - 1) == verdict_of_one_shot(ours, in.size() - 1));
        CHECK(verdict(ours, in.size() - 1).find("more than") != std::string::npos);
        const ByteSpan half = ByteSpan(ours).first(ours.size() / 2);
        CHECK(verdict(half, in.size()) == "bzip2 stream is truncated");
        CHECK(verdict(ByteSpan(ours).first(ours.size() - 3), in.size()) ==
              verdict_of_one_shot(ByteSpan(ours).first(ours.size() - 3), in.size()));
        Bytes bad = ours;
        bad[0] = 'X';
        CHECK(verdict(bad, in.size()) == "corrupt bzip2 stream (no BZh signature)");
        for (size_t at : {size_t(4), size_t(10), bad.size() / 2, bad.size() - 2}) {
            bad = ours;
            bad[at] ^= 0x5A;
            CHECK(verdict(bad, in.size()) == verdict_of_one_shot(bad, in.size()));
        }
        CHECK(verdict(ours, in.size()) == "ok " + std::to_string(in.size()));  // after all that, still well
    }
    // Random bytes do not get shorter: stored raw, as the one-shot call says.
    Bytes random(5000), out;
    for (auto& b : random)
        b = uint8_t(rng());
    CHECK(!c.compress(CckdCompression::Bzip2, 9, random, out, 0, random.size()));
}

TEST_CASE("CCKD builder: the size limit counts images and the L2 tables still to come")
{
    CHECK(kMaxFileSize32 == 0xFFFFFFFFull);
    test::TempDir dir;
    auto layout_with = [](uint64_t max) {
        BuildLayout l;
        l.kind = Kind{Flavor::Ckd, false, false, "CKD_C370"};
        l.devhdr.heads = 15;
        l.devhdr.track_size = 56832;
        l.devhdr.devtype_byte = 0x90;
        l.cdevhdr.options = 0x41;
        l.cdevhdr.cyls = 20;
        l.cdevhdr.nullfmt = 1;
        l.units = 300;
        l.max_file_size = max;
        l.target = "big.cckd";
        l.too_big = kTooBigCkd;
        return l;
    };
    Bytes image(1000, 0x5A);
    image[0] = 0;
    // Exactly room for: 1032 (headers + 2-entry L1) + 3 images + 2 L2 tables.
    const uint64_t exact = 1032 + 3 * 1000 + 2 * 2048;
    {
        TempFile f(dir.file("a.cckd"));
        Builder b(f.file(), layout_with(exact));
        b.append(0, image);
        b.append(1, image);
        b.append(260, image);  // second group: its table counts from now on
        b.finish();
        CHECK(b.end() == exact);
        CHECK(f.file().size() == exact);
    }
    {
        TempFile f(dir.file("b.cckd"));
        Builder b(f.file(), layout_with(exact - 1));
        b.append(0, image);
        b.append(1, image);
        try {
            b.append(260, image);
            FAIL("the limit was not enforced");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::WriteFailed);
            CHECK(e.detail() == "CCKD file would exceed 4 GiB; use CKD_C064 or plain CKD");
            CHECK(e.place().file == "big.cckd");
        }
    }
    {
        // Replacing an image leaves dead space, which the builder counts.
        TempFile f(dir.file("c.cckd"));
        Builder b(f.file(), layout_with(kMaxFileSize32));
        b.append(5, image);
        CHECK(b.garbage() == 0);
        b.append(5, image);
        CHECK(b.garbage() == 1000);
        b.set_null(5, 1);
        CHECK(b.garbage() == 2000);
        CHECK(b.entry(5).pos == 0);
        CHECK(!b.emitted(6));
    }
}
