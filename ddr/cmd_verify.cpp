#include "ddr/cmd_verify.hpp"
#include "ddr/cmd_verify_catalog.hpp"
#include "ddr/shadow_option.hpp"

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

#include <CLI/CLI.hpp>

#include <memory>

namespace ddr {

void add_verify_command(CLI::App& app, CommandAction& action)
{
    // The options live as long as the action that reads them.
    auto options = std::make_shared<VerifyOptions>();
    CLI::App* cmd = app.add_subcommand("verify", "prove a tape (or a volume) intact: structure and checksums");
    cmd->add_option("INPUT", options->inputs, "tape file(s) (successive reels), or one volume with --manifest");
    cmd->add_option("--against", options->against, "also compare every dumped track with this volume");
    add_shadow_option(*cmd, options->sf);
    cmd->add_option("--manifest", options->manifest, "compare with this manifest");
    cmd->add_option("--file", options->file, "with --against/--manifest: the Nth dump on the tape (default 1)");
    cmd->add_option("-c,--cylinders", options->extents,
                    "with --against/--manifest on a tape without checksums: how it was REORDERed (A-B:C)")
        ->delimiter(',')
        ->allow_extra_args(false);  // one value an occurrence: INPUT is optional (--catalog)
    cmd->add_flag("-a,--all", options->all, "list every problem, not the first 20");
    auto catalog = std::make_shared<CatalogVerifyOptions>();
    add_verify_catalog_options(cmd, *catalog);
    cmd->callback([options, catalog, &action] {
        if (catalog->catalog)
            action = [options, catalog](Reporter& r) { return run_verify_catalog(*options, *catalog, r); };
        else if (options->inputs.empty())
            throw CLI::RequiredError("ddr verify needs INPUT (or --catalog FILE)");
        else
            action = [options](Reporter& r) { return run_verify(*options, r); };
    });
}

namespace {

// The source of each unit of a dump: the extents given (-c, for a tape without a
// trailer), else the trailer's.
ExtentMap source_map(const DumpChecker& checker, const std::vector<Extent>& given)
{
    return given.empty() ? checker.extent_map() : ExtentMap(given, checker.geometry());
}

// Compares every unit of a dump (track or block group) with the volume it was dumped from.
void compare_with_volume(DumpChecker& checker, const ExtentMap& map, const std::string& volume_path,
                         const std::optional<std::string>& sf, Findings& findings,
                         uint64_t& compared)
{
    OpenedVolume volume = open_volume_units(volume_path, checker.geometry().kind, input_volume(sf));
    const UnitGeometry& g = volume.units->geometry();
    checker.for_each_unit([&](const Place& where, const DumpChecker::ReadUnit& read) {
        const Unit u{map.source_of(read.output_cchh), g.fba() ? read.count : 1};
        if (!volume.units->contains(u)) {
            findings.add(where, "the volume has no " + g.describe_unit(u));
            return;
        }
        ++compared;
        if (volume.units->content_hash(u) != read.content)
            findings.add(where, volume_path + " " + g.describe_unit(u) +
                                    (g.fba() ? " differ from the group on tape" : " differs from the track on tape"));
    });
}

// What a dump was compared with (--against, --manifest) and the tracks that differ.
struct Comparison {
    std::string with;  // "vol.3390", "the manifest m.txt"
    uint64_t compared = 0;
    Findings differences;
};

// Compares every unit of a dump with the line a manifest has for its source address; a
// unit the manifest lacks is a difference.  Error(Unreadable) for a manifest unreadable.
Comparison compare_with_manifest(DumpChecker& c, const ExtentMap& map, const std::string& manifest_path)
{
    Manifest m = read_manifest(manifest_path);
    Comparison result{"the manifest " + manifest_path, 0, {}};
    c.for_each_unit([&](const Place& where, const DumpChecker::ReadUnit& u) {
        const uint64_t* want = m.find(c.geometry(), {map.source_of(u.output_cchh), c.fba() ? u.count : 1});
        ++result.compared;
        const char* unit = c.fba() ? "block group" : "track";
        if (!want)
            result.differences.add(where, std::string("the ") + unit + " is not in the manifest");
        else if (*want != u.content)
            result.differences.add(where, std::string("the ") + unit + " differs from the manifest's checksum");
    });
    return result;
}

// The comparisons --against and --manifest ask for, each listed as it is done.
std::vector<Comparison> compare_dump(const VerifyOptions& options, DumpChecker& c, Reporter& reporter)
{
    std::vector<Comparison> done;
    const ExtentMap map = source_map(c, parse_extents(options.extents, std::nullopt));
    if (options.against) {
        Comparison r{*options.against, 0, {}};
        compare_with_volume(c, map, *options.against, options.sf, r.differences, r.compared);
        done.push_back(std::move(r));
    }
    if (options.manifest)
        done.push_back(compare_with_manifest(c, map, *options.manifest));
    for (const Comparison& r : done) {
        const std::string compared = counted(r.compared, c.fba() ? "block group" : "track");
        if (r.differences.empty())
            reporter.listing("  against " + r.with + ": " + compared + " compared, all equal");
        else
            reporter.listing("  against " + r.with + ": " + compared + " compared; " +
                             std::to_string(r.differences.total()) + " DIFFER" + (r.differences.total() == 1 ? "S" : "") +
                             " from the dump");
        list_findings(r.differences, options.all, "", reporter);
    }
    return done;
}

// A comparison in the report: with what, how many units, and every difference.
Json comparison_facts(const Comparison& r, uint64_t file)
{
    Json c = Json::object();
    c["file"] = file;
    c["with"] = r.with;
    c["compared"] = r.compared;
    c["equal"] = r.differences.empty();
    Json& differences = c["differences"] = Json::array();
    for (const ChecksumFinding& f : r.differences.kept())
        differences.push(finding_facts(f));
    c["difference_count"] = r.differences.total();
    return c;
}

// The lines about one dump's structure and checksums; returns what is wrong with the tape.
Findings report_dump(const CheckedDump& d, bool all, Reporter& reporter)
{
    const DumpChecker& c = *d.checker;
    const DumpSummary& s = d.summary;
    reporter.listing("file " + std::to_string(s.file) + ": " + volser_to_ascii(s.vhr.volser) + " dumped " +
                     format_tod_utc(s.vhr.tod) + ": " + counted(s.tracks, s.fba ? "FBA block group" : "track") + " on " +
                     counted(s.reels, "reel"));
    Findings findings = c.findings();
    findings.append(s.order_problems);
    const std::string ends = s.reels > 1 ? "EOV/VHR at each reel, EOJ" : "EOJ";
    if (s.ended && !s.problem && s.order_problems.empty())
        reporter.listing(std::string("  structure: ok (VHR, ") + (s.fba ? "groups" : "tracks") + " in order, " + ends +
                         ", tape mark)");
    else if (s.ended && !s.problem)
        reporter.listing("  structure: " + counted(s.order_problems.total(), s.fba ? "group" : "track") +
                         " out of order (VHR, " + ends + " and tape mark ok)");
    if (!c.has_checksums())
        reporter.listing("  checksums: none on this dump (IBM DDR or --pure): its contents are not proven by the tape alone");
    else if (c.findings().empty() && c.all_reels_checked())
        reporter.listing("  checksums: all " + counted(c.units_checked(), s.fba ? "group checksum" : "track checksum") +
                         " and " + counted(c.reels(), "reel checksum") + " match");
    else
        reporter.listing("  checksums: " + checksum_status(c));
    if (!findings.empty()) {
        reporter.listing("  DAMAGED: " + counted(findings.total(), "problem") +
                         (c.bad_units() ? ", " + counted(c.bad_units(), s.fba ? "bad block group" : "bad track") : ""));
        list_findings(findings, all, "", reporter);
    }
    if (s.problem)
        reporter.listing(std::string("  ") + (s.problem->kind() == ErrorKind::Reel ? "REEL" : "UNREADABLE") + ": " +
                         s.problem->what());
    return findings;
}

// The report's verdict: every dump intact (proven by its checksums, nothing found
// wrong), the comparisons, and whether all of them found the dump equal.
void report_verdict(const TapeScan& scan, const std::vector<Comparison>& comparisons, uint64_t file, Json& facts)
{
    bool intact = true;
    for (const Json& d : facts["dumps"].items())
        intact = intact && d.at("intact").as_bool();
    Json& compared = facts["comparisons"] = Json::array();
    bool equal = true;
    for (const Comparison& r : comparisons) {
        compared.push(comparison_facts(r, file));
        equal = equal && r.differences.empty();
    }
    facts["intact"] = intact && first_problem(scan) == nullptr;
    facts["equal"] = equal;
}

// Every dump on the tape listed with its structure and checksums, then the comparisons
// asked for (of dump --file).  A tape unreadable is its error; then Error(Damaged) for the
// first damaged dump, then for the first comparison that found differences; else 0.
int verify_tapes(const VerifyOptions& options, Reporter& reporter)
{
    TapeScan scan = scan_tapes(options.inputs, /*strict=*/true, tape_reading_progress(options.inputs, reporter, "verify"));
    reporter.end_progress();
    if (scan.dumps.empty())
        fail(ErrorKind::Unreadable, file_place(options.inputs[0]), "no DDR dump on this tape");
    const bool comparing = options.against || options.manifest;
    if (comparing && options.file > scan.dumps.size())
        fail(ErrorKind::Usage, "--file " + std::to_string(options.file) + ": the tape holds " +
                                   counted(scan.dumps.size(), "dump"));
    unsigned damaged = 0;
    std::optional<ChecksumFinding> first_bad;
    std::vector<Comparison> comparisons;
    Json& dumps = reporter.facts()["dumps"] = Json::array();
    for (size_t i = 0; i < scan.dumps.size(); ++i) {
        const Findings findings = report_dump(scan.dumps[i], options.all, reporter);
        dumps.push(dump_facts(scan.dumps[i]));
        if (!findings.empty() && !first_bad)
            first_bad = findings.first();
        damaged += findings.empty() ? 0 : 1;
        if (comparing && i + 1 == options.file)
            comparisons = compare_dump(options, *scan.dumps[i].checker, reporter);
    }
    report_verdict(scan, comparisons, options.file, reporter.facts());
    list_stray_findings(scan, reporter);
    reporter.end_listing();
    if (const CheckedDump* bad = first_problem(scan))
        throw *bad->summary.problem;
    if (damaged)
        fail(ErrorKind::Damaged, first_bad->place,
             counted(damaged, "dump") + " damaged; first: " + first_bad->what);
    for (const Comparison& r : comparisons)
        if (!r.differences.empty())
            fail(ErrorKind::Damaged, r.differences.first().place,
                 r.with + " differs from dump " + std::to_string(options.file) + " on the tape: " +
                     counted(r.differences.total(), scan.dumps[options.file - 1].checker->fba() ? "block group" : "track") +
                     (r.differences.total() == 1 ? " differs" : " differ") + "; first: " + r.differences.first().what);
    return 0;
}

// A volume against its manifest (--manifest): the line of the count, the differences,
// then Error(Damaged) if there are any.  Error(Usage) without --manifest.
int verify_volume(const VerifyOptions& options, Reporter& reporter)
{
    if (!options.manifest)
        fail(ErrorKind::Usage, options.inputs[0] + " is a volume image: verify it with --manifest FILE");
    Manifest m = read_manifest(*options.manifest);
    Findings findings;
    uint64_t compared = compare_volume_with_manifest(options.inputs[0], options.sf, m, findings, reporter);
    reporter.listing(options.inputs[0] + ": " + std::to_string(compared) + " tracks compared with " + *options.manifest +
                     ": " + (findings.empty() ? "all equal" : "DIFFERENCES FOUND"));
    Json& facts = reporter.facts();
    facts["volume"] = options.inputs[0];
    facts["manifest"] = *options.manifest;
    Comparison result{"the manifest " + *options.manifest, compared, findings};
    facts["comparisons"] = Json::array();
    facts["comparisons"].push(comparison_facts(result, 0));
    facts["equal"] = findings.empty();
    list_findings(findings, options.all, "", reporter);
    reporter.end_listing();
    if (!findings.empty())
        fail(ErrorKind::Damaged, findings.first().place,
             counted(findings.total(), m.fba() ? "block group" : "track") + " differ" + (findings.total() == 1 ? "s" : "") +
                 " from the manifest; first: " + findings.first().what);
    return 0;
}

} // namespace

// Proves the dumps on a tape (and compares one with --against/--manifest), or one volume
// with its manifest.  Returns 0; errors are thrown as ddr::Error (Damaged for damage or
// differences, found after the listing; Usage for a volume without --manifest).
int run_verify(const VerifyOptions& options, Reporter& reporter)
{
    if (options.inputs.empty())
        fail(ErrorKind::Usage, "nothing to verify");
    const std::string& input = options.inputs[0];
    Json& inputs = reporter.facts()["inputs"] = Json::array();
    for (const std::string& i : options.inputs)
        inputs.push(i);
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
    if (!options.against)
        refuse_shadow_option_for_tape(options.sf, input);
    return verify_tapes(options, reporter);
}

} // namespace ddr
