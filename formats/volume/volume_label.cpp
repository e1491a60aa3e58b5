#include "formats/volume/volume_label.hpp"

#include "formats/io/ebcdic.hpp"
#include "formats/io/error.hpp"

#include <algorithm>
#include <cstring>

namespace ddr {

namespace {

// Volsers and owner names are printable text; anything else shows as '?'.
char ebcdic_to_ascii(uint8_t e)
{
    char c = from_ebcdic(e);
    return c >= 0x20 && c < 0x7F ? c : '?';
}

// Letters, digits, the national characters @ # $ and the punctuation EBCDIC terminals
// could type; not '?', which stands for what cannot be shown.
bool volser_character(char c)
{
    static constexpr std::string_view kPunctuation = "@#$.-_&*+/%<>(),;:!|='\"";
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || kPunctuation.find(c) != std::string_view::npos;
}

void to_ebcdic(uint8_t* out, std::string_view text)
{
    for (size_t i = 0; i < text.size(); ++i)
        out[i] = ddr::to_ebcdic(text[i]);
}

constexpr uint8_t kEbcdicBlank = 0x40;
constexpr uint8_t kKeyVol1[4] = {0xE5, 0xD6, 0xD3, 0xF1};  // "VOL1"
constexpr uint8_t kCp370[5] = {0xC3, 0xD7, 0xF3, 0xF7, 0xF0};  // "CP370"

// VOL1 label data offsets (80-byte DASD label).
constexpr size_t kVolserAt = 4;
constexpr size_t kVtocAt = 11;
constexpr size_t kOwnerAt = 41;
constexpr size_t kOwnerLength = 10;
constexpr size_t kCpMarkAt = 46;
constexpr size_t kVol1Length = 80;

std::string trimmed_ascii(ByteSpan ebcdic)
{
    std::string s;
    for (uint8_t b : ebcdic)
        s += b == 0 ? ' ' : ebcdic_to_ascii(b);
    auto first = s.find_first_not_of(' ');
    if (first == std::string::npos)
        return {};
    auto last = s.find_last_not_of(' ');
    return s.substr(first, last - first + 1);
}

void make_count(uint8_t* out, TrackAddress addr, uint8_t record, uint8_t key_length, uint16_t data_length)
{
    encode_cchh(out, addr);
    out[4] = record;
    out[5] = key_length;
    store_be16(out + 6, data_length);
}

} // namespace

EbcdicVolser volser_to_ebcdic(std::string_view volser)
{
    if (volser.empty() || volser.size() > kVolserLength)
        fail(ErrorKind::Usage, "volser \"" + std::string(volser) + "\" must be 1 to 6 characters");
    EbcdicVolser out;
    out.fill(kEbcdicBlank);
    for (size_t i = 0; i < volser.size(); ++i) {
        char c = volser[i];
        if (c >= 'a' && c <= 'z')
            c = char(c - 'a' + 'A');
        if (!volser_character(c))
            fail(ErrorKind::Usage, "volser \"" + std::string(volser) + "\" has a character EBCDIC volsers cannot hold");
        out[i] = ddr::to_ebcdic(c);
    }
    return out;
}

std::string volser_to_ascii(const EbcdicVolser& ebcdic)
{
    std::string s;
    for (uint8_t b : ebcdic)
        s += ebcdic_to_ascii(b);
    auto last = s.find_last_not_of(' ');
    return last == std::string::npos ? std::string() : s.substr(0, last + 1);
}

std::optional<CkdVolumeLabel> find_ckd_volume_label(const TrackImage& track0)
{
    std::vector<CkdRecord> records;
    track0.records(records);
    for (size_t i = 1; i < records.size(); ++i) {
        const CkdRecord& r = records[i];
        if (r.key.size() != sizeof kKeyVol1 || std::memcmp(r.key.data(), kKeyVol1, sizeof kKeyVol1) != 0)
            continue;
        if (r.data.size() < kVolserAt + kVolserLength)
            continue;
        CkdVolumeLabel label;
        label.record = r.record_number();
        std::copy_n(r.data.begin() + kVolserAt, kVolserLength, label.volser_ebcdic.begin());
        label.volser = volser_to_ascii(label.volser_ebcdic);
        if (r.data.size() >= kVtocAt + label.vtoc.size())
            std::copy_n(r.data.begin() + kVtocAt, label.vtoc.size(), label.vtoc.begin());
        if (r.data.size() >= kOwnerAt + kOwnerLength) {
            label.owner = trimmed_ascii(r.data.subspan(kOwnerAt, kOwnerLength));
            label.cp_formatted = std::memcmp(r.data.data() + kCpMarkAt, kCp370, sizeof kCp370) == 0;
        }
        label.data.assign(r.data.begin(), r.data.end());
        return label;
    }
    return std::nullopt;
}

TrackImage dasdinit_track0(std::string_view volser)
{
    const EbcdicVolser vs = volser_to_ebcdic(volser);
    const TrackAddress addr{0, 0};
    TrackImage t;
    t.start(0, addr);
    uint8_t count[kCountSize];

    static constexpr uint8_t r0_data[8] = {};
    make_count(count, addr, 0, 0, sizeof r0_data);
    t.add_record(count, {}, r0_data);

    // R1 "IPL1": a disabled-wait IPL PSW, then a NOP CCW and an empty one, so IPLing a
    // fresh volume stops cleanly instead of running garbage.
    static constexpr uint8_t ipl1_key[4] = {0xC9, 0xD7, 0xD3, 0xF1};
    static constexpr uint8_t ipl1_data[24] = {
        0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0F,  // PSW
        0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,  // CCW: NOP, count 1
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // CCW
    };
    make_count(count, addr, 1, sizeof ipl1_key, sizeof ipl1_data);
    t.add_record(count, ipl1_key, ipl1_data);

    // R2 "IPL2": room for a bootstrap, all zeros.
    static constexpr uint8_t ipl2_key[4] = {0xC9, 0xD7, 0xD3, 0xF2};
    static constexpr uint8_t ipl2_data[144] = {};
    make_count(count, addr, 2, sizeof ipl2_key, sizeof ipl2_data);
    t.add_record(count, ipl2_key, ipl2_data);

    // R3 "VOL1": the volume label.
    uint8_t vol1[kVol1Length];
    std::memset(vol1, kEbcdicBlank, sizeof vol1);
    std::memcpy(vol1, kKeyVol1, sizeof kKeyVol1);
    std::memcpy(vol1 + kVolserAt, vs.data(), vs.size());
    static constexpr uint8_t vtoc[5] = {0x00, 0x00, 0x00, 0x01, 0x01};  // cyl 0 head 1 record 1
    std::memcpy(vol1 + kVtocAt, vtoc, sizeof vtoc);
    to_ebcdic(vol1 + kOwnerAt, "HERCULES");
    make_count(count, addr, 3, sizeof kKeyVol1, sizeof vol1);
    t.add_record(count, kKeyVol1, vol1);

    t.finish();
    return t;
}

std::array<uint8_t, 512> dasdinit_fba_block1(std::string_view volser)
{
    const EbcdicVolser vs = volser_to_ebcdic(volser);
    std::array<uint8_t, 512> block{};
    std::memcpy(block.data(), kKeyVol1, sizeof kKeyVol1);
    std::memcpy(block.data() + kVolserAt, vs.data(), vs.size());
    return block;
}

std::optional<std::string> find_fba_volser(ByteSpan block1)
{
    if (block1.size() < kVolserAt + kVolserLength || std::memcmp(block1.data(), kKeyVol1, sizeof kKeyVol1) != 0)
        return std::nullopt;
    EbcdicVolser vs;
    std::copy_n(block1.begin() + kVolserAt, kVolserLength, vs.begin());
    return volser_to_ascii(vs);
}

} // namespace ddr
