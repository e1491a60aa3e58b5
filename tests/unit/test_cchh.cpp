#include "formats/io/cchh.hpp"
#include "formats/ddrtape/records.hpp"
#include "formats/volume/volume.hpp"

#include <doctest/doctest.h>

using namespace ddr;

TEST_CASE("CCHH: plain form below 65,536 cylinders, EAV form CCCCcccH above")
{
    auto plain = encode_cchh({0x1234, 19});
    CHECK(plain == std::array<uint8_t, 4>{0x12, 0x34, 0x00, 0x13});
    CHECK(decode_cchh(plain.data(), false) == TrackAddress{0x1234, 19});

    // 3390-A cylinder 0x0ABCDE, head 14: CC = 0xBCDE, HH = 0x0AB << 4 | 0xE.
    auto eav = encode_cchh({0x0ABCDE, 14});
    CHECK(eav == std::array<uint8_t, 4>{0xBC, 0xDE, 0x00, 0xAE});
    CHECK(decode_cchh(eav.data(), true) == TrackAddress{0x0ABCDE, 14});
    // On a 15-head device, the EAV reading of a small address is the plain one.
    CHECK(decode_cchh(plain.data(), true) == TrackAddress{0x11234, 3});
    auto small = encode_cchh({3339, 14});
    CHECK(decode_cchh(small.data(), true) == TrackAddress{3339, 14});
}

TEST_CASE("CCHH value: the four bytes as one big-endian number, and back")
{
    CHECK(cchh_value(TrackAddress{0x1234, 19}) == 0x12340013u);
    CHECK(cchh_value(uint16_t(0x1234), uint16_t(0x0013)) == 0x12340013u);
    CHECK(cc_of(0x12340013u) == 0x1234);
    CHECK(hh_of(0x12340013u) == 0x0013);
    // An EAV cylinder's high bits go into HH, above the head.
    CHECK(cchh_value(TrackAddress{0x0ABCDE, 14}) == 0xBCDE00AEu);
    CHECK(cc_of(TrackAddress{0x0ABCDE, 14}) == 0xBCDE);
    CHECK(hh_of(TrackAddress{0x0ABCDE, 14}) == 0x00AE);
    CHECK(address_of(0xBCDE00AEu, true) == TrackAddress{0x0ABCDE, 14});
    CHECK(address_of(0xBCDE00AEu, false) == TrackAddress{0xBCDE, 0xAE});

    // Round trips over the corners of both forms: the plain form for any head below
    // 65,536 cylinders, the EAV form for 15-head devices up to the 28-bit cylinder limit.
    for (uint32_t cyl : {0u, 1u, 3338u, 65535u})
        for (uint32_t head : {0u, 1u, 14u, 29u, 65535u}) {
            const TrackAddress a{cyl, head};
            CHECK(address_of(cchh_value(a), false) == a);
            CHECK(decode_cchh(encode_cchh(a).data(), false) == a);
            CHECK(cchh_value(cc_of(a), hh_of(a)) == cchh_value(a));
        }
    for (uint32_t cyl : {0u, 65535u, 65536u, 65537u, 0x0ABCDEu, 0x0FFFFFFFu})
        for (uint32_t head : {0u, 7u, 14u}) {
            const TrackAddress a{cyl, head};
            CHECK(address_of(cchh_value(a), true) == a);
            CHECK(decode_cchh(encode_cchh(a).data(), true) == a);
        }
}

TEST_CASE("EAV form: read for devices of at most 15 heads, the VHR's and a volume's alike")
{
    CHECK(eav_form_for_heads(15));
    CHECK(eav_form_for_heads(1));
    CHECK_FALSE(eav_form_for_heads(16));
    CHECK_FALSE(eav_form_for_heads(30));

    DdrVolumeHeader vhr;
    vhr.mtck = 14;  // 3390: heads 0-14
    CHECK(vhr.eav_form());
    vhr.mtck = 15;  // 16 heads
    CHECK_FALSE(vhr.eav_form());
    vhr.mtck = 0xFFFF;
    CHECK_FALSE(vhr.eav_form());

    CkdVolumeInfo info;
    info.heads = 15;
    CHECK(info.eav_form());
    info.heads = 16;
    CHECK_FALSE(info.eav_form());
}

TEST_CASE("DdrVolumeHeader: VHRCYLNO as a CCHH value and as a track")
{
    DdrVolumeHeader vhr;
    vhr.mtck = 14;
    vhr.cc = 0xBCDE;
    vhr.hh = 0x00AE;
    CHECK(vhr.cchh() == 0xBCDE00AEu);
    CHECK(vhr.address() == TrackAddress{0x0ABCDE, 14});
    vhr.mtck = 29;  // 30 heads: plain form
    CHECK(vhr.address() == TrackAddress{0xBCDE, 0xAE});
}
