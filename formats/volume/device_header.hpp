// The 512-byte device header that starts every Hercules DASD image file, plain or
// compressed, CKD or FBA (man/ddrimage.5 sections 3 and 4).  Numbers are little-endian:
//
//   0   8  magic: CKD_P370, CKD_P064, CKD_C370, FBA_C064, ... (ASCII, not terminated)
//   8   4  heads: tracks per cylinder (SDL's CFBA: the sector count)
//   12  4  track size: bytes per track slot (CFBA: 512)
//   16  1  device type, low byte (3390: X'90')
//   17  1  file sequence: 0 for a volume in one file, 1, 2, ... in a split set
//   18  2  last cylinder in this file; 0 in the last (or only) file
//   20  12 serial: SDL Hyperion's 12 ASCII digits; zeros from Hercules 3.13
//   32  480 zeros
#pragma once

#include "formats/io/bytes.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace ddr {

inline constexpr size_t kDeviceHeaderSize = 512;

struct DeviceHeader {
    std::array<char, 8> magic{};
    uint32_t heads = 0;
    uint32_t track_size = 0;
    uint8_t devtype_byte = 0;
    uint8_t file_sequence = 0;
    uint16_t last_cylinder = 0;
    std::array<char, 12> serial{};

    // The magic as text (its 8 bytes, whatever they are).
    std::string magic_text() const { return std::string(magic.data(), magic.size()); }
    // Sets the magic to `text`: its first 8 characters, zeros after a shorter one.
    void set_magic(std::string_view text);

    // The 512 bytes as dasdinit writes them: the fields above, zeros after byte 31.
    std::array<uint8_t, kDeviceHeaderSize> encode() const;
    // The fields of the 512 bytes at `p512` (bytes 32-511 are not looked at).
    static DeviceHeader decode(const uint8_t* p512);
};

} // namespace ddr
