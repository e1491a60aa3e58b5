// CKD_E064, our container for 3390 model A (EAV) volumes: layout byte for byte, round
// trips at the addresses where the EAV form matters, the largest and smallest volumes,
// bounded memory, byte-identical updates, and Hercules 3.13 refusing the file.
#include "devices/ckd_devices.hpp"
#include "formats/volume/cckd/builder.hpp"
#include "formats/volume/cckd/image.hpp"
#include "formats/volume/cckd/writer_core.hpp"
#include "formats/volume/cckd/eav_container.hpp"
#include "formats/io/error.hpp"
#include "formats/volume/volume.hpp"
#include "tests/unit/error_testing.hpp"
#include "tests/unit/support.hpp"
#include "tests/unit/test_cckd_helpers.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <random>

using namespace ddr;
using namespace ddr::test;

namespace {

constexpr uint32_t kLargest = 1'182'006;
constexpr uint64_t kLargestTracks = uint64_t(kLargest) * 15;  // 17,730,090
constexpr uint64_t kLargestL1 = (kLargestTracks + 255) / 256;  // 69,259

NewCkdVolume eav_spec(uint32_t cylinders)
{
    NewCkdVolume v;
    v.format = "CKD_E064";
    v.devtype_byte = 0x90;
    v.cylinders = cylinders;
    v.heads = 15;
    v.track_size = 56832;
    return v;
}

// The addresses the brief names: below, at and above the 16-bit boundary, the old
// 262,668-cylinder EAV limit, and the last track of the largest EAV.
const std::vector<TrackAddress> kEdgeTracks = {{0, 0}, {65535, 14}, {65536, 0}, {65536, 1}, {262667, 7}, {1182005, 14}};

// A track with content at `addr` (sample kinds 2..7: keyed, EOF, full, R0 data, cards, random).
TrackImage content_track(TrackAddress addr, unsigned kind, uint32_t seed)
{
    std::mt19937 rng(seed);
    return sample_track(addr, 2 + kind % 6, 56832, rng);
}

uint64_t unit_of(TrackAddress a) { return uint64_t(a.cyl) * 15 + a.head; }

} // namespace

TEST_CASE("EAV: the container's limits are the 3390-A row of the device table")
{
    CHECK(eav::kMinCylinders == kEavMinCylinders);
    CHECK(eav::kMaxCylinders == kEavMaxCylinders);
    const CkdDevice* a = find_ckd_device("3390-A");
    REQUIRE(a != nullptr);
    CHECK(a->eav);
    CHECK(a->heads == eav::kHeads);
    CHECK(a->hercules_track_size() == eav::kTrackSize);
    CHECK(a->hercules_devtype() == eav::kDevtypeByte);
    // Hercules' lookup rule counts a 3390-54's 3 alternate cylinders, so it names the
    // 3390-A only from 65,524 cylinders on: a CKD_E064 volume is a 3390-A by its magic,
    // not by this rule.
    CHECK(ckd_device_for_image(0x90, 65524) == a);
    CHECK(ckd_device_for_image(0x90, eav::kMaxCylinders) == a);
    CHECK(ckd_device_for_image(0x90, eav::kMinCylinders)->name == "3390-54");
}

TEST_CASE("EAV: a new 1,182,006-cylinder volume is a 555 KB file of headers and an empty L1 table")
{
    TempDir dir;
    const std::string path = dir.file("big.eav");
    {
        auto w = create_ckd_volume(path, eav_spec(kLargest));
        CHECK(w->info().format == "CKD_E064");
        w->commit();
    }
    const Bytes f = read_file(path);
    REQUIRE(f.size() == 1024 + kLargestL1 * 8);  // 555,096 bytes
    // Device header: magic, heads, track size, device type; the rest zeros.
    CHECK(std::string(f.begin(), f.begin() + 8) == "CKD_E064");
    CHECK(load_le32(f.data() + 8) == 15);
    CHECK(load_le32(f.data() + 12) == 56832);
    CHECK(f[16] == 0x90);
    CHECK(std::all_of(f.begin() + 17, f.begin() + 512, [](uint8_t b) { return b == 0; }));
    // Compressed header, CCKD64 layout, little-endian.
    const uint8_t* h = f.data() + 512;
    CHECK(h[0] == 0);
    CHECK(h[1] == 3);
    CHECK(h[2] == 1);
    CHECK(h[3] == 0x40);
    CHECK(load_le32(h + 4) == kLargestL1);
    CHECK(load_le32(h + 8) == 256);
    CHECK(load_le32(h + 12) == kLargest);
    CHECK(load_le64(h + 16) == f.size());  // size
    CHECK(load_le64(h + 24) == f.size());  // used
    for (int off = 32; off < 72; off += 8)
        CHECK(load_le64(h + off) == 0);    // no free space
    CHECK(h[72] == 1);                     // null format 1
    CHECK(h[73] == 1);                     // zlib
    CHECK(load_le16(h + 74) == 0xFFFF);    // library default level
    CHECK(std::all_of(h + 76, h + 512, [](uint8_t b) { return b == 0; }));
    // Not one L2 table: every L1 entry is 0.
    CHECK(std::all_of(f.begin() + 1024, f.end(), [](uint8_t b) { return b == 0; }));

    CHECK(looks_like_ckd_volume(path));
    auto r = open_ckd_volume(path);
    const CkdVolumeInfo& info = r->info();
    CHECK(info.format == "CKD_E064");
    CHECK(info.cylinders == kLargest);
    CHECK(info.heads == 15);
    CHECK(info.track_size == 56832);
    CHECK(info.devtype_byte == 0x90);
    CHECK(info.eav_form());
    CHECK(info.files == std::vector<std::string>{path});
    CHECK(info.bytes == f.size());
    TrackImage t;
    for (TrackAddress a : kEdgeTracks) {
        CAPTURE(a.cyl);
        CAPTURE(a.head);
        r->read_track(a, t);
        CHECK(t.bytes == TrackImage::empty(a).bytes);
        CHECK(t.home_address(true) == a);
    }
    // The bytes of the EAV form: 1,182,005 = X'120935' -> CC X'0935', HH X'012E'.
    r->read_track({1182005, 14}, t);
    CHECK(t.bytes == Bytes{0x00, 0x09, 0x35, 0x01, 0x2E,                          // HA
                           0x09, 0x35, 0x01, 0x2E, 0x00, 0x00, 0x00, 0x08,        // R0 count
                           0, 0, 0, 0, 0, 0, 0, 0,                                 // R0 data
                           0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF});      // end of track
    r->read_track({65536, 1}, t);
    CHECK(Bytes(t.bytes.begin(), t.bytes.begin() + 5) == Bytes{0x00, 0x00, 0x00, 0x00, 0x11});
    CHECK_ERROR(r->read_track({kLargest, 0}, t), ErrorKind::Internal, "outside the volume");
    CHECK_ERROR(r->read_track({0, 15}, t), ErrorKind::Internal, "outside the volume");
}

TEST_CASE("EAV: tracks at cylinders 0, 65,535, 65,536, 262,667 and 1,182,005 survive create, open and update")
{
    TempDir dir;
    const std::string path = dir.file("edges.eav");
    std::vector<TrackImage> first, second;
    for (size_t i = 0; i < kEdgeTracks.size(); ++i) {
        first.push_back(content_track(kEdgeTracks[i], unsigned(i), uint32_t(i)));
        second.push_back(content_track(kEdgeTracks[i], unsigned(i + 3), uint32_t(100 + i)));
    }
    {
        auto w = create_ckd_volume(path, eav_spec(kLargest));
        for (size_t i = 0; i < kEdgeTracks.size(); ++i)
            w->write_track(kEdgeTracks[i], first[i]);
        // The writer reads back what it holds, and untouched tracks as empty ones.
        TrackImage t;
        w->read_track(kEdgeTracks[2], t);
        CHECK(t.bytes == first[2].bytes);
        w->read_track({65536, 2}, t);
        CHECK(t.bytes == TrackImage::empty({65536, 2}).bytes);
        w->commit();
    }
    // One L2 table per group written: 6 tracks in 5 groups (65,536/0 and /1 share one).
    const uint64_t size = std::filesystem::file_size(path);
    CHECK(size > 1024 + kLargestL1 * 8 + 5 * 4096);

    auto check_volume = [&](const std::vector<TrackImage>& expect) {
        auto r = open_ckd_volume(path);
        CHECK(r->info().cylinders == kLargest);
        TrackImage t;
        for (size_t i = 0; i < kEdgeTracks.size(); ++i) {
            CAPTURE(i);
            r->read_track(kEdgeTracks[i], t);
            REQUIRE(t.bytes == expect[i].bytes);
            CHECK(t.home_address(true) == kEdgeTracks[i]);
        }
        for (TrackAddress a : {TrackAddress{65535, 13}, TrackAddress{65536, 14}, TrackAddress{262667, 6},
                               TrackAddress{1182005, 13}, TrackAddress{700000, 3}}) {
            r->read_track(a, t);
            CHECK(t.bytes == TrackImage::empty(a).bytes);
        }
    };
    check_volume(first);

    // Update: rewrite every other edge track, and empty one of them (it becomes a null
    // entry again, and its group needs no table once nothing else is in it).
    std::vector<TrackImage> expect = first;
    {
        auto u = update_ckd_volume(path);
        CHECK(u->info().format == "CKD_E064");
        CHECK(u->info().cylinders == kLargest);
        for (size_t i = 0; i < kEdgeTracks.size(); i += 2) {
            u->write_track(kEdgeTracks[i], second[i]);
            expect[i] = second[i];
        }
        u->write_track(kEdgeTracks[5], TrackImage::empty(kEdgeTracks[5]));
        expect[5] = TrackImage::empty(kEdgeTracks[5]);
        TrackImage t;
        u->read_track(kEdgeTracks[1], t);  // still in the original
        CHECK(t.bytes == first[1].bytes);
        u->commit();
    }
    check_volume(expect);
    CHECK(std::filesystem::file_size(path) < size);  // one L2 table fewer
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 1);
}

TEST_CASE("EAV: null tracks of every format keep their EAV addresses")
{
    TempDir dir;
    const std::string path = dir.file("nulls.eav");
    const TrackAddress a0{70000, 2}, a1{70000, 3}, a2{1000000, 9};
    std::vector<std::pair<Bytes, Bytes>> linux_records(12, {Bytes{}, Bytes(4096, 0)});
    const TrackImage fmt0 = empty_fmt0(a0);
    const TrackImage fmt1 = TrackImage::empty(a1);
    const TrackImage fmt2 = track_with_records(a2, linux_records);
    {
        auto w = create_ckd_volume(path, eav_spec(kLargest));
        w->write_track(a0, fmt0);
        w->write_track(a1, fmt1);
        w->write_track(a2, fmt2);
        w->commit();
    }
    // Nothing stored but two L2 tables (fmt0 and fmt2 differ from the header's format 1).
    CHECK(std::filesystem::file_size(path) == 1024 + kLargestL1 * 8 + 2 * 4096);
    auto r = open_ckd_volume(path);
    TrackImage t;
    r->read_track(a0, t);
    CHECK(t.bytes == fmt0.bytes);
    r->read_track(a1, t);
    CHECK(t.bytes == fmt1.bytes);
    r->read_track(a2, t);
    CHECK(t.bytes == fmt2.bytes);
    std::vector<CkdRecord> recs;
    t.records(recs);
    REQUIRE(recs.size() == 13);
    CHECK(decode_cchh(recs[12].count, true) == a2);
}

TEST_CASE("EAV: the smallest EAV is 65,521 cylinders; 65,520 and fewer are refused with the formats to use")
{
    TempDir dir;
    const std::string path = dir.file("small.eav");
    const TrackAddress last{65520, 14};
    const TrackImage track = content_track(last, 3, 1);
    {
        auto w = create_ckd_volume(path, eav_spec(eav::kMinCylinders));
        w->write_track(last, track);
        CHECK_ERROR(w->write_track({65521, 0}, TrackImage::empty({65521, 0})), ErrorKind::Internal,
                    "outside the volume (65521 cylinders of 15 heads)");
        w->commit();
    }
    auto r = open_ckd_volume(path);
    CHECK(r->info().cylinders == 65521);
    TrackImage t;
    r->read_track(last, t);
    CHECK(t.bytes == track.bytes);
    CHECK_ERROR(r->read_track({65521, 0}, t), ErrorKind::Internal, "outside the volume");

    const std::string other = dir.file("other.eav");
    CHECK_ERROR(create_ckd_volume(other, eav_spec(65520)), ErrorKind::Device,
                "65520 cylinders is not an EAV: CKD_E064 holds 3390 model A volumes of 65,521 to 1,182,006 "
                "cylinders; a volume of 65,520 or fewer belongs in CKD_C064 or plain CKD");
    CHECK_ERROR(create_ckd_volume(other, eav_spec(1)), ErrorKind::Device, "1 cylinders is not an EAV");
    CHECK_ERROR(create_ckd_volume(other, eav_spec(0)), ErrorKind::Device, "0 cylinders is not an EAV");
    CHECK_ERROR(create_ckd_volume(other, eav_spec(kLargest + 1)), ErrorKind::Device,
                "1182007 cylinders is more than the largest EAV");
    NewCkdVolume s = eav_spec(70000);
    s.heads = 14;
    CHECK_ERROR(create_ckd_volume(other, s), ErrorKind::Device, "14 heads per cylinder; a CKD_E064 volume is a 3390");
    s = eav_spec(70000);
    s.track_size = 57344;
    CHECK_ERROR(create_ckd_volume(other, s), ErrorKind::Device, "track size 57344");
    s = eav_spec(70000);
    s.devtype_byte = 0x80;
    CHECK_ERROR(create_ckd_volume(other, s), ErrorKind::Device, "device type byte 0x80");
    // The Hercules formats point the other way.
    s = eav_spec(70000);
    s.format = "CKD_C064";
    CHECK_ERROR(create_ckd_volume(other, s), ErrorKind::Device, "an EAV goes in CKD_E064");
    CHECK(!std::filesystem::exists(other));
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 1);
}

TEST_CASE("EAV: the write path refuses home addresses not in EAV form and tracks beyond the volume")
{
    TempDir dir;
    const std::string path = dir.file("w.eav");
    auto w = create_ckd_volume(path, eav_spec(300000));
    const TrackAddress a{65536, 1};
    TrackImage t = content_track(a, 1, 7);
    // The 16-bit form cut short: CC = low 16 bits, HH = the head alone.
    TrackImage cut = t;
    cut.bytes[1] = 0x00;
    cut.bytes[2] = 0x00;
    cut.bytes[3] = 0x00;
    cut.bytes[4] = 0x01;
    CHECK_ERROR(w->write_track(a, cut), ErrorKind::Device,
                "home address says cyl 0 head 1 (CCHH X'00000001'); a CKD_E064 image stores a track only under "
                "its own address in EAV form, cyl 65536 head 1 (CCHH X'00000011')");
    // Another track's address.
    CHECK_ERROR(w->write_track({65537, 1}, t), ErrorKind::Device, "home address says cyl 65536 head 1");
    // Beyond the volume: cylinder 300,000, head 15.
    CHECK_ERROR(w->write_track({300000, 0}, TrackImage::empty({300000, 0})), ErrorKind::Internal,
                "cannot write a track outside the volume (300000 cylinders of 15 heads)");
    CHECK_ERROR(w->write_track({299999, 15}, TrackImage::empty({299999, 15})), ErrorKind::Internal,
                "outside the volume");
    // A track too big for a 3390 slot.
    TrackImage big = track_with_records(a, {{Bytes{}, Bytes(56804, 1)}});
    CHECK_ERROR(w->write_track(a, big), ErrorKind::Device, "more than the 56832-byte tracks");
    // None of that spoiled the writer.
    w->write_track(a, t);
    w->commit();
    auto r = open_ckd_volume(path);
    TrackImage back;
    r->read_track(a, back);
    CHECK(back.bytes == t.bytes);
}

TEST_CASE("EAV: an update holds L2 tables only for the groups it writes, not for the empty rest")
{
    TempDir dir;
    const std::string path = dir.file("mem.eav");
    create_ckd_volume(path, eav_spec(kLargest))->commit();

    // The core an update runs on, driven the way CckdImageWriter drives it.
    cckd::UpdateSource src = cckd::open_for_update(path, cckd::Flavor::Ckd);
    const cckd::Container& c = *src.container;
    REQUIRE(c.kind().eav);
    REQUIRE(c.units() == kLargestTracks);
    cckd::BuildLayout layout = cckd::fresh_layout(c.kind(), c.device_header(), c.header().cyls, cckd::kNullFmt1,
                                                  c.units(), src.method, src.level, "too big");
    cckd::WriterCore::Rules rules;
    rules.place = [](uint64_t) { return Place{}; };
    rules.check_copied = [](uint64_t, cckd::Job&, const Place&) {};
    cckd::WriterCore core(std::move(src.container), std::move(layout), src.method, src.level, 1, rules);
    for (size_t i = 0; i < kEdgeTracks.size(); ++i) {
        const TrackImage t = content_track(kEdgeTracks[i], unsigned(i), 9);
        core.claim(unit_of(kEdgeTracks[i]));
        core.submit_raw(unit_of(kEdgeTracks[i]), t.bytes);
    }
    core.settle();
    CHECK(core.builder().groups_in_memory() == 5);
    core.commit();
    CHECK(core.builder().groups_in_memory() == 5);

    // Default null entries never cost a table, a different null format does.
    TempDir scratch;
    cckd::TempFile file(scratch.file("b.eav"));
    cckd::BuildLayout l2 = cckd::fresh_layout(cckd::Kind{cckd::Flavor::Ckd, true, false, "CKD_E064", true},
                                              DeviceHeader{}, kLargest, cckd::kNullFmt1, kLargestTracks,
                                              CckdCompression::Zlib, -1, "too big");
    cckd::Builder b(file.file(), l2);
    for (uint64_t u = 0; u < kLargestTracks; u += 97)
        b.set_null(u, cckd::kNullFmt1);
    CHECK(b.groups_in_memory() == 0);
    b.set_null(kLargestTracks - 1, cckd::kNullFmt0);
    CHECK(b.groups_in_memory() == 1);
    b.set_null(kLargestTracks - 1, cckd::kNullFmt1);  // the table stays, but is no longer written
    b.finish();
    CHECK(b.end() == 1024 + kLargestL1 * 8);
}

TEST_CASE("EAV: a committed update is byte for byte the file it started from when nothing changes")
{
    TempDir dir;
    const std::string path = dir.file("same.eav");
    {
        auto w = create_ckd_volume(path, eav_spec(kLargest));
        for (size_t i = 0; i < kEdgeTracks.size(); ++i)
            w->write_track(kEdgeTracks[i], content_track(kEdgeTracks[i], unsigned(i), 50));
        w->commit();
    }
    const Bytes original = read_file(path);
    // Opened and committed without writes.
    {
        auto u = update_ckd_volume(path);
        u->commit();
    }
    CHECK(read_file(path) == original);
    // Every track rewritten with what it already holds, out of order.
    {
        auto u = update_ckd_volume(path);
        for (size_t i = kEdgeTracks.size(); i-- > 0;)
            u->write_track(kEdgeTracks[i], content_track(kEdgeTracks[i], unsigned(i), 50));
        u->commit();
    }
    CHECK(read_file(path) == original);
    // An abandoned update leaves it alone too.
    {
        auto u = update_ckd_volume(path);
        u->write_track({65536, 0}, TrackImage::empty({65536, 0}));
    }
    CHECK(read_file(path) == original);
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 1);
    // And the same volume created again is the same file.
    const std::string again = dir.file("again.eav");
    {
        auto w = create_ckd_volume(again, eav_spec(kLargest));
        for (size_t i = 0; i < kEdgeTracks.size(); ++i)
            w->write_track(kEdgeTracks[i], content_track(kEdgeTracks[i], unsigned(i), 50));
        w->commit();
    }
    CHECK(read_file(again) == original);
}

TEST_CASE("EAV: the dispatch knows CKD_E064 as a CKD container and refuses it as FBA")
{
    TempDir dir;
    const std::string path = dir.file("d.eav");
    create_ckd_volume(path, eav_spec(70000))->commit();
    CHECK(looks_like_ckd_volume(path));
    CHECK_ERROR(open_fba_volume(path), ErrorKind::Device, "is a CKD volume image (CKD_E064), not FBA");
    CHECK_ERROR(update_fba_volume(path), ErrorKind::Device, "is a CKD volume image (CKD_E064), not FBA");
    CHECK(open_cckd_volume(path)->info().format == "CKD_E064");
}

TEST_CASE("EAV: Hercules 3.13's dasdls, cckdcdsk and cckd2ckd refuse a CKD_E064 file and leave it alone")
{
    REQUIRE(have_hercules());
    TempDir dir;
    const std::string path = dir.file("h.eav");
    {
        auto w = create_ckd_volume(path, eav_spec(70000));
        w->write_track({65536, 0}, content_track({65536, 0}, 0, 3));
        w->commit();
    }
    const Bytes before = read_file(path);
    int rc = -1;
    std::string out = run("cckdcdsk -3 '" + path + "'", &rc);
    INFO(out);
    CHECK(out.find("not a compressed dasd file") != std::string::npos);
    out = run("dasdls '" + path + "'", &rc);
    INFO(out);
    CHECK(out.find("CKD header invalid") != std::string::npos);
    CHECK(out.find("VOLSER") == std::string::npos);
    const std::string plain = dir.file("out.ckd");
    out = run("cckd2ckd -q -lfs '" + path + "' '" + plain + "'", &rc);
    INFO(out);
    CHECK(rc != 0);
    CHECK(out.find("CKD header invalid") != std::string::npos);
    CHECK(!std::filesystem::exists(plain));
    CHECK(read_file(path) == before);
}

TEST_CASE("EAV: every compression mode round trips, and an update keeps the file's mode")
{
    TempDir dir;
    const std::vector<TrackAddress> at = {{65535, 14}, {65536, 0}, {131072, 5}, {199999, 14}};
    for (auto c : {CckdCompression::None, CckdCompression::Zlib, CckdCompression::Bzip2}) {
        CAPTURE(compression_name(c));
        const std::string path = dir.file(std::string("c-") + compression_name(c) + ".eav");
        std::vector<TrackImage> tracks;
        for (size_t i = 0; i < at.size(); ++i)
            tracks.push_back(content_track(at[i], unsigned(i + 4), uint32_t(i)));  // full, R0 data, cards, random
        {
            auto w = create_cckd_volume(path, eav_spec(200000), CckdOptions{c, -1, 2});
            for (size_t i = 0; i < at.size(); ++i)
                w->write_track(at[i], tracks[i]);
            w->commit();
        }
        CHECK(read_file(path)[585] == uint8_t(c));
        {
            auto u = update_ckd_volume(path);
            tracks[0] = content_track(at[0], 6, 77);  // 80-byte cards: compressible
            u->write_track(at[0], tracks[0]);
            u->commit();
        }
        const Bytes f = read_file(path);
        CHECK(f[585] == uint8_t(c));
        // Track 65535/14 is the last of group 3839: its L2 entry is the table's last.
        const uint64_t l2 = load_le64(f.data() + 1024 + 8 * 3839);
        const uint64_t pos = load_le64(f.data() + l2 + 16 * 255);
        REQUIRE(pos != 0);
        CHECK(f[pos] == uint8_t(c));
        auto r = open_ckd_volume(path);
        TrackImage t;
        for (size_t i = 0; i < at.size(); ++i) {
            r->read_track(at[i], t);
            CHECK(t.bytes == tracks[i].bytes);
        }
    }
}
