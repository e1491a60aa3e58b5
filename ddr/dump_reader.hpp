// Reading the dumps on a set of reels (the TAPE arguments, in order), following a dump
// from reel to reel at EOV the way IBM DDR does (ddrtape.md §5.3): the next reel must
// start with a VHR carrying the same TOD clock and naming the track the EOV named.
#pragma once

#include "ddr/report.hpp"
#include "formats/ddr_stream.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ddr {

// Told about every record of a dump as DumpReader reads it, in tape order, reels included:
// what the checksum checker needs (and what the reel writer's ReelObserver mirrors).
class DumpObserver {
public:
    virtual ~DumpObserver() = default;
    virtual void reel_started(unsigned reel, const DdrVolumeHeader& vhr, const Place& where) = 0;
    virtual void nucleus_read(ByteSpan record, const Place& where) = 0;
    virtual void track_read(DdrTrackDecoder& track, const Place& where) = 0;
    virtual void fba_group_read(FbaGroupDecoder& group, const Place& where) = 0;
    virtual void end_read(const DdrVolumeHeader& end, const Place& where) = 0;  // EOV or EOJ
    virtual void trailer_block(ByteSpan block, const Place& where) = 0;          // after EOV/EOJ
    // The reel's dump file is over: `tape_mark` is false if the tape ended without one.
    virtual void reel_closed(bool tape_mark, const Place& where) = 0;
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

    enum class Item { Track, FbaGroup, Nucleus, End };
    // The next track (or checkpoint record) of the dump; End after its EOJ (and the
    // blocks and tape mark after it).  Switches reels at EOV.
    Item next();

    const DdrVolumeHeader& vhr() const { return vhr_; }          // the dump's first VHR
    const DdrVolumeHeader& end_record() const { return end_; }   // the EOJ, after End
    DdrTrackDecoder& track() { return stream_->track(); }
    FbaGroupDecoder& fba_group() { return stream_->fba_group(); }
    // True for an FBA dump (its VHR carries the 'FBA ' marker).
    bool fba() const { return fba_fields(vhr_).has_value(); }
    ByteSpan nucleus_record() const { return stream_->block(); }
    Place place() const;
    unsigned reel() const { return reel_ + 1; }
    uint64_t file_number() const { return file_; }               // tape file of the VHR
    const std::string& reel_name(unsigned reel_index) const { return tapes_.at(reel_index); }
    size_t reels_given() const { return tapes_.size(); }

    // False if the dump's last reel ended without a tape mark after EOJ (a cut tape).
    bool closed_by_tape_mark() const { return closed_; }

    // True if the CCHH fields of this dump are in EAV form (15-head devices).
    bool eav_form() const { return vhr_.mtck < 15; }

private:
    void open_reel(unsigned index);
    void read_to_tape_mark();

    std::vector<std::string> tapes_;
    bool strict_ = false;
    unsigned reel_ = 0;
    std::unique_ptr<TapeReader> tape_;
    std::unique_ptr<DdrStreamReader> stream_;
    DdrVolumeHeader vhr_;
    DdrVolumeHeader end_;
    uint64_t file_ = 0;
    bool in_dump_ = false;
    bool closed_ = true;
    DumpObserver* observer_ = nullptr;
};

// Reads the first VHR of every reel that is a regular file (the first at dump `file`)
// and checks they belong to one dump in the order given, before anything is written.
// Error(Reel) names the reel that does not fit.
void check_reel_order(const std::vector<std::string>& tapes, uint64_t file);

// What one pass over a dump found.  `ddr list` prints it; restore uses it to check a
// target before writing to it.
struct DumpSummary {
    uint64_t file = 0;
    DdrVolumeHeader vhr;
    bool nucleus = false;
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
    std::vector<std::pair<Place, std::string>> order_problems;
    uint64_t fba_blocks = 0;         // FBA blocks in all groups
    std::optional<TrackAddress> first_track;
    std::optional<TrackAddress> last_track;
    unsigned reels = 0;
    bool ended = false;              // an EOJ was read
    std::optional<Error> problem;    // why the dump could not be read to its end
};

class DumpChecker;

// Reads the current dump of `reader` (after start_dump) to its end, summarising it.
// With a checker, its checksums are checked as it goes.
// A dump that cannot be read to its EOJ (truncated, corrupt, reel missing) comes back
// with ended = false and the error in `problem`; interrupts still throw.
DumpSummary scan_dump(DumpReader& reader, DumpChecker* checker = nullptr);

} // namespace ddr
