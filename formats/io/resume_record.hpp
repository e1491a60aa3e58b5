// The progress record of a resumable run (man/ddrimage.5 section 7, "Resume records"):
// NAME.ddr-resume beside the target of a restore, saying which dump is being written,
// how far the target is known to be on disk (every unit the record counts was synced
// before the record was written), and, for a new image, the temporary file(s) it is
// being built in.  A later `ddr restore --resume` continues from there.  Beside the tape
// of a dump (kind DumpNewTape) it says the same of the tape being written, and which
// source it is dumped from; `ddr dump --resume` continues it.
//
// The record is read back from disk, so it is untrusted input: decode() checks its
// magic, version, bounded length, every name in it and a CRC-32 of the whole record,
// and returns an error text instead of guessing.
#pragma once

#include "formats/io/bytes.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ddr {

// What kind of run wrote the record.
enum class ResumeKind : uint8_t {
    RestoreInPlace = 1,  // an existing plain image, rewritten under NAME.ddr-busy
    RestoreNewImage = 2, // a new plain image, built in temporary files
    DumpNewTape = 3,     // a new tape file of a dump, built in a temporary file
};

struct ResumeRecord {
    static constexpr size_t kFixedSize = 64;
    static constexpr size_t kMaxSize = 65536;
    static constexpr size_t kMaxTemporaries = 27;   // a CKD set's files at most
    static constexpr size_t kMaxDumpTemporaries = 64;  // a dump: tape sets x reels
    static constexpr size_t kMaxNameBytes = 255;    // NAME_MAX
    static constexpr size_t kMaxSourceBytes = 4096; // PATH_MAX
    static constexpr uint16_t kVersion = 1;

    ResumeKind kind = ResumeKind::RestoreInPlace;
    bool fba = false;                 // units are FBA block groups, not tracks
    uint64_t dump_tod = 0;            // which dump: its TOD clock ...
    std::string dump_volser;          // ... its volser (ASCII, trailing blanks cut) ...
    uint32_t dump_file = 1;           // ... and its place on the tape (--file)
    uint64_t units_done = 0;          // tape items (tracks, FBA groups) read and on disk
    uint64_t frontier = 0;            // new CKD image: every track slot below this is on disk;
                                      // a dump: the tape's bytes on disk, to the end of its last whole group
    uint64_t selection = 0;           // fingerprint of the options that choose what is written
    std::vector<std::string> temporaries;  // new image: its temporary files' names (no folder), in set order;
                                           // a dump: its reels' temporary files, set by set (each set's reels
                                           // in order, as many as were begun; every set has as many)
    std::string source;               // a dump: its SOURCE as given (a path); empty for a restore
    uint32_t tape_sets = 1;           // a dump: the identical tape sets written (1 + its --mirror sets)
    std::vector<uint64_t> reel_lengths;  // a dump: the length of each reel ended with EOV (all begun but
                                         // the last, whose bytes on disk `frontier` counts)

    // 0 "DDRRESUM", 8 version (2 bytes), 10 kind, 11 flags (X'01' FBA), 12 length of the
    // record, 16 TOD, 24 volser (6 ASCII bytes, blank-padded), 30 a dump's tape sets
    // beyond the first (0 for a restore), 31 zero, 32 dump file, 36 number of
    // temporaries, 40 units done, 48 frontier, 56 selection; from 64 each temporary's
    // name as a 2-byte length and its bytes; a dump's record then has its source path the
    // same way (2-byte length, 1..4096 bytes, no NUL) and, when it has begun more than
    // one reel, the length of each ended reel (8 bytes each, temporaries / sets - 1 of
    // them); last, a CRC-32 of all before it.  Integers little-endian.  A dump of one
    // reel, one set, has the bytes it had before sets and reels were recorded.
    Bytes encode() const;
    // The record in `bytes`, or the reason it is none ("bad magic", "CRC mismatch", ...).
    static std::variant<ResumeRecord, std::string> decode(ByteSpan bytes);

    bool operator==(const ResumeRecord&) const = default;
};

// The record's name beside the target `path`: NAME.ddr-resume.
std::string resume_record_name(const std::string& path);
// True if a file name (no folder) is a resume record's.
bool is_resume_record_name(const std::string& name);

// Writes `record` at `record_path`, durably and atomically (a temporary file renamed
// over the old record, the folder synced): a crash leaves the old record or the new.
void write_resume_record(const std::string& record_path, const ResumeRecord& record);

// Reads the record at `record_path`: nullopt if there is no such file; Error(Unreadable)
// naming the file if it is not a valid record (or larger than a record can be);
// Error(ReadFailed) if it cannot be read.
std::optional<ResumeRecord> read_resume_record(const std::string& record_path);

// Removes the record (and syncs its folder); nothing if there is none.
void remove_resume_record(const std::string& record_path) noexcept;

// What the cleanup of stale temporaries must leave in a folder for a later --resume:
// the temporary files its valid resume records name, and every temporary of a target
// whose record cannot be read (damaged: which of them it named is unknown, so none goes).
struct KeptForResume {
    std::vector<std::string> paths;     // full paths
    std::vector<std::string> prefixes;  // "FOLDER/.NAME.ddr-tmp."
    bool keeps(const std::string& path) const;
};
KeptForResume temporaries_kept_for_resume(const std::string& folder);

} // namespace ddr
