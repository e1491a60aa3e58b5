// CCKD images: what we write reads back exactly, and Hercules 3.13's own utilities
// (cckdcdsk -3, cckd2ckd, dasdinit, dasdcopy) agree with us in both directions.
#include "formats/volume/cckd/image.hpp"
#include "formats/volume/cckd/container.hpp"
#include "formats/io/error.hpp"
#include "tests/unit/support.hpp"
#include "tests/unit/test_cckd_helpers.hpp"

#include <doctest/doctest.h>

#include <filesystem>

using namespace ddr;
using namespace ddr::test;

namespace {

void check_reads_back(CkdVolumeReader& reader, const std::vector<TrackImage>& tracks, uint32_t heads)
{
    TrackImage t;
    for (size_t u = 0; u < tracks.size(); ++u) {
        const TrackAddress addr{uint32_t(u / heads), uint32_t(u % heads)};
        reader.read_track(addr, t);
        INFO("track " << u);
        REQUIRE(t.bytes == tracks[u].bytes);
    }
}


std::string which_compression(CckdCompression c)
{
    return compression_name(c);
}

} // namespace

TEST_CASE("CCKD: every track written reads back exactly, in each compression mode")
{
    TempDir dir;
    for (auto c : {CckdCompression::Zlib, CckdCompression::Bzip2, CckdCompression::None}) {
        CAPTURE(which_compression(c));
        const auto tracks = sample_volume(k3390, 20, 200, 7);
        const std::string path = dir.file(std::string("v-") + which_compression(c) + ".cckd");
        auto w = create_cckd_volume(path, new_volume(k3390, 20), CckdOptions{c, -1, 2});
        write_all(*w, tracks, k3390.heads);
        auto r = open_cckd_volume(path);
        CHECK(r->info().format == "CKD_C370");
        CHECK(r->info().cylinders == 20);
        CHECK(r->info().heads == 15);
        CHECK(r->info().track_size == 56832);
        CHECK(r->info().devtype_byte == 0x90);
        CHECK(r->info().bytes == std::filesystem::file_size(path));
        check_reads_back(*r, tracks, k3390.heads);
    }
}

TEST_CASE("CCKD: header, null entries and layout are what Hercules 3.13 writes")
{
    TempDir dir;
    const std::string path = dir.file("h.cckd");
    // 20 cylinders = 300 tracks: L2 group 0 holds the content, group 1 only FMT1 tracks.
    const auto tracks = sample_volume(k3390, 20, 16, 3);
    auto w = create_cckd_volume(path, new_volume(k3390, 20), CckdOptions{CckdCompression::Zlib, -1, 1});
    write_all(*w, tracks, k3390.heads);
    const Bytes f = read_file(path);
    REQUIRE(f.size() > 1024);
    CHECK(std::string(f.begin(), f.begin() + 8) == "CKD_C370");
    CHECK(load_le32(f.data() + 8) == 15);
    CHECK(load_le32(f.data() + 12) == 56832);
    CHECK(f[16] == 0x90);
    const uint8_t* h = f.data() + 512;
    CHECK(h[0] == 0);
    CHECK(h[1] == 3);
    CHECK(h[2] == 1);
    CHECK(h[3] == 0x41);
    CHECK(load_le32(h + 4) == 2);     // numl1tab = ceil(300 / 256)
    CHECK(load_le32(h + 8) == 256);   // numl2tab
    CHECK(load_le32(h + 12) == f.size());  // size
    CHECK(load_le32(h + 16) == f.size());  // used
    for (int off = 20; off < 40; off += 4)
        CHECK(load_le32(h + off) == 0);    // no free space, nothing imbedded
    CHECK(load_le32(h + 40) == 20);   // cyls
    CHECK(h[44] == 1);                // nullfmt
    CHECK(h[45] == 1);                // zlib
    CHECK(load_le16(h + 46) == 0xFFFF);
    const uint32_t l1_0 = load_le32(f.data() + 1024);
    CHECK(l1_0 > 1032);
    CHECK(load_le32(f.data() + 1028) == 0);  // group 1: all FMT1, no L2 table
    // Track 0 is sample kind 0 (FMT1), track 1 kind 1 (FMT0): null entries 1 and 0.
    const uint8_t* l2 = f.data() + l1_0;
    CHECK(load_le32(l2) == 0);
    CHECK(load_le16(l2 + 4) == 1);
    CHECK(load_le32(l2 + 8) == 0);
    CHECK(load_le16(l2 + 12) == 0);
    // Track 2 is stored at 1032, right after the L1 table, with size == len.
    CHECK(load_le32(l2 + 16) == 1032);
    CHECK(load_le16(l2 + 20) == load_le16(l2 + 22));
    // Tracks 16-255 are FMT1 null entries.
    CHECK(load_le32(l2 + 8 * 200) == 0);
    CHECK(load_le16(l2 + 8 * 200 + 4) == 1);
}

TEST_CASE("CCKD: Hercules 3.13 cckdcdsk -3 finds nothing to repair in our images")
{
    REQUIRE(have_hercules());
    TempDir dir;
    const CkdGeometry geos[] = {k3390, k3380, k3350, k3330, k2314};
    for (const auto& g : geos) {
        for (auto c : {CckdCompression::Zlib, CckdCompression::Bzip2, CckdCompression::None}) {
            CAPTURE(g.name);
            CAPTURE(which_compression(c));
            const uint32_t cyls = 20;
            const auto tracks = sample_volume(g, cyls, 64, 11);
            const std::string path = dir.file(std::string(g.name) + "-" + which_compression(c) + ".cckd");
            auto w = create_cckd_volume(path, new_volume(g, cyls), CckdOptions{c, -1, 2});
            write_all(*w, tracks, g.heads);
            check_cckdcdsk_clean(path);
        }
    }
}

TEST_CASE("CCKD: cckd2ckd gives back exactly the tracks we wrote")
{
    REQUIRE(have_hercules());
    TempDir dir;
    for (const auto& g : {k3390, k3350}) {
        CAPTURE(g.name);
        const uint32_t cyls = 20;
        auto tracks = sample_volume(g, cyls, 120, 5);
        // A Linux-style FMT2 track becomes a null entry of format 2 on a 3390.
        if (g.track_size >= 49277) {
            std::vector<std::pair<Bytes, Bytes>> recs(12, {Bytes{}, Bytes(4096, 0)});
            tracks[130] = track_with_records({130 / g.heads, 130 % g.heads}, recs);
        }
        const std::string path = dir.file(std::string(g.name) + ".cckd");
        auto w = create_cckd_volume(path, new_volume(g, cyls), CckdOptions{});
        write_all(*w, tracks, g.heads);
        const std::string plain = dir.file(std::string(g.name) + ".ckd");
        int rc = -1;
        const std::string out = run("cckd2ckd -q -lfs '" + path + "' '" + plain + "'", &rc);
        INFO(out);
        REQUIRE(rc == 0);
        for (size_t u = 0; u < tracks.size(); ++u) {
            INFO("track " << u);
            REQUIRE(read_plain_track(plain, g.track_size, u).bytes == tracks[u].bytes);
        }
    }
}

namespace {

// Compares every track of `cckd` as we read it with what Hercules' cckd2ckd makes of it.
void check_same_as_cckd2ckd(const std::string& cckd, TempDir& dir)
{
    const std::string plain = dir.file("hercules-view.ckd");
    std::filesystem::remove(plain);
    int rc = -1;
    const std::string out = run("cckd2ckd -q -lfs '" + cckd + "' '" + plain + "'", &rc);
    INFO(out);
    REQUIRE(rc == 0);
    auto r = open_cckd_volume(cckd);
    const auto& info = r->info();
    TrackImage t;
    for (uint64_t u = 0; u < info.tracks(); ++u) {
        const TrackAddress addr{uint32_t(u / info.heads), uint32_t(u % info.heads)};
        r->read_track(addr, t);
        INFO("track " << u);
        REQUIRE(t.bytes == read_plain_track(plain, info.track_size, u).bytes);
    }
}

} // namespace

TEST_CASE("CCKD: images made by dasdinit read as Hercules itself reads them")
{
    REQUIRE(have_hercules());
    TempDir dir;
    // 20 cylinders: the first L2 group is written by dasdinit (tracks 2-255 read as
    // FMT0), the second has L1 = 0 (FMT1); -linux makes null format 2 the default.
    for (const std::string opts : {"-z", "-bz2", "-0", "-z -linux"}) {
        CAPTURE(opts);
        const std::string path = dir.file("init.cckd");
        std::filesystem::remove(path);
        int rc = -1;
        const std::string out = run("dasdinit " + opts + " '" + path + "' 3390 VOL001 20", &rc);
        INFO(out);
        REQUIRE(rc == 0);
        check_same_as_cckd2ckd(path, dir);
        // ddrimage(5): with -z the unwritten entries of the first L2 table read as FMT0 and
        // the tracks without an L2 table as FMT1; with -linux (header null format 2)
        // Hercules reads both as FMT2.
        auto r = open_cckd_volume(path);
        TrackImage t2, t256;
        r->read_track({0, 2}, t2);
        r->read_track({17, 1}, t256);
        const bool linux_style = opts.find("linux") != std::string::npos;
        CHECK(t2.size() == (linux_style ? 49277u : 37u));
        CHECK(t256.size() == (linux_style ? 49277u : 29u));
    }
}

TEST_CASE("CCKD: an image dasdcopy made from our plain CKD reads back as the source")
{
    REQUIRE(have_hercules());
    TempDir dir;
    for (const std::string opts : {"-z", "-bz2", "-0"}) {
        CAPTURE(opts);
        const auto tracks = sample_volume(k3380, 20, 150, 21);
        const std::string plain = dir.file("src.ckd");
        const std::string cckd = dir.file("copy.cckd");
        std::filesystem::remove(cckd);
        write_plain_ckd(plain, k3380, 20, tracks);
        int rc = -1;
        const std::string out = run("dasdcopy -q " + opts + " -o CCKD '" + plain + "' '" + cckd + "'", &rc);
        INFO(out);
        REQUIRE(rc == 0);
        auto r = open_cckd_volume(cckd);
        check_reads_back(*r, tracks, k3380.heads);
        check_same_as_cckd2ckd(cckd, dir);
    }
}

TEST_CASE("CCKD: a big-endian image reads the same, and cckdcdsk turns it back into ours byte for byte")
{
    REQUIRE(have_hercules());
    TempDir dir;
    const auto tracks = sample_volume(k3390, 20, 100, 9);
    const std::string path = dir.file("be.cckd");
    auto w = create_cckd_volume(path, new_volume(k3390, 20), CckdOptions{});
    write_all(*w, tracks, k3390.heads);
    const Bytes little = read_file(path);
    make_big_endian(path);
    const Bytes big = read_file(path);
    REQUIRE(big != little);
    CHECK((big[512 + 3] & 0x02) == 0x02);
    {
        auto r = open_cckd_volume(path);
        check_reads_back(*r, tracks, k3390.heads);
    }
    // Updating a big-endian image gives a little-endian one, stored images unchanged.
    const std::string copy = dir.file("be-updated.cckd");
    write_file(copy, big);
    {
        auto u = update_cckd_volume(copy);
        u->write_track({0, 7}, tracks[7]);
        u->commit();
    }
    CHECK((read_file(copy)[512 + 3] & 0x02) == 0);
    check_cckdcdsk_clean(copy);
    {
        auto r = open_cckd_volume(copy);
        check_reads_back(*r, tracks, k3390.heads);
    }
    const std::string out = run("cckdcdsk -3 '" + path + "'");
    CHECK(out.find("converting to little-endian") != std::string::npos);
    CHECK(read_file(path) == little);
}

TEST_CASE("CCKD: abandoning a new image leaves nothing; an existing target is refused")
{
    TempDir dir;
    const std::string path = dir.file("a.cckd");
    const auto tracks = sample_volume(k3390, 3, 30, 1);
    {
        auto w = create_cckd_volume(path, new_volume(k3390, 3), CckdOptions{});
        for (size_t u = 0; u < 20; ++u)
            w->write_track({uint32_t(u / 15), uint32_t(u % 15)}, tracks[u]);
    }
    CHECK(std::filesystem::is_empty(dir.path()));

    write_file(path, Bytes{1, 2, 3});
    try {
        create_cckd_volume(path, new_volume(k3390, 3), CckdOptions{});
        FAIL("an existing file was not refused");
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::Refused);
        CHECK(e.place().file == path);
    }
    CHECK(read_file(path) == Bytes{1, 2, 3});

    // A file that appears while the image is being written is not replaced either.
    const std::string late = dir.file("late.cckd");
    auto w = create_cckd_volume(late, new_volume(k3390, 3), CckdOptions{});
    w->write_track({0, 0}, tracks[0]);
    write_file(late, Bytes{9});
    CHECK_THROWS_AS(w->commit(), Error);
    CHECK(read_file(late) == Bytes{9});
    w.reset();
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 2);
}

TEST_CASE("CCKD: a writer reads back what it holds before commit")
{
    TempDir dir;
    const std::string path = dir.file("rb.cckd");
    const auto tracks = sample_volume(k3390, 3, 45, 2);
    auto w = create_cckd_volume(path, new_volume(k3390, 3), CckdOptions{CckdCompression::Zlib, 6, 2});
    for (size_t u = 0; u < 30; ++u)
        w->write_track({uint32_t(u / 15), uint32_t(u % 15)}, tracks[u]);
    TrackImage t;
    w->read_track({1, 4}, t);
    CHECK(t.bytes == tracks[19].bytes);
    w->read_track({2, 4}, t);  // not written yet: an empty formatted track
    CHECK(t.bytes == TrackImage::empty({2, 4}).bytes);
    for (size_t u = 30; u < 45; ++u)
        w->write_track({uint32_t(u / 15), uint32_t(u % 15)}, tracks[u]);
    w->commit();
    CHECK_THROWS_AS(w->write_track({0, 0}, tracks[0]), Error);
    auto r = open_cckd_volume(path);
    check_reads_back(*r, tracks, 15);
}

TEST_CASE("CCKD: tracks written out of order or twice still give a packed, clean image")
{
    REQUIRE(have_hercules());
    TempDir dir;
    const auto tracks = sample_volume(k3390, 20, 300, 4);
    const auto other = sample_volume(k3390, 20, 300, 5);
    const std::string path = dir.file("twice.cckd");
    auto w = create_cckd_volume(path, new_volume(k3390, 20), CckdOptions{CckdCompression::Zlib, -1, 3});
    for (size_t u = tracks.size(); u-- > 0;)  // descending
        w->write_track({uint32_t(u / 15), uint32_t(u % 15)}, other[u]);
    for (size_t u = 0; u < tracks.size(); u += 3)  // rewrite a third of them
        w->write_track({uint32_t(u / 15), uint32_t(u % 15)}, tracks[u]);
    w->commit();
    check_cckdcdsk_clean(path);
    auto r = open_cckd_volume(path);
    TrackImage t;
    for (size_t u = 0; u < tracks.size(); ++u) {
        r->read_track({uint32_t(u / 15), uint32_t(u % 15)}, t);
        INFO("track " << u);
        REQUIRE(t.bytes == (u % 3 == 0 ? tracks[u] : other[u]).bytes);
    }
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 1);
}

TEST_CASE("CCKD: the file does not depend on how many threads compressed it")
{
    TempDir dir;
    const auto tracks = sample_volume(k3390, 20, 300, 8);
    Bytes first;
    for (unsigned threads : {1u, 2u, 5u}) {
        const std::string path = dir.file("t" + std::to_string(threads) + ".cckd");
        auto w = create_cckd_volume(path, new_volume(k3390, 20), CckdOptions{CckdCompression::Zlib, -1, threads});
        write_all(*w, tracks, 15);
        if (first.empty())
            first = read_file(path);
        else
            CHECK(read_file(path) == first);
    }
}

TEST_CASE("CCKD: an update copies untouched tracks' stored images unchanged and replaces the file on commit")
{
    REQUIRE(have_hercules());
    TempDir dir;
    const std::string path = dir.file("u.cckd");
    const auto tracks = sample_volume(k3390, 20, 300, 12);
    auto fresh = sample_volume(k3390, 20, 300, 13);
    {
        auto w = create_cckd_volume(path, new_volume(k3390, 20), CckdOptions{CckdCompression::Bzip2, -1, 2});
        write_all(*w, tracks, 15);
    }
    const Bytes original = read_file(path);

    // Abandoned update: the original is untouched and nothing is left behind.
    {
        auto w = update_cckd_volume(path);
        w->write_track({3, 3}, fresh[48]);
    }
    CHECK(read_file(path) == original);
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 1);

    // Rewrite tracks 100-149; the rest must be stored byte for byte as before.
    auto w = update_cckd_volume(path);
    CHECK(w->info().format == "CKD_C370");
    TrackImage t;
    w->read_track({1, 1}, t);  // still in the original
    CHECK(t.bytes == tracks[16].bytes);
    for (size_t u = 100; u < 150; ++u)
        w->write_track({uint32_t(u / 15), uint32_t(u % 15)}, fresh[u]);
    w->read_track({7, 0}, t);  // written in this session
    CHECK(t.bytes == fresh[105].bytes);
    CHECK(read_file(path) == original);
    w->commit();
    check_cckdcdsk_clean(path);

    cckd::Container updated(path);
    write_file(dir.file("orig.cckd"), original);
    cckd::Container old(dir.file("orig.cckd"));
    auto stored = [](cckd::Container& c, uint64_t u) {
        auto slot = c.locate(u, Place{});
        Bytes b(slot.entry.len);
        if (!slot.null())
            c.file().read_exact(slot.entry.pos, b);
        return std::make_pair(slot.entry.pos == 0 ? int(slot.null_format) : -1, b);
    };
    for (uint64_t u = 0; u < 300; ++u) {
        if (u >= 100 && u < 150)
            continue;
        INFO("track " << u);
        REQUIRE(stored(updated, u) == stored(old, u));
    }
    auto r = open_cckd_volume(path);
    for (size_t u = 0; u < 300; ++u) {
        r->read_track({uint32_t(u / 15), uint32_t(u % 15)}, t);
        REQUIRE(t.bytes == (u >= 100 && u < 150 ? fresh[u] : tracks[u]).bytes);
    }
}

TEST_CASE("CCKD: updating a dasdinit image turns its stored empty track into a null entry")
{
    REQUIRE(have_hercules());
    TempDir dir;
    const std::string path = dir.file("d.cckd");
    REQUIRE(run("dasdinit -z '" + path + "' 3390 VOL001 20").find("successfully") != std::string::npos);
    // Hercules 3.13's own check "repairs" the fresh dasdinit image (its 29-byte track 1).
    const std::string copy = dir.file("copy.cckd");
    write_file(copy, read_file(path));
    CHECK(!run("cckdcdsk -3 '" + copy + "'").empty());

    auto w = update_cckd_volume(path);
    std::mt19937 rng(1);
    const TrackImage t5 = sample_track({0, 5}, 3, k3390.track_size, rng);
    w->write_track({0, 5}, t5);
    w->commit();
    check_cckdcdsk_clean(path);
    check_same_as_cckd2ckd(path, dir);
    auto r = open_cckd_volume(path);
    TrackImage t;
    r->read_track({0, 5}, t);
    CHECK(t.bytes == t5.bytes);
    r->read_track({0, 1}, t);
    CHECK(t.bytes == TrackImage::empty({0, 1}).bytes);
}

TEST_CASE("CCKD64: CKD_C064 images round trip with 64-bit tables")
{
    TempDir dir;
    const std::string path = dir.file("w.cckd64");
    const auto tracks = sample_volume(k3390, 20, 280, 6);
    auto w = create_cckd_volume(path, new_volume(k3390, 20, "CKD_C064"), CckdOptions{});
    write_all(*w, tracks, 15);
    const Bytes f = read_file(path);
    CHECK(std::string(f.begin(), f.begin() + 8) == "CKD_C064");
    CHECK(f[512 + 3] == 0x40);
    CHECK(load_le32(f.data() + 512 + 4) == 2);    // numl1tab
    CHECK(load_le32(f.data() + 512 + 12) == 20);  // cyls
    CHECK(load_le64(f.data() + 512 + 16) == f.size());
    CHECK(f[512 + 72] == 1);                      // nullfmt
    const uint64_t l2 = load_le64(f.data() + 1024);
    CHECK(load_le64(f.data() + 1032) != 0);       // group 1 has content (tracks 256-279)
    // Track 2 is the first stored image, right after the 2 x 8-byte L1 table.
    CHECK(load_le64(f.data() + l2 + 32) == 1040);
    auto r = open_cckd_volume(path);
    CHECK(r->info().format == "CKD_C064");
    check_reads_back(*r, tracks, 15);
}
