// Damaged compressed images: every kind of damage gives a precise Error(Unreadable)
// naming the file, the track or block group and the offset, and random damage never
// crashes (run under `make sanitize` to catch what a crash-free run would hide).
#include "formats/volume/cckd/codec.hpp"
#include "formats/volume/cckd/image.hpp"
#include "formats/volume/cckd/layout.hpp"
#include "formats/volume/cckd/cfba_image.hpp"
#include "formats/io/error.hpp"
#include "tests/unit/support.hpp"
#include "tests/unit/test_cckd_helpers.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <functional>
#include <random>

using namespace ddr;
using namespace ddr::test;

namespace {

struct Damaged {
    TempDir dir;
    std::string path = dir.file("d.cckd");
    std::vector<TrackImage> tracks = sample_volume(k3390, 20, 40, 17);
    Bytes good;

    Damaged()
    {
        auto w = create_cckd_volume(path, new_volume(k3390, 20), CckdOptions{CckdCompression::Zlib, -1, 1});
        write_all(*w, tracks, 15);
        good = read_file(path);
    }
    uint32_t l2_entry_offset(uint64_t unit) const
    {
        return load_le32(good.data() + 1024 + 4 * (unit / 256)) + uint32_t(8 * (unit % 256));
    }
    uint32_t image_offset(uint64_t unit) const { return load_le32(good.data() + l2_entry_offset(unit)); }
    uint16_t image_length(uint64_t unit) const { return load_le16(good.data() + l2_entry_offset(unit) + 4); }
    // Writes a damaged copy: `change` edits the bytes of the good file.
    void damage(const std::function<void(Bytes&)>& change)
    {
        Bytes f = good;
        change(f);
        write_file(path, f);
    }
    // Appends `stored` at the end of the file and points track `unit` at it.
    void replace_image(uint64_t unit, const Bytes& stored)
    {
        damage([&](Bytes& f) {
            const uint32_t pos = uint32_t(f.size());
            f.insert(f.end(), stored.begin(), stored.end());
            store_le32(f.data() + l2_entry_offset(unit), pos);
            store_le16(f.data() + l2_entry_offset(unit) + 4, uint16_t(stored.size()));
            store_le16(f.data() + l2_entry_offset(unit) + 6, uint16_t(stored.size()));
            store_le32(f.data() + 512 + 12, uint32_t(f.size()));
        });
    }
};

// Runs `f`, which must throw Error(Unreadable); returns it.
Error expect_unreadable(const std::function<void()>& f)
{
    try {
        f();
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::Unreadable);
        return e;
    }
    FAIL("no error");
    return Error(ErrorKind::Internal, "unreachable");
}

Error open_error(const std::string& path)
{
    return expect_unreadable([&] { open_cckd_volume(path); });
}

Error read_error(const std::string& path, TrackAddress addr)
{
    return expect_unreadable([&] {
        auto r = open_cckd_volume(path);
        TrackImage t;
        r->read_track(addr, t);
    });
}

bool mentions(const Error& e, const std::string& text)
{
    INFO("message: " << e.what());
    return std::string(e.what()).find(text) != std::string::npos;
}

} // namespace

TEST_CASE("CCKD damage: headers and L1 table are checked when the file is opened")
{
    Damaged d;
    auto at = [&](const Error& e, uint64_t offset) {
        CHECK(e.place().file == d.path);
        CHECK(e.place().offset == offset);
    };
    d.damage([](Bytes& f) { f.resize(1000); });
    at(open_error(d.path), 0);

    d.damage([](Bytes& f) { std::memcpy(f.data(), "CKD_P370", 8); });
    CHECK(mentions(open_error(d.path), "compressed DASD magic"));

    d.damage([](Bytes& f) { std::memcpy(f.data(), "CKD_S370", 8); });
    CHECK(mentions(open_error(d.path), "shadow file"));

    d.damage([](Bytes& f) { store_le32(f.data() + 520, 255); });
    at(open_error(d.path), 520);

    d.damage([](Bytes& f) { store_le32(f.data() + 516, 1); });  // 300 tracks need 2
    Error e = open_error(d.path);
    at(e, 516);
    CHECK(mentions(e, "300 tracks need 2"));

    d.damage([](Bytes& f) { store_le32(f.data() + 552, 0); });
    CHECK(mentions(open_error(d.path), "0 cylinders"));
    d.damage([](Bytes& f) { store_le32(f.data() + 8, 0); });
    at(open_error(d.path), 8);
    d.damage([](Bytes& f) { store_le32(f.data() + 12, 70000); });
    at(open_error(d.path), 12);
    d.damage([](Bytes& f) { f[556] = 3; });
    CHECK(mentions(open_error(d.path), "null track format 3"));

    d.damage([](Bytes& f) { store_le32(f.data() + 1024, 600); });  // inside the headers
    e = open_error(d.path);
    at(e, 1024);
    CHECK(mentions(e, "L1 entry 0 (tracks 0-255) points at offset 600"));

    d.damage([&](Bytes& f) { store_le32(f.data() + 1024, uint32_t(f.size() - 100)); });
    CHECK(mentions(open_error(d.path), "L1 entry 0"));

    d.damage([](Bytes& f) { store_le32(f.data() + 1028, 0xFFFFFFFF); });
    e = open_error(d.path);
    at(e, 1028);
    CHECK(mentions(e, "shadow-file marker"));

    // Big-endian flag on little-endian numbers: nonsense sizes, refused, not trusted.
    d.damage([](Bytes& f) { f[515] |= 0x02; });
    open_error(d.path);

    // Truncated: the L2 tables (at the end) are gone.
    d.damage([](Bytes& f) { f.resize(f.size() * 3 / 4); });
    CHECK(mentions(open_error(d.path), "L1 entry 0"));
}

TEST_CASE("CCKD damage: L2 entries and track images name the track and the offset")
{
    Damaged d;
    const uint64_t t3 = 3;  // cyl 0 head 3: data + end-of-file record, zlib
    const uint64_t t5 = 5;  // cyl 0 head 5: 121 bytes, stored raw
    REQUIRE(d.good[d.image_offset(t3)] == 1);
    REQUIRE(d.good[d.image_offset(t5)] == 0);

    auto check_place = [&](const Error& e, uint64_t unit, uint64_t offset) {
        CHECK(e.place().file == d.path);
        CHECK(e.place().cyl == unit / 15);
        CHECK(e.place().head == unit % 15);
        CHECK(e.place().offset == offset);
    };

    d.damage([&](Bytes& f) { store_le32(f.data() + d.l2_entry_offset(t3), uint32_t(f.size() + 10)); });
    Error e = read_error(d.path, {0, 3});
    check_place(e, t3, d.l2_entry_offset(t3));
    CHECK(mentions(e, "outside the data area"));

    // The last image before the L2 tables: a len one byte past the end of the file.
    const uint64_t t39 = 39;
    d.damage([&](Bytes& f) {
        store_le16(f.data() + d.l2_entry_offset(t39) + 4, uint16_t(f.size() - d.image_offset(t39) + 1));
    });
    CHECK(mentions(read_error(d.path, {2, 9}), "outside the data area"));

    d.damage([&](Bytes& f) { store_le16(f.data() + d.l2_entry_offset(t3) + 4, 3); });
    CHECK(mentions(read_error(d.path, {0, 3}), "too short"));

    d.damage([&](Bytes& f) {
        store_le32(f.data() + d.l2_entry_offset(t3), 0);
        store_le16(f.data() + d.l2_entry_offset(t3) + 4, 9);
    });
    CHECK(mentions(read_error(d.path, {0, 3}), "format 9"));

    d.damage([&](Bytes& f) {
        for (uint32_t i = 8; i < 40; ++i)
            f[d.image_offset(t3) + i] ^= 0xA5;
    });
    e = read_error(d.path, {0, 3});
    check_place(e, t3, d.image_offset(t3));
    CHECK(mentions(e, "zlib stream"));

    d.damage([&](Bytes& f) { f[d.image_offset(t5) + 4] = 6; });  // HA says head 6
    e = read_error(d.path, {0, 5});
    check_place(e, t5, d.image_offset(t5));
    CHECK(mentions(e, "header says cyl 0 head 6"));

    d.damage([&](Bytes& f) { f[d.image_offset(t5)] = 7; });
    CHECK(mentions(read_error(d.path, {0, 5}), "compression code 0x07"));

    // A raw record whose length runs past the image.
    d.damage([&](Bytes& f) { f[d.image_offset(t5) + 21 + 7] = 0xFF; });
    CHECK(mentions(read_error(d.path, {0, 5}), "runs past"));

    // Bytes after the end-of-track marker.
    Bytes extra(d.good.begin() + d.image_offset(t5), d.good.begin() + d.image_offset(t5) + d.image_length(t5));
    extra.push_back(0);
    d.replace_image(t5, extra);
    CHECK(mentions(read_error(d.path, {0, 5}), "1 bytes after its end-of-track marker"));

    // Longer than the track size, raw and once decompressed.
    std::vector<std::pair<Bytes, Bytes>> big{{Bytes{}, Bytes(60000, 0x40)}};
    const TrackImage huge = track_with_records({0, 5}, big);
    d.replace_image(t5, huge.bytes);
    CHECK(mentions(read_error(d.path, {0, 5}), "more than the 56832-byte track size"));
    cckd::Compressor c;
    Bytes z;
    REQUIRE(cckd::compress_image(c, CckdCompression::Zlib, -1, huge.bytes, z));
    d.replace_image(t5, z);
    CHECK(mentions(read_error(d.path, {0, 5}), "decompresses to more than 56827 bytes"));

    // The other tracks of a damaged file still read.
    auto r = open_cckd_volume(d.path);
    TrackImage t;
    r->read_track({0, 4}, t);
    CHECK(t.bytes == d.tracks[4].bytes);
}

TEST_CASE("CCKD damage: a null format 2 track on a device too small for it")
{
    TempDir dir;
    const std::string path = dir.file("s.cckd");
    auto w = create_cckd_volume(path, new_volume(k3380, 2), CckdOptions{});
    write_all(*w, sample_volume(k3380, 2, 30, 1), 15);
    Bytes f = read_file(path);
    f[512 + 44] = 2;  // header: untouched tracks are FMT2
    write_file(path, f);
    auto r = open_cckd_volume(path);
    TrackImage t;
    r->read_track({0, 2}, t);  // stored: fine
    r->read_track({0, 0}, t);  // null entry of format 1: fine
    CHECK(t.size() == 29);
    // Track 1 is FMT0 (len 0), which Hercules reads as FMT2 when the header says 2.
    const Error e = expect_unreadable([&] { r->read_track({0, 1}, t); });
    CHECK(mentions(e, "does not fit the 47616-byte tracks"));
}

TEST_CASE("CFBA damage: group numbers and group sizes are checked")
{
    TempDir dir;
    const std::string path = dir.file("f.cfba");
    Bytes data(3000 * 512);
    for (size_t i = 0; i < data.size(); ++i)
        data[i] = uint8_t(i * 7 / 512);
    NewFbaVolume spec;
    spec.format = "FBA_C370";
    spec.blocks = 3000;
    {
        auto w = create_cfba_volume(path, spec, CckdOptions{});
        w->write_blocks(0, data);
        w->commit();
    }
    const Bytes good = read_file(path);
    const uint32_t l2 = load_le32(good.data() + 1024);
    const uint32_t g1 = load_le32(good.data() + l2 + 8);  // group 1's image
    REQUIRE(good[g1] == 1);
    auto read_group1 = [&]() {
        auto r = open_cfba_volume(path);
        Bytes b(512);
        r->read_blocks(130, b);
    };
    Bytes f = good;
    store_be32(f.data() + g1 + 1, 7);
    write_file(path, f);
    Error e = expect_unreadable(read_group1);
    CHECK(mentions(e, "says group 7"));
    CHECK(e.place().fba_block == 120);
    CHECK(e.place().offset == g1);

    // A group that decompresses to 1000 bytes, and a raw one a byte short.
    cckd::Compressor c;
    Bytes raw(5 + 1000, 0x11);
    raw[0] = 0;
    store_be32(raw.data() + 1, 1);
    Bytes z;
    REQUIRE(cckd::compress_image(c, CckdCompression::Zlib, -1, raw, z));
    for (const Bytes& img : {z, Bytes(61444, 0)}) {
        f = good;
        const uint32_t pos = uint32_t(f.size());
        f.insert(f.end(), img.begin(), img.end());
        if (img.size() == 61444)
            store_be32(f.data() + pos + 1, 1);
        store_le32(f.data() + l2 + 8, pos);
        store_le16(f.data() + l2 + 12, uint16_t(img.size()));
        write_file(path, f);
        e = expect_unreadable(read_group1);
        CHECK((mentions(e, "decompresses to 1000 bytes, not 61,440") || mentions(e, "61444 bytes, not 61,445")));
    }
    // A CKD image is not an FBA one, and the reverse.
    CHECK_THROWS_AS(open_cckd_volume(path), Error);
}

TEST_CASE("CCKD damage: random corruption never crashes")
{
    // Small images, so each mutation is cheap; every outcome is a result or an Error.
    TempDir dir;
    const std::string ckd_path = dir.file("m.cckd");
    {
        auto w = create_cckd_volume(ckd_path, new_volume(k2314, 14), CckdOptions{CckdCompression::Zlib, -1, 1});
        write_all(*w, sample_volume(k2314, 14, 280, 3), k2314.heads);
    }
    const std::string fba_path = dir.file("m.cfba");
    {
        NewFbaVolume spec;
        spec.format = "FBA_C370";
        spec.blocks = 800;
        auto w = create_cfba_volume(fba_path, spec, CckdOptions{CckdCompression::Bzip2, -1, 1});
        Bytes data(800 * 512);
        for (size_t i = 0; i < data.size(); ++i)
            data[i] = uint8_t((i / 300) * 13);
        w->write_blocks(0, data);
        w->commit();
    }
    std::mt19937 rng(2024);
    for (const std::string& path : {ckd_path, fba_path}) {
        const Bytes good = read_file(path);
        const bool fba = path == fba_path;
        int errors = 0;
        for (int round = 0; round < 150; ++round) {
            Bytes f = good;
            const int edits = 1 + int(rng() % 4);
            for (int i = 0; i < edits; ++i) {
                // Mostly the headers and tables, where damage has the most effect.
                size_t at = (rng() % 3 == 0) ? rng() % f.size() : 512 + rng() % std::min<size_t>(f.size() - 512, 1600);
                f[at] = uint8_t(rng());
            }
            if (rng() % 10 == 0)
                f.resize(rng() % f.size());
            write_file(path, f);
            try {
                if (fba) {
                    auto r = open_cfba_volume(path);
                    Bytes b(512 * 40);
                    for (uint64_t blk = 0; blk + 40 <= r->info().blocks && blk < 800; blk += 40) {
                        try {
                            r->read_blocks(blk, b);
                        } catch (const Error&) {
                            ++errors;
                        }
                    }
                } else {
                    auto r = open_cckd_volume(path);
                    TrackImage t;
                    const auto& info = r->info();
                    for (uint64_t u = 0; u < info.tracks() && u < 400; ++u) {
                        try {
                            r->read_track({uint32_t(u / info.heads), uint32_t(u % info.heads)}, t);
                        } catch (const Error&) {
                            ++errors;
                        }
                    }
                }
            } catch (const Error&) {
                ++errors;
            }
        }
        CHECK(errors > 0);
    }
}
