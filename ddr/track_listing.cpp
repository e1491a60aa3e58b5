#include "ddr/track_listing.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <utility>
#include <vector>

namespace ddr {

namespace {

// ---- the character column ----

using CharTable = std::array<char, 256>;

struct Glyph {
    uint8_t code;
    char shown;
};

// The EBCDIC letters and digits; lower-case letters as `a` or, on a device without
// lower case, as `A`.
constexpr void add_letters_and_digits(CharTable& t, char lower_a)
{
    constexpr std::array<std::pair<uint8_t, uint8_t>, 3> kRuns = {{{0x81, 9}, {0x91, 9}, {0xA2, 8}}};
    char letter = 0;
    for (auto [start, length] : kRuns) {
        for (uint8_t i = 0; i < length; ++i, ++letter) {
            t[start + i] = char(lower_a + letter);
            t[start + 0x40 + i] = char('A' + letter);
        }
    }
    for (uint8_t i = 0; i < 10; ++i)
        t[0xF0 + i] = char('0' + i);
}

template <size_t N>
constexpr CharTable make_table(char lower_a, const std::array<Glyph, N>& specials)
{
    CharTable t{};
    for (char& c : t)
        c = '.';
    add_letters_and_digits(t, lower_a);
    for (const Glyph& g : specials)
        t[g.code] = g.shown;
    return t;
}

// The 3215 console, as VM/370 DDR's TYPE output reads on it (the fixtures' transcripts):
// both cases of letters and most specials; the cent sign and the vertical bar come out
// blank, the logical not as a caret.
constexpr CharTable kConsoleCharacters = make_table(
    'a', std::array<Glyph, 27>{{{0x40, ' '}, {0x4A, ' '}, {0x4B, '.'}, {0x4C, '<'}, {0x4D, '('}, {0x4E, '+'},
                                {0x4F, ' '}, {0x50, '&'}, {0x5A, '!'}, {0x5B, '$'}, {0x5C, '*'}, {0x5D, ')'},
                                {0x5E, ';'}, {0x5F, '^'}, {0x60, '-'}, {0x61, '/'}, {0x6B, ','}, {0x6C, '%'},
                                {0x6D, '_'}, {0x6E, '>'}, {0x6F, '?'}, {0x7A, ':'}, {0x7B, '#'}, {0x7C, '@'},
                                {0x7D, '\''}, {0x7E, '='}, {0x7F, '"'}}});

// The 1403 printer as DDR's PRINT drives it: a print train of upper-case letters, digits
// and a few specials; lower case prints as upper case, every other byte as a period.
constexpr CharTable kPrinterCharacters = make_table(
    'A', std::array<Glyph, 9>{{{0x40, ' '}, {0x4D, '('}, {0x4E, '+'}, {0x50, '&'}, {0x5B, '$'}, {0x5C, '*'},
                               {0x5D, ')'}, {0x60, '-'}, {0x61, '/'}}});

const CharTable& characters_of(ListingDevice device)
{
    return device == ListingDevice::Printer ? kPrinterCharacters : kConsoleCharacters;
}

// ---- lines ----

constexpr size_t kBytesPerLine = 32;
constexpr size_t kHexColumnWidth = 8 * 8 + 7 + 1;  // eight words, one blank between, two in the middle
constexpr std::string_view kSuppressed = "SUPPRESSED CHARACTERS SAME AS ABOVE ...";

std::string formatted(const char* format, auto... values)
{
    char text[128];
    const int n = std::snprintf(text, sizeof text, format, values...);
    return std::string(text, n < 0 ? 0 : std::min(size_t(n), sizeof text - 1));
}

// Up to 32 bytes as IBM's hex column: words of four bytes, two blanks after the fourth.
std::string hex_column(ByteSpan bytes)
{
    static constexpr char kDigits[] = "0123456789ABCDEF";
    std::string s;
    for (size_t i = 0; i < bytes.size(); ++i) {
        if (i > 0 && i % 4 == 0)
            s += i == 16 ? "  " : " ";
        s += kDigits[bytes[i] >> 4];
        s += kDigits[bytes[i] & 15];
    }
    return s;
}

// One line of a key or data field: its offset, then the columns the options ask for.
// IBM's DDR shows a line of exactly 15 bytes with one hex digit more: the first digit of
// the byte after them in its buffer, `byte_after` (none: ddr cannot know it).
std::string byte_line(size_t offset, ByteSpan bytes, std::optional<uint8_t> byte_after, const ListingOptions& options)
{
    std::string s = formatted("%05zu  %04zX  ", offset, offset & 0xFFFF);
    if (options.hex) {
        s += hex_column(bytes);
        if (bytes.size() == 15 && byte_after)
            s += "0123456789ABCDEF"[*byte_after >> 4];
        if (options.graphic)
            s.append(kHexColumnWidth + 2 - (s.size() - 13), ' ');
    }
    if (options.graphic) {
        const CharTable& t = characters_of(options.device);
        s += '*';
        for (uint8_t b : bytes)
            s += t[b];
        s.append(kBytesPerLine - bytes.size(), ' ');
        s += '*';
    }
    return s;
}

// A line that repeats the one above it (as far as it goes): IBM prints it once as
// "SUPPRESSED ...", and then nothing until a line differs.
bool repeats(ByteSpan field, size_t offset)
{
    if (offset == 0)
        return false;
    const size_t n = std::min(kBytesPerLine, field.size() - offset);
    return std::equal(field.begin() + offset, field.begin() + offset + n, field.begin() + offset - kBytesPerLine);
}

// A key or a data field: its length line, then its bytes 32 to a line.  `byte_after`
// is the byte that follows the field where IBM's DDR holds the track (byte_line).
void list_field(ByteSpan field, std::optional<uint8_t> byte_after, const char* name, const ListingOptions& options,
                ListingSink& sink)
{
    sink.line(formatted("%05zu  %04zX  %s", field.size(), field.size() & 0xFFFF, name), 1);
    bool suppressing = false;
    for (size_t offset = 0; offset < field.size(); offset += kBytesPerLine) {
        if (repeats(field, offset)) {
            if (!suppressing)
                sink.line(kSuppressed, 0);
            suppressing = true;
            continue;
        }
        suppressing = false;
        const ByteSpan bytes = field.subspan(offset, std::min(kBytesPerLine, field.size() - offset));
        const std::optional<uint8_t> after =
            offset + bytes.size() < field.size() ? std::optional<uint8_t>(field[offset + bytes.size()]) : byte_after;
        sink.line(byte_line(offset, bytes, after, options), offset == 0 ? 1 : 0);
    }
}

// "CYL ccc HD hh" with the whole cylinder and head numbers (at least 3 and 2 digits).
std::string cyl_head(TrackAddress a)
{
    return formatted("CYL %03u HD %02u", unsigned(a.cyl), unsigned(a.head));
}

// "CYL ccc HD hh" as VM/370 DDR shows a CCHH: the last three and two decimal digits of
// CC and HH taken as signed halfwords (X'9EB5' shows as 07).
std::string ibm_cyl_head(const uint8_t* cchh)
{
    const auto digits = [](const uint8_t* p, unsigned modulus) {
        const int value = int16_t(load_be16(p));
        return unsigned(value < 0 ? -value : value) % modulus;
    };
    return formatted("CYL %03u HD %02u", digits(cchh, 1000), digits(cchh + 2, 100));
}

// The CCHH of a home address or count, as `track`'s volume wants it shown: IBM's
// digits on a volume of up to 1,000 cylinders, else the whole numbers.
std::string cchh_text(const SourceTrack& track, const uint8_t* cchh)
{
    return track.ibm_digits ? ibm_cyl_head(cchh) : cyl_head(decode_cchh(cchh, track.eav_form));
}

// Bytes in hex, without blanks: count fields.
std::string hex_bytes(const uint8_t* p, size_t n)
{
    std::string s;
    for (size_t i = 0; i < n; ++i)
        s += formatted("%02X", unsigned(p[i]));
    return s;
}

// The home address and R0: "CYL 001 HD 02 HOME ADDRESS 0000010002 RECORD ZERO 0001000200 00 0008 ...".
std::string home_address_line(const SourceTrack& track, const CkdRecord& r0)
{
    std::string s = cchh_text(track, encode_cchh(track.address).data()) + " HOME ADDRESS " + hex_bytes(track.image.bytes.data(), 5) +
                    " RECORD ZERO " + hex_bytes(r0.count, 5) + " " + hex_bytes(r0.count + 5, 1) + " " +
                    hex_bytes(r0.count + 6, 2);
    const ByteSpan data = r0.data.subspan(0, std::min<size_t>(r0.data.size(), 8));
    if (!data.empty())
        s += " " + hex_column(data);
    return s;
}

// A record's count: "CYL 001 HD 02 REC 001 COUNT 0001000201 00 0050", its CCHH as the count has it.
std::string count_line(const CkdRecord& r, const SourceTrack& track)
{
    return cchh_text(track, r.count) + formatted(" REC %03u COUNT ", unsigned(r.record_number())) +
           hex_bytes(r.count, 5) + " " + hex_bytes(r.count + 5, 1) + " " + hex_bytes(r.count + 6, 2);
}

// The first byte of key or data after record `i`, as IBM's DDR holds a track: the keys
// and data of its records one after the other (as on a DDR tape); none after the last.
std::optional<uint8_t> byte_after_record(const std::vector<CkdRecord>& records, size_t i)
{
    for (size_t j = i + 1; j < records.size(); ++j) {
        if (!records[j].key.empty())
            return records[j].key[0];
        if (!records[j].data.empty())
            return records[j].data[0];
    }
    return std::nullopt;
}

// Record `i` of `records`: its count, key and data, or the end-of-file line.
void list_record(const std::vector<CkdRecord>& records, size_t i, const SourceTrack& track,
                 const ListingOptions& options, ListingSink& sink)
{
    const CkdRecord& r = records[i];
    sink.line(count_line(r, track), 1);
    if (!options.count_only) {
        const std::optional<uint8_t> after = byte_after_record(records, i);
        if (!r.key.empty())
            list_field(r.key, r.data.empty() ? after : std::optional<uint8_t>(r.data[0]), "KEY  LENGTH", options,
                       sink);
        if (!r.data.empty())
            list_field(r.data, after, "DATA LENGTH", options, sink);
    }
    if (r.data.empty())
        sink.line("END OF FILE RECORD", 1);
}

// The index of the first record after R0 numbered `number`, or records.size().
size_t find_record(const std::vector<CkdRecord>& records, size_t from, uint8_t number)
{
    for (size_t i = std::max<size_t>(from, 1); i < records.size(); ++i)
        if (records[i].record_number() == number)
            return i;
    return records.size();
}

// The next track after `a` in the order of a listing (heads wrap at the source's
// tracks per cylinder, which the source knows: a large head just moves on).
TrackAddress after(TrackAddress a)
{
    return a.head == UINT32_MAX ? TrackAddress{a.cyl + 1, 0} : TrackAddress{a.cyl, a.head + 1};
}

} // namespace

void ConsoleLines::line(std::string_view text, unsigned blank_lines_before)
{
    std::string s(blank_lines_before, '\n');
    s.append(text);
    s += '\n';
    out_(s);
}

void PrinterPages::line(std::string_view text, unsigned blank_lines_before)
{
    if (row_ == 0) {
        row_ = 1;
    } else if (row_ + blank_lines_before + 1 > kLinesPerPage) {
        out_("\r\f");
        row_ = 1;
    } else {
        out_(std::string(blank_lines_before + 1, '\n'));
        row_ += blank_lines_before + 1;
    }
    out_(text);
}

void PrinterPages::finish()
{
    if (row_ > 0)
        out_("\n");
    row_ = 0;
}

char listing_character(uint8_t byte, ListingDevice device)
{
    return characters_of(device)[byte];
}

bool list_track(const SourceTrack& track, std::optional<uint8_t> first, std::optional<uint8_t> last,
                const ListingOptions& options, ListingSink& sink, bool& last_found)
{
    std::vector<CkdRecord> records;
    track.image.records(records);
    last_found = false;
    if (records.empty())
        return !first || *first == 0;
    size_t begin = 0;
    if (first && *first != 0) {
        begin = find_record(records, 1, *first);
        if (begin == records.size())
            return false;
    }
    if (begin == 0)
        sink.line(home_address_line(track, records[0]), 1);
    if (last && *last == 0) {
        last_found = true;
        return true;
    }
    for (size_t i = std::max<size_t>(begin, 1); i < records.size(); ++i) {
        list_record(records, i, track, options, sink);
        if (last && records[i].record_number() == *last) {
            last_found = true;
            break;
        }
    }
    return true;
}

ListingOutcome print_tracks(TrackSource& source, const ListingRange& range, const ListingOptions& options,
                            ListingSink& sink)
{
    ListingOutcome outcome;
    SourceTrack track;
    TrackAddress from = range.first.track;
    while (from <= range.last.track && source.next(from, range.last.track, track)) {
        const bool first_track = track.address == range.first.track;
        const bool last_track = track.address == range.last.track;
        const std::optional<uint8_t> first = first_track ? range.first.record : std::nullopt;
        const std::optional<uint8_t> last = last_track ? range.last.record : std::nullopt;
        bool last_found = false;
        const bool listed = list_track(track, first, last, options, sink, last_found);
        if (listed)
            ++outcome.tracks;
        if (!listed || (last && !last_found)) {
            outcome.not_found = listed ? range.last : range.first;
            return outcome;
        }
        from = after(track.address);
    }
    return outcome;
}

std::string record_not_found_message(const RecordPoint& p)
{
    return "DMKDDR721E RECORD NOT FOUND: " + cyl_head(p.track) + formatted(" REC %03u", unsigned(p.record.value_or(0)));
}

void end_of_print(ListingSink& sink)
{
    sink.line("END OF PRINT", 3);
}

void end_of_type(ListingSink& sink)
{
    sink.line("", 0);
}

void list_fba_blocks(uint64_t first_block, ByteSpan blocks, const ListingOptions& options, ListingSink& sink)
{
    constexpr size_t kBlock = 512;
    for (size_t at = 0; at + kBlock <= blocks.size(); at += kBlock) {
        const uint64_t number = first_block + at / kBlock;
        sink.line(formatted("BLOCK %010llu (X'%08llX')", (unsigned long long)number, (unsigned long long)number), 1);
        if (!options.count_only)
            list_field(blocks.subspan(at, kBlock), std::nullopt, "DATA LENGTH", options, sink);
    }
}

} // namespace ddr
