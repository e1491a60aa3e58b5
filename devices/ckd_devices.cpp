#include "devices/ckd_devices.hpp"

#include "devices/names.hpp"

#include <algorithm>

namespace ddr {
namespace {

using F = CapacityFormula;
using From = DdrValuesFrom;

// Geometry and formula constants: Hercules 3.13's table (devices/README.md, "Geometry").
// DDR values: IBM R6 and VM/370 CE where they exist, our rule otherwise (README.md).
// 3390-A: same track geometry as every 3390; its RDC model byte X'0C' is assumed to be
// that of the other large 3390 models (not confirmed from an IBM source).
constexpr CkdDevice kCkdDevices[] = {
    // name, aliases, devtype, rdc model, cyls, alt, heads, R0max, R1max, HA+R0, len,
    // formula, f1..f6, DDR {MREC, CYLP, CYLA, MTCK}, source
    {"2305-1", {"2305"}, 0x2305, 0x00, 48, 0, 8, 14568, 14136, 432, 14568,
     F::F3330, {202, 432}, {34, 47, 47, 7}, From::IbmR6},
    {"2305-2", {}, 0x2305, 0x02, 96, 0, 8, 14858, 14660, 198, 14858,
     F::F3330, {91, 198}, {75, 95, 95, 7}, From::IbmR6},
    {"2311", {"2311-1"}, 0x2311, 0x00, 200, 3, 10, 0, 3625, 0, 3625,
     F::F2311, {20, 61, 537, 512}, {62, 202, 202, 9}, From::IbmR6},
    {"2314", {"2314-1", "2319"}, 0x2314, 0x00, 200, 3, 20, 0, 7294, 0, 7294,
     F::F2311, {45, 101, 2137, 2048}, {75, 202, 202, 19}, From::IbmR6},
    {"3330-1", {"3330"}, 0x3330, 0x01, 404, 7, 19, 13165, 13030, 135, 13165,
     F::F3330, {56, 135}, {100, 403, 410, 18}, From::IbmR6},
    {"3330-11", {"3330-2"}, 0x3330, 0x11, 808, 7, 19, 13165, 13030, 135, 13165,
     F::F3330, {56, 135}, {100, 807, 814, 18}, From::IbmR6},
    {"3340-35", {"3340", "3340-1"}, 0x3340, 0x01, 348, 1, 12, 8535, 8368, 167, 8535,
     F::F3330, {75, 167}, {55, 347, 348, 11}, From::IbmR6},
    {"3340-70", {"3340-2"}, 0x3340, 0x02, 696, 2, 12, 8535, 8368, 167, 8535,
     F::F3330, {75, 167}, {55, 695, 697, 11}, From::IbmR6},
    {"3350", {"3350-1"}, 0x3350, 0x00, 555, 5, 30, 19254, 19069, 185, 19254,
     F::F3330, {82, 185}, {110, 554, 559, 29}, From::IbmR6},
    {"3375", {"3375-1"}, 0x3375, 0x02, 959, 3, 12, 36000, 35616, 832, 36000,
     F::F3380, {32, 384, 160}, {100, 958, 961, 11}, From::Rule},
    {"3380", {"3380-1", "3380-A", "3380-B"}, 0x3380, 0x02, 885, 1, 15, 47988, 47476, 1088, 47968,
     F::F3380, {32, 492, 236}, {100, 884, 885, 14}, From::Vm370Ce},
    {"3380-D", {}, 0x3380, 0x06, 885, 1, 15, 47988, 47476, 1088, 47968,
     F::F3380, {32, 492, 236}, {100, 884, 885, 14}, From::Vm370Ce},
    {"3380-J", {}, 0x3380, 0x16, 885, 1, 15, 47988, 47476, 1088, 47968,
     F::F3380, {32, 492, 236}, {100, 884, 885, 14}, From::Vm370Ce},
    {"3380-E", {"3380-2"}, 0x3380, 0x0A, 1770, 2, 15, 47988, 47476, 1088, 47968,
     F::F3380, {32, 492, 236}, {100, 1769, 1770, 14}, From::Vm370Ce},
    {"3380-K", {"3380-3"}, 0x3380, 0x1E, 2655, 3, 15, 47988, 47476, 1088, 47968,
     F::F3380, {32, 492, 236}, {100, 2654, 2655, 14}, From::Vm370Ce},
    {"EMC3380K+", {}, 0x3380, 0x1E, 3339, 3, 15, 47988, 47476, 1088, 47968,
     F::F3380, {32, 492, 236}, {100, 3338, 3341, 14}, From::Rule},
    {"EMC3380K++", {}, 0x3380, 0x1E, 3993, 3, 15, 47988, 47476, 1088, 47968,
     F::F3380, {32, 492, 236}, {100, 3992, 3995, 14}, From::Rule},
    {"3390-1", {"3390"}, 0x3390, 0x02, 1113, 1, 15, 57326, 56664, 1428, 58786,
     F::F3390, {34, 19, 9, 6, 116, 6}, {90, 1112, 1113, 14}, From::Rule},
    {"3390-2", {}, 0x3390, 0x06, 2226, 1, 15, 57326, 56664, 1428, 58786,
     F::F3390, {34, 19, 9, 6, 116, 6}, {90, 2225, 2226, 14}, From::Rule},
    {"3390-3", {}, 0x3390, 0x0A, 3339, 1, 15, 57326, 56664, 1428, 58786,
     F::F3390, {34, 19, 9, 6, 116, 6}, {90, 3338, 3339, 14}, From::Rule},
    {"3390-9", {}, 0x3390, 0x0C, 10017, 3, 15, 57326, 56664, 1428, 58786,
     F::F3390, {34, 19, 9, 6, 116, 6}, {90, 10016, 10019, 14}, From::Rule},
    {"3390-27", {"3390-J"}, 0x3390, 0x0C, 32760, 3, 15, 57326, 56664, 1428, 58786,
     F::F3390, {34, 19, 9, 6, 116, 6}, {90, 32759, 32762, 14}, From::Rule},
    {"3390-54", {"3390-JJ"}, 0x3390, 0x0C, 65520, 3, 15, 57326, 56664, 1428, 58786,
     F::F3390, {34, 19, 9, 6, 116, 6}, {90, 65519, 65522, 14}, From::Rule},
    {"3390-A", {}, 0x3390, 0x0C, kEavMaxCylinders, 0, 15, 57326, 56664, 1428, 58786,
     F::F3390, {34, 19, 9, 6, 116, 6}, {90, kDdrCylaEav, kDdrCylaEav, 14}, From::Rule, true},
    {"9345-1", {"9345"}, 0x9345, 0x04, 1440, 0, 15, 48174, 46456, 1184, 48280,
     F::F3390, {34, 18, 7, 6, 116, 6}, {80, 1439, 1439, 14}, From::Rule},
    {"9345-2", {}, 0x9345, 0x04, 2156, 0, 15, 48174, 46456, 1184, 48280,
     F::F3390, {34, 18, 7, 6, 116, 6}, {80, 2155, 2155, 14}, From::Rule},
};

constexpr bool type_matches(const CkdDevice& d, uint16_t devtype)
{
    return devtype <= 0xFF ? d.hercules_devtype() == devtype : d.devtype == devtype;
}

constexpr uint64_t round_up(uint64_t x, uint64_t k) { return (x + k - 1) / k * k; }
constexpr uint64_t div_up(uint64_t x, uint64_t k) { return (x + k - 1) / k; }

} // namespace

std::span<const CkdDevice> ckd_devices() { return kCkdDevices; }

std::span<const CkdDevice> ckd_devices_of_type(uint16_t devtype)
{
    std::span<const CkdDevice> all = kCkdDevices;
    auto first = std::find_if(all.begin(), all.end(), [&](const CkdDevice& d) { return type_matches(d, devtype); });
    auto last = std::find_if(first, all.end(), [&](const CkdDevice& d) { return !type_matches(d, devtype); });
    return all.subspan(size_t(first - all.begin()), size_t(last - first));
}

const CkdDevice* find_ckd_device(std::string_view name)
{
    return find_by_name(std::span<const CkdDevice>(kCkdDevices), name);
}

const CkdDevice* ckd_device_for_image(uint8_t hercules_devtype, uint32_t cylinders)
{
    for (const CkdDevice& d : ckd_devices_of_type(hercules_devtype))
        if (d.total_cylinders() >= cylinders)
            return &d;
    return nullptr;
}

std::vector<VhrMatch> ckd_devices_for_vhr(uint16_t mrec, uint16_t cyla, uint16_t mtck)
{
    std::vector<VhrMatch> out;
    for (const CkdDevice& d : kCkdDevices) {
        if (d.ddr.mtck != mtck)
            continue;
        bool fits = d.eav ? cyla == kDdrCylaEav : cyla <= d.ddr.cyla;
        if (fits)
            out.push_back({&d, d.ddr.mrec == mrec, d.ddr.cyla == cyla});
    }
    // Table order is the final tie-break, so the sort must be stable.
    std::stable_sort(out.begin(), out.end(), [](const VhrMatch& a, const VhrMatch& b) {
        if (a.mrec_matches != b.mrec_matches)
            return a.mrec_matches;
        if (a.cyla_matches != b.cyla_matches)
            return a.cyla_matches;
        return a.device->ddr.cyla < b.device->ddr.cyla;
    });
    return out;
}

RecordSpace record_space(const CkdDevice& dev, uint32_t key_length, uint32_t data_length)
{
    const uint64_t kl = key_length, dl = data_length;
    const bool keyed = kl != 0;
    const auto& f = dev.f;
    uint64_t not_last = 0, last = 0;
    switch (dev.formula) {
    case CapacityFormula::F2311: {
        // f1 = key overhead, f2 = gap after a record, f3/f4 = the bit-density factor
        // applied to a record that has another one after it.
        uint64_t key_overhead = keyed ? f[0] : 0;
        last = kl + dl + key_overhead;
        not_last = (kl + dl) * f[2] / f[3] + key_overhead + f[1];
        break;
    }
    case CapacityFormula::F3330:
        not_last = last = kl + dl + (keyed ? f[0] : 0) + f[1];
        break;
    case CapacityFormula::F3380: {
        uint64_t data = round_up(dl + f[1], f[0]);
        uint64_t key = keyed ? round_up(kl + f[2], f[0]) : 0;
        not_last = last = data + key;
        break;
    }
    case CapacityFormula::F3390: {
        // f1 = cell size, f2/f3 = cells of fixed overhead for the data/key area,
        // f4 = bytes per segment, f5*2 = segment size, f6 = pad.
        uint64_t data_segments = div_up(dl + f[5], 2 * uint64_t(f[4]));
        uint64_t key_segments = div_up(kl + f[5], 2 * uint64_t(f[4]));
        uint64_t data = round_up(uint64_t(f[0]) * f[1] + dl + f[5] + f[3] * data_segments, f[0]);
        uint64_t key = keyed ? round_up(uint64_t(f[0]) * f[2] + kl + f[5] + f[3] * key_segments, f[0]) : 0;
        not_last = last = data + key;
        break;
    }
    }
    return {not_last, last};
}

uint32_t records_per_track(const CkdDevice& dev, uint32_t key_length, uint32_t data_length)
{
    RecordSpace s = record_space(dev, key_length, data_length);
    if (s.last > dev.track_length)
        return 0;
    // Every formula charges a fixed overhead per record, so not_last is never 0.
    return uint32_t((dev.track_length - s.last) / s.not_last + 1);
}

uint64_t track_space_needed(const CkdDevice& dev, std::span<const RecordShape> records)
{
    uint64_t total = 0;
    for (size_t i = 0; i < records.size(); ++i) {
        RecordSpace s = record_space(dev, records[i].key_length, records[i].data_length);
        total += i + 1 == records.size() ? s.last : s.not_last;
    }
    return total;
}

bool track_fits(const CkdDevice& dev, std::span<const RecordShape> records)
{
    return track_space_needed(dev, records) <= dev.track_length;
}

} // namespace ddr
