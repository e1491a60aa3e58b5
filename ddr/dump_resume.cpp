#include "ddr/dump_resume.hpp"

#include "formats/ddrtape/records.hpp"
#include "formats/ddrtape/reel_writer.hpp"
#include "formats/io/error.hpp"
#include "formats/io/file.hpp"
#include "formats/io/tod.hpp"
#include "formats/volume/volume_label.hpp"
#include "formats/tape/drive_tape.hpp"
#include "formats/tape/tape_file.hpp"

#include <chrono>
#include <cstdlib>

namespace ddr {

namespace {

// "VOLA01 (dumped 2026-12-03 18:49:32 UTC)": the dump a record continues.
std::string recorded_dump(const ResumeRecord& r)
{
    return (r.dump_volser.empty() ? std::string("(blank)") : r.dump_volser) + " (dumped " + format_tod_utc(r.dump_tod) +
           ")";
}

// --resume: the record must be a dump's, of this source and these options, and its tape
// file must still be there to continue.
void check_record_fits(const DumpOptions& options, const ResumeRecord& r, const std::string& record_path)
{
    if (r.kind != ResumeKind::DumpNewTape)
        fail(ErrorKind::Usage, file_place(record_path),
             "records a restore into " + options.tapes.front() + ", not a dump to it: nothing for dump --resume");
    if (r.source != options.source)
        fail(ErrorKind::Usage, file_place(record_path),
             "continues a dump of " + r.source + ", not of " + options.source +
                 ": give that SOURCE, or dump without --resume (nothing was written)");
    if (r.selection != dump_selection_fingerprint(options))
        fail(ErrorKind::Usage, file_place(record_path),
             "continues a dump given other --cylinders, --blocks, --reorder, --devtype, --volser, --pure, --cpvol, "
             "--nucleus, --format, --reel-size, --eot-margin or --sf than these: give the same as that run (nothing "
             "was written)");
    const std::string temp = recorded_tape_temporary(r, record_path);
    if (!is_regular_file(temp))
        fail(ErrorKind::Refused, file_place(record_path),
             "names the unfinished tape " + temp + ", which is gone: nothing to continue; remove the record and dump "
             "without --resume");
}

} // namespace

std::string not_resumable(const DumpOptions& options)
{
    if (options.tapes.size() != 1)
        return "a dump to several reels";
    if (!options.mirror_tapes.empty())
        return "a dump with --mirror";
    if (options.tape.append)
        return "a dump with --append";
    const std::string& tape = options.tapes.front();
    if (tapeio::TapeOutput::is_stream_path(tape))
        return "a dump to a pipe or standard output";
    if (open_tape_drive(tape, false))
        return "a dump to a tape drive";
    if (options.source.size() > ResumeRecord::kMaxSourceBytes)
        return "a dump of a SOURCE path longer than " + std::to_string(ResumeRecord::kMaxSourceBytes) + " bytes";
    return "";
}

std::string dump_record_path(const DumpOptions& options)
{
    return resume_record_name(options.tapes.front());
}

std::string recorded_tape_temporary(const ResumeRecord& record, const std::string& record_path)
{
    return recorded_temporaries(record, record_path).front();
}

uint64_t dump_selection_fingerprint(const DumpOptions& options)
{
    std::string text =
        "dump|" + extents_selection_text(options.extents, options.blocks, options.reorder, options.devtype);
    text += "|v" + options.volser.value_or("-");
    text += "|p" + std::to_string(options.pure) + std::to_string(options.cpvol) + std::to_string(options.nucleus);
    text += "|f" + options.tape.format + std::to_string(options.tape.compression) + "/" +
            std::to_string(options.tape.level) + "/" + std::to_string(options.tape.chunk_size);
    text += "|s";
    for (uint64_t size : options.reel_sizes)
        text += "," + std::to_string(size);
    text += "|m" + (options.eot_margin ? std::to_string(*options.eot_margin) : std::string("-"));
    text += "|sf" + options.sf.value_or("-");
    return text_fingerprint(text);
}

int64_t dump_time_micros()
{
    const char* epoch = std::getenv("SOURCE_DATE_EPOCH");
    if (!epoch)
        return std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    const std::string text = epoch;
    constexpr uint64_t kLast = uint64_t(1) << 42;  // seconds: far inside the TOD clock's range (2042+)
    uint64_t seconds = 0;
    bool ok = !text.empty() && text.size() <= 13;
    for (char c : text) {
        ok = ok && c >= '0' && c <= '9';
        seconds = ok ? seconds * 10 + uint64_t(c - '0') : 0;
    }
    if (!ok || seconds > kLast)
        fail(ErrorKind::Usage, "SOURCE_DATE_EPOCH='" + text + "' is not a number of seconds since 1970");
    return int64_t(seconds) * 1000000;
}

std::optional<ResumeRecord> take_up_dump_record(const DumpOptions& options, Reporter& reporter)
{
    const std::string why_not = not_resumable(options);
    if (options.resume && !why_not.empty())
        fail(ErrorKind::Usage, "--resume cannot continue " + why_not +
                                   ": only a dump to one tape file is resumable; run it again without --resume");
    if (!why_not.empty())
        return std::nullopt;
    const std::string record_path = dump_record_path(options);
    const std::optional<ResumeRecord> record =
        read_record_for(record_path, options.resume, "dump", "this dump starts afresh", reporter);
    if (options.resume) {
        if (!record)
            fail(ErrorKind::Refused, file_place(options.tapes.front()),
                 "--resume: no resume record " + record_path + " beside it, so there is nothing to continue (a dump "
                 "that completed, or was stopped before its first record, leaves none); dump without --resume");
        check_record_fits(options, *record, record_path);
        return record;
    }
    if (record && record->kind == ResumeKind::DumpNewTape &&
        is_regular_file(recorded_tape_temporary(*record, record_path)))
        fail(ErrorKind::Refused, file_place(options.tapes.front()),
             "an interrupted dump of " + recorded_dump(*record) + " left this tape unfinished in " +
                 recorded_tape_temporary(*record, record_path) + " (" + record_path +
                 " records how far): run the same dump with --resume to continue it, or remove both to start over");
    if (record && record->kind == ResumeKind::DumpNewTape) {
        remove_resume_record(record_path);
        reporter.note("removed " + record_path + ": the unfinished tape it continues is no longer there");
    }
    return std::nullopt;
}

DumpRecordKeeper::DumpRecordKeeper(const DumpOptions& options, std::optional<ResumeRecord> resumed,
                                   const DdrVolumeHeader& vhr, bool fba, DdrReelWriter& writer)
    : path_(dump_record_path(options)), interval_(options.record_interval), resumed_(resumed.has_value()),
      writer_(writer)
{
    if (resumed) {
        record_ = std::move(*resumed);
        progress_.emplace(path_, record_, interval_, [this] { return writer_.sync(); });
        return;
    }
    record_.kind = ResumeKind::DumpNewTape;
    record_.fba = fba;
    record_.dump_tod = vhr.tod;
    record_.dump_volser = volser_to_ascii(vhr.volser);
    record_.selection = dump_selection_fingerprint(options);
    record_.source = options.source;
}

void DumpRecordKeeper::group_written(uint64_t groups)
{
    if (!progress_) {
        const std::string temp = writer_.temporary_path();
        if (temp.empty())
            return;
        record_.temporaries = {temp.substr(temp.rfind('/') + 1)};
        progress_.emplace(path_, record_, interval_, [this] { return writer_.sync(); });
    }
    progress_->item_done(groups);
}

std::string DumpRecordKeeper::keep_for_resume()
{
    if (!progress_ || (!resumed_ && progress_->record().units_done == 0))
        return "";
    std::string temp = writer_.temporary_path();
    if (temp.empty())  // continued, but stopped before its tape was taken up: still as it was
        temp = recorded_tape_temporary(record_, path_);
    writer_.keep_unfinished();
    return "its unfinished tape " + temp + " and " + path_ + " are kept, and the same dump with --resume continues it";
}

void DumpRecordKeeper::drop() noexcept
{
    if (progress_)
        progress_->finished();
}

} // namespace ddr
