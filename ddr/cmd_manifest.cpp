#include "ddr/cmd_manifest.hpp"

#include "ddr/cmd_dump.hpp"
#include "ddr/cmd_list.hpp"
#include "ddr/device_choice.hpp"
#include "formats/ddrtape/extents.hpp"
#include "ddr/inputs.hpp"
#include "formats/io/interrupt.hpp"
#include "ddr/outputs.hpp"
#include "ddr/shadow_option.hpp"
#include "formats/ddrtape/tape_scan.hpp"
#include "formats/ddrtape/checksum_writer.hpp"
#include "formats/ddrtape/units.hpp"
#include "devices/fba_devices.hpp"
#include "formats/ddrtape/fbg_group.hpp"
#include "formats/ddrtape/thr_group.hpp"
#include "formats/tape/tape.hpp"
#include "formats/ddrtape/trailer.hpp"
#include "formats/io/ebcdic.hpp"
#include "formats/io/error.hpp"
#include "formats/volume/volume.hpp"
#include "formats/volume/volume_label.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>

namespace ddr {

void add_manifest_command(CLI::App& app, CommandAction& action)
{
    // The options live as long as the action that reads them.
    auto options = std::make_shared<ManifestOptions>();
    CLI::App* cmd = app.add_subcommand("manifest", "write the checksum manifest of a volume or a dump");
    cmd->add_option("INPUT", options->inputs, "one volume, or the reels of a tape")->required();
    add_shadow_option(*cmd, options->sf);
    cmd->add_option("-o,--output", options->output, "the manifest file (default: standard output)");
    cmd->add_option("--file", options->file, "the Nth dump on the tape (default 1)");
    cmd->add_option("-c,--cylinders", options->extents, "volume: only these cylinders (A-B)")->delimiter(',');
    cmd->callback([options, &action] { action = [options](Reporter& r) { return run_manifest(*options, r); }; });
}

namespace {

// What a volume's manifest says of it besides the hashes, for either kind.
ManifestInfo manifest_info(const OpenedVolume& volume, const std::string& path)
{
    ManifestInfo mi;
    if (volume.ckd) {
        const CkdVolumeInfo& info = volume.ckd->info();
        mi.device = std::string(device_for_image(info, std::nullopt, path).name);
        mi.cylinders = info.cylinders;
        mi.heads = info.heads;
        mi.format = info.format;
        TrackImage track0;
        volume.ckd->read_track({0, 0}, track0);
        if (auto label = find_ckd_volume_label(track0))
            mi.volser = label->volser;
    } else {
        const FbaVolumeInfo& info = volume.fba->info();
        mi.kind = "fba";
        const FbaDevice* dev = fba_device_for_blocks(info.blocks);
        mi.device = dev ? std::string(dev->name) : "FB-512";
        mi.blocks = info.blocks;
        mi.format = info.format;
        if (info.blocks > 1) {
            Bytes block1(kFbaBlockSize);
            volume.fba->read_blocks(1, block1);
            mi.volser = find_fba_volser(block1).value_or("");
        }
    }
    mi.source = std::filesystem::path(path).filename().string();
    return mi;
}

// A volume's manifest, CKD or FBA: the content hash of every unit of the extents (all).
int manifest_of_volume(const ManifestOptions& options, Reporter& reporter)
{
    const std::string& path = options.inputs[0];
    const OpenedVolume volume =
        open_volume_units(path, looks_like_ckd_volume(path) ? UnitKind::Track : UnitKind::BlockGroup, input_volume(options.sf));
    note_missing_shadow(volume.ckd ? volume.ckd->info().missing_shadow : volume.fba->info().missing_shadow, path, reporter);
    const UnitGeometry& g = volume.units->geometry();
    const char* unit_name = g.fba() ? "block" : "cylinder";
    const uint64_t last = g.fba() ? volume.fba->info().blocks - 1 : volume.ckd->info().cylinders - 1u;
    std::vector<Extent> extents = parse_extents(options.extents, std::nullopt, unit_name);
    if (extents.empty())
        extents.push_back({0, last, 0});
    check_extents_within(extents, last, path, unit_name);
    ManifestWriter out(options.output, manifest_info(volume, path));
    const uint64_t total = g.count_units(extents);
    const uint64_t track_size = g.fba() ? 0 : volume.ckd->info().track_size;
    uint64_t n = 0, bytes = 0;
    g.for_each_unit(extents, [&](Unit u) {
        out.add(g, u, volume.units->content_hash(u));
        ++n;
        bytes += g.fba() ? uint64_t(u.count) * kFbaBlockSize : track_size;
        reporter.progress(n, total, bytes, "manifest", progress_place(g, u.address));
    });
    reporter.end_progress();
    out.finish();
    reporter.note("manifest of " + std::to_string(n) + (g.fba() ? " block groups of " : " tracks of ") + path);
    reporter.facts()["of"] = "volume";
    reporter.facts()["units"] = n;
    reporter.facts()["unit_name"] = g.fba() ? "block groups" : "tracks";
    reporter.facts()["extents"] = extents_facts(extents);
    return 0;
}

// Writes the manifest of a dump from its checked units, in source order (a REORDERed
// dump's source addresses may not ascend on tape).  Returns the number of units.
size_t write_units_in_source_order(DumpChecker& c, const ManifestInfo& mi, const std::string& output)
{
    const UnitGeometry g = c.geometry();
    std::vector<std::pair<Unit, uint64_t>> units;
    c.for_each_unit([&](const Place&, const DumpChecker::ReadUnit& u) {
        units.emplace_back(Unit{c.source_of(u.output_cchh), g.fba() ? u.count : 1}, u.content);
    });
    std::sort(units.begin(), units.end(),
              [&](const auto& x, const auto& y) { return g.order_of(x.first.address) < g.order_of(y.first.address); });
    ManifestWriter out(output, mi);
    for (const auto& [u, hash] : units)
        out.add(g, u, hash);
    out.finish();
    return units.size();
}

// What the manifest of dump `d` says of its volume besides the hashes: the checksum
// trailer's account of the source where there is one, else what the VHR tells.
ManifestInfo dump_manifest_info(const CheckedDump& d, const ManifestOptions& options)
{
    const DumpChecker& c = *d.checker;
    const std::optional<TrailerHeader>& header = c.dump_header();
    ManifestInfo mi;
    if (c.fba()) {
        mi.kind = "fba";
        const auto f = fba_fields(d.summary.vhr);
        mi.blocks = f ? f->blocks : 0;
        mi.device = header ? header->model : "FB-512";
        mi.source = header ? header->source_name : options.inputs[0];
        mi.format = header ? header->source_format : "DDR tape";
        mi.volser = volser_to_ascii(d.summary.vhr.volser);
        return mi;
    }
    if (header) {
        mi.device = header->model;
        mi.cylinders = header->cylinders;
        mi.heads = header->heads;
        mi.source = header->source_name;
        mi.format = header->source_format;
    } else {
        mi.device = devices_fitting(d.summary.vhr);
        mi.heads = d.summary.vhr.mtck + 1u;
        mi.source = std::filesystem::path(options.inputs[0]).filename().string() + " file " + std::to_string(options.file);
        mi.format = "DDR tape";
    }
    mi.volser = volser_to_ascii(d.summary.vhr.volser);
    while (!mi.volser.empty() && mi.volser.back() == ' ')
        mi.volser.pop_back();
    return mi;
}

// The manifest of dump --file of a tape, from the hashes its checksum checker computed:
// the volume as it was dumped, not as it is now.  The dump's error if it is unreadable,
// Error(Usage) for no such dump, Error(Damaged) for a dump whose checksums do not match.
int manifest_of_tape(const ManifestOptions& options, Reporter& reporter)
{
    TapeScan scan = scan_tapes(options.inputs);
    if (options.file == 0 || options.file > scan.dumps.size()) {
        if (!scan.dumps.empty() && scan.dumps.back().summary.problem)
            throw *scan.dumps.back().summary.problem;
        fail(ErrorKind::Usage, "no dump " + std::to_string(options.file) + " on this tape");
    }
    CheckedDump& d = scan.dumps[options.file - 1];
    if (d.summary.problem)
        throw *d.summary.problem;
    DumpChecker& c = *d.checker;
    if (!c.findings().empty())
        fail(ErrorKind::Damaged, c.findings().first().place,
             "the dump is damaged, no manifest made: " + c.findings().first().what);
    const size_t n = write_units_in_source_order(c, dump_manifest_info(d, options), options.output);
    Json& facts = reporter.facts();
    facts["of"] = "dump";
    facts["file"] = options.file;
    facts["units"] = n;
    facts["unit_name"] = c.fba() ? "block groups" : "tracks";
    facts["checksums"] = c.has_checksums();
    facts["dump"] = dump_facts(d);
    if (c.fba())
        reporter.note("manifest of " + std::to_string(n) + " block groups of dump " + std::to_string(options.file));
    else
        reporter.note("manifest of " + std::to_string(n) + " tracks of dump " + std::to_string(options.file) +
                      (c.has_checksums() ? " (its checksums matched)" : " (a tape without checksums)"));
    return 0;
}

} // namespace

// The manifest of one volume (as it is now) or of a dump on tape (as it was dumped), to
// --output: standard output, or a new file (never one that exists).  Returns 0; errors
// are thrown as ddr::Error (Usage for several volumes).
int run_manifest(const ManifestOptions& options, Reporter& reporter)
{
    if (options.inputs.empty())
        fail(ErrorKind::Usage, "nothing to make a manifest of");
    refuse_json_with_stdout({options.output}, "the manifest (--output)", reporter);
    Json& inputs = reporter.facts()["inputs"] = Json::array();
    for (const std::string& i : options.inputs)
        inputs.push(i);
    reporter.facts()["output"] = options.output;
    check_output_is_not_input(options.output, options.inputs);
    clear_leftovers_beside(options.output, reporter);
    if (looks_like_ckd_volume(options.inputs[0])) {
        if (options.inputs.size() > 1)
            fail(ErrorKind::Usage, "give one volume, or the reels of one tape");
        return manifest_of_volume(options, reporter);
    }
    if (!is_tape_input(options.inputs[0])) {
        if (options.inputs.size() > 1)
            fail(ErrorKind::Usage, "give one volume, or the reels of one tape");
        return manifest_of_volume(options, reporter);
    }
    refuse_shadow_option_for_tape(options.sf, options.inputs[0]);
    return manifest_of_tape(options, reporter);
}

uint64_t compare_volume_with_manifest(const std::string& volume_path, const std::optional<std::string>& sf,
                                      const Manifest& manifest, Findings& findings,
                                      Reporter& reporter)
{
    const OpenedVolume volume =
        open_volume_units(volume_path, manifest.fba() ? UnitKind::BlockGroup : UnitKind::Track, input_volume(sf));
    const UnitGeometry& g = volume.units->geometry();
    if (volume.ckd && volume.ckd->info().heads != manifest.info.heads)
        fail(ErrorKind::Device, file_place(volume_path),
             "the volume has " + std::to_string(volume.ckd->info().heads) + " heads; the manifest's has " +
                 std::to_string(manifest.info.heads));
    // A manifest line names a track by cylinder and head, a block group by first and count.
    auto on_volume = [&](TrackAddress a) {
        if (g.fba())
            return a.head > 0 && a.head <= kFbaGroupBlocks && volume.units->contains({a.cyl, a.head});
        return a.cyl < volume.ckd->info().cylinders && a.head < volume.ckd->info().heads;
    };
    const uint64_t track_size = volume.ckd ? volume.ckd->info().track_size : 0;
    uint64_t n = 0, bytes = 0;
    for (const auto& [a, want] : manifest.tracks) {
        check_interrupted();
        const Place where = g.fba() ? file_place(volume_path).with_fba_block(a.cyl) : file_place(volume_path).with_track(a.cyl, a.head);
        if (!on_volume(a)) {
            findings.add(where, g.fba() ? "the volume has no such block group" : "the volume has no such track");
            continue;
        }
        const Unit u = g.fba() ? Unit{a.cyl, a.head} : Unit{cchh_value(a), 1};
        if (volume.units->content_hash(u) != want)
            findings.add(where, g.fba() ? g.describe_unit(u) + " differ from the manifest" : "the track differs from the manifest");
        ++n;
        bytes += g.fba() ? uint64_t(u.count) * kFbaBlockSize : track_size;
        reporter.progress(n, manifest.tracks.size(), bytes, "verify", progress_place(g, u.address));
    }
    reporter.end_progress();
    return n;
}

} // namespace ddr
