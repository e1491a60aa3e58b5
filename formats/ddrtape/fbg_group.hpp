// FBA (fixed-block) volumes on a DDR tape: this project's encoding (man/ddrtape.5 section
// 9), since IBM's FBA framing is not public.  It mirrors the CKD one:
//
//   VHR whose CKD fields are zero, marked 'FBA ' in bytes IBM leaves blank,
//   one 'FBG ' record per group of up to 120 blocks where a THR would stand,
//   EOV/EOJ and trailer as for CKD.
//
// A group's logical image is a 32-byte header laid out like a THR's -- count at 4, the
// split fields at 6 and 8, the group's first (output) block number at 12..15 where a THR
// has its CCHH -- followed by the blocks' 512-byte contents, cut into tape blocks by
// IBM's split rule.  So the hashing and the checksum trailer are the CKD ones unchanged.
#pragma once

#include "formats/ddrtape/records.hpp"
#include "formats/ddrtape/thr_group.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace ddr {

inline constexpr uint32_t kFbaGroupBlocks = 120;  // blocks per group (61,440 bytes, as CFBA)
inline constexpr size_t kFbaGroupHeader = 32;

// What an FBA dump's VHR says beyond IBM's fields.
struct FbaVolumeFields {
    uint64_t blocks = 0;          // blocks on the dumped volume
    uint16_t group_blocks = kFbaGroupBlocks;
    uint16_t devtype = 0;         // e.g. 0x3370; 0 = a generic FB-512
};

// Marks `vhr` as an FBA dump (MREC, CYLA, MTCK zero; 'FBA ' and the fields at 36..51).
void set_fba_fields(DdrVolumeHeader& vhr, const FbaVolumeFields& fields);
// The FBA fields, if `vhr` is an FBA dump's.
std::optional<FbaVolumeFields> fba_fields(const DdrVolumeHeader& vhr);

// A block number in a VHR's BB CC HH: CC HH hold it as a 32-bit number.
void set_header_block(DdrVolumeHeader& vhr, uint32_t block);
uint32_t header_block(const DdrVolumeHeader& vhr);

// True if `block` can start an FBA group: 'FBG ' and 80..4096 bytes long.
bool is_fba_group_block(ByteSpan block);

// Turns runs of blocks into FBG groups.  The spans stay valid until the next encode().
class FbaGroupEncoder {
public:
    // `data` is whole 512-byte blocks, at most kFbaGroupBlocks of them.
    void encode(ByteSpan data, uint32_t output_first_block);
    std::span<const ByteSpan> blocks() const { return blocks_; }
    ByteSpan image() const { return ByteSpan(buf_.data(), length_); }
    size_t tape_bytes() const;

private:
    Bytes buf_;
    size_t length_ = 0;
    std::vector<ByteSpan> blocks_;
};

// Reassembles FBG groups; used like DdrTrackDecoder (stable views are kept, not copied).
class FbaGroupDecoder {
public:
    void begin(ByteSpan first, bool stable = false);
    bool complete() const { return received_ == block_count_; }
    size_t blocks_received() const { return received_; }
    size_t block_count() const { return block_count_; }
    size_t next_block_length() const;
    void add(ByteSpan block, bool stable = false);
    void validate();

    uint32_t first_block() const { return first_; }   // output block number
    uint32_t count() const { return count_; }          // FBA blocks in the group
    std::span<const ByteSpan> blocks() const { return blocks_.views(); }
    size_t image_length() const { return kFbaGroupHeader + size_t(count_) * 512; }
    // The group's FBA blocks (count() x 512 bytes) into `out`.
    void copy_data(MutableByteSpan out) const;

private:
    GroupBlocks blocks_;
    uint32_t first_ = 0;
    uint32_t count_ = 0;
    uint16_t full_ = 0;
    uint16_t last_ = 0;
    size_t block_count_ = 0;
    size_t received_ = 0;
};

} // namespace ddr
