#include "formats/ddrtape/thr_group.hpp"

#include "formats/ddrtape/records.hpp"
#include "formats/io/error.hpp"
#include "formats/io/wording.hpp"

#include <algorithm>
#include <cstring>

namespace ddr {

namespace {
constexpr std::array<uint8_t, 4> kIdThr = {0xE3, 0xC8, 0xD9, 0x40};  // 'THR '
} // namespace

ThrLayout thr_layout(size_t image_length)
{
    size_t rest = image_length % kDdrBlockSize;
    uint16_t last = rest == 0 ? 0 : rest <= kThrMinBlock ? uint16_t(kThrMinBlock) : uint16_t(rest);
    return {uint16_t(image_length / kDdrBlockSize), last};
}

void slice_blocks(const Bytes& buf, ThrLayout layout, std::vector<ByteSpan>& blocks)
{
    blocks.clear();
    const uint8_t* p = buf.data();
    for (size_t b = 0; b < layout.full_blocks; ++b)
        blocks.emplace_back(p + b * kDdrBlockSize, kDdrBlockSize);
    if (layout.last_length)
        blocks.emplace_back(p + size_t(layout.full_blocks) * kDdrBlockSize, layout.last_length);
}

void GroupBlocks::reset()
{
    blocks_.clear();
}

void GroupBlocks::add(ByteSpan block, bool stable, size_t total_bytes)
{
    if (stable) {
        blocks_.push_back(block);
        return;
    }
    own_.resize(total_bytes);  // room for the whole group, so earlier copies never move
    uint8_t* at = own_.data() + blocks_.size() * kDdrBlockSize;
    std::memcpy(at, block.data(), block.size());
    blocks_.emplace_back(at, block.size());
}

template <typename Fn>
void GroupBlocks::for_each_piece(size_t offset, size_t n, Fn&& fn) const
{
    while (n > 0) {
        const size_t b = offset / kDdrBlockSize, in = offset % kDdrBlockSize;
        const size_t take = std::min(n, blocks_[b].size() - in);
        fn(blocks_[b].subspan(in, take));
        offset += take;
        n -= take;
    }
}

void GroupBlocks::copy(size_t offset, size_t n, uint8_t* out) const
{
    for_each_piece(offset, n, [&out](ByteSpan piece) {
        std::memcpy(out, piece.data(), piece.size());
        out += piece.size();
    });
}

void GroupBlocks::append(size_t offset, size_t n, Bytes& out) const
{
    // Inserted piece by piece rather than resized and then copied into: a resize would
    // first clear every byte (a dense 3390's restore spent 12 % of its time doing that).
    for_each_piece(offset, n, [&out](ByteSpan piece) { out.insert(out.end(), piece.begin(), piece.end()); });
}

bool is_thr_block(ByteSpan block)
{
    return block.size() >= kThrMinBlock && block.size() <= kDdrBlockSize &&
           std::equal(kIdThr.begin(), kIdThr.end(), block.begin());
}

// ---- encoder ----

void DdrTrackEncoder::encode(const TrackImage& track, TrackAddress output)
{
    track.records(records_);
    if (records_.empty())
        fail(ErrorKind::Unreadable, "track has no R0");
    const CkdRecord& r0 = records_[0];
    if (r0.key.size() + r0.data.size() > 8)
        fail(ErrorKind::Unreadable, "R0 holds " + std::to_string(r0.key.size() + r0.data.size()) +
                                        " bytes of key and data; the DDR format carries at most 8");

    const size_t n = records_.size() - 1;
    if (n > 0xFFFF)
        fail(ErrorKind::Unreadable, "track has more than 65,535 records");
    size_t payload = 0;
    for (size_t i = 1; i < records_.size(); ++i)
        payload += records_[i].key.size() + records_[i].data.size();
    length_ = kThrFixedSize + 8 * n + payload;
    if (length_ / kDdrBlockSize > 0xFFFF)
        fail(ErrorKind::Unreadable, "track image too large for a THR group");
    ThrLayout layout = thr_layout(length_);
    const size_t padded = size_t(layout.full_blocks) * kDdrBlockSize + layout.last_length;

    buf_.assign(padded, 0);
    uint8_t* p = buf_.data();
    header_ = ThrHeader{};
    header_.records = uint16_t(n);
    header_.full_blocks = layout.full_blocks;
    header_.last_length = layout.last_length;
    header_.ha[0] = track.bytes[0];
    encode_cchh(header_.ha.data() + 1, output);

    std::copy(kIdThr.begin(), kIdThr.end(), p);
    store_be16(p + 4, header_.records);
    store_be16(p + 6, header_.full_blocks);
    store_be16(p + 8, header_.last_length);
    std::copy(header_.ha.begin(), header_.ha.end(), p + 11);
    std::memcpy(p + 16, r0.count, kCountSize);
    uint8_t* r0data = p + 24;
    std::copy(r0.key.begin(), r0.key.end(), r0data);
    std::copy(r0.data.begin(), r0.data.end(), r0data + r0.key.size());

    uint8_t* counts = p + kThrFixedSize;
    uint8_t* payload_out = counts + 8 * n;
    for (size_t i = 1; i < records_.size(); ++i) {
        const CkdRecord& r = records_[i];
        std::memcpy(counts, r.count, kCountSize);
        if (i == records_.size() - 1 && carries_overflow_flag(r.count, track.bytes.data())) {
            counts[0] &= uint8_t(~kHerculesOverflowBit);
            header_.flags |= kThrFlagSpecial;
        }
        counts += kCountSize;
        payload_out = std::copy(r.key.begin(), r.key.end(), payload_out);
        payload_out = std::copy(r.data.begin(), r.data.end(), payload_out);
    }
    p[10] = header_.flags;

    slice_blocks(buf_, layout, blocks_);
}

size_t DdrTrackEncoder::tape_bytes() const
{
    return size_t(header_.full_blocks) * kDdrBlockSize + header_.last_length;
}

// ---- decoder ----

void DdrTrackDecoder::begin(ByteSpan block, bool stable)
{
    // Nothing of an earlier group survives, even if this block is refused.
    blocks_.reset();
    received_ = 0;
    length_ = 0;
    validated_ = false;
    header_ = ThrHeader{};
    if (!is_thr_block(block))
        fail(ErrorKind::Unreadable, "expected a THR block, found " + std::string(article_before(block.size())) + " " +
                                        std::to_string(block.size()) + "-byte block that is not one");
    const uint8_t* p = block.data();
    ThrHeader h;
    h.records = load_be16(p + 4);
    h.full_blocks = load_be16(p + 6);
    h.last_length = load_be16(p + 8);
    h.flags = p[10];
    std::copy(p + 11, p + 16, h.ha.begin());
    if (h.last_length > 0 && h.last_length < kThrMinBlock)
        fail(ErrorKind::Unreadable, "THR says its last block is " + std::to_string(h.last_length) +
                                        " bytes; DDR never writes a block shorter than 80");
    if (h.last_length >= kDdrBlockSize)
        fail(ErrorKind::Unreadable, "THR says its last block is " + std::to_string(h.last_length) + " bytes (must be below 4096)");
    if (h.block_count() == 0)
        fail(ErrorKind::Unreadable, "THR says its track has no blocks");
    if (h.full_blocks >= kThrMaxBlocks)
        fail(ErrorKind::Unreadable, "THR says its track takes " + std::to_string(h.full_blocks) +
                                        " tape blocks; no DASD track is that long");
    size_t first_expected = h.full_blocks > 0 ? kDdrBlockSize : h.last_length;
    if (block.size() != first_expected)
        fail(ErrorKind::Unreadable, "THR block is " + std::to_string(block.size()) + " bytes but its header implies " +
                                        std::to_string(first_expected));
    header_ = h;  // only a header that passed every check
    add(block, stable);
}

size_t DdrTrackDecoder::next_block_length() const
{
    return received_ < header_.full_blocks ? kDdrBlockSize : header_.last_length;
}

void DdrTrackDecoder::add(ByteSpan block, bool stable)
{
    if (header_.block_count() == 0)
        fail(ErrorKind::Internal, "THR group block added before a THR block began it");
    if (complete())
        fail(ErrorKind::Internal, "THR group already complete");
    size_t want = next_block_length();
    if (block.size() != want)
        fail(ErrorKind::Unreadable, "data block " + std::to_string(received_ + 1) + " of this track is " +
                                        std::to_string(block.size()) + " bytes; its THR says " + std::to_string(want));
    blocks_.add(block, stable, size_t(header_.full_blocks) * kDdrBlockSize + header_.last_length);
    ++received_;
}

void DdrTrackDecoder::validate()
{
    if (validated_)
        return;
    if (!complete())
        fail(ErrorKind::Internal, "THR group validated before all its blocks arrived");
    const size_t n = header_.records;
    const size_t total = size_t(header_.full_blocks) * kDdrBlockSize + header_.last_length;
    size_t length = kThrFixedSize + 8 * n;
    if (length > total)
        fail(ErrorKind::Unreadable, "THR says " + std::to_string(n) + " records but the group is only " +
                                        std::to_string(total) + " bytes");
    counts_.clear();
    blocks_.append(kThrFixedSize, 8 * n, counts_);
    for (size_t i = 0; i < n; ++i)
        length += size_t(counts_[8 * i + 5]) + load_be16(counts_.data() + 8 * i + 6);
    ThrLayout expect = thr_layout(length);
    if (expect.full_blocks != header_.full_blocks || expect.last_length != header_.last_length)
        fail(ErrorKind::Unreadable, "THR block layout (" + std::to_string(header_.full_blocks) + " full, last " +
                                        std::to_string(header_.last_length) + ") does not match its " +
                                        std::to_string(n) + " counts, which describe " + std::to_string(length) + " bytes");
    length_ = length;
    validated_ = true;
}

void DdrTrackDecoder::build(TrackImage& out, TrackAddress target, R0CountSource r0)
{
    validate();
    const uint8_t* first = blocks_[0].data();
    const uint8_t* tape_r0 = first + 16;
    const size_t r0_key = tape_r0[5];
    const size_t r0_data = load_be16(tape_r0 + 6);
    if (r0_key + r0_data > 8)
        fail(ErrorKind::Unreadable, "R0 count says " + std::to_string(r0_key + r0_data) +
                                        " bytes of key and data; a DDR tape carries 8");

    out.start(0, target);
    uint8_t count[kCountSize];
    std::memcpy(count, tape_r0, kCountSize);
    if (r0 == R0CountSource::TargetCchh)
        encode_cchh(count, target);
    out.add_record(count, ByteSpan(first + 24, r0_key + r0_data));

    const size_t n = header_.records;
    size_t payload = kThrFixedSize + 8 * n;
    out.bytes.reserve(out.bytes.size() + length_ - payload + 8 * n + kEndOfTrackSize);
    for (size_t i = 0; i < n; ++i) {
        std::memcpy(count, counts_.data() + 8 * i, kCountSize);
        if (i == n - 1 && (header_.flags & kThrFlagSpecial))
            count[0] |= kHerculesOverflowBit;
        size_t len = size_t(count[5]) + load_be16(count + 6);
        out.bytes.insert(out.bytes.end(), count, count + kCountSize);
        blocks_.append(payload, len, out.bytes);
        payload += len;
    }
    out.finish();
}

} // namespace ddr
