// ddr manifest: the checksum sidecar of a volume or a dump (formats/manifest.hpp).
#pragma once

#include "formats/ddrtape/checksum_check.hpp"
#include "ddr/command_line.hpp"
#include "ddr/report.hpp"
#include "formats/ddrtape/manifest.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ddr {

struct ManifestOptions {
    std::vector<std::string> inputs;    // one VOLUME, or TAPE... (reels of one dump)
    std::optional<std::string> sf;      // Hercules' sf= name: read the volume with its shadow files
    std::string output = "-";
    uint64_t file = 1;                  // the dump on the tape
    std::vector<std::string> extents;   // volume: only these cylinders
};

// Registers `ddr manifest INPUT...` on `app`; when it is the one chosen, sets `action`.
void add_manifest_command(CLI::App& app, CommandAction& action);

int run_manifest(const ManifestOptions& options, Reporter& reporter);


// Reads every track the manifest lists from the volume and compares; returns how many.
// `sf`: read the volume with its shadow files (Hercules' sf= name).
uint64_t compare_volume_with_manifest(const std::string& volume_path, const std::optional<std::string>& sf,
                                      const Manifest& manifest, Findings& findings,
                                      Reporter& reporter);

} // namespace ddr
