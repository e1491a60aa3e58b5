// The resumable side of `ddr restore` (man/ddr.1, restore --resume): the progress record
// kept beside a plain target while it is written (formats/io/resume_record.hpp), what a
// run without --resume does about one an earlier run left, and what --resume checks
// before it continues one.
#pragma once

#include "ddr/cmd_restore.hpp"
#include "ddr/report.hpp"
#include "formats/io/resume_record.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ddr {

struct DdrVolumeHeader;

// The record's place: NAME.ddr-resume beside the image's own name (file 1 of a CKD set).
std::string restore_record_path(const std::string& image);

// "120 tracks" / "40 FBA block groups": the tape units `record` says are on disk.
std::string recorded_units(const ResumeRecord& record);

// The temporary files `record` names, as paths beside `record_path`.
std::vector<std::string> recorded_temporaries(const ResumeRecord& record, const std::string& record_path);

// "c,0-9|b|r-|d3390-3": the extents, blocks, --reorder and --devtype of a run as text, the
// part of a selection fingerprint restores and dumps share; text_fingerprint hashes it.
std::string extents_selection_text(const std::vector<std::string>& extents, const std::vector<std::string>& blocks,
                                   const std::optional<uint64_t>& reorder, const std::optional<std::string>& devtype);
uint64_t text_fingerprint(const std::string& text);

// The fingerprint of the options that choose what a restore writes where (extents,
// --reorder, --devtype, --format): --resume must be given the same.
uint64_t selection_fingerprint(const RestoreOptions& options);

// The record at `record_path` (nullopt if there is none), for a run of `command` ("dump",
// "restore") that continues it (`resume`) or not.  With --resume a record that cannot be
// read is that error, adding "; COMMAND without --resume"; without, a damaged record is
// removed with a warning ending in `fresh` (what the run does instead) and nullopt returned.
std::optional<ResumeRecord> read_record_for(const std::string& record_path, bool resume, const std::string& command,
                                            const std::string& fresh, Reporter& reporter);

// What an earlier run's record means to this one, before the tape is read.  With
// --resume: the record (Error(Refused) if there is none or it does not fit the target,
// Error(Unreadable) if it is damaged).  Without: nullopt, after refusing a new image an
// interrupted run can continue (Error(Refused), saying --resume continues it) and
// clearing a record nothing can continue (said in a note).  `target_busy`: the target
// is an image a restore did not finish; `target_present`: something has its name.
std::optional<ResumeRecord> take_up_record(const RestoreOptions& options, const std::string& record_path,
                                           bool target_present, bool target_busy, Reporter& reporter);

// Error(Reel) unless the dump being read is the one `record` continues; Error(Usage)
// unless the options choose the same units.
void check_same_dump(const RestoreOptions& options, const ResumeRecord& record, const DdrVolumeHeader& vhr,
                     const std::string& record_path);

// Keeps the record up to date while a restore (or a dump: DumpRecordKeeper) writes:
// every `interval` (and never when it is zero), `sync` puts what was written on disk,
// sets what else the record says of it (a dump: its reels' temporaries and lengths) and
// returns the frontier (for a dump, the synced length of the reel being written), then
// the record is rewritten with the tape items done.
class ResumeProgress {
public:
    using Sync = std::function<uint64_t(ResumeRecord&)>;
    ResumeProgress(std::string record_path, ResumeRecord record, double interval_seconds, Sync sync);
    bool enabled() const { return interval_.count() > 0; }
    // Writes the record now (the run's first, before any unit is written).
    void start();
    // After tape item `items` (counted from 1) was handled.
    void item_done(uint64_t items);
    // The restore is complete (committed): the record goes.
    void finished();
    const std::string& path() const { return path_; }
    const ResumeRecord& record() const { return record_; }

private:
    std::string path_;
    ResumeRecord record_;
    std::chrono::duration<double> interval_;
    Sync sync_;
    std::chrono::steady_clock::time_point last_;
};

} // namespace ddr
