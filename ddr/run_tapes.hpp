// What `ddr run` reads of the tapes its steps use: the dump where a tape stands (its VHR
// and the reels it is on; the step's own reading says the rest), how many dumps a tape
// holds, and the printer rows of a step's extents, split at its reel changes as IBM's
// printer shows them.
#pragma once

#include "ddr/console.hpp"
#include "ddr/statements.hpp"
#include "formats/ddrtape/dump_reader.hpp"
#include "formats/tape/drive_tape.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ddr {

// What the start of a dump says before it is read: its VHR, and how many of `reels` it
// is on (the first, and each after it whose first VHR is from the same dump: an
// alternate unit's reel that holds another dump, or none, is not the dump's).
struct DumpHead {
    DdrVolumeHeader vhr;
    unsigned reels = 1;
};

// The head of the dump that follows `dumps_before` others on `reels`, reading only the
// VHRs (a RESTORE reads the dump itself once).  Error(Reel) (IBM's 709E) if there is none.
DumpHead read_dump_head(const std::vector<std::string>& reels, uint64_t dumps_before);

// How many dumps tape file `path` holds (an empty or missing file none; counting stops
// at a dump that goes on on another reel).
uint64_t dumps_on_tape(const std::string& path);

// The volser of the dump after `dumps_before` others on tape `path`.  Error(Reel) if
// there is none.
std::string volser_of_dump(const std::string& path, uint64_t dumps_before);

// The printer rows of `extents`, each split where a reel ended inside it (at the
// cylinder of the reel's first track, which both rows show): IBM prints the cylinders of
// each reel on a row of their own.
std::vector<console::ExtentRow> rows_split_at_reels(const std::vector<stmt::Extent>& extents,
                                                    const std::vector<TrackAddress>& reel_changes);

// The extents of a dump that names none (ALL, CPVOL, NUCLEUS): its runs of cylinders.
std::vector<stmt::Extent> extents_of_runs(const DumpSummary& summary);

// ---- tape units bound to tape drives ----
// A job keeps where each tape stands as a count of tape files from the beginning of its
// tape (IBM's SKIP and LEAVE move it); on a drive every step puts the tape there itself
// (rewound, then spaced forward over that many files, MTFSF) and leaves it as the
// statement says, so the tape stands where IBM's DDR would have left it.


// The tape files before where a drive's tape stands, from the driver's count (`status`
// of drive `drive`).  Error(Usage) if it stands inside a tape file or the driver has
// lost count: ddr cannot tell where a dump starts (the tape is not moved).
uint64_t files_before(const DriveStatus& status, const std::string& drive);

// Where the tape in drive `path` stands (files_before), without moving it; nullopt if
// `path` is no tape drive.  A drive that cannot be opened (not ready, no cartridge) is
// Error(WriteFailed) if `for_writing`, else Error(ReadFailed), naming the drive.
std::optional<uint64_t> drive_position(const std::string& path, bool for_writing);

// The end of a step on drive `path`: UNLOAD rewinds and unloads (MTOFFL), REWIND
// rewinds, LEAVE leaves the tape at the start of tape file `files` + 1 (rewound and
// spaced forward).  Error(ReadFailed) naming the drive if it refuses.
void place_drive(const std::string& path, stmt::Disposition disposition, uint64_t files);

} // namespace ddr
