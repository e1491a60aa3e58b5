#include "formats/io/write_behind.hpp"

#include <algorithm>

namespace ddr {

WriteBehind::WriteBehind(unsigned wake_batch) : wake_batch_(std::clamp(wake_batch, 1u, kBuffers - 2))
{
    // Room for every buffer there can be, so that the writer thread's push_back of a
    // written one never allocates: an exception there would end the program.
    free_.reserve(kBuffers);
    writer_ = std::thread([this] { run(); });
}

WriteBehind::~WriteBehind()
{
    {
        std::lock_guard<std::mutex> g(lock_);
        stop_ = true;
        changed_.notify_all();
    }
    writer_.join();
}

// The writer thread: sleeps until a batch of jobs waits (or the producer waits on it),
// then takes jobs in order and writes them until the queue is empty, told to stop, or a
// write fails; a failure is kept for the producer, and later jobs are dropped unwritten.
void WriteBehind::run()
{
    std::unique_lock<std::mutex> g(lock_);
    for (;;) {
        writer_sleeps_ = true;
        changed_.wait(g, [&] { return stop_ || queue_.size() >= wake_batch_ || (flush_ && !queue_.empty()); });
        writer_sleeps_ = false;
        while (!stop_ && !queue_.empty()) {
            Job job = std::move(queue_.front());
            queue_.pop_front();
            busy_ = true;
            g.unlock();
            std::exception_ptr failed;
            try {
                job.write(job.bytes);
            } catch (...) {
                failed = std::current_exception();
            }
            g.lock();
            busy_ = false;
            free_.push_back(std::move(job.bytes));
            if (failed && !failure_)
                failure_ = failed;
            if (failure_)
                queue_.clear();  // after a failure nothing more is written
            if (producer_waits_)
                changed_.notify_all();
        }
        if (stop_)
            return;
    }
}

void WriteBehind::wake_writer()
{
    if (writer_sleeps_ && !queue_.empty())
        changed_.notify_all();
}

void WriteBehind::rethrow_failure()
{
    if (failure_)
        std::rethrow_exception(failure_);
}

Bytes WriteBehind::take_buffer(size_t reserve)
{
    std::unique_lock<std::mutex> g(lock_);
    // The producer holds the buffer it filled and this one; at most kBuffers - 2 others
    // may be queued or being written, so no more than kBuffers ever exist.
    const auto room = [&] { return failure_ || queue_.size() + (busy_ ? 1 : 0) + 2 <= kBuffers; };
    if (!room()) {
        flush_ = true;  // the queue holds more than a batch: the writer is awake or about to be
        wake_writer();
        producer_waits_ = true;
        changed_.wait(g, room);
        producer_waits_ = false;
        flush_ = false;
    }
    rethrow_failure();
    if (!free_.empty()) {
        Bytes b = std::move(free_.back());
        free_.pop_back();
        return b;
    }
    Bytes b;
    b.reserve(reserve);
    return b;
}

void WriteBehind::submit(Bytes bytes, WriteFn write)
{
    std::lock_guard<std::mutex> g(lock_);
    rethrow_failure();
    queue_.push_back(Job{std::move(bytes), std::move(write)});
    if (queue_.size() >= wake_batch_)
        wake_writer();
}

void WriteBehind::drain()
{
    std::unique_lock<std::mutex> g(lock_);
    flush_ = true;
    wake_writer();
    producer_waits_ = true;
    changed_.wait(g, [&] { return failure_ || (queue_.empty() && !busy_); });
    producer_waits_ = false;
    flush_ = false;
    rethrow_failure();
}

} // namespace ddr
