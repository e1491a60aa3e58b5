// PRINT and TYPE statements of `ddr run`, listed through ddr print/type's formatter
// (cmd_print.hpp, write_listing): the statement turned into its options.
#pragma once

#include "ddr/cmd_print.hpp"
#include "ddr/statements.hpp"

#include <cstdint>
#include <string>

namespace ddr {

// The options of `ddr print` (or type) that list what `statement` names from `file`
// (a volume, or a tape past `dumps_before` dumps).
PrintOptions print_options_for(const stmt::DisplayStatement& statement, const std::string& file,
                               uint64_t dumps_before);

} // namespace ddr
