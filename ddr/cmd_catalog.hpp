// ddr catalog merge OUT CAT...: the catalogs of the shards of one whole-system run
// (dump --system --shard K/N on several hosts) joined into one catalog.
#pragma once

#include "ddr/command_line.hpp"

namespace ddr {

// Registers `ddr catalog merge`; when it is the one chosen, sets `action`.
void add_catalog_command(CLI::App& app, CommandAction& action);

} // namespace ddr
