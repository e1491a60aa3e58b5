#include "ddr/dump_resume.hpp"

#include "formats/ddrtape/records.hpp"
#include "formats/ddrtape/reel_writer.hpp"
#include "formats/io/error.hpp"
#include "formats/io/file.hpp"
#include "formats/io/tod.hpp"
#include "formats/io/wording.hpp"
#include "formats/volume/volume_label.hpp"
#include "formats/tape/drive_tape.hpp"
#include "formats/tape/tape_file.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <cstdlib>

namespace ddr {

namespace {

// "VOLA01 (dumped 2026-12-03 18:49:32 UTC)": the dump a record continues.
std::string recorded_dump(const ResumeRecord& r)
{
    return (r.dump_volser.empty() ? std::string("(blank)") : r.dump_volser) + " (dumped " + format_tod_utc(r.dump_tod) +
           ")";
}

// The SOURCE as the record keeps it: its absolute path, so that --resume finds it the
// same source when given another path to it or run from another folder.
std::string recorded_source(const DumpOptions& options)
{
    std::error_code failed;
    const std::filesystem::path absolute = std::filesystem::absolute(options.source, failed);
    return failed ? options.source : absolute.lexically_normal().string();
}

// --resume: the record must be a dump's, of this source and these options, and its tape
// file must still be there to continue.
void check_record_fits(const DumpOptions& options, const ResumeRecord& r, const std::string& record_path)
{
    if (r.kind != ResumeKind::DumpNewTape)
        fail(ErrorKind::Usage, file_place(record_path),
             "records a restore into " + options.tapes.front() + ", not a dump to it: nothing for dump --resume");
    if (r.source != options.source && !same_file(r.source, options.source))
        fail(ErrorKind::Usage, file_place(record_path),
             "continues a dump of " + r.source + ", not of " + options.source +
                 ": give that SOURCE, or dump without --resume (nothing was written)");
    const size_t reels = r.temporaries.size() / r.tape_sets;
    if (r.selection != dump_selection_fingerprint(options) || r.tape_sets != 1 + options.mirror_tapes.size() ||
        reels > options.tapes.size())
        fail(ErrorKind::Usage, file_place(record_path),
             "continues a dump given other --cylinders, --blocks, --reorder, --devtype, --volser, --pure, --cpvol, "
             "--nucleus, --format, --reel-size, --eot-margin, --sf, TAPE arguments or --mirror sets than these: give "
             "the same as that run (nothing was written)");
    // Every reel is looked at before any is taken up, so a refusal leaves them all as they are.
    const ContinuedReels continued = continued_reels(r, record_path);
    for (const std::vector<std::string>& set : continued.temporaries)
        for (size_t reel = 0; reel < set.size(); ++reel) {
            const FileStatus st = file_status(set[reel]);
            if (st.kind != FileKind::Regular)
                fail(ErrorKind::Refused, file_place(record_path),
                     "names the unfinished tape " + set[reel] + ", which is gone: nothing to continue; remove the "
                     "record and dump without --resume");
            if (st.size < continued.checked_ends[reel])
                fail(ErrorKind::Unreadable, file_place(set[reel], st.size),
                     "holds " + std::to_string(st.size) + " bytes, but the interrupted run recorded " +
                         std::to_string(continued.checked_ends[reel]) +
                         " as written: it is not the file the record describes");
        }
}

// "FIRST" or "FIRST and N more": the files a record names, for a message.
std::string named_files(const std::vector<std::string>& paths)
{
    return paths.front() + (paths.size() > 1 ? " (and " + counted(paths.size() - 1, "more reel file") + ")" : "");
}

} // namespace

std::string not_resumable(const DumpOptions& options)
{
    if (options.tape.append)
        return "a dump with --append";
    std::vector<std::string> reels = options.tapes;
    for (const std::vector<std::string>& set : options.mirror_tapes)
        reels.insert(reels.end(), set.begin(), set.end());
    if (reels.size() > ResumeRecord::kMaxDumpTemporaries)
        return "a dump to more than " + std::to_string(ResumeRecord::kMaxDumpTemporaries) + " tape files";
    const std::string folder = folder_of(options.tapes.front());
    for (const std::string& tape : reels) {
        if (tapeio::TapeOutput::is_stream_path(tape))
            return "a dump to a pipe or standard output";
        if (open_tape_drive(tape, false))
            return "a dump to a tape drive";
        // The record beside the first tape is what keeps every reel's temporary file from
        // the cleanup of stale temporaries, and that cleanup looks only in its own folder.
        if (!same_file(folder_of(tape), folder))
            return "a dump whose reels are not all in one folder (" + tape + " is not beside " +
                   options.tapes.front() + ")";
    }
    if (recorded_source(options).size() > ResumeRecord::kMaxSourceBytes)
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

ContinuedReels continued_reels(const ResumeRecord& record, const std::string& record_path)
{
    const std::vector<std::string> paths = recorded_temporaries(record, record_path);
    const size_t reels = paths.size() / record.tape_sets;
    ContinuedReels c;
    for (size_t set = 0; set < record.tape_sets; ++set)
        c.temporaries.emplace_back(paths.begin() + std::ptrdiff_t(set * reels),
                                   paths.begin() + std::ptrdiff_t((set + 1) * reels));
    c.checked_ends = record.reel_lengths;
    c.checked_ends.push_back(record.frontier);
    return c;
}

void discard_unfinished_dump(const ResumeRecord& record, const std::string& record_path) noexcept
{
    remove_resume_record(record_path);
    for (const std::string& temp : recorded_temporaries(record, record_path))
        ::unlink(temp.c_str());
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
    // The reels and mirrors (the first tape is where the record is): more than one file only,
    // so that a one-file dump's record is what it was before they were recorded.
    if (options.tapes.size() > 1 || !options.mirror_tapes.empty()) {
        text += "|t";
        for (const std::string& tape : options.tapes)
            text += tape + '\n';
        for (const std::vector<std::string>& set : options.mirror_tapes) {
            text += "|m";
            for (const std::string& tape : set)
                text += tape + '\n';
        }
    }
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
                                   ": only a dump to tape files (reels and --mirror sets in one folder) is "
                                   "resumable; run it again without --resume");
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
        progress_.emplace(path_, record_, interval_, [this](ResumeRecord& r) { return sync_into(r); });
        return;
    }
    record_.kind = ResumeKind::DumpNewTape;
    record_.fba = fba;
    record_.dump_tod = vhr.tod;
    record_.dump_volser = volser_to_ascii(vhr.volser);
    record_.selection = dump_selection_fingerprint(options);
    record_.source = recorded_source(options);
    record_.tape_sets = uint32_t(1 + options.mirror_tapes.size());
}

uint64_t DumpRecordKeeper::sync_into(ResumeRecord& record)
{
    const uint64_t end = writer_.sync();
    record.temporaries.clear();
    for (const std::vector<std::string>& set : writer_.temporary_paths())
        for (const std::string& temp : set)
            record.temporaries.push_back(temp.substr(temp.rfind('/') + 1));
    record.reel_lengths = writer_.ended_reel_lengths();
    return end;
}

void DumpRecordKeeper::group_written(uint64_t groups)
{
    if (abandoned_)
        return;
    if (writer_.set_dropped()) {
        // That set's files are gone: no record could make both sets again.
        drop();
        progress_.reset();
        abandoned_ = true;
        return;
    }
    if (!progress_) {
        if (writer_.temporary_paths().front().empty())
            return;
        progress_.emplace(path_, record_, interval_, [this](ResumeRecord& r) { return sync_into(r); });
    }
    progress_->item_done(groups);
}

std::string DumpRecordKeeper::keep_for_resume()
{
    if (abandoned_ || !progress_ || (!resumed_ && progress_->record().units_done == 0))
        return "";
    const std::vector<std::string>& names = progress_->record().temporaries;
    writer_.keep_unfinished();
    // A reel begun after the record was last written is not one it can continue.
    for (const std::vector<std::string>& set : writer_.temporary_paths())
        for (const std::string& temp : set)
            if (!temp.empty() && std::find(names.begin(), names.end(), temp.substr(temp.rfind('/') + 1)) == names.end())
                ::unlink(temp.c_str());
    return "its unfinished tape " + named_files(recorded_temporaries(progress_->record(), path_)) + " and " + path_ +
           " are kept, and the same dump with --resume continues it";
}

void DumpRecordKeeper::drop() noexcept
{
    if (progress_)
        progress_->finished();
}

} // namespace ddr
