// ddr verify --catalog DIR/catalog.json [--against CNF]: every tape of a whole-system run
// proven intact from its checksums and equal to what the catalog says of it (dump TOD,
// units, reel hashes), the volumes N at a time, one line a volume.
#pragma once

#include "ddr/cmd_verify.hpp"
#include "ddr/system_options.hpp"

#include <optional>
#include <string>

namespace ddr {

struct CatalogVerifyOptions {
    std::optional<std::string> catalog;
    SelectionOptions selection;
};

// Registers --catalog, --include, --exclude and --jobs on `verify`.
void add_verify_catalog_options(CLI::App* verify, CatalogVerifyOptions& options);

// Verifies the catalog's volumes; `base.against`, if given, is the configuration whose
// live volumes each tape is also compared with.  Returns 0 when every tape is intact and
// equal to the catalog, kExitSomeFailed when they are but the catalog records volumes that
// failed to dump; Error(Damaged) naming every volume that is not.
int run_verify_catalog(const VerifyOptions& base, const CatalogVerifyOptions& options, Reporter& reporter);

} // namespace ddr
