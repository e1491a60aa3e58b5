// Reading tracks ahead on a second thread (volume/track_read_ahead.hpp): the tracks come
// out in order and equal to direct reads, a read's failure is thrown where that track is
// taken and not before, an unexpected address or the end of the addresses gives false,
// the ring bounds how far the reader gets ahead, and destroying it never hangs.
#include "formats/ddrtape/units.hpp"
#include "formats/volume/track_read_ahead.hpp"
#include "tests/unit/error_testing.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

using namespace ddr;
using namespace ddr::test;

namespace {

// A volume of `cylinders` x 3 tracks, each an empty track whose R0 data holds its own
// number; reading `bad` fails as a volume's read error would.  Counts its reads.
class FakeVolume : public CkdVolumeReader {
public:
    FakeVolume(uint32_t cylinders, std::optional<TrackAddress> bad = std::nullopt) : bad_(bad)
    {
        info_.cylinders = cylinders;
        info_.heads = 3;
        info_.track_size = 1024;
    }
    const CkdVolumeInfo& info() const override { return info_; }
    void read_track(TrackAddress addr, TrackImage& out) override
    {
        ++reads;
        if (bad_ && addr == *bad_)
            fail(ErrorKind::ReadFailed, file_place("fake.img").with_track(addr.cyl, addr.head), "read error: EIO");
        out = TrackImage::empty(addr);
        out.bytes[kHomeAddressSize + kCountSize] = uint8_t(addr.cyl * 3 + addr.head);
    }
    std::atomic<int> reads{0};

private:
    CkdVolumeInfo info_;
    std::optional<TrackAddress> bad_;
};

// The addresses of cylinders [first, last] of a 3-head volume, one per call.
TrackReadAhead::AddressSource cylinders(uint32_t first, uint32_t last)
{
    return [cyl = first, head = 0u, last]() mutable -> std::optional<TrackAddress> {
        if (cyl > last)
            return std::nullopt;
        const TrackAddress a{cyl, head};
        if (++head == 3) {
            head = 0;
            ++cyl;
        }
        return a;
    };
}

// Waits (up to 5 s) until `volume` has been read `n` times.
bool reads_reach(const FakeVolume& volume, int n)
{
    for (int i = 0; i < 500 && volume.reads < n; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return volume.reads >= n;
}

} // namespace

TEST_CASE("TrackReadAhead: the tracks in order, as read directly, then false at the end")
{
    FakeVolume volume(40);  // 120 tracks: the ring goes round several times
    FakeVolume direct(40);
    TrackReadAhead ahead(volume, cylinders(0, 39));
    TrackImage got, want;
    for (uint32_t cyl = 0; cyl < 40; ++cyl) {
        for (uint32_t head = 0; head < 3; ++head) {
            REQUIRE(ahead.take({cyl, head}, got));
            direct.read_track({cyl, head}, want);
            CHECK(got.bytes == want.bytes);
        }
    }
    CHECK_FALSE(ahead.take({40, 0}, got));
    CHECK(volume.reads == 120);
}

TEST_CASE("TrackReadAhead: another address than the next gives false, and the track is not lost")
{
    FakeVolume volume(4);
    TrackReadAhead ahead(volume, cylinders(0, 3));
    TrackImage got;
    REQUIRE(ahead.take({0, 0}, got));
    CHECK_FALSE(ahead.take({0, 2}, got));  // skips {0, 1}
    REQUIRE(ahead.take({0, 1}, got));      // still the next one
    CHECK(got.bytes[kHomeAddressSize + kCountSize] == 1);
}

TEST_CASE("TrackReadAhead: a failed read is thrown where its track is taken, after the tracks before it")
{
    FakeVolume volume(10, TrackAddress{2, 1});
    TrackReadAhead ahead(volume, cylinders(0, 9));
    REQUIRE(reads_reach(volume, 8));  // the reader got to the bad track (and stopped there)
    TrackImage got;
    for (uint32_t n = 0; n < 7; ++n)
        REQUIRE(ahead.take({n / 3, n % 3}, got));
    CHECK_ERROR(ahead.take({2, 1}, got), ErrorKind::ReadFailed, "fake.img: cyl 2 head 1: read error: EIO");
    CHECK_FALSE(ahead.take({2, 2}, got));  // nothing was read after the failure
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(volume.reads == 8);
}

TEST_CASE("TrackReadAhead: the ring bounds the reader, and going away mid-way ends it")
{
    FakeVolume volume(1000);
    {
        TrackReadAhead ahead(volume, cylinders(0, 999));
        REQUIRE(reads_reach(volume, int(TrackReadAhead::kTracks)));
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        CHECK(volume.reads == int(TrackReadAhead::kTracks));  // a full ring, no more
        TrackImage got;
        REQUIRE(ahead.take({0, 0}, got));
    }  // the reader waits on a full ring: the destructor must wake and end it
    CHECK(volume.reads <= int(TrackReadAhead::kTracks) + 1);
}

TEST_CASE("VolumeUnits::read_ahead: a dump's units come out as without it, and another unit ends it")
{
    FakeVolume volume(6);
    FakeVolume direct(6);
    std::unique_ptr<VolumeUnits> ahead = units_of(volume, "fake.img");
    std::unique_ptr<VolumeUnits> plain = units_of(direct, "fake.img");
    const std::vector<Extent> extents{{1, 2, 1}, {4, 5, 4}};
    ahead->read_ahead(extents);
    ahead->geometry().for_each_unit(extents, [&](Unit u) {
        const ByteSpan direct_bytes = plain->read(u);
        const Bytes want(direct_bytes.begin(), direct_bytes.end());
        const ByteSpan got = ahead->read(u);
        CHECK(Bytes(got.begin(), got.end()) == want);
    });
    // A unit out of order is read directly: the read-ahead is over.
    const Unit first{cchh_value({1, 0}), 1};
    const ByteSpan again = ahead->read(first);
    CHECK(again[kHomeAddressSize + kCountSize] == 3);
    ahead->read_ahead({});
}
