// ddr copy: the same volume or tape in another container -- plain CKD <-> compressed
// CKD (CCKD), plain FBA <-> CFBA, AWS <-> HET -- every track, block and tape mark kept,
// and the copy read back and compared before it is called done.
#pragma once

#include "ddr/command_line.hpp"
#include "ddr/report.hpp"

#include <optional>
#include <string>

namespace ddr {

struct CopyOptions {
    std::string source;
    std::string target;
    std::optional<std::string> to;   // ckd, cckd, cckd64, eav, fba, cfba, aws, het
    std::string compress = "zlib";   // for cckd/cfba/het: zlib, bzip2 or none
    bool overwrite = false;          // tapes only; a volume target must not exist
    bool compare = true;             // read the copy back and compare
};

// Registers `ddr copy SOURCE TARGET` on `app`; when it is the one chosen, sets `action`.
void add_copy_command(CLI::App& app, CommandAction& action);

int run_copy(const CopyOptions& options, Reporter& reporter);

} // namespace ddr
