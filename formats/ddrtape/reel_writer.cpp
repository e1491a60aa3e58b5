#include "formats/ddrtape/reel_writer.hpp"

#include "formats/ddrtape/fbg_group.hpp"
#include "formats/io/error.hpp"
#include "formats/tape/aws_tape.hpp"

#include <algorithm>

namespace ddr {

namespace {
// Container bytes of a THR or FBG group whose logical image is `image` bytes, by the
// split rule (full 4096-byte blocks, then a last block of at least 80).
uint64_t group_container_bytes(uint64_t image)
{
    const uint64_t full = image / 4096, rest = image % 4096;
    return full * aws_block_bytes(4096) + (rest ? aws_block_bytes(std::max<uint64_t>(rest, 80)) : 0);
}

// The output address cc/hh of the dump `vhr` heads: "cyl 6 head 3", or "block 1080" for FBA.
std::string address_text(const DdrVolumeHeader& vhr, uint16_t cc, uint16_t hh)
{
    if (fba_fields(vhr))
        return "block " + std::to_string(cchh_value(cc, hh));
    const TrackAddress a = address_of(cchh_value(cc, hh), vhr.eav_form());
    return "cyl " + std::to_string(a.cyl) + " head " + std::to_string(a.head);
}
} // namespace

ReelOutputs::ReelOutputs(std::vector<std::string> paths, TapeWriterOptions options, Opener open)
    : paths_(std::move(paths)), options_(std::move(options)), open_(std::move(open))
{
}

std::unique_ptr<TapeWriter> ReelOutputs::open_next(const std::string& why)
{
    if (next_ >= paths_.size())
        fail(ErrorKind::Reel, why + ": the dump needs reel " + std::to_string(next_ + 1) + " but only " +
                                  counted(paths_.size(), "TAPE argument") + (paths_.size() == 1 ? " was" : " were") +
                                  " given");
    TapeWriterOptions opts = options_;
    // Only the first reel can be appended to (IBM: SKIP n LEAVE); later reels start fresh.
    if (next_ > 0)
        opts.append = false;
    auto w = open_(paths_[next_], opts);
    // Appending at an offset cuts the tape right after the last dump's EOJ: its file
    // still needs its tape mark.
    if (next_ == 0 && opts.append && opts.append_at)
        w->write_tapemark();
    ++next_;
    return w;
}

DdrReelWriter::DdrReelWriter(ReelOutputs& outputs, ReelLimit limit, DdrVolumeHeader vhr,
                             std::function<void(const std::string&)> on_reel_end,
                             ReelObserver* observer)
    : outputs_(outputs), limit_(limit), vhr_(vhr), on_reel_end_(std::move(on_reel_end)), observer_(observer)
{
}

void DdrReelWriter::put(ByteSpan block)
{
    tape_->write_block(block);
}

void DdrReelWriter::start_reel(uint16_t cc, uint16_t hh, const std::string& why)
{
    tape_ = outputs_.open_next(why);
    tracks_on_reel_ = 0;
    auto vhr = vhr_.as(DdrHeaderKind::Vhr, cc, hh).encode();
    put(vhr);
    ++blocks_;
    if (observer_)
        observer_->reel_started(outputs_.opened(), vhr);
}

// True if the group just written must go to the next reel: a tape drive past its early
// warning, or a reel size reached.
bool DdrReelWriter::over_limit() const
{
    if (tape_->past_early_warning())
        return true;
    const uint64_t size = limit_.size_of(outputs_.opened());
    if (size == 0)
        return false;
    uint64_t tail = aws_block_bytes(kDdrHeaderSize) + kAwsTapeMarkBytes;  // the EOV and its tape mark
    if (observer_)
        tail += observer_->trailer_bytes_with_one_more_track();
    return tape_->position() + std::max(limit_.margin, tail) > size;
}

void DdrReelWriter::check_reel_sizes(uint64_t largest_image, const std::string& what) const
{
    uint64_t tail = aws_block_bytes(kDdrHeaderSize) + kAwsTapeMarkBytes;  // the EOV and its tape mark
    if (observer_)
        tail += observer_->trailer_bytes_with_one_more_track();
    const uint64_t needed = aws_block_bytes(kDdrHeaderSize) + group_container_bytes(largest_image) +
                            std::max(limit_.margin, tail);
    for (uint64_t size : limit_.sizes)
        if (size != 0 && size < needed)
            fail(ErrorKind::Usage, "--reel-size " + std::to_string(size) + " is too small: a reel must hold at least " +
                                       std::to_string(needed) + " bytes (the VHR, " + what + " of up to " +
                                       std::to_string(largest_image) + " bytes, and the EOV, trailer and tape mark after it" +
                                       (limit_.margin ? ", within the end-of-tape margin" : "") + ")");
}

void DdrReelWriter::write_nucleus_record(ByteSpan record)
{
    if (!tape_)
        start_reel(vhr_.cc, vhr_.hh, "start of dump");
    put(record);
    ++blocks_;
    if (observer_)
        observer_->nucleus_written(record);
}

void DdrReelWriter::write_group(std::span<const ByteSpan> blocks, size_t image_length, uint16_t cc, uint16_t hh,
                                uint32_t source)
{
    if (!tape_)
        start_reel(cc, hh, "start of dump");
    TapeMarkPosition before = tape_->mark();
    for (ByteSpan b : blocks)
        tape_->write_block(b);
    if (over_limit()) {
        // IBM backs up over every block of the partial track and ends the reel there.
        tape_->rewind_to(before);
        if (tracks_on_reel_ == 0)
            fail(ErrorKind::WriteFailed, file_place(tape_->name()).with_reel(outputs_.opened()).with_track(cc, hh),
                 tape_->past_early_warning()
                     ? "the tape drive reached its early-warning mark before one track was written"
                     : "the reel size is too small to hold even one track and the end-of-reel records");
        const std::string at = address_text(vhr_, cc, hh);
        if (on_reel_end_)
            on_reel_end_("end of reel " + std::to_string(outputs_.opened()) + " at " + at + ": continuing on the next reel");
        end_reel(vhr_.as(DdrHeaderKind::Eov, cc, hh), false);
        start_reel(cc, hh, "end of reel at " + at);
        for (ByteSpan b : blocks)
            tape_->write_block(b);
        if (over_limit())
            fail(ErrorKind::WriteFailed, file_place(tape_->name()).with_reel(outputs_.opened()).with_track(cc, hh),
                 "one track (or group) does not fit on an empty reel of the given size");
    }
    if (observer_)
        observer_->group_written(blocks, image_length, source);
    blocks_ += blocks.size();
    ++tracks_on_reel_;
}

void DdrReelWriter::end_reel(const DdrVolumeHeader& record, bool last)
{
    auto end = record.encode();
    put(end);
    ++blocks_;
    if (observer_)
        observer_->reel_ending(end, last, [this](ByteSpan b) {
            tape_->write_block(b);
            ++blocks_;
        });
    tape_->write_tapemark();
    finished_bytes_ += tape_->position();
    total_bytes_ = finished_bytes_;
    ended_reels_.push_back(std::move(tape_));
}

void DdrReelWriter::finish(uint16_t cc, uint16_t hh)
{
    if (!tape_)
        start_reel(vhr_.cc, vhr_.hh, "start of dump");
    end_reel(vhr_.as(DdrHeaderKind::Eoj, cc, hh), true);
    for (auto& reel : ended_reels_)
        reel->finish();
}

} // namespace ddr
