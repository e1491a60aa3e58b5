// ddr print and ddr type: IBM DDR's PRINT (1403 printer layout) and TYPE (console
// layout) of a range of tracks, records or FBA blocks, from a volume or a DDR tape.
#pragma once

#include "ddr/report.hpp"
#include "ddr/track_listing.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace ddr {

struct PrintOptions {
    ListingDevice device = ListingDevice::Printer;  // print: Printer, type: Console
    std::string source;                 // a volume image or a tape
    std::optional<std::string> sf;      // Hercules' sf= name: read a volume with its shadow files
    std::vector<std::string> ibm_range; // IBM's form after SOURCE: "C H R TO C H R"
    std::vector<uint32_t> from;         // --from C [H [R]] (FBA: BLOCK)
    std::vector<uint32_t> to;           // --to C [H [R]] (FBA: BLOCK)
    bool hex = false, graphic = false, count = false;  // none: HEX and GRAPHIC
    std::string output;                 // empty or "-": standard output
    bool overwrite = false;
    uint64_t file = 1;                  // the Nth dump on a tape
};

// Registers `ddr print` and `ddr type` on `app`; the one chosen sets `action`.
void add_print_commands(CLI::App& app, std::function<int(Reporter&)>& action);

// Runs print or type (options.device says which); returns the exit code.  Errors are
// thrown as ddr::Error: a bad or out-of-order range, or one beyond the volume, and a
// record not found (after listing what precedes it) are Error(Usage).
int run_print(const PrintOptions& options, Reporter& reporter);

// The listing run_print makes, as bytes to `write` in the layout of options.device
// (options.output is not used), IBM's closing lines included.  Returns the record the
// range names that is not on its track, if any, after listing what precedes it (then
// fail_record_not_found says so); errors as run_print.  `ddr run` lists through this.
std::optional<RecordPoint> write_listing(const PrintOptions& options, const ListingOutput& write);
[[noreturn]] void fail_record_not_found(const PrintOptions& options, const RecordPoint& record);

} // namespace ddr
