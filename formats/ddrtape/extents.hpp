// Cylinder (or FBA block) extents as DDR takes them: "c1 TO c2 REORDER c3".
// On the command line: A, A-B, or A-B:C (write A-B as C onward, IBM's REORDER).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ddr {

inline constexpr size_t kMaxExtents = 20;  // IBM DDR's limit per function step

struct Extent {
    uint64_t first = 0;
    uint64_t last = 0;
    uint64_t output_first = 0;  // == first unless reordered

    uint64_t output_last() const { return output_first + (last - first); }
    uint64_t output_of(uint64_t unit) const { return output_first + (unit - first); }
    bool contains(uint64_t unit) const { return unit >= first && unit <= last; }
    bool reordered() const { return output_first != first; }
    std::string str() const;  // "5-9" or "5-9:20"
};

// Parses the specs; `reorder` (the --reorder option) applies to a single extent only.
// Checks IBM's rules: at most 20 extents, each ascending, and in output order ascending
// without overlap.  Throws Error(Usage).
std::vector<Extent> parse_extents(const std::vector<std::string>& specs, std::optional<uint64_t> reorder,
                                  const char* unit_name = "cylinder");

// Checks every extent lies within [0, last] (input side, or output side); Error(Usage).
void check_extents_within(const std::vector<Extent>& extents, uint64_t last_input, const std::string& what,
                          const char* unit_name = "cylinder");

} // namespace ddr
