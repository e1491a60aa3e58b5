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

} // namespace ddr
