// Volume labels: the volser on CKD and FBA volumes, and the label records dasdinit
// writes, proven byte for byte against Hercules 3.13's dasdinit for every CKD type.
#include "formats/volume/volume.hpp"
#include "formats/volume/volume_label.hpp"
#include "tests/unit/volume_testing.hpp"

#include <doctest/doctest.h>

using namespace ddr;
using namespace ddr::test;

namespace {

NewCkdVolume spec_for(const CkdGeometry& g, uint32_t cylinders)
{
    NewCkdVolume s;
    s.devtype_byte = g.devtype_byte;
    s.cylinders = cylinders;
    s.heads = g.heads;
    s.track_size = g.track_size;
    return s;
}

} // namespace

TEST_CASE("Volume label: create + dasdinit's track 0 is dasdinit's volume, for every CKD type")
{
    TempDir dir;
    for (const CkdGeometry& g : kCkdTypes) {
        CAPTURE(g.type);
        std::string theirs = std::string("d-") + g.type + ".img";
        std::string ours = dir.file(std::string("o-") + g.type + ".img");
        REQUIRE(run_in(dir, "dasdinit " + theirs + " " + g.type + " VOL001 3") == 0);
        auto w = create_ckd_volume(ours, spec_for(g, 3));
        w->write_track({0, 0}, dasdinit_track0("VOL001"));
        w->commit();
        CHECK(read_file(ours) == read_file(dir.file(theirs)));
    }
}

TEST_CASE("Volume label: dasdinit -a (alternate cylinders) and a lower-case short volser")
{
    TempDir dir;
    // -a on a 2311 gives 200 + 3 cylinders.
    REQUIRE(run_in(dir, "dasdinit -a d.2311 2311 alt1") == 0);
    auto w = create_ckd_volume(dir.file("o.2311"), spec_for(geometry("2311"), 203));
    w->write_track({0, 0}, dasdinit_track0("alt1"));
    w->commit();
    CHECK(read_file(dir.file("o.2311")) == read_file(dir.file("d.2311")));
}

TEST_CASE("Volume label: the VOL1 label of dasdinit's track 0")
{
    TrackImage t0 = dasdinit_track0("vol001");
    auto label = find_ckd_volume_label(t0);
    REQUIRE(label);
    CHECK(label->record == 3);
    CHECK(label->volser == "VOL001");
    CHECK(label->volser_ebcdic == EbcdicVolser{0xE5, 0xD6, 0xD3, 0xF0, 0xF0, 0xF1});
    CHECK(label->vtoc == std::array<uint8_t, 5>{0, 0, 0, 1, 1});
    CHECK(label->owner == "HERCULES");
    CHECK(!label->cp_formatted);
    CHECK(label->data.size() == 80);
    // 313 bytes: HA 5, R0 16, IPL1 8+4+24, IPL2 8+4+144, VOL1 8+4+80, marker 8.
    CHECK(t0.size() == 313);

    auto short_one = find_ckd_volume_label(dasdinit_track0("AB"));
    REQUIRE(short_one);
    CHECK(short_one->volser == "AB");
    CHECK(short_one->volser_ebcdic == EbcdicVolser{0xC1, 0xC2, 0x40, 0x40, 0x40, 0x40});

    CHECK(!find_ckd_volume_label(TrackImage::empty({0, 0})));
    // A VOL1 key whose data is too short to hold a volser is no label.
    TrackImage odd;
    odd.start(0, {0, 0});
    uint8_t r0[8] = {0, 0, 0, 0, 0, 0, 0, 8};
    odd.add_record(r0, Bytes(8, 0));
    uint8_t count[8] = {0, 0, 0, 0, 1, 4, 0, 9};
    const uint8_t kd[13] = {0xE5, 0xD6, 0xD3, 0xF1, 0xE5, 0xD6, 0xD3, 0xF1, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5};
    odd.add_record(count, ByteSpan(kd, 13));
    odd.finish();
    CHECK(!find_ckd_volume_label(odd));
}

TEST_CASE("Volume label: volser rules")
{
    CHECK(volser_to_ebcdic("A1@#$") == EbcdicVolser{0xC1, 0xF1, 0x7C, 0x7B, 0x5B, 0x40});
    CHECK(volser_to_ebcdic("zz9") == EbcdicVolser{0xE9, 0xE9, 0xF9, 0x40, 0x40, 0x40});
    CHECK(volser_to_ascii(EbcdicVolser{0xD1, 0xD9, 0xE2, 0x40, 0x40, 0x40}) == "JRS");
    CHECK(volser_to_ascii(EbcdicVolser{0x40, 0x40, 0x40, 0x40, 0x40, 0x40}) == "");
    CHECK(volser_to_ascii(EbcdicVolser{0xC1, 0x00, 0xFF, 0x4B, 0x60, 0x6D}) == "A??.-_");
    CHECK_ERROR(volser_to_ebcdic(""), ErrorKind::Usage, "1 to 6 characters");
    CHECK_ERROR(volser_to_ebcdic("SEVENCH"), ErrorKind::Usage, "1 to 6 characters");
    CHECK_ERROR(volser_to_ebcdic("A~B"), ErrorKind::Usage, "cannot hold");
    CHECK_ERROR(dasdinit_track0("\xC3\xA9"), ErrorKind::Usage, "cannot hold");
}

TEST_CASE("Volume label: FBA block 1")
{
    auto block = dasdinit_fba_block1("fba001");
    CHECK(block[0] == 0xE5);
    CHECK(block[9] == 0xF1);
    CHECK(block[10] == 0);
    CHECK(find_fba_volser(block) == "FBA001");
    Bytes zeros(512, 0);
    CHECK(!find_fba_volser(zeros));
    CHECK(!find_fba_volser(ByteSpan(block.data(), 8)));
}

TEST_CASE("Volume label: volsers and owners of the IBM DDR fixture volumes")
{
    struct Case {
        const char* name;
        const char* volser;  // from MANIFEST.json
    };
    const Case cases[] = {
        {"dev-2305-1", "S6CTCI"},  {"dev-2305-2", "SJYXST"}, {"dev-2311", "SBQX6Z"},   {"dev-2314", "SJYXFZ"},
        {"dev-3330", "SX7YX5"},    {"dev-3330-11", "SVCQIP"}, {"dev-3340-35", "SPFCTM"}, {"dev-3340-70", "SALTFR"},
        {"dev-3350", "SKA1D8"},    {"typeprint-3330", "PLF5NG"}, {"quirks-3330", "QUBLIF"},
    };
    TrackImage t0;
    for (const Case& c : cases) {
        CAPTURE(c.name);
        auto r = open_ckd_volume(fixture(c.name, "src.img"));
        r->read_track({0, 0}, t0);
        auto label = find_ckd_volume_label(t0);
        REQUIRE(label);
        CHECK(label->volser == c.volser);
        CHECK(label->record == 3);
        CHECK(!label->cp_formatted);
    }
    // The CP-formatted volume: owner field "CP370" (data bytes 46-50), VTOC at R5.
    auto r = open_ckd_volume(fixture("cpvol-3330", "src.img"));
    r->read_track({0, 0}, t0);
    auto label = find_ckd_volume_label(t0);
    REQUIRE(label);
    CHECK(label->volser == "CDF94L");
    CHECK(label->cp_formatted);
    CHECK(label->owner == "CP370");
    CHECK(label->record == 3);
    CHECK(label->vtoc == std::array<uint8_t, 5>{0, 0, 0, 0, 5});
}
