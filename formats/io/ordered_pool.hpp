// Work done on a few threads, handed back in the order it was given.
//
// A CCKD writer compresses track images and a HET writer tape blocks; zlib runs at tens
// of MB/s per core, so a small pool works on the next jobs while the caller's thread
// writes out the finished ones, oldest first, and the output is the same bytes a single
// thread writes.  The pool knows jobs only by the index of their slot in the owner's
// fixed ring (slot_count() of them, reused in turn), which bounds memory to a few jobs
// per worker:
//
//   size_t i = pool.prepare();    // may first retire the oldest jobs (calls the sink)
//   ... fill the owner's jobs[i] ...
//   pool.submit(needs_work);
//   ...
//   pool.drain();                 // every job retired
//
// `work(slot, worker)` runs on worker thread `worker` (0 .. workers-1); a pool of no
// workers runs it on the caller's thread inside submit() (worker 0) and retires the job
// at once, so it behaves like a plain function call.  `sink(slot)` always runs on the
// caller's thread, inside prepare/submit/drain, one job at a time, in submission order;
// jobs submitted with needs_work false go straight to it in their turn.  An exception
// from work() is rethrown to the caller when that job's turn to be retired comes; one
// from the sink leaves the job unretired (the owner is expected to give up).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ddr {

class OrderedPool {
public:
    using Work = std::function<void(size_t slot, unsigned worker)>;
    using Sink = std::function<void(size_t slot)>;

    // Starts `workers` threads.  The owner's ring must have slots_for(workers) jobs
    // before the first submit(); the pool must be destroyed before that ring.
    OrderedPool(unsigned workers, Work work, Sink sink);
    ~OrderedPool();
    OrderedPool(const OrderedPool&) = delete;
    OrderedPool& operator=(const OrderedPool&) = delete;

    static size_t slots_for(unsigned workers);
    size_t slot_count() const { return slots_.size(); }
    unsigned workers() const { return unsigned(threads_.size()); }

    size_t prepare();
    void submit(bool needs_work);
    void drain();

    // Jobs handed over so far, and of those, the ones given to the sink.
    uint64_t submitted() const { return submitted_; }
    uint64_t retired() const { return retired_; }
    // The slot of the job with sequence number `seq` (submitted() - 1 is the latest).
    size_t slot_of(uint64_t seq) const { return size_t(seq % slots_.size()); }

private:
    enum class State : uint8_t { Free, Pending, Working, Done };
    struct Slot {
        State state = State::Free;
        std::exception_ptr error;
    };

    // Waits until every job before sequence number `end` is done, then gives them to the
    // sink, oldest first (rethrowing a job's error instead).
    void retire(uint64_t end);
    // Every job from retired_ to `end` is done (called with mutex_ held).
    bool done_before(uint64_t end) const;
    void run(size_t slot, unsigned worker);
    void serve(unsigned worker);

    Work work_;
    Sink sink_;
    std::vector<Slot> slots_;
    size_t batch_ = 1;          // how many jobs the caller retires at once when the ring is full
    uint64_t submitted_ = 0;    // next sequence number to hand out
    uint64_t retired_ = 0;      // oldest sequence number not yet given to the sink
    uint64_t taken_ = 0;        // next sequence number the workers look at
    uint64_t awaited_end_ = 0;  // the caller sleeps until every job before this is done; 0 = not asleep
    bool stop_ = false;
    std::mutex mutex_;
    std::condition_variable work_ready_;
    std::condition_variable job_done_;
    std::vector<std::jthread> threads_;  // last: joined before the rest goes
};

// How many worker threads "0 = automatic" means on this machine (1 to 8).
unsigned default_worker_threads();

} // namespace ddr
