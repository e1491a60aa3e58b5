// ddr devices: the device types ddr knows (CKD and FBA volumes, tape cartridges), with the
// geometry and capacities it uses, so an operator can choose a --devtype or --reel-size,
// and the shell completion can offer their names.
#pragma once

#include "ddr/command_line.hpp"
#include "ddr/report.hpp"

namespace ddr {

struct DevicesOptions {
    bool names_only = false;  // one name per line (aliases too): for shell completion
};

// Registers `ddr devices` on `app`; when it is the one chosen, sets `action`.
void add_devices_command(CLI::App& app, CommandAction& action);

// Lists every device row (listing lines, and facts["ckd"], ["fba"], ["tape"]).  Returns 0.
int run_devices(const DevicesOptions& options, Reporter& reporter);

} // namespace ddr
