// Compresses stored images on a few threads while keeping the order they were handed
// over in.  Compression is what limits a CCKD writer (zlib runs at tens of MB/s per
// core), so a small pool works on the next jobs while the writer thread appends the
// finished ones, oldest first.  Memory is bounded by a fixed ring of job slots whose
// buffers are reused.
//
//   Job& job = pipeline.prepare();   // may first retire the oldest jobs (calls the sink)
//   ... fill job ...
//   pipeline.submit();
//   ...
//   pipeline.drain();                // every job retired
//
// The sink runs on the caller's thread (inside prepare/submit/drain), one job at a
// time, in submission order.  Jobs that need no compression pass through in order too.
#pragma once

#include "formats/volume/cckd/codec.hpp"

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ddr::cckd {

struct Job {
    enum class Type : uint8_t {
        Null,      // no data: the unit becomes a null entry of `null_format`
        Stored,    // `stored` already holds the final stored image
        Compress,  // `raw` holds the raw image; the pipeline decides raw or compressed
    };
    Type type = Type::Null;
    uint64_t unit = 0;
    uint8_t null_format = 0;
    Bytes raw;
    Bytes stored;
    bool compressed = false;  // Compress: `stored` holds the compressed image

    // What to write for a Stored or Compress job.
    ByteSpan image() const { return (type == Type::Stored || compressed) ? ByteSpan(stored) : ByteSpan(raw); }
};

class Pipeline {
public:
    using Sink = std::function<void(const Job&)>;

    // `workers` = 0 compresses on the caller's thread.
    Pipeline(unsigned workers, CckdCompression method, int level, Sink sink);
    ~Pipeline();
    Pipeline(const Pipeline&) = delete;
    Pipeline& operator=(const Pipeline&) = delete;

    Job& prepare();
    void submit();
    void drain();

private:
    enum class State : uint8_t { Free, Pending, Working, Done };
    struct Slot {
        Job job;
        State state = State::Free;
        std::exception_ptr error;
    };

    Slot& at(uint64_t seq) { return slots_[size_t(seq % slots_.size())]; }
    // Waits until every job before sequence number `end` is compressed, then gives them
    // to the sink, oldest first (rethrowing a job's error instead).
    void retire(uint64_t end);
    // Every job from retired_ to `end` is done (called with mutex_ held).
    bool done_before(uint64_t end);
    void work();
    void compress(Compressor& compressor, Job& job);

    CckdCompression method_;
    int level_;
    Sink sink_;
    Compressor inline_compressor_;
    std::vector<Slot> slots_;
    size_t batch_ = 1;  // how many jobs the caller retires at once when the ring is full
    uint64_t submitted_ = 0;  // next sequence number to hand out
    uint64_t retired_ = 0;    // oldest sequence number not yet given to the sink
    uint64_t taken_ = 0;      // next sequence number the workers look at
    uint64_t awaited_end_ = 0;  // the caller sleeps until every job before this is done; 0 = not asleep
    bool stop_ = false;
    std::mutex mutex_;
    std::condition_variable work_ready_;
    std::condition_variable job_done_;
    std::vector<std::jthread> workers_;
};

// How many compression threads "0 = automatic" means on this machine.
unsigned default_compression_threads();

} // namespace ddr::cckd
