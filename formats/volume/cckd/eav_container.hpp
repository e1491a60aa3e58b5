// CKD_E064: this project's own container for 3390 model A (EAV) volumes.
//
// No Hercules image can hold a volume of more than 65,536 cylinders (16-bit cylinder
// counts in its tables and headers), so ddr stores EAV volumes in a container of its
// own.  It is the CCKD64 layout (64-bit L1/L2 offsets, compressed track images, null
// L2 entries for empty tracks; see cckd_layout.hpp) under the magic "CKD_E064", with
// the geometry fixed to the 3390's, the true cylinder count in the compressed header
// and every CCHH in IBM's EAV form CCCCcccH (encode_cchh).  Hercules refuses the
// magic, which is what we want: it cannot run an EAV.  man/ddrimage.5 gives the
// layout byte by byte.
//
// The reading and writing code is the CCKD code (cckd_image.hpp), which applies the
// rules below whenever the magic is CKD_E064.
#pragma once

#include <cstdint>
#include <string>

namespace ddr::eav {

inline constexpr char kMagic[] = "CKD_E064";
// A 3390's track geometry, as in every Hercules 3390 image.
inline constexpr uint32_t kHeads = 15;
inline constexpr uint32_t kTrackSize = 56832;
inline constexpr uint8_t kDevtypeByte = 0x90;
// An EAV has more than 65,520 cylinders (IBM); the largest is 1,182,006 (about 1 TB).
// Smaller volumes are refused: they fit the Hercules formats, which Hercules can run,
// and a count above 65,520 alone tells any reader that the volume is a 3390-A.
inline constexpr uint32_t kMinCylinders = 65'521;
inline constexpr uint32_t kMaxCylinders = 1'182'006;

// Why `cylinders` cannot be the cylinder count of a CKD_E064 volume, or "" if it can.
// The text is a message tail ("65520 cylinders is not an EAV: ...").
std::string cylinder_count_problem(uint32_t cylinders);

// Why (heads, track size, device type byte) is not the CKD_E064 geometry, or "".
std::string geometry_problem(uint32_t heads, uint32_t track_size, uint8_t devtype_byte);

// "cyl 65536 head 1 (CCHH X'00000011')": the CCHH at `p` read in EAV form, for messages.
std::string describe_cchh(const uint8_t* p);

} // namespace ddr::eav
