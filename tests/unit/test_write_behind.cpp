// The writer thread (io/write_behind.hpp): buffers written in the order handed over, never
// more than kBuffers in existence, a failed write reported (with its place) to the
// producer and nothing written after it, and a stop that drops what was not written.
#include "formats/io/write_behind.hpp"
#include "tests/unit/error_testing.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

using namespace ddr;
using namespace ddr::test;

namespace {

// A gate the writer waits at until the test opens it.
struct Gate {
    std::mutex lock;
    std::condition_variable opened_cv;
    bool opened = false;
    void wait()
    {
        std::unique_lock<std::mutex> g(lock);
        opened_cv.wait(g, [&] { return opened; });
    }
    void open()
    {
        std::lock_guard<std::mutex> g(lock);
        opened = true;
        opened_cv.notify_all();
    }
};

Bytes numbered(unsigned i)
{
    return Bytes(1 + i % 97, uint8_t(i));
}

} // namespace

TEST_CASE("WriteBehind: buffers are written in the order handed over, at the positions given")
{
    std::vector<std::pair<uint64_t, Bytes>> written;  // only the writer thread touches it until drain()
    WriteBehind behind;
    uint64_t at = 0;
    for (unsigned i = 0; i < 200; ++i) {
        Bytes b = behind.take_buffer(128);
        CHECK(b.capacity() >= 128);
        const Bytes want = numbered(i);
        b.assign(want.begin(), want.end());
        behind.submit(std::move(b), [&written, at](ByteSpan bytes) {
            if (at % 3 == 0)
                std::this_thread::sleep_for(std::chrono::microseconds(200));
            written.emplace_back(at, Bytes(bytes.begin(), bytes.end()));
        });
        at += want.size();
    }
    behind.drain();
    REQUIRE(written.size() == 200);
    uint64_t expect = 0;
    for (unsigned i = 0; i < 200; ++i) {
        CHECK(written[i].first == expect);
        CHECK(written[i].second == numbered(i));
        expect += written[i].second.size();
    }
}

TEST_CASE("WriteBehind: a producer ahead of a slow writer waits, so memory stays bounded")
{
    Gate gate;
    std::atomic<unsigned> writes{0};
    WriteBehind behind;
    std::atomic<unsigned> submitted{0};
    std::thread producer([&] {
        for (unsigned i = 0; i < 10; ++i) {
            Bytes b = behind.take_buffer(16);
            b.push_back(uint8_t(i));
            behind.submit(std::move(b), [&](ByteSpan) {
                gate.wait();
                ++writes;
            });
            ++submitted;
        }
        behind.drain();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    // One buffer being written, one queued; the producer holds the third and waits.
    CHECK(submitted.load() == WriteBehind::kBuffers - 1);
    CHECK(writes.load() == 0);
    gate.open();
    producer.join();
    CHECK(submitted.load() == 10);
    CHECK(writes.load() == 10);
}

TEST_CASE("WriteBehind: a failed write is reported to the producer with its place, and nothing after it is written")
{
    std::atomic<unsigned> writes{0};
    WriteBehind behind;
    auto hand_over = [&] {
        for (uint64_t at = 0; at < 50; ++at) {
            Bytes b = behind.take_buffer(8);
            b.push_back(1);
            behind.submit(std::move(b), [&writes, at](ByteSpan) {
                if (at == 3)
                    fail(ErrorKind::WriteFailed, file_place("out.aws", at), "write error: No space left on device");
                ++writes;
            });
        }
        behind.drain();
    };
    CHECK_ERROR(hand_over(), ErrorKind::WriteFailed, "out.aws: offset 3: write error: No space left on device");
    CHECK(writes.load() == 3);
    // Every later call says the same.
    CHECK_ERROR(behind.drain(), ErrorKind::WriteFailed, "offset 3");
    CHECK_ERROR(behind.take_buffer(8), ErrorKind::WriteFailed, "offset 3");
}

TEST_CASE("WriteBehind: destroyed with buffers queued, it finishes the write under way and drops the rest")
{
    Gate gate;
    std::atomic<unsigned> writes{0};
    std::atomic<bool> writing{false};
    auto behind = std::make_unique<WriteBehind>();
    for (int i = 0; i < 2; ++i) {
        Bytes b = behind->take_buffer(8);
        b.push_back(1);
        behind->submit(std::move(b), [&](ByteSpan) {
            writing = true;
            gate.wait();
            ++writes;
        });
    }
    while (!writing)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::thread opener([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        gate.open();
    });
    behind.reset();  // an error or an interrupt in the producer: the writer stops
    opener.join();
    CHECK(writes.load() == 1);
}
