#include "ddr/tape_scan.hpp"

namespace ddr {

TapeScan scan_tapes(const std::vector<std::string>& tapes, bool strict)
{
    TapeScan scan;
    DumpReader reader(tapes, strict);
    while (reader.start_dump()) {
        CheckedDump d;
        d.checker = std::make_unique<DumpChecker>();
        d.summary = scan_dump(reader, d.checker.get());
        for (unsigned r = 0; r < d.summary.reels; ++r)
            d.reel_names.push_back(reader.reel_name(r));
        // Route trailer blocks of earlier dumps, moved here by --append, to their dump.
        for (auto& f : d.checker->foreign_blocks()) {
            uint64_t tod = is_trailer_header(f.block) ? load_be64(f.block.data() + 16) : load_be64(f.block.data() + 8);
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
        const bool stop = d.summary.problem.has_value();
        scan.dumps.push_back(std::move(d));
        if (stop)
            break;
    }
    return scan;
}

} // namespace ddr
