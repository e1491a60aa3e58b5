#include "ddr/cmd_copy.hpp"

#include "ddr/device_choice.hpp"
#include "ddr/inputs.hpp"
#include "formats/io/interrupt.hpp"
#include "ddr/outputs.hpp"
#include "formats/io/error.hpp"
#include "formats/tape/tape.hpp"
#include "formats/volume/volume.hpp"

#include <CLI/CLI.hpp>

#include <memory>
#include <sys/stat.h>

namespace ddr {

namespace {

// The copy command line as given, before it is turned into CopyOptions.
struct CopyArgs {
    CopyOptions options;
    bool no_compare = false;
};

} // namespace

void add_copy_command(CLI::App& app, CommandAction& action)
{
    // The options live as long as the action that reads them.
    auto args = std::make_shared<CopyArgs>();
    CopyOptions& o = args->options;
    CLI::App* cmd =
        app.add_subcommand("copy", "the same volume or tape in another container (CKD/CCKD, FBA/CFBA, AWS/HET)");
    cmd->add_option("SOURCE", o.source, "a volume image or tape")->required();
    cmd->add_option("TARGET", o.target, "the copy (must not exist)")->required();
    cmd->add_option("--to", o.to, "ckd, cckd, cckd64, eav, fba, cfba, aws or het (default: the other kind)")
        ->check(CLI::IsMember({"ckd", "cckd", "cckd64", "eav", "fba", "cfba", "aws", "het"}, CLI::ignore_case));
    cmd->add_option("--compress", o.compress, "zlib (default), bzip2 or none");
    cmd->add_flag("--overwrite", o.overwrite, "replace an existing tape file");
    cmd->add_flag("--no-compare", args->no_compare, "do not read the copy back and compare");
    cmd->callback([args, &action] {
        args->options.compare = !args->no_compare;
        action = [args](Reporter& r) { return run_copy(args->options, r); };
    });
}

namespace {

int compression_code(const std::string& name)
{
    if (name == "none")
        return 0;
    if (name == "zlib")
        return 1;
    if (name == "bzip2")
        return 2;
    fail(ErrorKind::Usage, "--compress takes zlib, bzip2 or none, not '" + name + "'");
}

uint64_t file_size(const std::string& path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? uint64_t(st.st_size) : 0;
}

[[noreturn]] void wrong_target(const std::string& to, const char* kind)
{
    fail(ErrorKind::Usage, std::string("--to ") + to + " is not a " + kind + " container");
}

int copy_ckd(const CopyOptions& o, Reporter& reporter)
{
    auto in = open_ckd_volume(o.source);
    const CkdVolumeInfo& info = in->info();
    const bool compressed = info.format.rfind("CKD_C", 0) == 0 || info.format.rfind("CKD_E", 0) == 0;
    std::string to = o.to.value_or(compressed ? "ckd" : "cckd");
    NewCkdVolume spec;
    if (to == "ckd")
        spec.format = "CKD_P370";
    else if (to == "cckd")
        spec.format = "CKD_C370";
    else if (to == "cckd64")
        spec.format = "CKD_C064";
    else if (to == "eav")
        spec.format = "CKD_E064";
    else
        wrong_target(to, "CKD volume");
    spec.devtype_byte = info.devtype_byte;
    spec.cylinders = info.cylinders;
    spec.heads = info.heads;
    spec.track_size = info.track_size;
    spec.compression = compression_code(o.compress);
    auto out = create_ckd_volume(o.target, spec);
    TrackImage track;
    const uint64_t total = info.tracks();
    const bool compressed_target = spec.format.rfind("CKD_C", 0) == 0;
    uint64_t done = 0, flagged = 0;
    for (uint32_t c = 0; c < info.cylinders; ++c)
        for (uint32_t h = 0; h < info.heads; ++h) {
            check_interrupted();
            in->read_track({c, h}, track);
            if (compressed_target && hercules_cckd_flags(track, info.heads) && flagged++ == 0)
                reporter.warn(o.source + ": cyl " + std::to_string(c) + " head " + std::to_string(h) +
                              ": this track is kept exactly, but Hercules 3.13's cckdcdsk -3 calls such tracks invalid "
                              "and would discard them");
            out->write_track({c, h}, track);
            ++done;
            reporter.progress(done, total, done * info.track_size, "copy");
        }
    reporter.end_progress();
    if (flagged > 1)
        reporter.warn(std::to_string(flagged) + " tracks in all are of the kind Hercules 3.13's cckdcdsk -3 would discard");
    out->commit();
    out.reset();
    if (o.compare) {
        auto back = open_ckd_volume(o.target);
        TrackImage again;
        for (uint32_t c = 0; c < info.cylinders; ++c)
            for (uint32_t h = 0; h < info.heads; ++h) {
                check_interrupted();
                in->read_track({c, h}, track);
                back->read_track({c, h}, again);
                if (track.bytes != again.bytes)
                    fail(ErrorKind::Damaged, file_place(o.target).with_track(c, h),
                         "the copy differs from the source when read back");
            }
    }
    reporter.note("copied " + counted(total, "track") + " of " + o.source + " (" + info.format + ", " +
                  human_bytes(info.bytes) + ") to " + o.target + " (" + spec.format + ", " +
                  human_bytes(file_size(o.target)) + ")" + (o.compare ? "; read back: identical" : ""));
    return 0;
}

int copy_fba(const CopyOptions& o, Reporter& reporter)
{
    auto in = open_fba_volume(o.source);
    const FbaVolumeInfo& info = in->info();
    const bool compressed = info.format.rfind("FBA_C", 0) == 0;
    std::string to = o.to.value_or(compressed ? "fba" : "cfba");
    NewFbaVolume spec;
    if (to == "fba")
        spec.format = "FBA";
    else if (to == "cfba")
        spec.format = "FBA_C370";
    else
        wrong_target(to, "FBA volume");
    spec.blocks = info.blocks;
    spec.devtype = info.devtype;
    spec.compression = compression_code(o.compress);
    auto out = create_fba_volume(o.target, spec);
    constexpr uint64_t kChunk = 120;  // one CFBA block group
    Bytes buf(kChunk * kFbaBlockSize), again(kChunk * kFbaBlockSize);
    for (uint64_t b = 0; b < info.blocks; b += kChunk) {
        check_interrupted();
        uint64_t n = std::min(kChunk, info.blocks - b);
        MutableByteSpan span(buf.data(), n * kFbaBlockSize);
        in->read_blocks(b, span);
        out->write_blocks(b, span);
        reporter.progress(b + n, info.blocks, (b + n) * kFbaBlockSize, "copy");
    }
    reporter.end_progress();
    out->commit();
    out.reset();
    if (o.compare) {
        auto back = open_fba_volume(o.target);
        for (uint64_t b = 0; b < info.blocks; b += kChunk) {
            uint64_t n = std::min(kChunk, info.blocks - b);
            in->read_blocks(b, MutableByteSpan(buf.data(), n * kFbaBlockSize));
            back->read_blocks(b, MutableByteSpan(again.data(), n * kFbaBlockSize));
            if (!std::equal(buf.begin(), buf.begin() + std::ptrdiff_t(n * kFbaBlockSize), again.begin()))
                fail(ErrorKind::Damaged, file_place(o.target).with_fba_block(b),
                     "the copy differs from the source when read back (blocks " + std::to_string(b) + "-" +
                         std::to_string(b + n - 1) + ")");
        }
    }
    reporter.note("copied " + counted(info.blocks, "FBA block") + " of " + o.source + " (" + info.format + ") to " +
                  o.target + " (" + spec.format + ")" + (o.compare ? "; read back: identical" : ""));
    return 0;
}

int copy_tape(const CopyOptions& o, Reporter& reporter)
{
    auto in = open_tape_reader(o.source);
    std::string to = o.to.value_or(in->format() == "HET" ? "aws" : "het");
    TapeWriterOptions wo;
    if (to == "aws")
        wo.format = "AWS";
    else if (to == "het")
        wo.format = "HET";
    else
        wrong_target(to, "tape");
    wo.compression = wo.format == "HET" ? compression_code(o.compress) : 0;
    wo.overwrite = o.overwrite;
    auto out = create_tape_writer(o.target, wo);
    Bytes block;
    uint64_t blocks = 0, marks = 0;
    for (;;) {
        check_interrupted();
        TapeRecord r = in->read(block);
        if (r == TapeRecord::EndOfData)
            break;
        if (r == TapeRecord::TapeMark) {
            out->write_tapemark();
            ++marks;
        } else {
            out->write_block(block);
            ++blocks;
        }
    }
    out->finish();
    out.reset();
    if (o.compare && o.target != "-") {
        auto a = open_tape_reader(o.source);
        auto b = open_tape_reader(o.target);
        Bytes x, y;
        for (;;) {
            TapeRecord ra = a->read(x), rb = b->read(y);
            if (ra != rb || (ra == TapeRecord::Block && x != y))
                fail(ErrorKind::Damaged, file_place(o.target).with_block(b->block_number(), b->offset()),
                     "the copy differs from the source when read back");
            if (ra == TapeRecord::EndOfData)
                break;
        }
    }
    reporter.note("copied " + counted(blocks, "tape block") + " and " + counted(marks, "tape mark") + " of " +
                  o.source + " (" + in->format() + ") to " + o.target + " (" + wo.format + ")" +
                  (o.compare ? "; read back: identical" : ""));
    return 0;
}

} // namespace

int run_copy(const CopyOptions& options, Reporter& reporter)
{
    check_output_is_not_input(options.target, {options.source});
    clear_leftovers_beside(options.target, reporter);
    if (is_tape_input(options.source))
        return copy_tape(options, reporter);
    if (looks_like_ckd_volume(options.source))
        return copy_ckd(options, reporter);
    return copy_fba(options, reporter);
}

} // namespace ddr
