#include "formats/volume/cckd/layout.hpp"

#include <cstring>

namespace ddr::cckd {

namespace {

uint16_t load16(const uint8_t* p, ByteOrder o) { return o == ByteOrder::Big ? load_be16(p) : load_le16(p); }
uint32_t load32(const uint8_t* p, ByteOrder o) { return o == ByteOrder::Big ? load_be32(p) : load_le32(p); }
uint64_t load64(const uint8_t* p, ByteOrder o) { return o == ByteOrder::Big ? load_be64(p) : load_le64(p); }
void store16(uint8_t* p, uint16_t v, ByteOrder o) { o == ByteOrder::Big ? store_be16(p, v) : store_le16(p, v); }
void store32(uint8_t* p, uint32_t v, ByteOrder o) { o == ByteOrder::Big ? store_be32(p, v) : store_le32(p, v); }
void store64(uint8_t* p, uint64_t v, ByteOrder o) { o == ByteOrder::Big ? store_be64(p, v) : store_le64(p, v); }

struct MagicName {
    const char* text;
    Flavor flavor;
    bool wide;
    bool shadow;
    bool eav;
};

constexpr MagicName kMagics[] = {
    {"CKD_C370", Flavor::Ckd, false, false, false}, {"CKD_S370", Flavor::Ckd, false, true, false},
    {"FBA_C370", Flavor::Fba, false, false, false}, {"FBA_S370", Flavor::Fba, false, true, false},
    {"CKD_C064", Flavor::Ckd, true, false, false},  {"CKD_S064", Flavor::Ckd, true, true, false},
    {"FBA_C064", Flavor::Fba, true, false, false},  {"FBA_S064", Flavor::Fba, true, true, false},
    {"CKD_E064", Flavor::Ckd, true, false, true},  // ours: EAV volumes (eav_container.hpp)
};

} // namespace

std::optional<Kind> classify_magic(const uint8_t* first8)
{
    for (const auto& m : kMagics) {
        if (std::memcmp(first8, m.text, 8) == 0)
            return Kind{m.flavor, m.wide, m.shadow, m.text, m.eav};
    }
    return std::nullopt;
}

std::string magic_for(Flavor flavor, bool wide)
{
    if (flavor == Flavor::Ckd)
        return wide ? "CKD_C064" : "CKD_C370";
    return wide ? "FBA_C064" : "FBA_C370";
}

CompressedHeader CompressedHeader::parse(const uint8_t* p, bool wide)
{
    CompressedHeader h;
    std::memcpy(h.vrm.data(), p, 3);
    h.options = p[3];
    const ByteOrder o = h.order();
    h.numl1tab = load32(p + 4, o);
    h.numl2tab = load32(p + 8, o);
    if (wide) {
        h.cyls = load_le32(p + 12);
        h.size = load64(p + 16, o);
        h.used = load64(p + 24, o);
        h.free = load64(p + 32, o);
        h.free_total = load64(p + 40, o);
        h.free_largest = load64(p + 48, o);
        h.free_number = load64(p + 56, o);
        h.free_imbed = load64(p + 64, o);
        h.nullfmt = p[72];
        h.compress = p[73];
        h.compress_parm = load16(p + 74, o);
    } else {
        h.size = load32(p + 12, o);
        h.used = load32(p + 16, o);
        h.free = load32(p + 20, o);
        h.free_total = load32(p + 24, o);
        h.free_largest = load32(p + 28, o);
        h.free_number = load32(p + 32, o);
        h.free_imbed = load32(p + 36, o);
        h.cyls = load_le32(p + 40);
        h.nullfmt = p[44];
        h.compress = p[45];
        h.compress_parm = load16(p + 46, o);
    }
    return h;
}

void CompressedHeader::store(uint8_t* p, bool wide, ByteOrder o) const
{
    std::memset(p, 0, kCompressedHeaderSize);
    std::memcpy(p, vrm.data(), 3);
    p[3] = uint8_t(o == ByteOrder::Big ? (options | kOptBigEndian) : (options & ~kOptBigEndian));
    store32(p + 4, numl1tab, o);
    store32(p + 8, numl2tab, o);
    if (wide) {
        store_le32(p + 12, cyls);
        store64(p + 16, size, o);
        store64(p + 24, used, o);
        store64(p + 32, free, o);
        store64(p + 40, free_total, o);
        store64(p + 48, free_largest, o);
        store64(p + 56, free_number, o);
        store64(p + 64, free_imbed, o);
        p[72] = nullfmt;
        p[73] = compress;
        store16(p + 74, compress_parm, o);
    } else {
        store32(p + 12, uint32_t(size), o);
        store32(p + 16, uint32_t(used), o);
        store32(p + 20, uint32_t(free), o);
        store32(p + 24, uint32_t(free_total), o);
        store32(p + 28, uint32_t(free_largest), o);
        store32(p + 32, uint32_t(free_number), o);
        store32(p + 36, uint32_t(free_imbed), o);
        store_le32(p + 40, cyls);
        p[44] = nullfmt;
        p[45] = compress;
        store16(p + 46, compress_parm, o);
    }
}

uint64_t load_l1(const uint8_t* p, bool wide, ByteOrder o) { return wide ? load64(p, o) : load32(p, o); }

void store_l1(uint8_t* p, uint64_t value, bool wide, ByteOrder o)
{
    if (wide)
        store64(p, value, o);
    else
        store32(p, uint32_t(value), o);
}

L2Entry load_l2(const uint8_t* p, bool wide, ByteOrder o)
{
    L2Entry e;
    if (wide) {
        e.pos = load64(p, o);
        e.len = load16(p + 8, o);
        e.size = load16(p + 10, o);
    } else {
        e.pos = load32(p, o);
        e.len = load16(p + 4, o);
        e.size = load16(p + 6, o);
    }
    return e;
}

void store_l2(uint8_t* p, const L2Entry& e, bool wide, ByteOrder o)
{
    if (wide) {
        store64(p, e.pos, o);
        store16(p + 8, e.len, o);
        store16(p + 10, e.size, o);
        std::memset(p + 12, 0, 4);
    } else {
        store32(p, uint32_t(e.pos), o);
        store16(p + 4, e.len, o);
        store16(p + 6, e.size, o);
    }
}

size_t null_track_size(uint8_t fmt)
{
    switch (fmt) {
    case kNullFmt0:
        return kEmptyTrackSize + kCountSize;
    case kNullFmt1:
        return kEmptyTrackSize;
    default:
        return kEmptyTrackSize + kNullFmt2Records * (kCountSize + kNullFmt2DataLength);
    }
}

void build_null_track(uint8_t fmt, TrackAddress addr, Bytes& out)
{
    out.assign(null_track_size(fmt), 0);
    uint8_t* p = out.data();
    encode_cchh(p + 1, addr);  // HA: bin byte 0, CCHH
    p += kHomeAddressSize;
    encode_cchh(p, addr);  // R0 count: CCHH, R=0, KL=0, DL=8, then 8 zero bytes
    p[7] = 8;
    p += kCountSize + 8;
    if (fmt == kNullFmt0) {
        encode_cchh(p, addr);  // end-of-file R1: KL=0, DL=0
        p[4] = 1;
        p += kCountSize;
    } else if (fmt == kNullFmt2) {
        for (size_t r = 1; r <= kNullFmt2Records; ++r) {
            encode_cchh(p, addr);
            p[4] = uint8_t(r);
            store_be16(p + 6, uint16_t(kNullFmt2DataLength));
            p += kCountSize + kNullFmt2DataLength;
        }
    }
    std::memset(p, 0xFF, kEndOfTrackSize);
}

std::optional<uint8_t> null_format_of(ByteSpan track, TrackAddress addr, bool allow_fmt2)
{
    uint8_t fmt;
    if (track.size() == null_track_size(kNullFmt1))
        fmt = kNullFmt1;
    else if (track.size() == null_track_size(kNullFmt0))
        fmt = kNullFmt0;
    else if (allow_fmt2 && track.size() == null_track_size(kNullFmt2))
        fmt = kNullFmt2;
    else
        return std::nullopt;
    // Cheap test first: most same-sized tracks differ early.
    const auto cchh = encode_cchh(addr);
    if (track[0] != 0 || std::memcmp(track.data() + 1, cchh.data(), 4) != 0)
        return std::nullopt;
    Bytes expected;
    build_null_track(fmt, addr, expected);
    if (std::memcmp(track.data(), expected.data(), expected.size()) != 0)
        return std::nullopt;
    return fmt;
}

uint16_t fba_devtype_from_byte(uint8_t b)
{
    switch (b) {
    case 0x10: return 0x3310;
    case 0x70: return 0x3370;
    case 0x13: return 0x9313;
    case 0x32: return 0x9332;
    case 0x35: return 0x9335;
    case 0x36: return 0x9336;
    case 0x71: return 0x0671;
    default: return 0;
    }
}

} // namespace ddr::cckd
