#include "ddr/cmd_verify.hpp"

#include "formats/ddrtape/checksum_writer.hpp"
#include "formats/ddrtape/extents.hpp"
#include "ddr/inputs.hpp"
#include "ddr/cmd_list.hpp"
#include "ddr/cmd_manifest.hpp"
#include "formats/ddrtape/tape_scan.hpp"
#include "formats/ddrtape/fbg_group.hpp"
#include "formats/ddrtape/thr_group.hpp"
#include "formats/ddrtape/units.hpp"
#include "formats/io/ebcdic.hpp"
#include "formats/volume/volume_label.hpp"
#include "formats/io/error.hpp"
#include "formats/tape/tape.hpp"
#include "formats/volume/volume.hpp"

#include <cstdio>

namespace ddr {

namespace {

constexpr size_t kFindingsShown = 20;

void print_findings(const std::vector<ChecksumFinding>& findings, bool all)
{
    size_t shown = 0;
    for (const ChecksumFinding& f : findings) {
        if (!all && shown == kFindingsShown) {
            std::printf("  ... and %zu more (ddr verify -a lists them all)\n", findings.size() - shown);
            break;
        }
        std::printf("  %s: %s\n", f.place.str().c_str(), f.what.c_str());
        ++shown;
    }
}

// The source of each unit of a dump: the extents given (-c, for a tape without a
// trailer), else the trailer's.
ExtentMap source_map(const DumpChecker& checker, const std::vector<Extent>& given)
{
    return given.empty() ? checker.extent_map() : ExtentMap(given, checker.geometry());
}

// Compares every unit of a dump (track or block group) with the volume it was dumped from.
void compare_with_volume(DumpChecker& checker, const ExtentMap& map, const std::string& volume_path,
                         std::vector<ChecksumFinding>& findings, uint64_t& compared)
{
    OpenedVolume volume = open_volume_units(volume_path, checker.geometry().kind);
    const UnitGeometry& g = volume.units->geometry();
    checker.for_each_unit([&](const Place& where, const DumpChecker::ReadUnit& read) {
        const Unit u{map.source_of(read.output_cchh), g.fba() ? read.count : 1};
        if (!volume.units->contains(u)) {
            findings.push_back({where, "the volume has no " + g.describe_unit(u)});
            return;
        }
        ++compared;
        if (volume.units->content_hash(u) != read.content)
            findings.push_back({where, volume_path + " " + g.describe_unit(u) +
                                           (g.fba() ? " differ from the group on tape" : " differs from the track on tape")});
    });
}

// What a dump was compared with (--against, --manifest) and the tracks that differ.
struct Comparison {
    std::string with;  // "vol.3390", "the manifest m.txt"
    uint64_t compared = 0;
    std::vector<ChecksumFinding> differences;
};

Comparison compare_with_manifest(DumpChecker& c, const ExtentMap& map, const std::string& manifest_path)
{
    Manifest m = read_manifest(manifest_path);
    Comparison result{"the manifest " + manifest_path, 0, {}};
    c.for_each_unit([&](const Place& where, const DumpChecker::ReadUnit& u) {
        const uint64_t* want = m.find(c.geometry(), {map.source_of(u.output_cchh), c.fba() ? u.count : 1});
        ++result.compared;
        const char* unit = c.fba() ? "block group" : "track";
        if (!want)
            result.differences.push_back({where, std::string("the ") + unit + " is not in the manifest"});
        else if (*want != u.content)
            result.differences.push_back({where, std::string("the ") + unit + " differs from the manifest's checksum"});
    });
    return result;
}

// The comparisons --against and --manifest ask for, each printed as it is done.
std::vector<Comparison> compare_dump(const VerifyOptions& options, DumpChecker& c)
{
    std::vector<Comparison> done;
    const ExtentMap map = source_map(c, parse_extents(options.extents, std::nullopt));
    if (options.against) {
        Comparison r{*options.against, 0, {}};
        compare_with_volume(c, map, *options.against, r.differences, r.compared);
        done.push_back(std::move(r));
    }
    if (options.manifest)
        done.push_back(compare_with_manifest(c, map, *options.manifest));
    for (const Comparison& r : done) {
        const std::string compared = counted(r.compared, c.fba() ? "block group" : "track");
        if (r.differences.empty())
            std::printf("  against %s: %s compared, all equal\n", r.with.c_str(), compared.c_str());
        else
            std::printf("  against %s: %s compared; %s DIFFER%s from the dump\n", r.with.c_str(), compared.c_str(),
                        std::to_string(r.differences.size()).c_str(), r.differences.size() == 1 ? "S" : "");
        print_findings(r.differences, options.all);
    }
    return done;
}

// The lines about one dump's structure and checksums; returns what is wrong with the tape.
std::vector<ChecksumFinding> report_dump(const CheckedDump& d, bool all)
{
    const DumpChecker& c = *d.checker;
    const DumpSummary& s = d.summary;
    std::string volser = volser_to_ascii(s.vhr.volser);
    std::printf("file %llu: %s dumped %s: %s on %s\n", static_cast<unsigned long long>(s.file), volser.c_str(),
                format_tod_utc(s.vhr.tod).c_str(), counted(s.tracks, s.fba ? "FBA block group" : "track").c_str(),
                counted(s.reels, "reel").c_str());
    std::vector<ChecksumFinding> findings = c.findings();
    for (const auto& [place, what] : s.order_problems)
        findings.push_back({place, what});
    if (s.ended && !s.problem)
        std::printf("  structure: ok (VHR, %s in order, %s, tape mark)\n", s.fba ? "groups" : "tracks",
                    s.reels > 1 ? "EOV/VHR at each reel, EOJ" : "EOJ");
    if (!c.has_checksums())
        std::printf("  checksums: none on this dump (IBM DDR or --pure): its contents are not proven by the tape alone\n");
    else if (c.findings().empty() && c.all_reels_checked())
        std::printf("  checksums: all %s and %s match\n",
                    counted(c.units_checked(), s.fba ? "group checksum" : "track checksum").c_str(),
                    counted(c.reels(), "reel checksum").c_str());
    else
        std::printf("  checksums: %s\n", checksum_status(c).c_str());
    if (!findings.empty()) {
        std::printf("  DAMAGED: %s%s\n", counted(findings.size(), "problem").c_str(),
                    c.bad_units() ? (", " + counted(c.bad_units(), s.fba ? "bad block group" : "bad track")).c_str() : "");
        print_findings(findings, all);
    }
    if (s.problem)
        std::printf("  %s: %s\n", s.problem->kind() == ErrorKind::Reel ? "REEL" : "UNREADABLE", s.problem->what());
    return findings;
}

int verify_tapes(const VerifyOptions& options, Reporter& reporter)
{
    TapeScan scan = scan_tapes(options.inputs, /*strict=*/true);
    if (scan.dumps.empty())
        fail(ErrorKind::Unreadable, file_place(options.inputs[0]), "no DDR dump on this tape");
    const bool comparing = options.against || options.manifest;
    if (comparing && options.file > scan.dumps.size())
        fail(ErrorKind::Usage, "--file " + std::to_string(options.file) + ": the tape holds " +
                                   counted(scan.dumps.size(), "dump"));
    unsigned damaged = 0;
    std::optional<ChecksumFinding> first_bad;
    std::vector<Comparison> comparisons;
    for (size_t i = 0; i < scan.dumps.size(); ++i) {
        std::vector<ChecksumFinding> findings = report_dump(scan.dumps[i], options.all);
        if (!findings.empty() && !first_bad)
            first_bad = findings.front();
        damaged += findings.empty() ? 0 : 1;
        if (comparing && i + 1 == options.file)
            comparisons = compare_dump(options, *scan.dumps[i].checker);
    }
    for (const ChecksumFinding& f : scan.stray)
        std::printf("note: %s: %s\n", f.place.str().c_str(), f.what.c_str());
    std::fflush(stdout);
    (void)reporter;
    if (const CheckedDump* bad = first_problem(scan))
        throw *bad->summary.problem;
    if (damaged)
        fail(ErrorKind::Damaged, first_bad->place,
             counted(damaged, "dump") + " damaged; first: " + first_bad->what);
    for (const Comparison& r : comparisons)
        if (!r.differences.empty())
            fail(ErrorKind::Damaged, r.differences.front().place,
                 r.with + " differs from dump " + std::to_string(options.file) + " on the tape: " +
                     counted(r.differences.size(), scan.dumps[options.file - 1].checker->fba() ? "block group" : "track") +
                     (r.differences.size() == 1 ? " differs" : " differ") + "; first: " + r.differences.front().what);
    return 0;
}

int verify_volume(const VerifyOptions& options, Reporter& reporter)
{
    if (!options.manifest)
        fail(ErrorKind::Usage, options.inputs[0] + " is a volume image: verify it with --manifest FILE");
    Manifest m = read_manifest(*options.manifest);
    std::vector<ChecksumFinding> findings;
    uint64_t compared = compare_volume_with_manifest(options.inputs[0], m, findings, reporter);
    std::printf("%s: %llu tracks compared with %s: %s\n", options.inputs[0].c_str(),
                static_cast<unsigned long long>(compared), options.manifest->c_str(),
                findings.empty() ? "all equal" : "DIFFERENCES FOUND");
    print_findings(findings, options.all);
    std::fflush(stdout);
    if (!findings.empty())
        fail(ErrorKind::Damaged, findings.front().place,
             counted(findings.size(), m.fba() ? "block group" : "track") + " differ" + (findings.size() == 1 ? "s" : "") +
                 " from the manifest; first: " + findings.front().what);
    return 0;
}

} // namespace

int run_verify(const VerifyOptions& options, Reporter& reporter)
{
    if (options.inputs.empty())
        fail(ErrorKind::Usage, "nothing to verify");
    const std::string& input = options.inputs[0];
    refuse_unfinished(input);
    if (looks_like_ckd_volume(input) || !is_tape_input(input)) {
        if (options.manifest && options.inputs.size() == 1 && !options.against)
            return verify_volume(options, reporter);
        if (options.manifest || options.against)
            fail(ErrorKind::Usage, "give one volume and --manifest, or tapes");
        if (looks_like_ckd_volume(input))
            fail(ErrorKind::Unreadable, file_place(input),
                 "this is a volume image, not a tape (a volume is verified with --manifest FILE)");
        (void)open_tape_reader(input);  // not a tape: fails, saying why
    }
    return verify_tapes(options, reporter);
}

} // namespace ddr
