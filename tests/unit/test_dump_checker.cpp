// The checksum checker over the reels it is given (ddr/checksum_check.hpp): reels numbered
// within their dump, a trailer moved further down the tape by --append, a first reel that
// is missing (told by the trailer, or by a reel starting inside a cylinder), and which
// blocks found further down the tape it takes as its own.  Also DumpReader's walk to the
// end of the recorded tape, the summary it keeps, and the article before a number.
#include "formats/ddrtape/checksum_check.hpp"
#include "formats/ddrtape/checksum_writer.hpp"
#include "ddr/device_choice.hpp"
#include "formats/ddrtape/dump_reader.hpp"
#include "devices/ckd_devices.hpp"
#include "formats/ddrtape/thr_group.hpp"
#include "formats/io/error.hpp"
#include "formats/tape/tape.hpp"
#include "formats/io/wording.hpp"
#include "tests/unit/sample_volume.hpp"
#include "tests/unit/support.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace ddr;

namespace {

constexpr uint64_t kTod = 0xE3A26AB72F94B000ULL;
constexpr uint32_t kCylinders = 3;

// One reel of a dump as ddr writes it: VHR, each track's tape blocks, EOV or EOJ, trailer.
struct RecordedReel {
    DdrVolumeHeader vhr;
    DdrVolumeHeader end;
    std::vector<std::vector<Bytes>> groups;
    std::vector<Bytes> trailer;
};

const CkdDevice& device() { return *find_ckd_device("3330"); }

TrackAddress track_at(size_t index)
{
    return {uint32_t(index / device().heads), uint32_t(index % device().heads)};
}

// A dump of the first kCylinders cylinders of a sample 3330, its reels starting at the
// track indexes `reel_starts` (the first 0), with the trailers DumpChecksumWriter makes.
std::vector<RecordedReel> record_dump(uint64_t tod, const std::vector<size_t>& reel_starts)
{
    const CkdDevice& dev = device();
    const size_t tracks = size_t(kCylinders) * dev.heads;
    test::SampleVolume volume(dev, "CHK001", 11);
    DdrVolumeHeader vhr;
    vhr.tod = tod;
    fill_vhr_geometry(vhr, dev, dev.cylinders);
    TrailerHeader dump;
    dump.tod = tod;
    dump.devtype = dev.devtype;
    dump.cylinders = kCylinders;
    dump.heads = dev.heads;
    dump.extents = {{0, kCylinders - 1, 0}};
    DumpChecksumWriter writer(dump);
    DdrTrackEncoder encoder;
    std::vector<RecordedReel> reels;
    for (size_t r = 0; r < reel_starts.size(); ++r) {
        const size_t first = reel_starts[r], end = r + 1 < reel_starts.size() ? reel_starts[r + 1] : tracks;
        RecordedReel reel;
        reel.vhr = vhr.as(DdrHeaderKind::Vhr, uint16_t(track_at(first).cyl), uint16_t(track_at(first).head));
        writer.reel_started(unsigned(r + 1), reel.vhr.encode());
        for (size_t t = first; t < end; ++t) {
            encoder.encode(volume.track(track_at(t), 80), track_at(t));
            writer.group_written(encoder.blocks(), encoder.image().size(), cchh_value(track_at(t)));
            reel.groups.emplace_back();
            for (ByteSpan b : encoder.blocks())
                reel.groups.back().emplace_back(b.begin(), b.end());
        }
        const bool last = end == tracks;
        reel.end = last ? vhr.as(DdrHeaderKind::Eoj, uint16_t(kCylinders - 1), uint16_t(dev.heads - 1))
                        : vhr.as(DdrHeaderKind::Eov, uint16_t(track_at(end).cyl), uint16_t(track_at(end).head));
        writer.reel_ending(reel.end.encode(), last, [&](ByteSpan b) { reel.trailer.emplace_back(b.begin(), b.end()); });
        reels.push_back(std::move(reel));
    }
    return reels;
}

Place place_on(size_t reel_index)
{
    return file_place("r" + std::to_string(reel_index + 1) + ".aws").with_reel(unsigned(reel_index + 1)).with_block(1, 0);
}

// Tells `checker` about `reels` in the order given, as a DumpReader reading them as the
// TAPE arguments would; the trailer of the last one is left out if `hold_last_trailer`.
void read_reels(DumpChecker& checker, const std::vector<const RecordedReel*>& reels, bool hold_last_trailer = false)
{
    for (size_t i = 0; i < reels.size(); ++i) {
        const RecordedReel& reel = *reels[i];
        const Place where = place_on(i);
        checker.reel_started(unsigned(i + 1), reel.vhr, where);
        for (const auto& group : reel.groups) {
            DdrTrackDecoder decoder;
            decoder.begin(group[0], true);
            for (size_t k = 1; k < group.size(); ++k)
                decoder.add(group[k], true);
            decoder.validate();
            checker.track_read(decoder, where);
        }
        checker.end_read(reel.end, where);
        if (!(hold_last_trailer && i + 1 == reels.size()))
            for (const Bytes& b : reel.trailer)
                checker.trailer_block(b, where);
        checker.reel_closed(true, where);
    }
}

std::string reel_error(const std::function<void()>& f)
{
    try {
        f();
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::Reel);
        return e.detail();
    }
    return "(no error)";
}

} // namespace

TEST_CASE("checker: every reel of a dump, in order, matches its trailer")
{
    auto reels = record_dump(kTod, {0, 19, 38});  // each reel starts at head 0
    DumpChecker checker;
    read_reels(checker, {&reels[0], &reels[1], &reels[2]});
    CHECK(checker.findings().empty());
    CHECK(checker.all_reels_checked());
    CHECK(checker.last_reel_checked());
    CHECK(checker.units_checked() == 3 * 19);
    CHECK_NOTHROW(checker.require_first_reel());
}

TEST_CASE("checker: a trailer moved down the tape is matched, and only this dump's blocks are taken")
{
    auto reels = record_dump(kTod, {0});
    auto other = record_dump(kTod + 1, {0});
    DumpChecker checker;
    read_reels(checker, {&reels[0]}, /*hold_last_trailer=*/true);
    CHECK_FALSE(checker.has_checksums());
    CHECK_FALSE(checker.last_reel_checked());
    const Place further = file_place("t.aws").with_reel(1).with_block(900, 0);
    // Another dump's trailer, intact or damaged, is that dump's business.
    for (const Bytes& b : other[0].trailer) {
        Bytes damaged = b;
        damaged[100] ^= 1;
        checker.relocated_trailer_block(b, further);
        checker.relocated_trailer_block(damaged, further);
    }
    // A block that is no trailer block at all (a track's data) is not taken either.
    checker.relocated_trailer_block(reels[0].groups[3][0], further);
    // Inside a file that could not be read, only a block that proves itself counts.
    Bytes damaged_header = reels[0].trailer[0];
    damaged_header[200] ^= 1;
    checker.relocated_trailer_block(damaged_header, further, /*placed=*/false);
    CHECK_FALSE(checker.has_checksums());
    for (const Bytes& b : reels[0].trailer)
        checker.relocated_trailer_block(b, further, /*placed=*/false);
    checker.finish_relocated();
    CHECK(checker.findings().empty());
    CHECK(checker.last_reel_checked());
    CHECK(checker.units_checked() == 3 * 19);
}

TEST_CASE("checker: a damaged block of its own moved trailer is a finding, where it stands")
{
    auto reels = record_dump(kTod, {0});
    DumpChecker checker;
    read_reels(checker, {&reels[0]}, true);
    Bytes damaged = reels[0].trailer[1];
    damaged[40] ^= 1;  // inside the first entry; the block's own hash no longer matches
    checker.relocated_trailer_block(reels[0].trailer[0], place_on(0));
    checker.relocated_trailer_block(damaged, place_on(0));
    checker.finish_relocated();
    REQUIRE_FALSE(checker.findings().empty());
    CHECK(checker.findings().first().what.find("trailer hash block 1 of reel 1 is damaged") != std::string::npos);
}

TEST_CASE("checker: reels given from the dump's second on: its trailer tells reel 1 is missing")
{
    auto reels = record_dump(kTod, {0, 19, 38});
    SUBCASE("the trailer after the reel's EOV")
    {
        DumpChecker checker;
        const std::string why = reel_error([&] { read_reels(checker, {&reels[1], &reels[2]}); });
        CHECK(why.find("reel 1 of this dump is missing") != std::string::npos);
        CHECK(why.find("its checksum trailer says it is reel 2 of the dump") != std::string::npos);
    }
    SUBCASE("the last reel alone, its trailer moved behind a later dump")
    {
        DumpChecker checker;
        read_reels(checker, {&reels[2]}, true);
        for (const Bytes& b : reels[2].trailer)
            checker.relocated_trailer_block(b, place_on(0));
        checker.finish_relocated();
        CHECK(checker.findings().empty());  // its tracks still match, as reel 3
        const std::string why = reel_error([&] { checker.require_first_reel(); });
        CHECK(why.find("it is reel 3 of the dump") != std::string::npos);
    }
    SUBCASE("the caller's note on what it did is added")
    {
        DumpChecker checker;
        checker.done_so_far = [] { return std::string("x.3390 was written"); };
        const std::string why = reel_error([&] { read_reels(checker, {&reels[2]}); });
        CHECK(why.find("; x.3390 was written") != std::string::npos);
    }
}

TEST_CASE("checker: a reel starting inside a cylinder is a continuation reel, trailer or not")
{
    auto reels = record_dump(kTod, {0, 25});  // reel 2 starts at cyl 1 head 6
    DumpChecker checker;
    const std::string why = reel_error([&] { read_reels(checker, {&reels[1]}); });
    CHECK(why.find("it starts at cyl 1 head 6, inside a cylinder") != std::string::npos);
    CHECK(checker.units() == 0);  // found at its first track, before anything else is done with it

    DdrVolumeHeader vhr = reels[1].vhr;
    CHECK(starts_inside_cylinder(vhr, {1, 6}));
    CHECK_FALSE(starts_inside_cylinder(vhr, {1, 7}));  // a damaged VHR or track: not this rule's to say
    CHECK_FALSE(starts_inside_cylinder(reels[0].vhr, {0, 0}));
}

TEST_CASE("DumpReader: the rest of a reel, after a dump, to the end of the recorded tape")
{
    test::TempDir dir;
    auto a = record_dump(kTod, {0});
    auto b = record_dump(kTod + 1, {0});
    const std::string path = dir.file("t.aws");
    {
        // Dump A without its trailer; a file that is no dump, holding a block of A's
        // trailer; dump B followed by its trailer and A's, as --append leaves them.
        auto w = create_tape_writer(path, {});
        auto put_dump = [&](const RecordedReel& reel) {
            w->write_block(reel.vhr.encode());
            for (const auto& group : reel.groups)
                for (const Bytes& block : group)
                    w->write_block(block);
            w->write_block(reel.end.encode());
        };
        put_dump(a[0]);
        w->write_tapemark();
        w->write_block(Bytes(100, 0x11));
        w->write_block(a[0].trailer[0]);
        w->write_tapemark();
        put_dump(b[0]);
        for (const Bytes& block : b[0].trailer)
            w->write_block(block);
        for (const Bytes& block : a[0].trailer)
            w->write_block(block);
        w->write_tapemark();
        w->finish();
    }
    DumpReader reader({path});
    REQUIRE(reader.start_dump());
    while (reader.next() != DumpReader::Item::End) {
    }
    size_t placed = 0, unplaced = 0;
    std::vector<Error> unreadable = reader.read_rest_of_reel([&](ByteSpan block, const Place&, bool is_placed) {
        (is_placed ? placed : unplaced) += 1;
        if (!is_placed)
            CHECK((block.size() == 100 || block.size() == a[0].trailer[0].size()));
    });
    CHECK(placed == b[0].trailer.size() + a[0].trailer.size());
    CHECK(unplaced == 1);  // the block after the one that is no VHR
    REQUIRE(unreadable.size() == 1);
    CHECK(unreadable[0].detail().find("not a DDR dump") != std::string::npos);
    CHECK_NOTHROW(reader.check_no_reels_after());
}

TEST_CASE("DumpReader: the summary of what it read, reel changes included, fresh for each dump")
{
    test::TempDir dir;
    const auto three = record_dump(kTod, {0, 19, 38});  // a 3330 has 19 heads: reels at cyl 1 and 2
    const auto one = record_dump(kTod + 1, {0});
    auto put = [](TapeWriter& w, const RecordedReel& reel) {
        w.write_block(reel.vhr.encode());
        for (const auto& group : reel.groups)
            for (const Bytes& block : group)
                w.write_block(block);
        w.write_block(reel.end.encode());
        for (const Bytes& block : reel.trailer)
            w.write_block(block);
        w.write_tapemark();
    };
    std::vector<std::string> paths;
    for (size_t r = 0; r < three.size(); ++r) {
        paths.push_back(dir.file("r" + std::to_string(r + 1) + ".aws"));
        auto w = create_tape_writer(paths.back(), {});
        put(*w, three[r]);
        if (r + 1 == three.size())
            put(*w, one[0]);  // a second dump after the first ends
        w->finish();
    }
    DumpReader reader(paths);
    REQUIRE(reader.start_dump());
    CHECK(reader.summary().reels == 1);
    CHECK(reader.summary().tracks == 0);
    while (reader.next() != DumpReader::Item::End) {
    }
    const DumpSummary& s = reader.summary();
    CHECK(s.ended);
    CHECK(s.reels == 3);
    CHECK(s.tracks == 3 * 19);
    CHECK(s.vhr.tod == kTod);
    CHECK(s.reel_changes == std::vector<TrackAddress>{{1, 0}, {2, 0}});
    CHECK(s.cylinder_ranges == std::vector<std::pair<uint32_t, uint32_t>>{{0, 2}});
    REQUIRE(s.first_track);
    CHECK(*s.first_track == TrackAddress{0, 0});
    CHECK(*s.last_track == TrackAddress{2, 18});
    CHECK(s.order_problems.empty());

    // The next dump on the last reel starts a summary of its own.
    REQUIRE(reader.start_dump());
    while (reader.next() != DumpReader::Item::End) {
    }
    CHECK(reader.summary().vhr.tod == kTod + 1);
    CHECK(reader.summary().tracks == 3 * 19);
    CHECK(reader.summary().reels == 1);
    CHECK(reader.summary().reel_changes.empty());
    CHECK(reader.summary().file == 2);
}

TEST_CASE("Findings: every one counted, the first kKept kept; append counts all of the other's")
{
    Findings a;
    CHECK(a.empty());
    for (size_t i = 0; i < Findings::kKept + 5; ++i)
        a.add(Place{}.with_track(uint32_t(i), 0), "finding " + std::to_string(i));
    CHECK_FALSE(a.empty());
    CHECK(a.total() == Findings::kKept + 5);
    CHECK(a.kept().size() == Findings::kKept);
    CHECK(a.first().what == "finding 0");
    CHECK(a.kept().back().what == "finding " + std::to_string(Findings::kKept - 1));
    Findings b;
    b.add(Place{}, "b0");
    b.add(Place{}, "b1");
    Findings c = b;
    c.append(a);  // room for kKept - 2 of a's
    CHECK(c.total() == Findings::kKept + 7);
    CHECK(c.kept().size() == Findings::kKept);
    CHECK(c.kept()[1].what == "b1");
    CHECK(c.kept()[2].what == "finding 0");
    b.append(Findings{});
    CHECK(b.total() == 2);
}

TEST_CASE("DumpReader: tracks out of order are each a problem, named where they lie; the checker finds them too")
{
    test::TempDir dir;
    auto reels = record_dump(kTod, {0});
    RecordedReel& reel = reels[0];
    std::reverse(reel.groups.begin(), reel.groups.end());  // cyl 2 head 18 first, cyl 0 head 0 last
    const std::string path = dir.file("backwards.aws");
    {
        auto w = create_tape_writer(path, {});
        w->write_block(reel.vhr.encode());
        for (const auto& group : reel.groups)
            for (const Bytes& block : group)
                w->write_block(block);
        w->write_block(reel.end.encode());
        for (const Bytes& block : reel.trailer)
            w->write_block(block);
        w->write_tapemark();
        w->finish();
    }
    DumpReader reader({path});
    DumpChecker checker;
    reader.set_observer(&checker);
    REQUIRE(reader.start_dump());
    while (reader.next() != DumpReader::Item::End) {
    }
    const DumpSummary& s = reader.summary();
    const size_t tracks = size_t(kCylinders) * device().heads;
    CHECK(s.tracks == tracks);
    REQUIRE(s.order_problems.total() == tracks - 1);  // every track after the first
    CHECK(s.order_problems.kept().size() == tracks - 1);
    const ChecksumFinding& first = s.order_problems.first();
    CHECK(first.place.file == path);
    CHECK(first.place.block == reel.groups[0].size() + 2);  // the VHR, the first track's blocks, then this one
    CHECK(first.what.find("tracks out of order: this one (cyl 2 head 17) comes after cyl 2 head 18") != std::string::npos);
    // The trailer lists the tracks in the order they were dumped: the checker finds them moved.
    CHECK_FALSE(checker.findings().empty());
}

TEST_CASE("wording: the article before a number")
{
    for (uint64_t n : {8ull, 11ull, 18ull, 80ull, 83ull, 800ull, 8000ull, 11000ull, 18500ull, 80000ull, 8000000ull})
        CHECK_MESSAGE(std::string(article_before(n)) == "an", n);
    for (uint64_t n : {0ull, 1ull, 7ull, 12ull, 110ull, 180ull, 512ull, 1100ull, 1800ull, 4096ull, 100000ull, 1000000ull})
        CHECK_MESSAGE(std::string(article_before(n)) == "a", n);
}
