// Small pieces of English for messages (formats/io/wording.hpp).
#include "formats/io/wording.hpp"

#include <doctest/doctest.h>

using namespace ddr;

TEST_CASE("hex_byte: a byte as IBM writes hex, or as C does")
{
    CHECK(hex_byte(0x90) == "X'90'");
    CHECK(hex_byte(0x0C, HexStyle::Ibm) == "X'0C'");
    CHECK(hex_byte(0x0C, HexStyle::C) == "0x0C");
    CHECK(hex_byte(0x00, HexStyle::C) == "0x00");
    CHECK(hex_byte(0xFF) == "X'FF'");
    CHECK(hex_byte(0xab, HexStyle::C) == "0xAB");
}
