// ddr verify: prove a tape (or a volume) intact.
//   ddr verify TAPE...                       structure, every track checksum, the reel checksums
//   ddr verify TAPE... --against VOLUME      every dumped track equals the volume's
//   ddr verify TAPE... --manifest FILE       every dumped track equals the manifest's
//   ddr verify VOLUME --manifest FILE        the volume's tracks equal the manifest's
#pragma once

#include "ddr/command_line.hpp"
#include "ddr/report.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ddr {

struct VerifyOptions {
    std::vector<std::string> inputs;
    std::optional<std::string> against;
    std::optional<std::string> sf;      // Hercules' sf= name: read the volume (--against, or INPUT) with its shadow files
    std::optional<std::string> manifest;
    uint64_t file = 1;                  // with --against/--manifest: which dump
    std::vector<std::string> extents;   // A-B:C mapping for a REORDERed tape without a trailer
    bool all = false;                   // list every finding, not the first few
};

// Registers `ddr verify INPUT...` on `app`; when it is the one chosen, sets `action`.
void add_verify_command(CLI::App& app, CommandAction& action);

int run_verify(const VerifyOptions& options, Reporter& reporter);

} // namespace ddr
