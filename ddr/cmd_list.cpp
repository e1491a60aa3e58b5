#include "ddr/cmd_list.hpp"

#include "ddr/inputs.hpp"

#include "ddr/device_choice.hpp"
#include "formats/ddrtape/tape_scan.hpp"
#include "formats/ddrtape/fbg_group.hpp"
#include "formats/io/ebcdic.hpp"
#include "formats/volume/volume.hpp"
#include "formats/volume/volume_label.hpp"
#include "formats/io/error.hpp"
#include "formats/io/tod.hpp"

#include <CLI/CLI.hpp>

#include <memory>

namespace ddr {

void add_list_command(CLI::App& app, CommandAction& action)
{
    // The options live as long as the action that reads them.
    auto options = std::make_shared<ListOptions>();
    CLI::App* cmd = app.add_subcommand("list", "list the dumps on a tape");
    cmd->add_option("TAPE", options->tapes, "tape file(s): successive reels")->required();
    cmd->callback([options, &action] { action = [options](Reporter& r) { return run_list(*options, r); }; });
}

std::string checksum_status(const DumpChecker& c)
{
    if (!c.has_checksums())
        return "none (an IBM DDR or --pure tape): structure checked only";
    std::string s = "present; " + std::to_string(c.units_checked()) + " of " + std::to_string(c.units()) +
                    (c.fba() ? " block groups match" : " tracks match");
    if (c.bad_units())
        s += ", " + std::to_string(c.bad_units()) + " DAMAGED";
    if (!c.findings().empty())
        s += "; " + counted(c.findings().total(), "problem") + ", first: " + c.findings().first().place.str() + ": " +
             c.findings().first().what;
    else if (!c.all_reels_checked())
        s += "; " + counted(c.reels_unchecked(), "reel") + " without a trailer";
    return s;
}

void list_findings(const Findings& findings, bool all, const std::string& prefix, Reporter& reporter)
{
    constexpr size_t kShown = 20;
    size_t shown = 0;
    for (const ChecksumFinding& f : findings.kept()) {
        if (!all && shown == kShown)
            break;
        reporter.listing("  " + prefix + f.place.str() + ": " + f.what);
        ++shown;
    }
    if (findings.total() == shown)
        return;
    const std::string more = "  ... and " + std::to_string(findings.total() - shown) + " more";
    if (!all)
        reporter.listing(more + (findings.total() > Findings::kKept
                                     ? " (ddr verify -a lists the first " + std::to_string(Findings::kKept) + ")"
                                     : " (ddr verify -a lists them all)"));
    else
        reporter.listing(more + ", not kept: a report keeps the first " + std::to_string(Findings::kKept));
}

void list_stray_findings(const TapeScan& scan, Reporter& reporter)
{
    Json& stray = reporter.facts()["stray"] = Json::array();
    for (const ChecksumFinding& f : scan.stray) {
        reporter.listing("note: " + f.place.str() + ": " + f.what);
        stray.push(finding_facts(f));
    }
}

Json finding_facts(const ChecksumFinding& finding)
{
    Json f = Json::object();
    f["place"] = finding.place.str();
    f["what"] = finding.what;
    return f;
}

namespace {

// "a, b, c".
std::string join(const std::vector<std::string>& parts)
{
    std::string s;
    for (const auto& p : parts)
        s += (s.empty() ? "" : ", ") + p;
    return s;
}

// "  source: vol.3390 (CKD_P370, 6820352 bytes), a 3390-1 of 8 cylinders, 15 heads": the
// volume a dump was taken from, as its checksum trailer names it.
std::string source_line(const TrailerHeader& t)
{
    const std::string line =
        "  source: " + t.source_name + " (" + t.source_format + ", " + std::to_string(t.source_size) + " bytes), a " + t.model;
    if (t.fba())
        return line + " of " + std::to_string(t.fba_blocks) + " blocks";
    return line + " of " + std::to_string(t.cylinders) + " cylinders, " + std::to_string(t.heads) + " heads";
}

// What the VHR of an FBA dump says, and the blocks the dump holds.
void list_fba_contents(const DumpSummary& s, const FbaVolumeFields& f, Reporter& reporter)
{
    reporter.listing("  header: FBA volume of " + std::to_string(f.blocks) + " blocks, groups of " +
                     std::to_string(unsigned(f.group_blocks)) + " blocks, device type " + hex_devtype(f.devtype) +
                     " (ddr's FBA encoding)");
    reporter.listing("  blocks " + ranges_text(s.cylinder_ranges) + ": " + counted(s.tracks, "group") + ", " +
                     counted(s.fba_blocks, "block") + ", " + human_bytes(s.fba_blocks * 512) + " of data");
}

// What the VHR of a CKD dump says (the devices it fits), the tracks the dump holds, and
// the kinds of track worth knowing about before a restore.
void list_ckd_contents(const DumpSummary& s, Reporter& reporter)
{
    const std::string fits = devices_fitting(s.vhr);
    const auto eav_last = s.vhr.eav_last_cylinder();
    reporter.listing("  header: " + std::to_string(unsigned(s.vhr.mtck) + 1) + " heads, last cylinder " +
                     std::to_string(eav_last ? unsigned(*eav_last) : unsigned(s.vhr.cyla)) + (eav_last ? " (EAV)" : "") +
                     ", MREC " + std::to_string(unsigned(s.vhr.mrec)) + "; fits " +
                     (fits.empty() ? "no known device" : fits));
    reporter.listing("  cylinders " + ranges_text(s.cylinder_ranges) + ": " + std::to_string(s.tracks) + " tracks (" +
                     std::to_string(s.empty_tracks) + " empty), " + human_bytes(s.bytes) + " of track data");
    if (s.nucleus_cylinders)
        reporter.listing("  NUCLEUS dump: the CP checkpoint record (DMKCKP) names nucleus cylinders " +
                         std::to_string(s.nucleus_cylinders->first) + "-" + std::to_string(s.nucleus_cylinders->second) +
                         "; restore it with --nucleus");
    else if (s.nucleus)
        reporter.listing("  NUCLEUS dump: holds the CP checkpoint record; restore it with --nucleus");
    if (s.special_tracks)
        reporter.listing("  " + counted(s.special_tracks, "track") + (s.special_tracks == 1 ? " ends" : " end") +
                         " with a track-overflow record");
    if (s.flagged_tracks)
        reporter.listing("  " + counted(s.flagged_tracks, "track") + (s.flagged_tracks == 1 ? " was" : " were") +
                         " flagged defective or alternate");
}

// "2 reels (r1.aws, r2.aws); ended with EOJ", then what is wrong with the dump as a whole.
void list_reels_and_end(const CheckedDump& d, Reporter& reporter)
{
    const DumpSummary& s = d.summary;
    reporter.listing("  " + counted(s.reels, "reel") + " (" + join(d.reel_names) + "); " +
                     (s.ended ? "ended with EOJ" : "DID NOT END CLEANLY: " + std::string(s.problem->what())));
    if (s.ended && s.problem)
        reporter.listing("  PROBLEM: " + std::string(s.problem->what()));
}

// The listing of one dump: which it is and where it came from, what it holds, how it
// ends, its checksums, and what is wrong with it.
void list_dump(const CheckedDump& d, Reporter& reporter)
{
    const DumpSummary& s = d.summary;
    const DumpChecker& c = *d.checker;
    reporter.listing("file " + std::to_string(s.file) + ": " + volser_to_ascii(s.vhr.volser) + "  dumped " +
                     format_tod_utc(s.vhr.tod));
    if (c.dump_header())
        reporter.listing(source_line(*c.dump_header()));
    const auto fba = fba_fields(s.vhr);
    if (fba)
        list_fba_contents(s, *fba, reporter);
    else
        list_ckd_contents(s, reporter);
    list_reels_and_end(d, reporter);
    reporter.listing("  checksums: " + checksum_status(c));
    list_findings(s.order_problems, false, "PROBLEM: ", reporter);
    if (!fba && s.max_blocks_per_track > 5)
        reporter.listing("  note: tracks of up to " + std::to_string(s.max_blocks_per_track) +
                         " blocks; VM/370 R6 DDR restores at most 5 per track");
}

// The volume the dump was taken from, as its checksum trailer names it.
Json source_facts(const TrailerHeader& t)
{
    Json src = Json::object();
    src["name"] = t.source_name;
    src["image_format"] = t.source_format;
    src["container"] = container_kind(t.source_format);
    src["bytes"] = t.source_size;
    src["devtype"] = t.model;
    if (t.fba()) {
        src["blocks"] = t.fba_blocks;
    } else {
        src["cylinders"] = t.cylinders;
        src["heads"] = t.heads;
    }
    src["tool"] = t.tool;
    return src;
}

// What the dump's VHR says of the volume, and the units the dump holds.
void contents_facts(const DumpSummary& s, Json& facts)
{
    if (const auto fba = fba_fields(s.vhr)) {
        facts["blocks"] = fba->blocks;
        facts["group_blocks"] = unsigned(fba->group_blocks);
        facts["vhr_devtype"] = hex_devtype(fba->devtype);
        facts["units"] = s.fba_blocks;
        facts["unit_name"] = "blocks";
        facts["groups"] = s.tracks;
        facts["data_bytes"] = s.fba_blocks * kFbaBlockSize;
    } else {
        const auto eav_last = s.vhr.eav_last_cylinder();
        facts["heads"] = unsigned(s.vhr.mtck) + 1;
        facts["last_cylinder"] = eav_last ? unsigned(*eav_last) : unsigned(s.vhr.cyla);
        facts["eav"] = eav_last.has_value();
        facts["mrec"] = unsigned(s.vhr.mrec);
        Json& fits = facts["fits"] = Json::array();
        for (const std::string& name : device_names_fitting(s.vhr))
            fits.push(name);
        facts["units"] = s.tracks;
        facts["unit_name"] = "tracks";
        facts["empty_tracks"] = s.empty_tracks;
        facts["data_bytes"] = s.bytes;
        facts["special_tracks"] = s.special_tracks;
        facts["flagged_tracks"] = s.flagged_tracks;
        facts["max_blocks_per_track"] = s.max_blocks_per_track;
    }
    Json& ranges = facts["ranges"] = Json::array();
    for (const auto& [first, last] : s.cylinder_ranges) {
        Json r = Json::object();
        r["first"] = first;
        r["last"] = last;
        ranges.push(std::move(r));
    }
}

// The reels of the dump and what its checksums proved.
void reel_facts(const CheckedDump& d, Json& facts)
{
    const DumpChecker& c = *d.checker;
    Json& reels = facts["reels"] = Json::array();
    for (const DumpChecker::ReelCheck& r : c.reel_checks()) {
        Json reel = Json::object();
        reel["file"] = r.file;
        reel["reel"] = r.number;
        reel["units"] = r.units;
        reel["last"] = r.last;
        reel["checked"] = r.checked;
        reel["intact"] = r.intact;
        if (r.trailer_hash)
            reel["reel_hash"] = hash_hex(*r.trailer_hash);
        reels.push(std::move(reel));
    }
    facts["checksums"] = c.has_checksums();
    facts["units_checked"] = c.units_checked();
    facts["bad_units"] = c.bad_units();
    facts["reels_unchecked"] = c.reels_unchecked();
    Json& problems = facts["problems"] = Json::array();
    for (const ChecksumFinding& f : c.findings().kept())
        problems.push(finding_facts(f));
    for (const ChecksumFinding& f : d.summary.order_problems.kept())
        problems.push(finding_facts(f));
    // All of them, where the list above stops at the first Findings::kKept of each kind.
    facts["problem_count"] = c.findings().total() + d.summary.order_problems.total();
}

} // namespace

Json dump_facts(const CheckedDump& d)
{
    const DumpSummary& s = d.summary;
    Json facts = Json::object();
    facts["file"] = s.file;
    facts["volser"] = volser_to_ascii(s.vhr.volser);
    facts["tod"] = format_tod_hex(s.vhr.tod);
    facts["dump_time"] = format_tod_iso8601(s.vhr.tod);
    facts["fba"] = s.fba;
    if (d.checker->dump_header())
        facts["source"] = source_facts(*d.checker->dump_header());
    contents_facts(s, facts);
    facts["nucleus"] = s.nucleus;
    if (s.nucleus_cylinders) {
        facts["nucleus_first"] = s.nucleus_cylinders->first;
        facts["nucleus_last"] = s.nucleus_cylinders->second;
    }
    reel_facts(d, facts);
    facts["ended"] = s.ended;
    if (s.problem)
        facts["problem"] = s.problem->what();
    const bool sound = s.ended && !s.problem && facts["problems"].size() == 0;
    facts["structure_ok"] = sound;
    facts["intact"] = sound && d.checker->has_checksums() && d.checker->all_reels_checked();
    return facts;
}

// Lists every dump on the reels, then the notes about trailer blocks of no dump; only then
// is the tape's first problem thrown (its kind is the exit code).  Returns 0.
int run_list(const ListOptions& options, Reporter& reporter)
{
    Json& tapes = reporter.facts()["tapes"] = Json::array();
    for (const std::string& tape : options.tapes) {
        tapes.push(tape);
        refuse_unfinished(tape);
    }  // a volume a restore left busy is named, not "cannot open"
    TapeScan scan = scan_tapes(options.tapes, false, tape_reading_progress(options.tapes, reporter, "list"));
    reporter.end_progress();
    if (scan.dumps.empty())
        fail(ErrorKind::Unreadable, file_place(options.tapes[0]), "no DDR dump on this tape");
    Json& dumps = reporter.facts()["dumps"] = Json::array();
    for (const CheckedDump& d : scan.dumps) {
        list_dump(d, reporter);
        dumps.push(dump_facts(d));
    }
    list_stray_findings(scan, reporter);
    reporter.end_listing();
    if (const CheckedDump* bad = first_problem(scan))
        throw *bad->summary.problem;
    return 0;
}

} // namespace ddr
