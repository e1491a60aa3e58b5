// Small pieces of English for messages (ddr/report.hpp has counted nouns).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

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

} // namespace ddr
