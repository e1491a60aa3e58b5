// A reader thread that fills a fixed ring of large buffers from a file or a pipe while
// the thread that owns it works on the buffers already filled: reading overlaps decoding
// and hashing, on a second core, with memory bounded by the ring.
//
// Each buffer keeps `headroom` bytes free at its start, which the consumer may use to put
// the unread tail of the previous buffer in front of the new bytes, so that a request
// straddling two buffers is still one contiguous span (a copy of less than `headroom`
// bytes, never of the data as a whole).
#pragma once

#include "formats/io/file.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

namespace ddr {

class ReadAhead {
public:
    static constexpr unsigned kBuffers = 4;

    // One filled buffer: bytes [headroom, headroom + length) of `base` hold the next
    // `length` bytes of the input.  `end`: nothing follows (length may be 0, and then
    // base is null: there is no new buffer).
    struct Chunk {
        uint8_t* base = nullptr;
        size_t length = 0;
        bool end = false;
    };

    // Starts the reader thread on `fd` (named `name` in errors).  Each of the kBuffers
    // buffers holds `buffer_size` bytes, of which `headroom` are left free at the start.
    ReadAhead(std::string name, UniqueFd fd, size_t buffer_size, size_t headroom);
    // Stops the reader thread and waits for it (a reader blocked on an idle pipe is
    // woken), whatever state the input is in.
    ~ReadAhead();
    ReadAhead(const ReadAhead&) = delete;
    ReadAhead& operator=(const ReadAhead&) = delete;

    // The next buffer, in input order, once the reader has filled it (every buffer is
    // full but the last).  The buffer returned two calls ago goes back to the reader: a
    // Chunk stays valid until next() has been called twice more.  Throws
    // Error(ReadFailed) naming the file and the offset where reading failed, after every
    // byte read before the failure has been handed out; Error(Interrupted) if a signal
    // arrives while waiting.
    Chunk next();

    size_t headroom() const;

private:
    struct Shared;
    std::unique_ptr<Shared> shared_;
    std::thread reader_;
};

} // namespace ddr
