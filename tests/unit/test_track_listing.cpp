#include "ddr/track_listing.hpp"

#include <doctest/doctest.h>

#include <algorithm>

#include <string>
#include <vector>

using namespace ddr;

namespace {

// The lines a listing hands its sink, "+n" marking n blank lines before a line.
struct Lines final : ListingSink {
    std::vector<std::string> got;
    void line(std::string_view text, unsigned blank_lines_before) override
    {
        got.push_back(blank_lines_before ? "+" + std::to_string(blank_lines_before) + " " + std::string(text)
                                         : std::string(text));
    }
};

// A track 1/2 like the fixtures' display track: R1 of `data`, keyed R2, then an EOF.
SourceTrack sample_track(const Bytes& data)
{
    SourceTrack t;
    t.address = {1, 2};
    t.image.start(0, t.address);
    const uint8_t r0[8] = {0, 1, 0, 2, 0, 0, 0, 8};
    const uint8_t zeros[8] = {};
    t.image.add_record(r0, {}, ByteSpan(zeros, 8));
    const uint8_t r1[8] = {0, 1, 0, 2, 1, 0, uint8_t(data.size() >> 8), uint8_t(data.size())};
    t.image.add_record(r1, {}, data);
    const uint8_t r2[8] = {0, 1, 0, 2, 2, 2, 0, 1};
    const uint8_t key_data[3] = {0xD2, 0xF1, 0xC1};
    t.image.add_record(r2, ByteSpan(key_data, 2), ByteSpan(key_data + 2, 1));
    const uint8_t r3[8] = {0, 1, 0, 2, 3, 0, 0, 0};
    t.image.add_record(r3, {}, {});
    t.image.finish();
    return t;
}

std::vector<std::string> listed(const SourceTrack& t, std::optional<uint8_t> first, std::optional<uint8_t> last,
                                ListingOptions options = {})
{
    Lines lines;
    bool last_found = false;
    list_track(t, first, last, options, lines, last_found);
    return lines.got;
}

} // namespace

TEST_CASE("track listing: the HA/R0 line, counts, keys, data and the end-of-file record")
{
    const std::vector<std::string> got = listed(sample_track(Bytes(3, 0xC1)), std::nullopt, std::nullopt);
    const std::vector<std::string> want = {
        "+1 CYL 001 HD 02 HOME ADDRESS 0000010002 RECORD ZERO 0001000200 00 0008 00000000 00000000",
        "+1 CYL 001 HD 02 REC 001 COUNT 0001000201 00 0003",
        "+1 00003  0003  DATA LENGTH",
        "+1 00000  0000  C1C1C1" + std::string(68, ' ') + "*AAA" + std::string(29, ' ') + "*",
        "+1 CYL 001 HD 02 REC 002 COUNT 0001000202 02 0001",
        "+1 00002  0002  KEY  LENGTH",
        "+1 00000  0000  D2F1" + std::string(70, ' ') + "*K1" + std::string(30, ' ') + "*",
        "+1 00001  0001  DATA LENGTH",
        "+1 00000  0000  C1" + std::string(72, ' ') + "*A" + std::string(31, ' ') + "*",
        "+1 CYL 001 HD 02 REC 003 COUNT 0001000203 00 0000",
        "+1 END OF FILE RECORD",
    };
    CHECK(got == want);
}

TEST_CASE("track listing: repeated 32-byte lines are suppressed once; HEX, GRAPHIC and COUNT")
{
    Bytes data(100, 0x40);
    data[70] = 0x81;
    data[96] = 0xC1;  // the last line (4 bytes) differs from the start of the one above
    const SourceTrack t = sample_track(data);
    ListingOptions hex;
    hex.graphic = false;
    const std::vector<std::string> got = listed(t, 1, 1, hex);
    REQUIRE(got.size() == 6);
    CHECK(got[2] == "+1 00000  0000  40404040 40404040 40404040 40404040  40404040 40404040 40404040 40404040");
    CHECK(got[3] == "SUPPRESSED CHARACTERS SAME AS ABOVE ...");
    CHECK(got[4] == "00064  0040  40404040 40408140 40404040 40404040  40404040 40404040 40404040 40404040");
    CHECK(got[5] == "00096  0060  C1404040");  // hex alone: no padding

    ListingOptions graphic;
    graphic.hex = false;
    graphic.device = ListingDevice::Printer;
    CHECK(listed(t, 1, 1, graphic)[4] == "00064  0040  *      A                         *");

    ListingOptions count;
    count.count_only = true;
    CHECK(listed(t, std::nullopt, std::nullopt, count).size() == 5);  // HA, three counts, EOF line
}

TEST_CASE("track listing: record ranges, and a record that is not there")
{
    const SourceTrack t = sample_track(Bytes(3, 0xC1));
    Lines lines;
    bool last_found = false;
    CHECK(list_track(t, 2, 2, {}, lines, last_found));
    CHECK(last_found);
    CHECK(lines.got.front() == "+1 CYL 001 HD 02 REC 002 COUNT 0001000202 02 0001");
    CHECK(lines.got.size() == 5);

    lines.got.clear();
    CHECK_FALSE(list_track(t, 9, std::nullopt, {}, lines, last_found));
    CHECK(lines.got.empty());
    CHECK(list_track(t, 0, 0, {}, lines, last_found));
    CHECK(lines.got.size() == 1);  // the HA/R0 line alone
    CHECK(record_not_found_message({{1, 4}, 11}) == "DMKDDR721E RECORD NOT FOUND: CYL 001 HD 04 REC 011");
}

TEST_CASE("track listing: IBM's digits for a count's CCHH, and its 15-byte line")
{
    SourceTrack t = sample_track(Bytes(15, 0xC4));
    // The count of R1 names X'266E' X'9EB5': VM/370 DDR shows CYL 838 HD 07.
    t.image.bytes[5 + 8 + 8 + 0] = 0x26;
    t.image.bytes[5 + 8 + 8 + 1] = 0x6E;
    t.image.bytes[5 + 8 + 8 + 2] = 0x9E;
    t.image.bytes[5 + 8 + 8 + 3] = 0xB5;
    std::vector<std::string> got = listed(t, 1, 1);
    CHECK(got[0] == "+1 CYL 838 HD 07 REC 001 COUNT 266E9EB501 00 000F");
    // One digit more: the first of the next byte IBM holds, R2's key (D2).
    CHECK(got[2].substr(3, 50) == "00000  0000  C4C4C4C4 C4C4C4C4 C4C4C4C4 C4C4C4D   ");
    t.ibm_digits = false;
    CHECK(listed(t, 1, 1)[0] == "+1 CYL 9838 HD 40629 REC 001 COUNT 266E9EB501 00 000F");
}

TEST_CASE("track listing: the character columns of the console and the printer")
{
    CHECK(listing_character(0x81, ListingDevice::Console) == 'a');
    CHECK(listing_character(0x81, ListingDevice::Printer) == 'A');
    CHECK(listing_character(0x7C, ListingDevice::Console) == '@');
    CHECK(listing_character(0x7C, ListingDevice::Printer) == '.');
    CHECK(listing_character(0x4A, ListingDevice::Console) == ' ');
    CHECK(listing_character(0x5F, ListingDevice::Console) == '^');
    CHECK(listing_character(0xF9, ListingDevice::Printer) == '9');
    CHECK(listing_character(0xE9, ListingDevice::Console) == 'Z');
    CHECK(listing_character(0x00, ListingDevice::Console) == '.');
    for (int b = 0; b < 256; ++b) {
        const char c = listing_character(uint8_t(b), ListingDevice::Printer);
        CHECK((c == ' ' || (c >= 0x21 && c < 0x7F && !(c >= 'a' && c <= 'z'))));
    }
}

TEST_CASE("printer pages: 60 lines, a form feed instead of the spacing, no blank lines at the top")
{
    std::string out;
    PrinterPages pages([&](std::string_view b) { out.append(b); });
    pages.line("first", 1);  // blank lines at the top of a page are dropped
    for (int i = 2; i <= 60; ++i)
        pages.line("x", 0);  // rows 2..60
    pages.line("next page", 1);
    pages.line("y", 1);
    pages.finish();
    CHECK(out.rfind("first\nx\n", 0) == 0);
    CHECK(out.find("x\r\fnext page\n\ny\n") != std::string::npos);
    CHECK(std::count(out.begin(), out.end(), '\f') == 1);

    std::string typed;
    ConsoleLines console([&](std::string_view b) { typed.append(b); });
    console.line("a", 1);
    console.line("b", 0);
    end_of_type(console);
    CHECK(typed == "\na\nb\n\n");
}

TEST_CASE("FBA blocks: a BLOCK line and the block's bytes")
{
    Bytes blocks(1024, 0);
    Lines lines;
    list_fba_blocks(7, blocks, {}, lines);
    REQUIRE(lines.got.size() == 8);
    CHECK(lines.got[0] == "+1 BLOCK 0000000007 (X'00000007')");
    CHECK(lines.got[1] == "+1 00512  0200  DATA LENGTH");
    CHECK(lines.got[3] == "SUPPRESSED CHARACTERS SAME AS ABOVE ...");
    CHECK(lines.got[4] == "+1 BLOCK 0000000008 (X'00000008')");
}
