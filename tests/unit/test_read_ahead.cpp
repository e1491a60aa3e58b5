// The reader thread (io/read_ahead.hpp): bytes in order whatever the source, a ring that
// bounds how far it reads ahead, failures reported with the place after the bytes read
// before them, and a stop or an interrupt that ends both threads.
#include "formats/io/interrupt.hpp"
#include "formats/io/read_ahead.hpp"
#include "formats/tape/tape.hpp"
#include "formats/tape/tape_file.hpp"
#include "tests/unit/error_testing.hpp"
#include "tests/unit/support.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace ddr;
using namespace ddr::test;

namespace {

constexpr size_t kBuffer = 64 << 10;
constexpr size_t kHeadroom = 4 << 10;

Bytes pattern(size_t n)
{
    Bytes b(n);
    for (size_t i = 0; i < n; ++i)
        b[i] = uint8_t((i * 2654435761u) >> 13);
    return b;
}

// Everything the reader hands out, in order, checking that every buffer but the last is full.
Bytes drain(ReadAhead& ahead)
{
    Bytes all;
    for (;;) {
        ReadAhead::Chunk c = ahead.next();
        if (c.length > 0)
            all.insert(all.end(), c.base + kHeadroom, c.base + kHeadroom + c.length);
        if (c.end)
            return all;
        CHECK(c.length == kBuffer - kHeadroom);
    }
}

// Writes `bytes` into `fd` in pieces of assorted sizes, then closes it.
std::thread feed(int fd, const Bytes& bytes)
{
    return std::thread([fd, &bytes] {
        for (size_t at = 0, step = 1; at < bytes.size(); step = step * 7 % 9001 + 1) {
            const ssize_t n = ::write(fd, bytes.data() + at, std::min(bytes.size() - at, step));
            if (n <= 0)
                break;
            at += size_t(n);
        }
        ::close(fd);
    });
}

} // namespace

TEST_CASE("ReadAhead: every byte in order, from a file and from a pipe written in odd pieces")
{
    TempDir dir;
    for (size_t size : {size_t(0), size_t(1), kBuffer - kHeadroom, 3 * (kBuffer - kHeadroom), size_t(1234567)}) {
        CAPTURE(size);
        const Bytes data = pattern(size);
        write_file(dir.file("in"), data);
        {
            ReadAhead ahead("in", UniqueFd(::open(dir.file("in").c_str(), O_RDONLY)), kBuffer, kHeadroom);
            CHECK(drain(ahead) == data);
        }
        int fds[2];
        REQUIRE(::pipe(fds) == 0);
        std::thread feeder = feed(fds[1], data);
        {
            ReadAhead ahead("pipe", UniqueFd(fds[0]), kBuffer, kHeadroom);
            CHECK(drain(ahead) == data);
            // After the end, the end again.
            CHECK(ahead.next().end);
        }
        feeder.join();
    }
}

TEST_CASE("ReadAhead: reads at most its ring ahead of the consumer, and a buffer stays valid for two turns")
{
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    REQUIRE(::fcntl(fds[1], F_SETFL, O_NONBLOCK) == 0);
    const int pipe_size = ::fcntl(fds[1], F_GETPIPE_SZ);
    REQUIRE(pipe_size > 0);
    UniqueFd writer(fds[1]);
    ReadAhead ahead("pipe", UniqueFd(fds[0]), kBuffer, kHeadroom);
    // Offer far more than the ring holds; the reader takes only what its free buffers hold.
    const Bytes data = pattern(16 * kBuffer);
    size_t written = 0;
    for (int idle = 0; idle < 20 && written < data.size();) {
        const ssize_t n = ::write(writer.get(), data.data() + written, data.size() - written);
        if (n > 0) {
            written += size_t(n);
            idle = 0;
        } else {
            ++idle;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    const size_t ring = ReadAhead::kBuffers * (kBuffer - kHeadroom);
    CHECK(written >= ring);
    CHECK(written <= ring + size_t(pipe_size));
    // The first buffer keeps its bytes while the second is read; the reader then moves on.
    ReadAhead::Chunk first = ahead.next();
    ReadAhead::Chunk second = ahead.next();
    CHECK(Bytes(first.base + kHeadroom, first.base + kHeadroom + first.length) ==
          Bytes(data.begin(), data.begin() + long(first.length)));
    CHECK(second.length == kBuffer - kHeadroom);
    writer.reset();
}

TEST_CASE("ReadAhead: a failed read is reported with the file and offset, after the bytes read before it")
{
    // A socket whose peer goes away with bytes left unread: the reader gets ECONNRESET
    // after the bytes sent before.
    int sv[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    const Bytes data = pattern(1000);
    REQUIRE(::write(sv[1], data.data(), data.size()) == ssize_t(data.size()));
    const uint8_t unread = 1;
    REQUIRE(::write(sv[0], &unread, 1) == 1);
    ::close(sv[1]);
    ReadAhead ahead("sock", UniqueFd(sv[0]), kBuffer, kHeadroom);
    ReadAhead::Chunk c = ahead.next();
    CHECK(Bytes(c.base + kHeadroom, c.base + kHeadroom + c.length) == data);
    CHECK_FALSE(c.end);
    CHECK_ERROR(ahead.next(), ErrorKind::ReadFailed, "sock: offset 1000: read error");

    TempDir dir;  // a folder cannot be read at all: the error names offset 0
    ReadAhead folder(dir.path().string(), UniqueFd(::open(dir.path().c_str(), O_RDONLY)), kBuffer, kHeadroom);
    CHECK_ERROR(folder.next(), ErrorKind::ReadFailed, ": offset 0: read error");
}

TEST_CASE("ReadAhead: destroyed while its reader waits on an idle pipe, it stops at once")
{
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    UniqueFd writer(fds[1]);
    const auto start = std::chrono::steady_clock::now();
    {
        ReadAhead ahead("idle", UniqueFd(fds[0]), kBuffer, kHeadroom);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("ReadAhead: an interrupt while waiting on an idle pipe stops the consumer and the reader")
{
    // In a child process: the interrupt flag, once set, stays set.
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::alarm(20);  // a hang is a failure, not a stuck test run
        int fds[2];
        if (::pipe(fds) != 0)
            ::_exit(2);
        int code = 3;
        {
            ReadAhead ahead("idle", UniqueFd(fds[0]), kBuffer, kHeadroom);
            std::thread signaller([] {
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
                note_interrupt(SIGINT);
            });
            auto err = caught([&] { ahead.next(); });
            signaller.join();
            if (err && err->kind() == ErrorKind::Interrupted)
                code = 0;
        }  // the destructor must return: the reader thread has stopped
        ::_exit(code);
    }
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

namespace {

// Every byte of `in`, taken in requests of assorted sizes up to `largest`, so that many
// straddle buffers (and, from a file, the kFileFill pieces it is read in).
Bytes take_all(tapeio::BufferedInput& in, size_t largest, size_t total)
{
    Bytes got;
    for (size_t step = 1; got.size() < total; step = step * 31 % largest + 1) {
        ByteSpan s = in.take(step);
        REQUIRE(!s.empty());
        got.insert(got.end(), s.begin(), s.end());
    }
    return got;
}

} // namespace

TEST_CASE("BufferedInput from a pipe, with its reader thread: spans across buffers, a request too large is refused")
{
    const Bytes data = pattern(3 * tapeio::BufferedInput::kDefaultBuffer + 777);
    {
        FedPipe pipe(data, 70001);
        tapeio::BufferedInput in("pipe", std::move(pipe.read_end));
        CHECK(take_all(in, tapeio::BufferedInput::kMaxThreadedRequest, data.size()) == data);
        CHECK(in.take(10).empty());
        CHECK(in.offset() == data.size());
    }
    FedPipe pipe(data, 70001);
    tapeio::BufferedInput again("pipe", std::move(pipe.read_end));
    CHECK_ERROR(again.peek(tapeio::BufferedInput::kMaxThreadedRequest + 1), ErrorKind::Internal, "more than the reader allows");
    Bytes whole(data.size());
    CHECK(again.read(whole.data(), whole.size()) == data.size());
    CHECK(whole == data);
}

TEST_CASE("BufferedInput from a file, read in pieces on the caller's thread: spans across pieces and buffers")
{
    TempDir dir;
    const Bytes data = pattern(3 * tapeio::BufferedInput::kDefaultBuffer + 777);
    write_file(dir.file("in"), data);
    tapeio::BufferedInput in("in", tapeio::open_for_reading(dir.file("in")));
    // A file's buffers are the small ones whatever was asked, and still keep views as long as promised.
    CHECK(in.view_life() >= kStableViewBytes);
    CHECK(in.view_life() < tapeio::BufferedInput::kFileBuffer);
    // Larger requests than a pipe's reader allows, and than a piece read at once.
    CHECK(take_all(in, 2 * tapeio::BufferedInput::kFileFill + 1, data.size()) == data);
    CHECK(in.take(10).empty());
    CHECK(in.offset() == data.size());
    tapeio::BufferedInput again("in", tapeio::open_for_reading(dir.file("in")));
    const ByteSpan big = again.peek(tapeio::BufferedInput::kFileFill + 5);
    CHECK(Bytes(big.begin(), big.end()) == Bytes(data.begin(), data.begin() + tapeio::BufferedInput::kFileFill + 5));
    Bytes whole(data.size());
    CHECK(again.read(whole.data(), whole.size()) == data.size());
    CHECK(whole == data);
}

TEST_CASE("BufferedInput from a file that is cut short while it is read: the bytes it still has, then the end")
{
    TempDir dir;
    const Bytes data = pattern(4 * tapeio::BufferedInput::kFileFill);
    write_file(dir.file("in"), data);
    tapeio::BufferedInput in("in", tapeio::open_for_reading(dir.file("in")));
    const ByteSpan first = in.take(1000);
    CHECK(Bytes(first.begin(), first.end()) == Bytes(data.begin(), data.begin() + 1000));
    // Cut to 1.5 pieces: what was read before stays readable, the rest is gone.
    const size_t cut = tapeio::BufferedInput::kFileFill * 3 / 2;
    REQUIRE(::truncate(dir.file("in").c_str(), off_t(cut)) == 0);
    Bytes rest(data.size());
    const size_t got = in.read(rest.data(), rest.size());
    CHECK(got + 1000 <= data.size());
    CHECK(got + 1000 >= cut);  // nothing the file still holds is lost
    CHECK(Bytes(rest.begin(), rest.begin() + std::ptrdiff_t(got)) ==
          Bytes(data.begin() + 1000, data.begin() + 1000 + std::ptrdiff_t(got)));
    CHECK(in.take(10).empty());
}

TEST_CASE("BufferedInput from a small file: one buffer as large as the file; if the file grows, views still last")
{
    TempDir dir;
    const std::string path = dir.file("in");
    const Bytes data = pattern(3 * tapeio::BufferedInput::kFileBuffer + 12345);
    const size_t small = 1000;
    write_file(path, Bytes(data.begin(), data.begin() + small));
    {
        // Left alone, the small file is read whole; a request beyond its end gets what there is.
        tapeio::BufferedInput in("in", tapeio::open_for_reading(path));
        const ByteSpan all = in.peek(tapeio::BufferedInput::kFileBuffer);
        CHECK(Bytes(all.begin(), all.end()) == Bytes(data.begin(), data.begin() + small));
        in.consume(small);
        CHECK(in.take(10).empty());
    }
    // Now the file grows after the reader opened it: a view taken from the small first
    // buffer stays intact while view_life() more bytes are read, and every byte arrives.
    tapeio::BufferedInput in("in", tapeio::open_for_reading(path));
    const size_t life = in.view_life();
    REQUIRE(life >= kStableViewBytes);
    const ByteSpan early = in.take(600);
    const Bytes early_copy(early.begin(), early.end());
    {
        std::ofstream grow(path, std::ios::binary | std::ios::app);
        grow.write(reinterpret_cast<const char*>(data.data() + small), std::streamsize(data.size() - small));
    }
    Bytes got(early_copy);
    for (size_t step = 1; got.size() < data.size(); step = step * 31 % tapeio::BufferedInput::kMaxRequest + 1) {
        const ByteSpan s = in.take(step);
        REQUIRE(!s.empty());
        got.insert(got.end(), s.begin(), s.end());
        if (got.size() - early_copy.size() <= life)
            REQUIRE(Bytes(early.begin(), early.end()) == early_copy);
    }
    CHECK(got == data);
    CHECK(in.take(10).empty());
}
