// ddr copy: the same volume or tape in another container -- plain CKD <-> compressed
// CKD (CCKD), plain FBA <-> CFBA, AWS <-> HET -- every track, block and tape mark kept,
// and the copy read back and compared before it is called done.  And IBM's COPY
// (cmd_copy_ddr.cpp): a volume onto an existing volume of its type, some cylinders
// (REORDERed) if asked; one dump of a tape onto a new tape, its TOD and groups kept.
#pragma once

#include "ddr/command_line.hpp"
#include "ddr/report.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ddr {

struct DumpSummary;

struct CopyOptions {
    std::string source;
    std::optional<std::string> sf;   // Hercules' sf= name: read a source volume with its shadow files
    std::string target;
    std::optional<std::string> to;   // ckd, cckd, cckd64, eav, fba, cfba, aws, het
    std::string compress = "zlib";   // for cckd/cfba/het: zlib, bzip2 or none
    bool overwrite = false;          // tapes only; a volume target must not exist
    bool compare = true;             // read the copy back and compare

    // IBM's COPY.  Volume to volume: onto an existing volume (or a new one with
    // --cylinders); tape to tape: with --file, --cylinders or --checksums.
    std::vector<std::string> extents;   // cylinders (FBA: blocks) A, A-B, A-B:C; empty = all
    std::optional<uint64_t> reorder;    // --reorder C for a single extent (volumes only)
    std::optional<std::string> volser;  // an existing target's volser: confirms writing it
    bool force = false;                 // write an existing target whatever its volser
    bool smaller_target = false;        // IBM's DMKDDR725R answered YES: the target may have
                                        // fewer cylinders than the source (what is copied must fit)
    uint64_t file = 0;                  // tape: the Nth dump to copy (0: not given, the first)
    bool checksums = false;             // tape: add a checksum trailer to a dump that has none
    bool pure = false;                  // tape: write no checksum trailer, even if the dump had one
};

// Registers `ddr copy SOURCE TARGET` on `app`; when it is the one chosen, sets `action`.
void add_copy_command(CLI::App& app, CommandAction& action);
// True if `options` ask for IBM's COPY rather than a container copy: a volume onto an
// existing volume, or any of the options only IBM's COPY takes.
bool is_ddr_copy(const CopyOptions& options, bool tape);
// IBM's COPY of a volume (CKD or FBA) onto another, through the one unit path.
int copy_volume_units(const CopyOptions& options, Reporter& reporter);
// IBM's tape-to-tape COPY: one dump, its groups re-emitted as read.  `read`, if given, is
// set to the summary of the dump copied (its first pass's), for ddr run's printer page.
int copy_dump(const CopyOptions& options, Reporter& reporter, DumpSummary* read = nullptr);

int run_copy(const CopyOptions& options, Reporter& reporter);

} // namespace ddr
