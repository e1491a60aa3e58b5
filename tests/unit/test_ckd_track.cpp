#include "formats/volume/ckd_track.hpp"
#include "formats/io/error.hpp"

#include <doctest/doctest.h>

using namespace ddr;

TEST_CASE("TrackImage: build, measure and walk records")
{
    TrackImage t;
    t.start(0, {5, 3});
    uint8_t r0[8] = {0, 5, 0, 3, 0, 0, 0, 8};
    uint8_t r0data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    t.add_record(r0, {}, ByteSpan(r0data, 8));
    uint8_t r1[8] = {0, 5, 0, 3, 1, 2, 0, 3};
    uint8_t key[2] = {0xAA, 0xBB};
    uint8_t data[3] = {0xC1, 0xC2, 0xC3};
    t.add_record(r1, ByteSpan(key, 2), ByteSpan(data, 3));
    uint8_t eof[8] = {0, 5, 0, 3, 2, 0, 0, 0};
    t.add_record(eof, {}, {});
    t.finish();
    CHECK(t.size() == 5 + 16 + 13 + 8 + 8);

    Bytes slot = t.bytes;
    slot.resize(512, 0x5A);  // stale bytes after the marker are not part of the track
    CHECK(TrackImage::measure(slot) == t.size());
    TrackImage u;
    u.assign_from_slot(slot);
    CHECK(u.bytes == t.bytes);

    std::vector<CkdRecord> recs;
    u.records(recs);
    REQUIRE(recs.size() == 3);
    CHECK(recs[0].record_number() == 0);
    CHECK(recs[1].key_length() == 2);
    CHECK(recs[1].data_length() == 3);
    CHECK(recs[1].key[1] == 0xBB);
    CHECK(recs[1].data[2] == 0xC3);
    CHECK(recs[2].is_end_of_file());
    CHECK(u.home_address(true) == TrackAddress{5, 3});
}

TEST_CASE("TrackImage: malformed slots are refused with a reason")
{
    std::string why;
    Bytes tiny(10, 0);
    CHECK_FALSE(TrackImage::measure(tiny, &why));
    CHECK(why.find("shorter") != std::string::npos);

    TrackImage t = TrackImage::empty({0, 0});
    Bytes no_marker = t.bytes;
    no_marker.resize(no_marker.size() - 8);
    no_marker.resize(64, 0);  // zeros after R0: counts of zero length, never a marker
    CHECK_FALSE(TrackImage::measure(no_marker, &why));

    Bytes overrun = t.bytes;
    overrun[5 + 8 + 8 + 7] = 0;      // turn the marker into a count with DL = 0xFF00
    overrun[5 + 8 + 8 + 6] = 0xFF;
    CHECK_FALSE(TrackImage::measure(overrun, &why));
    CHECK(why.find("runs past") != std::string::npos);

    TrackImage v;
    CHECK_THROWS_AS(v.assign_from_slot(overrun), Error);
}
