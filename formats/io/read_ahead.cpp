#include "formats/io/read_ahead.hpp"

#include "formats/io/error.hpp"
#include "formats/io/interrupt.hpp"

#include <array>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ddr {

// The ring and its counters, under `lock`.  Buffer n (counting from 0 over the whole
// input) lives in buffers[n % kBuffers]; the reader may fill buffer n once buffer
// n - kBuffers has been released.  The consumer holds at most two buffers at a time (the
// one it reads and the one before, whose spans it may still use).
struct ReadAhead::Shared {
    std::string name;
    UniqueFd fd;
    size_t buffer_size = 0;
    size_t headroom = 0;
    bool pollable = false;  // not a regular file: wait in poll(), so a stop can wake it
    UniqueFd wake;          // eventfd written by a stop
    std::array<std::unique_ptr<uint8_t[]>, kBuffers> buffers;
    std::array<size_t, kBuffers> lengths{};

    std::mutex lock;
    std::condition_variable changed;
    uint64_t filled = 0;    // buffers the reader has filled
    uint64_t taken = 0;     // buffers handed to the consumer
    uint64_t released = 0;  // buffers given back to the reader
    bool done = false;      // the reader has stopped: end of input, error or stop
    bool stop = false;      // the consumer wants the reader gone
    int error = 0;          // errno of the read that failed (0: none)
    uint64_t error_offset = 0;

    // Blocks until the input is readable or a stop is asked for; false for a stop.
    bool wait_readable() const;
    // Fills `out` (n bytes) as far as the input goes; sets `err` on a failed read.
    size_t fill(uint8_t* out, size_t n, int& err) const;
    void run();
};

bool ReadAhead::Shared::wait_readable() const
{
    if (!pollable)
        return true;
    pollfd fds[2] = {{fd.get(), POLLIN, 0}, {wake.get(), POLLIN, 0}};
    for (;;) {
        if (::poll(fds, 2, -1) >= 0)
            return (fds[1].revents & POLLIN) == 0;
        if (errno != EINTR)
            return true;  // let read(2) report what is wrong
    }
}

size_t ReadAhead::Shared::fill(uint8_t* out, size_t n, int& err) const
{
    size_t got = 0;
    while (got < n) {
        if (!wait_readable())
            break;
        ssize_t r = ::read(fd.get(), out + got, n - got);
        if (r > 0) {
            got += size_t(r);
        } else if (r == 0) {
            break;
        } else if (errno != EINTR) {
            err = errno;
            break;
        }
    }
    return got;
}

// The reader thread: fills buffers in turn until the input ends, a read fails or the
// consumer asks it to stop.  Never throws (nothing could catch it).
void ReadAhead::Shared::run()
{
    uint64_t offset = 0;
    for (uint64_t n = 0;; ++n) {
        {
            std::unique_lock<std::mutex> g(lock);
            changed.wait(g, [&] { return stop || n < released + kBuffers; });
            if (stop)
                break;
        }
        const unsigned slot = unsigned(n % kBuffers);
        int err = 0;
        const size_t want = buffer_size - headroom;
        const size_t got = fill(buffers[slot].get() + headroom, want, err);
        std::lock_guard<std::mutex> g(lock);
        if (got > 0 || err == 0) {  // a failure with nothing read publishes no buffer
            lengths[slot] = got;
            filled = n + 1;
        }
        offset += got;
        if (err != 0 || got < want || stop) {
            error = err;
            error_offset = offset;
            break;
        }
        changed.notify_all();
    }
    std::lock_guard<std::mutex> g(lock);
    done = true;
    changed.notify_all();
}

ReadAhead::ReadAhead(std::string name, UniqueFd fd, size_t buffer_size, size_t headroom)
    : shared_(std::make_unique<Shared>())
{
    Shared& s = *shared_;
    s.name = std::move(name);
    s.fd = std::move(fd);
    s.buffer_size = buffer_size;
    s.headroom = headroom;
    if (headroom >= buffer_size)
        fail(ErrorKind::Internal, file_place(s.name), "read-ahead buffers smaller than their headroom");
    struct stat st {};
    s.pollable = ::fstat(s.fd.get(), &st) != 0 || !S_ISREG(st.st_mode);
    if (s.pollable) {
        s.wake = UniqueFd(::eventfd(0, EFD_CLOEXEC));
        if (s.wake.get() < 0)
            fail(ErrorKind::ReadFailed, file_place(s.name), "cannot start a reader: " + os_error_text(errno));
    }
    for (auto& b : s.buffers)
        b = std::make_unique_for_overwrite<uint8_t[]>(buffer_size);
    reader_ = std::thread([&s] { s.run(); });
}

ReadAhead::~ReadAhead()
{
    {
        std::lock_guard<std::mutex> g(shared_->lock);
        shared_->stop = true;
        shared_->changed.notify_all();
    }
    if (shared_->pollable) {
        const uint64_t one = 1;
        (void)!::write(shared_->wake.get(), &one, sizeof one);
    }
    reader_.join();
}

size_t ReadAhead::headroom() const
{
    return shared_->headroom;
}

ReadAhead::Chunk ReadAhead::next()
{
    Shared& s = *shared_;
    std::unique_lock<std::mutex> g(s.lock);
    if (s.taken >= 2) {
        s.released = s.taken - 1;  // all but the one being read
        s.changed.notify_all();
    }
    while (s.filled <= s.taken && !s.done) {
        // Waits in short steps so that an interrupt is noticed even if the input is idle.
        s.changed.wait_for(g, std::chrono::milliseconds(100));
        if (interrupted()) {
            g.unlock();
            check_interrupted();
        }
    }
    if (s.filled > s.taken) {
        const unsigned slot = unsigned(s.taken % kBuffers);
        ++s.taken;
        const bool end = s.done && s.filled == s.taken && s.error == 0;
        return Chunk{s.buffers[slot].get(), s.lengths[slot], end};
    }
    if (s.error != 0)
        fail(ErrorKind::ReadFailed, file_place(s.name, s.error_offset), "read error: " + os_error_text(s.error));
    return Chunk{nullptr, 0, true};
}

} // namespace ddr
