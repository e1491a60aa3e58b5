#include "formats/io/ordered_pool.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace ddr;

namespace {

// A ring of jobs as an owner keeps one: each job's input and what work() made of it.
struct Ring {
    std::vector<uint64_t> input;
    std::vector<uint64_t> output;
    explicit Ring(unsigned workers) : input(OrderedPool::slots_for(workers)), output(input.size()) {}
};

// Work that takes longer for some jobs than for later ones, so workers finish out of order.
void slow_square(uint64_t& out, uint64_t in)
{
    if (in % 7 == 0)
        std::this_thread::sleep_for(std::chrono::microseconds(300));
    out = in * in;
}

} // namespace

TEST_CASE("OrderedPool: the sink sees every job in submission order, whatever order the work ends in")
{
    for (unsigned workers : {0u, 1u, 2u, 5u}) {
        CAPTURE(workers);
        Ring ring(workers);
        std::vector<uint64_t> seen;
        std::atomic<unsigned> busiest{0};
        std::atomic<unsigned> busy{0};
        std::atomic<bool> worker_out_of_range{false};
        OrderedPool pool(
            workers,
            [&](size_t slot, unsigned worker) {
                if (worker >= std::max(1u, workers))
                    worker_out_of_range = true;
                const unsigned now = ++busy;
                unsigned was = busiest.load();
                while (now > was && !busiest.compare_exchange_weak(was, now)) {
                }
                slow_square(ring.output[slot], ring.input[slot]);
                --busy;
            },
            [&](size_t slot) { seen.push_back(ring.output[slot]); });
        CHECK(pool.slot_count() == ring.input.size());
        for (uint64_t i = 0; i < 200; ++i) {
            const size_t slot = pool.prepare();
            CHECK(pool.submitted() - pool.retired() < pool.slot_count());  // a free slot, always
            ring.input[slot] = i;
            // Every fifth job needs no work: it passes through, in its turn.
            const bool needs_work = i % 5 != 0;
            if (!needs_work)
                ring.output[slot] = i * i;
            pool.submit(needs_work);
            if (workers == 0)
                CHECK(seen.size() == i + 1);  // no workers: retired inside submit()
        }
        pool.drain();
        REQUIRE(seen.size() == 200);
        for (uint64_t i = 0; i < 200; ++i)
            CHECK(seen[i] == i * i);
        CHECK(pool.retired() == 200);
        CHECK(busiest.load() <= std::max(1u, workers));
        CHECK_FALSE(worker_out_of_range.load());
    }
}

TEST_CASE("OrderedPool: a job's error reaches the caller in that job's turn, after the jobs before it")
{
    for (unsigned workers : {0u, 3u}) {
        CAPTURE(workers);
        Ring ring(workers);
        std::vector<uint64_t> seen;
        OrderedPool pool(
            workers,
            [&](size_t slot, unsigned) {
                if (ring.input[slot] == 6)
                    throw std::runtime_error("job 6 failed");
                slow_square(ring.output[slot], ring.input[slot]);
            },
            [&](size_t slot) { seen.push_back(ring.input[slot]); });
        std::string error;
        try {
            for (uint64_t i = 0; i < 100; ++i) {
                ring.input[pool.prepare()] = i;
                pool.submit(true);
            }
            pool.drain();
        } catch (const std::runtime_error& e) {
            error = e.what();
        }
        CHECK(error == "job 6 failed");
        CHECK(seen == std::vector<uint64_t>{0, 1, 2, 3, 4, 5});
    }
}

TEST_CASE("OrderedPool: destroyed with jobs in flight, it stops its threads without retiring them")
{
    Ring ring(2);
    std::atomic<int> sunk{0};
    {
        OrderedPool pool(
            2, [&](size_t slot, unsigned) { slow_square(ring.output[slot], ring.input[slot]); },
            [&](size_t) { ++sunk; });
        for (uint64_t i = 0; i < 4; ++i) {
            ring.input[pool.prepare()] = i * 7;
            pool.submit(true);
        }
    }
    CHECK(sunk.load() == 0);
}
