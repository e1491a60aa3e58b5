// The resumable side of `ddr dump` (man/ddr.1, dump --resume): which dumps keep a
// progress record beside their tape (formats/io/resume_record.hpp, kind DumpNewTape),
// what a run does about a record an earlier one left, and the dump's time
// (SOURCE_DATE_EPOCH, or the record's when a dump is continued).
//
// A dump is continued by writing it again from its start with the interrupted run's
// TOD: the tape bytes the record counts are compared with the temporary file instead of
// written (tapeio::TapeOutput::resume_file), so every group already on it is checked
// against the source as it is now, the checksum trailer's state is rebuilt from the same
// groups, and the result is the bytes an uninterrupted run writes.
#pragma once

#include "ddr/cmd_dump.hpp"
#include "ddr/report.hpp"
#include "ddr/restore_resume.hpp"
#include "formats/io/resume_record.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace ddr {

// Why this dump keeps no resume record (and --resume cannot continue it): "" if it can.
// New tape files are resumable, one reel or several, one tape set or --mirror sets, as
// long as they are all in one folder (the record beside the first keeps them from the
// cleanup of stale temporaries) and number at most ResumeRecord::kMaxDumpTemporaries:
// not --append, --system, a pipe or a tape drive.
std::string not_resumable(const DumpOptions& options);

// The record's place beside the (first) tape: TAPE.ddr-resume.
std::string dump_record_path(const DumpOptions& options);

// The fingerprint of the options that choose the tape's bytes (extents, --blocks,
// --reorder, --devtype, --volser, --pure, --cpvol, --nucleus, --format, --reel-size,
// --eot-margin, --sf) and, for more than one tape file, the TAPE arguments and --mirror
// sets: --resume must be given the same.
uint64_t dump_selection_fingerprint(const DumpOptions& options);

// The dump's time in microseconds since 1970: SOURCE_DATE_EPOCH's (seconds, the
// reproducible-builds convention) when it is set, else now.  Error(Usage) for a value
// that is not a number of seconds from 0 to 2**42 (the TOD clock's reach).
int64_t dump_time_micros();

// What an earlier run's record means to this one, before the source is read.  With
// --resume: the record, checked (Error(Refused) if there is none or its tape file is
// gone, Error(Unreadable) if it is damaged, Error(Usage) if it is not a dump's, is of
// another SOURCE or other options).  Without: nullopt, after refusing a dump an
// interrupted run can continue (Error(Refused), saying --resume continues it) and
// clearing a damaged record (a warning).
std::optional<ResumeRecord> take_up_dump_record(const DumpOptions& options, Reporter& reporter);

// The full path of the first tape file's temporary that `record` (at `record_path`) names.
std::string recorded_tape_temporary(const ResumeRecord& record, const std::string& record_path);

// The reels a record continues (ReelOutputs::continue_reels): each set's reels'
// temporary files, full paths, [set][reel]; and how much of each reel is compared: an
// ended reel's whole length, the last reel's frontier.
struct ContinuedReels {
    std::vector<std::vector<std::string>> temporaries;
    std::vector<uint64_t> checked_ends;
};
ContinuedReels continued_reels(const ResumeRecord& record, const std::string& record_path);

// A continued dump that starts over: its record and every temporary file it names go.
void discard_unfinished_dump(const ResumeRecord& record, const std::string& record_path) noexcept;

class DdrReelWriter;
struct DdrVolumeHeader;

// Keeps a resumable dump's record while its tape is written: every --record-interval
// seconds, after a whole group, the tape is synced and the record rewritten with the
// groups on it and where the last one ends.  A continued dump keeps the record it
// continues until it has passed the point that record names.
class DumpRecordKeeper {
public:
    // `resumed`: the record this run continues, if any.  `vhr`: the dump's (its TOD and volser).
    DumpRecordKeeper(const DumpOptions& options, std::optional<ResumeRecord> resumed, const DdrVolumeHeader& vhr,
                     bool fba, DdrReelWriter& writer);
    // After group number `groups` (from 1) went to the tape.  Once a tape set was dropped
    // the record goes and no more is kept (that set could not be made again).
    void group_written(uint64_t groups);
    // The dump is interrupted: if a record is on disk, the reels' temporary files it names
    // are kept for --resume (those it does not name are removed) and the words for the
    // error message are returned; else "".
    std::string keep_for_resume();
    // The dump completed, or failed otherwise than by an interrupt: the record goes.
    void drop() noexcept;

private:
    // ResumeProgress's sync: every reel synced, the record's reels set; the frontier.
    uint64_t sync_into(ResumeRecord& record);

    std::string path_;
    ResumeRecord record_;
    double interval_;
    bool resumed_;
    bool abandoned_ = false;  // a tape set was dropped: no record is kept
    DdrReelWriter& writer_;
    std::optional<ResumeProgress> progress_;  // once the tape's temporary file exists
};

} // namespace ddr
