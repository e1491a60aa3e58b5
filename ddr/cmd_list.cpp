#include "ddr/cmd_list.hpp"

#include "ddr/device_choice.hpp"
#include "formats/ddrtape/tape_scan.hpp"
#include "formats/ddrtape/fbg_group.hpp"
#include "formats/io/ebcdic.hpp"
#include "formats/volume/volume.hpp"
#include "formats/volume/volume_label.hpp"
#include "formats/io/error.hpp"

#include <cstdio>

namespace ddr {

namespace {

std::string join(const std::vector<std::string>& parts)
{
    std::string s;
    for (const auto& p : parts)
        s += (s.empty() ? "" : ", ") + p;
    return s;
}

} // namespace

std::string checksum_status(const DumpChecker& c)
{
    if (!c.has_checksums())
        return "none (an IBM DDR or --pure tape): structure checked only";
    std::string s = "present; " + std::to_string(c.units_checked()) + " of " + std::to_string(c.units()) +
                    (c.fba() ? " block groups match" : " tracks match");
    if (c.bad_units())
        s += ", " + std::to_string(c.bad_units()) + " DAMAGED";
    if (!c.findings().empty())
        s += "; " + counted(c.findings().size(), "problem") + ", first: " + c.findings().front().place.str() + ": " +
             c.findings().front().what;
    else if (!c.all_reels_checked())
        s += "; " + counted(c.reels_unchecked(), "reel") + " without a trailer";
    return s;
}

namespace {

// "2 reels (r1.aws, r2.aws); ended with EOJ", then what is wrong with the dump as a whole.
void print_reels_and_end(const CheckedDump& d)
{
    const DumpSummary& s = d.summary;
    std::printf("  %s (%s); %s\n", counted(s.reels, "reel").c_str(), join(d.reel_names).c_str(),
                s.ended ? "ended with EOJ" : ("DID NOT END CLEANLY: " + std::string(s.problem->what())).c_str());
    if (s.ended && s.problem)
        std::printf("  PROBLEM: %s\n", s.problem->what());
}

} // namespace

void print_dump(const CheckedDump& d)
{
    const DumpSummary& s = d.summary;
    const DumpChecker& c = *d.checker;
    std::string volser = volser_to_ascii(s.vhr.volser);
    std::printf("file %llu: %s  dumped %s\n", static_cast<unsigned long long>(s.file), volser.c_str(),
                format_tod_utc(s.vhr.tod).c_str());
    if (c.dump_header()) {
        const TrailerHeader& t = *c.dump_header();
        if (t.fba())
            std::printf("  source: %s (%s, %llu bytes), a %s of %llu blocks\n", t.source_name.c_str(),
                        t.source_format.c_str(), static_cast<unsigned long long>(t.source_size), t.model.c_str(),
                        static_cast<unsigned long long>(t.fba_blocks));
        else
            std::printf("  source: %s (%s, %llu bytes), a %s of %u cylinders, %u heads\n", t.source_name.c_str(),
                        t.source_format.c_str(), static_cast<unsigned long long>(t.source_size), t.model.c_str(),
                        t.cylinders, t.heads);
    }
    if (auto f = fba_fields(s.vhr)) {
        std::printf("  header: FBA volume of %llu blocks, groups of %u blocks, device type %04X (ddr's FBA encoding)\n",
                    static_cast<unsigned long long>(f->blocks), unsigned(f->group_blocks), unsigned(f->devtype));
        std::printf("  blocks %s: %s, %s, %s of data\n", ranges_text(s.cylinder_ranges).c_str(),
                    counted(s.tracks, "group").c_str(), counted(s.fba_blocks, "block").c_str(),
                    human_bytes(s.fba_blocks * 512).c_str());
        print_reels_and_end(d);
        std::printf("  checksums: %s\n", checksum_status(c).c_str());
        for (const auto& [place, what] : s.order_problems)
            std::printf("  PROBLEM: %s: %s\n", place.str().c_str(), what.c_str());
        return;
    }
    std::string fits = devices_fitting(s.vhr);
    const auto eav_last = eav_last_cylinder(s.vhr);
    std::printf("  header: %u heads, last cylinder %u%s, MREC %u; fits %s\n", unsigned(s.vhr.mtck) + 1,
                eav_last ? unsigned(*eav_last) : unsigned(s.vhr.cyla), eav_last ? " (EAV)" : "", unsigned(s.vhr.mrec),
                fits.empty() ? "no known device" : fits.c_str());
    std::printf("  cylinders %s: %llu tracks (%llu empty), %s of track data\n", ranges_text(s.cylinder_ranges).c_str(),
                static_cast<unsigned long long>(s.tracks), static_cast<unsigned long long>(s.empty_tracks),
                human_bytes(s.bytes).c_str());
    if (s.nucleus_cylinders)
        std::printf("  NUCLEUS dump: the CP checkpoint record (DMKCKP) names nucleus cylinders %u-%u; restore it "
                    "with --nucleus\n",
                    unsigned(s.nucleus_cylinders->first), unsigned(s.nucleus_cylinders->second));
    else if (s.nucleus)
        std::printf("  NUCLEUS dump: holds the CP checkpoint record; restore it with --nucleus\n");
    if (s.special_tracks)
        std::printf("  %s with a track-overflow record\n",
                    (counted(s.special_tracks, "track") + (s.special_tracks == 1 ? " ends" : " end")).c_str());
    if (s.flagged_tracks)
        std::printf("  %s flagged defective or alternate\n",
                    (counted(s.flagged_tracks, "track") + (s.flagged_tracks == 1 ? " was" : " were")).c_str());
    print_reels_and_end(d);
    std::printf("  checksums: %s\n", checksum_status(c).c_str());
    for (const auto& [place, what] : s.order_problems)
        std::printf("  PROBLEM: %s: %s\n", place.str().c_str(), what.c_str());
    if (s.max_blocks_per_track > 5)
        std::printf("  note: tracks of up to %llu blocks; VM/370 R6 DDR restores at most 5 per track\n",
                    static_cast<unsigned long long>(s.max_blocks_per_track));
}

int run_list(const ListOptions& options, Reporter& reporter)
{
    (void)reporter;
    for (const std::string& tape : options.tapes)
        refuse_unfinished(tape);  // a volume a restore left busy is named, not "cannot open"
    TapeScan scan = scan_tapes(options.tapes);
    if (scan.dumps.empty())
        fail(ErrorKind::Unreadable, file_place(options.tapes[0]), "no DDR dump on this tape");
    for (const CheckedDump& d : scan.dumps)
        print_dump(d);
    for (const ChecksumFinding& f : scan.stray)
        std::printf("note: %s: %s\n", f.place.str().c_str(), f.what.c_str());
    std::fflush(stdout);
    if (const CheckedDump* bad = first_problem(scan))
        throw *bad->summary.problem;
    return 0;
}

} // namespace ddr
