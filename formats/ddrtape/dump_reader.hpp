// Reading the dumps on a set of reels (the TAPE arguments, in order), following a dump
// from reel to reel at EOV the way IBM DDR does (ddrtape(5) section 5): the next reel must
// start with a VHR carrying the same TOD clock and naming the track the EOV named.
#pragma once

#include "formats/io/wording.hpp"
#include "formats/ddrtape/stream.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ddr {

// One thing found wrong, and where.
struct ChecksumFinding {
    Place place;
    std::string what;
};

// What one pass over a dump (or a volume) found wrong, for its report: every finding is
// counted, the first kKept are kept, so that a tape or volume damaged from end to end
// costs bounded memory, not a line per track.
class Findings {
public:
    static constexpr size_t kKept = 10000;

    void add(Place place, std::string what)
    {
        ++total_;
        if (kept_.size() < kKept)
            kept_.push_back({std::move(place), std::move(what)});
    }
    bool empty() const { return total_ == 0; }
    uint64_t total() const { return total_; }
    // The first min(total(), kKept) findings, in the order found.
    const std::vector<ChecksumFinding>& kept() const { return kept_; }
    // The first finding; only when !empty().
    const ChecksumFinding& first() const { return kept_.front(); }
    // Counts `other`'s findings after these, keeping its kept ones while there is room.
    void append(const Findings& other)
    {
        for (const ChecksumFinding& f : other.kept_)
            if (kept_.size() < kKept)
                kept_.push_back(f);
        total_ += other.total_;
    }

private:
    std::vector<ChecksumFinding> kept_;
    uint64_t total_ = 0;
};

// Told about every record of a dump as DumpReader reads it, in tape order, reels included:
// what the checksum checker needs (and what the reel writer's ReelObserver mirrors).
class DumpObserver {
public:
    virtual ~DumpObserver() = default;
    // `reel` counts the dump's reels read so far, from 1 (a dump appended on the last reel
    // of a set starts there with its reel 1); `where` names the TAPE argument.
    virtual void reel_started(unsigned reel, const DdrVolumeHeader& vhr, const Place& where) = 0;
    virtual void nucleus_read(ByteSpan record, const Place& where) = 0;
    virtual void track_read(DdrTrackDecoder& track, const Place& where) = 0;
    virtual void fba_group_read(FbaGroupDecoder& group, const Place& where) = 0;
    virtual void end_read(const DdrVolumeHeader& end, const Place& where) = 0;  // EOV or EOJ
    virtual void trailer_block(ByteSpan block, const Place& where) = 0;          // after EOV/EOJ
    // The reel's dump file is over: `tape_mark` is false if the tape ended without one.
    virtual void reel_closed(bool tape_mark, const Place& where) = 0;
};

// What one pass over a dump found (a DumpReader keeps it as it reads).  `ddr list` prints
// it; restore uses it to check a target before writing to it, `ddr run` to print a step.
struct DumpSummary {
    uint64_t file = 0;
    DdrVolumeHeader vhr;
    bool nucleus = false;
    std::optional<std::pair<uint16_t, uint16_t>> nucleus_cylinders;  // as its checkpoint record names them
    uint64_t tracks = 0;
    uint64_t empty_tracks = 0;       // R0 only
    uint64_t special_tracks = 0;     // THR flag SPECIAL
    uint64_t flagged_tracks = 0;     // HA flag byte not zero (defective/alternate)
    uint64_t max_blocks_per_track = 0;
    uint64_t max_track_bytes = 0;    // largest track as a volume holds it (HA..end marker)
    uint64_t bytes = 0;              // logical image bytes of all tracks
    std::vector<std::pair<uint32_t, uint32_t>> cylinder_ranges;  // output cylinders (FBA: blocks), ascending runs
    bool fba = false;                // an FBA dump: tracks counts groups, ranges are blocks
    // Tracks (or groups) whose address does not ascend: a damaged home address, or a
    // tape that is not one dump.  Reading goes on, so checksums can name the damage.
    Findings order_problems;
    uint64_t fba_blocks = 0;         // FBA blocks in all groups
    std::optional<TrackAddress> first_track;
    std::optional<TrackAddress> last_track;
    unsigned reels = 0;
    // Where each reel after the first begins, as the EOV that ended the reel before named
    // it (a CCHH; an FBA block in CC and HH).
    std::vector<TrackAddress> reel_changes;
    bool ended = false;              // an EOJ was read
    // Why the dump could not be read to its end; or, with `ended`, what is wrong with it
    // as a whole (no tape mark after it: a cut tape; its first reel missing).
    std::optional<Error> problem;
    // The device type and model the dump's checksum trailer names, when a reader that
    // checked it filled them in (the VHR names none).
    std::optional<uint16_t> trailer_devtype;
    std::string trailer_model;
};

class DumpReader {
public:
    // `strict`: container irregularities a reader could tolerate (an AWS header's
    // previous-length field that does not match) are errors, as verify wants them.
    explicit DumpReader(std::vector<std::string> tapes, bool strict = false);

    void set_observer(DumpObserver* observer) { observer_ = observer; }

    // Skips `count` tape files on the current reel (IBM's SKIP), before start_dump().
    void skip_files(uint64_t count);

    // Reads on to the next dump's VHR on the current reel.  Returns false at the end of
    // the tape.  A tape mark standing where the VHR should be is skipped once, as DDR does.
    bool start_dump();

    // After a dump's End: reads on along its last reel to the end of the recorded tape,
    // handing `visit` every block that stands after an EOJ or EOV there (the checksum
    // trailers of the dumps that follow, and those an --append moved behind them), with
    // `placed` true.  The rest of a dump file that cannot be read is passed over to its
    // tape mark, every block handed over with `placed` false.  Returns why such files could
    // not be read.
    using BlockVisitor = std::function<void(ByteSpan block, const Place& where, bool placed)>;
    std::vector<Error> read_rest_of_reel(const BlockVisitor& visit);

    enum class Item { Track, FbaGroup, Nucleus, End };
    // The next track (or checkpoint record) of the dump; End after its EOJ (and the
    // blocks and tape mark after it).  Switches reels at EOV.
    Item next();

    const DdrVolumeHeader& vhr() const { return summary_.vhr; }  // the dump's first VHR
    const DdrVolumeHeader& end_record() const { return end_; }   // the EOJ, after End
    // What has been read of the current dump so far (all of it after End): scan_dump's
    // summary, kept by every reader (problem and trailer fields are left to the caller).
    const DumpSummary& summary() const { return summary_; }
    DdrTrackDecoder& track() { return stream_->track(); }
    FbaGroupDecoder& fba_group() { return stream_->fba_group(); }
    // True for an FBA dump (its VHR carries the 'FBA ' marker).
    bool fba() const { return fba_fields(summary_.vhr).has_value(); }
    ByteSpan nucleus_record() const { return stream_->block(); }
    Place place() const;
    unsigned reel() const { return reel_ + 1; }                  // among the TAPE arguments
    unsigned reel_in_dump() const { return reel_ - first_reel_ + 1; }
    unsigned first_reel_index() const { return first_reel_; }   // the dump's first reel
    uint64_t file_number() const { return summary_.file; }       // tape file of the VHR
    const std::string& reel_name(unsigned reel_index) const { return tapes_.at(reel_index); }
    size_t reels_given() const { return tapes_.size(); }

    // Set if a reel of the dump ended without a tape mark after its EOV or EOJ (and the
    // blocks after it): the tape is cut short.
    const std::optional<Error>& cut_short() const { return cut_; }

    // After the dump's End: Error(Reel) if TAPE arguments were given beyond the reel where
    // it ends, naming the first of them.
    void check_no_reels_after() const;

    // True if the CCHH fields of this dump are in EAV form (15-head devices).
    bool eav_form() const { return summary_.vhr.eav_form(); }
    // How far the current reel has been read: its byte offset (for progress).
    uint64_t reel_offset() const { return tape_ ? tape_->offset() : 0; }

private:
    void open_reel(unsigned index);
    void read_to_tape_mark();
    void summarize(Item item);  // adds the item just read to summary_

    std::vector<std::string> tapes_;
    bool strict_ = false;
    unsigned reel_ = 0;
    std::unique_ptr<TapeReader> tape_;
    std::unique_ptr<DdrStreamReader> stream_;
    DdrVolumeHeader end_;
    unsigned first_reel_ = 0;
    bool in_dump_ = false;
    std::optional<Error> cut_;
    DumpSummary summary_;  // also the one home of the dump's VHR and tape file number
    DumpObserver* observer_ = nullptr;
};

// Reads the first VHR of every reel that is a regular file (the first at dump `file`)
// and checks they belong to one dump in the order given, before anything is written.
// Error(Reel) names the reel that does not fit, and the first reel if it is plainly a
// continuation reel (starts_inside_cylinder); Error(Unreadable) if there is no dump `file`.
void check_reel_order(const std::vector<std::string>& tapes, uint64_t file);

// A CKD dump starts at head 0 of a cylinder: a reel whose VHR and first track both name
// another head continues a dump begun on an earlier reel (man/ddrtape.5 section 5).
bool starts_inside_cylinder(const DdrVolumeHeader& vhr, TrackAddress first_track);

// Error(Reel): the dump read from `tape` is missing its first reel; `why` says how that is
// known, `consequence` (if not empty) what was done before it was.
[[noreturn]] void fail_first_reel_missing(const std::string& tape, const std::string& why,
                                          const std::string& consequence = {});

class DumpChecker;

// Where a scan is, after each track or FBA group read: for a progress line.
struct ScanPosition {
    unsigned reel_index = 0;  // among the TAPE arguments, 0-based
    uint64_t offset = 0;      // bytes read of that reel
    bool fba = false;
    uint32_t number = 0;      // the cylinder (CKD) or first block (FBA) just read
};
using ScanProgress = std::function<void(const ScanPosition&)>;

// Reads the current dump of `reader` (after start_dump) to its end, summarising it.
// With a checker, its checksums are checked as it goes.
// A dump that cannot be read to its EOJ (truncated, corrupt, reel missing) comes back
// with ended = false and the error in `problem`; one read to its EOJ but with no tape mark
// after it, with ended = true and `problem` saying so.  Interrupts still throw.
// `progress` (if any) is told after every track or group.
DumpSummary scan_dump(DumpReader& reader, DumpChecker* checker = nullptr, const ScanProgress& progress = {});

} // namespace ddr
