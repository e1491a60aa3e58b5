#include "formats/volume/ckd_track.hpp"

#include "formats/io/error.hpp"

#include <algorithm>
#include <cstring>

namespace ddr {

namespace {
bool is_end_marker(const uint8_t* p)
{
    static constexpr uint8_t ff[kEndOfTrackSize] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    return std::memcmp(p, ff, kEndOfTrackSize) == 0;
}
} // namespace

bool carries_overflow_flag(const uint8_t* count, const uint8_t* ha)
{
    const uint16_t count_cc = load_be16(count);
    const uint16_t track_cc = load_be16(ha + 1);
    return (count_cc & 0x8000) && track_cc < 0x8000 && (count_cc & 0x7FFF) == track_cc;
}

std::optional<size_t> TrackImage::measure(ByteSpan slot, std::string* why)
{
    auto bad = [why](const std::string& text) -> std::optional<size_t> {
        if (why)
            *why = text;
        return std::nullopt;
    };
    const size_t n = slot.size();
    if (n < kHomeAddressSize + kCountSize + kEndOfTrackSize)
        return bad("track image shorter than HA, R0 and end marker");
    size_t off = kHomeAddressSize;
    if (is_end_marker(slot.data() + off))
        return bad("track has no R0 (end-of-track marker right after the home address)");
    bool first = true;
    for (;;) {
        if (off + kCountSize > n)
            return bad("no end-of-track marker within the " + std::to_string(n) + "-byte track");
        const uint8_t* c = slot.data() + off;
        if (!first && is_end_marker(c))
            return off + kEndOfTrackSize;
        if (first && c[4] != 0)
            return bad("first record after the home address is not R0");
        size_t len = kCountSize + c[5] + load_be16(c + 6);
        if (off + len + kEndOfTrackSize > n)
            return bad("record at byte " + std::to_string(off) + " runs past the end of the track");
        off += len;
        first = false;
    }
}

void TrackImage::assign_from_slot(ByteSpan slot)
{
    std::string why;
    auto len = measure(slot, &why);
    if (!len)
        fail(ErrorKind::Unreadable, why);
    bytes.assign(slot.begin(), slot.begin() + std::ptrdiff_t(*len));
}

void TrackImage::start(uint8_t ha_bin, TrackAddress addr)
{
    bytes.clear();
    bytes.push_back(ha_bin);
    bytes.resize(kHomeAddressSize);
    encode_cchh(bytes.data() + 1, addr);
}

void TrackImage::start_raw_ha(const uint8_t* ha5)
{
    bytes.assign(ha5, ha5 + kHomeAddressSize);
}

void TrackImage::add_record(const uint8_t* count8, ByteSpan key, ByteSpan data)
{
    bytes.insert(bytes.end(), count8, count8 + kCountSize);
    bytes.insert(bytes.end(), key.begin(), key.end());
    bytes.insert(bytes.end(), data.begin(), data.end());
}

void TrackImage::add_record(const uint8_t* count8, ByteSpan key_and_data)
{
    bytes.insert(bytes.end(), count8, count8 + kCountSize);
    bytes.insert(bytes.end(), key_and_data.begin(), key_and_data.end());
}

void TrackImage::finish()
{
    bytes.insert(bytes.end(), kEndOfTrackSize, uint8_t(0xFF));
}

TrackImage TrackImage::empty(TrackAddress addr)
{
    TrackImage t;
    t.start(0, addr);
    uint8_t r0[kCountSize] = {};
    encode_cchh(r0, addr);
    r0[7] = 8;
    static constexpr uint8_t zeros[8] = {};
    t.add_record(r0, {}, ByteSpan(zeros, 8));
    t.finish();
    return t;
}

void TrackImage::records(std::vector<CkdRecord>& out) const
{
    out.clear();
    const uint8_t* p = bytes.data();
    size_t off = kHomeAddressSize;
    const size_t end = bytes.size() >= kEndOfTrackSize ? bytes.size() - kEndOfTrackSize : 0;
    while (off + kCountSize <= end) {
        const uint8_t* c = p + off;
        CkdRecord rec;
        rec.count = c;
        size_t kl = c[5];
        size_t dl = load_be16(c + 6);
        rec.key = ByteSpan(c + kCountSize, kl);
        rec.data = ByteSpan(c + kCountSize + kl, dl);
        out.push_back(rec);
        off += kCountSize + kl + dl;
    }
}

} // namespace ddr
