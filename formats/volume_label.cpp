#include "formats/volume_label.hpp"

#include "formats/error.hpp"

#include <algorithm>
#include <cstring>

namespace ddr {

namespace {

// ---- MERGE: replace with formats/ebcdic.hpp (code page 037) ----
// A private EBCDIC (code page 037) mapping for the characters volsers and owner names
// use: letters, digits, blank and the usual punctuation.  Everything else is '?'.
struct EbcdicPair {
    uint8_t ebcdic;
    char ascii;
};
constexpr EbcdicPair kVolserChars[] = {
    {0x40, ' '}, {0x4B, '.'}, {0x4C, '<'}, {0x4D, '('}, {0x4E, '+'}, {0x4F, '|'}, {0x50, '&'}, {0x5A, '!'},
    {0x5B, '$'}, {0x5C, '*'}, {0x5D, ')'}, {0x5E, ';'}, {0x60, '-'}, {0x61, '/'}, {0x6B, ','}, {0x6C, '%'},
    {0x6D, '_'}, {0x6E, '>'}, {0x6F, '?'}, {0x7A, ':'}, {0x7B, '#'}, {0x7C, '@'}, {0x7D, '\''}, {0x7E, '='},
    {0x7F, '"'},
};

char ebcdic_to_ascii(uint8_t e)
{
    if (e >= 0xF0 && e <= 0xF9)
        return char('0' + (e - 0xF0));
    if (e >= 0xC1 && e <= 0xC9)
        return char('A' + (e - 0xC1));
    if (e >= 0xD1 && e <= 0xD9)
        return char('J' + (e - 0xD1));
    if (e >= 0xE2 && e <= 0xE9)
        return char('S' + (e - 0xE2));
    if (e >= 0x81 && e <= 0x89)
        return char('a' + (e - 0x81));
    if (e >= 0x91 && e <= 0x99)
        return char('j' + (e - 0x91));
    if (e >= 0xA2 && e <= 0xA9)
        return char('s' + (e - 0xA2));
    for (const EbcdicPair& p : kVolserChars) {
        if (p.ebcdic == e)
            return p.ascii;
    }
    return '?';
}

// nullopt if the character has no EBCDIC form here.
std::optional<uint8_t> ascii_to_ebcdic(char c)
{
    if (c >= '0' && c <= '9')
        return uint8_t(0xF0 + (c - '0'));
    if (c >= 'A' && c <= 'I')
        return uint8_t(0xC1 + (c - 'A'));
    if (c >= 'J' && c <= 'R')
        return uint8_t(0xD1 + (c - 'J'));
    if (c >= 'S' && c <= 'Z')
        return uint8_t(0xE2 + (c - 'S'));
    if (c >= 'a' && c <= 'i')
        return uint8_t(0x81 + (c - 'a'));
    if (c >= 'j' && c <= 'r')
        return uint8_t(0x91 + (c - 'j'));
    if (c >= 's' && c <= 'z')
        return uint8_t(0xA2 + (c - 's'));
    for (const EbcdicPair& p : kVolserChars) {
        if (p.ascii == c)
            return p.ebcdic;
    }
    return std::nullopt;
}

void to_ebcdic(uint8_t* out, std::string_view text)
{
    for (size_t i = 0; i < text.size(); ++i)
        out[i] = *ascii_to_ebcdic(text[i]);
}
// ---- end MERGE ----

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
        auto e = ascii_to_ebcdic(c);
        if (!e || c == '?')
            fail(ErrorKind::Usage, "volser \"" + std::string(volser) + "\" has a character EBCDIC volsers cannot hold");
        out[i] = *e;
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
