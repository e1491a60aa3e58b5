// The busy mark of a plain image that `ddr restore` rewrites in place (man/ddrimage.5,
// "Busy images").
//
// A plain CKD or FBA image cannot be rewritten into a new file the way a compressed one
// is (it may be gigabytes of slots), so its tracks are written where they are.  While
// that is going on, a half-restored image must not pass for a volume, neither to
// Hercules nor to ddr, and the next run must be able to finish it.  So, before the
// first track is written, the image (file 1 of a CKD set) is renamed NAME.ddr-busy:
// every Hercules utility given NAME finds no file, and an in-place magic alone could not
// stop dasdcopy, which takes any file without a magic it knows for plain FBA.  The busy
// file also carries a RestoreRecord saying which dump is being restored and what the
// target's volser was before: in reserved bytes of file 1's header for CKD (whose magic
// also reads DDR_BUSY, so a Hercules utility given the busy name refuses it too), in a
// 512-byte block appended after the last block for FBA.  Once every byte of the dump is
// on disk, the header or the image's size is put back, and the file gets its name again.
#pragma once

#include "formats/io/bytes.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace ddr {

// The name an image has while a restore writes into it: NAME.ddr-busy.
std::string busy_image_name(const std::string& path);

// What a restore into an existing plain image records in the busy file: enough for the
// next run to know whether it redoes the same dump (its volser was checked before the
// first track was written) or writes another one (checked against the volser the target
// had before any of this began).
struct RestoreRecord {
    static constexpr size_t kSize = 48;

    uint64_t dump_tod = 0;                     // the dump's TOD clock (its VHR): which dump
    std::string dump_volser;                   // the dump's volser, ASCII, trailing blanks cut
    std::optional<std::string> prior_volser;   // the target's volser before; nullopt: no label
    uint64_t fba_blocks = 0;                   // FBA: blocks of the image, before the record

    // 0 "DDRRSTOR", 8 TOD (big-endian), 16 dump volser, 22 prior volser (6 ASCII bytes
    // each, blank-padded), 28 flags (X'01' = prior volser present), 29-31 zeros, 32 FBA
    // blocks (little-endian), 40 CRC-32 of bytes 0-39 (little-endian), 44-47 zeros.
    std::array<uint8_t, kSize> encode() const;
    // The record in `bytes` (at least kSize), or nullopt if they hold none (magic or CRC).
    static std::optional<RestoreRecord> decode(ByteSpan bytes);
    // True if `bytes` begin with the record's magic, whether or not the rest is intact.
    static bool has_magic(ByteSpan bytes);

    // "a restore of VOLA01 (dumped 2026-12-03 18:49:32 UTC)"
    std::string describe() const;
    bool same_dump(const RestoreRecord& other) const
    {
        return dump_tod == other.dump_tod && dump_volser == other.dump_volser;
    }
};

// An image a restore did not finish.
struct UnfinishedRestore {
    std::string image;      // the image's own name (file 1 of a CKD set)
    std::string file_now;   // its name now: NAME.ddr-busy (or NAME, marked DDR_BUSY by ddr 0.1)
    bool ckd = false;
    bool name_taken = false;  // NAME exists too: another file under the image's own name
    // What the busy file records.  nullopt when the run stopped between the rename and
    // the record, or after the data and header were back but before the rename: either
    // way the image holds a whole volume, the old one or the new.
    std::optional<RestoreRecord> record;
};

// Where the unfinished image named by `path` is now: "it is named NAME.ddr-busy", "its
// first file is named ..." (`path` is another file of a CKD set), or "its magic reads
// DDR_BUSY".
std::string busy_whereabouts(const std::string& path, const UnfinishedRestore& unfinished);

// "NAME: image is incomplete: a restore of ... into it did not finish ...; run ..."
[[noreturn]] void fail_unfinished(const std::string& path, const UnfinishedRestore& unfinished);

// Both NAME and NAME.ddr-busy exist: no run may guess which one is the volume.
[[noreturn]] void fail_both_names(const std::string& path, const UnfinishedRestore& unfinished);

} // namespace ddr
