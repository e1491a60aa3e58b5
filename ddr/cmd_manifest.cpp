#include "ddr/cmd_manifest.hpp"

#include "ddr/device_choice.hpp"
#include "formats/ddrtape/extents.hpp"
#include "ddr/inputs.hpp"
#include "formats/io/interrupt.hpp"
#include "ddr/outputs.hpp"
#include "formats/ddrtape/tape_scan.hpp"
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
    cmd->add_option("-o,--output", options->output, "the manifest file (default: standard output)");
    cmd->add_option("--file", options->file, "the Nth dump on the tape (default 1)");
    cmd->add_option("-c,--cylinders", options->extents, "volume: only these cylinders (A-B)")->delimiter(',');
    cmd->callback([options, &action] { action = [options](Reporter& r) { return run_manifest(*options, r); }; });
}

uint64_t track_content_hash(const TrackImage& track, TrackAddress address, DdrTrackEncoder& encoder)
{
    encoder.encode(track, address);
    return digest_group(encoder.blocks(), encoder.image().size()).content;
}

namespace {

int manifest_of_volume(const ManifestOptions& options, Reporter& reporter)
{
    const std::string& path = options.inputs[0];
    auto volume = open_ckd_volume(path);
    const CkdVolumeInfo& info = volume->info();
    const CkdDevice& dev = device_for_image(info, std::nullopt, path);
    std::vector<Extent> extents = parse_extents(options.extents, std::nullopt);
    if (extents.empty())
        extents.push_back({0, info.cylinders - 1u, 0});
    check_extents_within(extents, info.cylinders - 1u, path);
    TrackImage track;
    volume->read_track({0, 0}, track);
    ManifestInfo mi;
    mi.device = std::string(dev.name);
    mi.cylinders = info.cylinders;
    mi.heads = info.heads;
    if (auto label = find_ckd_volume_label(track))
        mi.volser = label->volser;
    mi.source = std::filesystem::path(path).filename().string();
    mi.format = info.format;
    ManifestWriter out(options.output, mi);
    DdrTrackEncoder encoder;
    uint64_t n = 0, total = 0;
    for (const Extent& e : extents)
        total += (e.last - e.first + 1) * info.heads;
    for (const Extent& e : extents) {
        for (uint64_t c = e.first; c <= e.last; ++c) {
            for (uint32_t h = 0; h < info.heads; ++h) {
                check_interrupted();
                TrackAddress a{uint32_t(c), h};
                try {
                    volume->read_track(a, track);
                    out.add(a, track_content_hash(track, a, encoder));
                } catch (const Error& err) {
                    throw err.within(file_place(path).with_track(a.cyl, a.head));
                }
                ++n;
                reporter.progress(n, total, n * info.track_size, "manifest");
            }
        }
    }
    reporter.end_progress();
    out.finish();
    reporter.note("manifest of " + std::to_string(n) + " tracks of " + path);
    return 0;
}

// FBA: groups of up to 120 blocks, aligned on multiples of 120, as dumps make them.
int manifest_of_fba_volume(const ManifestOptions& options, Reporter& reporter)
{
    const std::string& path = options.inputs[0];
    auto volume = open_fba_volume(path);
    const FbaVolumeInfo& info = volume->info();
    std::vector<Extent> extents = parse_extents(options.extents, std::nullopt, "block");
    if (extents.empty())
        extents.push_back({0, info.blocks - 1, 0});
    check_extents_within(extents, info.blocks - 1, path, "block");
    Bytes data(size_t(kFbaGroupBlocks) * kFbaBlockSize);
    ManifestInfo mi;
    mi.kind = "fba";
    const FbaDevice* dev = fba_device_for_blocks(info.blocks);
    mi.device = dev ? std::string(dev->name) : "FB-512";
    mi.blocks = info.blocks;
    if (info.blocks > 1) {
        volume->read_blocks(1, MutableByteSpan(data.data(), kFbaBlockSize));
        mi.volser = find_fba_volser(ByteSpan(data.data(), kFbaBlockSize)).value_or("");
    }
    mi.source = std::filesystem::path(path).filename().string();
    mi.format = info.format;
    ManifestWriter out(options.output, mi);
    FbaGroupEncoder encoder;
    uint64_t groups = 0;
    for (const Extent& e : extents) {
        for (uint64_t start = e.first; start <= e.last;) {
            check_interrupted();
            const uint64_t end = std::min<uint64_t>(e.last, (start / kFbaGroupBlocks + 1) * kFbaGroupBlocks - 1);
            MutableByteSpan span(data.data(), size_t(end - start + 1) * kFbaBlockSize);
            volume->read_blocks(start, span);
            encoder.encode(span, uint32_t(start));
            out.add_group(uint32_t(start), uint32_t(end - start + 1), digest_group(encoder.blocks(), encoder.image().size()).content);
            ++groups;
            start = end + 1;
        }
    }
    out.finish();
    reporter.note("manifest of " + std::to_string(groups) + " block groups of " + path);
    return 0;
}

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
        fail(ErrorKind::Damaged, c.findings().front().place,
             "the dump is damaged, no manifest made: " + c.findings().front().what);
    ManifestInfo mi;
    if (c.fba()) {
        mi.kind = "fba";
        const auto f = fba_fields(d.summary.vhr);
        mi.blocks = f ? f->blocks : 0;
        mi.device = c.dump_header() ? c.dump_header()->model : "FB-512";
        mi.source = c.dump_header() ? c.dump_header()->source_name : options.inputs[0];
        mi.format = c.dump_header() ? c.dump_header()->source_format : "DDR tape";
        mi.volser = volser_to_ascii(d.summary.vhr.volser);
        std::vector<std::pair<TrackAddress, uint64_t>> groups;
        c.for_each_unit([&](const Place&, const DumpChecker::ReadUnit& u) {
            groups.emplace_back(TrackAddress{c.source_of(u.output_cchh), u.count}, u.content);
        });
        std::sort(groups.begin(), groups.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
        ManifestWriter out(options.output, mi);
        for (auto& [a, h] : groups)
            out.add_group(a.cyl, a.head, h);
        out.finish();
        reporter.note("manifest of " + std::to_string(groups.size()) + " block groups of dump " + std::to_string(options.file));
        return 0;
    }
    if (c.dump_header()) {
        mi.device = c.dump_header()->model;
        mi.cylinders = c.dump_header()->cylinders;
        mi.heads = c.dump_header()->heads;
        mi.source = c.dump_header()->source_name;
        mi.format = c.dump_header()->source_format;
    } else {
        mi.device = devices_fitting(d.summary.vhr);
        mi.heads = d.summary.vhr.mtck + 1u;
        mi.source = std::filesystem::path(options.inputs[0]).filename().string() + " file " + std::to_string(options.file);
        mi.format = "DDR tape";
    }
    mi.volser = volser_to_ascii(d.summary.vhr.volser);
    while (!mi.volser.empty() && mi.volser.back() == ' ')
        mi.volser.pop_back();
    // Tracks in source order: a REORDERed dump's source addresses may not ascend.
    std::vector<std::pair<TrackAddress, uint64_t>> tracks;
    c.for_each_unit([&](const Place&, const DumpChecker::ReadUnit& u) {
        uint8_t b[4];
        store_be32(b, c.source_of(u.output_cchh));
        tracks.emplace_back(decode_cchh(b, c.eav_form()), u.content);
    });
    std::sort(tracks.begin(), tracks.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    ManifestWriter out(options.output, mi);
    for (auto& [a, h] : tracks)
        out.add(a, h);
    out.finish();
    reporter.note("manifest of " + std::to_string(tracks.size()) + " tracks of dump " + std::to_string(options.file) +
                  (c.has_checksums() ? " (its checksums matched)" : " (a tape without checksums)"));
    return 0;
}

} // namespace

int run_manifest(const ManifestOptions& options, Reporter& reporter)
{
    if (options.inputs.empty())
        fail(ErrorKind::Usage, "nothing to make a manifest of");
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
        return manifest_of_fba_volume(options, reporter);
    }
    return manifest_of_tape(options, reporter);
}

uint64_t compare_volume_with_manifest(const std::string& volume_path, const Manifest& manifest,
                                      std::vector<ChecksumFinding>& findings, Reporter& reporter)
{
    if (manifest.fba()) {
        auto volume = open_fba_volume(volume_path);
        const uint64_t blocks = volume->info().blocks;
        Bytes data(size_t(kFbaGroupBlocks) * kFbaBlockSize);
        FbaGroupEncoder encoder;
        uint64_t n = 0;
        for (const auto& [a, want] : manifest.tracks) {
            check_interrupted();
            const uint64_t first = a.cyl, count = a.head;
            Place where{volume_path, {}, {}, {}, {}, {}, first};
            if (count == 0 || count > kFbaGroupBlocks || first + count > blocks) {
                findings.push_back({where, "the volume has no such block group"});
                continue;
            }
            MutableByteSpan span(data.data(), size_t(count) * kFbaBlockSize);
            volume->read_blocks(first, span);
            encoder.encode(span, uint32_t(first));
            if (digest_group(encoder.blocks(), encoder.image().size()).content != want)
                findings.push_back({where, "blocks " + std::to_string(first) + "-" + std::to_string(first + count - 1) +
                                               " differ from the manifest"});
            ++n;
        }
        return n;
    }
    auto volume = open_ckd_volume(volume_path);
    const CkdVolumeInfo& info = volume->info();
    if (info.heads != manifest.info.heads)
        fail(ErrorKind::Device, file_place(volume_path),
             "the volume has " + std::to_string(info.heads) + " heads; the manifest's has " + std::to_string(manifest.info.heads));
    TrackImage track;
    DdrTrackEncoder encoder;
    uint64_t n = 0;
    for (const auto& [a, want] : manifest.tracks) {
        check_interrupted();
        Place where{volume_path, {}, {}, {}, a.cyl, a.head, {}};
        if (a.cyl >= info.cylinders || a.head >= info.heads) {
            findings.push_back({where, "the volume has no such track"});
            continue;
        }
        volume->read_track(a, track);
        if (track_content_hash(track, a, encoder) != want)
            findings.push_back({where, "the track differs from the manifest"});
        ++n;
        reporter.progress(n, manifest.tracks.size(), n * info.track_size, "verify");
    }
    reporter.end_progress();
    return n;
}

} // namespace ddr
