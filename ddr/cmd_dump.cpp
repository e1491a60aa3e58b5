#include "ddr/cmd_dump.hpp"
#include "ddr/cmd_dump_system.hpp"
#include "ddr/dump_resume.hpp"
#include "ddr/shadow_option.hpp"
#include "ddr/size_arg.hpp"

#include "formats/ddrtape/checksum_writer.hpp"
#include "ddr/device_choice.hpp"
#include "formats/ddrtape/extents.hpp"
#include "formats/io/interrupt.hpp"
#include "ddr/outputs.hpp"
#include "formats/ddrtape/reel_writer.hpp"
#include "ddr/version.hpp"
#include "devices/fba_devices.hpp"
#include "formats/ddrtape/fbg_group.hpp"
#include "formats/ddrtape/stream.hpp"
#include "formats/ddrtape/thr_group.hpp"
#include "formats/ddrtape/units.hpp"
#include "formats/io/ebcdic.hpp"
#include "formats/io/error.hpp"
#include "formats/io/file.hpp"
#include "formats/io/tod.hpp"
#include "formats/tape/drive_tape.hpp"
#include "formats/tape/tape_file.hpp"
#include "formats/ddrtape/manifest.hpp"
#include "formats/volume/cp_volume.hpp"
#include "formats/volume/volume.hpp"
#include "formats/volume/volume_label.hpp"
#include "formats/volume/volume_snapshot.hpp"
#include "ddr/exit_codes.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <filesystem>

namespace ddr {

namespace {

// The dump command line as given, before it is turned into DumpOptions.
struct DumpArgs {
    DumpOptions options;
    std::string reel_sizes;   // --reel-size SIZE[,SIZE...]
    std::string eot_margin;   // --eot-margin BYTES
    std::string tape_format;  // --format aws|het; empty: not given
    std::vector<std::string> mirrors;  // --mirror TAPE[,TAPE...], one per tape set
    SystemDumpOptions system; // --system CNF --to DIR...: every volume of a system
    std::string at_end;       // --at-end rewind|unload|leave; empty: rewind
};

// A comma list: "a.aws,b.aws" -> {"a.aws", "b.aws"}.
std::vector<std::string> split_commas(const std::string& list)
{
    std::vector<std::string> items;
    for (size_t start = 0; start <= list.size();) {
        size_t comma = list.find(',', start);
        if (comma == std::string::npos)
            comma = list.size();
        items.push_back(list.substr(start, comma - start));
        start = comma + 1;
    }
    return items;
}

// --reel-size's list: each reel its own size, the last repeating.  Error(Usage).
std::vector<uint64_t> parse_reel_sizes(const std::string& list)
{
    std::vector<uint64_t> sizes;
    if (!list.empty())
        for (const std::string& item : split_commas(list))
            sizes.push_back(parse_size(item, true));
    return sizes;
}

// Completes args.options from the texts given for sizes and the tape container.
// Error(Usage) for a size that is none.
void finish_dump_options(DumpArgs& args)
{
    DumpOptions& o = args.options;
    o.reel_sizes = parse_reel_sizes(args.reel_sizes);
    if (!args.eot_margin.empty())
        o.eot_margin = parse_size(args.eot_margin, false);
    o.tape.format = args.tape_format == "het" || args.tape_format == "HET" ? "HET" : "AWS";
    o.tape.compression = o.tape.format == "HET" ? 1 : 0;
    o.tape_format_given = !args.tape_format.empty();
    o.mirror_tapes.clear();
    for (const std::string& list : args.mirrors)
        o.mirror_tapes.push_back(split_commas(list));
    const std::string at_end = upper_case(args.at_end);
    o.tape.disposition = at_end == "UNLOAD"  ? TapeDisposition::Unload
                         : at_end == "LEAVE" ? TapeDisposition::Leave
                                             : TapeDisposition::Rewind;
}

} // namespace

void add_dump_command(CLI::App& app, CommandAction& action)
{
    // The options live as long as the action that reads them.
    auto args = std::make_shared<DumpArgs>();
    DumpOptions& o = args->options;
    CLI::App* cmd = app.add_subcommand("dump", "dump a volume image to DDR tape (IBM DUMP)");
    cmd->add_option("SOURCE", o.source, "the volume image");
    add_shadow_option(*cmd, o.sf);
    cmd->add_option("TAPE", o.tapes, "tape file(s): successive reels; - for standard output");
    cmd->add_option("-c,--cylinders", o.extents,
                    "cylinders A, A-B, or A-B:C (dump A-B as C onward, IBM REORDER); repeat for up to 20 "
                    "extents; default: all primary cylinders (IBM DUMP ALL)")
        ->delimiter(',')
        ->allow_extra_args(false);  // one value an occurrence: SOURCE and TAPE are optional (--system)
    cmd->add_option("-b,--blocks", o.blocks, "FBA: blocks A, A-B or A-B:C (REORDER to block C); default all")
        ->delimiter(',')
        ->allow_extra_args(false);  // one value an occurrence: SOURCE and TAPE are optional (--system)
    cmd->add_option("--reorder", o.reorder, "write the single extent as starting at this cylinder (FBA: block)");
    cmd->add_option("--devtype", o.devtype, "device type and model, where the image cannot tell (3330-11)");
    cmd->add_option("--volser", o.volser, "the volume's volser (checked against its label; used if it has none)")
        ->transform(upper_case);
    cmd->add_option("--reel-size", args->reel_sizes,
                    "bytes per reel, or a cartridge type (3480, 3490E, 3592-E08-JC); a comma list gives each "
                    "reel its own size, the last repeating; 0 = no limit");
    cmd->add_option("--eot-margin", args->eot_margin, "bytes before the end of a reel where its end is signalled");
    cmd->add_flag("--pure", o.pure, "write exactly what IBM DDR writes: no checksum trailer");
    cmd->add_flag("--cpvol", o.cpvol,
                  "IBM DUMP CPVOL: cylinder 0 and the PERM and in-use directory cylinders of a CP-formatted volume");
    cmd->add_flag("--nucleus", o.nucleus, "IBM DUMP NUCLEUS: the CP checkpoint record and the nucleus cylinders");
    cmd->add_option("--manifest", o.manifest, "also write the volume's manifest (checksum sidecar) to FILE");
    cmd->add_option("--format", args->tape_format,
                    "tape container to write: aws (default) or het; --append keeps the tape's own")
        ->check(CLI::IsMember({"aws", "het"}, CLI::ignore_case));
    cmd->add_flag("--overwrite", o.tape.overwrite, "replace existing tape files (never anything that is not a tape)");
    cmd->add_flag("--append", o.tape.append,
                  "add this dump after the dumps already on the first tape (IBM: SKIP n and LEAVE)");
    cmd->add_option("--mirror", args->mirrors,
                    "also write an identical tape set, from the same read: TAPE, or TAPE,TAPE... with as many reels "
                    "as the TAPE arguments; repeat for more sets")
        ->allow_extra_args(false);
    cmd->add_flag("--snapshot", o.snapshot,
                  "dump an instant copy-on-write clone of the source's files (reflinks: btrfs, XFS), so a volume in "
                  "use is dumped as it was at one moment");
    cmd->add_flag("--resume", o.resume,
                  "continue the interrupted dump to TAPE from its resume record (TAPE.ddr-resume): the groups on its "
                  "unfinished tape are checked against SOURCE, the rest written");
    o.record_interval = 5;
    cmd->add_option("--record-interval", o.record_interval,
                    "seconds between resume records while a tape file is written (default 5; 0: keep none)")
        ->check(CLI::NonNegativeNumber);
    add_dump_system_options(cmd, args->system);
    cmd->add_option("--at-end", args->at_end,
                    "a tape drive, once the dump is complete: rewind (default), unload or leave (IBM REWIND, "
                    "UNLOAD, LEAVE)")
        ->check(CLI::IsMember({"rewind", "unload", "leave"}, CLI::ignore_case));
    cmd->callback([args, &action] {
        finish_dump_options(*args);
        if (args->system.asked() && args->options.resume)
            throw CLI::ValidationError("--resume", "continues one dump to one tape file, not --system");
        if (args->system.asked()) {
            args->options.record_interval = 0;  // a whole system's dumps keep no resume records
            action = [args](Reporter& r) { return run_dump_system(args->options, args->system, r); };
        }
        else if (args->options.source.empty() || args->options.tapes.empty())
            throw CLI::RequiredError("ddr dump needs SOURCE and TAPE (or --system CNF --to DIR)");
        else
            action = [args](Reporter& r) { return run_dump(args->options, r); };
    });
}

namespace {

// The dump-level fields of the checksum trailer (man/ddrtape.5 section 7) that every kind
// of volume has; the sources add their geometry, run_dump the TOD and the time.
TrailerHeader trailer_for(uint16_t devtype, std::string_view model, const std::vector<Extent>& extents,
                          uint64_t source_bytes, const std::string& source_format)
{
    TrailerHeader t;
    t.devtype = devtype;
    t.model = std::string(model);
    for (const Extent& e : extents)
        t.extents.push_back({uint32_t(e.first), uint32_t(e.last), uint32_t(e.output_first)});
    t.tool = std::string("ddr ") + kDdrVersion;
    t.source_size = source_bytes;
    t.source_format = source_format;
    return t;
}

// Appending after one of our dumps: IBM's DDR, restoring several dumps of a tape in one
// run (LEAVE), needs each EOJ followed directly by a tape mark.  So the last dump's
// trailer is cut off the tape and written again after the new dump's (man/ddrtape.5
// section 7).  Returns where to cut and the blocks to carry; nothing if the tape's last
// dump has no trailer after its EOJ.  A tape whose last dump ends with EOV is refused: that
// dump goes on on another reel, and a dump written after it would be read as none.
struct AppendPlan {
    std::optional<uint64_t> cut_at;
    std::vector<Bytes> carried;
};

AppendPlan plan_append(const std::string& path)
{
    AppendPlan plan;
    if (path == "-" || file_status(path).size == 0)
        return plan;
    auto tape = open_tape_reader(path);
    DdrStreamReader stream(*tape);
    bool after_eoj = false;
    std::optional<Place> eov;  // where the last dump ended with EOV, if it did
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
            eov.reset();
            if (e == DdrEvent::EndOfVolume)
                eov = stream.place();
        } else if (e == DdrEvent::EndOfJob) {
            after_eoj = true;
        } else if (e == DdrEvent::Extension && after_eoj) {
            if (!cut)
                cut = stream.place().offset;
            ByteSpan b = stream.block();
            blocks.emplace_back(b.begin(), b.end());
        }
    }
    if (eov)
        fail(ErrorKind::Refused, *eov,
             "will not append to this tape: its last dump ends here with EOV, so it goes on on another reel; append "
             "to the reel where that dump ends (the tape was not changed)");
    if (after_eoj && cut) {
        plan.cut_at = cut;
        plan.carried = std::move(blocks);
    }
    return plan;
}

// Everything about the outputs that can be refused before a byte is read or written:
// reels named twice, an output that is the source, tape files that exist, several reels
// with no reel size.  Then what killed ddr runs left beside them is cleared away.
// Error(Usage) for a --mirror set that cannot be written beside the first: another count
// of reels, standard output, or with --append.
void check_mirrors(const DumpOptions& options)
{
    if (!options.mirror_tapes.empty() && options.tape.append)
        fail(ErrorKind::Usage, "--mirror cannot be combined with --append: each set would need its own tape to "
                               "append to (append to each tape in a dump of its own)");
    for (const std::vector<std::string>& set : options.mirror_tapes) {
        std::string named;
        for (const std::string& reel : set)
            named += (named.empty() ? "" : ",") + reel;
        if (set.size() != options.tapes.size())
            fail(ErrorKind::Usage, "--mirror " + named + " names " + counted(set.size(), "reel") + " but the dump has " +
                                       counted(options.tapes.size(), "TAPE argument") +
                                       ": every tape set has as many reels as the first");
        for (const std::string& reel : set)
            if (reel.empty() || reel == "-")
                fail(ErrorKind::Usage, "--mirror " + named + ": a mirror reel must be a file (only the first tape set "
                                                             "can go to standard output)");
    }
}

void check_dump_outputs(const DumpOptions& options, const std::vector<std::string>& source_files, Reporter& reporter)
{
    check_mirrors(options);
    std::vector<std::string> reels = options.tapes;
    for (const std::vector<std::string>& set : options.mirror_tapes)
        reels.insert(reels.end(), set.begin(), set.end());
    std::vector<std::string> outputs = reels;
    if (options.manifest)
        outputs.push_back(*options.manifest);
    check_outputs_distinct(outputs);
    for (const std::string& out : outputs)
        check_output_is_not_input(out, source_files);
    for (size_t i = 0; i < reels.size(); ++i) {
        const std::string& tape = reels[i];
        if (!options.tape.overwrite && !(i == 0 && options.tape.append) && open_tape_drive(tape, false))
            fail(ErrorKind::Refused, file_place(tape),
                 "is a tape drive: the dump would start its cartridge again from the beginning, replacing what it "
                 "holds (--overwrite; --append adds after the dumps on it)");
        if (tape == "-" || !path_exists(tape) || tapeio::TapeOutput::is_stream_path(tape) || (i == 0 && options.tape.append))
            continue;
        if (!options.tape.overwrite)
            fail(ErrorKind::Refused, file_place(tape), "the tape file already exists (--overwrite replaces a tape)");
        check_replaceable_tape(tape);
    }
    bool sized = false;  // a tape drive's reel ends at its early warning
    for (uint64_t size : options.reel_sizes)
        sized = sized || size != 0;
    for (const std::string& tape : options.tapes)
        sized = sized || open_tape_drive(tape, false) != nullptr;
    if (options.tapes.size() > 1 && !sized)
        fail(ErrorKind::Usage, std::to_string(options.tapes.size()) +
                                   " TAPE arguments but no --reel-size: with no limit the whole dump goes on the first "
                                   "reel (give --reel-size for a multi-reel dump)");
    for (const std::string& out : outputs)
        clear_leftovers_beside(out, reporter);
}

// The container of the tape an --append adds to, when --format does not say: the tape's
// own, so a HET tape stays HET.
std::optional<std::string> existing_tape_format(const std::string& path)
{
    if (path == "-" || !is_regular_file(path) || file_status(path).size == 0)
        return std::nullopt;
    return open_tape_reader(path)->format();
}

// The tape side of a dump, CKD or FBA: its reels, an append's moved trailer, the
// checksum trailer and the reel writer.  `largest_image` is the longest logical image a
// group of this volume can have (`unit` names it), for the reel size check.
class DumpOutput {
public:
    // `continued`: the unfinished reels an interrupted run left, and how much of each its
    // record counts (ReelOutputs::continue_reels); nullopt for new tapes.
    DumpOutput(const DumpOptions& options, const DdrVolumeHeader& vhr, TrailerHeader trailer, uint64_t largest_image,
               const std::string& unit, std::optional<ContinuedReels> continued, Reporter& reporter)
        : options_(options)
    {
        TapeWriterOptions tape_options = options.tape;
        if (tape_options.append && !options.tape_format_given) {
            if (auto format = existing_tape_format(options.tapes[0]); format && *format != tape_options.format) {
                reporter.detail("appending to " + options.tapes[0] + " as " + *format + ", the container it is in");
                tape_options.format = *format;
                tape_options.compression = *format == "HET" ? 1 : 0;
            }
        }
        AppendPlan append;
        if (tape_options.append)
            append = plan_append(options.tapes[0]);
        // Even --pure moves the last dump's trailer (MovedTrailerWriter says why).
        if (tape_options.append) {
            tape_options.append_at = append.cut_at;
            if (append.cut_at)
                reporter.detail("moving the trailer of the tape's last dump (" + counted(append.carried.size(), "block") +
                                ") behind the new dump, so that its EOJ is followed by a tape mark");
        }
        format_ = tape_options.format;
        std::vector<std::vector<std::string>> sets{options.tapes};
        sets.insert(sets.end(), options.mirror_tapes.begin(), options.mirror_tapes.end());
        outputs_.emplace(std::move(sets), tape_options, [&reporter](size_t set, const Error& why) {
            reporter.warn("tape set " + std::to_string(set + 1) + " failed and was dropped (its files were removed; the "
                          "other sets go on): " + why.what());
        });
        if (continued)
            outputs_->continue_reels(std::move(continued->temporaries), std::move(continued->checked_ends));
        ReelLimit limit;
        limit.sizes = options.reel_sizes;
        if (options.eot_margin)
            limit.margin = *options.eot_margin;
        ReelObserver* observer = nullptr;
        if (!options.pure) {
            checksums_.emplace(std::move(trailer), std::move(append.carried));
            observer = &*checksums_;
        } else if (!append.carried.empty()) {
            moved_trailer_.emplace(std::move(append.carried));
            observer = &*moved_trailer_;
        }
        writer_.emplace(*outputs_, limit, vhr, [&reporter](const std::string& line) { reporter.note(line); }, observer);
        writer_->check_reel_sizes(largest_image, unit);
    }
    DdrReelWriter& writer() { return *writer_; }
    const std::vector<TapeSetState>& sets() const { return outputs_->sets(); }
    size_t complete_sets() const
    {
        return size_t(std::count_if(sets().begin(), sets().end(), [](const TapeSetState& s) { return !s.failed; }));
    }
    std::string summary(uint64_t units, const char* unit_name, uint64_t bytes, uint64_t tod) const
    {
        return "dumped " + std::to_string(units) + " " + unit_name + " (" + human_bytes(bytes) + ") in " +
               std::to_string(writer_->blocks()) + " tape block" + (writer_->blocks() == 1 ? "" : "s") + " on " +
               std::to_string(writer_->reels()) + " reel" + (writer_->reels() == 1 ? "" : "s") +
               (options_.pure ? " (no checksums: --pure)" : ", with checksums") +
               (sets().size() < 2 ? "" : ", on " + std::to_string(complete_sets()) + " identical tape sets") +
               "; dump time " + format_tod_utc(tod);
    }
    // The TAPE arguments the dump did not need (each a note: they were not created).
    std::vector<std::string> unused_reels() const
    {
        return {options_.tapes.begin() + std::min<size_t>(writer_->reels(), options_.tapes.size()), options_.tapes.end()};
    }

    // The report's "format" and "reels" (man/ddr.1, JSON REPORTS): each reel as written,
    // its units (`reel_units`, counted as the summary counts) and its trailer's reel hash.
    void report(const std::vector<uint64_t>& reel_units, Json& facts) const
    {
        facts["format"] = format_;
        facts["reels"] = reels_facts(*writer_, checksums_ ? &*checksums_ : nullptr, reel_units);
        facts["tape_blocks"] = writer_->blocks();
        facts["tape_bytes"] = writer_->bytes();
        facts["checksums"] = !options_.pure;
    }

private:
    const DumpOptions& options_;
    std::string format_;
    std::optional<ReelOutputs> outputs_;
    std::optional<DumpChecksumWriter> checksums_;
    std::optional<MovedTrailerWriter> moved_trailer_;
    std::optional<DdrReelWriter> writer_;
};

// Names the reels given that the dump did not reach (their files were never created).
void note_unused_reels(const DumpOutput& output, Reporter& reporter)
{
    for (const std::string& tape : output.unused_reels())
        reporter.note(tape + " was not needed: the dump ended on an earlier reel (the file was not created)");
}

// The stamps of `files` now: taken before the source is read, compared after.
std::vector<FileStamp> stamps_of(const std::vector<std::string>& files)
{
    std::vector<FileStamp> stamps;
    for (const std::string& f : files)
        stamps.push_back(file_stamp(f));
    return stamps;
}

// What changed in `files` since `before` was taken: "FILE: what", one per file that did.
std::vector<std::string> changes_since(const std::vector<std::string>& files, const std::vector<FileStamp>& before)
{
    std::vector<std::string> changes;
    for (size_t i = 0; i < files.size(); ++i)
        if (std::string what = describe_change(before[i], file_stamp(files[i])); !what.empty())
            changes.push_back(files[i] + ": " + what);
    return changes;
}

// The files a dump reads: the source's own, or (--snapshot) their clones.
struct SourceImage {
    std::string path;                    // what to open
    std::vector<std::string> originals;  // with a snapshot, the source's own files (no output may be one)
};

// What a dump takes from its source, CKD or FBA: the volume read as units, the extents,
// and everything of the VHR, the trailer and the manifest that depends on the kind.  The
// dump itself (run_dump) is then one path for both.
struct DumpSource {
    std::vector<std::string> files;        // the files read: the volume's, or their clones
    std::vector<FileStamp> stamps;         // theirs when opened, before any track was read
    std::unique_ptr<CkdVolumeReader> ckd;  // the volume, one of the two
    std::unique_ptr<FbaVolumeReader> fba;
    std::unique_ptr<VolumeUnits> units;
    std::vector<Extent> extents;           // cylinders or blocks
    DdrVolumeHeader vhr;                   // all but the TOD and the first output address
    TrailerHeader trailer;                 // the dump-level fields but the TOD and time
    ManifestInfo manifest;
    std::string announcement;              // "VMRES1 (3390-3) from vol.3390: cylinders 0-3338"
    uint64_t largest_image = 0;            // the longest group image, for the reel size check
    std::string largest_what;              // what that group is, for the message
    const char* counted_as = "tracks";     // what the summary counts: tracks or FBA blocks
    uint16_t last_head = 0;                // CKD: the head the EOJ names (MTCK)
    std::optional<Bytes> nucleus_record;   // NUCLEUS: the checkpoint record, written after the VHR
};

// The VHR's volser: the volume's label, checked against --volser when both are there.
std::string dump_volser(const std::optional<std::string>& label, const DumpOptions& options, const Place& label_place,
                        Reporter& reporter)
{
    if (label && options.volser && *label != *options.volser)
        fail(ErrorKind::Refused, label_place,
             "the volume's label says " + *label + ", not " + *options.volser + " as --volser expects");
    if (label)
        return *label;
    if (options.volser)
        return *options.volser;
    reporter.warn(options.source + " has no VOL1 label; the dump's volser is blank (give --volser to set one)");
    return "";
}

// "0-9, 20-29:10": the extents as given, for the announcement.
std::string extents_text(const std::vector<Extent>& extents)
{
    std::string s;
    for (const Extent& e : extents)
        s += (s.empty() ? "" : ", ") + e.str();
    return s;
}

// IBM's RESTORE refuses cylinders past the header's CYLA (DMKDDR713E): a dump written
// there could never be restored, so it is not written.  Error(Usage) names the first
// extent that goes past; an EAV's header has no such limit.
void check_restorable(const std::vector<Extent>& extents, const CkdDevice& dev, uint64_t last_image_cyl)
{
    if (dev.eav)
        return;
    const uint64_t last_cyl = std::max<uint64_t>(dev.ddr.cyla, last_image_cyl);
    for (const Extent& e : extents)
        if (e.output_last() > last_cyl)
            fail(ErrorKind::Usage, "extent '" + e.str() + "' is written up to cylinder " +
                                       std::to_string(e.output_last()) + ", past the last cylinder of a " +
                                       std::string(dev.name) + " (" + std::to_string(last_cyl) +
                                       "): no restore could write it");
}

// A CP-formatted volume's own extents (IBM's DUMP CPVOL and DUMP NUCLEUS), read from
// track 0; `src` keeps the checkpoint record of a NUCLEUS dump.  A volume that is not
// CP-formatted as the dump needs is Error(NotCpVolume) with IBM's message, naming the
// file and track 0; nothing is written.
std::vector<Extent> cp_extents(const DumpOptions& options, const TrackImage& track0, uint64_t last_image_cyl,
                               DumpSource& src)
{
    const Place where = file_place(options.source).with_track(0, 0);
    std::vector<Extent> extents;
    try {
        if (options.nucleus) {
            ByteSpan record = find_cp_checkpoint(track0);
            const CpCheckpoint ckp = decode_cp_checkpoint(record);
            src.nucleus_record.emplace(record.begin(), record.end());
            extents.push_back({ckp.nucleus_first, ckp.nucleus_last, ckp.nucleus_first});
        } else {
            for (const auto& [first, last] : read_cp_volume(track0).allocation.cpvol_runs())
                extents.push_back({first, last, first});
        }
    } catch (const Error& e) {
        fail(e.kind(), where, std::string(options.nucleus ? "DMKDDR723E NO VALID CP NUCLEUS ON THE INPUT UNIT"
                                                          : "DMKDDR700E INPUT UNIT IS NOT A CPVOL") +
                                  ": " + e.detail());
    }
    if (extents.back().last > last_image_cyl)
        fail(ErrorKind::NotCpVolume, where,
             std::string(options.nucleus ? "the checkpoint record" : "R4 (the CP allocation record)") + " names cylinder " +
                 std::to_string(extents.back().last) + " to dump, but the image ends at cylinder " +
                 std::to_string(last_image_cyl));
    return extents;
}

// The extents of a CKD dump: --cylinders, CPVOL or NUCLEUS, else IBM's DUMP ALL.
std::vector<Extent> ckd_extents(const DumpOptions& options, const CkdDevice& dev, const CkdVolumeInfo& info,
                                const TrackImage& track0, DumpSource& src)
{
    if (options.cpvol && options.nucleus)
        fail(ErrorKind::Usage, "--cpvol and --nucleus are two kinds of dump: give one");
    if ((options.cpvol || options.nucleus) && (!options.extents.empty() || options.reorder))
        fail(ErrorKind::Usage, std::string(options.cpvol ? "--cpvol" : "--nucleus") +
                                   " dumps the cylinders the volume names: give no --cylinders or --reorder");
    // IBM's DUMP ALL: cylinders 0..CYLP.  A smaller image (a minidisk-sized volume) holds
    // fewer; ALL then means every cylinder it has.
    const uint64_t last_image_cyl = info.cylinders - 1;
    if (options.cpvol || options.nucleus)
        return cp_extents(options, track0, last_image_cyl, src);
    std::vector<Extent> extents = parse_extents(options.extents, options.reorder);
    if (extents.empty())
        extents.push_back({0, std::min<uint64_t>(dev.eav ? last_image_cyl : dev.ddr.cylp, last_image_cyl), 0});
    check_extents_within(extents, last_image_cyl, options.source);
    return extents;
}

// A CKD volume as a dump's source: opened, its device chosen (--devtype where the image
// cannot tell), the outputs checked, the extents (default: IBM's DUMP ALL) checked, and
// the VHR, trailer and manifest fields filled.  Error(Usage) for --blocks or extents off
// the volume, Error(Device) for a device that cannot be told or does not fit.
DumpSource ckd_source(const DumpOptions& options, const SourceImage& image, Reporter& reporter)
{
    if (!options.blocks.empty())
        fail(ErrorKind::Usage, options.source + " is a CKD volume: give --cylinders, not --blocks");
    DumpSource src;
    src.ckd = open_ckd_volume(image.path, input_volume(options.sf));
    const CkdVolumeInfo& info = src.ckd->info();
    src.files = info.files;
    note_missing_shadow(info.missing_shadow, options.source, reporter);
    src.stamps = stamps_of(src.files);
    const CkdDevice& dev = device_for_image(info, options.devtype, options.source);
    check_dump_outputs(options, image.originals.empty() ? info.files : image.originals, reporter);

    TrackImage track0;
    src.ckd->read_track({0, 0}, track0);
    src.extents = ckd_extents(options, dev, info, track0, src);
    const uint64_t last_image_cyl = info.cylinders - 1;
    check_restorable(src.extents, dev, last_image_cyl);

    std::optional<std::string> label;
    if (auto l = find_ckd_volume_label(track0))
        label = l->volser;
    const std::string volser = dump_volser(label, options, file_place(options.source).with_track(0, 0), reporter);
    fill_vhr_geometry(src.vhr, dev, info.cylinders);
    if (!volser.empty())
        to_ebcdic_field(volser, src.vhr.volser);

    src.trailer = trailer_for(dev.devtype, dev.name, src.extents, info.bytes, info.format);
    src.trailer.cylinders = info.cylinders;
    src.trailer.heads = info.heads;
    src.trailer.track_size = info.track_size;
    src.manifest.device = std::string(dev.name);
    src.manifest.cylinders = info.cylinders;
    src.manifest.heads = info.heads;
    src.manifest.volser = volser;
    src.manifest.format = info.format;
    src.announcement = (volser.empty() ? std::string("(no volser)") : volser) + " (" + std::string(dev.name) +
                       ") from " + options.source + ": " +
                       (options.cpvol ? "CPVOL, " : options.nucleus ? "NUCLEUS, checkpoint record and " : "") +
                       "cylinders " + extents_text(src.extents);
    // The longest logical image of a track: the slot (HA..end marker) plus 3 (ddrtape(5)).
    src.largest_image = uint64_t(info.track_size) + 3;
    src.largest_what = "one " + std::string(dev.name) + " track";
    src.last_head = dev.ddr.mtck;
    src.units = units_of(*src.ckd, options.source);
    return src;
}

// The FBA device a volume is dumped as: the one its size fits, or --devtype's, which must
// be an FBA type at least as large.  Error(Device) otherwise.
const FbaDevice& fba_device_of(const DumpOptions& options, const FbaVolumeInfo& info)
{
    if (!options.devtype) {
        const FbaDevice* dev = fba_device_for_blocks(info.blocks);
        if (!dev)
            fail(ErrorKind::Device, file_place(options.source),
                 "an FBA volume of " + std::to_string(info.blocks) + " blocks fits no device");
        return *dev;
    }
    const FbaDevice* dev = find_fba_device(*options.devtype);
    if (!dev) {
        if (find_ckd_device(*options.devtype))
            fail(ErrorKind::Device, file_place(options.source),
                 "the image is an FBA volume; " + *options.devtype + " is a CKD device type");
        fail(ErrorKind::Device, "unknown FBA device type '" + *options.devtype + "'");
    }
    if (!dev->any_size() && info.blocks > dev->blocks)
        fail(ErrorKind::Device, file_place(options.source),
             "the image has " + std::to_string(info.blocks) + " blocks, more than a " + std::string(dev->name) + " (" +
                 std::to_string(dev->blocks) + ")");
    return *dev;
}

// An FBA volume as a dump's source, as ckd_source is for CKD: opened, the outputs and the
// block extents (default: all) checked, the VHR's FBA fields, trailer and manifest filled.
// Error(Usage) for --cylinders or blocks off the volume or past 2**32.
DumpSource fba_source(const DumpOptions& options, const SourceImage& image, Reporter& reporter)
{
    if (!options.extents.empty())
        fail(ErrorKind::Usage, options.source + " is an FBA volume: give --blocks, not --cylinders");
    if (options.cpvol || options.nucleus)
        fail(ErrorKind::NotCpVolume, file_place(options.source),
             std::string(options.cpvol ? "DMKDDR700E INPUT UNIT IS NOT A CPVOL" : "DMKDDR723E NO VALID CP NUCLEUS ON THE INPUT UNIT") +
                 ": an FBA volume has no CP allocation or checkpoint record on cylinder 0");
    DumpSource src;
    src.fba = open_fba_volume(image.path, input_volume(options.sf));
    const FbaVolumeInfo& info = src.fba->info();
    src.files = info.files;
    note_missing_shadow(info.missing_shadow, options.source, reporter);
    src.stamps = stamps_of(src.files);
    check_dump_outputs(options, image.originals.empty() ? info.files : image.originals, reporter);
    const FbaDevice& dev = fba_device_of(options, info);
    const uint64_t last_block = info.blocks - 1;
    src.extents = parse_extents(options.blocks, options.reorder, "block");
    if (src.extents.empty())
        src.extents.push_back({0, last_block, 0});
    check_extents_within(src.extents, last_block, options.source, "block");
    for (const Extent& e : src.extents)
        if (e.output_last() > 0xFFFFFFFFu)
            fail(ErrorKind::Usage, "extent '" + e.str() + "' is written beyond block 4,294,967,295");

    Bytes block1(kFbaBlockSize);
    src.fba->read_blocks(1, block1);
    const std::string volser =
        dump_volser(find_fba_volser(block1), options, file_place(options.source).with_fba_block(1), reporter);
    set_fba_fields(src.vhr, {info.blocks, uint16_t(kFbaGroupBlocks), dev.devtype});
    if (!volser.empty())
        to_ebcdic_field(volser, src.vhr.volser);

    src.trailer = trailer_for(dev.devtype, dev.name, src.extents, info.bytes, info.format);
    src.trailer.flags = kTrailerFlagFba;
    src.trailer.fba_blocks = info.blocks;
    src.trailer.group_blocks = kFbaGroupBlocks;
    src.manifest.kind = "fba";
    src.manifest.device = std::string(dev.name);
    src.manifest.blocks = info.blocks;
    src.manifest.volser = volser;
    src.manifest.format = info.format;
    src.announcement = (volser.empty() ? std::string("(no volser)") : volser) + " (" + std::string(dev.name) + ", " +
                       std::to_string(info.blocks) + " blocks) from " + options.source;
    src.largest_image = kFbaGroupHeader + uint64_t(kFbaGroupBlocks) * kFbaBlockSize;
    src.largest_what = "one group of " + std::to_string(kFbaGroupBlocks) + " FBA blocks";
    src.counted_as = "FBA blocks";
    src.units = units_of(*src.fba, options.source);
    return src;
}

// The report's facts about the source and what was dumped of it (man/ddr.1, JSON REPORTS).
void report_source(const DumpOptions& options, const DumpSource& src, Json& facts)
{
    facts["source"] = options.source;
    facts["container"] = container_kind(src.manifest.format);
    facts["image_format"] = src.manifest.format;
    facts["devtype"] = src.manifest.device;
    facts["volser"] = src.manifest.volser;
    if (src.fba) {
        facts["blocks"] = src.manifest.blocks;
    } else {
        facts["cylinders"] = src.manifest.cylinders;
        facts["heads"] = src.manifest.heads;
    }
    facts["kind"] = options.cpvol ? "cpvol" : options.nucleus ? "nucleus" : "extents";
    facts["extents"] = extents_facts(src.extents);
}

// The dump's whole report: its source, its tapes, and what went onto them (`units` of
// `data_bytes`, `reel_units` on each reel).
struct DumpTotals {
    uint64_t units = 0;
    uint64_t data_bytes = 0;
};
void report_dump(const DumpOptions& options, const DumpSource& src, const DumpOutput& output,
                 const std::vector<uint64_t>& reel_units, DumpTotals totals, Json& facts)
{
    report_source(options, src, facts);
    output.report(reel_units, facts);
    facts["tod"] = format_tod_hex(src.vhr.tod);
    facts["dump_time"] = format_tod_iso8601(src.vhr.tod);
    facts["units"] = totals.units;
    facts["unit_name"] = src.fba ? "blocks" : "tracks";
    facts["data_bytes"] = totals.data_bytes;
    if (options.manifest)
        facts["manifest"] = *options.manifest;
}

// The tracks (or FBA blocks) the extents hold, for progress and the summary.
uint64_t items_in(const std::vector<Extent>& extents, const UnitGeometry& geometry)
{
    uint64_t n = 0;
    for (const Extent& e : extents)
        n += (e.last - e.first + 1) * (geometry.fba() ? 1 : geometry.heads);
    return n;
}

// The EOJ's address: the last output cylinder with head MTCK (ddrtape(5) section 3), or
// an FBA dump's last output block.  `last` is the last unit written, at `last_output`.
std::pair<uint16_t, uint16_t> eoj_address(const DumpSource& src, Unit last, uint32_t last_output)
{
    const UnitGeometry& g = src.units->geometry();
    const uint32_t eoj =
        g.fba() ? last_output + last.count - 1 : cchh_value({uint32_t(g.key_of(last_output)), src.last_head});
    return {cc_of(eoj), hh_of(eoj)};
}

// What the dump loop did: the units and data bytes written, and the last unit and where
// it went (for the EOJ).
struct DumpedUnits {
    uint64_t done = 0;
    uint64_t data_bytes = 0;
    Unit last;
    uint32_t last_output = 0;
    std::vector<uint64_t> reel_units;  // units on each reel, for the report
    std::optional<Unit> resumed_from;  // a continued dump: the first unit written anew
};

// A continued dump: how many of its groups the interrupted run's tape holds (compared
// with the source, not written), and its record, kept up to date.  Empty for a dump
// that keeps no record.
struct ResumeState {
    uint64_t check_groups = 0;
    DumpRecordKeeper* keeper = nullptr;
};

// Writes one group, naming the unit in a ResumeMismatch (the source differs from what
// the interrupted run put on the tape there).
void write_checked_group(DdrReelWriter& writer, const EncodedGroup& g, Unit u, const UnitGeometry& geometry)
{
    try {
        writer.write_group(g.blocks, g.image_length, g.cc, g.hh, u.address);
    } catch (const ResumeMismatch& m) {
        Place at = m.place();
        if (geometry.fba()) {
            at.fba_block = u.address;
        } else {
            const TrackAddress t = address_of(u.address, geometry.eav_form);
            at = at.with_track(t.cyl, t.head);
        }
        throw ResumeMismatch(at, m.detail());
    }
}

// The source's units, in extent order, each encoded as its DDR group and written (and
// hashed into the manifest, if one is asked for), with progress; the record kept.
DumpedUnits write_units(DumpSource& src, DdrReelWriter& writer, std::optional<ManifestWriter>& manifest,
                        uint32_t first_output, ResumeState resume, Reporter& reporter)
{
    const UnitGeometry& geometry = src.units->geometry();
    const ExtentMap map(src.extents, geometry);
    const uint64_t total = items_in(src.extents, geometry);
    DumpedUnits d;
    d.last_output = first_output;
    uint64_t groups = 0;
    src.units->read_ahead(src.extents);
    geometry.for_each_unit(src.extents, [&](Unit u) {
        d.last = u;
        d.last_output = map.output_of(u.address);
        const EncodedGroup& g = src.units->encode(u, d.last_output);
        write_checked_group(writer, g, u, geometry);
        if (++groups == resume.check_groups + 1 && resume.check_groups > 0)
            d.resumed_from = u;
        if (resume.keeper)
            resume.keeper->group_written(groups);
        d.reel_units.resize(writer.reels());
        d.reel_units.back() += u.count;
        if (manifest)
            manifest->add(geometry, u, digest_group(g.blocks, g.image_length).content);
        d.done += u.count;
        d.data_bytes += g.data_bytes;
        reporter.progress(d.done, total, d.data_bytes, groups <= resume.check_groups ? "check" : "dump",
                          progress_place(geometry, u.address));
    });
    src.units->read_ahead({});
    reporter.end_progress();
    return d;
}

// --snapshot: instant copies of the source's files, to read instead of them; nothing
// without it.  The files of a split set are cloned one after another, so a change among
// them meanwhile is added to `changes`.  Error(Refused), before anything is written,
// where the file system cannot clone, saying what to do instead.
std::optional<VolumeSnapshot> take_snapshot(const DumpOptions& options, std::vector<std::string>& changes,
                                            Reporter& reporter)
{
    std::optional<VolumeSnapshot> snapshot;
    if (!options.snapshot)
        return snapshot;
    clear_leftovers_beside(options.source, reporter);
    const std::vector<std::string> files = volume_files(options.source);
    const std::vector<FileStamp> before = stamps_of(files);
    try {
        snapshot.emplace(options.source);
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::Refused)
            throw;
        fail(ErrorKind::Refused, e.place(),
             e.detail() + ": --snapshot needs the images on btrfs or XFS; move them there, or stop the system and "
                          "dump without --snapshot (nothing was written)");
    }
    if (files.size() > 1)
        changes = changes_since(files, before);
    reporter.detail("dumping from instant copies of " + counted(files.size(), "file") + ", first " + snapshot->image());
    return snapshot;
}

// The facts of the features above, for --json and a run's catalog: "sets" (each tape
// set: "tapes", "status" complete|failed, "error"), "source_changed", "source_changes"
// (texts) and "snapshot".
void report_dump_sets(const std::vector<TapeSetState>& sets, const std::vector<std::string>& changes, bool snapshot,
                      Reporter& reporter)
{
    Json list = Json::array();
    for (const TapeSetState& set : sets) {
        Json entry = Json::object(), tapes = Json::array();
        for (const std::string& path : set.paths)
            tapes.push(path);
        entry["tapes"] = std::move(tapes);
        entry["status"] = set.failed ? "failed" : "complete";
        if (set.failed)
            entry["error"] = set.error;
        list.push(std::move(entry));
    }
    Json texts = Json::array();
    for (const std::string& change : changes)
        texts.push(change);
    Json& facts = reporter.facts();
    facts["sets"] = std::move(list);
    facts["source_changed"] = !changes.empty();
    facts["source_changes"] = std::move(texts);
    facts["snapshot"] = snapshot;
}

// The exit code of a dump that wrote its tapes, with a warning for each thing that went
// wrong: a failed tape set (kExitWrite, first: a copy is missing) or a source that
// changed while it was read (kExitSourceChanged).
int dump_outcome(const DumpOptions& options, const std::vector<TapeSetState>& sets,
                 const std::vector<std::string>& changes, Reporter& reporter)
{
    int code = kExitOk;
    if (!changes.empty()) {
        std::string what;
        for (const std::string& change : changes)
            what += (what.empty() ? "" : "; ") + change;
        reporter.warn(options.source + " changed while it was dumped (" + what +
                      "): the dump may not be a consistent image; dump it again from a stopped system or with --snapshot");
        code = kExitSourceChanged;
    }
    std::string complete, failed;
    for (size_t i = 0; i < sets.size(); ++i) {
        std::string& list = sets[i].failed ? failed : complete;
        list += (list.empty() ? "" : ", ") + ("set " + std::to_string(i + 1) + " (" + sets[i].paths.front() +
                                              (sets[i].paths.size() > 1 ? ", ..." : "") + ")");
    }
    if (!failed.empty()) {
        reporter.warn("the dump is complete only on tape " + complete + "; failed and removed: tape " + failed);
        code = kExitWrite;
    }
    return code;
}

} // namespace

Json extents_facts(const std::vector<Extent>& extents)
{
    Json out = Json::array();
    for (const Extent& e : extents) {
        Json x = Json::object();
        x["first"] = e.first;
        x["last"] = e.last;
        x["to"] = e.output_first;
        out.push(std::move(x));
    }
    return out;
}

Json reels_facts(const DdrReelWriter& writer, const DumpChecksumWriter* checksums, const std::vector<uint64_t>& reel_units)
{
    Json reels = Json::array();
    const std::vector<ReelWritten>& written = writer.reels_written();
    for (size_t i = 0; i < written.size(); ++i) {
        Json reel = Json::object();
        reel["file"] = written[i].file;
        reel["reel"] = i + 1;
        reel["tape_blocks"] = written[i].blocks;
        reel["bytes"] = written[i].bytes;
        if (checksums && i < checksums->reel_hashes().size())
            reel["reel_hash"] = hash_hex(checksums->reel_hashes()[i]);
        reel["units"] = reel_units.empty() ? written[i].groups : i < reel_units.size() ? reel_units[i] : 0;
        reels.push(std::move(reel));
    }
    return reels;
}

namespace {

// What `writer` wrote of the dump of `src`, for run_dump's caller.
DumpWritten written_by(const DumpSource& src, const DdrReelWriter& writer)
{
    DumpWritten w;
    w.tod = src.vhr.tod;
    const std::vector<ReelWritten>& reels = writer.reels_written();
    for (size_t i = 0; i + 1 < reels.size(); ++i)
        w.reel_changes.push_back(reels[i].ended_at);
    std::vector<Extent> out = src.extents;
    std::sort(out.begin(), out.end(), [](const Extent& a, const Extent& b) { return a.output_first < b.output_first; });
    for (const Extent& e : out) {
        if (!w.output_runs.empty() && e.output_first <= w.output_runs.back().second + 1)
            w.output_runs.back().second = std::max(w.output_runs.back().second, e.output_last());
        else
            w.output_runs.emplace_back(e.output_first, e.output_last());
    }
    return w;
}

// The report's facts of a dump that continued an interrupted one: "resumed", and the
// groups checked and the unit it went on from.
void report_resume(const DumpedUnits& dumped, const ResumeState& resume, const UnitGeometry& geometry, Json& facts)
{
    facts["resumed"] = resume.check_groups > 0;
    if (resume.check_groups == 0)
        return;
    facts["groups_checked"] = resume.check_groups;
    if (dumped.resumed_from) {
        const ProgressPlace at = progress_place(geometry, dumped.resumed_from->address);
        facts["resumed_from"] = std::string(at.unit) + " " + std::to_string(at.number);
    }
}

// Everything of the dump after its VHR: the checkpoint record, the units, the EOJ and
// trailer, and the commit, with the resume record kept meanwhile (and removed once the
// tape is complete, or the dump failed).  Interrupted once a record exists, the tape's
// temporary file and the record are kept for --resume, and the error says so.
DumpedUnits write_dump(const DumpOptions& options, DumpSource& src, DdrReelWriter& writer,
                       std::optional<ManifestWriter>& manifest, uint32_t first_output, ResumeState state,
                       Reporter& reporter)
{
    DumpedUnits dumped;
    try {
        if (src.nucleus_record)
            writer.write_nucleus_record(*src.nucleus_record);
        dumped = write_units(src, writer, manifest, first_output, state, reporter);
        const auto [cc, hh] = eoj_address(src, dumped.last, dumped.last_output);
        writer.finish(cc, hh);
    } catch (const Error& e) {
        if (state.keeper && (e.kind() == ErrorKind::Interrupted || interrupted()))
            if (const std::string kept = state.keeper->keep_for_resume(); !kept.empty())
                throw Error(e.kind(), e.place(), e.detail() + "; " + options.tapes.front() + " was not made: " + kept);
        if (state.keeper)
            state.keeper->drop();
        throw;
    }
    if (state.keeper)
        state.keeper->drop();
    return dumped;
}

// One dump, from start to end (run_dump says what); `resume` is the record of the
// interrupted run it continues, if any; `written`, if given, is filled once it is complete.
int dump_once(const DumpOptions& options, const std::optional<ResumeRecord>& resume, Reporter& reporter,
              DumpWritten* written)
{
    std::vector<std::string> changes;
    const std::optional<VolumeSnapshot> snapshot = take_snapshot(options, changes, reporter);
    const SourceImage image = snapshot ? SourceImage{snapshot->image(), snapshot->originals()}
                                       : SourceImage{options.source, {}};
    DumpSource src = looks_like_ckd_volume(image.path) ? ckd_source(options, image, reporter)
                                                       : fba_source(options, image, reporter);
    const UnitGeometry& geometry = src.units->geometry();

    // A continued dump is the interrupted one again: the same TOD, so the same bytes.
    const int64_t started = resume ? unix_micros_from_tod(resume->dump_tod) : dump_time_micros();
    src.vhr.tod = tod_from_unix_micros(started);
    const uint32_t first_output = geometry.with_key(0, src.extents.front().output_first);
    src.vhr.cc = cc_of(first_output);
    src.vhr.hh = hh_of(first_output);
    src.trailer.tod = src.vhr.tod;
    src.trailer.unix_time = started / 1000000;
    src.trailer.source_name = std::filesystem::path(options.source).filename().string();

    std::optional<ManifestWriter> manifest;
    if (options.manifest) {
        src.manifest.source = src.trailer.source_name;
        manifest.emplace(*options.manifest, src.manifest);
    }
    const std::string record_path = not_resumable(options).empty() ? dump_record_path(options) : std::string();
    DumpOutput output(options, src.vhr, src.trailer, src.largest_image, src.largest_what,
                      resume ? std::optional(continued_reels(*resume, record_path)) : std::nullopt, reporter);
    reporter.note((resume ? "continuing the dump of " : "dumping ") + src.announcement +
                  (resume ? " (the " + recorded_units(*resume) + " already on the tape are checked against it)" : ""));
    DdrReelWriter& writer = output.writer();
    std::optional<DumpRecordKeeper> keeper;
    if (!record_path.empty() && (resume || options.record_interval > 0))
        keeper.emplace(options, resume, src.vhr, geometry.fba(), writer);
    const ResumeState state{resume ? resume->units_done : 0, keeper ? &*keeper : nullptr};
    const DumpedUnits dumped = write_dump(options, src, writer, manifest, first_output, state, reporter);
    for (std::string& change : changes_since(src.files, src.stamps))
        changes.push_back(std::move(change));
    if (manifest)
        manifest->finish();
    reporter.note(output.summary(dumped.done, src.counted_as, dumped.data_bytes, src.vhr.tod));
    note_unused_reels(output, reporter);
    report_dump(options, src, output, dumped.reel_units, {dumped.done, dumped.data_bytes}, reporter.facts());
    report_resume(dumped, state, geometry, reporter.facts());
    report_dump_sets(output.sets(), changes, snapshot.has_value(), reporter);
    if (written)
        *written = written_by(src, writer);
    return dump_outcome(options, output.sets(), changes, reporter);
}

// "cyl 3 head 2 of vol.3390": the unit a ResumeMismatch names (none where the difference
// is in the VHR, the checkpoint record or the end of the dump).
std::string changed_unit(const Place& at, const std::string& source)
{
    if (at.fba_block)
        return "block " + std::to_string(*at.fba_block) + " of " + source;
    if (at.cyl && at.head)
        return "cyl " + std::to_string(*at.cyl) + " head " + std::to_string(*at.head) + " of " + source;
    return "a record of the dump (no track or block) of " + source;
}

} // namespace

// One path for CKD and FBA: the source (or its snapshot) opened and its files stamped,
// the units written to every tape set, the EOJ; then what changed in the source's files
// meanwhile.  The exit code is dump_outcome's.  With --resume the interrupted dump its
// record names is continued (dump_resume.hpp); if the source is not what that dump wrote
// any more, the dump starts over, said in a warning.
int run_dump(const DumpOptions& options, Reporter& reporter, DumpWritten* written)
{
    if (options.tapes.empty())
        fail(ErrorKind::Usage, "no TAPE given");
    refuse_json_with_stdout(options.tapes, "the tape", reporter);
    reporter.facts()["source"] = options.source;  // kept by a dump that fails
    const std::optional<ResumeRecord> resume = take_up_dump_record(options, reporter);
    try {
        return dump_once(options, resume, reporter, written);
    } catch (const ResumeMismatch& m) {
        if (!resume)
            throw;
        reporter.end_progress();
        reporter.warn(changed_unit(m.place(), options.source) + " differs from what the interrupted dump wrote (" +
                      m.place().file + ", offset " + std::to_string(m.place().offset.value_or(0)) +
                      "): the source changed since; starting the dump over, with a new dump time and a new tape file");
        discard_unfinished_dump(*resume, dump_record_path(options));
        reporter.facts()["restarted"] = true;
        reporter.facts()["changed_since"] = changed_unit(m.place(), options.source);
    }
    return dump_once(options, std::nullopt, reporter, written);
}

} // namespace ddr
