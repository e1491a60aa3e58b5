#include "formats/io/write_behind.hpp"

namespace ddr {

WriteBehind::WriteBehind()
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

// The writer thread: takes jobs in order and writes them until told to stop or a write
// fails; a failure is kept for the producer, and later jobs are dropped unwritten.
void WriteBehind::run()
{
    std::unique_lock<std::mutex> g(lock_);
    for (;;) {
        changed_.wait(g, [&] { return stop_ || !queue_.empty(); });
        if (stop_)
            return;
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
        changed_.notify_all();
    }
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
    changed_.wait(g, [&] { return failure_ || queue_.size() + (busy_ ? 1 : 0) + 2 <= kBuffers; });
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
    changed_.notify_all();
}

void WriteBehind::drain()
{
    std::unique_lock<std::mutex> g(lock_);
    changed_.wait(g, [&] { return failure_ || (queue_.empty() && !busy_); });
    rethrow_failure();
}

} // namespace ddr
