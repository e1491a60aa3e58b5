// The S/370 TOD clock (STCK format), as DDR stamps every dump with it: bit 51 counts
// microseconds, and the epoch is 1900-01-01 00:00 UTC.
#pragma once

#include <cstdint>
#include <string>

namespace ddr {

uint64_t tod_from_unix_micros(int64_t unix_micros);
int64_t unix_micros_from_tod(uint64_t tod);
// "2026-11-25 09:25:21 UTC"
std::string format_tod_utc(uint64_t tod);
// "2026-11-25T09:25:21Z": ISO 8601, for JSON reports.
std::string format_tod_iso8601(uint64_t tod);
// "E1A2B3C4D5E6F708": the TOD's 64 bits in 16 upper-case hex digits (a dump's identity).
std::string format_tod_hex(uint64_t tod);

} // namespace ddr
