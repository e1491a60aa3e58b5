#include "ddr/cmd_restore.hpp"
#include "ddr/cmd_restore_catalog.hpp"

#include "formats/ddrtape/checksum_check.hpp"
#include "ddr/device_choice.hpp"
#include "formats/ddrtape/dump_reader.hpp"
#include "formats/ddrtape/extents.hpp"
#include "formats/io/interrupt.hpp"
#include "ddr/outputs.hpp"
#include "ddr/restore_resume.hpp"
#include "devices/fba_devices.hpp"
#include "formats/ddrtape/fbg_group.hpp"
#include "formats/ddrtape/units.hpp"
#include "formats/ddrtape/checksum_writer.hpp"
#include "formats/io/ebcdic.hpp"
#include "formats/io/error.hpp"
#include "formats/volume/ckd_image.hpp"
#include "formats/volume/cp_volume.hpp"
#include "formats/volume/volume.hpp"
#include "formats/volume/volume_label.hpp"

#include "formats/io/file.hpp"

#include <CLI/CLI.hpp>

#include <memory>

namespace ddr {

namespace {

// The restore command line as given, before it is turned into RestoreOptions.
struct RestoreArgs {
    RestoreOptions options;
    std::vector<std::string> tapes_and_target;  // TAPE... TARGET, in one list
    bool no_precheck = false;
};

} // namespace

void add_restore_command(CLI::App& app, CommandAction& action)
{
    // The options live as long as the action that reads them.
    auto args = std::make_shared<RestoreArgs>();
    RestoreOptions& o = args->options;
    CLI::App* cmd = app.add_subcommand("restore", "restore a DDR dump onto a volume image (IBM RESTORE)");
    // CLI11 cannot give a list of positionals and then one more: TARGET is split off in the callback.
    cmd->add_option("TAPE_TARGET", args->tapes_and_target,
                    "tape file(s) (successive reels; - for standard input), then the target image")
        ->expected(0, -1);
    cmd->add_option("--file", o.file, "restore the Nth dump on the tape (IBM SKIP N-1); default 1");
    cmd->add_option("-c,--cylinders", o.extents, "tape cylinders to restore: A, A-B or A-B:C (to C onward); default all")
        ->delimiter(',')
        ->allow_extra_args(false);  // one value an occurrence: TAPE and TARGET are optional (--catalog)
    cmd->add_option("-b,--blocks", o.blocks, "FBA: tape blocks to restore: A, A-B or A-B:C")->delimiter(',')
        ->allow_extra_args(false);  // one value an occurrence: TAPE and TARGET are optional (--catalog)
    cmd->add_option("--reorder", o.reorder, "restore the single extent starting at this cylinder (FBA: block)");
    cmd->add_option("--devtype", o.devtype, "device type of the dump, where its VHR fits several");
    cmd->add_option("--volser", o.volser,
                    "the target's volser: confirms writing a target whose volser differs from the dump's")
        ->transform(upper_case);
    cmd->add_flag("--force", o.force, "write the target whatever its volser");
    cmd->add_flag("--nucleus", o.nucleus,
                  "IBM RESTORE NUCLEUS: a NUCLEUS dump onto a CP-formatted volume, rewriting its IPL and "
                  "checkpoint records");
    cmd->add_option("--format", o.format,
                    "a new target's container: ckd (default), cckd or cckd64; FBA: fba (default) or cfba")
        ->check(CLI::IsMember({"ckd", "cckd", "cckd64", "fba", "cfba"}));
    cmd->add_flag("--continue", o.keep_going, "restore past tracks whose checksums do not match, list them, exit 4");
    cmd->add_flag("--resume", o.resume,
                  "continue the interrupted restore onto TARGET from its resume record (TARGET.ddr-resume), "
                  "checking what it wrote against the dump");
    cmd->add_option("--record-interval", o.record_interval,
                    "seconds between resume records while a plain image is written (default 5; 0: keep none)")
        ->check(CLI::Range(0.0, 86400.0));
    cmd->add_flag("--no-precheck", args->no_precheck,
                  "do not read the dump through once before writing onto an existing target");
    auto catalog = std::make_shared<CatalogRestoreOptions>();
    add_restore_catalog_options(cmd, *catalog);
    cmd->callback([args, catalog, &action] {
        if (catalog->catalog) {
            if (!args->tapes_and_target.empty())
                throw CLI::ValidationError("--catalog restores the tapes its catalog lists: give no TAPE or TARGET");
            action = [args, catalog](Reporter& r) { return run_restore_catalog(args->options, *catalog, r); };
            return;
        }
        if (args->tapes_and_target.size() < 2)
            throw CLI::RequiredError("ddr restore needs TAPE... TARGET (or --catalog FILE --to NEWDIR)");
        RestoreOptions& chosen = args->options;
        chosen.target = args->tapes_and_target.back();
        chosen.tapes.assign(args->tapes_and_target.begin(), args->tapes_and_target.end() - 1);
        chosen.precheck = !args->no_precheck;
        action = [args](Reporter& r) { return run_restore(args->options, r); };
    });
}

namespace {

// Whether anything is at `path` (a file, a device, a folder).
bool exists(const std::string& path)
{
    return file_status(path).exists();
}

// Whether every reel is a regular file, so that a precheck can read the dump through and
// the restore read it again (standard input and devices are read once).
bool all_rereadable(const std::vector<std::string>& tapes)
{
    for (const std::string& t : tapes) {
        if (t == "-" || !is_regular_file(t))
            return false;
    }
    return true;
}

// The dump's volser, as messages name it.
std::string volser_of(const DdrVolumeHeader& vhr)
{
    return volser_to_ascii(vhr.volser);
}

// IBM's RESTORE NUCLEUS, before anything is written: the dump must be a NUCLEUS dump
// exactly when --nucleus asks for one (IBM's DMKDDR724E when it was not asked), and the
// checkpoint record on tape must name its cylinders.  Returns that record's cylinders.
std::optional<CpCheckpoint> check_nucleus_request(const RestoreOptions& options, const std::optional<Bytes>& record,
                                                  const Place& where)
{
    if (record && !options.nucleus)
        fail(ErrorKind::Refused, where,
             "DMKDDR724E INPUT TAPE CONTAINS A CP NUCLEUS DUMP: restore it with --nucleus, onto the CP-formatted "
             "volume it belongs to (nothing was written)");
    if (!record && options.nucleus)
        fail(ErrorKind::Usage, where, "--nucleus restores a NUCLEUS dump; this dump has no CP checkpoint record after its VHR");
    if (!record)
        return std::nullopt;
    if (!options.extents.empty() || options.reorder)
        fail(ErrorKind::Usage, "--nucleus restores the nucleus cylinders where they were dumped: give no --cylinders or --reorder");
    try {
        return decode_cp_checkpoint(*record);
    } catch (const Error& e) {
        fail(e.kind(), where, "DMKDDR723E NO VALID CP NUCLEUS ON THE INPUT UNIT: " + e.detail());
    }
}

// Track 0 of the target of a NUCLEUS restore must be CP-formatted, with R1 and R2 to
// rewrite and the nucleus cylinders allocated PERM (IBM's DMKDDR722E otherwise).
void check_nucleus_target(const TrackImage& track0, const CpCheckpoint& nucleus, const std::string& target)
{
    try {
        check_cp_nucleus_target(track0, nucleus);
    } catch (const Error& e) {
        fail(e.kind(), file_place(target).with_track(0, 0),
             "DMKDDR722E OUTPUT UNIT NOT PROPERLY FORMATTED FOR THE CP NUCLEUS: " + e.detail() + " (nothing was written)");
    }
}

// An existing target is written only if its volser is the dump's, or --volser names it,
// or --force says so.  `whose` says which volser `target_volser` is ("the target's
// volser is ").
void check_target_volser(const RestoreOptions& options, const std::optional<std::string>& target_volser,
                         const std::string& dump_volser, const Place& where,
                         const std::string& whose = "the target's volser is ")
{
    if (options.force)
        return;
    if (options.volser && target_volser && *target_volser != *options.volser)
        fail(ErrorKind::Refused, where, whose + *target_volser + ", not " + *options.volser + " as --volser expects");
    const bool ok = (target_volser && *target_volser == dump_volser) ||
                    (target_volser && options.volser && *target_volser == *options.volser);
    if (!ok)
        fail(ErrorKind::Refused, where,
             whose + (target_volser ? *target_volser : std::string("(no VOL1 label)")) + " but the dump is of " +
                 (dump_volser.empty() ? std::string("(blank)") : dump_volser) + "; give --volser " +
                 (target_volser ? *target_volser : std::string("VOLSER")) + " to confirm this target, or --force");
}

// What is at the target's name before this run writes anything.
struct TargetState {
    bool present = false;                         // an image answers to the name, or its busy name
    std::optional<UnfinishedRestore> unfinished;  // a restore into it did not finish
    std::string record_path;                      // where its resume record is kept (NAME.ddr-resume)
    std::optional<ResumeRecord> resume;           // --resume: what the interrupted run recorded
};

// Looks at the target's name (and its busy name).  Error(Refused) when both names are
// taken: which one is the volume cannot be told.
TargetState examine_target(const std::string& target)
{
    TargetState t;
    t.unfinished = find_unfinished_restore(target);
    if (t.unfinished && t.unfinished->name_taken)
        fail_both_names(target, *t.unfinished);
    t.present = t.unfinished.has_value() || exists(target);
    t.record_path = restore_record_path(t.unfinished ? t.unfinished->image
                                                     : (t.present ? ckd_first_file_name(target) : target));
    return t;
}

// Whether this run may write the existing target, and what its busy mark records.  A
// restore redone with the dump it recorded asks no volser question: that was settled
// before its first track was written.  Another dump answers to the volser the target
// had before any of it began, as on an intact target.
RestoreRecord admit_target(const RestoreOptions& options, const TargetState& target,
                           const std::optional<std::string>& label, const DdrVolumeHeader& vhr, const Place& where,
                           Reporter& reporter)
{
    RestoreRecord record;
    record.dump_tod = vhr.tod;
    record.dump_volser = volser_of(vhr);
    record.prior_volser = label;
    if (!target.unfinished) {
        check_target_volser(options, label, record.dump_volser, where);
        return record;
    }
    const std::optional<RestoreRecord>& earlier = target.unfinished->record;
    const std::string incomplete = options.target + " is incomplete: ";
    const std::string before = "before the restore that did not finish, the target's volser was ";
    if (target.resume && !(earlier && earlier->same_dump(record)))
        fail(ErrorKind::Refused, file_place(target.record_path),
             "continues a restore of " + record.dump_volser + " into " + options.target + ", but " +
                 busy_whereabouts(options.target, *target.unfinished) + " and records " +
                 (earlier ? earlier->describe() : std::string("no dump")) +
                 ": nothing to continue; restore without --resume");
    if (earlier && earlier->same_dump(record)) {
        record.prior_volser = earlier->prior_volser;
        // --volser still says which target is meant.
        if (options.volser && !options.force && record.prior_volser && *record.prior_volser != *options.volser)
            fail(ErrorKind::Refused, where,
                 before + *record.prior_volser + ", not " + *options.volser + " as --volser expects");
        reporter.note(incomplete + "finishing " + earlier->describe() + " into it, which did not finish; " +
                      (target.resume ? "the " + recorded_units(*target.resume) +
                                           " its resume record counts are compared with the dump, the rest written"
                                     : std::string("every track of the dump is written again")));
        return record;
    }
    if (earlier) {
        record.prior_volser = earlier->prior_volser;
        check_target_volser(options, record.prior_volser, record.dump_volser, where, before);
    } else {
        check_target_volser(options, label, record.dump_volser, where);
    }
    reporter.note(incomplete + (earlier ? earlier->describe() : std::string("a restore")) +
                  " into it did not finish; this restore writes its own dump in full and completes it");
    return record;
}

// What a failed run leaves of an existing target, said at the end of its one-line error:
// unchanged, or INCOMPLETE under its busy name and how to finish it.
class TargetFate {
public:
    explicit TargetFate(std::string target) : target_(std::move(target)) {}
    void existing(const TargetState& t) { existing_ = t.present; }
    void writing(bool in_place)
    {
        writing_ = true;
        in_place_ = in_place;
    }
    void committed() { committed_ = true; }
    // A resume record is kept beside the target: --resume can continue it.
    void record_kept(std::string record_path) { record_path_ = std::move(record_path); }
    Error explain(const Error& e) const
    {
        if (committed_)
            return e;
        if (!existing_ && !record_path_.empty())
            return Error(e.kind(), e.place(),
                         e.detail() + "; " + target_ + " was not made: its unfinished image and " + record_path_ +
                             " are kept, and the same restore with --resume continues it");
        if (!existing_)
            return e;
        return Error(e.kind(), e.place(), e.detail() + "; " + fate(e.kind()));
    }

private:
    std::string fate(ErrorKind kind) const;

    std::string target_;
    std::string record_path_;
    bool existing_ = false, writing_ = false, in_place_ = false, committed_ = false;
};

// How to finish a target a failed restore left incomplete, by what made it fail.
std::string how_to_finish(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::Reel:
        return "run the same restore again with every reel of the dump, in order, to finish it";
    case ErrorKind::Unreadable:
    case ErrorKind::Damaged:
        return "run the same restore again from an intact copy of the dump to finish it";
    default:
        return "run the same restore again to finish it";
    }
}

// What a failure of `kind` left of the existing target, and how to finish it, for the
// message that ends the run.
std::string TargetFate::fate(ErrorKind kind) const
{
    if (writing_ && !in_place_)
        return target_ + " was not changed (a compressed image is replaced only when a restore completes): run the "
                         "same restore again";
    std::optional<UnfinishedRestore> u;
    try {
        u = find_unfinished_restore(target_);
    } catch (const Error&) {
        // The names cannot be read now; say what is known.
    }
    if (!u)
        return target_ + " was not changed";
    const std::string where = busy_whereabouts(target_, *u);
    const std::string resume =
        record_path_.empty() ? std::string() : " (with --resume it continues from its record, " + record_path_ + ")";
    if (writing_)
        return target_ + " is now INCOMPLETE (" + where + " until a restore completes): " + how_to_finish(kind) +
               resume + ", or restore another dump onto it";
    return target_ + " was not changed by this run but is still INCOMPLETE from a restore that did not finish (" +
           where + "): " + how_to_finish(kind) + ", or restore another dump onto it";
}

// How the restore of one dump ends, whatever its kind: checksums reported, --continue's
// damaged units turned into the exit status.
void finish_restore(const RestoreOptions& options, DumpReader& reader, DumpChecker& checker,
                    const std::vector<ChecksumFinding>& damaged, uint64_t units, const char* unit_name,
                    Reporter& reporter)
{
    if (checker.has_checksums())
        reporter.note("checksums: " + std::to_string(checker.units_checked()) + " of " +
                      counted(checker.units(), checker.fba() ? "block group" : "track") + " match" +
                      (checker.all_reels_checked() ? "" : " (" + counted(checker.reels_unchecked(), "reel") + " without a trailer)"));
    else
        reporter.note("checksums: none on the tape for this dump (an IBM DDR or --pure dump): restored unchecked");
    reporter.note("restored " + std::to_string(units) + " " + unit_name + " to " + options.target + " from " +
                  counted(reader.reel_in_dump(), "reel"));
    if (!damaged.empty())
        fail(ErrorKind::Damaged, damaged.front().place,
             counted(damaged.size(), checker.fba() ? "damaged block group" : "damaged track") +
                 (damaged.size() == 1 ? " was" : " were") + " restored as read (--continue); first: " + damaged.front().what);
}

// Before the target is committed: the tape is not cut short, the dump ends on the last
// reel given, its checksums were found wherever they stand on the tape (a later --append
// moves the trailer of the reel that ends it) and matched -- a mismatch throws from the
// checker's on_finding -- and the reels given start with the dump's first.
void check_dump_complete(DumpReader& reader, DumpChecker& checker, Reporter& reporter)
{
    if (reader.cut_short())
        throw *reader.cut_short();
    reader.check_no_reels_after();
    if (!checker.last_reel_checked()) {
        std::vector<Error> unreadable = read_moved_trailer(reader, checker);
        if (!unreadable.empty() && !checker.last_reel_checked())
            reporter.warn("the tape after this dump is unreadable in places (first: " + std::string(unreadable.front().what()) +
                          "); this dump's checksums were looked for there only in blocks that prove themselves");
    }
    checker.require_first_reel();
}

// What an existing target rewritten in place holds when a missing first reel shows only
// after writing began (no precheck): the checker adds it to its error, and TargetFate
// then says that the target is incomplete and how to finish it.
void explain_writes(DumpChecker& checker, const RestoreOptions& options, bool in_place, bool prechecked,
                    const uint64_t& units, const char* unit)
{
    if (!in_place || prechecked)
        return;
    checker.done_so_far = [&options, &units, unit] {
        return units == 0 ? "nothing of the dump was written to " + options.target
                          : options.target + " was written with the " + counted(units, unit) + " read";
    };
}

// An existing FBA target, checked (type, volser, size) and opened for writing.
std::unique_ptr<FbaVolumeWriter> open_existing_fba_target(const RestoreOptions& options, const TargetState& target,
                                                          const DdrVolumeHeader& vhr, std::optional<uint64_t> highest,
                                                          TargetFate& fate, Reporter& reporter)
{
    Place where = file_place(options.target);
    if (target.unfinished ? target.unfinished->ckd : looks_like_ckd_volume(options.target))
        fail(ErrorKind::Device, where, "the target is a CKD volume; the dump is of an FBA volume");
    uint64_t target_blocks = 0;
    std::optional<std::string> target_volser;
    std::string format;
    {
        auto probe = open_fba_volume(options.target, true);
        target_blocks = probe->info().blocks;
        format = probe->info().format;
        if (target_blocks > 1) {
            Bytes b1(kFbaBlockSize);
            probe->read_blocks(1, b1);
            target_volser = find_fba_volser(b1);
        }
    }
    const RestoreRecord record = admit_target(options, target, target_volser, vhr, where, reporter);
    if (highest && *highest >= target_blocks)
        fail(ErrorKind::Refused, where,
             "the target has " + std::to_string(target_blocks) + " blocks; the dump writes up to block " +
                 std::to_string(*highest));
    fate.writing(format == "FBA");
    auto volume = update_fba_volume(options.target, record);
    reporter.note("restoring " + record.dump_volser + " (dumped " + format_tod_utc(vhr.tod) + ") onto " +
                  options.target);
    return volume;
}

// Reads the whole dump once before an existing target is touched: a truncated or corrupt
// tape, a missing reel, or checksums that do not match (wherever on the tape they stand)
// must leave the target as it was.  A pipe cannot be read twice: then nothing.
std::optional<DumpSummary> precheck_dump(const RestoreOptions& options, Reporter& reporter)
{
    if (!all_rereadable(options.tapes)) {
        reporter.warn("the dump comes from a pipe or device and cannot be read twice: it is not checked before "
                      "writing; if it proves bad, the restore stops and says how to finish " + options.target);
        return std::nullopt;
    }
    reporter.detail("checking the dump before writing to " + options.target);
    DumpChecker checker;
    DumpReader reader(options.tapes);
    reader.skip_files(options.file - 1);
    if (!reader.start_dump())
        fail(ErrorKind::Unreadable, file_place(options.tapes[0]),
             "no dump " + std::to_string(options.file) + " on this tape");
    DumpSummary summary = scan_dump(reader, &checker);
    if (const auto& t = checker.dump_header()) {
        summary.trailer_devtype = t->devtype;
        summary.trailer_model = t->model;
    }
    if (summary.problem)
        throw *summary.problem;
    if (!summary.order_problems.empty() && !options.keep_going)
        fail(ErrorKind::Damaged, summary.order_problems.first().place, summary.order_problems.first().what);
    reader.check_no_reels_after();
    if (!checker.last_reel_checked())
        (void)read_moved_trailer(reader, checker);  // the restore itself warns about unreadable parts
    checker.require_first_reel();
    const Findings& findings = checker.findings();
    if (!findings.empty() && !options.keep_going)
        fail(ErrorKind::Damaged, findings.first().place,
             "the dump is damaged: " + findings.first().what + " (" + counted(findings.total(), "problem") +
                 "; ddr verify lists them; --continue restores anyway)");
    return summary;
}

// Track 0 of an existing target, for its label.  A restore that did not finish may have
// been stopped in the middle of writing it: then it has no label to offer.
std::optional<TrackImage> read_track0(CkdVolumeReader& volume, const TargetState& target)
{
    TrackImage track0;
    try {
        volume.read_track({0, 0}, track0);
    } catch (const Error&) {
        if (!target.unfinished)
            throw;
        return std::nullopt;
    }
    return track0;
}

// An existing CKD target, checked (geometry, volser, size) and opened for writing.
std::unique_ptr<CkdVolumeWriter> open_existing_ckd_target(const RestoreOptions& options, const TargetState& target,
                                                          const CkdDevice& dev, const std::string& how,
                                                          const DdrVolumeHeader& vhr,
                                                          const std::optional<CpCheckpoint>& nucleus,
                                                          std::optional<uint64_t> highest, TargetFate& fate,
                                                          Reporter& reporter)
{
    const Place where = file_place(options.target);
    if (!(target.unfinished ? target.unfinished->ckd : looks_like_ckd_volume(options.target)))
        fail(ErrorKind::Device, where, "the target is an FBA volume; the dump is of a CKD volume");
    CkdVolumeInfo tinfo;
    std::optional<TrackImage> track0;
    {
        auto probe = open_ckd_volume(options.target, true);
        tinfo = probe->info();
        track0 = read_track0(*probe, target);
    }
    if (tinfo.devtype_byte != dev.hercules_devtype() || tinfo.heads != dev.heads)
        fail(ErrorKind::Device, where,
             "the target is " + describe_image(tinfo) + "; the dump is of a " + std::string(dev.name) + " (" + how + ")");
    std::optional<std::string> target_volser;
    if (auto l = track0 ? find_ckd_volume_label(*track0) : std::nullopt)
        target_volser = l->volser;
    const RestoreRecord record = admit_target(options, target, target_volser, vhr, where, reporter);
    if (highest && *highest >= tinfo.cylinders)
        fail(ErrorKind::Refused, where,
             "the target has " + std::to_string(tinfo.cylinders) + " cylinders; the dump writes up to cylinder " +
                 std::to_string(*highest));
    if (nucleus)
        check_nucleus_target(track0.value_or(TrackImage::empty({0, 0})), *nucleus, options.target);
    fate.writing(tinfo.format.rfind("CKD_P", 0) == 0);
    auto volume = update_ckd_volume(options.target, record);
    reporter.note("restoring " + record.dump_volser + " (dumped " + format_tod_utc(vhr.tod) + ") onto " +
                  options.target + " (" + (target_volser ? *target_volser : std::string("no label")) + ")");
    return volume;
}

// A new CKD target of the dump's device, in --format's container, large enough for the
// highest cylinder the restore writes (when known), its creation announced.
std::unique_ptr<CkdVolumeWriter> create_ckd_target(const RestoreOptions& options, const CkdDevice& dev,
                                                   const std::string& how, const DdrVolumeHeader& vhr,
                                                   std::optional<uint64_t> highest, Reporter& reporter)
{
    NewCkdVolume spec;
    spec.devtype_byte = dev.hercules_devtype();
    spec.heads = dev.heads;
    spec.track_size = dev.hercules_track_size();
    spec.format = ckd_container_for(options.format, dev);
    // An EAV dump names its volume's size in its VHR; other dumps get the model's.
    if (dev.eav)
        spec.cylinders = vhr.eav_last_cylinder().value_or(uint32_t(highest.value_or(kEavMinCylinders - 1))) + 1;
    else
        spec.cylinders = dev.cylinders;
    if (highest && *highest >= spec.cylinders)
        spec.cylinders = uint32_t(*highest + 1);
    auto volume = create_ckd_volume(options.target, spec);
    reporter.note("creating " + options.target + " as a " + std::string(dev.name) + " of " +
                  std::to_string(spec.cylinders) + " cylinders (device type " + how + ")");
    reporter.note("restoring " + volser_of(vhr) + " (dumped " + format_tod_utc(vhr.tod) + ")");
    return volume;
}

// A new CKD image an interrupted restore left in the temporary files its resume record
// names, taken up again (resume_ckd_volume) and checked to be of the dump's device.
std::unique_ptr<CkdVolumeWriter> resume_ckd_target(const RestoreOptions& options, const TargetState& target,
                                                   const CkdDevice& dev, Reporter& reporter)
{
    const std::vector<std::string> temps = recorded_temporaries(*target.resume, target.record_path);
    auto volume = resume_ckd_volume(options.target, temps, target.resume->frontier);
    if (volume->info().heads != dev.heads || volume->info().devtype_byte != dev.hercules_devtype()) {
        volume->keep_unfinished();  // refused: left as it was
        fail(ErrorKind::Unreadable, file_place(temps.front()),
             "is " + describe_image(volume->info()) + ", not an image of a " + std::string(dev.name) + ": not continuing it");
    }
    reporter.note("continuing " + options.target + " in " + temps.front() + " after " +
                  recorded_units(*target.resume) + " (compared with the dump, not rewritten)");
    return volume;
}

// The dump's checksum trailer names the device it was taken from (the VHR does not): a
// restore as another device type (--devtype) is refused before the target is written.
void check_dump_device(std::optional<uint16_t> devtype, const std::string& model, const CkdDevice& dev,
                       const std::string& tape)
{
    if (!devtype || *devtype == dev.devtype)
        return;
    fail(ErrorKind::Device, file_place(tape),
         "the dump is of a " + (model.empty() ? hex_devtype(*devtype) : model) + " (its checksum trailer says so), not a " +
             std::string(dev.name));
}

// A track longer than the device's track slot (HA to end marker) cannot be of that device:
// the dump is of another type than the one chosen (--devtype, or a VHR several fit).
void check_track_fits(uint64_t track_bytes, const CkdDevice& dev, const DdrVolumeHeader& vhr, const Place& where)
{
    if (track_bytes > dev.hercules_track_size())
        fail(ErrorKind::Device, where,
             "the dump holds a track of " + std::to_string(track_bytes) + " bytes, more than a " + std::string(dev.name) +
                 " track holds (" + std::to_string(dev.hercules_track_size()) + "): the dump is not of a " +
                 std::string(dev.name) + " (its header fits " + devices_fitting(vhr) + ")");
}

// The target of a restore, opened or created, CKD or FBA: the volume, its unit sink, and
// what the one restore loop (restore_units) needs to know of its kind.
struct RestoreTarget {
    std::unique_ptr<CkdVolumeWriter> ckd;  // one of the two
    std::unique_ptr<FbaVolumeWriter> fba;
    std::unique_ptr<UnitSink> sink;
    UnitGeometry geometry;                 // of the dump's units
    const CkdDevice* device = nullptr;     // CKD: the dump's device type
    R0CountSource r0 = R0CountSource::TargetCchh;
    bool compressed = false;               // CKD: Hercules' cckdcdsk would judge its tracks
    bool in_place = false;                 // an existing plain image written where it lies
    bool existed = false;                  // restored onto an existing image (else created)
    uint64_t progress_total = 0;           // tracks or FBA blocks, 0 if unknown
    const char* unit = "track";            // what the messages count
    std::string devtype;                   // the device type restored as ("3390-3")

    void commit() { ckd ? ckd->commit() : fba->commit(); }
    bool resumable() const { return ckd ? ckd->resumable() : fba->resumable(); }
    uint64_t sync_written() { return ckd ? ckd->sync_written() : fba->sync_written(); }
    std::vector<std::string> temporary_files() const { return ckd ? ckd->temporary_files() : fba->temporary_files(); }
    void keep_unfinished() { ckd ? ckd->keep_unfinished() : fba->keep_unfinished(); }
    std::unique_ptr<UnitSink> checking_sink() { return ckd ? checking_sink_of(*ckd) : checking_sink_of(*fba); }
};

// The target of a CKD dump: its device chosen (checked against the trailer and the track
// sizes when the dump was read through), the selection of cylinders made, and the image
// opened (checked and marked busy) or created.  Error(Device), Error(Usage), Error(Refused).
RestoreTarget ckd_restore_target(const RestoreOptions& options, const TargetState& target, const DdrVolumeHeader& vhr,
                                 RestoreSelection& selection, const std::optional<DumpSummary>& summary,
                                 const std::optional<CpCheckpoint>& nucleus, TargetFate& fate, Reporter& reporter)
{
    RestoreTarget t;
    std::string how;
    const CkdDevice& dev = device_for_dump(vhr, options.devtype, &how);
    t.device = &dev;
    t.devtype = dev.name;
    t.geometry = {UnitKind::Track, dev.heads, vhr.eav_form()};
    selection = RestoreSelection(parse_extents(options.extents, options.reorder), t.geometry);
    if (summary) {
        check_dump_device(summary->trailer_devtype, summary->trailer_model, dev, options.tapes[0]);
        check_track_fits(summary->max_track_bytes, dev, vhr, file_place(options.tapes[0]));
        selection.check_on_tape(summary->cylinder_ranges, options.tapes[0]);
    }
    // The highest cylinder the restore will write, when known in advance.
    std::optional<uint64_t> highest = selection.highest_target();
    if (!highest && summary && summary->last_track)
        highest = summary->last_track->cyl;
    if (nucleus && !target.present)
        fail(ErrorKind::NotCpVolume, file_place(options.target),
             "DMKDDR722E OUTPUT UNIT NOT PROPERLY FORMATTED FOR THE CP NUCLEUS: there is no such volume; a NUCLEUS "
             "dump restores onto an existing CP-formatted volume");
    if (target.present)
        t.ckd = open_existing_ckd_target(options, target, dev, how, vhr, nucleus, highest, fate, reporter);
    else
        t.ckd = target.resume ? resume_ckd_target(options, target, dev, reporter)
                              : create_ckd_target(options, dev, how, vhr, highest, reporter);
    const CkdVolumeInfo& info = t.ckd->info();
    t.r0 = restores_r0_from_tape(dev) ? R0CountSource::Tape : R0CountSource::TargetCchh;
    t.compressed = info.format.rfind("CKD_C", 0) == 0;
    t.in_place = target.present && info.format.rfind("CKD_P", 0) == 0;
    t.existed = target.present;
    t.progress_total = summary ? summary->tracks : 0;
    t.sink = sink_of(*t.ckd, options.target);
    return t;
}

// The FBA model of a dump: --devtype, else the header's type and size (a 3370 and a
// 3370-2 share a type), else the size alone, else a generic FB-512.
const FbaDevice& fba_device_of(const RestoreOptions& options, const FbaVolumeFields& fields)
{
    if (options.devtype) {
        if (const FbaDevice* dev = find_fba_device(*options.devtype))
            return *dev;
        fail(ErrorKind::Device, "the dump is of an FBA volume; '" + *options.devtype + "' is not an FBA device type");
    }
    for (const FbaDevice& d : fba_devices())
        if (d.devtype == fields.devtype && d.blocks == fields.blocks)
            return d;
    if (const FbaDevice* dev = fba_device_for_blocks(fields.blocks))
        return *dev;
    return generic_fba_device();
}

// The target of an FBA dump, as ckd_restore_target is for CKD: the selection of blocks,
// and the image opened or created.
RestoreTarget fba_restore_target(const RestoreOptions& options, const TargetState& target, const DdrVolumeHeader& vhr,
                                 RestoreSelection& selection, const std::optional<DumpSummary>& summary,
                                 TargetFate& fate, Reporter& reporter)
{
    RestoreTarget t;
    const FbaVolumeFields fields = *fba_fields(vhr);
    if (!options.extents.empty())
        fail(ErrorKind::Usage, "the dump is of an FBA volume: give --blocks, not --cylinders");
    t.geometry = {UnitKind::BlockGroup, 0, false};
    selection = RestoreSelection(parse_extents(options.blocks, options.reorder, "block"), t.geometry);
    std::optional<uint64_t> highest = selection.highest_target();
    if (!highest && summary && !summary->cylinder_ranges.empty())
        highest = summary->cylinder_ranges.back().second;
    const FbaDevice& dev = fba_device_of(options, fields);
    t.devtype = dev.name;
    if (target.present) {
        t.fba = open_existing_fba_target(options, target, vhr, highest, fate, reporter);
    } else if (target.resume) {
        const std::string temp = recorded_temporaries(*target.resume, target.record_path).front();
        t.fba = resume_fba_volume(options.target, temp);
        reporter.note("continuing " + options.target + " in " + temp + " after " +
                      recorded_units(*target.resume) + " (compared with the dump, not rewritten)");
    } else {
        NewFbaVolume spec;
        if (options.format != "ckd" && options.format != "fba" && options.format != "cfba")
            fail(ErrorKind::Usage, "--format for an FBA target is fba or cfba");
        spec.format = options.format == "cfba" ? "FBA_C370" : "FBA";
        spec.blocks = std::max<uint64_t>(fields.blocks, highest.value_or(0) + 1);
        spec.devtype = dev.devtype;
        t.fba = create_fba_volume(options.target, spec);
        reporter.note("creating " + options.target + " as a " + std::string(dev.name) + " of " +
                      std::to_string(spec.blocks) + " blocks (from the dump's header)");
    }
    t.in_place = target.present && t.fba->info().format == "FBA";
    t.existed = target.present;
    t.progress_total = fields.blocks;
    t.unit = "FBA block";
    t.sink = sink_of(*t.fba, options.target);
    return t;
}

// Turns the groups a restore reads into the units it writes, for either kind: a THR group
// becomes the track it holds (at its target address), an FBG group its blocks.
class GroupUnpacker {
public:
    GroupUnpacker(RestoreTarget& target, const DdrVolumeHeader& vhr, std::string target_name, Reporter& reporter)
        : target_(target), vhr_(vhr), target_name_(std::move(target_name)), reporter_(reporter)
    {
    }

    // The unit the group `reader` holds: its tape address and how many units it holds.
    Unit unit_of(DumpReader& reader, DumpReader::Item item) const
    {
        const bool fba = item == DumpReader::Item::FbaGroup;
        if (fba != target_.geometry.fba())
            fail(ErrorKind::Unreadable, reader.place(), fba ? "a CKD dump holds an FBA group" : "an FBA dump holds a CKD track");
        if (fba)
            return {reader.fba_group().first_block(), reader.fba_group().count()};
        return {cchh_value(reader.track().output_address(reader.eav_form())), 1};
    }

    // Writes the pieces of the group `reader` holds: checks them, unpacks them, hands
    // them to the sink.
    void write(DumpReader& reader, const std::vector<RestoreSelection::Piece>& pieces, const Place& where)
    {
        if (!target_.geometry.fba()) {
            for (const RestoreSelection::Piece& piece : pieces) {
                build_track(reader.track(), piece.target, where);
                target_.sink->write(piece.target, 1, track_.bytes, where);
            }
            return;
        }
        FbaGroupDecoder& g = reader.fba_group();
        data_.resize(size_t(g.count()) * kFbaBlockSize);
        g.copy_data(data_);
        for (const RestoreSelection::Piece& piece : pieces) {
            if (piece.skip == 0) {
                target_.sink->write(piece.target, piece.count, data_, where);
                continue;
            }
            const auto from = data_.begin() + std::ptrdiff_t(size_t(piece.skip) * kFbaBlockSize);
            part_.assign(from, from + std::ptrdiff_t(size_t(piece.count) * kFbaBlockSize));
            target_.sink->write(piece.target, piece.count, part_, where);
        }
    }

    // After the loop: the total of the tracks Hercules' cckdcdsk would discard.
    void finish() const
    {
        if (flagged_ > 1)
            reporter_.warn(std::to_string(flagged_) + " tracks in all are of the kind Hercules 3.13's cckdcdsk -3 would discard");
    }

private:
    void build_track(DdrTrackDecoder& t, uint32_t target, const Place& where)
    {
        const CkdVolumeInfo& info = target_.ckd->info();
        const TrackAddress out = target_.geometry.fba() ? TrackAddress{} : address_of(target);
        if (out.head >= info.heads)
            fail(ErrorKind::Unreadable, where, "track head " + std::to_string(out.head) + " does not exist on a " +
                                                   std::string(target_.device->name));
        if (out.cyl >= info.cylinders)
            fail(ErrorKind::Refused, where, "the dump writes cylinder " + std::to_string(out.cyl) + " but " +
                                                target_name_ + " has " + std::to_string(info.cylinders) +
                                                " cylinders (make a larger target with ddr init)");
        if (t.header().flagged_defective())
            reporter_.warn(where.str() + ": the track was flagged defective when it was dumped");
        try {
            t.build(track_, out, target_.r0);
        } catch (const Error& e) {
            throw e.within(where);
        }
        check_track_fits(track_.size(), *target_.device, vhr_, where);
        if (target_.compressed && hercules_cckd_flags(track_, info.heads) && flagged_++ == 0)
            reporter_.warn(where.str() + ": this track is kept exactly, but Hercules 3.13's cckdcdsk -3 calls such "
                                         "tracks invalid (R0 data on an empty track, or a count naming a head or "
                                         "record 0 it does not expect) and would discard them");
    }
    TrackAddress address_of(uint32_t cchh) const { return ddr::address_of(cchh, target_.geometry.eav_form); }

    RestoreTarget& target_;
    const DdrVolumeHeader& vhr_;
    std::string target_name_;
    Reporter& reporter_;
    TrackImage track_;
    Bytes data_, part_;
    uint64_t flagged_ = 0;
};

// On a tape without checksums, a damaged home address (or block number) would put a unit
// in the wrong place: units must ascend, as DDR writes them.
void check_ascending(const UnitGeometry& g, std::optional<Unit>& previous, Unit u, const Place& where)
{
    if (previous && g.order_of(u.address) < g.order_of(previous->address) + previous->count)
        fail(ErrorKind::Damaged, where,
             g.fba() ? "FBA groups out of order: one of them has a damaged block number"
                     : "tracks out of order: this one comes after " + g.describe(previous->address) +
                           "; one of the two has a damaged home address");
    previous = u;
}

// IBM's RESTORE NUCLEUS: R1 and R2 of cylinder 0 head 0 of the target are rewritten in
// place from the dump's checkpoint record, once the target is checked (DMKDDR722E).
void restore_nucleus(CkdVolumeWriter& volume, const Bytes& record, const CpCheckpoint& checkpoint,
                     const std::string& target, Reporter& reporter)
{
    TrackImage track0;
    volume.read_track({0, 0}, track0);
    check_nucleus_target(track0, checkpoint, target);
    rewrite_cp_nucleus_records(track0, record);
    volume.write_track({0, 0}, track0);
    reporter.note("rewrote the IPL record (R1) and the checkpoint record (R2) of cylinder 0 head 0");
}

// Reads the first item of the dump after its VHR: a NUCLEUS dump's checkpoint record is
// returned, so that it is known before the target is opened or made, and `item` is the
// item after it; otherwise `item` is that first item.  `where` is the first item's place.
std::optional<Bytes> read_checkpoint_record(DumpReader& reader, DumpReader::Item& item, Place& where)
{
    item = reader.next();
    where = reader.place();
    if (item != DumpReader::Item::Nucleus)
        return std::nullopt;
    ByteSpan rec = reader.nucleus_record();
    Bytes record(rec.begin(), rec.end());
    item = reader.next();
    return record;
}

// What a restore did, for its report (man/ddr.1, JSON REPORTS).
struct RestoreDone {
    uint64_t units = 0;     // tracks or FBA blocks written
    uint64_t bytes = 0;     // their data bytes
    uint64_t skipped = 0;   // tracks on tape outside the extents
    uint64_t damaged = 0;   // units restored as read past damage (--continue)
};

// The restore's report: the target as written, the dump it came from, and how far its
// checksums proved what was restored.
void report_restore(const RestoreTarget& t, const DdrVolumeHeader& vhr,
                    const DumpReader& reader, const DumpChecker& checker, const RestoreDone& done, Json& facts)
{
    facts["container"] = container_kind(t.ckd ? t.ckd->info().format : t.fba->info().format);
    facts["image_format"] = t.ckd ? t.ckd->info().format : t.fba->info().format;
    facts["devtype"] = t.devtype;
    facts["volser"] = volser_of(vhr);
    facts["created"] = !t.existed;
    facts["tod"] = format_tod_hex(vhr.tod);
    facts["dump_time"] = format_tod_iso8601(vhr.tod);
    facts["reels_read"] = reader.reel_in_dump();
    facts["units"] = done.units;
    facts["unit_name"] = t.geometry.fba() ? "blocks" : "tracks";
    facts["data_bytes"] = done.bytes;
    facts["skipped_tracks"] = done.skipped;
    facts["checksums"] = checker.has_checksums();
    facts["units_checked"] = checker.units_checked();
    facts["all_reels_checked"] = checker.all_reels_checked();
    facts["verified_by_checksums"] = checker.has_checksums() && checker.all_reels_checked() && done.damaged == 0 &&
                                     checker.units_checked() == checker.units();
    facts["damaged_units"] = done.damaged;
}

// What the loop over a dump's units counts.
struct UnitCounts {
    uint64_t restored = 0;  // tracks or FBA blocks written (or, resumed, found written)
    uint64_t skipped = 0;   // tracks on tape outside the extents
    uint64_t bytes = 0;     // data bytes of the units restored
};

// Every unit of the dump from `item` on, onto the target at its (REORDERed) address.
// The first `check_first` tape items were written by an interrupted run: they are
// compared with the target instead (a checking sink), the rest written; `progress`,
// if any, learns of each item.
void restore_items(const RestoreOptions& options, DumpReader& reader, DumpReader::Item item, RestoreTarget& t,
                   GroupUnpacker& unpacker, RestoreSelection& selection, ResumeProgress* progress,
                   uint64_t check_first, UnitCounts& counts, Reporter& reporter)
{
    std::optional<Unit> previous;
    std::unique_ptr<UnitSink> writing;
    if (check_first > 0) {
        writing = std::move(t.sink);
        t.sink = t.checking_sink();
    }
    uint64_t items = 0;
    for (; item != DumpReader::Item::End; item = reader.next()) {
        if (items == check_first && writing)
            t.sink = std::move(writing);
        if (item == DumpReader::Item::Nucleus)
            fail(ErrorKind::Unreadable, reader.place(), "a second CP checkpoint record, where a track was expected");
        const Unit u = unpacker.unit_of(reader, item);
        const Place where = reader.place();
        if (!options.keep_going)
            check_ascending(t.geometry, previous, u, where);
        const std::vector<RestoreSelection::Piece> pieces = selection.select(u.address, u.count);
        if (pieces.empty())
            ++counts.skipped;
        unpacker.write(reader, pieces, where);
        for (const RestoreSelection::Piece& piece : pieces)
            counts.restored += piece.count;
        counts.bytes = t.geometry.fba() ? counts.restored * kFbaBlockSize
                                        : counts.bytes + (pieces.empty() ? 0 : reader.track().image_length());
        reporter.progress(counts.restored, t.progress_total, counts.bytes, "restore", progress_place(t.geometry, u.address));
        if (progress)
            progress->item_done(++items);
        else
            ++items;
    }
    if (writing)
        t.sink = std::move(writing);
    reporter.end_progress();
}

// The resume record kept while a plain target is written (restore_resume.hpp): the
// interrupted run's when this one continues it (kept, though no longer rewritten, under
// --record-interval 0), else a new one.  nullopt when none is kept: a compressed
// target, a NUCLEUS restore, --record-interval 0.
std::optional<ResumeProgress> progress_for(const RestoreOptions& options, const TargetState& target, RestoreTarget& t,
                                            const DdrVolumeHeader& vhr)
{
    if (!t.resumable() || options.nucleus || (options.record_interval <= 0 && !target.resume))
        return std::nullopt;
    ResumeRecord r = target.resume.value_or(ResumeRecord{});
    if (!target.resume) {
        r.kind = t.in_place ? ResumeKind::RestoreInPlace : ResumeKind::RestoreNewImage;
        r.fba = t.geometry.fba();
        r.dump_tod = vhr.tod;
        r.dump_volser = volser_of(vhr);
        r.dump_file = uint32_t(options.file);
        r.selection = selection_fingerprint(options);
        for (const std::string& temp : t.temporary_files())
            r.temporaries.push_back(temp.substr(temp.rfind('/') + 1));
    }
    return ResumeProgress(target.record_path, std::move(r), options.record_interval, [&t](ResumeRecord&) { return t.sync_written(); });
}

// A resumed restore of a dump without checksums: the units the interrupted run wrote
// matched the tape as read again, but nothing proves that tape; --force accepts that.
void check_resume_proven(const RestoreOptions& options, const DumpChecker& checker, const TargetState& target)
{
    if (!target.resume || target.resume->units_done == 0 || checker.has_checksums() || options.force)
        return;
    fail(ErrorKind::Refused, file_place(options.tapes.front()),
         "the dump has no checksums (an IBM DDR or --pure dump): the " + recorded_units(*target.resume) +
             " the interrupted restore wrote match the tape as read again, but cannot be proven against checksums; "
             "give --force to accept them, or restore without --resume");
}

// The end of a dump's units: the NUCLEUS records, the checks of a complete dump, and the
// commit.
void complete_restore(const RestoreOptions& options, const TargetState& target, DumpReader& reader,
                      DumpChecker& checker, RestoreTarget& t, const RestoreSelection& selection,
                      const std::optional<Bytes>& nucleus, const std::optional<CpCheckpoint>& checkpoint,
                      Reporter& reporter)
{
    selection.check_complete(options.tapes[0]);
    if (nucleus)
        restore_nucleus(*t.ckd, *nucleus, *checkpoint, options.target, reporter);
    check_dump_complete(reader, checker, reporter);
    check_resume_proven(options, checker, target);
    if (const auto& h = checker.dump_header(); h && t.device)
        check_dump_device(h->devtype, h->model, *t.device, options.tapes[0]);
    t.commit();
}

// A dump onto its target, CKD or FBA: every unit the extents select at its (REORDERed)
// address, then the NUCLEUS records, the checks of a complete dump, and the commit.  A
// plain target keeps a resume record meanwhile; a new image interrupted by a signal
// keeps its temporary files for --resume.
int restore_units(const RestoreOptions& options, const TargetState& target, DumpReader& reader, DumpChecker& checker,
                  const std::vector<ChecksumFinding>& damaged, const std::optional<DumpSummary>& summary,
                  TargetFate& fate, Reporter& reporter)
{
    const DdrVolumeHeader vhr = reader.vhr();
    if (target.resume)
        check_same_dump(options, *target.resume, vhr, target.record_path);
    DumpReader::Item item = DumpReader::Item::End;
    Place first_place;
    const std::optional<Bytes> nucleus = read_checkpoint_record(reader, item, first_place);
    const std::optional<CpCheckpoint> checkpoint = check_nucleus_request(options, nucleus, first_place);
    RestoreSelection selection({}, {});
    RestoreTarget t = fba_fields(vhr) ? fba_restore_target(options, target, vhr, selection, summary, fate, reporter)
                                      : ckd_restore_target(options, target, vhr, selection, summary, checkpoint, fate, reporter);
    GroupUnpacker unpacker(t, vhr, options.target, reporter);
    UnitCounts counts;
    explain_writes(checker, options, t.in_place, summary.has_value(), counts.restored, t.unit);
    std::optional<ResumeProgress> progress = progress_for(options, target, t, vhr);
    try {
        if (progress) {
            progress->start();
            if (t.in_place)
                fate.record_kept(progress->path());
        }
        restore_items(options, reader, item, t, unpacker, selection, progress ? &*progress : nullptr,
                      target.resume ? target.resume->units_done : 0, counts, reporter);
        complete_restore(options, target, reader, checker, t, selection, nucleus, checkpoint, reporter);
    } catch (const Error& e) {
        const bool unproven = e.kind() == ErrorKind::Refused && target.resume && !checker.has_checksums();
        if (progress && !t.in_place) {
            if (e.kind() == ErrorKind::Interrupted || interrupted() || unproven) {
                t.keep_unfinished();
                fate.record_kept(progress->path());
            } else {
                progress->finished();
            }
        }
        throw;
    }
    fate.committed();
    if (progress)
        progress->finished();
    unpacker.finish();
    if (counts.skipped && !t.geometry.fba())
        reporter.note(std::to_string(counts.skipped) + " tracks on tape were outside the extents");
    report_restore(t, vhr, reader, checker, {counts.restored, counts.bytes, counts.skipped, damaged.size()},
                   reporter.facts());
    finish_restore(options, reader, checker, damaged, counts.restored, t.geometry.fba() ? "FBA blocks" : "tracks",
                   reporter);
    return 0;
}

// One restore from start to end; `fate` learns what it does to an existing target, `read`
// (if any) what was read of the dump.
int restore_dump(const RestoreOptions& options, TargetFate& fate, Reporter& reporter, DumpSummary* read)
{
    check_output_is_not_input(options.target, options.tapes);
    clear_leftovers_beside(options.target, reporter);
    TargetState target = examine_target(options.target);
    target.resume = take_up_record(options, target.record_path, target.present, target.unfinished.has_value(), reporter);
    fate.existing(target);
    check_reel_order(options.tapes, options.file);
    std::optional<DumpSummary> summary;
    if (target.present && options.precheck)
        summary = precheck_dump(options, reporter);

    DumpReader reader(options.tapes);
    DumpChecker checker;
    std::vector<ChecksumFinding> damaged;
    checker.on_finding = [&](const ChecksumFinding& f) {
        if (!options.keep_going)
            fail(ErrorKind::Damaged, f.place, f.what + " (restore stopped; --continue restores past damaged tracks)");
        reporter.warn(f.place.str() + ": " + f.what);
        damaged.push_back(f);
    };
    reader.set_observer(&checker);
    reader.skip_files(options.file - 1);
    if (!reader.start_dump())
        fail(ErrorKind::Unreadable, file_place(options.tapes[0]),
             "no dump " + std::to_string(options.file) + " on this tape");
    const int rc = restore_units(options, target, reader, checker, damaged, summary, fate, reporter);
    if (read)
        *read = reader.summary();
    return rc;
}

} // namespace

// Restores dump --file of the reels onto TARGET: a new image, or an existing one checked
// and marked busy until the restore is complete.  Returns 0; errors are thrown as
// ddr::Error, saying what became of an existing target (a restore --continue'd past
// damage ends in Error(Damaged)).
int run_restore(const RestoreOptions& options, Reporter& reporter, DumpSummary* read)
{
    if (options.tapes.empty())
        fail(ErrorKind::Usage, "no TAPE given");
    if (options.file == 0)
        fail(ErrorKind::Usage, "--file counts from 1");
    Json& facts = reporter.facts();
    facts["target"] = options.target;
    Json& tapes = facts["tapes"] = Json::array();
    for (const std::string& tape : options.tapes)
        tapes.push(tape);
    facts["file"] = options.file;
    TargetFate fate(options.target);
    try {
        return restore_dump(options, fate, reporter, read);
    } catch (const Error& e) {
        throw fate.explain(e);
    }
}

} // namespace ddr
