#include "ddr/list.hpp"

#include "ddr/device_choice.hpp"
#include "ddr/dump_reader.hpp"
#include "formats/ebcdic.hpp"
#include "formats/error.hpp"

#include <cstdio>

namespace ddr {

namespace {

std::string ranges_text(const std::vector<std::pair<uint32_t, uint32_t>>& ranges)
{
    std::string s;
    for (auto [a, b] : ranges)
        s += (s.empty() ? "" : ", ") + (a == b ? std::to_string(a) : std::to_string(a) + "-" + std::to_string(b));
    return s.empty() ? "none" : s;
}

void print_summary(const DumpSummary& s, const DumpReader& reader)
{
    std::string volser = from_ebcdic(s.vhr.volser);
    std::string fits = devices_fitting(s.vhr);
    std::printf("file %llu: %s  dumped %s\n", static_cast<unsigned long long>(s.file),
                volser.c_str(), format_tod_utc(s.vhr.tod).c_str());
    std::printf("  geometry: %u heads, last cylinder %u, MREC %u; fits %s\n", unsigned(s.vhr.mtck) + 1,
                unsigned(s.vhr.cyla), unsigned(s.vhr.mrec), fits.empty() ? "no known device" : fits.c_str());
    std::printf("  cylinders %s: %llu tracks (%llu empty), %s of track data\n", ranges_text(s.cylinder_ranges).c_str(),
                static_cast<unsigned long long>(s.tracks), static_cast<unsigned long long>(s.empty_tracks),
                human_bytes(s.bytes).c_str());
    if (s.nucleus)
        std::printf("  NUCLEUS dump: holds the CP checkpoint record\n");
    if (s.special_tracks)
        std::printf("  %llu track(s) end with a track-overflow record\n", static_cast<unsigned long long>(s.special_tracks));
    if (s.flagged_tracks)
        std::printf("  %llu track(s) were flagged defective or alternate\n", static_cast<unsigned long long>(s.flagged_tracks));
    std::string reels;
    for (unsigned r = 0; r < s.reels; ++r)
        reels += (r ? ", " : "") + reader.reel_name(r);
    std::printf("  %u reel%s (%s); %s\n", s.reels, s.reels == 1 ? "" : "s", reels.c_str(),
                s.ended ? "ended with EOJ" : ("DID NOT END CLEANLY: " + std::string(s.problem->what())).c_str());
    std::printf("  checksums: none (an IBM DDR or --pure tape)\n");
    if (s.max_blocks_per_track > 5)
        std::printf("  note: tracks of up to %llu blocks; VM/370 R6 DDR restores at most 5 per track\n",
                    static_cast<unsigned long long>(s.max_blocks_per_track));
}

} // namespace

int run_list(const ListOptions& options, Reporter& reporter)
{
    (void)reporter;
    DumpReader reader(options.tapes);
    unsigned dumps = 0;
    while (reader.start_dump()) {
        DumpSummary s = scan_dump(reader);
        print_summary(s, reader);
        ++dumps;
        std::fflush(stdout);
        if (s.problem)
            throw *s.problem;  // the rest of the tape cannot be trusted to line up
    }
    if (dumps == 0)
        fail(ErrorKind::Unreadable, Place{options.tapes[0], {}, {}, {}, {}, {}, {}}, "no DDR dump on this tape");
    return 0;
}

} // namespace ddr
