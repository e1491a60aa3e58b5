// The CKD device table: names, Hercules geometry (checked against dasdinit), model
// inference, IBM DDR's device values, and the track capacity formulas.
#include "devices/ckd_devices.hpp"
#include "formats/io/bytes.hpp"
#include "formats/volume/ckd_track.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

using namespace ddr;

namespace {

const CkdDevice& dev(std::string_view name)
{
    const CkdDevice* d = find_ckd_device(name);
    REQUIRE_MESSAGE(d != nullptr, "no device " << std::string(name));
    return *d;
}

std::vector<std::string> names_of(const std::vector<VhrMatch>& matches)
{
    std::vector<std::string> out;
    for (const VhrMatch& m : matches)
        out.emplace_back(m.device->name);
    return out;
}

using Names = std::vector<std::string>;

} // namespace

TEST_CASE("CKD names: every model and alias finds its row, in any case")
{
    struct {
        const char* typed;
        const char* canonical;
    } cases[] = {
        {"2305", "2305-1"},        {"2305-1", "2305-1"},       {"2305-2", "2305-2"},
        {"2311", "2311"},          {"2311-1", "2311"},         {"2314", "2314"},
        {"2314-1", "2314"},        {"2319", "2314"},           {"3330", "3330-1"},
        {"3330-1", "3330-1"},      {"3330-2", "3330-11"},      {"3330-11", "3330-11"},
        {"3340", "3340-35"},       {"3340-1", "3340-35"},      {"3340-35", "3340-35"},
        {"3340-2", "3340-70"},     {"3340-70", "3340-70"},     {"3350", "3350"},
        {"3350-1", "3350"},        {"3375", "3375"},           {"3375-1", "3375"},
        {"3380", "3380"},          {"3380-1", "3380"},         {"3380-A", "3380"},
        {"3380-B", "3380"},        {"3380-D", "3380-D"},       {"3380-J", "3380-J"},
        {"3380-E", "3380-E"},      {"3380-2", "3380-E"},       {"3380-K", "3380-K"},
        {"3380-3", "3380-K"},      {"EMC3380K+", "EMC3380K+"}, {"EMC3380K++", "EMC3380K++"},
        {"3390", "3390-1"},        {"3390-1", "3390-1"},       {"3390-2", "3390-2"},
        {"3390-3", "3390-3"},      {"3390-9", "3390-9"},       {"3390-27", "3390-27"},
        {"3390-J", "3390-27"},     {"3390-54", "3390-54"},     {"3390-JJ", "3390-54"},
        {"3390-A", "3390-A"},      {"9345", "9345-1"},         {"9345-1", "9345-1"},
        {"9345-2", "9345-2"},      {"3390-a", "3390-A"},       {"emc3380k+", "EMC3380K+"},
        {"3390-jj", "3390-54"},    {"3380-e", "3380-E"},
    };
    for (const auto& c : cases) {
        CAPTURE(c.typed);
        const CkdDevice* d = find_ckd_device(c.typed);
        REQUIRE(d != nullptr);
        CHECK(d->name == c.canonical);
    }
    for (const char* unknown : {"", "3390-4", "3391", "3390-", "-3", "3380-X", "FB-512", "9336", "3390 ", " 3390",
                                "3390-3390", "EMC3380K"}) {
        CAPTURE(unknown);
        CHECK(find_ckd_device(unknown) == nullptr);
    }
}

TEST_CASE("CKD names are unique across canonical names and aliases")
{
    std::vector<std::string_view> all;
    for (const CkdDevice& d : ckd_devices()) {
        all.push_back(d.name);
        for (std::string_view a : d.aliases)
            if (!a.empty())
                all.push_back(a);
    }
    for (size_t i = 0; i < all.size(); ++i) {
        CAPTURE(std::string(all[i]));
        CHECK(find_ckd_device(all[i]) != nullptr);
        for (size_t j = i + 1; j < all.size(); ++j)
            CHECK(all[i] != all[j]);
    }
}

TEST_CASE("CKD rows: Hercules geometry of every model (devices/README.md)")
{
    struct {
        const char* name;
        uint16_t type;
        uint8_t model;
        uint32_t cyls, alt, heads;
    } rows[] = {
        {"2305-1", 0x2305, 0x00, 48, 0, 8},      {"2305-2", 0x2305, 0x02, 96, 0, 8},
        {"2311", 0x2311, 0x00, 200, 3, 10},      {"2314", 0x2314, 0x00, 200, 3, 20},
        {"3330-1", 0x3330, 0x01, 404, 7, 19},    {"3330-11", 0x3330, 0x11, 808, 7, 19},
        {"3340-35", 0x3340, 0x01, 348, 1, 12},   {"3340-70", 0x3340, 0x02, 696, 2, 12},
        {"3350", 0x3350, 0x00, 555, 5, 30},      {"3375", 0x3375, 0x02, 959, 3, 12},
        {"3380", 0x3380, 0x02, 885, 1, 15},      {"3380-D", 0x3380, 0x06, 885, 1, 15},
        {"3380-J", 0x3380, 0x16, 885, 1, 15},    {"3380-E", 0x3380, 0x0A, 1770, 2, 15},
        {"3380-K", 0x3380, 0x1E, 2655, 3, 15},   {"EMC3380K+", 0x3380, 0x1E, 3339, 3, 15},
        {"EMC3380K++", 0x3380, 0x1E, 3993, 3, 15}, {"3390-1", 0x3390, 0x02, 1113, 1, 15},
        {"3390-2", 0x3390, 0x06, 2226, 1, 15},   {"3390-3", 0x3390, 0x0A, 3339, 1, 15},
        {"3390-9", 0x3390, 0x0C, 10017, 3, 15},  {"3390-27", 0x3390, 0x0C, 32760, 3, 15},
        {"3390-54", 0x3390, 0x0C, 65520, 3, 15}, {"3390-A", 0x3390, 0x0C, 1182006, 0, 15},
        {"9345-1", 0x9345, 0x04, 1440, 0, 15},   {"9345-2", 0x9345, 0x04, 2156, 0, 15},
    };
    CHECK(ckd_devices().size() == std::size(rows));
    for (const auto& r : rows) {
        CAPTURE(r.name);
        const CkdDevice& d = dev(r.name);
        CHECK(d.devtype == r.type);
        CHECK(d.rdc_model == r.model);
        CHECK(d.cylinders == r.cyls);
        CHECK(d.alt_cylinders == r.alt);
        CHECK(d.heads == r.heads);
        CHECK(d.eav == (d.name == "3390-A"));
    }

    // The formula constants, per type (every row of a type shares its track geometry).
    struct {
        uint16_t type;
        uint32_t r0, r1, har0, len;
        CapacityFormula formula;
        std::array<uint16_t, 6> f;
    } geometry[] = {
        {0x2305, 0, 0, 0, 0, CapacityFormula::F3330, {}},  // differs per model, below
        {0x2311, 0, 3625, 0, 3625, CapacityFormula::F2311, {20, 61, 537, 512, 0, 0}},
        {0x2314, 0, 7294, 0, 7294, CapacityFormula::F2311, {45, 101, 2137, 2048, 0, 0}},
        {0x3330, 13165, 13030, 135, 13165, CapacityFormula::F3330, {56, 135, 0, 0, 0, 0}},
        {0x3340, 8535, 8368, 167, 8535, CapacityFormula::F3330, {75, 167, 0, 0, 0, 0}},
        {0x3350, 19254, 19069, 185, 19254, CapacityFormula::F3330, {82, 185, 0, 0, 0, 0}},
        {0x3375, 36000, 35616, 832, 36000, CapacityFormula::F3380, {32, 384, 160, 0, 0, 0}},
        {0x3380, 47988, 47476, 1088, 47968, CapacityFormula::F3380, {32, 492, 236, 0, 0, 0}},
        {0x3390, 57326, 56664, 1428, 58786, CapacityFormula::F3390, {34, 19, 9, 6, 116, 6}},
        {0x9345, 48174, 46456, 1184, 48280, CapacityFormula::F3390, {34, 18, 7, 6, 116, 6}},
    };
    for (const auto& g : geometry) {
        if (g.type == 0x2305)
            continue;
        for (const CkdDevice& d : ckd_devices_of_type(g.type)) {
            CAPTURE(std::string(d.name));
            CHECK(d.r0_max == g.r0);
            CHECK(d.r1_max == g.r1);
            CHECK(d.ha_r0_overhead == g.har0);
            CHECK(d.track_length == g.len);
            CHECK(d.formula == g.formula);
            CHECK(d.f == g.f);
        }
    }
    const CkdDevice& a = dev("2305-1");
    CHECK((a.r0_max == 14568 && a.r1_max == 14136 && a.ha_r0_overhead == 432 && a.track_length == 14568));
    CHECK(a.f == std::array<uint16_t, 6>{202, 432, 0, 0, 0, 0});
    const CkdDevice& b = dev("2305-2");
    CHECK((b.r0_max == 14858 && b.r1_max == 14660 && b.ha_r0_overhead == 198 && b.track_length == 14858));
    CHECK(b.f == std::array<uint16_t, 6>{91, 198, 0, 0, 0, 0});
}

TEST_CASE("CKD rows: Hercules image track size and header device type byte")
{
    // Track sizes confirmed by running dasdinit (devices/README.md).
    struct {
        const char* name;
        uint32_t track_size;
        uint8_t devtype_byte;
    } cases[] = {
        {"2305-1", 14336, 0x05}, {"2305-2", 14848, 0x05}, {"2311", 4096, 0x11},   {"2314", 7680, 0x14},
        {"3330-1", 13312, 0x30}, {"3330-11", 13312, 0x30}, {"3340-35", 8704, 0x40}, {"3340-70", 8704, 0x40},
        {"3350", 19456, 0x50},   {"3375", 35840, 0x75},   {"3380", 47616, 0x80},   {"3380-K", 47616, 0x80},
        {"3390-1", 56832, 0x90}, {"3390-54", 56832, 0x90}, {"3390-A", 56832, 0x90}, {"9345-1", 46592, 0x45},
        {"9345-2", 46592, 0x45},
    };
    for (const auto& c : cases) {
        CAPTURE(c.name);
        CHECK(dev(c.name).hercules_track_size() == c.track_size);
        CHECK(dev(c.name).hercules_devtype() == c.devtype_byte);
    }
    for (const CkdDevice& d : ckd_devices()) {
        CAPTURE(std::string(d.name));
        CHECK(d.hercules_track_size() % 512 == 0);
        CHECK(d.hercules_track_size() >= d.r1_max + 37);
        CHECK(d.hercules_track_size() < d.r1_max + 37 + 512);
    }
}

TEST_CASE("CKD rows agree with the image headers Hercules' dasdinit writes")
{
    REQUIRE_MESSAGE(std::system("command -v dasdinit >/dev/null 2>&1") == 0, "Hercules' dasdinit is not installed");
    test::TempDir tmp;
    for (const char* type : {"2305-1", "2305-2", "2311", "2314", "3330", "3330-11", "3340", "3340-70", "3350", "3375",
                             "3380", "3390", "9345"}) {
        CAPTURE(type);
        std::string path = tmp.file(std::string("v") + type + ".img");
        std::string cmd = std::string("dasdinit '") + path + "' " + type + " VOL001 1 >/dev/null 2>&1";
        REQUIRE(std::system(cmd.c_str()) == 0);
        Bytes img = test::read_file(path);
        REQUIRE(img.size() >= 512);
        const CkdDevice& d = dev(type);
        CHECK(std::string(img.begin(), img.begin() + 8) == "CKD_P370");
        CHECK(load_le32(&img[8]) == d.heads);
        CHECK(load_le32(&img[12]) == d.hercules_track_size());
        CHECK(img[16] == d.hercules_devtype());
        CHECK(img.size() == 512 + uint64_t(d.heads) * d.hercules_track_size());
        // Hercules infers the model from the type byte and the cylinder count.
        CHECK(ckd_device_for_image(img[16], 1) == &ckd_devices_of_type(d.devtype)[0]);
    }
}

TEST_CASE("CKD rows of a type are contiguous; lookup by full type or by header byte")
{
    size_t total = 0;
    for (uint16_t type : {0x2305, 0x2311, 0x2314, 0x3330, 0x3340, 0x3350, 0x3375, 0x3380, 0x3390, 0x9345}) {
        CAPTURE(type);
        auto rows = ckd_devices_of_type(type);
        auto by_byte = ckd_devices_of_type(uint16_t(type & 0xFF));
        CHECK(rows.data() == by_byte.data());
        CHECK(rows.size() == by_byte.size());
        size_t n = 0;
        for (const CkdDevice& d : ckd_devices())
            n += d.devtype == type;
        CHECK(rows.size() == n);
        for (const CkdDevice& d : rows)
            CHECK(d.devtype == type);
        // Sorted by size, so the first row that reaches a count is the smallest that holds it.
        for (size_t i = 1; i < rows.size(); ++i)
            CHECK(rows[i - 1].total_cylinders() <= rows[i].total_cylinders());
        total += n;
    }
    CHECK(total == ckd_devices().size());
    CHECK(ckd_devices_of_type(0x3391).empty());
    CHECK(ckd_devices_of_type(0x91).empty());
    CHECK(ckd_devices_of_type(0).empty());
    CHECK(ckd_devices_of_type(0x9336).empty());
    CHECK(ckd_devices_of_type(0x3390).size() == 7);
    CHECK(ckd_devices_of_type(0x3380).size() == 7);
}

TEST_CASE("CKD model inference from an image's type byte and cylinder count (Hercules dasd_lookup)")
{
    struct {
        uint8_t byte;
        uint32_t cyls;
        const char* model;  // nullptr = none
    } cases[] = {
        {0x90, 3339, "3390-3"},   {0x90, 20, "3390-1"},      {0x90, 1, "3390-1"},      {0x90, 0, "3390-1"},
        {0x90, 1113, "3390-1"},   {0x90, 1114, "3390-1"},    {0x90, 1115, "3390-2"},   {0x90, 3340, "3390-3"},
        {0x90, 3341, "3390-9"},   {0x90, 10020, "3390-9"},   {0x90, 10021, "3390-27"}, {0x90, 32763, "3390-27"},
        {0x90, 32764, "3390-54"}, {0x90, 65523, "3390-54"},  {0x90, 65524, "3390-A"},  {0x90, 262668, "3390-A"},
        {0x90, 1182006, "3390-A"}, {0x90, 1182007, nullptr},
        {0x30, 13, "3330-1"},     {0x30, 411, "3330-1"},     {0x30, 412, "3330-11"},   {0x30, 815, "3330-11"},
        {0x30, 816, nullptr},     {0x40, 349, "3340-35"},    {0x40, 350, "3340-70"},   {0x40, 699, nullptr},
        {0x05, 48, "2305-1"},     {0x05, 49, "2305-2"},      {0x05, 97, nullptr},      {0x11, 203, "2311"},
        {0x11, 204, nullptr},     {0x14, 12, "2314"},        {0x50, 560, "3350"},      {0x50, 561, nullptr},
        {0x75, 962, "3375"},      {0x80, 885, "3380"},       {0x80, 886, "3380"},      {0x80, 887, "3380-E"},
        {0x80, 2658, "3380-K"},   {0x80, 3339, "EMC3380K+"}, {0x80, 3996, "EMC3380K++"}, {0x80, 3997, nullptr},
        {0x45, 1440, "9345-1"},   {0x45, 1441, "9345-2"},    {0x45, 2157, nullptr},
        {0x36, 10, nullptr},      {0x00, 10, nullptr},       {0x91, 10, nullptr},
    };
    for (const auto& c : cases) {
        CAPTURE(int(c.byte));
        CAPTURE(c.cyls);
        const CkdDevice* d = ckd_device_for_image(c.byte, c.cyls);
        if (c.model == nullptr) {
            CHECK(d == nullptr);
        } else {
            REQUIRE(d != nullptr);
            CHECK(d->name == c.model);
        }
    }
}

TEST_CASE("DDR device values: IBM R6 rows exactly (devices/README.md)")
{
    struct {
        const char* name;
        DdrGeometry ddr;
    } r6[] = {
        {"2305-1", {34, 47, 47, 7}},      {"2305-2", {75, 95, 95, 7}},     {"2311", {62, 202, 202, 9}},
        {"2314", {75, 202, 202, 19}},     {"2319", {75, 202, 202, 19}},    {"3330", {100, 403, 410, 18}},
        {"3330-11", {100, 807, 814, 18}}, {"3350", {110, 554, 559, 29}},   {"3340-35", {55, 347, 348, 11}},
        {"3340-70", {55, 695, 697, 11}},
    };
    for (const auto& r : r6) {
        CAPTURE(r.name);
        CHECK(dev(r.name).ddr == r.ddr);
        CHECK(dev(r.name).ddr_from == DdrValuesFrom::IbmR6);
    }
    size_t n = 0;
    for (const CkdDevice& d : ckd_devices())
        n += d.ddr_from == DdrValuesFrom::IbmR6;
    CHECK(n == 9);  // 2314 and 2319 are one row
}

TEST_CASE("DDR device values: 3380 as in the VM/370 CE DDR")
{
    for (const char* name : {"3380", "3380-D", "3380-J"}) {
        CAPTURE(name);
        CHECK(dev(name).ddr == DdrGeometry{100, 884, 885, 14});
        CHECK(dev(name).ddr_from == DdrValuesFrom::Vm370Ce);
    }
    CHECK(dev("3380-E").ddr == DdrGeometry{100, 1769, 1770, 14});
    CHECK(dev("3380-K").ddr == DdrGeometry{100, 2654, 2655, 14});
    CHECK(dev("3380-E").ddr_from == DdrValuesFrom::Vm370Ce);
    CHECK(dev("3380-K").ddr_from == DdrValuesFrom::Vm370Ce);
}

namespace {

// Our rule for MREC: the smallest multiple of 10 above the most records (KL=0, DL=0) a
// track holds.
uint16_t mrec_rule(const CkdDevice& d)
{
    return uint16_t((records_per_track(d, 0, 0) / 10 + 1) * 10);
}

} // namespace

TEST_CASE("DDR device values: our rule for the devices no DDR source covers")
{
    for (const CkdDevice& d : ckd_devices()) {
        CAPTURE(std::string(d.name));
        CHECK(d.ddr.mtck == d.heads - 1);  // holds for every row, IBM's included
        if (d.ddr_from != DdrValuesFrom::Rule)
            continue;
        CHECK(d.ddr.mrec == mrec_rule(d));
        if (d.eav) {
            CHECK(d.ddr.cylp == kDdrCylaEav);
            CHECK(d.ddr.cyla == kDdrCylaEav);
        } else {
            CHECK(d.ddr.cylp == d.cylinders - 1);
            CHECK(d.ddr.cyla == d.total_cylinders() - 1);
        }
    }
    CHECK(dev("3375").ddr == DdrGeometry{100, 958, 961, 11});
    CHECK(dev("3390-1").ddr == DdrGeometry{90, 1112, 1113, 14});
    CHECK(dev("3390-3").ddr == DdrGeometry{90, 3338, 3339, 14});
    CHECK(dev("3390-9").ddr == DdrGeometry{90, 10016, 10019, 14});
    CHECK(dev("3390-27").ddr == DdrGeometry{90, 32759, 32762, 14});
    CHECK(dev("3390-54").ddr == DdrGeometry{90, 65519, 65522, 14});
    CHECK(dev("3390-A").ddr == DdrGeometry{90, 0xFFFF, 0xFFFF, 14});
    CHECK(dev("9345-1").ddr == DdrGeometry{80, 1439, 1439, 14});
    CHECK(dev("9345-2").ddr == DdrGeometry{80, 2155, 2155, 14});
    CHECK(dev("EMC3380K+").ddr == DdrGeometry{100, 3338, 3341, 14});
    CHECK(dev("EMC3380K++").ddr == DdrGeometry{100, 3992, 3995, 14});
}

TEST_CASE("DDR device values: where IBM's own values follow our rule, and where they do not")
{
    // The most records (KL=0, DL=0) a track holds, from the capacity formula.
    CHECK(records_per_track(dev("2305-1"), 0, 0) == 33);
    CHECK(records_per_track(dev("2305-2"), 0, 0) == 75);
    CHECK(records_per_track(dev("2311"), 0, 0) == 60);
    CHECK(records_per_track(dev("2314"), 0, 0) == 73);
    CHECK(records_per_track(dev("3330"), 0, 0) == 97);
    CHECK(records_per_track(dev("3340-35"), 0, 0) == 51);
    CHECK(records_per_track(dev("3350"), 0, 0) == 104);
    CHECK(records_per_track(dev("3380"), 0, 0) == 93);
    // The MREC rule reproduces IBM's 3330 and 3350 values and CE's 3380 value...
    for (const char* name : {"3330-1", "3330-11", "3350", "3380", "3380-E", "3380-K"}) {
        CAPTURE(name);
        CHECK(dev(name).ddr.mrec == mrec_rule(dev(name)));
    }
    // ...while IBM chose tighter values elsewhere (2305-2's 75 is not even above the
    // 75 end-of-file records its track can hold).
    CHECK(mrec_rule(dev("2305-1")) == 40);
    CHECK(mrec_rule(dev("2305-2")) == 80);
    CHECK(mrec_rule(dev("2311")) == 70);
    CHECK(mrec_rule(dev("2314")) == 80);
    CHECK(mrec_rule(dev("3340-35")) == 60);
    // CYLA = primary + alternates - 1 holds for every R6 row; CYLP = primary - 1 holds
    // except on the 2311 and 2314, where IBM counts all 203 cylinders as primary.
    for (const CkdDevice& d : ckd_devices()) {
        if (d.ddr_from != DdrValuesFrom::IbmR6)
            continue;
        CAPTURE(std::string(d.name));
        CHECK(d.ddr.cyla == d.total_cylinders() - 1);
        if (d.devtype == 0x2311 || d.devtype == 0x2314)
            CHECK(d.ddr.cylp == d.total_cylinders() - 1);
        else
            CHECK(d.ddr.cylp == d.cylinders - 1);
    }
    // CE's 3380-E and -K assume one alternate cylinder where Hercules has two and three.
    CHECK(dev("3380-E").ddr.cyla == dev("3380-E").cylinders);
    CHECK(dev("3380-K").ddr.cyla == dev("3380-K").cylinders);
    // No fixed row reaches the EAV marker.
    for (const CkdDevice& d : ckd_devices())
        if (!d.eav)
            CHECK(d.ddr.cyla < kDdrCylaEav);
}

TEST_CASE("Device type from a DDR VHR's MREC, CYLA and MTCK")
{
    auto best = [](uint16_t mrec, uint16_t cyla, uint16_t mtck) {
        auto m = ckd_devices_for_vhr(mrec, cyla, mtck);
        return m.empty() ? std::string() : std::string(m[0].device->name);
    };
    // Every IBM R6 full-pack VHR names its own device first.
    CHECK(best(34, 47, 7) == "2305-1");
    CHECK(best(75, 95, 7) == "2305-2");
    CHECK(best(62, 202, 9) == "2311");
    CHECK(best(75, 202, 19) == "2314");
    CHECK(best(100, 410, 18) == "3330-1");
    CHECK(best(100, 814, 18) == "3330-11");
    CHECK(best(55, 348, 11) == "3340-35");
    CHECK(best(55, 697, 11) == "3340-70");
    CHECK(best(110, 559, 29) == "3350");
    CHECK(best(100, 1770, 14) == "3380-E");
    CHECK(best(90, 3339, 14) == "3390-3");
    CHECK(best(90, 65522, 14) == "3390-54");
    CHECK(best(80, 1439, 14) == "9345-1");

    SUBCASE("full details of a 3330 pack")
    {
        auto m = ckd_devices_for_vhr(100, 410, 18);
        REQUIRE(m.size() == 2);
        CHECK(m[0].device == &dev("3330-1"));
        CHECK(m[0].mrec_matches);
        CHECK(m[0].cyla_matches);
        CHECK(m[1].device == &dev("3330-11"));
        CHECK(m[1].mrec_matches);
        CHECK_FALSE(m[1].cyla_matches);
    }
    SUBCASE("a small CYLA (minidisk) cannot tell 3330 from 3330-11")
    {
        auto m = ckd_devices_for_vhr(100, 20, 18);
        CHECK(names_of(m) == Names{"3330-1", "3330-11"});
        CHECK_FALSE(m[0].cyla_matches);
        CHECK_FALSE(m[1].cyla_matches);
        CHECK(names_of(ckd_devices_for_vhr(55, 30, 11)) == Names{"3340-35", "3340-70", "3375"});
    }
    SUBCASE("3380 models with identical DDR values all come back, in table order")
    {
        auto m = ckd_devices_for_vhr(100, 885, 14);
        Names n = names_of(m);
        REQUIRE(n.size() >= 7);
        CHECK(Names(n.begin(), n.begin() + 7) ==
              Names{"3380", "3380-D", "3380-J", "3380-E", "3380-K", "EMC3380K+", "EMC3380K++"});
        // Then the other 15-head devices whose MREC differs, smallest first.
        CHECK(n[7] == "3390-1");
        for (size_t i = 0; i < 3; ++i)
            CHECK(m[i].cyla_matches);
        for (size_t i = 7; i < m.size(); ++i)
            CHECK_FALSE(m[i].mrec_matches);
    }
    SUBCASE("a MREC no row has still finds the devices by geometry")
    {
        auto m = ckd_devices_for_vhr(123, 3339, 14);
        REQUIRE_FALSE(m.empty());
        CHECK(m[0].device->name == "3390-3");
        CHECK(m[0].cyla_matches);
        CHECK_FALSE(m[0].mrec_matches);
    }
    SUBCASE("EAV marker")
    {
        CHECK(names_of(ckd_devices_for_vhr(90, kDdrCylaEav, 14)) == Names{"3390-A"});
        // A non-EAV VHR never suggests the EAV row.
        for (const VhrMatch& m : ckd_devices_for_vhr(90, 10, 14))
            CHECK_FALSE(m.device->eav);
    }
    SUBCASE("nothing fits")
    {
        CHECK(ckd_devices_for_vhr(100, 815, 18).empty());  // beyond every 3330
        CHECK(ckd_devices_for_vhr(100, 10, 3).empty());    // no 4-head device
        CHECK(ckd_devices_for_vhr(0, 0, 0).empty());
        CHECK(ckd_devices_for_vhr(90, 65523, 14).empty());  // beyond 3390-54, not the EAV marker
    }
    SUBCASE("every row's own values name it, or a row with identical values, first")
    {
        for (const CkdDevice& d : ckd_devices()) {
            CAPTURE(std::string(d.name));
            auto m = ckd_devices_for_vhr(d.ddr.mrec, d.ddr.cyla, d.ddr.mtck);
            REQUIRE_FALSE(m.empty());
            CHECK(m[0].device->ddr == d.ddr);
            CHECK(m[0].mrec_matches);
            CHECK(m[0].cyla_matches);
        }
    }
}

TEST_CASE("Capacity: records per track, every cell of the capacity table (devices/README.md)")
{
    const char* devices[] = {"2311", "2314", "3330", "3340", "3350", "3375", "3380", "3390", "9345"};
    struct {
        uint32_t blksize;
        uint32_t per_track[9];
    } table[] = {
        {80, {25, 40, 61, 34, 72, 75, 83, 78, 67}},  {512, {6, 11, 20, 12, 27, 40, 46, 49, 41}},
        {800, {4, 7, 14, 8, 19, 30, 36, 39, 33}},    {1024, {3, 6, 11, 7, 15, 25, 31, 33, 28}},
        {2048, {1, 3, 6, 3, 8, 14, 18, 21, 17}},     {3120, {1, 2, 4, 2, 5, 10, 13, 15, 12}},
        {4096, {0, 1, 3, 2, 4, 8, 10, 12, 10}},      {6144, {0, 1, 2, 1, 3, 5, 7, 8, 6}},
        {8192, {0, 0, 1, 1, 2, 4, 5, 6, 5}},         {18432, {0, 0, 0, 0, 1, 1, 2, 3, 2}},
        {23476, {0, 0, 0, 0, 0, 1, 2, 2, 1}},        {27998, {0, 0, 0, 0, 0, 1, 1, 2, 1}},
        {32760, {0, 0, 0, 0, 0, 1, 1, 1, 1}},        {47476, {0, 0, 0, 0, 0, 0, 1, 1, 0}},
        {56664, {0, 0, 0, 0, 0, 0, 0, 1, 0}},
    };
    for (const auto& row : table) {
        for (size_t i = 0; i < std::size(devices); ++i) {
            CAPTURE(devices[i]);
            CAPTURE(row.blksize);
            // Every model of the type has the same tracks.
            for (const CkdDevice& d : ckd_devices_of_type(dev(devices[i]).devtype))
                CHECK(records_per_track(d, 0, row.blksize) == row.per_track[i]);
        }
    }
}

TEST_CASE("Capacity: 3390 and 3380 facts, and R1 max is exactly one full track everywhere")
{
    const CkdDevice& d3390 = dev("3390-3");
    CHECK(records_per_track(d3390, 0, 80) == 78);
    CHECK(records_per_track(d3390, 0, 4096) == 12);
    CHECK(records_per_track(d3390, 0, 56664) == 1);
    CHECK(records_per_track(d3390, 0, 56665) == 0);
    CHECK(records_per_track(d3390, 0, 27998) == 2);
    CHECK(records_per_track(d3390, 0, 27999) == 1);
    CHECK(records_per_track(dev("3380"), 0, 47477) == 0);
    for (const CkdDevice& d : ckd_devices()) {
        CAPTURE(std::string(d.name));
        CHECK(records_per_track(d, 0, d.r1_max) == 1);
        CHECK(records_per_track(d, 0, d.r1_max + 1) == 0);
        CHECK(record_space(d, 0, d.r1_max).last <= d.track_length);
    }
    // The formulas use every byte of the track for a maximal record on these devices.
    for (const char* name : {"2311", "2314", "3330", "3340", "3350", "3375", "3380", "3390", "9345", "2305-1", "2305-2"})
        CHECK(record_space(dev(name), 0, dev(name).r1_max).last == dev(name).track_length);
}

TEST_CASE("Capacity: keyed records (a VTOC track of 44-byte keys and 96-byte DSCBs)")
{
    // IBM's published DSCBs per track.
    CHECK(records_per_track(dev("3390"), 44, 96) == 50);
    CHECK(records_per_track(dev("3380"), 44, 96) == 53);
    CHECK(records_per_track(dev("3350"), 44, 96) == 47);
    CHECK(records_per_track(dev("3330"), 44, 96) == 39);
    CHECK(records_per_track(dev("2314"), 44, 96) == 25);
    // Exact space of one keyed record, by hand from each formula.
    CHECK(record_space(dev("3390"), 44, 96).last == 782 + 374);
    CHECK(record_space(dev("3380"), 44, 96).last == 608 + 288);
    CHECK(record_space(dev("3330"), 44, 96).last == 44 + 96 + 56 + 135);
    RecordSpace s2314 = record_space(dev("2314"), 44, 96);
    CHECK(s2314.last == 44 + 96 + 45);
    CHECK(s2314.not_last == 140 * 2137 / 2048 + 45 + 101);
    // A key changes the space even with no data.
    CHECK(record_space(dev("3390"), 1, 0).last > record_space(dev("3390"), 0, 0).last);
}

TEST_CASE("Capacity: a whole track fits exactly when it has no more records than records_per_track")
{
    for (const CkdDevice& d : ckd_devices()) {
        CAPTURE(std::string(d.name));
        for (uint8_t kl : {uint8_t(0), uint8_t(8), uint8_t(44)}) {
            for (uint16_t dl : {uint16_t(0), uint16_t(1), uint16_t(80), uint16_t(800), uint16_t(1000),
                                uint16_t(4096), uint16_t(7000), uint16_t(13030)}) {
                CAPTURE(int(kl));
                CAPTURE(dl);
                uint32_t n = records_per_track(d, kl, dl);
                std::vector<RecordShape> track(n + 1, RecordShape{kl, dl});
                CHECK(track_fits(d, std::span(track).first(n)));
                CHECK_FALSE(track_fits(d, track));
            }
        }
    }
}

TEST_CASE("Capacity: the 2311/2314 last-record rule and mixed tracks")
{
    const CkdDevice& d = dev("2311");
    // Not last: 1000*537/512 + 61 = 1109; last: 1000.
    CHECK(record_space(d, 0, 1000).not_last == 1109);
    CHECK(record_space(d, 0, 1000).last == 1000);
    std::vector<RecordShape> three(3, RecordShape{0, 1000});
    CHECK(track_space_needed(d, three) == 1109 + 1109 + 1000);
    CHECK(track_fits(d, three));
    // A record that only fits when it is last: 3625 - 1109 = 2516 is the most after one 1000.
    std::vector<RecordShape> pair = {{0, 1000}, {0, 2516}};
    CHECK(track_space_needed(d, pair) == 3625);
    CHECK(track_fits(d, pair));
    pair[1].data_length = 2517;
    CHECK_FALSE(track_fits(d, pair));
    // Order matters on a 2311: the big record cannot go first.
    std::vector<RecordShape> swapped = {{0, 2516}, {0, 1000}};
    CHECK_FALSE(track_fits(d, swapped));
    // Other formulas charge a record the same wherever it is.
    for (const char* name : {"3330", "3380", "3390"}) {
        RecordSpace s = record_space(dev(name), 4, 3000);
        CHECK(s.last == s.not_last);
    }
    // An empty track always fits; so does R1 of R1max.
    CHECK(track_space_needed(dev("3390"), {}) == 0);
    CHECK(track_fits(dev("3390"), {}));
    RecordShape full{0, 56664};
    CHECK(track_fits(dev("3390"), std::span(&full, 1)));
    // A track Hercules would happily store but no real 3390 holds: 13 x 4096.
    std::vector<RecordShape> thirteen(13, RecordShape{0, 4096});
    CHECK_FALSE(track_fits(dev("3390"), thirteen));
    CHECK(track_fits(dev("3390"), std::span(thirteen).first(12)));
}

TEST_CASE("3390-A (EAV): range, geometry, and CCCCcccH addresses up to its last cylinder")
{
    const CkdDevice& a = dev("3390-A");
    CHECK(a.eav);
    CHECK(kEavMinCylinders == 65521);
    CHECK(kEavMaxCylinders == 1182006);
    CHECK(a.total_cylinders() == kEavMaxCylinders);
    CHECK(a.heads == 15);
    CHECK(a.track_length == dev("3390-3").track_length);
    CHECK(a.hercules_track_size() == 56832);
    // The last track of the largest EAV in the 28-bit cylinder form.
    CHECK(kEavMaxCylinders - 1 < (1u << 28));
    TrackAddress last{kEavMaxCylinders - 1, 14};
    auto cchh = encode_cchh(last);
    CHECK(decode_cchh(cchh.data(), a.heads <= 15) == last);
    // cylinder 1,182,005 = 0x12_0935: CC = 0x0935, HH = 0x012 << 4 | 14.
    CHECK(cchh == std::array<uint8_t, 4>{0x09, 0x35, 0x01, 0x2E});
    // Exactly one row is an EAV.
    size_t n = 0;
    for (const CkdDevice& d : ckd_devices())
        n += d.eav;
    CHECK(n == 1);
}
