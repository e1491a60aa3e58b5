#include "formats/io/ebcdic.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace ddr;

TEST_CASE("EBCDIC: the DDR literals of ddrtape(5)")
{
    CHECK(to_ebcdic("VHR ") == Bytes{0xE5, 0xC8, 0xD9, 0x40});
    CHECK(to_ebcdic("EOV ") == Bytes{0xC5, 0xD6, 0xE5, 0x40});
    CHECK(to_ebcdic("EOJ ") == Bytes{0xC5, 0xD6, 0xD1, 0x40});
    CHECK(to_ebcdic("THR ") == Bytes{0xE3, 0xC8, 0xD9, 0x40});
    CHECK(to_ebcdic("DMKCKP  ") == Bytes{0xC4, 0xD4, 0xD2, 0xC3, 0xD2, 0xD7, 0x40, 0x40});

    // The compile-time form gives the same bytes.
    constexpr auto vhr = ebcdic_literal("VHR ");
    static_assert(vhr.size() == 4 && vhr[0] == 0xE5 && vhr[3] == 0x40);
    CHECK(Bytes(vhr.begin(), vhr.end()) == to_ebcdic("VHR "));

    const uint8_t thr[] = {0xE3, 0xC8, 0xD9, 0x40};
    CHECK(ebcdic_equals(thr, "THR "));
    CHECK_FALSE(ebcdic_equals(thr, "VHR "));
    CHECK_FALSE(ebcdic_equals(thr, "THR"));
    CHECK(from_ebcdic(thr) == "THR ");
}

TEST_CASE("EBCDIC: digits, letters, blank and common punctuation")
{
    for (int d = 0; d < 10; ++d)
        CHECK(to_ebcdic(char('0' + d)) == 0xF0 + d);
    // Letters come in three runs of nine, eight and eight.
    const std::string upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const uint8_t upper_codes[] = {0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7, 0xC8, 0xC9, 0xD1, 0xD2, 0xD3, 0xD4,
                                   0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xE2, 0xE3, 0xE4, 0xE5, 0xE6, 0xE7, 0xE8, 0xE9};
    for (size_t i = 0; i < upper.size(); ++i) {
        CHECK(to_ebcdic(upper[i]) == upper_codes[i]);
        CHECK(to_ebcdic(char(upper[i] + 32)) == upper_codes[i] - 0x40);  // lower case is X'40' below
    }
    CHECK(to_ebcdic(' ') == 0x40);
    CHECK(to_ebcdic('.') == 0x4B);
    CHECK(to_ebcdic('$') == 0x5B);
    CHECK(to_ebcdic('#') == 0x7B);
    CHECK(to_ebcdic('@') == 0x7C);
    CHECK(to_ebcdic('\n') == 0x25);
    CHECK(from_ebcdic(to_ebcdic("SYS1.NUCLEUS 0123")) == "SYS1.NUCLEUS 0123");
}

TEST_CASE("EBCDIC: code page 037 is a bijection, so all 256 values round trip")
{
    std::set<uint8_t> images;
    for (int e = 0; e < 256; ++e) {
        images.insert(kEbcdicToLatin1[e]);
        CHECK(kLatin1ToEbcdic[kEbcdicToLatin1[e]] == e);
        CHECK(to_ebcdic(from_ebcdic(uint8_t(e))) == e);
    }
    CHECK(images.size() == 256);

    Bytes all(256);
    for (int i = 0; i < 256; ++i)
        all[i] = uint8_t(i);
    CHECK(to_ebcdic(from_ebcdic(all)) == all);
}

TEST_CASE("EBCDIC: fixed-width fields are blank-padded or cut")
{
    uint8_t volser[6];
    to_ebcdic_field("VM1", volser);
    CHECK(Bytes(volser, volser + 6) == Bytes{0xE5, 0xD4, 0xF1, 0x40, 0x40, 0x40});
    to_ebcdic_field("TOOLONG", volser);
    CHECK(from_ebcdic(volser) == "TOOLON");
}

TEST_CASE("EBCDIC: printable listing text turns everything else into dots")
{
    Bytes mixed = to_ebcdic("A1 b");
    mixed.push_back(0x00);  // NUL
    mixed.push_back(0x15);  // NL, a control character
    mixed.push_back(0x41);  // required blank: Latin-1 X'A0', not ASCII
    mixed.push_back(0xFF);
    mixed.push_back(0x7D);  // apostrophe
    CHECK(ebcdic_printable(mixed) == "A1 b....'");
    CHECK(ebcdic_printable({}) == "");
}
