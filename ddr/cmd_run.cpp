#include "ddr/cmd_run.hpp"

#include "ddr/cmd_copy.hpp"
#include "ddr/cmd_dump.hpp"
#include "ddr/cmd_restore.hpp"
#include "ddr/console.hpp"
#include "ddr/exit_codes.hpp"
#include "ddr/run_display.hpp"
#include "ddr/run_io.hpp"
#include "ddr/run_tapes.hpp"
#include "ddr/run_units.hpp"
#include "ddr/shadow_option.hpp"
#include "ddr/statements.hpp"
#include "devices/ckd_devices.hpp"
#include "devices/fba_devices.hpp"
#include "formats/ddrtape/dump_reader.hpp"
#include "formats/io/error.hpp"
#include "formats/io/file.hpp"
#include "formats/io/tod.hpp"
#include "formats/volume/volume.hpp"
#include "formats/volume/volume_label.hpp"

#include <CLI/CLI.hpp>

#include <chrono>

#include <cstdio>
#include <map>
#include <utility>
#include <memory>
#include <unistd.h>

namespace ddr {

namespace {

using stmt::Answer;
using stmt::DeviceStatement;
using stmt::FunctionStatement;
using stmt::StatementError;

// Now, in microseconds since 1970 (UTC), for a COPY's printer heading.
int64_t now_micros()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The last cylinder (FBA: block) of the volume of `unit`.
uint32_t last_cylinder_of(const UnitBinding& unit)
{
    const VolumeOpenOptions options = input_volume(shadow_files_of(unit));
    if (looks_like_ckd_volume(unit.file))
        return open_ckd_volume(unit.file, options)->info().cylinders - 1;
    return uint32_t(open_fba_volume(unit.file, options)->info().blocks - 1);
}

// "0-12", "5-9:20": an extent as the dump and restore commands take it.
std::string extent_argument(const stmt::Extent& e)
{
    return std::to_string(e.first) + "-" + std::to_string(e.last) +
           (e.reorder ? ":" + std::to_string(*e.reorder) : std::string());
}

// A failed statement or step: what the console and standard error say, and the exit code.
struct StepFailure {
    std::string console;  // IBM's message line, or ""
    std::string detail;   // ddr's explanation
    int exit_code;
};

// IBM's message for a ddr error, where IBM has one.
std::string ibm_message_for(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::Device: return console::message("708E", "INVALID INPUT OR OUTPUT DEFINITION");
    case ErrorKind::Reel: return console::message("709E", "WRONG INPUT TAPE MOUNTED");
    case ErrorKind::Unreadable:
    case ErrorKind::Damaged:
    case ErrorKind::ReadFailed:
    case ErrorKind::WriteFailed: return console::message("705E", "I/O ERROR");
    default: return {};
    }
}

// The state of one job, statement by statement: the INPUT and OUTPUT units, the volsers
// they were found with, where each tape stands, and the exit code so far.
class Job {
public:
    Job(const RunOptions& options, const UnitTable& units, Console& console, Printer& printer, Reporter& reporter)
        : options_(options), units_(units), console_(console), printer_(printer), reporter_(reporter),
          inner_(reporter.level() == Reporter::Level::Verbose ? Reporter::Level::Normal : Reporter::Level::Quiet)
    {
    }

    int run();

private:
    bool statement(const stmt::Statement& s);
    void device(const DeviceStatement& d);
    void function(FunctionStatement f);
    bool step(FunctionStatement& f);
    void display(const stmt::DisplayStatement& d);
    std::optional<std::string> confirm_input(FunctionStatement& f, const DeviceStatement& in);
    bool dump(FunctionStatement& f);
    bool restore(FunctionStatement& f);
    bool copy(FunctionStatement& f);
    bool copy_volume(FunctionStatement& f);
    bool copy_tape(FunctionStatement& f);
    bool confirm_larger_input();

    bool read_extents(FunctionStatement& f);
    bool take_extent(const std::string& line, std::vector<stmt::Extent>& extents);
    std::optional<std::string> confirm_label(const UnitBinding& unit, std::string& expected);
    std::optional<DumpHead> confirm_dump(const std::vector<std::string>& reels, uint64_t dumps_before);
    bool confirm_size(const DdrVolumeHeader& vhr, const DeviceStatement& out);
    const UnitBinding& bound(const DeviceStatement& d) const;
    bool on_drive(const DeviceStatement& d) const;
    uint64_t take_position(const DeviceStatement& d, std::optional<unsigned>& skip);
    void leave_tape(const DeviceStatement& d, uint64_t position, unsigned reels, bool placed = false);
    std::vector<std::string> reels_of(const DeviceStatement& tape, bool writing) const;
    DumpOptions dump_options(const FunctionStatement& f, const DeviceStatement& in, const DeviceStatement& out,
                             uint64_t dumps_before) const;
    RestoreOptions restore_options(const FunctionStatement& f, const DumpHead& d,
                                   const std::vector<std::string>& reels, uint64_t dumps_before,
                                   const std::optional<std::string>& label) const;
    void check_append(const std::string& tape, uint64_t dumps_before) const;
    void finish_step(const char* what, const std::vector<TrackAddress>& reel_changes, const std::string& heading,
                     const std::vector<console::ExtentRow>& rows);

    void fail_statement(const StatementError& e, int exit_code = kExitUsage);
    void fail_step(const Error& e);
    void note_failure(const StepFailure& f);

    const RunOptions& options_;
    const UnitTable& units_;
    Console& console_;
    Printer& printer_;
    Reporter& reporter_;
    Reporter inner_;  // for the dump and restore cores: quiet unless --verbose
    std::optional<DeviceStatement> input_, output_;
    std::string input_volser_, output_volser_;      // the volsers expected on INPUT / OUTPUT
    std::optional<unsigned> input_skip_, output_skip_;  // SKIP n, used by the next step
    std::map<uint16_t, uint64_t> position_;         // tape unit: dumps before where it stands
    int exit_code_ = kExitOk;
};

int Job::run()
{
    console_.say(console::kBanner);
    console_.say(console::kEnterReaderOrStatements);
    std::optional<std::string> line = console_.read();
    // The first answer may be a card reader's address: the statements are on its file.
    if (line) {
        const std::optional<uint16_t> reader_unit = stmt::parse_unit(*line);
        const UnitBinding* b = reader_unit ? units_.find(*reader_unit) : nullptr;
        if (b) {
            FilePtr f(std::fopen(b->file.c_str(), "r"));
            if (!f)
                fail(ErrorKind::ReadFailed, file_place(b->file), "cannot read the card reader's file");
            console_.switch_input(std::move(f), b->file);
            line = console_.read();
        }
    }
    while (line) {
        const stmt::ParsedStatement parsed = stmt::parse_statement(*line);
        if (const auto* e = std::get_if<StatementError>(&parsed))
            fail_statement(*e);
        else if (!statement(std::get<stmt::Statement>(parsed)))
            break;
        line = console_.read();
    }
    console_.say(console::kEndOfJob);
    printer_.finish();
    return exit_code_;
}

// Carries out one statement; false if it ends the job (a null line, END).
bool Job::statement(const stmt::Statement& s)
{
    if (std::holds_alternative<stmt::NullLine>(s) || std::holds_alternative<stmt::EndStatement>(s))
        return false;
    try {
        if (const auto* d = std::get_if<DeviceStatement>(&s))
            device(*d);
        else if (const auto* p = std::get_if<stmt::SysprintStatement>(&s))
            printer_.set_unit(p->unit);
        else if (const auto* f = std::get_if<FunctionStatement>(&s))
            function(*f);
        else if (const auto* t = std::get_if<stmt::DisplayStatement>(&s))
            display(*t);
    } catch (const Error& e) {
        if (e.kind() == ErrorKind::Interrupted)
            throw;
        fail_step(e);
    }
    return true;
}

// INPUT or OUTPUT: the unit must be bound to a file that is the device named.  What
// means nothing for a file (MODE, COMPACT, UNLOAD) is said and passed over.
void Job::device(const DeviceStatement& d)
{
    (d.output ? output_ : input_).reset();
    const UnitBinding* b = units_.find(d.unit);
    if (!b) {
        note_failure({console::message("704E", "DEVICE " + stmt::unit_name(d.unit) + " NOT OPERATIONAL"),
                      "unit " + stmt::unit_name(d.unit) + " is bound to no file (--unit " + stmt::unit_name(d.unit) +
                          "=FILE, or a Hercules configuration with --config)",
                      kExitUsage});
        return;
    }
    try {
        check_unit_device(d, *b);
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::Device)
            throw;
        note_failure({ibm_message_for(ErrorKind::Device), e.what(), kExitDevice});
        return;
    }
    if (d.tape.mode || d.tape.compact || d.tape.lzcompact)
        reporter_.note(stmt::unit_name(d.unit) + (file_status(b->file).kind == FileKind::CharDevice
                                                      ? ": MODE and COMPACT are not set on a Linux tape drive (its "
                                                        "density and compression are the drive's, set with mt(1)); "
                                                        "passed over"
                                                      : ": MODE and COMPACT mean nothing for a tape file; passed over"));
    if (d.alternate && !units_.find(*d.alternate))
        reporter_.note("alternate unit " + stmt::unit_name(*d.alternate) + " is bound to no file: a dump that needs a "
                       "second reel will fail");
    (d.output ? output_ : input_) = d;
    (d.output ? output_volser_ : input_volser_) = d.volser;
    (d.output ? output_skip_ : input_skip_) = d.tape.skip;
}

// DUMP, RESTORE or COPY: INPUT and OUTPUT must be there (702E) and of the classes the
// function moves between (708E); a step not done (answered NO) makes the exit code 6.
void Job::function(FunctionStatement f)
{
    using stmt::DeviceClass;
    using stmt::Function;
    if (!input_ || !output_) {
        fail_statement({"702E", "CONTROL STATEMENT SEQUENCE ERROR",
                        std::string(!input_ ? "no INPUT statement" : "no OUTPUT statement") + " before this step"});
        return;
    }
    const DeviceClass in = input_->type.cls, out = output_->type.cls;
    const bool ok = f.function == Function::Dump      ? in == DeviceClass::Dasd && out == DeviceClass::Tape
                    : f.function == Function::Restore ? in == DeviceClass::Tape && out == DeviceClass::Dasd
                                                      : in == out;
    if (!ok) {
        fail_statement({"708E", "INVALID INPUT OR OUTPUT DEFINITION",
                        "DUMP reads a DASD onto a tape, RESTORE a tape onto a DASD, COPY a DASD to a DASD or a "
                        "tape to a tape"},
                       kExitDevice);
        return;
    }
    const bool done = step(f);
    if (!done && exit_code_ == kExitOk)
        exit_code_ = kExitRefused;
}

// PRINT and TYPE: the records listed through ddr print's formatter, a PRINT's on the
// SYSPRINT unit between PRINTING and END OF PRINT, a TYPE's on the console.
void Job::display(const stmt::DisplayStatement& d)
{
    if (!input_) {
        fail_statement({"702E", "CONTROL STATEMENT SEQUENCE ERROR", "no INPUT statement before PRINT or TYPE"});
        return;
    }
    const std::string& file = bound(*input_).file;
    const bool tape = input_->type.cls == stmt::DeviceClass::Tape;
    std::string volser;
    uint64_t at = 0;
    if (tape) {
        at = take_position(*input_, input_skip_);
        volser = volser_of_dump(file, at);
    } else {
        const std::optional<std::string> label = confirm_label(bound(*input_), input_volser_);
        if (!label)
            return;
        volser = *label;
    }
    PrintOptions o = print_options_for(d, file, at);
    if (!tape)
        o.sf = shadow_files_of(bound(*input_));
    if (d.print) {
        console_.say(console::doing("PRINTING", volser));
        printer_.begin_page();
    }
    const std::optional<RecordPoint> not_found = write_listing(o, [this, &d](std::string_view bytes) {
        d.print ? printer_.write(bytes) : console_.write(bytes);
    });
    if (not_found)
        fail_record_not_found(o, *not_found);
    if (d.print)
        console_.say("END OF PRINT");
    if (tape)
        leave_tape(*input_, at, 1);
}

// Reads a step's extents after its statement: more lines until a null line (the first
// one too if the statement named none).  False if the step is cancelled: a bad extent
// (the rest of its lines are read and passed over, so they are not taken for
// statements) or the end of the input.
bool Job::read_extents(FunctionStatement& f)
{
    bool good = true;
    if (f.extents.empty()) {
        const std::optional<std::string> first = console_.read(console::kEnterExtents);
        if (!first || stmt::is_null_line(*first)) {
            fail_statement({"703E", "OPERAND MISSING", "the step names no extent"});
            return false;
        }
        good = take_extent(*first, f.extents);
    }
    for (;;) {
        console_.say(console::kEnterNextExtent);
        const std::optional<std::string> line = console_.read();
        if (!line || stmt::is_null_line(*line))
            return good;
        good = take_extent(*line, f.extents) && good;
    }
}

bool Job::take_extent(const std::string& line, std::vector<stmt::Extent>& extents)
{
    const stmt::ParsedExtent parsed = stmt::parse_extent_line(line);
    std::optional<StatementError> e;
    if (const auto* err = std::get_if<StatementError>(&parsed))
        e = *err;
    else
        e = stmt::add_extent(extents, std::get<stmt::Extent>(parsed));
    if (!e)
        return true;
    e->detail += (e->detail.empty() ? "" : "; ") + std::string("the step is cancelled (its extents end at a null line)");
    fail_statement(*e);
    return false;
}

// IBM's 711R (and 716R for a volume without a label): asked unless the label is the
// volser expected.  A blank `expected` is filled with the first volser confirmed, as
// IBM fills the statement's field.  Returns the volser read ("" for none), nullopt for
// NO.  REREAD reads the label again.
std::optional<std::string> Job::confirm_label(const UnitBinding& unit, std::string& expected)
{
    for (;;) {
        const std::optional<std::string> label = read_volume_volser(unit.file, shadow_files_of(unit));
        if (label && *label == expected)
            return label;
        const Answer a = console_.ask(label ? console::volid_read(*label, expected) : console::no_vol1_label());
        if (a == Answer::Reread)
            continue;
        if (a == Answer::No)
            return std::nullopt;
        if (expected.empty() && label)
            expected = *label;
        return label.value_or("");
    }
}

// The binding of a unit an accepted INPUT/OUTPUT statement names (device() checked it).
const UnitBinding& Job::bound(const DeviceStatement& d) const
{
    const UnitBinding* b = units_.find(d.unit);
    if (!b)
        fail(ErrorKind::Internal, "unit " + stmt::unit_name(d.unit) + " lost its binding");
    return *b;
}

// Where tape `d` stands for the step about to use it: after the dumps it was left past,
// and a pending SKIP (used once).  Its first use in the job takes it where it stands: a
// file at its start, a drive where the driver counts its tape (drive_position: a drive
// that is not ready fails here).
uint64_t Job::take_position(const DeviceStatement& d, std::optional<unsigned>& skip)
{
    auto it = position_.find(d.unit);
    if (it == position_.end()) {
        const uint64_t first = on_drive(d) ? drive_position(bound(d).file, d.output).value_or(0) : 0;
        it = position_.emplace(d.unit, first).first;
    }
    const uint64_t at = it->second + skip.value_or(0);
    skip.reset();
    return at;
}

// True if tape unit `d` is bound to a tape drive (a character device).
bool Job::on_drive(const DeviceStatement& d) const
{
    return file_status(bound(d).file).kind == FileKind::CharDevice;
}

// After a step: LEAVE keeps the tape past the dump just read or written; REWIND and
// UNLOAD (for a file, the same) bring it back to its start, as does a dump on several
// reels (IBM unloads every reel after its EOV).  A drive is put there (rewound, unloaded
// or left after the dump's tape mark) unless `placed`: its dump writer did it.
void Job::leave_tape(const DeviceStatement& d, uint64_t position, unsigned reels, bool placed)
{
    const auto disposition = d.tape.disposition.value_or(stmt::Disposition::Unload);
    position_[d.unit] = disposition == stmt::Disposition::Leave && reels <= 1 ? position + 1 : 0;
    if (!placed && on_drive(d))
        place_drive(bound(d).file, disposition, position_[d.unit]);
}

// The files of tape unit `tape` and its alternate, in reel order.  Reading, an
// alternate whose file is not there is left out; writing, it is used only if the first
// reel has a size (maxsize=) or is a drive (its early warning ends it), since only then
// can a dump reach it.
std::vector<std::string> Job::reels_of(const DeviceStatement& tape, bool writing) const
{
    const UnitBinding& first = bound(tape);
    std::vector<std::string> reels{first.file};
    const UnitBinding* alt = tape.alternate ? units_.find(*tape.alternate) : nullptr;
    if (alt && (writing ? reel_options_of(first).size != 0 || on_drive(tape) : file_status(alt->file).exists()))
        reels.push_back(alt->file);
    return reels;
}

// The first steps of a DUMP or a volume COPY: 711R for the input volume, then the
// extents on the lines that follow.  The volser read, or nothing when the operator
// stopped the step.
std::optional<std::string> Job::confirm_input(FunctionStatement& f, const DeviceStatement& in)
{
    std::optional<std::string> volser = confirm_label(bound(in), input_volser_);
    if (volser && f.scope == stmt::Scope::Extents && !read_extents(f))
        return std::nullopt;
    return volser;
}

// DUMP: 711R for the input volume, the extents, then the one dump path (run_dump) onto
// the tape where it stands; its reel changes and TOD are what run_dump says it wrote
// (a drive cannot read the dump back without repositioning).
bool Job::dump(FunctionStatement& f)
{
    const DeviceStatement in = *input_, out = *output_;
    const std::optional<std::string> volser = confirm_input(f, in);
    if (!volser)
        return false;
    const uint64_t at = take_position(out, output_skip_);
    const DumpOptions o = dump_options(f, in, out, at);
    const bool drive = on_drive(out);
    if (!drive)
        check_append(o.tapes.front(), at);
    console_.say(console::doing("DUMPING", *volser));
    DumpWritten written;
    run_dump(o, inner_, &written);
    std::vector<stmt::Extent> extents = f.extents;
    if (f.scope != stmt::Scope::Extents) {
        extents.clear();
        for (auto [first, last] : written.output_runs)
            extents.push_back({uint32_t(first), uint32_t(last), std::nullopt});
    }
    finish_step("DUMP", written.reel_changes, console::dump_heading(written.tod, *volser),
                rows_split_at_reels(extents, written.reel_changes));
    // The writer left a one-reel dump's drive as the statement says; a reel that ended
    // at its early warning is rewound here (IBM unloads it after its EOV).
    const unsigned reels = unsigned(written.reel_changes.size() + 1);
    leave_tape(out, at, reels, drive && reels == 1);
    return true;
}

// ddr dump's options for a DUMP step: the INPUT volume, the OUTPUT reels with their
// Hercules sizes, the extents (FBA: blocks), CPVOL/NUCLEUS; a tape file written over from
// its start, or appended to after `dumps_before` dumps; a drive written at the start of
// tape file `dumps_before` + 1 and left as the statement says.
DumpOptions Job::dump_options(const FunctionStatement& f, const DeviceStatement& in, const DeviceStatement& out,
                              uint64_t dumps_before) const
{
    DumpOptions o;
    o.source = bound(in).file;
    o.sf = shadow_files_of(bound(in));
    o.tapes = reels_of(out, true);
    o.devtype = in.type.name;
    const bool fba = find_fba_device(in.type.name) != nullptr;
    for (const stmt::Extent& e : f.extents)
        (fba ? o.blocks : o.extents).push_back(extent_argument(e));
    o.cpvol = f.scope == stmt::Scope::Cpvol;
    o.nucleus = f.scope == stmt::Scope::Nucleus;
    const ReelOptions first = reel_options_of(bound(out));
    if (o.tapes.size() > 1) {
        o.reel_sizes = {first.size, reel_options_of(*units_.find(*out.alternate)).size};
    } else if (first.size) {
        o.reel_sizes = {first.size};
    }
    if (first.margin)
        o.eot_margin = first.margin;
    o.tape.overwrite = true;
    if (on_drive(out)) {
        // IBM's DDR writes where the tape stands, replacing what follows there.
        o.tape.drive_after_files = dumps_before;
        const auto disposition = out.tape.disposition.value_or(stmt::Disposition::Unload);
        o.tape.disposition = disposition == stmt::Disposition::Leave    ? TapeDisposition::Leave
                             : disposition == stmt::Disposition::Rewind ? TapeDisposition::Rewind
                                                                        : TapeDisposition::Unload;
    } else {
        o.tape.append = dumps_before > 0;
    }
    o.pure = options_.pure;
    return o;
}

// A dump written after `dumps_before` others (SKIP, LEAVE) goes at the end of the tape:
// the tape must hold exactly that many, for ddr never writes over a dump.
void Job::check_append(const std::string& tape, uint64_t dumps_before) const
{
    if (dumps_before == 0)
        return;
    const uint64_t held = dumps_on_tape(tape);
    if (held < dumps_before)
        fail(ErrorKind::Reel, file_place(tape),
             "the tape holds " + counted(held, "dump") + "; the dump was to follow " + std::to_string(dumps_before));
    if (held > dumps_before)
        fail(ErrorKind::Refused, file_place(tape),
             "the tape holds " + counted(held, "dump") + " and this one would be written over dump " +
                 std::to_string(dumps_before + 1) + ": ddr does not write over dumps (the tape was not changed)");
}

// RESTORE: the dump where the tape stands (717R), the extents, 711R for the output
// volume, 725R, then the one restore path (run_restore).
bool Job::restore(FunctionStatement& f)
{
    const DeviceStatement in = *input_, out = *output_;
    const uint64_t at = take_position(in, input_skip_);
    const std::vector<std::string> reels = reels_of(in, false);
    const std::optional<DumpHead> d = confirm_dump(reels, at);
    if (!d)
        return false;
    if (f.scope == stmt::Scope::Extents && !read_extents(f))
        return false;
    const std::string& target = bound(out).file;
    std::optional<std::string> label;
    if (file_status(target).exists()) {
        label = confirm_label(bound(out), output_volser_);
        if (!label)
            return false;
    }
    if (!confirm_size(d->vhr, out))
        return false;
    const std::string dumped = volser_to_ascii(d->vhr.volser);
    console_.say(console::doing("RESTORING", dumped));
    DumpSummary read;
    run_restore(restore_options(f, *d, reels, at, label), inner_, &read);
    const std::vector<stmt::Extent> extents = f.scope == stmt::Scope::Extents ? f.extents : extents_of_runs(read);
    std::vector<console::ExtentRow> rows = rows_split_at_reels(extents, {});
    finish_step("RESTORE", read.reel_changes, console::restore_heading(d->vhr.tod, dumped, label.value_or("")), rows);
    leave_tape(in, at, read.reels);
    return true;
}

// IBM's 717R: the dump where the tape stands is of another volume than OUTPUT expects
// (asked unless OUTPUT says SCRATCH).  nullopt for NO; REREAD reads the tape again.
std::optional<DumpHead> Job::confirm_dump(const std::vector<std::string>& reels, uint64_t dumps_before)
{
    for (;;) {
        DumpHead d = read_dump_head(reels, dumps_before);
        const std::string dumped = volser_to_ascii(d.vhr.volser);
        if (output_->scratch || dumped == output_volser_)
            return d;
        const Answer a = console_.ask(console::dumped_to_be_restored(dumped, output_volser_));
        if (a == Answer::Yes)
            return d;
        if (a == Answer::No)
            return std::nullopt;
    }
}

// IBM's 725R: the dump's device has more cylinders than the OUTPUT device type.
bool Job::confirm_size(const DdrVolumeHeader& vhr, const DeviceStatement& out)
{
    const std::optional<uint32_t> last = device_last_cylinder(out.type.name);
    if (!last || vhr.cyla <= *last || vhr.cyla == kDdrCylaEav)
        return true;
    return confirm_larger_input();
}

// IBM's 725R, asked again on REREAD (the sizes read again say the same).
bool Job::confirm_larger_input()
{
    for (;;) {
        const Answer a = console_.ask(console::input_larger_than_output());
        if (a != Answer::Reread)
            return a == Answer::Yes;
    }
}

// ddr restore's options for a RESTORE step of dump `d`: the reels it is on, the
// OUTPUT volume as the type named, the extents; `label` is the target's volser the
// operator confirmed (none: the target is new or has no label).
RestoreOptions Job::restore_options(const FunctionStatement& f, const DumpHead& d,
                                    const std::vector<std::string>& reels, uint64_t dumps_before,
                                    const std::optional<std::string>& label) const
{
    RestoreOptions o;
    o.tapes.assign(reels.begin(), reels.begin() + std::min<size_t>(reels.size(), d.reels));
    o.target = bound(*output_).file;
    o.file = dumps_before + 1;
    o.nucleus = f.scope == stmt::Scope::Nucleus;
    const bool fba = fba_fields(d.vhr).has_value();
    for (const stmt::Extent& e : f.extents)
        (fba ? o.blocks : o.extents).push_back(extent_argument(e));
    if (!fba)
        o.devtype = output_->type.name;
    // The operator answered IBM's questions: the target is the one meant.
    if (label && !label->empty())
        o.volser = *label;
    else
        o.force = true;
    return o;
}

// COPY: a volume onto another (711R for each, 725R if the input device is the larger)
// or one dump of a tape onto another tape, through ddr copy's IBM COPY.
bool Job::copy(FunctionStatement& f)
{
    if (f.scope == stmt::Scope::Cpvol || f.scope == stmt::Scope::Nucleus) {
        fail_statement({"701E", std::string("INVALID OPERAND - ") + (f.scope == stmt::Scope::Cpvol ? "CPVOL" : "NUCLEUS"),
                        "COPY takes ALL or cylinder extents"});
        return true;
    }
    return input_->type.cls == stmt::DeviceClass::Tape ? copy_tape(f) : copy_volume(f);
}

// COPY of a volume onto another: ddr copy's IBM COPY with the answers given.
bool Job::copy_volume(FunctionStatement& f)
{
    const DeviceStatement in = *input_, out = *output_;
    const std::optional<std::string> volser = confirm_input(f, in);
    if (!volser)
        return false;
    CopyOptions o;
    o.source = bound(in).file;
    o.sf = shadow_files_of(bound(in));
    o.target = bound(out).file;
    std::optional<std::string> label;
    if (file_status(o.target).exists()) {
        label = confirm_label(bound(out), output_volser_);
        if (!label)
            return false;
    }
    const std::optional<uint32_t> in_last = device_last_cylinder(in.type.name);
    const std::optional<uint32_t> out_last = device_last_cylinder(out.type.name);
    if (in_last && out_last && *in_last > *out_last) {
        if (!confirm_larger_input())
            return false;
        o.smaller_target = true;
    }
    for (const stmt::Extent& e : f.extents)
        o.extents.push_back(extent_argument(e));
    if (label && !label->empty())
        o.volser = *label;
    else
        o.force = true;
    console_.say(console::doing("COPYING", *volser));
    const uint64_t tod = tod_from_unix_micros(now_micros());
    copy_volume_units(o, inner_);
    const std::vector<stmt::Extent> extents =
        f.scope == stmt::Scope::Extents ? f.extents : std::vector<stmt::Extent>{{0, last_cylinder_of(bound(in)), {}}};
    finish_step("COPY", {}, console::copy_heading(tod, *volser, label.value_or("")), rows_split_at_reels(extents, {}));
    return true;
}

// COPY of the dump where the INPUT tape stands onto the OUTPUT tape, from its start.
bool Job::copy_tape(FunctionStatement& f)
{
    const DeviceStatement in = *input_, out = *output_;
    if (f.scope == stmt::Scope::Extents && !read_extents(f))
        return false;
    const uint64_t at = take_position(in, input_skip_);
    if (take_position(out, output_skip_) != 0)
        fail(ErrorKind::Usage, "COPY writes a tape from its start: the output tape must be at its load point "
                               "(no SKIP, and not LEFT after a dump)");
    CopyOptions o;
    o.source = bound(in).file;
    o.target = bound(out).file;
    o.file = at + 1;
    o.overwrite = true;
    o.pure = options_.pure;
    for (const stmt::Extent& e : f.extents)
        o.extents.push_back(extent_argument(e));
    const DumpHead d = read_dump_head({o.source}, at);
    const std::string volser = volser_to_ascii(d.vhr.volser);
    console_.say(console::doing("COPYING", volser));
    DumpSummary read;
    copy_dump(o, inner_, &read);
    const std::vector<stmt::Extent> extents = f.scope == stmt::Scope::Extents ? f.extents : extents_of_runs(read);
    finish_step("COPY", {}, console::copy_heading(d.vhr.tod, volser, volser), rows_split_at_reels(extents, {}));
    leave_tape(in, at, 1);
    leave_tape(out, 0, 1);
    return true;
}

// One DUMP, RESTORE or COPY, and its entry in the run's report (man/ddr.1, JSON REPORTS):
// the function, its units and files, its result and the report of the command that did
// it.  Returns false for a step not done (answered NO); errors are thrown on, recorded.
bool Job::step(FunctionStatement& f)
{
    using stmt::Function;
    Json entry = Json::object();
    entry["function"] = f.function == Function::Dump ? "DUMP" : f.function == Function::Restore ? "RESTORE" : "COPY";
    entry["statement"] = console_.where();
    entry["input"] = stmt::unit_name(input_->unit);
    entry["input_file"] = bound(*input_).file;
    entry["output"] = stmt::unit_name(output_->unit);
    entry["output_file"] = bound(*output_).file;
    inner_.facts() = Json::object();
    Json& steps = reporter_.facts()["steps"];
    try {
        const bool done = f.function == Function::Dump ? dump(f) : f.function == Function::Restore ? restore(f) : copy(f);
        entry["result"] = done ? "ok" : "not done";
        entry["exit_code"] = done ? kExitOk : kExitRefused;
        for (const char* key : {"volser", "units", "unit_name"})
            if (const Json* value = inner_.facts().find(key))
                entry[key] = *value;
        entry["report"] = inner_.facts();
        steps.push(std::move(entry));
        return done;
    } catch (const Error& e) {
        entry["result"] = "error";
        entry["exit_code"] = exit_code_for(e.kind());
        entry["error"]["kind"] = error_kind_name(e.kind());
        entry["error"]["message"] = e.what();
        entry["report"] = inner_.facts();
        steps.push(std::move(entry));
        throw;
    }
}

// The end of a DUMP or RESTORE: IBM's reel change lines and END OF ..., and the
// printer's extent page.
void Job::finish_step(const char* what, const std::vector<TrackAddress>& reel_changes, const std::string& heading,
                      const std::vector<console::ExtentRow>& rows)
{
    for (const TrackAddress& at : reel_changes)
        console_.say(console::end_of_volume(at.cyl, at.head));
    const std::string end = std::string("END OF ") + what;
    console_.say(end);
    printer_.page(console::extent_page(heading, rows, end));
}

// A statement refused with IBM's message `e`.
void Job::fail_statement(const StatementError& e, int exit_code)
{
    note_failure({console::message(e.id, e.text), e.detail, exit_code});
}

// A step (or INPUT/OUTPUT check) that failed with ddr's error `e`.
// A dump that needs a reel it cannot have fails placed at the track that did not fit:
// IBM's DDR says END OF VOLUME there and waits for the next tape, which ddr cannot mount.
void Job::fail_step(const Error& e)
{
    const Place& at = e.place();
    const bool reel_needed = e.kind() == ErrorKind::Reel && at.cyl && at.head;
    note_failure({reel_needed ? console::end_of_volume(*at.cyl, *at.head) : ibm_message_for(e.kind()), e.what(),
                  exit_code_for(e.kind())});
}

// Says a failure on the console (IBM's message, then ddr's line) and on standard error
// (with the line of the statement), and keeps the first exit code.
void Job::note_failure(const StepFailure& f)
{
    if (!f.console.empty())
        console_.say(f.console);
    if (!f.detail.empty())
        console_.say("ddr: " + f.detail);
    std::fprintf(stderr, "ddr: %s: %s%s%s\n", console_.where().c_str(), f.console.c_str(),
                 f.console.empty() || f.detail.empty() ? "" : ": ", f.detail.c_str());
    Json failure = Json::object();
    failure["statement"] = console_.where();
    failure["message"] = f.console;
    failure["detail"] = f.detail;
    failure["exit_code"] = f.exit_code;
    reporter_.facts()["failures"].push(std::move(failure));
    if (exit_code_ == kExitOk)
        exit_code_ = f.exit_code;
}

} // namespace

int run_statements(const RunOptions& options, Reporter& reporter)
{
    if (options.yes && options.no)
        fail(ErrorKind::Usage, "--yes and --no cannot both answer");
    UnitTable units;
    if (options.config)
        units.add_config(*options.config);
    for (const std::string& u : options.units)
        units.add_option(u);
    FilePtr in(options.statements && *options.statements != "-" ? std::fopen(options.statements->c_str(), "r")
                                                                 : stdin);
    if (!in)
        fail(ErrorKind::ReadFailed, file_place(*options.statements), "cannot read the statements");
    const std::string name = in.get() == stdin ? "standard input" : *options.statements;
    std::optional<Answer> all;
    if (options.yes || options.no)
        all = options.yes ? Answer::Yes : Answer::No;
    // With --json, standard output carries the report: the console goes to standard error.
    std::FILE* screen = reporter.json() ? stderr : stdout;
    Console console(std::move(in), name, all, screen);
    Printer printer(units, screen);
    reporter.facts()["statements"] = name;
    reporter.facts()["steps"] = Json::array();
    reporter.facts()["failures"] = Json::array();
    Job job(options, units, console, printer, reporter);
    return job.run();
}

void add_run_command(CLI::App& app, std::function<int(Reporter&)>& action)
{
    // The options live as long as the callback that reads them.
    auto shared = std::make_shared<RunOptions>();
    RunOptions& options = *shared;
    auto* cmd = app.add_subcommand("run", "IBM DDR statement mode: read DDR control statements and carry them out");
    cmd->add_option("FILE", options.statements, "the statements (default: standard input; - too)");
    cmd->add_option("--unit", options.units,
                    "bind a unit address to a file: ADDR=FILE [OPTION...], e.g. 181=dump.aws or "
                    "\"181=reel1.aws maxsize=880570\"; repeat for each unit")
        ->type_name("ADDR=FILE")
        ->allow_extra_args(false);
    cmd->add_option("--config", options.config, "bind the units of a Hercules configuration file's device statements")
        ->type_name("HERCULES.CNF");
    auto* yes = cmd->add_flag("--yes", options.yes, "answer YES to every question (711R, 716R, 717R, 725R)");
    cmd->add_flag("--no", options.no, "answer NO to every question: nothing is written")->excludes(yes);
    cmd->add_flag("--pure", options.pure, "write tapes exactly as IBM's DDR does: no checksum trailer");
    cmd->callback([&action, shared] { action = [shared](Reporter& r) { return run_statements(*shared, r); }; });
}

} // namespace ddr
