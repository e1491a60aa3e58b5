// A track's address and its CCHH, the four bytes that name a track in a home address, a
// count field, a DDR volume header and ddr's trailer (man/ddrimage.5 section 2, "CCHH
// forms"; formats/README.md):
//
//   plain form  CC = cylinder, HH = head                        cylinders 0 - 65,535
//   EAV form    CC = low 16 bits of a 28-bit cylinder,           3390-A (15 heads)
//               HH = its high 12 bits, then the head in 4 bits
//
// Below cylinder 65,536 both forms are the same bytes.  The four bytes are also read as
// one big-endian number ("the CCHH value": CC in the high half, HH in the low), which
// is how the trailer and the extent map keep an address.
#pragma once

#include <array>
#include <cstdint>

namespace ddr {

// A track address.  Cylinders above 65,535 exist only on EAV volumes (3390-A).
struct TrackAddress {
    uint32_t cyl = 0;
    uint32_t head = 0;
    friend bool operator==(const TrackAddress&, const TrackAddress&) = default;
    friend auto operator<=>(const TrackAddress&, const TrackAddress&) = default;
};

// The CCHH bytes of `addr`: the plain form up to cylinder 65,535, the EAV form above
// (whose head must then fit 4 bits, as on every device with an EAV).
std::array<uint8_t, 4> encode_cchh(TrackAddress addr);
void encode_cchh(uint8_t* out, TrackAddress addr);
// The address the 4 CCHH bytes at `p` name.  `eav_form` must be true only for devices
// with at most 15 heads, where the top 12 bits of HH can only mean cylinder bits.
TrackAddress decode_cchh(const uint8_t* p, bool eav_form);

// The CCHH value of `addr`: its CCHH bytes read as one big-endian number.
uint32_t cchh_value(TrackAddress addr);
// The CCHH value whose halves are `cc` and `hh`.
constexpr uint32_t cchh_value(uint16_t cc, uint16_t hh) { return uint32_t(cc) << 16 | hh; }
// The CC and HH halves of a CCHH value, or of the CCHH of an address.
constexpr uint16_t cc_of(uint32_t cchh) { return uint16_t(cchh >> 16); }
constexpr uint16_t hh_of(uint32_t cchh) { return uint16_t(cchh); }
inline uint16_t cc_of(TrackAddress addr) { return cc_of(cchh_value(addr)); }
inline uint16_t hh_of(TrackAddress addr) { return hh_of(cchh_value(addr)); }
// The address a CCHH value names (see decode_cchh for `eav_form`).
TrackAddress address_of(uint32_t cchh, bool eav_form);

// Whether the CCHHs of a device with `heads` heads per cylinder are read in EAV form:
// with at most 15 heads the head fits the low 4 bits of HH, so its top 12 bits can only
// be cylinder bits.  (Devices with more heads never have an EAV.)
constexpr bool eav_form_for_heads(uint32_t heads) { return heads <= 15; }

} // namespace ddr
