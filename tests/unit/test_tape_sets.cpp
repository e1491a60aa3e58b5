// One reel writer, several identical tape sets (ReelOutputs): every block to each live
// set, a set that fails dropped with its files, the last one's error thrown.
#include "formats/ddrtape/reel_writer.hpp"
#include "formats/io/error.hpp"
#include "tests/unit/support.hpp"

#include <doctest/doctest.h>

#include <filesystem>

using namespace ddr;
using namespace ddr::test;
namespace fs = std::filesystem;

namespace {

// Writes the same two-reel tape through `outputs`: blocks, a block taken back (mark and
// rewind, as at the end of a reel), tape marks.
void write_two_reels(ReelOutputs& outputs)
{
    auto reel1 = outputs.open_next("start");
    reel1->write_block(Bytes(100, 0x11));
    const TapeMarkPosition before = reel1->mark();
    reel1->write_block(Bytes(5000, 0x22));
    reel1->rewind_to(before);
    reel1->write_tapemark();
    auto reel2 = outputs.open_next("end of reel");
    reel2->write_block(Bytes(5000, 0x22));
    reel2->write_tapemark();
    reel1->finish();
    reel2->finish();
}

} // namespace

TEST_CASE("ReelOutputs: every set gets the same bytes, reel by reel")
{
    TempDir dir;
    {
        ReelOutputs single({dir.file("ref1.aws"), dir.file("ref2.aws")}, TapeWriterOptions{});
        write_two_reels(single);
    }
    std::vector<std::vector<std::string>> sets{{dir.file("a1.aws"), dir.file("a2.aws")},
                                               {dir.file("b1.aws"), dir.file("b2.aws")}};
    size_t dropped = 0;
    ReelOutputs outputs(sets, TapeWriterOptions{}, [&](size_t, const Error&) { ++dropped; });
    write_two_reels(outputs);
    CHECK(dropped == 0);
    for (const char* reel : {"1", "2"}) {
        const Bytes ref = read_file(dir.file(std::string("ref") + reel + ".aws"));
        CHECK(read_file(dir.file(std::string("a") + reel + ".aws")) == ref);
        CHECK(read_file(dir.file(std::string("b") + reel + ".aws")) == ref);
    }
    CHECK(read_file(dir.file("ref1.aws")).size() == 6 + 100 + 6);  // the block taken back is gone
    REQUIRE(outputs.sets().size() == 2);
    CHECK_FALSE(outputs.sets()[1].failed);
}

TEST_CASE("ReelOutputs: a set whose writing fails is dropped, its reels removed; the others finish")
{
    TempDir dir;
    {
        ReelOutputs single({dir.file("ref1.aws"), dir.file("ref2.aws")}, TapeWriterOptions{});
        write_two_reels(single);
    }
    // /dev/full takes the second set's second reel: its writes fail with ENOSPC when they
    // are flushed (at finish), after its first reel was already renamed into place.
    std::vector<std::vector<std::string>> sets{{dir.file("a1.aws"), dir.file("a2.aws")},
                                               {dir.file("b1.aws"), "/dev/full"}};
    std::vector<std::string> told;
    ReelOutputs outputs(sets, TapeWriterOptions{}, [&](size_t set, const Error& e) {
        told.push_back(std::to_string(set) + ": " + e.what());
    });
    write_two_reels(outputs);
    REQUIRE(told.size() == 1);
    CHECK(told[0].find("1: /dev/full") == 0);
    CHECK(told[0].find("write error: No space left on device") != std::string::npos);
    CHECK(outputs.sets()[1].failed);
    CHECK(outputs.sets()[1].error.find("/dev/full") != std::string::npos);
    CHECK_FALSE(outputs.sets()[0].failed);
    CHECK(read_file(dir.file("a1.aws")) == read_file(dir.file("ref1.aws")));
    CHECK(read_file(dir.file("a2.aws")) == read_file(dir.file("ref2.aws")));
    // b1.aws was complete, but its set is not: it is gone, and no temporary is left.
    CHECK(names_in(dir.path()) == std::vector<std::string>{"a1.aws", "a2.aws", "ref1.aws", "ref2.aws"});
}

TEST_CASE("ReelOutputs: when the last live set fails, its error is thrown as it came")
{
    TempDir dir;
    bool told = false;
    ReelOutputs outputs(std::vector<std::vector<std::string>>{{"/dev/full"}}, TapeWriterOptions{},
                        [&](size_t, const Error&) { told = true; });
    auto reel = outputs.open_next("start");
    reel->write_block(Bytes(100, 1));
    try {
        reel->finish();
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::WriteFailed);
        CHECK(std::string(e.what()).find("/dev/full") == 0);
    }
    CHECK_FALSE(told);  // the error itself says it
    CHECK(outputs.sets()[0].failed);
}

TEST_CASE("ReelOutputs: every set has as many reels as the first")
{
    CHECK_THROWS_AS(ReelOutputs(std::vector<std::vector<std::string>>{{"a", "b"}, {"c"}}, TapeWriterOptions{}, {}),
                    Error);
}
