#include "ddr/shadow_option.hpp"

#include "formats/io/error.hpp"

#include <CLI/CLI.hpp>

namespace ddr {

void add_shadow_option(CLI::App& cmd, std::optional<std::string>& sf)
{
    cmd.add_option("--sf", sf,
                   "Hercules' sf= shadow file name (e.g. shadow_*.cckd): read the compressed image with its shadow files, "
                   "as Hercules does");
}

void refuse_shadow_option_for_tape(const std::optional<std::string>& sf, const std::string& input)
{
    if (sf)
        fail(ErrorKind::Usage, file_place(input), "is a tape: --sf names the shadow files of a volume image");
}

void note_missing_shadow(const std::optional<std::string>& missing, const std::string& base, const Reporter& reporter)
{
    if (missing)
        reporter.note("no shadow file: " + *missing + " does not exist, so " + base +
                      " is read alone (as Hercules would)");
}

} // namespace ddr
