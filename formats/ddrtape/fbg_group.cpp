#include "formats/ddrtape/fbg_group.hpp"

#include "formats/io/ebcdic.hpp"
#include "formats/io/error.hpp"
#include "formats/io/wording.hpp"

#include <cstring>

namespace ddr {

namespace {
constexpr auto kFbaMarker = ebcdic_literal("FBA ");
constexpr auto kIdFbg = ebcdic_literal("FBG ");
// Offsets within VHR bytes 36..79 (DdrVolumeHeader::spare_36).
constexpr size_t kMarkerAt = 0, kBlocksAt = 4, kGroupAt = 12, kDevtypeAt = 14;
} // namespace

void set_fba_fields(DdrVolumeHeader& vhr, const FbaVolumeFields& f)
{
    vhr.mrec = vhr.cyla = vhr.mtck = 0;
    std::copy(kFbaMarker.begin(), kFbaMarker.end(), vhr.spare_36.begin() + kMarkerAt);
    store_be64(vhr.spare_36.data() + kBlocksAt, f.blocks);
    store_be16(vhr.spare_36.data() + kGroupAt, f.group_blocks);
    store_be16(vhr.spare_36.data() + kDevtypeAt, f.devtype);
}

std::optional<FbaVolumeFields> fba_fields(const DdrVolumeHeader& vhr)
{
    if (!std::equal(kFbaMarker.begin(), kFbaMarker.end(), vhr.spare_36.begin() + kMarkerAt) || vhr.mtck != 0)
        return std::nullopt;
    FbaVolumeFields f;
    f.blocks = load_be64(vhr.spare_36.data() + kBlocksAt);
    f.group_blocks = load_be16(vhr.spare_36.data() + kGroupAt);
    f.devtype = load_be16(vhr.spare_36.data() + kDevtypeAt);
    if (f.group_blocks == 0 || f.group_blocks > kFbaGroupBlocks)
        return std::nullopt;
    return f;
}

void set_header_block(DdrVolumeHeader& vhr, uint32_t block)
{
    vhr.bb = 0;
    vhr.cc = cc_of(block);
    vhr.hh = hh_of(block);
}

uint32_t header_block(const DdrVolumeHeader& vhr)
{
    return vhr.cchh();
}

bool is_fba_group_block(ByteSpan block)
{
    return block.size() >= kThrMinBlock && block.size() <= kDdrBlockSize &&
           std::equal(kIdFbg.begin(), kIdFbg.end(), block.begin());
}

// ---- encoder ----

void FbaGroupEncoder::encode(ByteSpan data, uint32_t output_first_block)
{
    if (data.empty() || data.size() % 512 != 0 || data.size() / 512 > kFbaGroupBlocks)
        fail(ErrorKind::Internal, "an FBA group holds 1 to 120 whole blocks");
    length_ = kFbaGroupHeader + data.size();
    ThrLayout layout = thr_layout(length_);
    buf_.assign(size_t(layout.full_blocks) * kDdrBlockSize + layout.last_length, 0);
    uint8_t* p = buf_.data();
    std::copy(kIdFbg.begin(), kIdFbg.end(), p);
    store_be16(p + 4, uint16_t(data.size() / 512));
    store_be16(p + 6, layout.full_blocks);
    store_be16(p + 8, layout.last_length);
    store_be32(p + 12, output_first_block);
    std::memcpy(p + kFbaGroupHeader, data.data(), data.size());
    slice_blocks(buf_, layout, blocks_);
}

size_t FbaGroupEncoder::tape_bytes() const
{
    return buf_.size();
}

// ---- decoder ----

void FbaGroupDecoder::begin(ByteSpan block, bool stable)
{
    blocks_.reset();
    received_ = 0;
    block_count_ = 0;
    count_ = 0;
    if (!is_fba_group_block(block))
        fail(ErrorKind::Unreadable, "expected an FBG (FBA group) block, found " + std::string(article_before(block.size())) + " " + std::to_string(block.size()) +
                                        "-byte block that is not one");
    const uint8_t* p = block.data();
    count_ = load_be16(p + 4);
    full_ = load_be16(p + 6);
    last_ = load_be16(p + 8);
    first_ = load_be32(p + 12);
    if (count_ == 0 || count_ > kFbaGroupBlocks)
        fail(ErrorKind::Unreadable, "FBG says it holds " + std::to_string(count_) + " blocks (1 to 120)");
    ThrLayout want = thr_layout(kFbaGroupHeader + size_t(count_) * 512);
    if (want.full_blocks != full_ || want.last_length != last_)
        fail(ErrorKind::Unreadable, "FBG block layout (" + std::to_string(full_) + " full, last " + std::to_string(last_) +
                                        ") does not match its " + std::to_string(count_) + " blocks");
    block_count_ = full_ + (last_ ? 1u : 0u);
    const size_t first_expected = full_ > 0 ? kDdrBlockSize : last_;
    if (block.size() != first_expected)
        fail(ErrorKind::Unreadable, "FBG block is " + std::to_string(block.size()) + " bytes but its header implies " +
                                        std::to_string(first_expected));
    add(block, stable);
}

size_t FbaGroupDecoder::next_block_length() const
{
    return received_ < full_ ? kDdrBlockSize : last_;
}

void FbaGroupDecoder::add(ByteSpan block, bool stable)
{
    if (block_count_ == 0)
        fail(ErrorKind::Internal, "FBA group block added before an FBG block began it");
    if (complete())
        fail(ErrorKind::Internal, "FBA group already complete");
    const size_t want = next_block_length();
    if (block.size() != want)
        fail(ErrorKind::Unreadable, "data block " + std::to_string(received_ + 1) + " of this group is " +
                                        std::to_string(block.size()) + " bytes; its FBG says " + std::to_string(want));
    blocks_.add(block, stable, size_t(full_) * kDdrBlockSize + last_);
    ++received_;
}

void FbaGroupDecoder::validate()
{
    if (!complete())
        fail(ErrorKind::Internal, "FBA group validated before all its blocks arrived");
}

void FbaGroupDecoder::copy_data(MutableByteSpan out) const
{
    const size_t n = size_t(count_) * 512;
    if (out.size() < n)
        fail(ErrorKind::Internal, "FBA group copied into too small a buffer");
    blocks_.copy(kFbaGroupHeader, n, out.data());
}

} // namespace ddr
