#include "devices/tape_devices.hpp"

#include "devices/names.hpp"

#include <array>

namespace ddr {
namespace {

constexpr uint64_t MB = 1'000'000;
constexpr uint64_t GB = 1'000 * MB;
constexpr uint64_t TB = 1'000 * GB;

constexpr uint32_t kBlock64K = 65'535;   // 3420, 3480, 3490: 16-bit block length
constexpr uint32_t kBlock256K = 262'144; // 3590, 3592: z/OS large block interface limit

// Data bytes a 2400-foot reel holds when written in DDR's 4096-byte blocks: each block
// takes 4096 bytes at the recording density plus one inter-block gap.  Worked in units
// of 1/(1000 * bpi) inch so that it stays in integers.
constexpr uint64_t reel_capacity(uint64_t bpi, uint64_t gap_thousandths_inch)
{
    const uint64_t tape = 2400ULL * 12 * 1000 * bpi;
    const uint64_t per_block = 4096ULL * 1000 + gap_thousandths_inch * bpi;
    return tape / per_block * 4096;
}

using S = CapacitySource;

constexpr TapeReel kTapeReels[] = {
    {"3420", "", "6250", reel_capacity(6250, 300), kBlock64K, S::Computed},
    {"3420", "", "1600", reel_capacity(1600, 600), kBlock64K, S::Computed},
    {"3480", "", "CST", 200 * MB, kBlock64K, S::Documented},
    {"3490", "", "CST", 200 * MB, kBlock64K, S::Documented},
    {"3490E", "", "CST", 400 * MB, kBlock64K, S::Documented},
    {"3490E", "", "ECCST", 800 * MB, kBlock64K, S::Documented},
    {"3590B", "3590", "J", 10 * GB, kBlock256K, S::Documented},
    {"3590B", "3590", "K", 20 * GB, kBlock256K, S::Documented},
    {"3590E", "", "J", 20 * GB, kBlock256K, S::Documented},
    {"3590E", "", "K", 40 * GB, kBlock256K, S::Documented},
    {"3590H", "", "J", 30 * GB, kBlock256K, S::Documented},
    {"3590H", "", "K", 60 * GB, kBlock256K, S::Documented},
    {"3592-J1A", "", "JA", 300 * GB, kBlock256K, S::Documented},
    {"3592-J1A", "", "JJ", 60 * GB, kBlock256K, S::Unconfirmed},
    {"3592-E05", "TS1120", "JA", 500 * GB, kBlock256K, S::Documented},
    {"3592-E05", "TS1120", "JJ", 100 * GB, kBlock256K, S::Unconfirmed},
    {"3592-E05", "TS1120", "JB", 700 * GB, kBlock256K, S::Documented},
    {"3592-E06", "TS1130", "JA", 640 * GB, kBlock256K, S::Unconfirmed},
    {"3592-E06", "TS1130", "JJ", 128 * GB, kBlock256K, S::Unconfirmed},
    {"3592-E06", "TS1130", "JB", 1 * TB, kBlock256K, S::Documented},
    {"3592-E07", "TS1140", "JB", 1'600 * GB, kBlock256K, S::Documented},
    {"3592-E07", "TS1140", "JC", 4 * TB, kBlock256K, S::Documented},
    {"3592-E07", "TS1140", "JK", 500 * GB, kBlock256K, S::Documented},
    {"3592-E08", "TS1150", "JC", 7 * TB, kBlock256K, S::Documented},
    {"3592-E08", "TS1150", "JK", 900 * GB, kBlock256K, S::Documented},
    {"3592-E08", "TS1150", "JD", 10 * TB, kBlock256K, S::Documented},
    {"3592-E08", "TS1150", "JL", 2 * TB, kBlock256K, S::Unconfirmed},
    {"3592-55F", "TS1155", "JC", 7 * TB, kBlock256K, S::Documented},
    {"3592-55F", "TS1155", "JK", 900 * GB, kBlock256K, S::Documented},
    {"3592-55F", "TS1155", "JD", 15 * TB, kBlock256K, S::Documented},
    {"3592-55F", "TS1155", "JL", 3 * TB, kBlock256K, S::Documented},
    {"3592-60F", "TS1160", "JC", 7 * TB, kBlock256K, S::Documented},
    {"3592-60F", "TS1160", "JK", 900 * GB, kBlock256K, S::Documented},
    {"3592-60F", "TS1160", "JD", 15 * TB, kBlock256K, S::Documented},
    {"3592-60F", "TS1160", "JL", 3 * TB, kBlock256K, S::Documented},
    {"3592-60F", "TS1160", "JE", 20 * TB, kBlock256K, S::Documented},
    {"3592-60F", "TS1160", "JM", 5 * TB, kBlock256K, S::Documented},
    {"3592-70F", "TS1170", "JF", 50 * TB, kBlock256K, S::Documented},
};

// Other names of each medium: the WORM twin of a 3592 cartridge (same capacity) and the
// z/OS SMS media names.
struct MediumNames {
    std::string_view name;
    std::array<std::string_view, 3> aliases;
};
constexpr MediumNames kMedia[] = {
    {"CST", {"MEDIA1"}},
    {"ECCST", {"MEDIA2"}},
    {"J", {"HPCT", "MEDIA3"}},
    {"K", {"EHPCT", "MEDIA4"}},
    {"JA", {"JW", "MEDIA5", "MEDIA6"}},
    {"JJ", {"JR", "MEDIA7", "MEDIA8"}},
    {"JB", {"JX", "MEDIA9", "MEDIA10"}},
    {"JC", {"JY", "MEDIA11", "MEDIA12"}},
    {"JK", {"MEDIA13"}},
    {"JD", {"JZ"}},
    {"JE", {"JV"}},
};

// The canonical medium name for `name`: itself, or what it is an alias of.
std::string_view canonical_medium(std::string_view name)
{
    for (const MediumNames& m : kMedia)
        for (std::string_view alias : m.aliases)
            if (!alias.empty() && same_name(alias, name))
                return m.name;
    return name;
}

bool names_drive(const TapeReel& r, std::string_view drive)
{
    return same_name(r.drive, drive) || (!r.drive_alias.empty() && same_name(r.drive_alias, drive));
}

} // namespace

std::string TapeReel::name() const
{
    std::string s(drive);
    s += '-';
    s += medium;
    return s;
}

std::span<const TapeReel> tape_reels() { return kTapeReels; }

const TapeReel* find_tape_reel(std::string_view name)
{
    if (name.empty())
        return nullptr;
    for (const TapeReel& r : kTapeReels)
        if (names_drive(r, name))
            return &r;  // the drive's first row is its standard medium
    size_t dash = name.rfind('-');
    if (dash == std::string_view::npos || dash + 1 == name.size())
        return nullptr;
    std::string_view drive = name.substr(0, dash);
    std::string_view medium = canonical_medium(name.substr(dash + 1));
    for (const TapeReel& r : kTapeReels)
        if (names_drive(r, drive) && same_name(r.medium, medium))
            return &r;
    return nullptr;
}

std::vector<std::string> tape_reel_names()
{
    std::vector<std::string> names;
    names.reserve(std::size(kTapeReels));
    for (const TapeReel& r : kTapeReels)
        names.push_back(r.name());
    return names;
}

} // namespace ddr
