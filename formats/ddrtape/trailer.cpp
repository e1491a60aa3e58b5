#include "formats/ddrtape/trailer.hpp"

#include "formats/io/ebcdic.hpp"
#include "formats/io/error.hpp"
#include "formats/io/xxh3.hpp"
#include "formats/ddrtape/records.hpp"
#include "formats/tape/aws_tape.hpp"

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include <algorithm>
#include <cstring>

namespace ddr {

namespace {

constexpr auto kIdHeader = ebcdic_literal("DDRXHDR ");
constexpr auto kIdSum = ebcdic_literal("DDRXSUM ");
constexpr size_t kSelfHashAt = kTrailerHeaderSize - 8;  // header: bytes 0..503 hashed, hash at 504

// Header field offsets (man/ddrtape.5, section 7).
enum : size_t {
    kVersionAt = 8, kLengthAt = 10, kFlagsAt = 12, kTodAt = 16, kReelAt = 24, kSumBlocksAt = 28,
    kUnitsAt = 32, kFirstUnitAt = 40, kReelHashAt = 48, kVhrHashAt = 64, kEndHashAt = 72, kNucHashAt = 80,
    kDevtypeAt = 88, kModelAt = 90, kCylindersAt = 104, kHeadsAt = 108, kTrackSizeAt = 112,
    kFbaBlocksAt = 120, kGroupBlocksAt = 128, kExtentCountAt = 132, kExtentsAt = 136,
    kToolAt = 376, kUnixTimeAt = 392, kSourceSizeAt = 400, kSourceFormatAt = 408, kSourceNameAt = 416,
};
// Hash block field offsets (the same section); its entries start at kTrailerSumHeader.
enum : size_t { kSumTodAt = 8, kSumReelAt = 16, kSumSeqAt = 20, kSumCountAt = 24 };
constexpr size_t kModelLength = 14, kToolLength = 16, kSourceFormatLength = 8, kSourceNameLength = 88;

void put_text(uint8_t* out, size_t width, const std::string& text)
{
    std::memset(out, 0, width);
    std::memcpy(out, text.data(), std::min(width, text.size()));
}

std::string get_text(const uint8_t* in, size_t width)
{
    size_t n = 0;
    while (n < width && in[n] != 0)
        ++n;
    std::string s(reinterpret_cast<const char*>(in), n);
    for (char& c : s)
        if (c < 0x20 || c > 0x7E)
            c = '?';
    return s;
}

bool has_id(ByteSpan block, const std::array<uint8_t, 8>& id)
{
    return block.size() >= id.size() && std::equal(id.begin(), id.end(), block.begin());
}

} // namespace

std::string hash_hex(const Hash128& h)
{
    char buf[33];
    std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(h.high),
                  static_cast<unsigned long long>(h.low));
    return buf;
}

uint64_t hash64(ByteSpan bytes)
{
    return xxh3_64(bytes);
}

bool is_trailer_header(ByteSpan block)
{
    return has_id(block, kIdHeader);
}

bool is_trailer_sum(ByteSpan block)
{
    return has_id(block, kIdSum);
}

uint64_t trailer_block_tod(ByteSpan block)
{
    if (is_trailer_header(block) && block.size() >= kTodAt + 8)
        return load_be64(block.data() + kTodAt);
    if (is_trailer_sum(block) && block.size() >= kSumTodAt + 8)
        return load_be64(block.data() + kSumTodAt);
    return 0;
}

Bytes encode_trailer_header(const TrailerHeader& h)
{
    Bytes b(kTrailerHeaderSize, 0);
    uint8_t* p = b.data();
    std::copy(kIdHeader.begin(), kIdHeader.end(), p);
    store_be16(p + kVersionAt, kTrailerVersion);
    store_be16(p + kLengthAt, uint16_t(kTrailerHeaderSize));
    store_be32(p + kFlagsAt, h.flags);
    store_be64(p + kTodAt, h.tod);
    store_be32(p + kReelAt, h.reel);
    store_be32(p + kSumBlocksAt, h.sum_blocks);
    store_be64(p + kUnitsAt, h.units);
    store_be64(p + kFirstUnitAt, h.first_unit);
    store_be64(p + kReelHashAt, h.reel_hash.high);
    store_be64(p + kReelHashAt + 8, h.reel_hash.low);
    store_be64(p + kVhrHashAt, h.vhr_hash);
    store_be64(p + kEndHashAt, h.end_hash);
    store_be64(p + kNucHashAt, h.nucleus_hash);
    store_be16(p + kDevtypeAt, h.devtype);
    put_text(p + kModelAt, kModelLength, h.model);
    store_be32(p + kCylindersAt, h.cylinders);
    store_be32(p + kHeadsAt, h.heads);
    store_be32(p + kTrackSizeAt, h.track_size);
    store_be64(p + kFbaBlocksAt, h.fba_blocks);
    store_be32(p + kGroupBlocksAt, h.group_blocks);
    if (h.extents.size() > kTrailerMaxExtents)
        fail(ErrorKind::Internal, "more than 20 extents in a trailer");
    store_be32(p + kExtentCountAt, uint32_t(h.extents.size()));
    for (size_t i = 0; i < h.extents.size(); ++i) {
        store_be32(p + kExtentsAt + 12 * i, h.extents[i].first);
        store_be32(p + kExtentsAt + 12 * i + 4, h.extents[i].last);
        store_be32(p + kExtentsAt + 12 * i + 8, h.extents[i].output_first);
    }
    put_text(p + kToolAt, kToolLength, h.tool);
    store_be64(p + kUnixTimeAt, uint64_t(h.unix_time));
    store_be64(p + kSourceSizeAt, h.source_size);
    put_text(p + kSourceFormatAt, kSourceFormatLength, h.source_format);
    put_text(p + kSourceNameAt, kSourceNameLength, h.source_name);
    store_be64(p + kSelfHashAt, hash64(ByteSpan(p, kSelfHashAt)));
    return b;
}

TrailerHeader decode_trailer_header(ByteSpan block)
{
    if (!is_trailer_header(block))
        fail(ErrorKind::Unreadable, "not a trailer header block");
    if (block.size() != kTrailerHeaderSize)
        fail(ErrorKind::Damaged, "trailer header block is " + std::to_string(block.size()) + " bytes, not 512");
    const uint8_t* p = block.data();
    if (load_be64(p + kSelfHashAt) != hash64(ByteSpan(p, kSelfHashAt)))
        fail(ErrorKind::Damaged, "trailer header block is damaged (its own checksum does not match)");
    if (load_be16(p + kVersionAt) != kTrailerVersion || load_be16(p + kLengthAt) != kTrailerHeaderSize)
        fail(ErrorKind::Unreadable, "trailer format version " + std::to_string(load_be16(p + kVersionAt)) +
                                        " is not one this ddr reads (it reads version 1)");
    TrailerHeader h;
    h.flags = load_be32(p + kFlagsAt);
    h.tod = load_be64(p + kTodAt);
    h.reel = load_be32(p + kReelAt);
    h.sum_blocks = load_be32(p + kSumBlocksAt);
    h.units = load_be64(p + kUnitsAt);
    h.first_unit = load_be64(p + kFirstUnitAt);
    h.reel_hash = {load_be64(p + kReelHashAt), load_be64(p + kReelHashAt + 8)};
    h.vhr_hash = load_be64(p + kVhrHashAt);
    h.end_hash = load_be64(p + kEndHashAt);
    h.nucleus_hash = load_be64(p + kNucHashAt);
    h.devtype = load_be16(p + kDevtypeAt);
    h.model = get_text(p + kModelAt, kModelLength);
    h.cylinders = load_be32(p + kCylindersAt);
    h.heads = load_be32(p + kHeadsAt);
    h.track_size = load_be32(p + kTrackSizeAt);
    h.fba_blocks = load_be64(p + kFbaBlocksAt);
    h.group_blocks = load_be32(p + kGroupBlocksAt);
    uint32_t n = load_be32(p + kExtentCountAt);
    if (n > kTrailerMaxExtents)
        fail(ErrorKind::Unreadable, "trailer header lists " + std::to_string(n) + " extents (at most 20)");
    for (uint32_t i = 0; i < n; ++i)
        h.extents.push_back({load_be32(p + kExtentsAt + 12 * i), load_be32(p + kExtentsAt + 12 * i + 4),
                             load_be32(p + kExtentsAt + 12 * i + 8)});
    h.tool = get_text(p + kToolAt, kToolLength);
    h.unix_time = int64_t(load_be64(p + kUnixTimeAt));
    h.source_size = load_be64(p + kSourceSizeAt);
    h.source_format = get_text(p + kSourceFormatAt, kSourceFormatLength);
    h.source_name = get_text(p + kSourceNameAt, kSourceNameLength);
    if (h.units > 0 && h.sum_blocks != (h.units + kTrailerEntriesPerBlock - 1) / kTrailerEntriesPerBlock)
        fail(ErrorKind::Unreadable, "trailer header says " + std::to_string(h.units) + " units in " +
                                        std::to_string(h.sum_blocks) + " hash blocks");
    return h;
}

Bytes encode_trailer_sum(uint64_t tod, uint32_t reel, uint32_t seq, std::span<const UnitHash> entries)
{
    if (entries.empty() || entries.size() > kTrailerEntriesPerBlock)
        fail(ErrorKind::Internal, "a trailer hash block holds 1 to 338 entries");
    Bytes b(kTrailerSumHeader + kTrailerEntrySize * entries.size() + 8, 0);
    uint8_t* p = b.data();
    std::copy(kIdSum.begin(), kIdSum.end(), p);
    store_be64(p + kSumTodAt, tod);
    store_be32(p + kSumReelAt, reel);
    store_be32(p + kSumSeqAt, seq);
    store_be32(p + kSumCountAt, uint32_t(entries.size()));
    uint8_t* e = p + kTrailerSumHeader;
    for (const UnitHash& u : entries) {
        store_be32(e, u.address);
        store_be64(e + 4, u.content);
        store_be32(e + 12, u.group);
        e += kTrailerEntrySize;
    }
    store_be64(e, hash64(ByteSpan(p, size_t(e - p))));
    return b;
}

TrailerSum decode_trailer_sum(ByteSpan block)
{
    if (!is_trailer_sum(block))
        fail(ErrorKind::Unreadable, "not a trailer hash block");
    if (block.size() < kTrailerSumHeader + kTrailerEntrySize + 8)
        fail(ErrorKind::Damaged, "trailer hash block is only " + std::to_string(block.size()) + " bytes");
    const uint8_t* p = block.data();
    const size_t n = load_be32(p + kSumCountAt);
    if (n == 0 || n > kTrailerEntriesPerBlock || block.size() != kTrailerSumHeader + kTrailerEntrySize * n + 8)
        fail(ErrorKind::Damaged, "trailer hash block's entry count does not match its length");
    const size_t body = kTrailerSumHeader + kTrailerEntrySize * n;
    if (load_be64(p + body) != hash64(ByteSpan(p, body)))
        fail(ErrorKind::Damaged, "trailer hash block is damaged (its own checksum does not match)");
    TrailerSum s;
    s.tod = load_be64(p + kSumTodAt);
    s.reel = load_be32(p + kSumReelAt);
    s.seq = load_be32(p + kSumSeqAt);
    s.entries.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        const uint8_t* e = p + kTrailerSumHeader + kTrailerEntrySize * i;
        s.entries.push_back({load_be32(e), load_be64(e + 4), load_be32(e + 12)});
    }
    return s;
}

namespace {
// XXH3-64 of the bytes after the first `image_length` bytes of a group's blocks, taken
// piece by piece (a group whose pad spans blocks, which DDR's split rule never makes).
uint64_t pad_hash(std::span<const ByteSpan> blocks, size_t image_length)
{
    XXH3_state_t pad;
    XXH3_64bits_reset(&pad);
    size_t start = 0;
    for (ByteSpan b : blocks) {
        const size_t real = start >= image_length ? 0 : std::min(b.size(), image_length - start);
        if (real < b.size())
            XXH3_64bits_update(&pad, b.data() + real, b.size() - real);
        start += b.size();
    }
    return XXH3_64bits_digest(&pad);
}
} // namespace

GroupDigest digest_group(std::span<const ByteSpan> blocks, size_t image_length)
{
    constexpr size_t kCchhAt = 12;
    if (blocks.empty() || blocks[0].size() < kCchhAt + 4 || image_length < kCchhAt + 4)
        fail(ErrorKind::Internal, "a THR group shorter than its header");
    // The block hashes and the pad bytes are gathered and hashed in one call each, which
    // gives the same values as feeding them piece by piece, at less cost per group.  The
    // block hashes of a group read from tape (kThrMaxBlocks at most) fit on the stack.
    constexpr size_t kStackBlocks = 64;
    uint8_t stack_hashes[8 * kStackBlocks];
    Bytes heap_hashes;
    if (blocks.size() > kStackBlocks)
        heap_hashes.resize(8 * blocks.size());
    uint8_t* const block_hashes = heap_hashes.empty() ? stack_hashes : heap_hashes.data();
    ByteSpan pad;        // the pad bytes, when they lie in one block (always, as DDR cuts groups)
    size_t pad_pieces = 0;
    size_t start = 0;
    uint8_t first[kDdrBlockSize];  // the THR block with its CCHH zeroed
    for (size_t i = 0; i < blocks.size(); ++i) {
        ByteSpan b = blocks[i];
        const size_t real = start >= image_length ? 0 : std::min(b.size(), image_length - start);
        uint64_t d;
        if (i == 0) {
            if (real > sizeof first)
                fail(ErrorKind::Internal, "a THR block longer than 4096 bytes");
            std::memcpy(first, b.data(), real);
            std::memset(first + kCchhAt, 0, 4);
            d = xxh3_64(ByteSpan(first, real));
        } else {
            d = xxh3_64(ByteSpan(b.data(), real));
        }
        store_be64(block_hashes + 8 * i, d);
        if (real < b.size()) {
            pad = b.subspan(real);
            ++pad_pieces;
        }
        start += b.size();
    }
    GroupDigest g;
    g.content = xxh3_64(ByteSpan(block_hashes, 8 * blocks.size()));
    g.pad = pad_pieces <= 1 ? xxh3_64(pad) : pad_hash(blocks, image_length);
    g.cchh = load_be32(blocks[0].data() + kCchhAt);
    uint8_t rec[24];
    store_be64(rec, g.content);
    store_be32(rec + 8, g.cchh);
    store_be64(rec + 12, g.pad);
    store_be32(rec + 20, uint32_t(blocks.size()));
    g.group = uint32_t(XXH3_64bits(rec, sizeof rec));
    return g;
}

struct ReelHasher::State {
    XXH3_state_t xxh;
};

ReelHasher::ReelHasher() : state_(std::make_unique<State>())
{
    reset();
}

ReelHasher::~ReelHasher() = default;

void ReelHasher::reset()
{
    XXH3_128bits_reset(&state_->xxh);
}

void ReelHasher::add_record(Item item, uint64_t block_hash)
{
    uint8_t rec[9];
    rec[0] = item;
    store_be64(rec + 1, block_hash);
    XXH3_128bits_update(&state_->xxh, rec, sizeof rec);
}

void ReelHasher::add_group(const GroupDigest& g)
{
    uint8_t rec[21];
    rec[0] = kGroup;
    store_be64(rec + 1, g.content);
    store_be32(rec + 9, g.cchh);
    store_be64(rec + 13, g.pad);
    XXH3_128bits_update(&state_->xxh, rec, sizeof rec);
}

Hash128 ReelHasher::digest() const
{
    XXH128_hash_t h = XXH3_128bits_digest(&state_->xxh);
    return {h.high64, h.low64};
}

void spool_io_failed(bool writing)
{
    fail(writing ? ErrorKind::WriteFailed : ErrorKind::ReadFailed,
         std::string("cannot ") + (writing ? "write" : "read back") + " the temporary file of track checksums");
}

void encode_trailer(TrailerHeader header, UnitHashSpool& units, const std::function<void(ByteSpan)>& emit)
{
    header.units = units.size();
    header.sum_blocks = uint32_t((units.size() + kTrailerEntriesPerBlock - 1) / kTrailerEntriesPerBlock);
    emit(encode_trailer_header(header));
    std::vector<UnitHash> chunk;
    chunk.reserve(kTrailerEntriesPerBlock);
    uint32_t seq = 0;
    units.for_each([&](const UnitHash& u) {
        chunk.push_back(u);
        if (chunk.size() == kTrailerEntriesPerBlock) {
            emit(encode_trailer_sum(header.tod, header.reel, seq++, chunk));
            chunk.clear();
        }
    });
    if (!chunk.empty())
        emit(encode_trailer_sum(header.tod, header.reel, seq++, chunk));
}

uint64_t trailer_tape_bytes(uint64_t units)
{
    const uint64_t full = units / kTrailerEntriesPerBlock, rest = units % kTrailerEntriesPerBlock;
    constexpr uint64_t kFullSum = kTrailerSumHeader + kTrailerEntrySize * kTrailerEntriesPerBlock + 8;
    uint64_t bytes = aws_block_bytes(kTrailerHeaderSize) + full * aws_block_bytes(kFullSum);
    if (rest)
        bytes += aws_block_bytes(kTrailerSumHeader + kTrailerEntrySize * rest + 8);
    return bytes;
}

} // namespace ddr
