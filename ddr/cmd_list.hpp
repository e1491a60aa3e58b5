// ddr list: what dumps a tape (or a set of reels) holds.
#pragma once

#include "ddr/report.hpp"

#include <string>
#include <vector>

namespace ddr {

struct ListOptions {
    std::vector<std::string> tapes;
};

int run_list(const ListOptions& options, Reporter& reporter);

struct CheckedDump;
class DumpChecker;
// The listing of one dump, and its checksum line (shared with ddr verify).
void print_dump(const CheckedDump& dump);
std::string checksum_status(const DumpChecker& checker);

} // namespace ddr
