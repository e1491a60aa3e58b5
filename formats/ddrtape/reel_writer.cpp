#include "formats/ddrtape/reel_writer.hpp"

#include "formats/ddrtape/fbg_group.hpp"
#include "formats/io/error.hpp"
#include "formats/tape/aws_tape.hpp"
#include "formats/tape/tape_file.hpp"

#include <algorithm>
#include <filesystem>

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

// One reel of every live set, written alike: what open_next hands the reel writer.
class ReelOutputs::Reel final : public TapeWriter {
public:
    Reel(ReelOutputs& outputs, unsigned index) : outputs_(outputs), index_(index), marks_(outputs.sets_.size()) {}

    void write_block(ByteSpan block) override
    {
        outputs_.each_live(index_, [block](TapeWriter& w, size_t) { w.write_block(block); });
    }
    void write_tapemark() override
    {
        outputs_.each_live(index_, [](TapeWriter& w, size_t) { w.write_tapemark(); });
    }
    // The sets hold the same bytes: the first live one speaks for all.
    uint64_t position() const override { return first().position(); }
    uint64_t position_at_most() const override { return first().position_at_most(); }
    uint64_t blocks_written() const override { return first().blocks_written(); }
    TapeMarkPosition mark() override
    {
        outputs_.each_live(index_, [this](TapeWriter& w, size_t set) { marks_[set] = w.mark(); });
        return marks_[first_set()];
    }
    void rewind_to(const TapeMarkPosition&) override
    {
        outputs_.each_live(index_, [this](TapeWriter& w, size_t set) { w.rewind_to(marks_[set]); });
    }
    void finish() override
    {
        outputs_.each_live(index_, [this](TapeWriter& w, size_t set) {
            w.finish();
            outputs_.committed_[set][index_] = true;
        });
    }
    const std::string& name() const override { return first().name(); }
    uint64_t sync() override
    {
        uint64_t at = 0;
        outputs_.each_live(index_, [&at](TapeWriter& w, size_t) { at = w.sync(); });
        return at;
    }
    std::string temporary_path() const override { return first().temporary_path(); }
    void settle() const override
    {
        for (size_t s = 0; s < outputs_.sets_.size(); ++s)
            if (!outputs_.sets_[s].failed)
                outputs_.writers_[s][index_]->settle();
    }
    void keep_unfinished() noexcept override
    {
        for (size_t s = 0; s < outputs_.sets_.size(); ++s)
            if (!outputs_.sets_[s].failed && outputs_.writers_[s][index_])
                outputs_.writers_[s][index_]->keep_unfinished();
    }
    // A drive of any set at its early warning ends the reel of every set, so they stay alike.
    bool past_early_warning() const override
    {
        for (size_t s = 0; s < outputs_.sets_.size(); ++s)
            if (!outputs_.sets_[s].failed && outputs_.writers_[s][index_]->past_early_warning())
                return true;
        return false;
    }

private:
    size_t first_set() const
    {
        for (size_t s = 0; s < outputs_.sets_.size(); ++s)
            if (!outputs_.sets_[s].failed)
                return s;
        fail(ErrorKind::Internal, "a reel is used after every tape set failed");
    }
    const TapeWriter& first() const { return *outputs_.writers_[first_set()][index_]; }

    ReelOutputs& outputs_;
    unsigned index_;
    std::vector<TapeMarkPosition> marks_;  // per set: each its own (the same bytes, alike)
};

ReelOutputs::ReelOutputs(std::vector<std::string> paths, TapeWriterOptions options, Opener open)
    : ReelOutputs(std::vector<std::vector<std::string>>{std::move(paths)}, std::move(options), {}, std::move(open))
{
}

ReelOutputs::ReelOutputs(std::vector<std::vector<std::string>> sets, TapeWriterOptions options, SetDropped on_dropped,
                         Opener open)
    : options_(std::move(options)), on_dropped_(std::move(on_dropped)), open_(std::move(open)), writers_(sets.size()), committed_(sets.size())
{
    if (sets.empty())
        fail(ErrorKind::Internal, "a dump written to no tape set");
    const size_t reels = sets.front().size();
    for (auto& paths : sets) {
        if (paths.size() != reels)
            fail(ErrorKind::Usage, "every tape set must have as many reels as the first (" + std::to_string(reels) + ")");
        sets_.push_back({std::move(paths), false, {}});
    }
}

ReelOutputs::~ReelOutputs() = default;

void ReelOutputs::continue_reels(std::vector<std::vector<std::string>> temporaries, std::vector<uint64_t> checked_ends)
{
    if (next_ > 0 || temporaries.size() != sets_.size() || checked_ends.size() > sets_.front().paths.size())
        fail(ErrorKind::Internal, "continue_reels: the reels to continue do not fit the tape sets");
    for (const auto& reels : temporaries)
        if (reels.size() != checked_ends.size())
            fail(ErrorKind::Internal, "continue_reels: a tape set names another number of reels");
    resume_temporaries_ = std::move(temporaries);
    resume_checked_ends_ = std::move(checked_ends);
}

std::vector<std::vector<std::string>> ReelOutputs::temporary_paths() const
{
    std::vector<std::vector<std::string>> paths(sets_.size());
    for (size_t set = 0; set < sets_.size(); ++set)
        for (unsigned reel = 0; reel < next_; ++reel)
            paths[set].push_back(!sets_[set].failed && writers_[set][reel] ? writers_[set][reel]->temporary_path()
                                                                          : std::string());
    return paths;
}

size_t ReelOutputs::live_sets() const
{
    return size_t(std::count_if(sets_.begin(), sets_.end(), [](const TapeSetState& s) { return !s.failed; }));
}

template <typename Op>
void ReelOutputs::guarded(size_t set, Op op)
{
    try {
        op();
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::WriteFailed && e.kind() != ErrorKind::Refused)
            throw;
        const bool last = live_sets() == 1;
        drop(set, e);
        if (last)
            throw;
        if (on_dropped_)
            on_dropped_(set, e);
    }
}

template <typename Op>
void ReelOutputs::each_live(unsigned reel, Op op)
{
    for (size_t set = 0; set < sets_.size(); ++set)
        if (!sets_[set].failed)
            guarded(set, [&] { op(*writers_[set].at(reel), set); });
}

void ReelOutputs::drop(size_t set, const Error& why) noexcept
{
    TapeSetState& state = sets_[set];
    state.failed = true;
    state.error = why.what();
    for (size_t reel = 0; reel < writers_[set].size(); ++reel) {
        writers_[set][reel].reset();  // an unfinished reel's temporary file goes with its writer
        const std::string& path = state.paths[reel];
        // A reel of an incomplete set must not look like a tape -- except an appended first
        // reel: it holds the dumps that were on the tape before, which are not ours to remove.
        const bool appended = reel == 0 && options_.append;
        if (committed_[set][reel] && !appended && !tapeio::TapeOutput::is_stream_path(path)) {
            std::error_code ignored;
            std::filesystem::remove(path, ignored);
        }
    }
}

std::unique_ptr<TapeWriter> ReelOutputs::open_next(const std::string& why)
{
    const std::vector<std::string>& paths = sets_.front().paths;
    if (next_ >= paths.size())
        fail(ErrorKind::Reel, why + ": the dump needs reel " + std::to_string(next_ + 1) + " but only " +
                                  counted(paths.size(), "TAPE argument") + (paths.size() == 1 ? " was" : " were") +
                                  " given");
    TapeWriterOptions opts = options_;
    // Only the first reel can be appended to (IBM: SKIP n LEAVE); later reels start fresh.
    if (next_ > 0) {
        opts.append = false;
        opts.drive_after_files.reset();
    }
    for (size_t set = 0; set < sets_.size(); ++set) {
        writers_[set].emplace_back();
        committed_[set].push_back(false);
    }
    const bool continued = next_ < resume_checked_ends_.size();
    for (size_t set = 0; set < sets_.size(); ++set) {
        if (sets_[set].failed)
            continue;
        opts.resume_temporary = continued ? resume_temporaries_[set][next_] : std::string();
        opts.resume_checked_end = continued ? resume_checked_ends_[next_] : 0;
        // A reel being continued that cannot be taken up ends the run, whichever set it is
        // of: dropping that set would leave its copy unfinished for no fault of the disk.
        if (continued)
            writers_[set][next_] = open_(sets_[set].paths[next_], opts);
        else
            guarded(set, [&] { writers_[set][next_] = open_(sets_[set].paths[next_], opts); });
    }
    auto reel = std::make_unique<Reel>(*this, next_);
    ++next_;
    // Appending at an offset cuts the tape right after the last dump's EOJ: its file
    // still needs its tape mark.
    if (next_ == 1 && opts.append && opts.append_at)
        reel->write_tapemark();
    return reel;
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

// Contract: opens the next reel for the track at cc/hh.  A reel that cannot be had is
// Error(Reel) placed at that track (the one IBM's END OF VOLUME message names).
void DdrReelWriter::start_reel(uint16_t cc, uint16_t hh, const std::string& why)
{
    try {
        tape_ = outputs_.open_next(why);
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::Reel || outputs_.opened() == 0)
            throw;
        Place track;
        track.cyl = cc;
        track.head = hh;
        throw e.within(track);
    }
    tracks_on_reel_ = 0;
    reel_start_blocks_ = blocks_;
    reel_start_position_ = tape_->position();
    auto vhr = vhr_.as(DdrHeaderKind::Vhr, cc, hh).encode();
    put(vhr);
    tape_->settle();
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
    const uint64_t room = std::max(limit_.margin, tail);
    // The bound first: the exact position waits for blocks still being compressed.
    if (tape_->position_at_most() + room <= size)
        return false;
    return tape_->position() + room > size;
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
    tape_->settle();
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
        // IBM backs up over every block of the partial track and ends the reel there.  A
        // continued reel forgets what it found different in those blocks, too: the
        // comparison follows the tape, so a change is found in the group it is in.
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
    tape_->settle();
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
    tape_->settle();
    reels_written_.push_back({outputs_.path(outputs_.opened() - 1), blocks_ - reel_start_blocks_,
                              tape_->position() - reel_start_position_, tracks_on_reel_, {record.cc, record.hh}});
    finished_bytes_ += tape_->position();
    total_bytes_ = finished_bytes_;
    ended_reels_.push_back(std::move(tape_));
}

uint64_t DdrReelWriter::sync()
{
    for (; synced_ended_ < ended_reels_.size(); ++synced_ended_)
        ended_reels_[synced_ended_]->sync();
    return tape_ ? tape_->sync() : 0;
}

std::vector<uint64_t> DdrReelWriter::ended_reel_lengths() const
{
    std::vector<uint64_t> lengths;
    for (const auto& reel : ended_reels_)
        lengths.push_back(reel->position());
    return lengths;
}

bool DdrReelWriter::set_dropped() const
{
    const auto& sets = outputs_.sets();
    return std::any_of(sets.begin(), sets.end(), [](const TapeSetState& s) { return s.failed; });
}

void DdrReelWriter::keep_unfinished() noexcept
{
    for (auto& reel : ended_reels_)
        reel->keep_unfinished();
    if (tape_)
        tape_->keep_unfinished();
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
