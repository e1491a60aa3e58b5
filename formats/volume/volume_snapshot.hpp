// A volume's files, and an instant copy of them: what a dump watches for changes while
// it reads, and what it reads instead of a live volume (--snapshot).
#pragma once

#include "formats/io/file.hpp"

#include <string>
#include <vector>

namespace ddr {

// Every file a volume's contents are read from, in order: its one file, every file of a
// split CKD set, a compressed image and (for a CCKD chain) its shadow files -- what the
// opened volume's info().files lists.  Errors as open_ckd_volume / open_fba_volume.
std::vector<std::string> volume_files(const std::string& path);

// An instant copy-on-write clone of every file of the volume at `path`, each a hidden
// temporary file beside its original (clone_file), named so that the volume readers find
// the clones of a split CKD set from the clone of its first file.  The clones go when
// this object does (also on an error or an interrupt).  Error(Refused) where the file
// system cannot clone; Error(Usage) for a volume of several files that are not one split
// set (a chain of shadow files: not yet).
class VolumeSnapshot {
public:
    explicit VolumeSnapshot(const std::string& path);

    // What to open instead of the volume: the clone of its first file.
    const std::string& image() const { return clones_.front().temp_path(); }
    // The volume's own files, and their clones, in the same order.
    const std::vector<std::string>& originals() const { return originals_; }
    std::vector<std::string> clones() const;

private:
    std::vector<std::string> originals_;
    std::vector<PendingFile> clones_;
};

} // namespace ddr
