// Tape drives and media for reel planning: the name syntax, capacities, block limits.
#include "devices/tape_devices.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>

using namespace ddr;

namespace {

constexpr uint64_t MB = 1'000'000;
constexpr uint64_t GB = 1'000 * MB;
constexpr uint64_t TB = 1'000 * GB;

const TapeReel& reel(std::string_view name)
{
    const TapeReel* r = find_tape_reel(name);
    REQUIRE_MESSAGE(r != nullptr, "no reel " << std::string(name));
    return *r;
}

} // namespace

TEST_CASE("Tape reels: the names a user types")
{
    struct {
        const char* typed;
        const char* reel;
        uint64_t capacity;
    } cases[] = {
        {"3480", "3480-CST", 200 * MB},
        {"3480-CST", "3480-CST", 200 * MB},
        {"3480-MEDIA1", "3480-CST", 200 * MB},
        {"3490", "3490-CST", 200 * MB},
        {"3490E", "3490E-CST", 400 * MB},
        {"3490E-CST", "3490E-CST", 400 * MB},
        {"3490E-ECCST", "3490E-ECCST", 800 * MB},
        {"3490E-MEDIA2", "3490E-ECCST", 800 * MB},
        {"3590", "3590B-J", 10 * GB},
        {"3590-K", "3590B-K", 20 * GB},
        {"3590B", "3590B-J", 10 * GB},
        {"3590E-J", "3590E-J", 20 * GB},
        {"3590E-K", "3590E-K", 40 * GB},
        {"3590H", "3590H-J", 30 * GB},
        {"3590H-K", "3590H-K", 60 * GB},
        {"3590H-EHPCT", "3590H-K", 60 * GB},
        {"3590H-MEDIA3", "3590H-J", 30 * GB},
        {"3592-J1A", "3592-J1A-JA", 300 * GB},
        {"3592-E05-JB", "3592-E05-JB", 700 * GB},
        {"TS1120-JX", "3592-E05-JB", 700 * GB},
        {"TS1130-JB", "3592-E06-JB", 1 * TB},
        {"TS1140", "3592-E07-JB", 1600 * GB},
        {"3592-E07-JC", "3592-E07-JC", 4 * TB},
        {"TS1140-MEDIA13", "3592-E07-JK", 500 * GB},
        {"3592-E08", "3592-E08-JC", 7 * TB},
        {"3592-E08-JC", "3592-E08-JC", 7 * TB},
        {"TS1150-JC", "3592-E08-JC", 7 * TB},
        {"TS1150-JY", "3592-E08-JC", 7 * TB},
        {"TS1150-JD", "3592-E08-JD", 10 * TB},
        {"TS1150-JK", "3592-E08-JK", 900 * GB},
        {"TS1155-JZ", "3592-55F-JD", 15 * TB},
        {"3592-55F-JL", "3592-55F-JL", 3 * TB},
        {"TS1160-JE", "3592-60F-JE", 20 * TB},
        {"TS1160-JV", "3592-60F-JE", 20 * TB},
        {"TS1160-JM", "3592-60F-JM", 5 * TB},
        {"TS1170", "3592-70F-JF", 50 * TB},
        {"ts1150-jc", "3592-E08-JC", 7 * TB},
        {"3490e-eccst", "3490E-ECCST", 800 * MB},
    };
    for (const auto& c : cases) {
        CAPTURE(c.typed);
        const TapeReel& r = reel(c.typed);
        CHECK(r.name() == c.reel);
        CHECK(r.capacity == c.capacity);
    }
}

TEST_CASE("Tape reels: 3420 reels hold what 2400 feet of DDR's 4096-byte blocks hold")
{
    // 6250 bpi, 0.3 in gaps: 28,800 in / (4096/6250 + 0.3) in = 30,145 blocks.
    CHECK(reel("3420").name() == "3420-6250");
    CHECK(reel("3420").capacity == 30145ull * 4096);
    CHECK(reel("3420-6250").capacity == 123'473'920);
    // 1600 bpi, 0.6 in gaps: 28,800 / (2.56 + 0.6) = 9,113 blocks.
    CHECK(reel("3420-1600").capacity == 9113ull * 4096);
    CHECK(reel("3420-1600").source == CapacitySource::Computed);
    CHECK(reel("3420-6250").source == CapacitySource::Computed);
}

TEST_CASE("Tape reels: names that mean nothing, or a medium the drive cannot write")
{
    for (const char* bad : {"", "3592", "3592-E07-JA", "3592-E07-JJ", "3592-E08-JB", "3592-70F-JE", "3490-ECCST",
                            "3480-ECCST", "3480-", "-JC", "LTO9", "3592-E08-XX", "TS1150-", "3420-800", "3590H-JA",
                            "TS1150-JC-", "3592-E08-JC-JC", "3590-Q", "TS1150 JC", "3592-E09"}) {
        CAPTURE(bad);
        CHECK(find_tape_reel(bad) == nullptr);
    }
}

TEST_CASE("Tape reels: largest block per drive")
{
    for (const TapeReel& r : tape_reels()) {
        CAPTURE(r.name());
        bool big = r.drive.starts_with("3590") || r.drive.starts_with("3592");
        CHECK(r.max_block == (big ? 262144u : 65535u));
        CHECK(r.capacity > 0);
    }
    CHECK(reel("3480").max_block == 65535);
    CHECK(reel("3490E-ECCST").max_block == 65535);
    CHECK(reel("3590H-K").max_block == 262144);
    CHECK(reel("TS1170").max_block == 262144);
}

TEST_CASE("Tape reels: values not confirmed from an IBM source are marked")
{
    std::set<std::string> unconfirmed;
    for (const TapeReel& r : tape_reels())
        if (r.source == CapacitySource::Unconfirmed)
            unconfirmed.insert(r.name());
    CHECK(unconfirmed ==
          std::set<std::string>{"3592-J1A-JJ", "3592-E05-JJ", "3592-E06-JA", "3592-E06-JJ", "3592-E08-JL"});
}

TEST_CASE("Tape reels: every listed name finds its own row; names are unique")
{
    auto names = tape_reel_names();
    CHECK(names.size() == tape_reels().size());
    CHECK(std::set<std::string>(names.begin(), names.end()).size() == names.size());
    for (size_t i = 0; i < names.size(); ++i) {
        CAPTURE(names[i]);
        CHECK(find_tape_reel(names[i]) == &tape_reels()[i]);
    }
    CHECK(std::find(names.begin(), names.end(), "3592-E08-JC") != names.end());
    // A drive alias names the same rows as the drive.
    for (const TapeReel& r : tape_reels()) {
        if (r.drive_alias.empty())
            continue;
        CAPTURE(r.name());
        std::string alias_name = std::string(r.drive_alias) + "-" + std::string(r.medium);
        CHECK(find_tape_reel(alias_name) == &r);
    }
    // Rows of a drive are together, so the drive's first row is its standard medium.
    for (size_t i = 1; i < tape_reels().size(); ++i)
        for (size_t j = i + 1; j < tape_reels().size(); ++j)
            if (tape_reels()[j].drive == tape_reels()[i - 1].drive)
                CHECK(tape_reels()[i].drive == tape_reels()[i - 1].drive);
}
