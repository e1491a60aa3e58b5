// ddr restore: a DDR dump back onto a volume image (IBM's RESTORE).
#pragma once

#include "ddr/command_line.hpp"
#include "ddr/report.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ddr {

struct DumpSummary;

struct RestoreOptions {
    std::vector<std::string> tapes;       // successive reels of the dump
    std::string target;
    uint64_t file = 1;                    // which dump on the first reel (IBM: SKIP file-1)
    std::vector<std::string> extents;     // tape cylinders to restore: A, A-B, A-B:C
    std::vector<std::string> blocks;      // FBA: tape blocks to restore: A, A-B, A-B:C
    std::optional<uint64_t> reorder;
    std::optional<std::string> devtype;
    std::optional<std::string> volser;    // the target's expected volser
    bool force = false;                   // write the target whatever its volser
    bool precheck = true;                 // read an existing target's dump once before writing
    bool keep_going = false;              // --continue: restore past damaged tracks, list them
    std::string format = "ckd";           // a new target's container: ckd, cckd, cckd64; FBA: fba, cfba
    bool resume = false;                  // continue the interrupted restore its resume record describes
    double record_interval = 5;           // seconds between resume records (0: keep none)
    bool nucleus = false;                 // IBM's RESTORE NUCLEUS: the dump must be a NUCLEUS dump, the
                                          // target an existing CP-formatted volume whose R1 and R2 of
                                          // track 0 are rewritten; without it a NUCLEUS dump is refused
};

// Registers `ddr restore TAPE... TARGET` on `app`; when it is the one chosen, sets `action`.
void add_restore_command(CLI::App& app, CommandAction& action);

// Restores dump --file of the reels onto TARGET (cmd_restore.cpp says how).  `read`, if
// given, is set to the summary of the dump as the restore read it: ddr run prints its
// cylinders and reel changes without reading the tape a second time.
int run_restore(const RestoreOptions& options, Reporter& reporter, DumpSummary* read = nullptr);

} // namespace ddr
