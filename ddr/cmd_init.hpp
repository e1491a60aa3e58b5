// ddr init: a new, empty, formatted volume image (like Hercules' dasdinit), so that a
// restore has a target of the right type and size.
#pragma once

#include "ddr/command_line.hpp"
#include "ddr/report.hpp"

#include <optional>
#include <string>

namespace ddr {

struct InitOptions {
    std::string target;
    std::string devtype;
    std::string volser;
    std::optional<uint64_t> cylinders;  // default: the model's primary cylinders
    bool alternates = false;            // also the model's alternate cylinders (dasdinit -a)
    std::string format = "ckd";         // ckd, cckd, cckd64 (an EAV is always CKD_E064); FBA: fba, cfba
    std::optional<uint64_t> blocks;     // FBA: blocks (default: the model's; FB-512 needs it)
};

// Registers `ddr init TARGET DEVTYPE VOLSER` on `app`; when it is the one chosen, sets `action`.
void add_init_command(CLI::App& app, CommandAction& action);

int run_init(const InitOptions& options, Reporter& reporter);

} // namespace ddr
