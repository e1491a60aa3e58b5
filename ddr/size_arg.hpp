// Byte sizes on the command line: 880570, 200M, 1.5G, 64Ki, 4Gi, or a tape cartridge
// name such as 3480 or 3592-E08-JC (its native capacity).
#pragma once

#include <cstdint>
#include <string>

namespace ddr {

uint64_t parse_size(const std::string& text, bool allow_cartridge);

} // namespace ddr
