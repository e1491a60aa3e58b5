// Writing one dump across one or more reels, the way IBM DDR does (ddrtape(5) section 5):
// a track group that runs into the end of a reel is taken back, the reel ends with EOV
// and a tape mark, and the next reel starts with a copy of the VHR naming that track.
#pragma once

#include "formats/io/wording.hpp"
#include "formats/ddrtape/records.hpp"
#include "formats/ddrtape/thr_group.hpp"
#include "formats/tape/tape.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ddr {

// Where the reels of a dump go: the TAPE arguments, opened one at a time.
class ReelOutputs {
public:
    // `open` creates each reel's writer (create_tape_writer; the tests hand in simulated drives).
    using Opener = std::function<std::unique_ptr<TapeWriter>(const std::string&, const TapeWriterOptions&)>;
    ReelOutputs(std::vector<std::string> paths, TapeWriterOptions options, Opener open = create_tape_writer);
    // Opens the next reel; Error(Reel) when every TAPE argument is used up.
    std::unique_ptr<TapeWriter> open_next(const std::string& why);
    unsigned opened() const { return next_; }
    const std::string& path(unsigned reel_index) const { return paths_.at(reel_index); }

private:
    std::vector<std::string> paths_;
    TapeWriterOptions options_;
    Opener open_;
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

    unsigned reels() const { return outputs_.opened(); }
    uint64_t blocks() const { return blocks_; }
    uint64_t bytes() const { return total_bytes_; }

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
    uint64_t tracks_on_reel_ = 0;
    uint64_t blocks_ = 0;
    uint64_t finished_bytes_ = 0;
    uint64_t total_bytes_ = 0;
};

} // namespace ddr
