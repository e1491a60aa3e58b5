#include "formats/volume/cckd/pipeline.hpp"

#include <algorithm>

namespace ddr::cckd {

unsigned default_compression_threads()
{
    unsigned n = std::thread::hardware_concurrency();
    return std::clamp(n, 1u, 8u);
}

Pipeline::Pipeline(unsigned workers, CckdCompression method, int level, Sink sink)
    : method_(method), level_(level), sink_(std::move(sink))
{
    if (method == CckdCompression::None)
        workers = 0;
    // The caller sleeps until a batch of two jobs per worker is compressed and then
    // hands out as many new ones; the two jobs per worker (and two more) left in the ring
    // keep every worker busy meanwhile.  Waking once per batch rather than once per job
    // saves a context switch per track.  The ring bounds memory to a few track buffers
    // per worker.
    batch_ = std::max<size_t>(1, size_t(workers) * 2);
    slots_.resize(batch_ + size_t(workers) * 2 + 2);
    for (unsigned i = 0; i < workers; ++i)
        workers_.emplace_back([this] { work(); });
}

Pipeline::~Pipeline()
{
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    work_ready_.notify_all();
    workers_.clear();  // joins
}

void Pipeline::compress(Compressor& compressor, Job& job)
{
    job.compressed = compress_image(compressor, method_, level_, job.raw, job.stored);
}

Job& Pipeline::prepare()
{
    if (submitted_ - retired_ == slots_.size())
        retire(retired_ + batch_);
    Job& job = at(submitted_).job;
    job.compressed = false;
    return job;
}

void Pipeline::submit()
{
    Slot& slot = at(submitted_);
    const bool needs_work = slot.job.type == Job::Type::Compress;
    if (needs_work && workers_.empty()) {
        try {
            compress(inline_compressor_, slot.job);
        } catch (...) {
            slot.error = std::current_exception();
        }
    }
    {
        std::lock_guard lock(mutex_);
        slot.state = (needs_work && !workers_.empty()) ? State::Pending : State::Done;
        ++submitted_;
    }
    if (workers_.empty()) {
        drain();
        return;
    }
    if (needs_work)
        work_ready_.notify_one();
}

bool Pipeline::done_before(uint64_t end)
{
    for (uint64_t seq = retired_; seq < end; ++seq)
        if (at(seq).state != State::Done)
            return false;
    return true;
}

void Pipeline::retire(uint64_t end)
{
    {
        std::unique_lock lock(mutex_);
        awaited_end_ = end;
        job_done_.wait(lock, [&] { return done_before(end); });
        awaited_end_ = 0;
    }
    while (retired_ < end) {
        Slot& slot = at(retired_);
        if (slot.error) {
            std::exception_ptr error = slot.error;
            slot.error = nullptr;
            std::rethrow_exception(error);
        }
        sink_(slot.job);
        std::lock_guard lock(mutex_);
        slot.state = State::Free;
        ++retired_;
    }
}

void Pipeline::drain()
{
    retire(submitted_);
}

void Pipeline::work()
{
    Compressor compressor;
    std::unique_lock lock(mutex_);
    for (;;) {
        // Slots before retired_ have been reused for later jobs: never look behind it.
        taken_ = std::max(taken_, retired_);
        while (taken_ < submitted_ && at(taken_).state != State::Pending)
            ++taken_;
        if (taken_ < submitted_) {
            Slot& slot = at(taken_++);
            slot.state = State::Working;
            lock.unlock();
            try {
                compress(compressor, slot.job);
            } catch (...) {
                slot.error = std::current_exception();
            }
            lock.lock();
            slot.state = State::Done;
            if (awaited_end_ != 0 && done_before(awaited_end_))
                job_done_.notify_one();
            continue;
        }
        if (stop_)
            return;
        work_ready_.wait(lock);
    }
}

} // namespace ddr::cckd
