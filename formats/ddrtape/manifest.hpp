// The manifest sidecar (man/ddrtape.5, "MANIFEST"): one line per track with its content
// hash (the value a checksum trailer keeps), so a volume can be checked against a dump
// without the tape, and a tape against a volume without reading the volume again.
//
//   ddr-manifest 1
//   kind ckd
//   device 3390-3
//   cylinders 3339
//   heads 15
//   volser VMRES1
//   source vmres.3390
//   format CKD_P370
//   hash xxh3-64 content
//   t 0 0 9a0c11f3e5b2d478
//   ...
//   end 50085 5be3f0c2a17d9e46
//
// "t CYL HEAD HASH": a track's content hash (16 hex digits).  An FBA manifest ("kind
// fba", "blocks N" in place of cylinders/heads) has "g FIRST COUNT HASH" lines instead:
// a group of COUNT blocks from FIRST (groups align on multiples of 120 blocks).
// "end COUNT CHECK": the number of t/g lines and the XXH3-64 of every byte before the
// end line, so a cut or edited manifest is detected.  Text is ASCII; lines end with LF.
#pragma once

#include "formats/io/bytes.hpp"
#include "formats/ddrtape/units.hpp"
#include "formats/volume/ckd_track.hpp"
#include "formats/io/file.hpp"

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ddr {

struct ManifestInfo {
    std::string kind = "ckd";     // "ckd" or "fba"
    std::string device;
    uint32_t cylinders = 0;       // ckd
    uint32_t heads = 0;           // ckd
    uint64_t blocks = 0;          // fba
    std::string volser;
    std::string source;
    std::string format;
};

struct Manifest {
    ManifestInfo info;
    // Sorted by address.  FBA: {first block, block count} in place of {cyl, head}.
    std::vector<std::pair<TrackAddress, uint64_t>> tracks;
    bool fba() const { return info.kind == "fba"; }

    // The hash of the track at `addr`, or nullptr.
    const uint64_t* find(TrackAddress addr) const;
    // The hash of unit `u` (a track, or a block group of u.count blocks), or nullptr.
    const uint64_t* find(const UnitGeometry& geometry, Unit u) const;
};

// Reads and checks a manifest; Error(Unreadable) names the file and line.
Manifest read_manifest(const std::string& path);

// Writes a manifest line by line (a 3390-54 has 982,800 tracks: nothing is held).  A file
// is written under a temporary name and appears on finish(); "-" is standard output.
class ManifestWriter {
public:
    ManifestWriter(const std::string& path, const ManifestInfo& info);
    ~ManifestWriter();
    ManifestWriter(const ManifestWriter&) = delete;
    ManifestWriter& operator=(const ManifestWriter&) = delete;

    void add(TrackAddress addr, uint64_t hash);
    void add_group(uint32_t first_block, uint32_t count, uint64_t hash);
    // The line of unit `u`: a track's (t) or a block group's (g).
    void add(const UnitGeometry& geometry, Unit u, uint64_t hash);
    void finish();

private:
    void put(const std::string& text);

    std::string path_;
    std::optional<PendingFile> pending_;  // a file (not standard output)
    std::FILE* out_ = nullptr;
    bool finished_ = false;
    uint64_t count_ = 0;
    struct Hasher;
    std::unique_ptr<Hasher> hasher_;
};

} // namespace ddr
