#include "formats/io/ordered_pool.hpp"

#include <algorithm>

namespace ddr {

unsigned default_worker_threads()
{
    unsigned n = std::thread::hardware_concurrency();
    return std::clamp(n, 1u, 8u);
}

namespace {
// The caller sleeps until a batch of two jobs per worker is done and then hands out as
// many new ones; the two jobs per worker (and two more) left in the ring keep every
// worker busy meanwhile.  Waking once per batch rather than once per job saves a context
// switch per job.
size_t batch_for(unsigned workers)
{
    return std::max<size_t>(1, size_t(workers) * 2);
}
} // namespace

size_t OrderedPool::slots_for(unsigned workers)
{
    return batch_for(workers) + size_t(workers) * 2 + 2;
}

OrderedPool::OrderedPool(unsigned workers, Work work, Sink sink)
    : work_(std::move(work)), sink_(std::move(sink)), slots_(slots_for(workers)), batch_(batch_for(workers))
{
    for (unsigned i = 0; i < workers; ++i)
        threads_.emplace_back([this, i] { serve(i); });
}

OrderedPool::~OrderedPool()
{
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    work_ready_.notify_all();
    threads_.clear();  // joins
}

void OrderedPool::run(size_t slot, unsigned worker)
{
    try {
        work_(slot, worker);
    } catch (...) {
        slots_[slot].error = std::current_exception();
    }
}

size_t OrderedPool::prepare()
{
    if (submitted_ - retired_ == slots_.size())
        retire(retired_ + batch_);
    return slot_of(submitted_);
}

void OrderedPool::submit(bool needs_work)
{
    const size_t slot = slot_of(submitted_);
    const bool inline_work = threads_.empty();
    if (needs_work && inline_work)
        run(slot, 0);
    {
        std::lock_guard lock(mutex_);
        slots_[slot].state = (needs_work && !inline_work) ? State::Pending : State::Done;
        ++submitted_;
    }
    if (inline_work)
        drain();
    else if (needs_work)
        work_ready_.notify_one();
}

bool OrderedPool::done_before(uint64_t end) const
{
    for (uint64_t seq = retired_; seq < end; ++seq)
        if (slots_[slot_of(seq)].state != State::Done)
            return false;
    return true;
}

void OrderedPool::retire(uint64_t end)
{
    {
        std::unique_lock lock(mutex_);
        awaited_end_ = end;
        job_done_.wait(lock, [&] { return done_before(end); });
        awaited_end_ = 0;
    }
    while (retired_ < end) {
        const size_t slot = slot_of(retired_);
        if (slots_[slot].error) {
            std::exception_ptr error = slots_[slot].error;
            slots_[slot].error = nullptr;
            std::rethrow_exception(error);
        }
        sink_(slot);
        std::lock_guard lock(mutex_);
        slots_[slot].state = State::Free;
        ++retired_;
    }
}

void OrderedPool::drain()
{
    retire(submitted_);
}

void OrderedPool::serve(unsigned worker)
{
    std::unique_lock lock(mutex_);
    for (;;) {
        // Slots before retired_ have been reused for later jobs: never look behind it.
        taken_ = std::max(taken_, retired_);
        while (taken_ < submitted_ && slots_[slot_of(taken_)].state != State::Pending)
            ++taken_;
        if (taken_ < submitted_) {
            const size_t slot = slot_of(taken_++);
            slots_[slot].state = State::Working;
            lock.unlock();
            run(slot, worker);
            lock.lock();
            slots_[slot].state = State::Done;
            if (awaited_end_ != 0 && done_before(awaited_end_))
                job_done_.notify_one();
            continue;
        }
        if (stop_)
            return;
        work_ready_.wait(lock);
    }
}

} // namespace ddr
