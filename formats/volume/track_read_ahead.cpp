#include "formats/volume/track_read_ahead.hpp"

#include "formats/io/interrupt.hpp"

#include <array>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <utility>

namespace ddr {

// The ring and its counters, under `lock`.  Track n (counting from 0 in reading order)
// lives in slots[n % kTracks]; the reader may fill slot n once track n - kTracks has been
// taken, and the consumer may take track n once it is filled.  A slot is touched outside
// the lock only by the side that owns it at the time.
struct TrackReadAhead::Shared {
    struct Slot {
        TrackAddress address;
        TrackImage image;
        std::exception_ptr error;  // what reading `address` threw, if it failed
    };

    Shared(CkdVolumeReader& v, AddressSource next) : volume(v), next_address(std::move(next)) {}

    CkdVolumeReader& volume;
    AddressSource next_address;
    std::array<Slot, kTracks> slots;

    // Each side sleeps only on a ring that is full (the reader) or empty (the consumer),
    // and is woken only once half the ring is ready for it: waking a thread costs more
    // here than reading a track, so it is done once per kTracks / 2 tracks, not per track.
    std::mutex lock;
    std::condition_variable reader_wake;
    std::condition_variable consumer_wake;
    uint64_t filled = 0;  // tracks the reader has read (or failed to read)
    uint64_t taken = 0;   // tracks the consumer has taken
    bool done = false;    // the reader has stopped: no more addresses, a failure, or a stop
    bool stop = false;    // the consumer wants the reader gone
    bool reader_sleeps = false;
    bool consumer_sleeps = false;

    // Reads one track into `slot`; false if there was none left to read.  Never throws:
    // a failure is kept in the slot, to be thrown where the consumer takes it.
    bool read_into(Slot& slot) noexcept;
    // The reader thread: fills slots in turn until the addresses end, a read fails or
    // the consumer asks it to stop.
    void run() noexcept;
};

bool TrackReadAhead::Shared::read_into(Slot& slot) noexcept
{
    slot.error = nullptr;
    try {
        const std::optional<TrackAddress> a = next_address();
        if (!a)
            return false;
        slot.address = *a;
        volume.read_track(*a, slot.image);
    } catch (...) {
        slot.error = std::current_exception();
    }
    return true;
}

void TrackReadAhead::Shared::run() noexcept
{
    for (uint64_t n = 0;; ++n) {
        {
            std::unique_lock<std::mutex> g(lock);
            if (!stop && n >= taken + kTracks) {
                reader_sleeps = true;
                reader_wake.wait(g, [&] { return stop || n + kTracks / 2 <= taken + kTracks; });
                reader_sleeps = false;
            }
            if (stop)
                break;
        }
        Slot& slot = slots[n % kTracks];
        if (!read_into(slot))
            break;
        std::lock_guard<std::mutex> g(lock);
        filled = n + 1;
        if (slot.error)
            break;
        if (consumer_sleeps && filled - taken >= kTracks / 2)
            consumer_wake.notify_one();
    }
    std::lock_guard<std::mutex> g(lock);
    done = true;
    consumer_wake.notify_one();
}

TrackReadAhead::TrackReadAhead(CkdVolumeReader& volume, AddressSource next_address)
    : shared_(std::make_unique<Shared>(volume, std::move(next_address)))
{
    Shared& s = *shared_;
    reader_ = std::thread([&s] { s.run(); });
}

TrackReadAhead::~TrackReadAhead()
{
    {
        std::lock_guard<std::mutex> g(shared_->lock);
        shared_->stop = true;
        shared_->reader_wake.notify_one();
    }
    reader_.join();
}

bool TrackReadAhead::take(TrackAddress addr, TrackImage& out)
{
    Shared& s = *shared_;
    std::unique_lock<std::mutex> g(s.lock);
    while (s.filled <= s.taken && !s.done) {
        // Waits in short steps so that an interrupt is noticed even if a read hangs.
        s.consumer_sleeps = true;
        s.consumer_wake.wait_for(g, std::chrono::milliseconds(100),
                                 [&] { return s.done || s.filled - s.taken >= kTracks / 2; });
        s.consumer_sleeps = false;
        if (interrupted()) {
            g.unlock();
            check_interrupted();
        }
    }
    if (s.filled <= s.taken)
        return false;  // the addresses ended
    Shared::Slot& slot = s.slots[s.taken % kTracks];
    if (slot.address != addr)
        return false;
    g.unlock();
    // The slot is the consumer's until `taken` moves past it.
    const std::exception_ptr error = slot.error;
    if (!error)
        std::swap(out.bytes, slot.image.bytes);
    g.lock();
    ++s.taken;
    if (s.reader_sleeps && s.filled + kTracks / 2 <= s.taken + kTracks)
        s.reader_wake.notify_one();
    g.unlock();
    if (error)
        std::rethrow_exception(error);
    return true;
}

} // namespace ddr
