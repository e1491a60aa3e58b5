// CFBA images: blocks written read back exactly, and Hercules 3.13 (cckdcdsk -3,
// cfba2fba, fba2cfba, dasdinit) agrees with us in both directions.
#include "formats/volume/cckd/container.hpp"
#include "formats/volume/cckd/cfba_image.hpp"
#include "formats/io/error.hpp"
#include "tests/unit/support.hpp"
#include "tests/unit/test_cckd_helpers.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <random>

using namespace ddr;
using namespace ddr::test;

namespace {

// Volume contents: per 120-block group, zeros, text, random bytes or a mix, so the
// image holds null groups, well and badly compressible ones.  Groups in
// [zero_from, zero_to) are all zero.
Bytes sample_blocks(uint64_t blocks, uint32_t seed, uint64_t zero_from = 0, uint64_t zero_to = 0)
{
    std::mt19937 rng(seed);
    Bytes v(size_t(blocks) * 512, 0);
    for (uint64_t g = 0; g * 120 < blocks; ++g) {
        const size_t start = size_t(g) * 120 * 512;
        const size_t end = std::min(v.size(), start + 120 * 512);
        if (g >= zero_from && g < zero_to)
            continue;
        switch ((g * 7 + seed) % 5) {
        case 0:
            break;  // zeros
        case 1:
            for (size_t i = start; i < end; ++i)
                v[i] = uint8_t(rng());
            break;
        case 2:
            for (size_t i = start; i < end; ++i)
                v[i] = uint8_t(0xC1 + (i / 7) % 9);
            break;
        case 3:  // one non-zero byte in an otherwise empty group
            v[start + (rng() % (end - start))] = 0x5A;
            break;
        default:
            for (size_t i = start; i < end; i += 512)
                std::memcpy(&v[i], "VOL1FBA001", 10);
            break;
        }
    }
    return v;
}

NewFbaVolume new_fba(uint64_t blocks, const std::string& format = "FBA_C370")
{
    NewFbaVolume v;
    v.format = format;
    v.blocks = blocks;
    v.devtype = 0x3370;
    return v;
}

// Writes `data` in uneven chunks (1, 7, 240, 61 ... blocks), then commits.
void write_chunked(FbaVolumeWriter& w, const Bytes& data)
{
    static const size_t chunks[] = {1, 7, 240, 61, 120, 3};
    const uint64_t blocks = data.size() / 512;
    uint64_t b = 0;
    for (size_t i = 0; b < blocks; ++i) {
        const uint64_t n = std::min<uint64_t>(chunks[i % 6], blocks - b);
        w.write_blocks(b, ByteSpan(data).subspan(size_t(b) * 512, size_t(n) * 512));
        b += n;
    }
    w.commit();
}

Bytes read_all(FbaVolumeReader& r)
{
    Bytes out(size_t(r.info().blocks) * 512);
    r.read_blocks(0, out);
    return out;
}


} // namespace

TEST_CASE("CFBA: blocks written in any chunking read back exactly")
{
    TempDir dir;
    for (uint64_t blocks : {1000u, 30720u, 30721u}) {
        for (auto c : {CckdCompression::Zlib, CckdCompression::Bzip2, CckdCompression::None}) {
            CAPTURE(blocks);
            CAPTURE(compression_name(c));
            const Bytes data = sample_blocks(blocks, uint32_t(blocks));
            const std::string path = dir.file("v" + std::to_string(blocks) + compression_name(c) + ".cfba");
            auto w = create_cfba_volume(path, new_fba(blocks), CckdOptions{c, -1, 2});
            write_chunked(*w, data);
            auto r = open_cfba_volume(path);
            CHECK(r->info().format == "FBA_C370");
            CHECK(r->info().blocks == blocks);
            CHECK(r->info().devtype == 0x3370);
            CHECK(r->info().bytes == std::filesystem::file_size(path));
            CHECK(read_all(*r) == data);
            // Reads across group boundaries, from the middle of a group.
            Bytes part(300 * 512);
            r->read_blocks(100, part);
            CHECK(std::memcmp(part.data(), data.data() + 100 * 512, part.size()) == 0);
            Bytes last(512);
            r->read_blocks(blocks - 1, last);
            CHECK(std::memcmp(last.data(), data.data() + (blocks - 1) * 512, 512) == 0);
            CHECK_THROWS_AS(r->read_blocks(blocks, last), Error);
        }
    }
}

TEST_CASE("CFBA: header fields, null groups and the L1 table")
{
    TempDir dir;
    // 512 groups: groups 256-511 all zero, so the second L1 entry is 0.
    const uint64_t blocks = 120 * 512;
    const Bytes data = sample_blocks(blocks, 1, 256, 512);
    const std::string path = dir.file("h.cfba");
    auto w = create_cfba_volume(path, new_fba(blocks), CckdOptions{});
    write_chunked(*w, data);
    const Bytes f = read_file(path);
    CHECK(std::string(f.begin(), f.begin() + 8) == "FBA_C370");
    CHECK(load_le32(f.data() + 8) == blocks);  // SDL's fields: sectors, 512, type byte
    CHECK(load_le32(f.data() + 12) == 512);
    CHECK(f[16] == 0x70);
    const uint8_t* h = f.data() + 512;
    CHECK(h[3] == 0x41);
    CHECK(load_le32(h + 4) == 3);  // Hercules' count: 61440 / 120 + 1 = 513 groups
    CHECK(load_le32(h + 12) == f.size());
    CHECK(load_le32(h + 16) == f.size());
    CHECK(load_le32(h + 40) == blocks);
    CHECK(h[44] == 0);
    CHECK(h[45] == 1);
    CHECK(load_le32(f.data() + 1024) != 0);
    CHECK(load_le32(f.data() + 1028) == 0);
    CHECK(load_le32(f.data() + 1032) == 0);
    // Group 0 (random) is stored first; group 2 (zeros) is a null entry.
    const uint8_t* l2 = f.data() + load_le32(f.data() + 1024);
    CHECK(load_le32(l2) == 1036);
    CHECK(load_le32(l2 + 8 * 2) == 0);
    const uint8_t* g0 = f.data() + 1036;
    CHECK(g0[0] == 0);  // random data does not compress: stored raw
    CHECK(load_be32(g0 + 1) == 0);
    CHECK(load_le16(l2 + 4) == 61445);
}

TEST_CASE("CFBA: Hercules 3.13 cckdcdsk -3 finds nothing to fix and cfba2fba gives back our blocks")
{
    REQUIRE(have_hercules());
    TempDir dir;
    for (uint64_t blocks : {1000u, 30720u, 62000u}) {
        for (auto c : {CckdCompression::Zlib, CckdCompression::Bzip2, CckdCompression::None}) {
            CAPTURE(blocks);
            CAPTURE(compression_name(c));
            const Bytes data = sample_blocks(blocks, 3, 200, 480);
            const std::string path = dir.file("c.cfba");
            std::filesystem::remove(path);
            auto w = create_cfba_volume(path, new_fba(blocks), CckdOptions{c, -1, 2});
            write_chunked(*w, data);
            check_cckdcdsk_clean(path);
            const std::string plain = dir.file("c.fba");
            std::filesystem::remove(plain);
            int rc = -1;
            const std::string out = run("cfba2fba -q '" + path + "' '" + plain + "'", &rc);
            INFO(out);
            REQUIRE(rc == 0);
            CHECK(read_file(plain) == data);
        }
    }
}

TEST_CASE("CFBA: images made by fba2cfba and dasdinit read as their source")
{
    REQUIRE(have_hercules());
    TempDir dir;
    const uint64_t blocks = 5000;
    const Bytes data = sample_blocks(blocks, 4);
    const std::string plain = dir.file("src.fba");
    write_file(plain, data);
    for (const std::string opts : {"-z", "-bz2", "-0"}) {
        CAPTURE(opts);
        const std::string path = dir.file("f.cfba");
        std::filesystem::remove(path);
        int rc = -1;
        const std::string out = run("dasdcopy -q " + opts + " -o CFBA '" + plain + "' '" + path + "'", &rc);
        INFO(out);
        REQUIRE(rc == 0);
        auto r = open_cfba_volume(path);
        CHECK(r->info().blocks == blocks);
        CHECK(read_all(*r) == data);
    }

    const std::string init = dir.file("init.cfba");
    REQUIRE(run("dasdinit -z '" + init + "' 3370 FBA001 3000").find("successfully") != std::string::npos);
    const std::string back = dir.file("init.fba");
    int rc = -1;
    run("cfba2fba -q '" + init + "' '" + back + "'", &rc);
    REQUIRE(rc == 0);
    auto r = open_cfba_volume(init);
    const Bytes ours = read_all(*r);
    CHECK(ours == read_file(back));
    CHECK(std::memcmp(ours.data() + 512, "\xE5\xD6\xD3\xF1", 4) == 0);  // "VOL1" in EBCDIC
}

TEST_CASE("CFBA: an update keeps untouched groups as stored; abandoning it changes nothing")
{
    REQUIRE(have_hercules());
    TempDir dir;
    const uint64_t blocks = 30000;
    Bytes data = sample_blocks(blocks, 6);
    const std::string path = dir.file("u.cfba");
    {
        auto w = create_cfba_volume(path, new_fba(blocks), CckdOptions{CckdCompression::Zlib, 9, 2});
        write_chunked(*w, data);
    }
    const Bytes original = read_file(path);
    {
        auto w = update_cfba_volume(path);
        const Bytes x(512 * 10, 0xEE);
        w->write_blocks(1000, x);
    }
    CHECK(read_file(path) == original);
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 1);

    // Change blocks 1000-1009 (group 8) and 24000-24239 (groups 200-201, which were zero).
    auto w = update_cfba_volume(path);
    std::memset(data.data() + 1000 * 512, 0xEE, 10 * 512);
    w->write_blocks(1000, ByteSpan(data).subspan(1000 * 512, 10 * 512));
    std::memset(data.data() + 24000 * 512, 0x11, 240 * 512);
    w->write_blocks(24000, ByteSpan(data).subspan(24000 * 512, 240 * 512));
    Bytes check(20 * 512);
    w->read_blocks(995, check);  // the open group
    CHECK(std::memcmp(check.data(), data.data() + 995 * 512, check.size()) == 0);
    w->read_blocks(100, check);  // still in the original
    CHECK(std::memcmp(check.data(), data.data() + 100 * 512, check.size()) == 0);
    w->commit();
    check_cckdcdsk_clean(path);
    auto r = open_cfba_volume(path);
    CHECK(read_all(*r) == data);

    write_file(dir.file("orig.cfba"), original);
    cckd::Container old(dir.file("orig.cfba"));
    cckd::Container updated(path);
    for (uint64_t g = 0; g < old.units(); ++g) {
        if (g == 8 || g == 200 || g == 201)
            continue;
        auto a = old.locate(g, Place{});
        auto b = updated.locate(g, Place{});
        INFO("group " << g);
        REQUIRE(a.null() == b.null());
        if (a.null())
            continue;
        Bytes ia(a.entry.len), ib(b.entry.len);
        old.file().read_exact(a.entry.pos, ia);
        updated.file().read_exact(b.entry.pos, ib);
        REQUIRE(ia == ib);
    }
}

TEST_CASE("CFBA: big-endian images, FBA_C064, rewrites and abandoned writers")
{
    TempDir dir;
    const uint64_t blocks = 3000;
    const Bytes data = sample_blocks(blocks, 8);
    {
        const std::string path = dir.file("be.cfba");
        auto w = create_cfba_volume(path, new_fba(blocks), CckdOptions{});
        write_chunked(*w, data);
        make_big_endian(path);
        auto r = open_cfba_volume(path);
        CHECK(read_all(*r) == data);
    }
    {
        const std::string path = dir.file("w.cfba64");
        auto w = create_cfba_volume(path, new_fba(blocks, "FBA_C064"), CckdOptions{CckdCompression::Bzip2, -1, 1});
        write_chunked(*w, data);
        auto r = open_cfba_volume(path);
        CHECK(r->info().format == "FBA_C064");
        CHECK(read_all(*r) == data);
        const Bytes f = read_file(path);
        CHECK(load_le32(f.data() + 512 + 12) == blocks);
        CHECK(load_le64(f.data() + 512 + 16) == f.size());
    }
    {
        // Every block written twice, backwards the second time.
        const std::string path = dir.file("twice.cfba");
        auto w = create_cfba_volume(path, new_fba(blocks), CckdOptions{});
        const Bytes other = sample_blocks(blocks, 9);
        w->write_blocks(0, other);
        for (uint64_t b = blocks; b-- > 0;)
            w->write_blocks(b, ByteSpan(data).subspan(size_t(b) * 512, 512));
        Bytes mid(512 * 200);
        w->read_blocks(1000, mid);
        CHECK(std::memcmp(mid.data(), data.data() + 1000 * 512, mid.size()) == 0);
        w->commit();
        auto r = open_cfba_volume(path);
        CHECK(read_all(*r) == data);
        if (have_hercules())
            check_cckdcdsk_clean(path);
    }
    {
        const std::string path = dir.file("gone.cfba");
        auto w = create_cfba_volume(path, new_fba(blocks), CckdOptions{});
        w->write_blocks(0, ByteSpan(data).subspan(0, 512 * 1000));
    }
    CHECK(!std::filesystem::exists(dir.file("gone.cfba")));
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path()), {}) == 3);
}
