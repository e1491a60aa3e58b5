#include "ddr/dump.hpp"

#include "ddr/checksum_writer.hpp"
#include "ddr/device_choice.hpp"
#include "ddr/extents.hpp"
#include "ddr/interrupt.hpp"
#include "ddr/reel_writer.hpp"
#include "ddr/version.hpp"
#include "formats/ddr_stream.hpp"
#include "formats/ddr_track.hpp"
#include "formats/ebcdic.hpp"
#include "formats/error.hpp"
#include "formats/manifest.hpp"
#include "formats/volume.hpp"
#include "formats/volume_label.hpp"

#include <chrono>
#include <sys/stat.h>
#include <filesystem>

namespace ddr {

namespace {

int64_t now_unix_micros()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The dump-level fields of the checksum trailer (man/ddrtape.5 section 7).
TrailerHeader trailer_for(const CkdDevice& dev, const CkdVolumeInfo& info, const std::vector<Extent>& extents,
                          const DdrVolumeHeader& vhr, const std::string& source, int64_t unix_micros)
{
    TrailerHeader t;
    t.tod = vhr.tod;
    t.devtype = dev.devtype;
    t.model = std::string(dev.name);
    t.cylinders = info.cylinders;
    t.heads = info.heads;
    t.track_size = info.track_size;
    for (const Extent& e : extents)
        t.extents.push_back({uint32_t(e.first), uint32_t(e.last), uint32_t(e.output_first)});
    t.tool = std::string("ddr ") + kDdrVersion;
    t.unix_time = unix_micros / 1000000;
    t.source_size = info.bytes;
    t.source_format = info.format;
    t.source_name = std::filesystem::path(source).filename().string();
    return t;
}

// The volser for the VHR: the volume's own label, checked against --volser when both exist.
std::string choose_volser(CkdVolumeReader& volume, const DumpOptions& options, Reporter& reporter)
{
    TrackImage track0;
    volume.read_track({0, 0}, track0);
    std::optional<std::string> label;
    if (auto l = find_ckd_volume_label(track0))
        label = l->volser;
    if (label && options.volser && *label != *options.volser)
        fail(ErrorKind::Refused, Place{options.source, {}, {}, {}, 0, 0, {}},
             "the volume's label says " + *label + ", not " + *options.volser + " as --volser expects");
    if (label)
        return *label;
    if (options.volser)
        return *options.volser;
    reporter.warn(options.source + " has no VOL1 label; the dump's volser is blank (give --volser to set one)");
    return "";
}

// Appending after one of our dumps: IBM's DDR, restoring several dumps of a tape in one
// run (LEAVE), needs each EOJ followed directly by a tape mark.  So the last dump's
// trailer is cut off the tape and written again after the new dump's (man/ddrtape.5
// section 7).  Returns where to cut and the blocks to carry; nothing if the tape's last
// dump has no trailer after its EOJ.
struct AppendPlan {
    std::optional<uint64_t> cut_at;
    std::vector<Bytes> carried;
};

AppendPlan plan_append(const std::string& path)
{
    AppendPlan plan;
    struct stat st {};
    if (path == "-" || ::stat(path.c_str(), &st) != 0 || st.st_size == 0)
        return plan;
    auto tape = open_tape_reader(path);
    DdrStreamReader stream(*tape);
    bool after_eoj = false;
    std::optional<uint64_t> cut;
    std::vector<Bytes> blocks;
    for (;;) {
        DdrEvent e;
        try {
            e = stream.next();
        } catch (const Error& err) {
            fail(ErrorKind::Refused, err.place(), "will not append to a tape that is not a readable DDR tape: " + err.detail());
        }
        if (e == DdrEvent::EndOfData)
            break;
        if (e == DdrEvent::Header || e == DdrEvent::EndOfVolume) {
            after_eoj = false;
            cut.reset();
            blocks.clear();
        } else if (e == DdrEvent::EndOfJob) {
            after_eoj = true;
        } else if (e == DdrEvent::Extension && after_eoj) {
            if (!cut)
                cut = stream.place().offset;
            ByteSpan b = stream.block();
            blocks.emplace_back(b.begin(), b.end());
        }
    }
    if (after_eoj && cut) {
        plan.cut_at = cut;
        plan.carried = std::move(blocks);
    }
    return plan;
}

} // namespace

int run_dump(const DumpOptions& options, Reporter& reporter)
{
    if (options.tapes.empty())
        fail(ErrorKind::Usage, "no TAPE given");
    auto volume = open_ckd_volume(options.source);
    const CkdVolumeInfo& info = volume->info();
    const CkdDevice& dev = device_for_image(info, options.devtype, options.source);

    // IBM's DUMP ALL: cylinders 0..CYLP.  A smaller image (a minidisk-sized volume) holds
    // fewer; ALL then means every cylinder it has.
    const uint64_t last_image_cyl = info.cylinders - 1;
    std::vector<Extent> extents = parse_extents(options.extents, options.reorder);
    if (extents.empty()) {
        uint64_t last = std::min<uint64_t>(dev.eav ? last_image_cyl : dev.ddr.cylp, last_image_cyl);
        extents.push_back({0, last, 0});
    }
    check_extents_within(extents, last_image_cyl, options.source);
    if (!dev.eav) {
        for (const Extent& e : extents)
            if (e.output_last() > 0xFFFF)
                fail(ErrorKind::Usage, "extent '" + e.str() + "' is written beyond cylinder 65,535");
    }

    const std::string volser = choose_volser(*volume, options, reporter);
    DdrVolumeHeader vhr;
    const int64_t started = now_unix_micros();
    vhr.tod = tod_from_unix_micros(started);
    fill_vhr_geometry(vhr, dev, info.cylinders);
    if (!volser.empty()) {
        Bytes v = to_ebcdic(volser);
        std::copy(v.begin(), v.begin() + std::min<size_t>(6, v.size()), vhr.volser.begin());
    }
    const TrackAddress first_out{uint32_t(extents.front().output_first), 0};
    auto first_cchh = encode_cchh(first_out);
    vhr.cc = load_be16(first_cchh.data());
    vhr.hh = load_be16(first_cchh.data() + 2);

    TapeWriterOptions tape_options = options.tape;
    AppendPlan append;
    if (tape_options.append && !options.pure) {
        append = plan_append(options.tapes[0]);
        tape_options.append_at = append.cut_at;
        if (append.cut_at)
            reporter.detail("moving the trailer of the tape's last dump (" + std::to_string(append.carried.size()) +
                            " blocks) behind the new dump, so that its EOJ is followed by a tape mark");
    }
    ReelOutputs outputs(options.tapes, tape_options);
    ReelLimit limit;
    limit.sizes = options.reel_sizes;
    if (options.eot_margin)
        limit.margin = *options.eot_margin;
    std::optional<DumpChecksumWriter> checksums;
    if (!options.pure)
        checksums.emplace(trailer_for(dev, info, extents, vhr, options.source, started), std::move(append.carried));
    DdrReelWriter writer(outputs, limit, vhr, reporter, checksums ? &*checksums : nullptr);

    uint64_t total_tracks = 0;
    for (const Extent& e : extents)
        total_tracks += (e.last - e.first + 1) * info.heads;

    reporter.note("dumping " + (volser.empty() ? std::string("(no volser)") : volser) + " (" + std::string(dev.name) +
                  ") from " + options.source + ": cylinders " + [&] {
                      std::string s;
                      for (const Extent& e : extents)
                          s += (s.empty() ? "" : ", ") + e.str();
                      return s;
                  }());

    std::optional<ManifestWriter> manifest;
    if (options.manifest) {
        ManifestInfo mi;
        mi.device = std::string(dev.name);
        mi.cylinders = info.cylinders;
        mi.heads = info.heads;
        mi.volser = volser;
        mi.source = std::filesystem::path(options.source).filename().string();
        mi.format = info.format;
        manifest.emplace(*options.manifest, mi);
    }

    TrackImage track;
    DdrTrackEncoder encoder;
    uint64_t done = 0, image_bytes = 0;
    TrackAddress last_out{};
    for (const Extent& e : extents) {
        for (uint64_t cyl = e.first; cyl <= e.last; ++cyl) {
            for (uint32_t head = 0; head < info.heads; ++head) {
                check_interrupted();
                const TrackAddress in{uint32_t(cyl), head};
                const TrackAddress out{uint32_t(e.output_of(cyl)), head};
                Place where{options.source, {}, {}, {}, in.cyl, in.head, {}};
                try {
                    volume->read_track(in, track);
                    encoder.encode(track, out);
                } catch (const Error& err) {
                    throw err.within(where);
                }
                auto cchh = encode_cchh(out);
                writer.write_group(encoder.blocks(), encoder.image().size(), load_be16(cchh.data()),
                                   load_be16(cchh.data() + 2), cchh_value(in));
                if (manifest)
                    manifest->add(in, digest_group(encoder.blocks(), encoder.image().size()).content);
                last_out = out;
                image_bytes += encoder.image().size();
                ++done;
                reporter.progress(done, total_tracks, image_bytes, "dump");
            }
        }
    }
    reporter.end_progress();
    // EOJ names the last output cylinder with head MTCK (ddrtape.md §3).
    auto last_cchh = encode_cchh({last_out.cyl, dev.ddr.mtck});
    writer.finish(load_be16(last_cchh.data()), load_be16(last_cchh.data() + 2));
    if (manifest)
        manifest->finish();

    reporter.note("dumped " + std::to_string(done) + " tracks (" + human_bytes(image_bytes) + ") in " +
                  std::to_string(writer.blocks()) + " blocks on " + std::to_string(writer.reels()) + " reel" +
                  (writer.reels() == 1 ? "" : "s") + (options.pure ? " (no checksums: --pure)" : ", with checksums") +
                  "; dump time " + format_tod_utc(vhr.tod));
    return 0;
}

} // namespace ddr
