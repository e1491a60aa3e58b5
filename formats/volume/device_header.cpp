#include "formats/volume/device_header.hpp"

#include <algorithm>
#include <cstring>

namespace ddr {

namespace {
// Where each field lies (man/ddrimage.5 section 3).
constexpr size_t kMagicAt = 0, kHeadsAt = 8, kTrackSizeAt = 12, kDevtypeAt = 16, kFileSequenceAt = 17,
                 kLastCylinderAt = 18, kSerialAt = 20;
} // namespace

void DeviceHeader::set_magic(std::string_view text)
{
    magic = {};
    std::copy_n(text.begin(), std::min(text.size(), magic.size()), magic.begin());
}

std::array<uint8_t, kDeviceHeaderSize> DeviceHeader::encode() const
{
    std::array<uint8_t, kDeviceHeaderSize> out{};
    uint8_t* p = out.data();
    std::memcpy(p + kMagicAt, magic.data(), magic.size());
    store_le32(p + kHeadsAt, heads);
    store_le32(p + kTrackSizeAt, track_size);
    p[kDevtypeAt] = devtype_byte;
    p[kFileSequenceAt] = file_sequence;
    store_le16(p + kLastCylinderAt, last_cylinder);
    std::memcpy(p + kSerialAt, serial.data(), serial.size());
    return out;
}

DeviceHeader DeviceHeader::decode(const uint8_t* p)
{
    DeviceHeader h;
    std::memcpy(h.magic.data(), p + kMagicAt, h.magic.size());
    h.heads = load_le32(p + kHeadsAt);
    h.track_size = load_le32(p + kTrackSizeAt);
    h.devtype_byte = p[kDevtypeAt];
    h.file_sequence = p[kFileSequenceAt];
    h.last_cylinder = load_le16(p + kLastCylinderAt);
    std::memcpy(h.serial.data(), p + kSerialAt, h.serial.size());
    return h;
}

} // namespace ddr
