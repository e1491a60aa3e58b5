// ddr list: what dumps a tape (or a set of reels) holds.
#pragma once

#include "ddr/command_line.hpp"
#include "ddr/report.hpp"
#include "formats/ddrtape/dump_reader.hpp"

#include <string>
#include <vector>

namespace ddr {

struct ListOptions {
    std::vector<std::string> tapes;
};

// Registers `ddr list TAPE...` on `app`; when it is the one chosen, sets `action`.
void add_list_command(CLI::App& app, CommandAction& action);

int run_list(const ListOptions& options, Reporter& reporter);

// What ddr verify shares of the listing: a dump's checksum line, and the notes about
// trailer blocks of no dump.
// The notes also go into the report, as "stray".
class DumpChecker;
struct TapeScan;
struct CheckedDump;
struct ChecksumFinding;
std::string checksum_status(const DumpChecker& checker);
void list_stray_findings(const TapeScan& scan, Reporter& reporter);
// One line a finding, "  " + prefix + place + what: the first 20 unless `all` (a tape
// damaged throughout would fill the listing), then how many more there are.
void list_findings(const Findings& findings, bool all, const std::string& prefix, Reporter& reporter);

// One dump on a tape as the reports of list and verify give it (man/ddr.1, JSON
// REPORTS): its identity, source, contents, reels and checksums.
Json dump_facts(const CheckedDump& dump);
// {"place": ..., "what": ...}: a finding in a report.
Json finding_facts(const ChecksumFinding& finding);

} // namespace ddr
