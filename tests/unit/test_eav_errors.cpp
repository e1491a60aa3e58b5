// Damaged and foreign CKD_E064 files: every header field, the L1 and L2 tables and the
// stored images are checked, each error naming the file, the offset and the track.
#include "formats/volume/cckd/image.hpp"
#include "formats/io/error.hpp"
#include "formats/volume/volume.hpp"
#include "tests/unit/error_testing.hpp"
#include "tests/unit/support.hpp"
#include "tests/unit/test_cckd_helpers.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <functional>
#include <optional>
#include <random>

using namespace ddr;
using namespace ddr::test;

namespace {

// A 70,000-cylinder EAV (1,050,000 tracks, 4,102 L1 entries) with three stored tracks
// on both sides of cylinder 65,536, and a FMT0 null entry.
struct DamagedEav {
    static constexpr uint32_t kCyls = 70000;
    static constexpr uint64_t kL1Entries = 4102;
    TempDir dir;
    std::string path = dir.file("d.eav");
    const TrackAddress below{65535, 14}, above{65536, 3}, last{69999, 14}, fmt0{65536, 4};
    TrackImage t_below, t_above, t_last;
    Bytes good;

    DamagedEav()
    {
        std::mt19937 rng(5);
        t_below = sample_track(below, 3, 56832, rng);
        t_above = sample_track(above, 6, 56832, rng);  // compressible: stored zlib
        t_last = sample_track(last, 5, 56832, rng);    // short: stored raw
        NewCkdVolume v;
        v.format = "CKD_E064";
        v.devtype_byte = 0x90;
        v.cylinders = kCyls;
        v.heads = 15;
        v.track_size = 56832;
        auto w = create_ckd_volume(path, v);
        w->write_track(below, t_below);
        w->write_track(above, t_above);
        w->write_track(fmt0, empty_fmt0(fmt0));
        w->write_track(last, t_last);
        w->commit();
        good = read_file(path);
    }
    static uint64_t unit(TrackAddress a) { return uint64_t(a.cyl) * 15 + a.head; }
    static uint64_t l1_offset(TrackAddress a) { return 1024 + 8 * (unit(a) / 256); }
    uint64_t l2_entry(TrackAddress a) const { return load_le64(good.data() + l1_offset(a)) + 16 * (unit(a) % 256); }
    uint64_t image(TrackAddress a) const { return load_le64(good.data() + l2_entry(a)); }
    uint16_t image_length(TrackAddress a) const { return load_le16(good.data() + l2_entry(a) + 8); }
    void damage(const std::function<void(Bytes&)>& change)
    {
        Bytes f = good;
        change(f);
        write_file(path, f);
    }
};

Error open_error(const std::string& path)
{
    auto e = caught([&] { open_ckd_volume(path); });
    REQUIRE(e.has_value());
    return *e;
}

Error read_error(const std::string& path, TrackAddress a)
{
    auto r = open_ckd_volume(path);
    TrackImage t;
    auto e = caught([&] { r->read_track(a, t); });
    REQUIRE(e.has_value());
    return *e;
}

void check(const Error& e, ErrorKind kind, const std::string& file, std::optional<uint64_t> offset, const std::string& text)
{
    INFO("message: " << std::string(e.what()));
    CHECK(e.kind() == kind);
    CHECK(e.place().file == file);
    CHECK(e.place().offset == offset);
    CHECK(std::string(e.what()).find(text) != std::string::npos);
}

} // namespace

TEST_CASE("EAV damage: the fixture reads back whole")
{
    DamagedEav d;
    auto r = open_ckd_volume(d.path);
    TrackImage t;
    r->read_track(d.below, t);
    CHECK(t.bytes == d.t_below.bytes);
    r->read_track(d.above, t);
    CHECK(t.bytes == d.t_above.bytes);
    r->read_track(d.last, t);
    CHECK(t.bytes == d.t_last.bytes);
    r->read_track(d.fmt0, t);
    CHECK(t.bytes == empty_fmt0(d.fmt0).bytes);
    CHECK(d.good[d.image(d.above)] == 1);  // zlib
    CHECK(d.good[d.image(d.last)] == 0);   // raw
}

TEST_CASE("EAV damage: magics that are nearly CKD_E064 are not taken for it")
{
    DamagedEav d;
    // 8 bytes after the magic make the size a non-multiple of 512 either way; the
    // fixture file is not a whole number of blocks, so nothing reads it as plain FBA.
    REQUIRE(d.good.size() % 512 != 0);
    for (const char* magic : {"CKD_E065", "CKD_e064", "ckd_E064", "CKD_E370", "CKD_E64\0", "CKD E064"}) {
        CAPTURE(magic);
        d.damage([&](Bytes& f) { std::memcpy(f.data(), magic, 8); });
        check(open_error(d.path), ErrorKind::Unreadable, d.path, std::nullopt, "is not a volume image");
        CHECK(!looks_like_ckd_volume(d.path));
        // Straight to the compressed reader: it names the magics it knows.
        auto e = caught([&] { open_cckd_volume(d.path); });
        REQUIRE(e.has_value());
        check(*e, ErrorKind::Unreadable, d.path, 0, "CKD_E064)");
    }
}

TEST_CASE("EAV damage: every device and compressed header field is checked")
{
    DamagedEav d;
    auto at = [&](uint64_t offset, const std::string& text) {
        check(open_error(d.path), ErrorKind::Unreadable, d.path, offset, text);
    };
    // Cylinder count (offset 512 + 12), out of range either way.
    for (uint32_t cyls : {0u, 1u, 65520u}) {
        d.damage([&](Bytes& f) { store_le32(f.data() + 524, cyls); });
        at(524, "compressed header says " + std::to_string(cyls) +
                    " cylinders is not an EAV: CKD_E064 holds 3390 model A volumes of 65,521 to 1,182,006 cylinders");
    }
    d.damage([](Bytes& f) { store_le32(f.data() + 524, 1182007); });
    at(524, "1182007 cylinders is more than the largest EAV");
    d.damage([](Bytes& f) { store_le32(f.data() + 524, 0xFFFFFFFF); });
    at(524, "4294967295 cylinders is more than the largest EAV");
    // A count in range that disagrees with the L1 table.
    d.damage([](Bytes& f) { store_le32(f.data() + 524, 80000); });
    at(516, "compressed header says 4102 L1 entries; 80000 cylinders of 15 tracks need exactly 4688");
    d.damage([](Bytes& f) { store_le32(f.data() + 516, 4103); });
    at(516, "4103 L1 entries; 70000 cylinders of 15 tracks need exactly 4102");
    d.damage([](Bytes& f) { store_le32(f.data() + 516, 4101); });
    at(516, "need exactly 4102");
    // Geometry.
    d.damage([](Bytes& f) { store_le32(f.data() + 8, 30); });
    at(8, "device header says 30 heads per cylinder; a CKD_E064 volume is a 3390 with 15");
    d.damage([](Bytes& f) { store_le32(f.data() + 12, 47616); });
    at(12, "device header says track size 47616; a CKD_E064 volume has the 3390's 56,832-byte tracks");
    d.damage([](Bytes& f) { f[16] = 0x80; });
    at(16, "device header says device type byte 0x80; a CKD_E064 volume is a 3390 (0x90)");
    // Byte order: little-endian only.
    d.damage([](Bytes& f) { f[515] |= 0x02; });
    at(515, "option byte 0x42 marks the numbers big-endian; a CKD_E064 image is little-endian throughout");
    // L2 size and null format.
    d.damage([](Bytes& f) { store_le32(f.data() + 520, 512); });
    at(520, "512 entries per L2 table, not 256");
    d.damage([](Bytes& f) { f[584] = 3; });
    at(584, "null track format 3");
    // Bits we do not use are ignored: the "open" option bit, the reserved bytes.
    d.damage([](Bytes& f) {
        f[515] |= 0x80;
        f[17] = 1;
        f[600] = 0xAA;
    });
    CHECK(open_ckd_volume(d.path)->info().cylinders == 70000);
}

TEST_CASE("EAV damage: truncated files")
{
    DamagedEav d;
    for (size_t size : {size_t(0), size_t(8), size_t(511), size_t(1023)}) {
        CAPTURE(size);
        d.damage([&](Bytes& f) { f.resize(size); });
        auto e = caught([&] { open_cckd_volume(d.path); });
        REQUIRE(e.has_value());
        check(*e, ErrorKind::Unreadable, d.path, 0, "too short for the 1024 bytes of CCKD headers");
    }
    // Inside the L1 table (1024 + 4102 * 8 = 33,840).
    d.damage([](Bytes& f) { f.resize(33839); });
    check(open_error(d.path), ErrorKind::Unreadable, d.path, 1024, "too short for its 4102-entry L1 table");
    // The L2 tables come last: cutting the file cuts the last one short.
    d.damage([](Bytes& f) { f.resize(f.size() - 1); });
    check(open_error(d.path), ErrorKind::Unreadable, d.path, DamagedEav::l1_offset(d.last), "L1 entry 4101");
}

TEST_CASE("EAV damage: corrupt L1 entries are found on opening")
{
    DamagedEav d;
    const uint64_t l1 = DamagedEav::l1_offset(d.above);  // entry 3840: tracks 983040-983295
    d.damage([&](Bytes& f) { store_le64(f.data() + l1, 600); });
    check(open_error(d.path), ErrorKind::Unreadable, d.path, l1,
          "L1 entry 3840 (tracks 983040-983295) points at offset 600, but an L2 table must lie between 33840 and the end");
    d.damage([&](Bytes& f) { store_le64(f.data() + l1, f.size() - 100); });
    check(open_error(d.path), ErrorKind::Unreadable, d.path, l1, "L1 entry 3840");
    d.damage([&](Bytes& f) { store_le64(f.data() + l1, uint64_t(1) << 40); });
    check(open_error(d.path), ErrorKind::Unreadable, d.path, l1, "L1 entry 3840");
    d.damage([&](Bytes& f) { store_le64(f.data() + l1, ~uint64_t(0)); });
    check(open_error(d.path), ErrorKind::Unreadable, d.path, l1, "shadow-file marker");
    // An L1 entry of 0 where a table was: its tracks read as empty (header null format).
    d.damage([&](Bytes& f) { store_le64(f.data() + l1, 0); });
    auto r = open_ckd_volume(d.path);
    TrackImage t;
    r->read_track(d.above, t);
    CHECK(t.bytes == TrackImage::empty(d.above).bytes);
}

TEST_CASE("EAV damage: corrupt L2 entries and stored images are found when the track is read")
{
    DamagedEav d;
    const uint64_t e = d.l2_entry(d.above);
    const uint64_t img = d.image(d.above);
    const uint16_t len = d.image_length(d.above);
    auto read_fails = [&](uint64_t offset, const std::string& text) {
        Error err = read_error(d.path, d.above);
        check(err, ErrorKind::Unreadable, d.path, offset, text);
        CHECK(err.place().cyl == 65536u);
        CHECK(err.place().head == 3u);
    };
    // The L2 entry.
    d.damage([&](Bytes& f) { store_le64(f.data() + e, f.size()); });
    read_fails(e, "outside the data area 33840-");
    d.damage([&](Bytes& f) { store_le16(f.data() + e + 8, uint16_t(f.size() - img + 1)); });
    read_fails(e, "outside the data area");
    d.damage([&](Bytes& f) { store_le16(f.data() + e + 8, 5); });
    read_fails(e, "too short to hold anything");
    d.damage([&](Bytes& f) { store_le64(f.data() + e, 100); });
    read_fails(e, "outside the data area");
    d.damage([&](Bytes& f) {
        store_le64(f.data() + e, 0);
        store_le16(f.data() + e + 8, 7);
    });
    read_fails(e, "marks the track null with format 7");
    // The stored image's header: its CCHH must be the track's, in EAV form.
    d.damage([&](Bytes& f) { store_be32(f.data() + img + 1, 0x00000003); });  // the 16-bit form cut short
    read_fails(img, "track image header says cyl 0 head 3 (CCHH X'00000003'), not this track");
    d.damage([&](Bytes& f) { store_be32(f.data() + img + 1, 0x00000023); });  // cylinder 131,072
    read_fails(img, "track image header says cyl 131072 head 3");
    d.damage([&](Bytes& f) { f[img] = 7; });
    read_fails(img, "compression code 0x07");
    // The compressed stream.
    d.damage([&](Bytes& f) { f[img + len / 2] ^= 0x55; });
    read_fails(img, "track image");
    d.damage([&](Bytes& f) { store_le16(f.data() + e + 8, uint16_t(len - 20)); });
    read_fails(img, "track image");
    // A raw image whose records run past it.
    const uint64_t raw = d.image(d.last);
    d.damage([&](Bytes& f) { store_le16(f.data() + d.l2_entry(d.last) + 8, uint16_t(d.image_length(d.last) - 8)); });
    Error err = read_error(d.path, d.last);
    check(err, ErrorKind::Unreadable, d.path, raw, "track image");
    // The other tracks are unaffected by damage to one.
    d.damage([&](Bytes& f) { f[img] = 7; });
    auto r = open_ckd_volume(d.path);
    TrackImage t;
    r->read_track(d.below, t);
    CHECK(t.bytes == d.t_below.bytes);
}

TEST_CASE("EAV damage: an update refuses to copy a damaged track and leaves the file as it was")
{
    DamagedEav d;
    const uint64_t img = d.image(d.above);
    d.damage([&](Bytes& f) { store_be32(f.data() + img + 1, 0x00000003); });
    const Bytes damaged = read_file(d.path);
    auto u = update_ckd_volume(d.path);
    CHECK_ERROR(u->commit(), ErrorKind::Unreadable, "track image header says cyl 0 head 3 (CCHH X'00000003')");
    u.reset();
    CHECK(read_file(d.path) == damaged);
}
