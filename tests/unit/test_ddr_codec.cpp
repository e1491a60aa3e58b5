// The DDR record codec against ddrtape(5) sections 3-4: exact bytes, the split rule, round trips
// and every malformed-group error.
#include "formats/ddrtape/records.hpp"
#include "formats/ddrtape/thr_group.hpp"
#include "formats/io/error.hpp"

#include <doctest/doctest.h>

#include <cstring>

using namespace ddr;

namespace {

// A track at `addr` with records of the given (key length, data length); data bytes are
// a pattern derived from the record number so a misplaced byte shows.
TrackImage make_track(TrackAddress addr, std::vector<std::pair<uint8_t, uint16_t>> records, uint8_t r0fill = 0)
{
    TrackImage t;
    t.start(0, addr);
    uint8_t r0[8];
    encode_cchh(r0, addr);
    r0[4] = 0;
    r0[5] = 0;
    store_be16(r0 + 6, 8);
    Bytes r0data(8, r0fill);
    t.add_record(r0, {}, r0data);
    uint8_t rn = 1;
    for (auto [kl, dl] : records) {
        uint8_t c[8];
        encode_cchh(c, addr);
        c[4] = rn;
        c[5] = kl;
        store_be16(c + 6, dl);
        Bytes key(kl), data(dl);
        for (size_t i = 0; i < kl; ++i)
            key[i] = uint8_t(0xC0 + rn + i);
        for (size_t i = 0; i < dl; ++i)
            data[i] = uint8_t(rn * 7 + i);
        t.add_record(c, key, data);
        ++rn;
    }
    t.finish();
    return t;
}

std::vector<size_t> block_sizes(const DdrTrackEncoder& enc)
{
    std::vector<size_t> out;
    for (auto b : enc.blocks())
        out.push_back(b.size());
    return out;
}

TrackImage roundtrip(const DdrTrackEncoder& enc, TrackAddress target, R0CountSource src)
{
    DdrTrackDecoder dec;
    dec.begin(enc.blocks()[0]);
    for (size_t i = 1; i < enc.blocks().size(); ++i)
        dec.add(enc.blocks()[i]);
    REQUIRE(dec.complete());
    TrackImage out;
    dec.build(out, target, src);
    return out;
}

} // namespace

TEST_CASE("VHR: blanks everywhere but the fields, exactly as IBM R6 writes it")
{
    // dev-3330/dump.aws, first block: VHR for volser SX7YX5, MREC 100, CYLA 410, MTCK 18.
    const uint8_t ibm[80] = {
        0xe5, 0xc8, 0xd9, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40,
        0xe3, 0xa2, 0x6a, 0xb7, 0x2f, 0x94, 0xb0, 0x00, 0x00, 0x64, 0x01, 0x9a, 0x00, 0x12, 0xe2, 0xe7,
        0xf7, 0xe8, 0xe7, 0xf5, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40,
        0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40,
        0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40};
    DdrVolumeHeader h = DdrVolumeHeader::decode(ByteSpan(ibm, 80));
    CHECK(h.kind == DdrHeaderKind::Vhr);
    CHECK(h.tod == 0xe3a26ab72f94b000ULL);
    CHECK(h.mrec == 100);
    CHECK(h.cyla == 410);
    CHECK(h.mtck == 18);
    CHECK(h.cc == 0);
    CHECK(h.hh == 0);
    auto again = h.encode();
    CHECK(std::memcmp(again.data(), ibm, 80) == 0);

    DdrVolumeHeader fresh;
    fresh.tod = h.tod;
    fresh.mrec = 100;
    fresh.cyla = 410;
    fresh.mtck = 18;
    fresh.volser = {0xe2, 0xe7, 0xf7, 0xe8, 0xe7, 0xf5};
    auto built = fresh.encode();
    CHECK(std::memcmp(built.data(), ibm, 80) == 0);

    // EOJ: same record, ID 'EOJ ', VHRCYLNO = last output cylinder, head MTCK.
    auto eoj = h.as(DdrHeaderKind::Eoj, 12, 18).encode();
    CHECK(eoj[0] == 0xC5);
    CHECK(eoj[2] == 0xD1);
    CHECK(load_be16(&eoj[6]) == 12);
    CHECK(load_be16(&eoj[8]) == 18);
    CHECK(std::memcmp(eoj.data() + 10, ibm + 10, 70) == 0);
    CHECK(DdrVolumeHeader::kind_of(ByteSpan(eoj.data(), 80)) == DdrHeaderKind::Eoj);
}

TEST_CASE("VHR: an EAV's last cylinder in bytes 10-13, read back only where it can be one")
{
    DdrVolumeHeader h;
    h.mrec = 90;
    h.cyla = kDdrCylaEav;
    h.mtck = 14;
    CHECK_FALSE(h.eav_last_cylinder());  // IBM's blanks, X'40404040', are no cylinder
    h.set_eav_last_cylinder(262667);
    const auto b = h.encode();
    CHECK(load_be32(&b[10]) == 262667);
    CHECK(b[14] == 0x40);
    CHECK(b[15] == 0x40);
    CHECK(load_be16(&b[26]) == 0xFFFF);
    const DdrVolumeHeader back = DdrVolumeHeader::decode(ByteSpan(b.data(), b.size()));
    CHECK(back.eav_last_cylinder() == 262667u);

    // The bounds: a 3390-A of kEavMinCylinders to kEavMaxCylinders cylinders.
    h.set_eav_last_cylinder(kEavMinCylinders - 1);
    CHECK(h.eav_last_cylinder() == kEavMinCylinders - 1);
    h.set_eav_last_cylinder(kEavMinCylinders - 2);
    CHECK_FALSE(h.eav_last_cylinder());
    h.set_eav_last_cylinder(kEavMaxCylinders - 1);
    CHECK(h.eav_last_cylinder() == kEavMaxCylinders - 1);
    h.set_eav_last_cylinder(kEavMaxCylinders);
    CHECK_FALSE(h.eav_last_cylinder());
    // Only with CYLA X'FFFF': another device's VHR never says it.
    h.set_eav_last_cylinder(262667);
    h.cyla = 3338;
    CHECK_FALSE(h.eav_last_cylinder());
}

TEST_CASE("THR header: the HA flag byte says defective (X'02') or alternate (X'01')")
{
    ThrHeader h;
    CHECK(h.ha_flags() == 0);
    CHECK_FALSE(h.flagged_defective());
    h.ha = {kHaFlagDefective, 0, 5, 0, 3};
    CHECK(h.ha_flags() == 0x02);
    CHECK(h.flagged_defective());
    h.ha[0] = kHaFlagAlternate;
    CHECK(h.ha_flags() == 0x01);
    CHECK_FALSE(h.flagged_defective());
}

TEST_CASE("VHR: what is not a header")
{
    Bytes thr(80, 0);
    thr[0] = 0xE3;
    thr[1] = 0xC8;
    thr[2] = 0xD9;
    thr[3] = 0x40;
    CHECK_FALSE(DdrVolumeHeader::kind_of(thr));
    CHECK_THROWS_AS(DdrVolumeHeader::decode(thr), Error);
    Bytes longer(81, 0x40);
    longer[0] = 0xE5;
    longer[1] = 0xC8;
    longer[2] = 0xD9;
    CHECK_FALSE(DdrVolumeHeader::kind_of(longer));
}

TEST_CASE("TOD clock: bit 51 is a microsecond, epoch 1900")
{
    // 1970-01-01 00:00:00 UTC is 2,208,988,800 s after the TOD epoch.
    CHECK(tod_from_unix_micros(0) == (uint64_t(2208988800ULL * 1000000) << 12));
    CHECK(unix_micros_from_tod(tod_from_unix_micros(1764062721123456LL)) == 1764062721123456LL);
    // The fixture dumps were made on 2026-11-25.
    CHECK(format_tod_utc(0xe3a26ab72f94b000ULL).substr(0, 10) == "2026-11-25");
}

TEST_CASE("split rule: THRNDRT = L div 4096; THRDRL = 0, 80 for 1..80, else L mod 4096")
{
    CHECK(thr_layout(32).full_blocks == 0);
    CHECK(thr_layout(32).last_length == 80);
    CHECK(thr_layout(80).last_length == 80);
    CHECK(thr_layout(81).last_length == 81);
    CHECK(thr_layout(4095).full_blocks == 0);
    CHECK(thr_layout(4095).last_length == 4095);
    CHECK(thr_layout(4096).full_blocks == 1);
    CHECK(thr_layout(4096).last_length == 0);
    CHECK(thr_layout(4097).last_length == 80);
    CHECK(thr_layout(4096 + 80).last_length == 80);
    CHECK(thr_layout(4096 + 81).last_length == 81);
    CHECK(thr_layout(16448).full_blocks == 4);
    CHECK(thr_layout(16448).last_length == 80);
}

TEST_CASE("THR: an empty track is one 80-byte block, zero padded")
{
    TrackImage t = make_track({7, 3}, {});
    DdrTrackEncoder enc;
    enc.encode(t, {7, 3});
    REQUIRE(enc.blocks().size() == 1);
    ByteSpan b = enc.blocks()[0];
    CHECK(b.size() == 80);
    CHECK(enc.image().size() == 32);
    const uint8_t expect[32] = {0xE3, 0xC8, 0xD9, 0x40, 0, 0, 0, 0, 0, 0x50, 0, 0, 0, 7, 0, 3,
                                0,    7,    0,    3,    0, 0, 0, 8, 0, 0,    0, 0, 0, 0, 0, 0};
    CHECK(std::memcmp(b.data(), expect, 32) == 0);
    for (size_t i = 32; i < 80; ++i)
        CHECK(b[i] == 0);
}

TEST_CASE("THR: the worked example of IBM's split rule, 3350 track of four 4096-byte records")
{
    TrackImage t = make_track({4, 29}, {{0, 4096}, {0, 4096}, {0, 4096}, {0, 4096}});
    DdrTrackEncoder enc;
    enc.encode(t, {4, 29});
    CHECK(enc.image().size() == 16448);
    CHECK(block_sizes(enc) == std::vector<size_t>{4096, 4096, 4096, 4096, 80});
    CHECK(enc.header().full_blocks == 4);
    CHECK(enc.header().last_length == 80);
    CHECK(enc.header().records == 4);
    // Counts follow R0 directly, then the data; the last block holds 64 real bytes.
    ByteSpan first = enc.blocks()[0];
    CHECK(first[32 + 4] == 1);
    CHECK(first[32 + 24 + 4] == 4);
    CHECK(first[64] == uint8_t(1 * 7));
    ByteSpan last = enc.blocks()[4];
    CHECK(last[63] == uint8_t(4 * 7 + 4095));
    for (size_t i = 64; i < 80; ++i)
        CHECK(last[i] == 0);
}

TEST_CASE("THR: block boundaries at L = 4096k, 4096k+1, +80, +81 round trip")
{
    // L = 32 + 8n + payload: with one keyless record, payload = L - 40.
    for (size_t L : {80u, 81u, 4096u, 4097u, 4176u, 4177u, 8192u, 8193u, 8272u, 8273u, 20480u, 56704u}) {
        CAPTURE(L);
        TrackImage t = make_track({1, 2}, {{0, uint16_t(L - 40)}});
        DdrTrackEncoder enc;
        enc.encode(t, {1, 2});
        CHECK(enc.image().size() == L);
        ThrLayout lay = thr_layout(L);
        CHECK(enc.blocks().size() == lay.full_blocks + (lay.last_length ? 1u : 0u));
        CHECK(enc.tape_bytes() == size_t(lay.full_blocks) * 4096 + lay.last_length);
        TrackImage back = roundtrip(enc, {1, 2}, R0CountSource::Tape);
        CHECK(back.bytes == t.bytes);
    }
}

TEST_CASE("THR: keyed records, EOF records, keyed EOF, R0 data and foreign CCHH survive")
{
    TrackImage t;
    TrackAddress addr{300, 14};
    t.start(0, addr);
    uint8_t r0[8] = {0x01, 0x2C, 0x00, 0x0E, 0, 0, 0, 8};
    const uint8_t r0data[8] = {'R', '0', 'D', 'A', 'T', 'A', '0', '1'};
    t.add_record(r0, {}, ByteSpan(r0data, 8));
    uint8_t c1[8] = {0x00, 0xFE, 0x00, 0xED, 0xFF, 44, 0, 96};  // a minidisk's own CCHH, R=255
    Bytes k1(44, 0x04), d1(96, 0x05);
    t.add_record(c1, k1, d1);
    uint8_t c2[8] = {0x01, 0x2C, 0x00, 0x0E, 2, 8, 0, 0};  // keyed EOF
    Bytes k2(8, 0xC5);
    t.add_record(c2, k2, {});
    uint8_t c3[8] = {0x01, 0x2C, 0x00, 0x0E, 3, 0, 0, 0};  // EOF
    t.add_record(c3, {}, {});
    uint8_t c4[8] = {0x01, 0x2C, 0x00, 0x0E, 4, 0, 0, 100};
    Bytes d4(100, 0x07);
    t.add_record(c4, {}, d4);
    t.finish();

    DdrTrackEncoder enc;
    enc.encode(t, {20, 14});  // REORDER: only the HA moves
    CHECK(enc.header().records == 4);
    CHECK(enc.image().size() == 32 + 32 + 44 + 96 + 8 + 100);
    CHECK(load_be16(enc.image().data() + 12) == 20);
    CHECK(std::memcmp(enc.image().data() + 16, r0, 8) == 0);
    CHECK(std::memcmp(enc.image().data() + 24, r0data, 8) == 0);
    CHECK(std::memcmp(enc.image().data() + 32, c1, 8) == 0);

    // Restored at the original place from the tape's R0: the same track.
    CHECK(roundtrip(enc, addr, R0CountSource::Tape).bytes == t.bytes);

    // Restored elsewhere: HA follows the target; R0 follows the policy; counts verbatim.
    TrackImage moved = roundtrip(enc, {20, 14}, R0CountSource::TargetCchh);
    CHECK(moved.home_address(true) == TrackAddress{20, 14});
    std::vector<CkdRecord> recs;
    moved.records(recs);
    CHECK(load_be16(recs[0].count) == 20);
    CHECK(std::memcmp(recs[1].count, c1, 8) == 0);
    TrackImage kept = roundtrip(enc, {20, 14}, R0CountSource::Tape);
    kept.records(recs);
    CHECK(load_be16(recs[0].count) == 300);
}

TEST_CASE("THR: Hercules' overflow bit on the last record becomes SPECIAL and back")
{
    TrackImage t = make_track({1, 0}, {{0, 100}, {0, 100}});
    // Flag the last record the way Hercules' Write Special CKD does.
    size_t last_count = 5 + 16 + 108;
    t.bytes[last_count] |= 0x80;
    DdrTrackEncoder enc;
    enc.encode(t, {1, 0});
    CHECK(enc.header().flags == kThrFlagSpecial);
    CHECK(enc.image()[10] == kThrFlagSpecial);
    CHECK(enc.image()[32 + 8] == 0x00);  // the count on tape is the real one
    CHECK(roundtrip(enc, {1, 0}, R0CountSource::Tape).bytes == t.bytes);

    // On cylinders >= 32,768 the bit is the cylinder's own: never a flag.
    TrackImage high = make_track({40000, 2}, {{0, 10}});
    DdrTrackEncoder enc2;
    enc2.encode(high, {40000, 2});
    CHECK(enc2.header().flags == 0);
    CHECK(roundtrip(enc2, {40000, 2}, R0CountSource::Tape).bytes == high.bytes);
}

TEST_CASE("THR: R0 with more than 8 bytes cannot be dumped")
{
    TrackImage t;
    t.start(0, {0, 1});
    uint8_t r0[8] = {0, 0, 0, 1, 0, 0, 0, 16};
    Bytes big(16, 1);
    t.add_record(r0, {}, big);
    t.finish();
    DdrTrackEncoder enc;
    CHECK_THROWS_AS(enc.encode(t, {0, 1}), Error);
}

TEST_CASE("THR decoder: every malformed group is refused")
{
    TrackImage t = make_track({2, 5}, {{0, 5000}});
    DdrTrackEncoder enc;
    enc.encode(t, {2, 5});
    REQUIRE(enc.blocks().size() == 2);
    const ByteSpan b0 = enc.blocks()[0], b1 = enc.blocks()[1];

    DdrTrackDecoder dec;
    SUBCASE("not a THR") {
        Bytes bad(b0.begin(), b0.end());
        bad[0] = 0xC5;
        CHECK_THROWS_AS(dec.begin(bad), Error);
    }
    SUBCASE("THR block shorter than its header implies") {
        Bytes bad(b0.begin(), b0.begin() + 2000);
        CHECK_THROWS_AS(dec.begin(bad), Error);
    }
    SUBCASE("continuation block of the wrong length") {
        dec.begin(b0);
        CHECK(dec.next_block_length() == b1.size());
        Bytes bad(b1.begin(), b1.end());
        bad.push_back(0);
        CHECK_THROWS_AS(dec.add(bad), Error);
    }
    SUBCASE("counts that disagree with the block layout") {
        Bytes bad(b0.begin(), b0.end());
        store_be16(bad.data() + 32 + 6, 9000);  // DL of R1
        dec.begin(bad);
        dec.add(b1);
        CHECK_THROWS_AS(dec.validate(), Error);
    }
    SUBCASE("a short block under 80 bytes") {
        Bytes bad(80, 0);
        bad[0] = 0xE3;
        bad[1] = 0xC8;
        bad[2] = 0xD9;
        bad[3] = 0x40;
        store_be16(bad.data() + 8, 40);
        CHECK_THROWS_AS(dec.begin(bad), Error);
    }
    SUBCASE("more records than the group holds") {
        Bytes bad(b0.begin(), b0.end());
        store_be16(bad.data() + 4, 2000);
        dec.begin(bad);
        dec.add(b1);
        CHECK_THROWS_AS(dec.validate(), Error);
    }
}

TEST_CASE("THR decoder: what a damaged or hostile header cannot make it do")
{
    // Found by fuzzing: a THR claiming 65,535 full blocks used to make the decoder
    // allocate 256 MiB before a second block arrived.  It is refused at once.
    Bytes thr(4096, 0);
    thr[0] = 0xE3;
    thr[1] = 0xC8;
    thr[2] = 0xD9;
    thr[3] = 0x40;
    store_be16(thr.data() + 6, 0xFFFF);
    store_be16(thr.data() + 8, 4095);
    DdrTrackDecoder dec;
    CHECK_THROWS_AS(dec.begin(thr), Error);
    // ...and a decoder whose begin() was refused takes no blocks (it once wrote past its
    // buffer when used after a failed begin).
    CHECK_THROWS_AS(dec.add(Bytes(4096, 0)), Error);

    // The largest real group (a full 3390 track, 14 blocks) is fine.
    store_be16(thr.data() + 4, 1);
    store_be16(thr.data() + 6, 13);
    store_be16(thr.data() + 8, 3456);
    CHECK_NOTHROW(dec.begin(thr));
}
