// A writer thread behind a producer: the producer fills a buffer, hands it over and goes
// on filling another while the thread writes the first out, so encoding and writing run
// on two cores.  A fixed number of buffers circulate (memory stays bounded: a producer
// that gets ahead waits for a buffer to come back), and they are written strictly in the
// order they were handed over, so the output is byte for byte what a single thread
// writing the same buffers would produce.
#pragma once

#include "formats/io/bytes.hpp"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ddr {

class WriteBehind {
public:
    // Buffers in existence at most: the one being filled, the one just filled, and the
    // others queued or being written (slack for a writer that stalls now and then).
    static constexpr unsigned kBuffers = 8;

    // How one buffer is written; runs on the writer thread and reports a failure by
    // throwing (an Error naming the place).
    using WriteFn = std::function<void(ByteSpan bytes)>;
    WriteBehind();
    // Stops the writer: the write under way finishes, buffers not yet written are dropped
    // (the owner, destroyed without finishing, discards its output anyway).
    ~WriteBehind();
    WriteBehind(const WriteBehind&) = delete;
    WriteBehind& operator=(const WriteBehind&) = delete;

    // A buffer with room for `reserve` bytes (one already written, as it was, or a new
    // empty one), once one may exist (waits while
    // another buffer is queued or being written; see kBuffers).  Rethrows a failure of
    // the writer.
    Bytes take_buffer(size_t reserve);
    // Queues `bytes`, to be written by `write` after everything handed over before.
    // Rethrows a failure of the writer (the first one; nothing is written after it).
    void submit(Bytes bytes, WriteFn write);
    // Waits until everything handed over is written; rethrows a failure of the writer.
    void drain();

private:
    struct Job {
        Bytes bytes;
        WriteFn write;
    };
    void run();
    void rethrow_failure();  // with `lock_` held

    std::mutex lock_;
    std::condition_variable changed_;
    std::deque<Job> queue_;
    std::vector<Bytes> free_;  // written buffers, kept for reuse (room for kBuffers)
    bool busy_ = false;        // the writer is writing a job taken off the queue
    bool stop_ = false;
    std::exception_ptr failure_;
    std::thread writer_;       // last: started once everything above exists
};

} // namespace ddr
