// Writing one dump across one or more reels, the way IBM DDR does (ddrtape(5) section 5):
// a track group that runs into the end of a reel is taken back, the reel ends with EOV
// and a tape mark, and the next reel starts with a copy of the VHR naming that track.
#pragma once

#include "formats/io/error.hpp"
#include "formats/io/wording.hpp"
#include "formats/ddrtape/records.hpp"
#include "formats/ddrtape/thr_group.hpp"
#include "formats/tape/tape.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ddr {

// One set of reels of a dump written to several identical sets at once, and how it went.
struct TapeSetState {
    std::vector<std::string> paths;  // its reels, as the TAPE arguments named them
    bool failed = false;             // dropped: its files were removed
    std::string error;               // why (the error's one line), when failed
};

// Where the reels of a dump go: the TAPE arguments, opened one at a time -- and, for a
// dump written to several identical tape sets from one read of the source, the same
// reel of every set at once.  Each set has as many reels as the first; every block goes
// to the same reel of each set that is still alive, so the sets are byte-identical.
//
// A set whose writing, syncing or renaming fails (Error(WriteFailed) or Error(Refused):
// a full disk, an I/O error) is dropped while the others go on: every file of it is
// removed (temporaries, and reels already renamed into place, but never an appended
// tape, which holds earlier dumps) and `on_dropped` is told.
// When the last live set fails, its error is thrown as it came.
class ReelOutputs {
public:
    using SetDropped = std::function<void(size_t set, const Error& why)>;

    // `open` creates each reel's writer (create_tape_writer; the tests hand in simulated drives).
    using Opener = std::function<std::unique_ptr<TapeWriter>(const std::string&, const TapeWriterOptions&)>;

    ReelOutputs(std::vector<std::string> paths, TapeWriterOptions options, Opener open = create_tape_writer);
    // sets[0] is the primary set; every set must have as many reels as it.
    ReelOutputs(std::vector<std::vector<std::string>> sets, TapeWriterOptions options, SetDropped on_dropped,
                Opener open = create_tape_writer);
    // A dump continued over the reels an interrupted run left (TapeWriterOptions::
    // resume_temporary): reel r of set s is opened over temporaries[s][r], its first
    // checked_ends[r] bytes compared, not written.  Every set names as many reels as
    // checked_ends; reels past them start fresh.  Called before the first open_next().
    void continue_reels(std::vector<std::vector<std::string>> temporaries, std::vector<uint64_t> checked_ends);
    ~ReelOutputs();
    ReelOutputs(const ReelOutputs&) = delete;
    ReelOutputs& operator=(const ReelOutputs&) = delete;

    // Opens the next reel of every live set, as one writer that writes to them all (it
    // must not outlive this object); Error(Reel) when every TAPE argument is used up.
    std::unique_ptr<TapeWriter> open_next(const std::string& why);
    unsigned opened() const { return next_; }
    const std::string& path(unsigned reel_index) const { return sets_.front().paths.at(reel_index); }
    // Every set and how it went; a set not failed once the dump has finished is complete.
    const std::vector<TapeSetState>& sets() const { return sets_; }
    // The temporary file of every reel opened so far, [set][reel] (empty for a set that
    // failed, or a reel that has none).
    std::vector<std::vector<std::string>> temporary_paths() const;

private:
    class Reel;
    // Runs `op`, work on set `set`; if it fails as a set can (WriteFailed, Refused), the
    // set is dropped -- or, if it was the last one alive, the error goes on.
    template <typename Op>
    void guarded(size_t set, Op op);
    // Runs `op(writer, set)` on reel `reel` of every live set, each guarded.
    template <typename Op>
    void each_live(unsigned reel, Op op);
    void drop(size_t set, const Error& why) noexcept;
    size_t live_sets() const;

    std::vector<TapeSetState> sets_;
    TapeWriterOptions options_;
    SetDropped on_dropped_;
    Opener open_;
    std::vector<std::vector<std::unique_ptr<TapeWriter>>> writers_;  // [set][reel]
    std::vector<std::vector<bool>> committed_;                       // [set][reel]: renamed into place
    std::vector<std::vector<std::string>> resume_temporaries_;       // [set][reel]: continue_reels
    std::vector<uint64_t> resume_checked_ends_;                      // [reel]
    unsigned next_ = 0;
};

// The size of a reel.  A tape drive's reel also ends at its early-warning mark
// (TapeWriter::past_early_warning), whatever the size says.  A track group stays on a reel if, once written, the reel still
// has `margin` bytes left (IBM: the end-of-tape warning comes `margin` bytes before the
// physical end; Hercules' maxsize/eotmargin) -- and always room for what must follow it
// (EOV, trailer, tape mark).
struct ReelLimit {
    std::vector<uint64_t> sizes;  // reel n uses sizes[n-1], the last one repeating; 0: no limit
    uint64_t margin = 0;

    uint64_t size_of(unsigned reel) const
    {
        return sizes.empty() ? 0 : sizes[std::min<size_t>(reel - 1, sizes.size() - 1)];
    }
};

// What the reel writer tells an observer (the checksum trailer hooks in here).  Every
// block of a reel reaches the observer once, in tape order; a track taken back at the end
// of a reel is reported only where it is finally written.
class ReelObserver {
public:
    virtual ~ReelObserver() = default;
    virtual void reel_started(unsigned reel, ByteSpan vhr) = 0;
    virtual void nucleus_written(ByteSpan record) = 0;
    // A THR or FBG group: its tape blocks, the length of its logical image, and the source
    // address the trailer records (a track's CCHH, or an FBA group's first block).
    virtual void group_written(std::span<const ByteSpan> blocks, size_t image_length, uint32_t source) = 0;
    // The reel ends with `end_record` (EOV, or EOJ when `last`); the observer writes its
    // blocks to go after it, before the tape mark, through `emit`.
    virtual void reel_ending(ByteSpan end_record, bool last, const std::function<void(ByteSpan)>& emit) = 0;
    // Container bytes those blocks would take if the reel ended after one more track.
    virtual uint64_t trailer_bytes_with_one_more_track() const = 0;
};

// One reel of a dump as written: for the dump's report.
struct ReelWritten {
    std::string file;     // the TAPE argument it went to
    uint64_t blocks = 0;  // tape blocks of this dump on it (VHR through trailer)
    uint64_t bytes = 0;   // container bytes of this dump on it, its tape mark included
    uint64_t groups = 0;  // THR or FBG groups on it
    TrackAddress ended_at;  // the address its EOV (the next reel's first track) or EOJ names
};

class DdrReelWriter {
public:
    // `on_reel_end` is told, in a line for the user, where each reel but the last ended.
    DdrReelWriter(ReelOutputs& outputs, ReelLimit limit, DdrVolumeHeader vhr,
                  std::function<void(const std::string&)> on_reel_end,
                  ReelObserver* observer = nullptr);

    // Writes the checkpoint record of a NUCLEUS dump (right after the first VHR).
    void write_nucleus_record(ByteSpan record);
    // Writes one THR (or FBG) group whose output address is `cc`/`hh` (raw CCHH; an FBA
    // group's first block as a 32-bit number), dumped from `source`.
    void write_group(std::span<const ByteSpan> blocks, size_t image_length, uint16_t cc, uint16_t hh, uint32_t source);
    // Ends the dump: EOJ naming `cc`/`hh`, trailer, tape mark; completes every reel.
    void finish(uint16_t cc, uint16_t hh);

    // Error(Usage) unless every reel size given can hold the VHR, one group whose logical
    // image is `largest_image` bytes, and what ends the reel after it.  Checked before
    // anything is written, so a size that is too small is never found halfway.
    void check_reel_sizes(uint64_t largest_image, const std::string& what) const;

    // A resumable dump's progress record: syncs every reel (those ended with EOV once,
    // the one being written each time) and returns the length of the one being written
    // (0 before the first is opened); the temporary files they are built in, [set][reel];
    // the lengths of the reels ended; whether a tape set was dropped (its files are gone:
    // the dump can no longer be continued); and, interrupted, keeps every reel's
    // temporary file for a later --resume.
    uint64_t sync();
    std::vector<std::vector<std::string>> temporary_paths() const { return outputs_.temporary_paths(); }
    std::vector<uint64_t> ended_reel_lengths() const;
    bool set_dropped() const;
    void keep_unfinished() noexcept;

    unsigned reels() const { return outputs_.opened(); }
    uint64_t blocks() const { return blocks_; }
    uint64_t bytes() const { return total_bytes_; }
    // Every reel ended so far, in order (after finish(): every reel of the dump).
    const std::vector<ReelWritten>& reels_written() const { return reels_written_; }

private:
    void start_reel(uint16_t cc, uint16_t hh, const std::string& why);
    void put(ByteSpan block);
    void end_reel(const DdrVolumeHeader& trailer_record, bool last);
    bool over_limit() const;

    ReelOutputs& outputs_;
    ReelLimit limit_;
    DdrVolumeHeader vhr_;
    std::function<void(const std::string&)> on_reel_end_;
    ReelObserver* observer_;
    std::unique_ptr<TapeWriter> tape_;
    // Reels already ended with EOV.  They are completed (renamed into place) only when the
    // whole dump is, so an interrupted dump never leaves a finished-looking first reel.
    std::vector<std::unique_ptr<TapeWriter>> ended_reels_;
    size_t synced_ended_ = 0;  // ended_reels_ synced by sync() (they change no more)
    uint64_t tracks_on_reel_ = 0;
    uint64_t blocks_ = 0;
    uint64_t finished_bytes_ = 0;
    uint64_t total_bytes_ = 0;
    uint64_t reel_start_blocks_ = 0;    // blocks_ when this reel started
    uint64_t reel_start_position_ = 0;  // where this dump starts on the reel (after an append's cut)
    std::vector<ReelWritten> reels_written_;
};

} // namespace ddr
