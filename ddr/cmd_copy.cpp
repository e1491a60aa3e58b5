#include "ddr/cmd_copy.hpp"

#include "ddr/device_choice.hpp"
#include "ddr/inputs.hpp"
#include "formats/io/interrupt.hpp"
#include "ddr/outputs.hpp"
#include "ddr/shadow_option.hpp"
#include "formats/ddrtape/units.hpp"
#include "formats/io/error.hpp"
#include "formats/tape/tape.hpp"
#include "formats/volume/volume.hpp"

#include "formats/io/file.hpp"

#include <CLI/CLI.hpp>

#include <memory>

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
    add_shadow_option(*cmd, o.sf);
    cmd->add_option("TARGET", o.target, "the copy (must not exist)")->required();
    cmd->add_option("--to", o.to, "ckd, cckd, cckd64, eav, fba, cfba, aws or het (default: the other kind)")
        ->check(CLI::IsMember({"ckd", "cckd", "cckd64", "eav", "fba", "cfba", "aws", "het"}, CLI::ignore_case));
    cmd->add_option("--compress", o.compress, "zlib (default), bzip2 or none");
    cmd->add_flag("--overwrite", o.overwrite, "replace an existing tape file");
    cmd->add_flag("--no-compare", args->no_compare, "do not read the copy back and compare");
    cmd->add_option("-c,--cylinders", o.extents,
                    "IBM COPY: cylinders (FBA: blocks) A, A-B or A-B:C (REORDER to C onward, volumes only)")
        ->delimiter(',');
    cmd->add_option("--reorder", o.reorder, "IBM COPY: write the single extent as starting at this cylinder");
    cmd->add_option("--volser", o.volser, "IBM COPY: the existing target's volser (confirms writing it)")
        ->transform(upper_case);
    cmd->add_flag("--force", o.force, "IBM COPY: write the existing target whatever its volser");
    cmd->add_flag("--smaller-target", o.smaller_target,
                  "IBM COPY: copy onto a target with fewer cylinders than the source (IBM's 725R answered YES)");
    cmd->add_option("--file", o.file, "tape copy: the Nth dump of the tape (IBM SKIP N-1)");
    cmd->add_flag("--checksums", o.checksums, "tape copy: add a checksum trailer to a dump without one");
    cmd->add_flag("--pure", o.pure, "tape copy: write no checksum trailer (IBM-identical)");
    cmd->callback([args, &action] {
        args->options.compare = !args->no_compare;
        action = [args](Reporter& r) { return run_copy(args->options, r); };
    });
}

namespace {

// --compress's name as the container's compression code.  Error(Usage) for another name.
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

// The size of the file at `path`; 0 if it cannot be told (only a message shows it).
uint64_t file_size(const std::string& path)
{
    return file_status(path).size;
}

// Error(Usage): --to names a container of another kind than the source's.
[[noreturn]] void wrong_target(const std::string& to, const char* kind)
{
    fail(ErrorKind::Usage, std::string("--to ") + to + " is not a " + kind + " container");
}

// The new volume of a copy, made as the source's kind in the container --to names.
struct CopyTarget {
    std::unique_ptr<CkdVolumeWriter> ckd;  // one of the two
    std::unique_ptr<FbaVolumeWriter> fba;
    std::unique_ptr<UnitSink> sink;
    std::string format;
    bool compressed = false;  // CKD: Hercules' cckdcdsk would judge its tracks
};

// The copy of a CKD volume, created with the source's geometry in --to's container
// (default: the other of compressed and not).  Error(Usage) for a --to not CKD.
CopyTarget create_ckd_copy(const CopyOptions& o, const CkdVolumeInfo& info)
{
    const bool compressed = info.format.rfind("CKD_C", 0) == 0 || info.format.rfind("CKD_E", 0) == 0;
    const std::string to = o.to.value_or(compressed ? "ckd" : "cckd");
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
    CopyTarget t;
    t.ckd = create_ckd_volume(o.target, spec);
    t.sink = sink_of(*t.ckd, o.target);
    t.format = spec.format;
    t.compressed = spec.format.rfind("CKD_C", 0) == 0;
    return t;
}

// The copy of an FBA volume, as create_ckd_copy is for CKD.
CopyTarget create_fba_copy(const CopyOptions& o, const FbaVolumeInfo& info)
{
    const bool compressed = info.format.rfind("FBA_C", 0) == 0;
    const std::string to = o.to.value_or(compressed ? "fba" : "cfba");
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
    CopyTarget t;
    t.fba = create_fba_volume(o.target, spec);
    t.sink = sink_of(*t.fba, o.target);
    t.format = spec.format;
    return t;
}

// Every unit of a volume, in order.
std::vector<Extent> whole_volume(const OpenedVolume& v)
{
    return {{0, v.ckd ? v.ckd->info().cylinders - 1u : v.fba->info().blocks - 1, 0}};
}

// Reads the copy back and compares every unit with the source's.
void compare_copy(const CopyOptions& o, OpenedVolume& in)
{
    const UnitGeometry& g = in.units->geometry();
    OpenedVolume back = open_volume_units(o.target, g.kind);
    Bytes want;
    g.for_each_unit(whole_volume(in), [&](Unit u) {
        ByteSpan a = in.units->read(u);
        want.assign(a.begin(), a.end());
        ByteSpan b = back.units->read(u);
        if (!std::equal(want.begin(), want.end(), b.begin(), b.end()))
            fail(ErrorKind::Damaged, g.place(o.target, u.address),
                 g.fba() ? "the copy differs from the source when read back (" + g.describe_unit(u) + ")"
                         : std::string("the copy differs from the source when read back"));
    });
}

// A volume in another container, CKD or FBA: every unit copied, then read back.
int copy_volume(const CopyOptions& o, Reporter& reporter)
{
    OpenedVolume in = open_volume_units(o.source, looks_like_ckd_volume(o.source) ? UnitKind::Track : UnitKind::BlockGroup,
                                        input_volume(o.sf));
    note_missing_shadow(in.ckd ? in.ckd->info().missing_shadow : in.fba->info().missing_shadow, o.source, reporter);
    const UnitGeometry& g = in.units->geometry();
    CopyTarget out = in.ckd ? create_ckd_copy(o, in.ckd->info()) : create_fba_copy(o, in.fba->info());
    const uint64_t total = in.ckd ? in.ckd->info().tracks() : in.fba->info().blocks;
    const uint64_t unit_bytes = in.ckd ? in.ckd->info().track_size : kFbaBlockSize;
    uint64_t done = 0, flagged = 0;
    TrackImage unit;  // a track, or the blocks of a group
    g.for_each_unit(whole_volume(in), [&](Unit u) {
        ByteSpan bytes = in.units->read(u);
        unit.bytes.assign(bytes.begin(), bytes.end());
        if (out.compressed && hercules_cckd_flags(unit, g.heads) && flagged++ == 0)
            reporter.warn(o.source + ": " + g.describe(u.address) +
                          ": this track is kept exactly, but Hercules 3.13's cckdcdsk -3 calls such tracks invalid "
                          "and would discard them");
        out.sink->write(u.address, u.count, unit.bytes, g.place(o.target, u.address));
        done += u.count;
        reporter.progress(done, total, done * unit_bytes, "copy", progress_place(g, u.address));
    });
    reporter.end_progress();
    if (flagged > 1)
        reporter.warn(std::to_string(flagged) + " tracks in all are of the kind Hercules 3.13's cckdcdsk -3 would discard");
    in.ckd ? out.ckd->commit() : out.fba->commit();
    const std::string format = out.format;
    out = CopyTarget{};  // closed before it is read back
    if (o.compare)
        compare_copy(o, in);
    const std::string read_back = o.compare ? "; read back: identical" : "";
    Json& facts = reporter.facts();
    facts["source_format"] = in.ckd ? in.ckd->info().format : in.fba->info().format;
    facts["source_container"] = container_kind(facts["source_format"].as_string());
    facts["target_format"] = format;
    facts["target_container"] = container_kind(format);
    facts["units"] = total;
    facts["unit_name"] = in.ckd ? "tracks" : "blocks";
    facts["source_bytes"] = in.ckd ? in.ckd->info().bytes : in.fba->info().bytes;
    facts["target_bytes"] = file_size(o.target);
    facts["compared"] = o.compare;
    if (in.ckd)
        reporter.note("copied " + counted(total, "track") + " of " + o.source + " (" + in.ckd->info().format + ", " +
                      human_bytes(in.ckd->info().bytes) + ") to " + o.target + " (" + format + ", " +
                      human_bytes(file_size(o.target)) + ")" + read_back);
    else
        reporter.note("copied " + counted(total, "FBA block") + " of " + o.source + " (" + in.fba->info().format +
                      ") to " + o.target + " (" + format + ")" + read_back);
    return 0;
}

// What a tape copy wrote.
struct TapeCopied {
    uint64_t blocks = 0;
    uint64_t marks = 0;
};

// Every block and tape mark of `in`, to its end, written as they are to a new tape at
// `target`, which is finished (and closed) before this returns.
TapeCopied copy_tape_records(TapeReader& in, const std::string& target, const TapeWriterOptions& options)
{
    auto out = create_tape_writer(target, options);
    Bytes block;
    TapeCopied copied;
    for (;;) {
        check_interrupted();
        TapeRecord r = in.read(block);
        if (r == TapeRecord::EndOfData)
            break;
        if (r == TapeRecord::TapeMark) {
            out->write_tapemark();
            ++copied.marks;
        } else {
            out->write_block(block);
            ++copied.blocks;
        }
    }
    out->finish();
    return copied;
}

// Reads the copy of a tape back beside its source, record by record.  Error(Damaged) at
// the first block or mark that differs.
void compare_tape_copy(const CopyOptions& o)
{
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

// A tape in the other container (AWS or HET, --to), every record as it is; then read back.
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
    const TapeCopied copied = copy_tape_records(*in, o.target, wo);
    if (o.compare && o.target != "-")
        compare_tape_copy(o);
    Json& facts = reporter.facts();
    facts["source_format"] = in->format();
    facts["target_format"] = wo.format;
    facts["tape_blocks"] = copied.blocks;
    facts["tape_marks"] = copied.marks;
    facts["compared"] = o.compare && o.target != "-";
    reporter.note("copied " + counted(copied.blocks, "tape block") + " and " + counted(copied.marks, "tape mark") + " of " +
                  o.source + " (" + in->format() + ") to " + o.target + " (" + wo.format + ")" +
                  (o.compare ? "; read back: identical" : ""));
    return 0;
}

} // namespace

// A volume or a tape copied to TARGET in another container (its kind kept) and, unless
// --no-compare, read back and compared.  Returns 0; errors are thrown as ddr::Error
// (Usage for a --to of another kind, Damaged for a copy that reads back different).
int run_copy(const CopyOptions& options, Reporter& reporter)
{
    refuse_json_with_stdout({options.target}, "the copy", reporter);
    check_output_is_not_input(options.target, {options.source});
    clear_leftovers_beside(options.target, reporter);
    const bool tape = is_tape_input(options.source);
    if (tape)
        refuse_shadow_option_for_tape(options.sf, options.source);
    const bool ibm = is_ddr_copy(options, tape);
    Json& facts = reporter.facts();
    facts["source"] = options.source;
    facts["target"] = options.target;
    // What kind of copy: IBM's COPY of a dump or of a volume, or a container copy.
    facts["mode"] = ibm ? (tape ? "dump" : "volume") : (tape ? "tape" : "container");
    if (ibm)
        return tape ? copy_dump(options, reporter) : copy_volume_units(options, reporter);
    if (tape)
        return copy_tape(options, reporter);
    return copy_volume(options, reporter);
}

} // namespace ddr
