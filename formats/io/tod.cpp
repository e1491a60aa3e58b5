#include "formats/io/tod.hpp"

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

std::string format_tod_utc(uint64_t tod)
{
    std::time_t secs = std::time_t(unix_micros_from_tod(tod) / 1000000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

} // namespace ddr
