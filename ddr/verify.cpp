#include "ddr/verify.hpp"

#include "ddr/checksum_writer.hpp"
#include "ddr/extents.hpp"
#include "ddr/inputs.hpp"
#include "ddr/list.hpp"
#include "ddr/manifest.hpp"
#include "ddr/tape_scan.hpp"
#include "formats/ddr_fba.hpp"
#include "formats/ddr_track.hpp"
#include "formats/ebcdic.hpp"
#include "formats/volume_label.hpp"
#include "formats/error.hpp"
#include "formats/tape.hpp"
#include "formats/volume.hpp"

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

// The source address of each track of a dump: the trailer's extents, or those given.
struct SourceMap {
    std::vector<Extent> given;
    const DumpChecker* checker = nullptr;

    uint32_t source_of(uint32_t output_cchh) const
    {
        if (given.empty())
            return checker->source_of(output_cchh);
        uint8_t b[4];
        store_be32(b, output_cchh);
        TrackAddress a = decode_cchh(b, checker->eav_form());
        for (const Extent& e : given)
            if (a.cyl >= e.output_first && a.cyl <= e.output_last())
                return cchh_value({uint32_t(e.first + (a.cyl - e.output_first)), a.head});
        return output_cchh;
    }
};

// Compares every block group of an FBA dump with the volume it was dumped from.
void compare_fba_with_volume(DumpChecker& checker, const SourceMap& map, const std::string& volume_path,
                             std::vector<ChecksumFinding>& findings, uint64_t& compared)
{
    auto volume = open_fba_volume(volume_path);
    const uint64_t blocks = volume->info().blocks;
    Bytes data(size_t(kFbaGroupBlocks) * kFbaBlockSize);
    FbaGroupEncoder encoder;
    checker.for_each_unit([&](const Place& where, const DumpChecker::ReadUnit& u) {
        const uint64_t first = map.source_of(u.output_cchh);
        if (first + u.count > blocks) {
            findings.push_back({where, "the volume has no blocks " + std::to_string(first) + "-" +
                                           std::to_string(first + u.count - 1)});
            return;
        }
        MutableByteSpan span(data.data(), size_t(u.count) * kFbaBlockSize);
        volume->read_blocks(first, span);
        encoder.encode(span, uint32_t(first));
        ++compared;
        if (digest_group(encoder.blocks(), encoder.image().size()).content != u.content)
            findings.push_back({where, volume_path + " blocks " + std::to_string(first) + "-" +
                                           std::to_string(first + u.count - 1) + " differ from the group on tape"});
    });
}

// Compares every track of a dump with the volume it was dumped from.
void compare_with_volume(DumpChecker& checker, const SourceMap& map, const std::string& volume_path,
                         std::vector<ChecksumFinding>& findings, uint64_t& compared)
{
    auto volume = open_ckd_volume(volume_path);
    const CkdVolumeInfo& info = volume->info();
    TrackImage track;
    DdrTrackEncoder encoder;
    checker.for_each_unit([&](const Place& where, const DumpChecker::ReadUnit& u) {
        uint8_t b[4];
        store_be32(b, map.source_of(u.output_cchh));
        TrackAddress src = decode_cchh(b, info.eav_form());
        if (src.cyl >= info.cylinders || src.head >= info.heads) {
            findings.push_back({where, "the volume has no cyl " + std::to_string(src.cyl) + " head " + std::to_string(src.head)});
            return;
        }
        volume->read_track(src, track);
        encoder.encode(track, src);
        ++compared;
        if (digest_group(encoder.blocks(), encoder.image().size()).content != u.content)
            findings.push_back({where, volume_path + " cyl " + std::to_string(src.cyl) + " head " + std::to_string(src.head) +
                                           " differs from the track on tape"});
    });
}

int verify_tapes(const VerifyOptions& options, Reporter& reporter)
{
    TapeScan scan = scan_tapes(options.inputs, /*strict=*/true);
    if (scan.dumps.empty())
        fail(ErrorKind::Unreadable, Place{options.inputs[0], {}, {}, {}, {}, {}, {}}, "no DDR dump on this tape");
    const bool comparing = options.against || options.manifest;
    if (comparing && options.file > scan.dumps.size())
        fail(ErrorKind::Usage, "--file " + std::to_string(options.file) + ": the tape holds " +
                                   std::to_string(scan.dumps.size()) + " dump(s)");
    unsigned damaged = 0;
    std::optional<ChecksumFinding> first_bad;
    for (size_t i = 0; i < scan.dumps.size(); ++i) {
        CheckedDump& d = scan.dumps[i];
        DumpChecker& c = *d.checker;
        const DumpSummary& s = d.summary;
        std::string volser = volser_to_ascii(s.vhr.volser);
        std::printf("file %llu: %s dumped %s: %llu %s on %u reel%s\n", static_cast<unsigned long long>(s.file),
                    volser.c_str(), format_tod_utc(s.vhr.tod).c_str(), static_cast<unsigned long long>(s.tracks),
                    s.fba ? "FBA block groups" : "tracks", s.reels, s.reels == 1 ? "" : "s");
        std::vector<ChecksumFinding> findings = c.findings();
        for (const auto& [place, what] : s.order_problems)
            findings.push_back({place, what});
        if (s.ended)
            std::printf("  structure: ok (VHR, %s in order, %s, tape mark)\n", s.fba ? "groups" : "tracks",
                        s.reels > 1 ? "EOV/VHR at each reel, EOJ" : "EOJ");
        if (!c.has_checksums())
            std::printf("  checksums: none on this dump (IBM DDR or --pure): its contents are not proven by the tape alone\n");
        else if (c.findings().empty() && c.all_reels_checked())
            std::printf("  checksums: all %llu %s checksums and %u reel checksum%s match\n",
                        static_cast<unsigned long long>(c.units_checked()), s.fba ? "group" : "track", c.reels(),
                        c.reels() == 1 ? "" : "s");
        else
            std::printf("  checksums: %s\n", checksum_status(c).c_str());
        if (comparing && i + 1 == options.file) {
            SourceMap map{parse_extents(options.extents, std::nullopt), &c};
            uint64_t compared = 0;
            if (options.against) {
                if (c.fba())
                    compare_fba_with_volume(c, map, *options.against, findings, compared);
                else
                    compare_with_volume(c, map, *options.against, findings, compared);
                std::printf("  against %s: %llu tracks compared, %s\n", options.against->c_str(),
                            static_cast<unsigned long long>(compared),
                            findings.size() > c.findings().size() ? "DIFFERENCES FOUND" : "all equal");
            }
            if (options.manifest) {
                Manifest m = read_manifest(*options.manifest);
                size_t before = findings.size();
                c.for_each_unit([&](const Place& where, const DumpChecker::ReadUnit& u) {
                    uint8_t b[4];
                    store_be32(b, map.source_of(u.output_cchh));
                    const uint64_t* want = c.fba() ? m.find({map.source_of(u.output_cchh), u.count})
                                                   : m.find(decode_cchh(b, c.eav_form()));
                    ++compared;
                    if (!want)
                        findings.push_back({where, "the track is not in the manifest"});
                    else if (*want != u.content)
                        findings.push_back({where, "the track differs from the manifest's checksum"});
                });
                std::printf("  against manifest %s: %llu tracks compared, %s\n", options.manifest->c_str(),
                            static_cast<unsigned long long>(compared), findings.size() > before ? "DIFFERENCES FOUND" : "all equal");
            }
        }
        if (!findings.empty()) {
            ++damaged;
            if (!first_bad)
                first_bad = findings.front();
            std::printf("  DAMAGED: %zu problem(s)%s\n", findings.size(),
                        c.bad_units() ? (", " + std::to_string(c.bad_units()) + " bad track(s)").c_str() : "");
            print_findings(findings, options.all);
        }
        if (s.problem)
            std::printf("  UNREADABLE: %s\n", s.problem->what());
    }
    for (const ChecksumFinding& f : scan.stray)
        std::printf("note: %s: %s\n", f.place.str().c_str(), f.what.c_str());
    std::fflush(stdout);
    (void)reporter;
    if (scan.dumps.back().summary.problem)
        throw *scan.dumps.back().summary.problem;
    if (damaged)
        fail(ErrorKind::Damaged, first_bad->place, std::to_string(damaged) + " dump(s) damaged; first: " + first_bad->what);
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
             std::to_string(findings.size()) + " track(s) differ from the manifest; first: " + findings.front().what);
    return 0;
}

} // namespace

int run_verify(const VerifyOptions& options, Reporter& reporter)
{
    if (options.inputs.empty())
        fail(ErrorKind::Usage, "nothing to verify");
    refuse_unfinished(options.inputs[0]);
    if (looks_like_ckd_volume(options.inputs[0]) || !is_tape_input(options.inputs[0])) {
        if (options.inputs.size() > 1 || options.against)
            fail(ErrorKind::Usage, "give one volume and --manifest, or tapes");
        return verify_volume(options, reporter);
    }
    return verify_tapes(options, reporter);
}

} // namespace ddr
