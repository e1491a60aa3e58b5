#include "formats/ddrtape/tape_scan.hpp"

namespace ddr {

namespace {

// Trailer blocks of earlier dumps, moved behind `d` by --append, go to their dump.
void route_moved_trailers(CheckedDump& d, TapeScan& scan)
{
    for (auto& f : d.checker->foreign_blocks()) {
        const uint64_t tod = trailer_block_tod(f.block);
        DumpChecker* owner = nullptr;
        for (auto& earlier : scan.dumps)
            if (earlier.checker->tod() == tod)
                owner = earlier.checker.get();
        if (owner)
            owner->relocated_trailer_block(f.block, f.place);
        else
            scan.stray.push_back({f.place, "a checksum trailer of a dump that is not on these reels"});
    }
    for (auto& earlier : scan.dumps)
        earlier.checker->finish_relocated();
}

// What only shows once the whole tape was read: a dump whose moved trailer says its first
// reel is missing, and reels given beyond the one where the last dump ends.
void check_reels(TapeScan& scan, const DumpReader& reader)
{
    for (CheckedDump& d : scan.dumps) {
        if (d.summary.problem)
            return;
        try {
            d.checker->require_first_reel();
        } catch (const Error& e) {
            d.summary.problem = e;
            return;
        }
    }
    try {
        reader.check_no_reels_after();
    } catch (const Error& e) {
        scan.dumps.back().summary.problem = e;
    }
}

} // namespace

TapeScan scan_tapes(const std::vector<std::string>& tapes, bool strict, const ScanProgress& progress)
{
    TapeScan scan;
    DumpReader reader(tapes, strict);
    while (reader.start_dump()) {
        CheckedDump d;
        d.checker = std::make_unique<DumpChecker>();
        d.summary = scan_dump(reader, d.checker.get(), progress);
        for (unsigned r = 0; r < d.summary.reels; ++r)
            d.reel_names.push_back(reader.reel_name(reader.first_reel_index() + r));
        route_moved_trailers(d, scan);
        const bool stop = d.summary.problem.has_value();
        scan.dumps.push_back(std::move(d));
        if (stop)
            break;
    }
    if (!scan.dumps.empty())
        check_reels(scan, reader);
    return scan;
}

const CheckedDump* first_problem(const TapeScan& scan)
{
    for (const CheckedDump& d : scan.dumps)
        if (d.summary.problem)
            return &d;
    return nullptr;
}

} // namespace ddr
