#include "formats/io/cchh.hpp"

#include "formats/io/bytes.hpp"

namespace ddr {

void encode_cchh(uint8_t* out, TrackAddress addr)
{
    if (addr.cyl <= 0xFFFF) {
        store_be16(out, uint16_t(addr.cyl));
        store_be16(out + 2, uint16_t(addr.head));
    } else {
        store_be16(out, uint16_t(addr.cyl & 0xFFFF));
        store_be16(out + 2, uint16_t(((addr.cyl >> 16) & 0xFFF) << 4 | (addr.head & 0xF)));
    }
}

std::array<uint8_t, 4> encode_cchh(TrackAddress addr)
{
    std::array<uint8_t, 4> out{};
    encode_cchh(out.data(), addr);
    return out;
}

TrackAddress decode_cchh(const uint8_t* p, bool eav_form)
{
    return address_of(load_be32(p), eav_form);
}

uint32_t cchh_value(TrackAddress addr)
{
    return load_be32(encode_cchh(addr).data());
}

TrackAddress address_of(uint32_t cchh, bool eav_form)
{
    const uint16_t cc = cc_of(cchh), hh = hh_of(cchh);
    if (!eav_form)
        return {cc, hh};
    return {uint32_t(hh >> 4) << 16 | cc, uint32_t(hh & 0xF)};
}

} // namespace ddr
