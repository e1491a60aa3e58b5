// Small pieces of English for messages, shared by every layer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ddr {

// The article read before the number n: "an 80-byte block", "a 4096-byte block".  A number
// is read by groups of three digits from the left; only eight, eleven and eighteen (and
// eighty, eight hundred) start with a vowel sound.
inline const char* article_before(uint64_t n)
{
    const std::string digits = std::to_string(n);
    const size_t lead = digits.size() % 3 == 0 ? 3 : digits.size() % 3;
    const std::string_view group(digits.data(), lead);
    return group.front() == '8' || group == "11" || group == "18" ? "an" : "a";
}

// "1 tape mark", "3 tape marks": a count and its noun, singular or plural ("s" added).
inline std::string counted(uint64_t n, const std::string& noun)
{
    return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
}

// How a byte is written in hex for messages: as IBM writes it, for the bytes of IBM's
// formats (a device type byte: "X'90'"), or as C does, for the flag and code bytes of
// Hercules' containers ("0x0C").
enum class HexStyle { Ibm, C };

// One byte in two upper-case hex digits, in `style`: "X'0C'" or "0x0C".
inline std::string hex_byte(uint8_t value, HexStyle style = HexStyle::Ibm)
{
    static constexpr char digits[] = "0123456789ABCDEF";
    const std::string two{digits[value >> 4], digits[value & 0xF]};
    return style == HexStyle::Ibm ? "X'" + two + "'" : "0x" + two;
}

// "0-10, 50-60, 99": ascending runs of cylinders or blocks; "none" if there are none.
inline std::string ranges_text(const std::vector<std::pair<uint32_t, uint32_t>>& ranges)
{
    std::string s;
    for (auto [a, b] : ranges)
        s += (s.empty() ? "" : ", ") + (a == b ? std::to_string(a) : std::to_string(a) + "-" + std::to_string(b));
    return s.empty() ? "none" : s;
}

} // namespace ddr
