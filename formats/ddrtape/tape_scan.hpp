// Reading every dump on a set of reels with its checksums checked: what `ddr list` and
// `ddr verify` report.  Trailers that a later --append moved down the tape are matched
// to their dump by TOD, so results are known only once the whole tape has been read.
#pragma once

#include "formats/ddrtape/checksum_check.hpp"
#include "formats/ddrtape/dump_reader.hpp"

#include <memory>
#include <string>
#include <vector>

namespace ddr {

struct CheckedDump {
    DumpSummary summary;
    std::unique_ptr<DumpChecker> checker;
    std::vector<std::string> reel_names;
};

struct TapeScan {
    std::vector<CheckedDump> dumps;
    std::vector<ChecksumFinding> stray;  // trailer blocks of no dump on these reels
};

// Reads all dumps; stops after the first dump that cannot be read to its end (its
// summary's `problem` says why).  A dump read to its end can have a problem too: a cut
// tape, its first reel missing, or, on the last dump, reels given beyond its end.
// `progress` (if any) is told after every track or FBA group read.
TapeScan scan_tapes(const std::vector<std::string>& tapes, bool strict = false, const ScanProgress& progress = {});

// The first dump with a problem, if any: what `ddr list` and `ddr verify` exit with.
const CheckedDump* first_problem(const TapeScan& scan);

} // namespace ddr
