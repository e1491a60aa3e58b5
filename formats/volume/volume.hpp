// The volume side of the data flow: containers that hold a DASD volume image.
//
// Every CKD container (Hercules plain CKD, CCKD, our EAV container) implements the same
// two small interfaces, so the operations never care which one they are given.  Which
// container a file is comes from its bytes, never from its name (open_ckd_volume).
#pragma once

#include "formats/io/cchh.hpp"
#include "formats/volume/busy_image.hpp"
#include "formats/volume/ckd_track.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ddr {

struct CkdVolumeInfo {
    std::string format;            // container magic: "CKD_P370", "CKD_C370", ... ("CKD_E064": an EAV)
    uint8_t devtype_byte = 0;      // low byte of the device type in the header (0x90 = 3390)
    uint32_t cylinders = 0;        // cylinders in the image (all files together)
    uint32_t heads = 0;            // tracks per cylinder
    uint32_t track_size = 0;       // bytes in each track slot (Hercules' trksize)
    std::vector<std::string> files;  // the file(s) making up the volume, in order (a shadow chain: base first)
    uint64_t bytes = 0;            // total size of those files
    // Shadow files were asked for (VolumeOpenOptions) but shadow file 1, this name, does
    // not exist: the base is read alone, as Hercules would.
    std::optional<std::string> missing_shadow;

    uint64_t tracks() const { return uint64_t(cylinders) * heads; }
    // True when CCHH fields must be read in EAV form (see decode_cchh).
    bool eav_form() const { return eav_form_for_heads(heads); }
};

class CkdVolumeReader {
public:
    virtual ~CkdVolumeReader() = default;
    virtual const CkdVolumeInfo& info() const = 0;
    // Reads one track into `out`.  Throws Error(Unreadable) naming the file and the
    // cylinder/head if the slot holds no well-formed track, Error(ReadFailed) on I/O errors.
    virtual void read_track(TrackAddress addr, TrackImage& out) = 0;
};

// A volume being written.  Nothing a writer does is visible as a complete, valid image
// until commit() returns: a new image is built under a temporary name and renamed into
// place; a compressed image being updated is rebuilt the same way and replaces the
// original; a plain one is renamed NAME.ddr-busy for the duration (busy_image.hpp).  If
// the writer is destroyed without commit() (error, interrupt), a new image is removed,
// a compressed one stays as it was, and a plain one stays busy, so no half-written
// target ever looks complete, and running the restore again finishes it.
class CkdVolumeWriter : public CkdVolumeReader {
public:
    // Writes one track.  The track must fit the slot (size + marker <= track_size).
    virtual void write_track(TrackAddress addr, const TrackImage& track) = 0;
    // Flushes everything to stable storage and makes the image complete.
    virtual void commit() = 0;

    // Resumable restores (man/ddr.1, restore --resume): plain images only.  A writer
    // that is not resumable (a compressed container) fails sync_written() with
    // Error(Internal); the others do nothing by default.
    virtual bool resumable() const { return false; }
    // Puts everything written so far on stable storage; returns a new CKD image's
    // frontier (every track slot below it is on disk), 0 for anything else.
    virtual uint64_t sync_written();
    // The temporary files (full paths) a new image is being built in, in set order;
    // empty for an update.
    virtual std::vector<std::string> temporary_files() const { return {}; }
    // Leaves a new image's temporary files where they are when the writer goes without
    // commit() (an interrupted run whose resume record names them).
    virtual void keep_unfinished() {}
};

// How to make a new CKD image.
struct NewCkdVolume {
    std::string format = "CKD_P370";  // container to write; an EAV (3390-A) needs "CKD_E064"
    uint8_t devtype_byte = 0;
    uint32_t cylinders = 0;
    uint32_t heads = 0;
    uint32_t track_size = 0;
    // Plain CKD only: cylinders per file before a new "_n" file starts (Hercules' 2 GB
    // split); 0 = one single large file.
    uint32_t cylinders_per_file = 0;
    // Compressed containers: 0 none, 1 zlib, 2 bzip2.
    int compression = 1;
};

// How to open a volume for reading.
struct VolumeOpenOptions {
    // A volume a restore did not finish is Error(Unreadable), unless this is set (the
    // restore redoing it).
    bool allow_unfinished = false;
    // Hercules' sf= name (e.g. "shadow_*.cckd"): read the compressed base image together
    // with the shadow files Hercules finds by this name (cckd/shadow.hpp).  Error(Unreadable)
    // for a plain image, which Hercules never shadows.  nullopt: the image alone.
    std::optional<std::string> shadow_files;
};

// Opens an existing CKD volume for reading, whatever its container (see VolumeOpenOptions).
std::unique_ptr<CkdVolumeReader> open_ckd_volume(const std::string& path, const VolumeOpenOptions& options);
inline std::unique_ptr<CkdVolumeReader> open_ckd_volume(const std::string& path, bool allow_unfinished = false)
{
    return open_ckd_volume(path, VolumeOpenOptions{allow_unfinished, std::nullopt});
}

// Creates a new CKD volume at `path`; every track starts as an empty formatted track
// (HA, R0, end marker) until written.  Fails with Error(Refused) if `path` or `path`.ddr-busy exists.
std::unique_ptr<CkdVolumeWriter> create_ckd_volume(const std::string& path, const NewCkdVolume& spec);

// Opens an existing CKD volume to rewrite some of its tracks in place; a plain image is
// marked busy at once, recording `record` (nullopt: nothing, so the next run asks the
// volser question again).  A volume a restore did not finish is taken
// up again; Error(Refused) if both NAME and NAME.ddr-busy exist.
std::unique_ptr<CkdVolumeWriter> update_ckd_volume(const std::string& path,
                                                  const std::optional<RestoreRecord>& record = std::nullopt);

// Continues a new plain CKD image that an interrupted restore left in `temporaries`
// (full paths, in set order; its resume record names them), to be committed as `path`:
// the files are taken up (locked) and their headers checked, and every track slot from
// `frontier` on is cut back to the zeros of a slot never written (what the interrupted
// run wrote after its last record may be there, half on disk).  Error(Refused) if `path`
// exists or another process holds a file; Error(Unreadable) if the files are not a
// plain CKD set of `frontier` tracks or more (refused, the files are left as they were).
// Like a new image's, the files are removed if the writer goes without commit() or
// keep_unfinished().
std::unique_ptr<CkdVolumeWriter> resume_ckd_volume(const std::string& path, const std::vector<std::string>& temporaries,
                                                  uint64_t frontier);

// The kind of container a format magic (CkdVolumeInfo::format, FbaVolumeInfo::format)
// names, as Hercules calls it: "CKD", "CKD64", "CCKD", "CCKD64", "FBA", "CFBA", "CFBA64",
// "EAV" (ddr's CKD_E064); the magic itself for any other.
std::string container_kind(const std::string& format);

// The shadow files Hercules finds for its sf= name `sf` (shadow 1 upward, up to the first
// that does not exist; cckd/shadow.hpp); empty if there are none.  Error(Usage) for a
// name Hercules could not number.
std::vector<std::string> existing_shadow_files(const std::string& sf);

// True if the file starts with the bytes of a CKD container we can read.
bool looks_like_ckd_volume(const std::string& path);

// ---- FBA (fixed-block) volumes: 512-byte blocks numbered from 0 ----

inline constexpr uint32_t kFbaBlockSize = 512;

struct FbaVolumeInfo {
    std::string format;              // "FBA" (plain, no header), "FBA_C370", ...
    uint64_t blocks = 0;             // number of 512-byte blocks
    uint16_t devtype = 0;            // e.g. 0x3370 when the container records it, else 0
    std::vector<std::string> files;
    uint64_t bytes = 0;
    std::optional<std::string> missing_shadow;  // as CkdVolumeInfo's
};

class FbaVolumeReader {
public:
    virtual ~FbaVolumeReader() = default;
    virtual const FbaVolumeInfo& info() const = 0;
    // Reads `out.size() / 512` blocks starting at `first` (out.size() is a multiple of 512).
    virtual void read_blocks(uint64_t first, MutableByteSpan out) = 0;
};

// Same commit/abandon contract as CkdVolumeWriter.
class FbaVolumeWriter : public FbaVolumeReader {
public:
    virtual void write_blocks(uint64_t first, ByteSpan data) = 0;
    virtual void commit() = 0;
    // As CkdVolumeWriter's (an FBA image has no frontier: sync_written() returns 0).
    virtual bool resumable() const { return false; }
    virtual uint64_t sync_written();
    virtual std::vector<std::string> temporary_files() const { return {}; }
    virtual void keep_unfinished() {}
};

struct NewFbaVolume {
    std::string format = "FBA";      // "FBA" (plain) or "FBA_C370"
    uint64_t blocks = 0;
    uint16_t devtype = 0;
    int compression = 1;             // FBA_C370: 0 none, 1 zlib, 2 bzip2
};

// As open_ckd_volume, create_ckd_volume and update_ckd_volume.
std::unique_ptr<FbaVolumeReader> open_fba_volume(const std::string& path, const VolumeOpenOptions& options);
inline std::unique_ptr<FbaVolumeReader> open_fba_volume(const std::string& path, bool allow_unfinished = false)
{
    return open_fba_volume(path, VolumeOpenOptions{allow_unfinished, std::nullopt});
}
std::unique_ptr<FbaVolumeWriter> create_fba_volume(const std::string& path, const NewFbaVolume& spec);
std::unique_ptr<FbaVolumeWriter> update_fba_volume(const std::string& path,
                                                  const std::optional<RestoreRecord>& record = std::nullopt);
// As resume_ckd_volume: the one temporary file of a new plain FBA image, taken up.
std::unique_ptr<FbaVolumeWriter> resume_fba_volume(const std::string& path, const std::string& temporary);

// ---- restores that did not finish (busy_image.hpp) ----

// The restore into `path` (any file of a CKD set) that did not finish: NAME.ddr-busy
// exists, or NAME itself reads DDR_BUSY (as ddr 0.1 left it); nullopt if none.
std::optional<UnfinishedRestore> find_unfinished_restore(const std::string& path);

// Fails as the readers do (Error(Unreadable), saying how to finish the restore) if
// `path` names an image a restore did not finish; returns for anything else.
void refuse_unfinished(const std::string& path);

} // namespace ddr
