// ddr list: what dumps a tape (or a set of reels) holds.
#pragma once

#include "ddr/command_line.hpp"
#include "ddr/report.hpp"

#include <string>
#include <vector>

namespace ddr {

struct ListOptions {
    std::vector<std::string> tapes;
};

// Registers `ddr list TAPE...` on `app`; when it is the one chosen, sets `action`.
void add_list_command(CLI::App& app, CommandAction& action);

int run_list(const ListOptions& options, Reporter& reporter);

// What ddr verify shares of the listing: a dump's checksum line, and the notes about
// trailer blocks of no dump.
class DumpChecker;
struct TapeScan;
std::string checksum_status(const DumpChecker& checker);
void list_stray_findings(const TapeScan& scan, Reporter& reporter);

} // namespace ddr
