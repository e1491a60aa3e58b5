// A dump over several reels and two tape sets (--mirror), stopped after a sync and
// continued over the reels it left (ReelOutputs::continue_reels), through DdrReelWriter:
// every reel of both sets comes out byte-identical to an uninterrupted dump, and a group
// that differs is found in that group -- also the group the writer backs up over at a
// reel's end (written on the ended reel, where the tape holds the EOV, then taken back).
#include "tests/unit/error_testing.hpp"
#include "tests/unit/support.hpp"
#include "tests/unit/tape_testing.hpp"

#include "formats/ddrtape/reel_writer.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <optional>

using namespace ddr;
using namespace ddr::test;
namespace fs = std::filesystem;

namespace {

constexpr unsigned kHeads = 15;
constexpr unsigned kTracks = 55;

DdrVolumeHeader reels_test_vhr()
{
    DdrVolumeHeader vhr;
    vhr.tod = 0xD00D;
    vhr.mrec = 1;
    vhr.cyla = 100;
    vhr.mtck = kHeads - 1;
    return vhr;
}

ReelLimit small_reels()
{
    ReelLimit limit;
    limit.sizes = {200000};
    return limit;
}

// Two sets of three reels in `dir`: r1..r3 and m1..m3.
std::vector<std::vector<std::string>> two_sets(const TempDir& dir)
{
    return {{dir.file("r1.aws"), dir.file("r2.aws"), dir.file("r3.aws")},
            {dir.file("m1.aws"), dir.file("m2.aws"), dir.file("m3.aws")}};
}

// Writes track `t` (three blocks, the last of varying length; `changed` flips a byte of it).
void write_track(DdrReelWriter& writer, unsigned t, bool changed = false)
{
    std::vector<Bytes> blocks{test_block(4096, t * 3), test_block(4096, t * 3 + 1),
                              test_block(80 + (t * 397) % 3000, t * 3 + 2)};
    if (changed)
        blocks[1][100] ^= 0x01;
    std::vector<ByteSpan> spans(blocks.begin(), blocks.end());
    writer.write_group(spans, 8192 + blocks[2].size(), uint16_t(t / kHeads), uint16_t(t % kHeads), t);
}

// An uninterrupted dump; returns the track each reel but the first starts with.
std::vector<unsigned> dump_whole(const std::vector<std::vector<std::string>>& sets)
{
    ReelOutputs outputs(sets, TapeWriterOptions{}, {});
    DdrReelWriter writer(outputs, small_reels(), reels_test_vhr(), {});
    for (unsigned t = 0; t < kTracks; ++t)
        write_track(writer, t);
    writer.finish(uint16_t((kTracks - 1) / kHeads), uint16_t(kHeads - 1));
    std::vector<unsigned> firsts;
    for (size_t i = 0; i + 1 < writer.reels_written().size(); ++i)
        firsts.push_back(writer.reels_written()[i].ended_at.cyl * kHeads + writer.reels_written()[i].ended_at.head);
    return firsts;
}

// What a stopped dump leaves, as its record says it: each reel's temporary file and how
// much of each to compare (ended reels whole, the last to its synced end).
struct Left {
    std::vector<std::vector<std::string>> temporaries;
    std::vector<uint64_t> checked_ends;
};

// Writes `tracks` tracks, syncs as the record keeper does, writes `more` tracks after
// the sync (lost with the process), and stops without finishing.
Left dump_stopped(const std::vector<std::vector<std::string>>& sets, unsigned tracks, unsigned more)
{
    ReelOutputs outputs(sets, TapeWriterOptions{}, {});
    DdrReelWriter writer(outputs, small_reels(), reels_test_vhr(), {});
    for (unsigned t = 0; t < tracks; ++t)
        write_track(writer, t);
    Left left;
    const uint64_t frontier = writer.sync();
    left.temporaries = writer.temporary_paths();
    left.checked_ends = writer.ended_reel_lengths();
    left.checked_ends.push_back(frontier);
    for (unsigned t = tracks; t < std::min(tracks + more, kTracks); ++t)
        write_track(writer, t);
    writer.keep_unfinished();
    return left;
}

// Continues what `left` describes, with track `changed` (if any) differing; returns the
// track whose write threw ResumeMismatch, or kTracks if none did.
unsigned dump_continued(const std::vector<std::vector<std::string>>& sets, Left left,
                        std::optional<unsigned> changed = std::nullopt)
{
    ReelOutputs outputs(sets, TapeWriterOptions{}, {});
    outputs.continue_reels(std::move(left.temporaries), std::move(left.checked_ends));
    DdrReelWriter writer(outputs, small_reels(), reels_test_vhr(), {});
    for (unsigned t = 0; t < kTracks; ++t) {
        try {
            write_track(writer, t, changed == t);
        } catch (const ResumeMismatch&) {
            return t;
        }
    }
    writer.finish(uint16_t((kTracks - 1) / kHeads), uint16_t(kHeads - 1));
    return kTracks;
}

} // namespace

TEST_CASE("a dump over three reels and two sets, stopped and continued, equals an uninterrupted one, every reel")
{
    TempDir ref_dir, dir;
    const auto ref = two_sets(ref_dir);
    const std::vector<unsigned> firsts = dump_whole(ref);
    REQUIRE(firsts.size() == 2);  // three reels
    const auto sets = two_sets(dir);
    // Stopped in the first reel, at the last track of a reel, just after a reel changed
    // (the group backed up over is on the new reel), and in the last reel.
    for (unsigned stop : {5u, firsts[0], firsts[0] + 1, firsts[1] + 3, kTracks - 1}) {
        CAPTURE(stop);
        for (const auto& set : sets)
            for (const std::string& f : set)
                fs::remove(f);
        const Left left = dump_stopped(sets, stop, 4);
        REQUIRE(left.temporaries.size() == 2);
        for (const auto& set : left.temporaries)
            for (const std::string& temp : set)
                REQUIRE(fs::exists(temp));
        for (const auto& set : sets)
            CHECK_FALSE(fs::exists(set[0]));  // nothing looks complete
        CHECK(dump_continued(sets, left) == kTracks);
        for (size_t s = 0; s < sets.size(); ++s)
            for (size_t r = 0; r < 3; ++r)
                CHECK_MESSAGE(read_file(sets[s][r]) == read_file(ref[s][r]), "set " << s << " reel " << r);
        for (const auto& set : left.temporaries)
            for (const std::string& temp : set)
                CHECK_FALSE(fs::exists(temp));
    }
}

TEST_CASE("a continued multi-reel dump finds a changed group in that group, also the one backed up over at a reel's end")
{
    TempDir ref_dir, dir;
    const std::vector<unsigned> firsts = dump_whole(two_sets(ref_dir));
    const auto sets = two_sets(dir);
    // The last group of reel 1, the group that did not fit on reel 1 (compared there
    // against the EOV, taken back, compared again on reel 2), one in the middle of reel 2.
    for (unsigned changed : {firsts[0] - 1, firsts[0], firsts[0] + 2, 3u}) {
        CAPTURE(changed);
        const Left left = dump_stopped(sets, firsts[1] + 2, 0);
        CHECK(dump_continued(sets, left, changed) == changed);
        // Abandoned: the files it took up go with it, nothing is left looking complete.
        for (const auto& set : left.temporaries)
            CHECK_FALSE(fs::exists(set[0]));
        for (const auto& set : sets)
            for (const std::string& f : set)
                CHECK_FALSE(fs::exists(f));
        for (const auto& set : left.temporaries)  // the reels not yet taken up stay; clear them
            for (const std::string& temp : set)
                fs::remove(temp);
    }
}
