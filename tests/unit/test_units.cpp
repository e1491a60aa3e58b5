// Units and the one extent map: CKD tracks and FBA groups addressed, mapped through
// REORDERed extents both ways, selected for a restore, and read from a volume.
#include "formats/ddrtape/checksum_writer.hpp"
#include "formats/ddrtape/units.hpp"
#include "formats/io/error.hpp"
#include "tests/unit/error_testing.hpp"
#include "tests/unit/support.hpp"

#include <doctest/doctest.h>

using namespace ddr;
using namespace ddr::test;

namespace {

const UnitGeometry kTracks{UnitKind::Track, 15, true};
const UnitGeometry kGroups{UnitKind::BlockGroup, 0, false};

uint32_t cchh(uint32_t cyl, uint32_t head)
{
    return cchh_value({cyl, head});
}

std::vector<Unit> units_of_extents(const UnitGeometry& g, const std::vector<Extent>& extents)
{
    std::vector<Unit> out;
    g.for_each_unit(extents, [&](Unit u) { out.push_back(u); });
    return out;
}


} // namespace

TEST_CASE("Units of extents: every track of every cylinder; FBA groups broken at multiples of 120")
{
    const auto tracks = units_of_extents(kTracks, {{3, 4, 3}});
    REQUIRE(tracks.size() == 30);
    CHECK(tracks.front() == Unit{cchh(3, 0), 1});
    CHECK(tracks.back() == Unit{cchh(4, 14), 1});
    CHECK(kTracks.count_units({{3, 4, 3}, {10, 10, 10}}) == 45);

    // 100-359: 100-119, 120-239, 240-359; then 400-405.
    const auto groups = units_of_extents(kGroups, {{100, 359, 100}, {400, 405, 900}});
    CHECK(groups == std::vector<Unit>{{100, 20}, {120, 120}, {240, 120}, {400, 6}});
    CHECK(kGroups.count_units({{100, 359, 100}, {400, 405, 900}}) == 4);
    CHECK(kGroups.describe_unit({240, 120}) == "blocks 240-359");
    CHECK(kTracks.describe_unit({cchh(70000, 3), 1}) == "cyl 70000 head 3");
}

TEST_CASE("UnitCursor: pulled one at a time, the same units in the same order; none once done")
{
    // Written out by hand, not by a second walk: cylinders 3 and 10 of a 2-head device.
    UnitCursor tracks({{3, 3, 3}, {10, 10, 10}}, UnitGeometry{UnitKind::Track, 2, false});
    std::vector<Unit> got;
    while (const auto u = tracks.next())
        got.push_back(*u);
    CHECK(got == std::vector<Unit>{{cchh(3, 0), 1}, {cchh(3, 1), 1}, {cchh(10, 0), 1}, {cchh(10, 1), 1}});
    CHECK_FALSE(tracks.next());  // and stays done
    CHECK_FALSE(tracks.next());

    // A group breaks at block 120 even inside one extent; an extent of one block is a group.
    UnitCursor groups({{119, 121, 119}, {500, 500, 0}}, kGroups);
    CHECK(groups.next() == Unit{119, 1});
    CHECK(groups.next() == Unit{120, 2});
    CHECK(groups.next() == Unit{500, 1});
    CHECK_FALSE(groups.next());

    CHECK_FALSE(UnitCursor({}, kTracks).next());
    CHECK_FALSE(UnitCursor({{0, 5, 0}}, UnitGeometry{UnitKind::Track, 0, false}).next());  // no heads: no tracks
    // EAV cylinders in the CCHH's EAV form, and for_each_unit gives what the cursor gives.
    UnitCursor eav({{70000, 70000, 70000}}, kTracks);
    CHECK(eav.next() == Unit{cchh(70000, 0), 1});
    CHECK(units_of_extents(kTracks, {{70000, 70000, 70000}}).at(14) == Unit{cchh(70000, 14), 1});
}

TEST_CASE("ExtentMap: REORDER both ways, the head carried along, EAV cylinders included")
{
    const ExtentMap tracks({{5, 9, 20}, {70000, 70001, 80000}}, kTracks);
    CHECK(tracks.output_of(cchh(7, 11)) == cchh(22, 11));
    CHECK(tracks.source_of(cchh(22, 11)) == cchh(7, 11));
    CHECK(tracks.output_of(cchh(70001, 14)) == cchh(80001, 14));
    CHECK(tracks.source_of(cchh(80001, 14)) == cchh(70001, 14));
    CHECK(tracks.output_of(cchh(12, 0)) == cchh(12, 0));  // outside every extent: itself
    CHECK(tracks.extent_of(cchh(9, 14)) == size_t(0));
    CHECK_FALSE(tracks.extent_of(cchh(10, 0)));

    const ExtentMap blocks({{100, 199, 1000}}, kGroups);
    CHECK(blocks.output_of(150) == 1050);
    CHECK(blocks.source_of(1050) == 150);
    CHECK(blocks.source_of(99) == 99);
    CHECK(ExtentMap().output_of(12345) == 12345);
}

TEST_CASE("RestoreSelection: pieces of a group that straddles extents, and units not on the tape")
{
    RestoreSelection fba({{100, 129, 500}, {130, 139, 700}}, kGroups);
    CHECK(fba.highest_target() == uint64_t(709));
    const auto pieces = fba.select(120, 120);
    REQUIRE(pieces.size() == 2);
    CHECK((pieces[0].tape == 120 && pieces[0].target == 520 && pieces[0].skip == 0 && pieces[0].count == 10));
    CHECK((pieces[1].tape == 130 && pieces[1].target == 700 && pieces[1].skip == 10 && pieces[1].count == 10));
    CHECK(fba.select(240, 120).empty());
    auto missing = caught([&] { fba.check_complete("t.aws"); });
    REQUIRE(missing);
    CHECK(missing->kind() == ErrorKind::Usage);
    CHECK(missing->place().fba_block == uint64_t(100));
    (void)fba.select(0, 120);
    CHECK_FALSE(caught([&] { fba.check_complete("t.aws"); }));

    RestoreSelection ckd({{2, 2, 40}}, kTracks);
    CHECK(ckd.select(cchh(3, 0), 1).empty());
    for (uint32_t h = 0; h < 14; ++h)
        CHECK(ckd.select(cchh(2, h), 1).at(0).target == cchh(40, h));
    auto head14 = caught([&] { ckd.check_complete("t.aws"); });
    REQUIRE(head14);
    CHECK(head14->place().cyl == uint32_t(2));
    CHECK(head14->place().head == uint32_t(14));
    auto not_dumped = caught([&] { ckd.check_on_tape({{0, 1}, {3, 9}}, "t.aws"); });
    REQUIRE(not_dumped);
    CHECK(not_dumped->kind() == ErrorKind::Usage);
    CHECK(not_dumped->detail() == "cylinder 2 of extent '2:40' is not on the tape (it holds 0-1, 3-9)");
    CHECK_FALSE(caught([&] { ckd.check_on_tape({{0, 9}}, "t.aws"); }));

    RestoreSelection all({}, kGroups);
    CHECK(all.select(240, 7).at(0).count == 7);
    CHECK_FALSE(all.highest_target());
}

TEST_CASE("Order of units: cylinder then head, whatever the CCHH's EAV bytes")
{
    // Cylinder 65,536 head 0 is X'0000' X'0010' in EAV form: smaller as a number than
    // cylinder 1 head 0, later on tape.
    CHECK(kTracks.order_of(cchh(65536, 0)) > kTracks.order_of(cchh(1, 0)));
    CHECK(kTracks.order_of(cchh(1, 14)) < kTracks.order_of(cchh(2, 0)));
    CHECK(kGroups.order_of(240) > kGroups.order_of(120));
}
