#include "formats/volume/cckd/eav_container.hpp"

#include "formats/io/bytes.hpp"
#include "formats/io/wording.hpp"
#include "formats/volume/ckd_track.hpp"

#include <cstdio>

namespace ddr::eav {

std::string cylinder_count_problem(uint32_t cylinders)
{
    if (cylinders < kMinCylinders)
        return std::to_string(cylinders) +
               " cylinders is not an EAV: CKD_E064 holds 3390 model A volumes of 65,521 to 1,182,006 cylinders; "
               "a volume of 65,520 or fewer belongs in CKD_C064 or plain CKD, which Hercules can run";
    if (cylinders > kMaxCylinders)
        return std::to_string(cylinders) +
               " cylinders is more than the largest EAV: CKD_E064 holds 3390 model A volumes of 65,521 to "
               "1,182,006 cylinders";
    return "";
}

std::string geometry_problem(uint32_t heads, uint32_t track_size, uint8_t devtype_byte)
{
    if (heads != kHeads)
        return std::to_string(heads) + " heads per cylinder; a CKD_E064 volume is a 3390 with 15";
    if (track_size != kTrackSize)
        return "track size " + std::to_string(track_size) + "; a CKD_E064 volume has the 3390's 56,832-byte tracks";
    if (devtype_byte != kDevtypeByte)
        return "device type byte " + hex_byte(devtype_byte, HexStyle::C) + "; a CKD_E064 volume is a 3390 (0x90)";
    return "";
}

std::string describe_cchh(const uint8_t* p)
{
    const TrackAddress a = decode_cchh(p, true);
    char raw[16];
    std::snprintf(raw, sizeof raw, "%08X", unsigned(load_be32(p)));
    return "cyl " + std::to_string(a.cyl) + " head " + std::to_string(a.head) + " (CCHH X'" + raw + "')";
}

} // namespace ddr::eav
