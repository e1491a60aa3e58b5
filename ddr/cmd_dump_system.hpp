// ddr dump --system CNF --to DIR...: every selected volume of a system dumped, N at a time,
// each to an ordinary DDR tape in every DIR, with DIR/catalog.json recording the run.
#pragma once

#include "ddr/cmd_dump.hpp"
#include "ddr/system_options.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ddr {

struct SystemDumpOptions {
    std::optional<std::string> system;   // --system: a Hercules configuration
    std::optional<std::string> images;   // --images: a plain list of images
    std::vector<std::string> to;         // --to: a folder per identical copy
    std::string shard;                   // --shard K/N; "" = all
    SelectionOptions selection;
    bool asked() const { return system || images || !to.empty(); }
};

// Registers --system, --images, --to and --shard, and the selection options, on `dump`.
void add_dump_system_options(CLI::App* dump, SystemDumpOptions& options);

// Dumps the selected volumes; `base` gives what every volume's dump shares (the tape
// container, --overwrite, --pure, --snapshot).  Writes each DIR's catalog, says one line
// a volume and a summary.  Returns 0 when every volume is complete, kExitSourceChanged when
// some changed while dumped (and none failed), kExitSomeFailed when some failed.
// Error(Usage) for options that do not go with --system, Error(Refused) for a catalog or
// tape that exists (without --overwrite), before anything is written.
int run_dump_system(const DumpOptions& base, const SystemDumpOptions& options, Reporter& reporter);

// The name of the catalog a run writes: catalog.json, or catalog-K-of-N.json for a shard.
std::string catalog_file_name(const std::string& shard);

} // namespace ddr
