// ddr restore --catalog DIR/catalog.json --to NEWDIR: every selected volume of a
// whole-system run restored into NEWDIR, N at a time, and NEWDIR/hercules.cnf written: the
// original configuration with each DASD statement naming its restored image.
#pragma once

#include "ddr/cmd_restore.hpp"
#include "ddr/system_options.hpp"

#include <optional>
#include <string>
#include <vector>

namespace ddr {

struct CatalogRestoreOptions {
    std::optional<std::string> catalog;
    std::optional<std::string> to;
    SelectionOptions selection;
};

// Registers --catalog and --to (and the selection options) on `restore`.
void add_restore_catalog_options(CLI::App* restore, CatalogRestoreOptions& options);

// Restores the selected volumes; `base` gives --format and --force.  Returns 0 when every
// one was restored, kExitSomeFailed when some failed (the others are done).  Error(Usage)
// for single-volume options, Error(Refused) if NEWDIR/hercules.cnf exists (no --force).
int run_restore_catalog(const RestoreOptions& base, const CatalogRestoreOptions& options, Reporter& reporter);

// The configuration text `config_text` with the statement of each volume in `restored`
// (its line, and the image's name relative to the new configuration's folder) naming that
// image, without sf= (a restored image has no shadow files); every other DASD statement
// commented out ("# ddr: not restored: "), since its image is not in the new folder.  The
// other statements are kept as they are.
struct RestoredImage {
    unsigned line = 0;
    std::string file;
};
std::string restored_configuration(const std::string& config_text, const std::vector<RestoredImage>& restored,
                                   const std::string& name);

} // namespace ddr
