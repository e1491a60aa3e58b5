// The FBA device table: names, sizes, the generic FB-512 and the lookup by block count.
#include "devices/fba_devices.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace ddr;

TEST_CASE("FBA names: every model and alias finds its row, in any case")
{
    struct {
        const char* typed;
        const char* canonical;
    } cases[] = {
        {"3310", "3310"},       {"3310-1", "3310"},       {"3370", "3370"},         {"3370-1", "3370"},
        {"3370-A1", "3370"},    {"3370-B1", "3370"},      {"3370-2", "3370-2"},     {"3370-A2", "3370-2"},
        {"3370-B2", "3370-2"},  {"9313", "9313"},         {"9313-1", "9313"},       {"9332", "9332"},
        {"9332-200", "9332"},   {"9332-400", "9332"},     {"9332-1", "9332"},       {"9332-600", "9332-600"},
        {"9335", "9335"},       {"9335-1", "9335"},       {"9336", "9336"},         {"9336-10", "9336"},
        {"9336-1", "9336"},     {"9336-20", "9336-20"},   {"9336-25", "9336-20"},   {"0671", "0671"},
        {"0671-1", "0671"},     {"0671-04", "0671-04"},   {"0671-08", "0671-08"},   {"FB-512", "FB-512"},
        {"fb-512", "FB-512"},   {"3370-a2", "3370-2"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.typed);
        const FbaDevice* d = find_fba_device(c.typed);
        REQUIRE(d != nullptr);
        CHECK(d->name == c.canonical);
    }
    for (const char* unknown : {"", "9336-30", "671", "0671-4", "3390", "FB512", "FBA", "9332-800", " 9336"}) {
        CAPTURE(unknown);
        CHECK(find_fba_device(unknown) == nullptr);
    }
}

TEST_CASE("FBA rows: Hercules' table (devices/README.md)")
{
    struct {
        const char* name;
        uint16_t type;
        uint8_t rdc_type, rdc_model;
        uint16_t bpg, bpp;
        uint32_t blocks;
        uint64_t bytes;
        uint8_t herc_byte;
    } rows[] = {
        {"3310", 0x3310, 0x01, 0x01, 32, 352, 125664, 64339968, 0x10},
        {"3370", 0x3370, 0x02, 0x00, 62, 744, 558000, 285696000, 0x70},
        {"3370-2", 0x3370, 0x05, 0x04, 62, 744, 712752, 364929024, 0x70},
        {"9313", 0x9313, 0x08, 0x00, 96, 480, 246240, 126074880, 0x13},
        {"9332", 0x9332, 0x07, 0x00, 73, 292, 360036, 184338432, 0x32},
        {"9332-600", 0x9332, 0x07, 0x01, 73, 292, 554800, 284057600, 0x32},
        {"9335", 0x9335, 0x06, 0x01, 71, 426, 804714, 412013568, 0x35},
        {"9336", 0x9336, 0x11, 0x00, 63, 315, 920115, 471098880, 0x36},
        {"9336-20", 0x9336, 0x11, 0x10, 111, 777, 1672881, 856515072, 0x36},
        {"0671", 0x0671, 0x12, 0x00, 63, 504, 574560, 294174720, 0x71},
        {"0671-04", 0x0671, 0x12, 0x04, 63, 504, 624456, 319721472, 0x71},
        {"0671-08", 0x0671, 0x12, 0x08, 63, 504, 513072, 262692864, 0x71},
    };
    CHECK(fba_devices().size() == std::size(rows) + 1);
    for (const auto& r : rows) {
        CAPTURE(r.name);
        const FbaDevice* d = find_fba_device(r.name);
        REQUIRE(d != nullptr);
        CHECK(d->devtype == r.type);
        CHECK(d->rdc_type == r.rdc_type);
        CHECK(d->rdc_model == r.rdc_model);
        CHECK(d->blocks_per_group == r.bpg);
        CHECK(d->blocks_per_position == r.bpp);
        CHECK(d->blocks == r.blocks);
        CHECK(d->bytes() == r.bytes);
        CHECK(d->hercules_devtype() == r.herc_byte);
        CHECK_FALSE(d->any_size());
    }
}

TEST_CASE("FBA: the generic FB-512 device")
{
    const FbaDevice& g = generic_fba_device();
    CHECK(g.name == "FB-512");
    CHECK(g.any_size());
    CHECK(g.blocks == 0);
    CHECK(g.devtype == 0x9336);
    CHECK(g.hercules_devtype() == 0x36);
    CHECK(&g == &fba_devices().back());
    CHECK(find_fba_device("FB-512") == &g);
    // It is the only row of any size.
    size_t n = 0;
    for (const FbaDevice& d : fba_devices())
        n += d.any_size();
    CHECK(n == 1);
}

TEST_CASE("FBA: device for a block count")
{
    // Every model is found by its exact size, whatever the table order.
    for (const FbaDevice& d : fba_devices()) {
        if (d.any_size())
            continue;
        CAPTURE(std::string(d.name));
        CHECK(fba_device_for_blocks(d.blocks) == &d);
        CHECK(fba_device_for_blocks(d.blocks - 1) == &generic_fba_device());
        CHECK(fba_device_for_blocks(d.blocks + 1) == &generic_fba_device());
    }
    // The 0671 quirk: Hercules' size lookup would call a 513,072-block 0671 (and any
    // smaller one) a 0671-08 and everything up to 574,560 blocks a 0671; we name only exact sizes.
    CHECK(fba_device_for_blocks(513072)->name == "0671-08");
    CHECK(fba_device_for_blocks(574560)->name == "0671");
    CHECK(fba_device_for_blocks(624456)->name == "0671-04");
    CHECK(fba_device_for_blocks(500000)->name == "FB-512");
    // Sizes no model has.
    CHECK(fba_device_for_blocks(1) == &generic_fba_device());
    CHECK(fba_device_for_blocks(64) == &generic_fba_device());
    CHECK(fba_device_for_blocks(kFbaMaxBlocks) == &generic_fba_device());
    CHECK(fba_device_for_blocks(0) == nullptr);
    CHECK(fba_device_for_blocks(kFbaMaxBlocks + 1) == nullptr);
    CHECK(fba_device_for_blocks(UINT64_MAX) == nullptr);
    CHECK(kFbaMaxBlocks == 4294967295u);
}

TEST_CASE("FBA: no two models share a block count or a name")
{
    std::vector<std::string_view> names;
    auto rows = fba_devices();
    for (size_t i = 0; i < rows.size(); ++i) {
        names.push_back(rows[i].name);
        for (std::string_view a : rows[i].aliases)
            if (!a.empty())
                names.push_back(a);
        for (size_t j = i + 1; j < rows.size(); ++j)
            if (!rows[i].any_size())
                CHECK(rows[i].blocks != rows[j].blocks);
    }
    for (size_t i = 0; i < names.size(); ++i)
        for (size_t j = i + 1; j < names.size(); ++j)
            CHECK(names[i] != names[j]);
}
