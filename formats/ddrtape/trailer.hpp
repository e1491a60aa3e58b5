// The checksum trailer (ddr extension; man/ddrtape.5 section 7).
//
// After each EOV and the EOJ of a dump, before the tape mark, ddr writes blocks that
// IBM's DDR never reads: a 512-byte header ('DDRXHDR ') describing the dump and this
// reel, with a hash of every block of the reel, then hash-list blocks ('DDRXSUM ') with
// an XXH3-64 of every track (or FBA block group) on the reel.  Each trailer block
// carries a hash of itself, so a damaged trailer is told from a damaged track.
//
// Hashing is one pass over the bytes of the dump.  For each track (or FBA block group),
// every tape block of its THR group is hashed over its *logical* bytes -- the bytes of
// the track image it carries, with the home address's CCHH (bytes 12..15 of the image)
// read as zero -- and the pad bytes after the image (in a raised 80-byte block) are
// hashed apart.  From these:
//   - the content hash: XXH3-64 over the 8-byte block digests.  It depends on nothing but
//     the track's records, R0 and flags: not on REORDER, nor on what pad a writer left,
//     so a volume and a dump of it give the same value (manifests rely on this);
//   - the group hash: the low 32 bits of XXH3-64 over the content hash, the raw CCHH, the
//     pad hash and the block count: every raw byte of the group, pinned to its track.
// The reel hash is XXH3-128 over a record per item of the reel in tape order: the VHR,
// the NUCLEUS record, each group (content hash, CCHH, pad hash) and the EOV/EOJ.  Each
// trailer block carries a hash of itself.
#pragma once

#include "formats/io/bytes.hpp"
#include "formats/volume/ckd_track.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ddr {

inline constexpr size_t kTrailerHeaderSize = 512;
inline constexpr size_t kTrailerSumHeader = 32;
inline constexpr size_t kTrailerEntrySize = 16;
inline constexpr size_t kTrailerEntriesPerBlock = 253;  // 32 + 253*16 + 8 = 4088
inline constexpr uint16_t kTrailerVersion = 1;
inline constexpr uint32_t kTrailerFlagLastReel = 0x1;  // the trailer follows the EOJ
inline constexpr uint32_t kTrailerFlagFba = 0x2;       // units are FBA block groups
inline constexpr size_t kTrailerMaxExtents = 20;

struct Hash128 {
    uint64_t high = 0;
    uint64_t low = 0;
    friend bool operator==(const Hash128&, const Hash128&) = default;
};
// 32 lower-case hex digits, high half first (the order the trailer stores them in).
std::string hash_hex(const Hash128& h);

struct TrailerExtent {
    uint32_t first = 0;
    uint32_t last = 0;
    uint32_t output_first = 0;
    friend bool operator==(const TrailerExtent&, const TrailerExtent&) = default;
};

// One track's (or block group's) place and hashes.
struct UnitHash {
    uint32_t address = 0;   // source CCHH as on a volume (EAV form above 65,535); FBA: first block
    uint64_t content = 0;   // content hash
    uint32_t group = 0;     // group hash
    friend bool operator==(const UnitHash&, const UnitHash&) = default;
};

// What the trailer header says about the dump and the reel it ends.
struct TrailerHeader {
    uint32_t flags = 0;
    uint64_t tod = 0;
    uint32_t reel = 1;
    uint32_t sum_blocks = 0;
    uint64_t units = 0;           // on this reel
    uint64_t first_unit = 0;      // index of this reel's first unit within the dump
    Hash128 reel_hash;            // every block of the reel, VHR through EOJ/EOV
    uint64_t vhr_hash = 0;        // XXH3-64 of this reel's VHR block
    uint64_t end_hash = 0;        // XXH3-64 of the EOJ/EOV block
    uint64_t nucleus_hash = 0;    // XXH3-64 of the NUCLEUS checkpoint record, 0 if none
    uint16_t devtype = 0;         // 0x3390
    std::string model;            // "3390-3" (at most 14 characters)
    uint32_t cylinders = 0;       // the source volume's true size
    uint32_t heads = 0;
    uint32_t track_size = 0;
    uint64_t fba_blocks = 0;
    uint32_t group_blocks = 0;
    std::vector<TrailerExtent> extents;
    std::string tool;             // "ddr 0.1.0"
    int64_t unix_time = 0;
    uint64_t source_size = 0;
    std::string source_format;    // "CKD_P370"
    std::string source_name;      // file name, at most 88 bytes

    bool last_reel() const { return flags & kTrailerFlagLastReel; }
    bool fba() const { return flags & kTrailerFlagFba; }
};

// True if `block` starts with one of the trailer block IDs.
bool is_trailer_header(ByteSpan block);
bool is_trailer_sum(ByteSpan block);
// The TOD of the dump a trailer block (header or hash block) belongs to, read without
// checking the block's own hash: how a trailer block is matched to its dump.  0 for any
// other block, or one too short to hold the field.
uint64_t trailer_block_tod(ByteSpan block);

Bytes encode_trailer_header(const TrailerHeader& header);
// Throws Error(Damaged) if the block's self-hash does not match, Error(Unreadable) if it
// is not a trailer header of a version we know.
TrailerHeader decode_trailer_header(ByteSpan block);

Bytes encode_trailer_sum(uint64_t tod, uint32_t reel, uint32_t seq, std::span<const UnitHash> entries);
struct TrailerSum {
    uint64_t tod = 0;
    uint32_t reel = 0;
    uint32_t seq = 0;
    std::vector<UnitHash> entries;
};
TrailerSum decode_trailer_sum(ByteSpan block);

// XXH3-64 of some bytes.
uint64_t hash64(ByteSpan bytes);

// The digests of one THR group, from its tape blocks (exactly as on tape) and the length
// of the logical image they carry.
struct GroupDigest {
    uint64_t content = 0;
    uint32_t group = 0;
    uint32_t cchh = 0;   // the home address's raw CCHH (image bytes 12..15)
    uint64_t pad = 0;    // XXH3-64 of the bytes after the image (most groups: none)
};
GroupDigest digest_group(std::span<const ByteSpan> blocks, size_t image_length);

// The reel hash (XXH3-128) over the reel's items in tape order.
class ReelHasher {
public:
    ReelHasher();
    ~ReelHasher();
    ReelHasher(const ReelHasher&) = delete;
    ReelHasher& operator=(const ReelHasher&) = delete;
    void reset();
    enum Item : uint8_t { kVhr = 1, kNucleus = 2, kGroup = 3, kEnd = 4 };
    void add_record(Item item, uint64_t block_hash);  // VHR, NUCLEUS, EOV/EOJ: XXH3-64 of the block
    void add_group(const GroupDigest& group);
    Hash128 digest() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

// A list of unit hashes that may be far longer than memory should hold (a 1 TB EAV
// volume has 17.7 million tracks): kept in memory up to a bound, then in an unnamed
// temporary file, and read back in order.
[[noreturn]] void spool_io_failed(bool writing);

// Entry must be trivially copyable.
template <typename Entry>
class Spool {
public:
    explicit Spool(size_t memory_entries = 65536) : memory_limit_(memory_entries ? memory_entries : 1) {}
    ~Spool()
    {
        if (spill_)
            std::fclose(spill_);
    }
    Spool(const Spool&) = delete;
    Spool& operator=(const Spool&) = delete;

    void push(const Entry& entry)
    {
        // Room for the whole bound at once: growing it step by step would copy the entries
        // and touch fresh pages at every step (the pages reserved cost nothing until used).
        if (memory_.capacity() == 0)
            memory_.reserve(memory_limit_);
        memory_.push_back(entry);
        ++count_;
        if (memory_.size() >= memory_limit_)
            spill();
    }
    uint64_t size() const { return count_; }
    void clear()
    {
        memory_.clear();
        if (spill_)
            std::fclose(spill_);
        spill_ = nullptr;
        count_ = spilled_ = 0;
    }
    // Reads the entries back in the order pushed (one reader at a time; no pushes meanwhile).
    class Reader {
    public:
        explicit Reader(Spool& spool) : spool_(spool)
        {
            if (spool_.spill_)
                std::fseek(spool_.spill_, 0, SEEK_SET);
        }
        bool next(Entry& out)
        {
            if (pos_ >= spool_.count_)
                return false;
            if (pos_ < spool_.spilled_) {
                if (buf_pos_ >= buf_.size()) {
                    size_t want = size_t(std::min<uint64_t>(spool_.spilled_ - pos_, 4096));
                    buf_.resize(want);
                    if (std::fread(buf_.data(), sizeof(Entry), want, spool_.spill_) != want)
                        spool_io_failed(false);
                    buf_pos_ = 0;
                }
                out = buf_[buf_pos_++];
            } else {
                out = spool_.memory_[size_t(pos_ - spool_.spilled_)];
            }
            ++pos_;
            return true;
        }

    private:
        Spool& spool_;
        uint64_t pos_ = 0;
        std::vector<Entry> buf_;
        size_t buf_pos_ = 0;
    };

    // Calls `fn` for each entry, in the order pushed.
    template <typename F>
    void for_each(F&& fn)
    {
        Reader r(*this);
        Entry e;
        while (r.next(e))
            fn(e);
    }

private:
    void spill()
    {
        if (!spill_ && !(spill_ = std::tmpfile()))
            spool_io_failed(true);
        if (std::fseek(spill_, 0, SEEK_END) != 0 ||
            std::fwrite(memory_.data(), sizeof(Entry), memory_.size(), spill_) != memory_.size())
            spool_io_failed(true);
        spilled_ += memory_.size();
        memory_.clear();
    }

    size_t memory_limit_;
    std::vector<Entry> memory_;
    std::FILE* spill_ = nullptr;
    uint64_t count_ = 0;
    uint64_t spilled_ = 0;
};
using UnitHashSpool = Spool<UnitHash>;

// The trailer blocks for one reel, header then hash lists, handed to `emit` one at a
// time (a 3390-54 reel's trailer is 12 MB; it is never held whole).
void encode_trailer(TrailerHeader header, UnitHashSpool& units, const std::function<void(ByteSpan)>& emit);
// Container bytes the trailer of a reel with `units` units takes (AWS headers included).
uint64_t trailer_tape_bytes(uint64_t units);

} // namespace ddr
