#include "formats/io/tod.hpp"

#include <cstdio>
#include <ctime>

namespace ddr {

namespace {
// Seconds from the TOD epoch (1900-01-01) to the Unix one (1970-01-01).
constexpr int64_t kEpochDelta = 2208988800LL;
} // namespace

uint64_t tod_from_unix_micros(int64_t unix_micros)
{
    return uint64_t(unix_micros + kEpochDelta * 1000000) << 12;
}

int64_t unix_micros_from_tod(uint64_t tod)
{
    return int64_t(tod >> 12) - kEpochDelta * 1000000;
}

namespace {
// The TOD's second in UTC, written by strftime's `pattern`.
std::string format_tod_with(uint64_t tod, const char* pattern)
{
    std::time_t secs = std::time_t(unix_micros_from_tod(tod) / 1000000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, pattern, &tm);
    return buf;
}
} // namespace

std::string format_tod_utc(uint64_t tod)
{
    return format_tod_with(tod, "%Y-%m-%d %H:%M:%S UTC");
}

std::string format_tod_iso8601(uint64_t tod)
{
    return format_tod_with(tod, "%Y-%m-%dT%H:%M:%SZ");
}

std::string format_tod_hex(uint64_t tod)
{
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llX", static_cast<unsigned long long>(tod));
    return buf;
}

} // namespace ddr
