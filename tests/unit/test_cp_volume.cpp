// CP-formatted volumes: the allocation record (R4) decoded into IBM's DUMP CPVOL
// extents, the checkpoint record (R2) into the nucleus cylinders, and RESTORE NUCLEUS's
// checks and rewrite of track 0.  The values are those of the cpvol-3330 fixture IBM's
// DDR dumped (cylinders 0-1, 5, 10-12, 14-15; nucleus 10-11).
#include "formats/io/ebcdic.hpp"
#include "formats/io/error.hpp"
#include "formats/volume/cp_volume.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <string>

using namespace ddr;

namespace {

// The fixture's allocation: 0=TEMP 1=DRCT in use 2=DRCT 3,4=TDSK 5=PERM 6-9=DRCT
// 10,11=PERM 12=DRCT in use 13=TDSK 14=PERM 15=DRCT in use 16=TEMP 17,18=DRCT 19=TDSK.
Bytes fixture_allocation()
{
    const uint8_t codes[] = {0x00, 0x0C, 0x04, 0x02, 0x02, 0x01, 0x04, 0x04, 0x04, 0x04,
                             0x01, 0x01, 0x0C, 0x02, 0x01, 0x0C, 0x00, 0x04, 0x04, 0x02, 0xFF};
    Bytes r4(kCpAllocationRecordSize, 0);
    std::copy(std::begin(codes), std::end(codes), r4.begin());
    return r4;
}

Bytes checkpoint(uint16_t first, uint16_t last)
{
    Bytes r2(kCpCheckpointRecordSize, 0);
    const char* id = "DMKCKP  ";
    for (size_t i = 0; i < 8; ++i)
        r2[14 + i] = to_ebcdic(id[i]);
    store_be16(r2.data() + 22, first);
    store_be16(r2.data() + 24, last);
    return r2;
}

Bytes vol1(const char* owner)
{
    Bytes label(80, 0x40);
    const std::string text = std::string("VOL1CDF94L");
    for (size_t i = 0; i < text.size(); ++i)
        label[i] = to_ebcdic(text[i]);
    for (size_t i = 0; owner[i]; ++i)  // the owner field, bytes 41-50; CP's 'CP370' ends it
        label[51 - std::strlen(owner) + i] = to_ebcdic(owner[i]);
    return label;
}

void add(TrackImage& t, uint8_t record, ByteSpan key, ByteSpan data)
{
    uint8_t count[8] = {0, 0, 0, 0, record, uint8_t(key.size()), uint8_t(data.size() >> 8), uint8_t(data.size())};
    t.add_record(count, key, data);
}

// Track 0 of a CP-formatted volume: R1 (24), R2 (checkpoint), VOL1 (owner `owner`), R4.
TrackImage track0(const char* owner, std::optional<Bytes> r4, size_t r1_size = kCpIplRecordSize)
{
    TrackImage t;
    t.start(0, {0, 0});
    const uint8_t r0data[8] = {};
    add(t, 0, {}, r0data);
    const Bytes r1(r1_size, 0x11);
    add(t, 1, {}, r1);
    const Bytes r2 = checkpoint(10, 11);
    add(t, 2, {}, r2);
    const uint8_t key[4] = {0xE5, 0xD6, 0xD3, 0xF1};
    const Bytes label = vol1(owner);
    add(t, 3, key, label);
    if (r4)
        add(t, 4, {}, *r4);
    t.finish();
    return t;
}

std::string to_hex(ByteSpan bytes)
{
    std::string s;
    char b[3];
    for (uint8_t x : bytes) {
        std::snprintf(b, sizeof b, "%02x", unsigned(x));
        s += b;
    }
    return s;
}

std::string not_cp_reason(const std::function<void()>& fn)
{
    try {
        fn();
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::NotCpVolume);
        return e.detail();
    }
    FAIL("no error");
    return {};
}

} // namespace

TEST_CASE("CP allocation record: IBM's DUMP CPVOL extents of the cpvol-3330 fixture")
{
    const CpAllocationMap map = decode_cp_allocation(fixture_allocation());
    REQUIRE(map.cylinders.size() == 20);
    CHECK(map.cylinders[1] == CpAllocation::DirectoryInUse);
    CHECK(map.cylinders[2] == CpAllocation::Directory);
    CHECK(std::string(cp_allocation_name(map.cylinders[3])) == "TDSK");
    using Runs = std::vector<std::pair<uint32_t, uint32_t>>;
    CHECK(map.cpvol_runs() == Runs{{0, 1}, {5, 5}, {10, 12}, {14, 15}});
    CHECK(map.all_perm(10, 11));
    CHECK_FALSE(map.all_perm(10, 12));
    CHECK_FALSE(map.all_perm(19, 20));  // past the end byte
}

TEST_CASE("CP allocation record: cylinder 0 is dumped alone when cylinder 1 is not PERM")
{
    Bytes r4(kCpAllocationRecordSize, 0);
    r4[0] = 0x02;  // TDSK: cylinder 0 is dumped whatever its code
    r4[1] = 0x04;
    r4[2] = 0x01;
    r4[3] = 0xFF;
    using Runs = std::vector<std::pair<uint32_t, uint32_t>>;
    CHECK(decode_cp_allocation(r4).cpvol_runs() == Runs{{0, 0}, {2, 2}});
}

TEST_CASE("CP allocation record: refused when short, unterminated or with an unknown code")
{
    const Bytes short_r4(800, 0);
    CHECK(not_cp_reason([&] { decode_cp_allocation(short_r4); }).find("800 data bytes, not 1024") != std::string::npos);
    const Bytes no_end(kCpAllocationRecordSize, 0x01);
    CHECK(not_cp_reason([&] { decode_cp_allocation(no_end); }).find("no end byte X'FF'") != std::string::npos);
    Bytes bad = fixture_allocation();
    bad[7] = 0x03;
    CHECK(not_cp_reason([&] { decode_cp_allocation(bad); }).find("unknown code X'03' for cylinder 7") != std::string::npos);
}

TEST_CASE("CP checkpoint record: DMKCKP at 14, the nucleus cylinders at 22")
{
    const Bytes r2 = checkpoint(10, 11);
    CHECK(is_cp_checkpoint(r2));
    const CpCheckpoint c = decode_cp_checkpoint(r2);
    CHECK(c.nucleus_first == 10);
    CHECK(c.nucleus_last == 11);
    Bytes not_ckp = r2;
    not_ckp[14] = 0;
    CHECK_FALSE(is_cp_checkpoint(not_ckp));
    CHECK_FALSE(is_cp_checkpoint(ByteSpan(r2).first(4095)));
    CHECK(not_cp_reason([&] { decode_cp_checkpoint(not_ckp); }).find("no CP checkpoint record") != std::string::npos);
    CHECK(not_cp_reason([&] { decode_cp_checkpoint(checkpoint(12, 11)); }).find("do not ascend") != std::string::npos);
}

TEST_CASE("CP volume: track 0 read for CPVOL, and why a volume is not CP-formatted")
{
    const CpVolume v = read_cp_volume(track0("CP370", fixture_allocation()));
    CHECK(v.label.volser == "CDF94L");
    CHECK(v.allocation.cylinders.size() == 20);
    CHECK(to_hex(find_cp_checkpoint(track0("CP370", fixture_allocation())).subspan(22, 4)) == "000a000b");

    CHECK(not_cp_reason([] { read_cp_volume(track0("HERCULES", fixture_allocation())); })
              .find("owner field reads 'HERCULES'") != std::string::npos);
    CHECK(not_cp_reason([] { read_cp_volume(track0("CP370", std::nullopt)); }).find("no R4") != std::string::npos);
    CHECK(not_cp_reason([] { read_cp_volume(TrackImage::empty({0, 0})); }).find("no VOL1 label") != std::string::npos);
    CHECK(not_cp_reason([] { find_cp_checkpoint(TrackImage::empty({0, 0})); }).find("no R2") != std::string::npos);
}

TEST_CASE("CP volume: RESTORE NUCLEUS checks the target, then rewrites R1 and R2 in place")
{
    TrackImage t = track0("CP370", fixture_allocation());
    check_cp_nucleus_target(t, {10, 11});
    CHECK(not_cp_reason([&] { check_cp_nucleus_target(t, {10, 12}); }).find("not all allocated PERM") !=
          std::string::npos);
    CHECK(not_cp_reason([] { check_cp_nucleus_target(track0("CP370", fixture_allocation(), 20), {10, 11}); })
              .find("R1 (the IPL record) is missing or not 24 bytes") != std::string::npos);

    const size_t before = t.size();
    Bytes fresh = checkpoint(10, 11);
    fresh[100] = 0x77;
    rewrite_cp_nucleus_records(t, fresh);
    CHECK(t.size() == before);
    std::vector<CkdRecord> recs;
    t.records(recs);
    REQUIRE(recs.size() == 5);
    CHECK(to_hex(recs[1].data) == "000c000000000800060008000000100000000000" "00000000");
    CHECK(Bytes(recs[2].data.begin(), recs[2].data.end()) == fresh);
    CHECK(read_cp_volume(t).label.volser == "CDF94L");  // R3 and R4 untouched
}
