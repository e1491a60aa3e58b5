#include "formats/ddrtape/records.hpp"

#include "formats/io/error.hpp"
#include "formats/io/wording.hpp"
#include "formats/volume/cp_volume.hpp"

#include <algorithm>
#include <cstring>
#include <ctime>

namespace ddr {

namespace {
constexpr uint8_t kBlank = 0x40;
constexpr std::array<uint8_t, 4> kIdVhr = {0xE5, 0xC8, 0xD9, 0x40};  // 'VHR '
constexpr std::array<uint8_t, 4> kIdEov = {0xC5, 0xD6, 0xE5, 0x40};  // 'EOV '
constexpr std::array<uint8_t, 4> kIdEoj = {0xC5, 0xD6, 0xD1, 0x40};  // 'EOJ '

const std::array<uint8_t, 4>& id_of(DdrHeaderKind kind)
{
    switch (kind) {
    case DdrHeaderKind::Vhr: return kIdVhr;
    case DdrHeaderKind::Eov: return kIdEov;
    case DdrHeaderKind::Eoj: return kIdEoj;
    }
    return kIdVhr;
}

} // namespace

DdrVolumeHeader::DdrVolumeHeader()
{
    spare_36.fill(kBlank);
}

std::array<uint8_t, kDdrHeaderSize> DdrVolumeHeader::encode() const
{
    std::array<uint8_t, kDdrHeaderSize> out;
    out.fill(kBlank);
    const auto& id = id_of(kind);
    std::copy(id.begin(), id.end(), out.begin());
    store_be16(&out[4], bb);
    store_be16(&out[6], cc);
    store_be16(&out[8], hh);
    std::copy(spare_10.begin(), spare_10.end(), out.begin() + 10);
    store_be64(&out[16], tod);
    store_be16(&out[24], mrec);
    store_be16(&out[26], cyla);
    store_be16(&out[28], mtck);
    std::copy(volser.begin(), volser.end(), out.begin() + 30);
    std::copy(spare_36.begin(), spare_36.end(), out.begin() + 36);
    return out;
}

std::optional<DdrHeaderKind> DdrVolumeHeader::kind_of(ByteSpan block)
{
    if (block.size() != kDdrHeaderSize)
        return std::nullopt;
    for (DdrHeaderKind k : {DdrHeaderKind::Vhr, DdrHeaderKind::Eov, DdrHeaderKind::Eoj}) {
        const auto& id = id_of(k);
        if (std::equal(id.begin(), id.end(), block.begin()))
            return k;
    }
    return std::nullopt;
}

DdrVolumeHeader DdrVolumeHeader::decode(ByteSpan block)
{
    auto k = kind_of(block);
    if (!k)
        fail(ErrorKind::Unreadable, block.size() == kDdrHeaderSize
                                        ? "80-byte block is not a VHR, EOV or EOJ record"
                                        : std::string(article_before(block.size())) + " " + std::to_string(block.size()) +
                                              "-byte block is not a DDR volume header (80 bytes)");
    DdrVolumeHeader h;
    h.kind = *k;
    const uint8_t* p = block.data();
    h.bb = load_be16(p + 4);
    h.cc = load_be16(p + 6);
    h.hh = load_be16(p + 8);
    std::copy(p + 10, p + 16, h.spare_10.begin());
    h.tod = load_be64(p + 16);
    h.mrec = load_be16(p + 24);
    h.cyla = load_be16(p + 26);
    h.mtck = load_be16(p + 28);
    std::copy(p + 30, p + 36, h.volser.begin());
    std::copy(p + 36, p + 80, h.spare_36.begin());
    return h;
}

void DdrVolumeHeader::set_eav_last_cylinder(uint32_t last)
{
    store_be32(spare_10.data(), last);
}

std::optional<uint32_t> DdrVolumeHeader::eav_last_cylinder() const
{
    if (cyla != kDdrCylaEav)
        return std::nullopt;
    const uint32_t last = load_be32(spare_10.data());
    if (last < kEavMinCylinders - 1 || last >= kEavMaxCylinders)
        return std::nullopt;
    return last;
}

DdrVolumeHeader DdrVolumeHeader::as(DdrHeaderKind k, uint16_t new_cc, uint16_t new_hh) const
{
    DdrVolumeHeader h = *this;
    h.kind = k;
    h.bb = 0;
    h.cc = new_cc;
    h.hh = new_hh;
    return h;
}

const char* header_name(DdrHeaderKind kind)
{
    switch (kind) {
    case DdrHeaderKind::Vhr: return "VHR";
    case DdrHeaderKind::Eov: return "EOV";
    case DdrHeaderKind::Eoj: return "EOJ";
    }
    return "?";
}

bool is_nucleus_record(ByteSpan block)
{
    return is_cp_checkpoint(block);
}

} // namespace ddr
