#include "devices/fba_devices.hpp"

#include "devices/names.hpp"

#include <iterator>

namespace ddr {
namespace {

// Hercules 3.13's FBA table (devices/README.md, "FBA devices"), with the aliases SDL Hercules
// adds.  The generic row takes the 9336 type because z/VM presents its FBA disks of
// arbitrary size (virtual disks in storage, SCSI EDEVs) as 9336s; it has no RDC data.
constexpr FbaDevice kFbaDevices[] = {
    // name, aliases, devtype, rdc type, rdc model, blocks/group, blocks/position, blocks
    {"3310", {"3310-1"}, 0x3310, 0x01, 0x01, 32, 352, 125'664},
    {"3370", {"3370-1", "3370-A1", "3370-B1"}, 0x3370, 0x02, 0x00, 62, 744, 558'000},
    {"3370-2", {"3370-A2", "3370-B2"}, 0x3370, 0x05, 0x04, 62, 744, 712'752},
    {"9313", {"9313-1"}, 0x9313, 0x08, 0x00, 96, 480, 246'240},
    {"9332", {"9332-400", "9332-200", "9332-1"}, 0x9332, 0x07, 0x00, 73, 292, 360'036},
    {"9332-600", {}, 0x9332, 0x07, 0x01, 73, 292, 554'800},
    {"9335", {"9335-1"}, 0x9335, 0x06, 0x01, 71, 426, 804'714},
    {"9336", {"9336-10", "9336-1"}, 0x9336, 0x11, 0x00, 63, 315, 920'115},
    {"9336-20", {"9336-25"}, 0x9336, 0x11, 0x10, 111, 777, 1'672'881},
    {"0671", {"0671-1"}, 0x0671, 0x12, 0x00, 63, 504, 574'560},
    {"0671-04", {}, 0x0671, 0x12, 0x04, 63, 504, 624'456},
    {"0671-08", {}, 0x0671, 0x12, 0x08, 63, 504, 513'072},
    {"FB-512", {}, 0x9336, 0x00, 0x00, 0, 0, 0},
};

constexpr const FbaDevice& kGeneric = kFbaDevices[std::size(kFbaDevices) - 1];

} // namespace

std::span<const FbaDevice> fba_devices() { return kFbaDevices; }

const FbaDevice& generic_fba_device() { return kGeneric; }

const FbaDevice* find_fba_device(std::string_view name)
{
    return find_by_name(std::span<const FbaDevice>(kFbaDevices), name);
}

const FbaDevice* fba_device_for_blocks(uint64_t blocks)
{
    if (blocks == 0 || blocks > kFbaMaxBlocks)
        return nullptr;
    for (const FbaDevice& d : kFbaDevices)
        if (d.blocks == blocks)
            return &d;
    return &kGeneric;
}

} // namespace ddr
