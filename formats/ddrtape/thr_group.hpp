// A CKD track on a DDR tape: the THR group (ddrtape(5) section 4).
//
// The logical image of a track is
//   'THR ' | n (H) | full blocks (H) | last block length (H) | flag | HA F CC HH
//   | R0 count (8) | R0 data (8) | n counts (8 each) | keys and data, concatenated
// and it goes to tape cut into 4096-byte blocks, then one short block, where a short
// block of 1..80 bytes is raised to 80 bytes.  The encoder and decoder below convert
// between that and a TrackImage (Hercules' layout: each count followed by its key/data).
#pragma once

#include "formats/volume/ckd_track.hpp"
#include "formats/ddrtape/records.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace ddr {

inline constexpr size_t kThrFixedSize = 32;    // THR fields + R0 count + R0 data
inline constexpr size_t kThrMinBlock = 80;     // a short block is at least this long
inline constexpr uint8_t kThrFlagSpecial = 0x01;  // last record is a track-overflow segment
// No DASD track image comes near this: the longest Hercules track slot (3390) is 56,832
// bytes, 14 tape blocks.  A THR claiming more is damaged, and is refused before anything
// is allocated for it.
inline constexpr uint16_t kThrMaxBlocks = 32;

// Hercules marks a track-overflow record by setting X'80' in the first byte of its count.
inline constexpr uint8_t kHerculesOverflowBit = 0x80;

struct ThrHeader {
    uint16_t records = 0;      // THRNDRD: count fields after R0
    uint16_t full_blocks = 0;  // THRNDRT: 4096-byte blocks, THR block included
    uint16_t last_length = 0;  // THRDRL: length of the final short block, 0 = none
    uint8_t flags = 0;         // THRFLAG
    std::array<uint8_t, 5> ha{};  // F CC HH: the output (reordered) address

    size_t block_count() const { return full_blocks + (last_length ? 1u : 0u); }
    // The HA flag byte as dumped: not 0 for a track flagged defective or an alternate.
    uint8_t ha_flags() const { return ha[0]; }
    bool flagged_defective() const { return ha_flags() & kHaFlagDefective; }
};

struct ThrLayout {
    uint16_t full_blocks;
    uint16_t last_length;
};
// IBM's split rule for an image of `image_length` bytes.
ThrLayout thr_layout(size_t image_length);

// The tape blocks of a group laid out by thr_layout() in `buf` (which holds them back to back).
void slice_blocks(const Bytes& buf, ThrLayout layout, std::vector<ByteSpan>& blocks);

// The blocks of a THR or FBG group as they arrive from tape: a block that comes as a
// stable view (valid until the group is done with) is kept as a view, any other is copied.
class GroupBlocks {
public:
    // Starts a group whose blocks total `total_bytes`.
    void reset();
    void add(ByteSpan block, bool stable, size_t total_bytes);
    std::span<const ByteSpan> views() const { return blocks_; }
    ByteSpan operator[](size_t i) const { return blocks_[i]; }
    size_t size() const { return blocks_.size(); }
    // Copies `n` bytes of the group's logical image from `offset`, across blocks, to `out`.
    void copy(size_t offset, size_t n, uint8_t* out) const;
    // The same, appended to `out`.
    void append(size_t offset, size_t n, Bytes& out) const;

private:
    // Calls fn(piece) for the pieces (one per block) that make up `n` bytes of the
    // logical image from `offset`, in order.
    template <typename Fn>
    void for_each_piece(size_t offset, size_t n, Fn&& fn) const;

    std::vector<ByteSpan> blocks_;
    Bytes own_;
};

// True if `block` can start a THR group: 'THR ' and 80..4096 bytes long.
bool is_thr_block(ByteSpan block);

// Turns tracks into THR groups.  Reuses its buffers: the spans it returns stay valid
// until the next encode().
class DdrTrackEncoder {
public:
    // Encodes `track` with its home address relabelled to `output` (REORDER; the
    // counts keep their own CCHH).  Throws Error(Unreadable) if the track cannot be
    // represented: R0 with more than 8 bytes of key and data.
    void encode(const TrackImage& track, TrackAddress output);

    std::span<const ByteSpan> blocks() const { return blocks_; }
    ByteSpan image() const { return ByteSpan(buf_.data(), length_); }  // the logical image
    const ThrHeader& header() const { return header_; }
    // Bytes the group takes on tape (sum of its block lengths).
    size_t tape_bytes() const;

private:
    Bytes buf_;
    size_t length_ = 0;
    ThrHeader header_;
    std::vector<ByteSpan> blocks_;
    std::vector<CkdRecord> records_;
};

// How to make R0's count when a track is restored.  IBM DDR rewrites the HA and writes
// R0 from tape on 2311/2314/2305 (so after REORDER R0 keeps its old CCHH), and on later
// devices writes only R0's data, keeping the count the volume was formatted with.
enum class R0CountSource {
    Tape,        // the 8 count bytes exactly as dumped
    TargetCchh,  // the target track's CCHH with the dumped R, KL and DL
};

// Reassembles THR groups.  begin() with the first block, then add() each further block
// (next_block_length() says how long it must be), then build().  A block whose view is
// `stable` (valid until the group is done with, e.g. a view into a tape reader's buffer) is
// kept as a view; any other is copied.
class DdrTrackDecoder {
public:
    // Throws Error(Unreadable) if `block` is not a THR block or its fields are
    // inconsistent (e.g. full blocks > 0 but the block is shorter than 4096 bytes).
    void begin(ByteSpan thr_block, bool stable = false);
    bool complete() const { return received_ == header_.block_count(); }
    size_t blocks_received() const { return received_; }
    size_t block_count() const { return header_.block_count(); }
    size_t next_block_length() const;
    // Throws Error(Unreadable) if the block is not exactly next_block_length() long.
    void add(ByteSpan block, bool stable = false);

    const ThrHeader& header() const { return header_; }
    // The i-th tape block of the group, exactly as read (pad bytes included).
    ByteSpan block(size_t i) const { return blocks_[i]; }
    std::span<const ByteSpan> blocks() const { return blocks_.views(); }
    // Length of the logical image (known once validate() has run).
    size_t image_length() const { return length_; }
    // The logical image gathered from the blocks into one buffer (for tests and checks;
    // the hot paths read the blocks where they lie).
    Bytes image_copy() const
    {
        Bytes out;
        blocks_.append(0, length_, out);
        return out;
    }
    TrackAddress output_address(bool eav_form) const { return decode_cchh(header_.ha.data() + 1, eav_form); }

    // Checks that the counts agree with the block layout; throws Error(Unreadable).
    // Called by build(); callers that only hash or list a track call it directly.
    void validate();

    // Writes the track as it goes back onto a volume at `target`.
    void build(TrackImage& out, TrackAddress target, R0CountSource r0);

private:
    GroupBlocks blocks_;
    Bytes counts_;           // the count fields, gathered for validate() and build()
    size_t length_ = 0;      // logical length L, known after validate()
    size_t received_ = 0;    // blocks received
    bool validated_ = false;
    ThrHeader header_;
};

} // namespace ddr
