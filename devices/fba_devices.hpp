// The FBA (fixed-block) device table: every model Hercules knows, plus a generic
// "FB-512" device of any size.  FBA blocks are always 512 bytes (formats/volume.hpp).
//
// Sources and choices: devices/README.md.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace ddr {

// The largest FB-512 volume we accept: block numbers must fit 32 bits.
inline constexpr uint64_t kFbaMaxBlocks = 0xFFFF'FFFF;

struct FbaDevice {
    std::string_view name;                    // canonical name, e.g. "9336"
    std::array<std::string_view, 3> aliases;  // other accepted names; "" = unused
    uint16_t devtype = 0;                     // 0x9336 (0x0671 for the 0671)
    uint8_t rdc_type = 0;                     // device type byte of Read Device Characteristics
    uint8_t rdc_model = 0;
    uint16_t blocks_per_group = 0;            // blocks per cyclical group
    uint16_t blocks_per_position = 0;         // blocks per access position
    uint32_t blocks = 0;                      // blocks on the device; 0 = any size (FB-512)

    // The device type byte Hercules writes in a CFBA header: the low byte of devtype.
    constexpr uint8_t hercules_devtype() const { return uint8_t(devtype & 0xFF); }
    constexpr bool any_size() const { return blocks == 0; }
    constexpr uint64_t bytes() const { return uint64_t(blocks) * 512; }
};

// Every row; the generic FB-512 row is last.
std::span<const FbaDevice> fba_devices();

// The generic FB-512 row: any block count from 1 to kFbaMaxBlocks.
const FbaDevice& generic_fba_device();

// The row named `name` (canonical or alias, any case; "FB-512" is the generic row), or nullptr.
const FbaDevice* find_fba_device(std::string_view name);

// The device a volume of `blocks` blocks is: the model with exactly that many blocks,
// otherwise the generic FB-512.  nullptr for 0 blocks or more than kFbaMaxBlocks.
// (Exact match only: no two models share a block count, so the answer never depends on
// table order, unlike Hercules' own size lookup; see README.md.)
const FbaDevice* fba_device_for_blocks(uint64_t blocks);

} // namespace ddr
