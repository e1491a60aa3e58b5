// Plain FBA images and the container dispatch of volume.hpp: round trips, the busy
// rename of an update, byte identity with dasdinit, and which file is taken for what.
#include "formats/volume/fba_image.hpp"
#include "formats/volume/volume.hpp"
#include "formats/volume/volume_label.hpp"
#include "tests/unit/volume_testing.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <sys/stat.h>

using namespace ddr;
using namespace ddr::test;
namespace fs = std::filesystem;

namespace {

Bytes pattern_blocks(uint64_t first, size_t count)
{
    Bytes b(count * kFbaBlockSize);
    for (size_t i = 0; i < b.size(); ++i)
        b[i] = uint8_t((first * 7 + i * 13 + i / 512) & 0xFF);
    return b;
}

size_t files_in(const TempDir& dir)
{
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path()))
        ++n;
    return n;
}

NewFbaVolume fba_spec(uint64_t blocks)
{
    NewFbaVolume s;
    s.blocks = blocks;
    return s;
}

} // namespace

TEST_CASE("FBA create: dasdinit's image, byte for byte")
{
    TempDir dir;
    for (const char* volser : {"FBA001", "ab"}) {
        CAPTURE(volser);
        std::string theirs = std::string("d-") + volser + ".fba";
        std::string ours = dir.file(std::string("o-") + volser + ".fba");
        REQUIRE(run_in(dir, "dasdinit " + theirs + " 3370 " + volser + " 1000") == 0);
        auto w = create_fba_volume(ours, fba_spec(1000));
        auto block1 = dasdinit_fba_block1(volser);
        w->write_blocks(1, block1);
        CHECK(!fs::exists(ours));
        w->commit();
        CHECK(read_file(ours) == read_file(dir.file(theirs)));
    }
}

TEST_CASE("FBA create: round trip, bounds, sparse, refusal and abandon")
{
    TempDir dir;
    std::string path = dir.file("v.fba");
    auto w = create_fba_volume(path, fba_spec(4096));
    CHECK(w->info().format == "FBA");
    CHECK(w->info().blocks == 4096);
    CHECK(w->info().bytes == 4096u * 512);
    CHECK(w->info().files == std::vector<std::string>{path});
    Bytes a = pattern_blocks(10, 3), b = pattern_blocks(4090, 6);
    w->write_blocks(10, a);
    w->write_blocks(4090, b);
    Bytes back(3 * 512);
    w->read_blocks(10, back);
    CHECK(back == a);
    CHECK_ERROR(w->write_blocks(4091, b), ErrorKind::Device, "blocks 4091-4096, beyond the end of the volume (4096 blocks)");
    CHECK_ERROR(w->write_blocks(1, Bytes(100)), ErrorKind::Internal, "100 bytes, not a whole number of blocks");
    CHECK_ERROR(w->read_blocks(5000, back), ErrorKind::Device, "beyond the end");
    w->commit();
    CHECK_ERROR(w->write_blocks(0, a), ErrorKind::Internal, "after commit");

    Bytes all = read_file(path);
    REQUIRE(all.size() == 4096u * 512);
    Bytes expected(4096u * 512, 0);
    std::copy(a.begin(), a.end(), expected.begin() + 10 * 512);
    std::copy(b.begin(), b.end(), expected.begin() + 4090 * 512);
    CHECK(all == expected);
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK(uint64_t(st.st_blocks) * 512 < all.size() / 4);  // a sparse file

    auto r = open_fba_volume(path);
    CHECK(r->info().blocks == 4096);
    Bytes six(6 * 512);
    r->read_blocks(4090, six);
    CHECK(six == b);
    CHECK_ERROR(r->read_blocks(4091, six), ErrorKind::Device, "beyond the end");
    CHECK_ERROR(r->read_blocks(~uint64_t(0), MutableByteSpan(six.data(), 512)), ErrorKind::Device, "beyond the end");

    CHECK_ERROR(create_fba_volume(path, fba_spec(8)), ErrorKind::Refused, "already exists");
    CHECK_ERROR(create_fba_volume(dir.file("z.fba"), fba_spec(0)), ErrorKind::Device, "of 0 blocks");
    {
        auto abandoned = create_fba_volume(dir.file("gone.fba"), fba_spec(64));
        abandoned->write_blocks(0, pattern_blocks(0, 1));
        CHECK(files_in(dir) == 2);
    }
    CHECK(files_in(dir) == 1);
}

TEST_CASE("FBA update: the image is renamed NAME.ddr-busy until commit")
{
    TempDir dir;
    REQUIRE(run_in(dir, "dasdinit v.fba 3370 FBA001 1000") == 0);
    std::string path = dir.file("v.fba");
    std::string busy = busy_image_name(path);
    CHECK(busy == path + ".ddr-busy");
    Bytes expected = read_file(path);
    Bytes data = pattern_blocks(100, 8);
    std::copy(data.begin(), data.end(), expected.begin() + 100 * 512);
    {
        auto w = update_fba_volume(path);
        CHECK(w->info().blocks == 1000);
        CHECK(w->info().files == std::vector<std::string>{path});
        CHECK(!fs::exists(path));
        CHECK(fs::exists(busy));
        w->write_blocks(100, data);
        Bytes back(8 * 512);
        w->read_blocks(100, back);
        CHECK(back == data);
    }
    // Abandoned: nothing answers to the image's name, and we say why.
    CHECK(!fs::exists(path));
    CHECK_ERROR(open_fba_volume(path), ErrorKind::Unreadable,
                "image is incomplete: a restore into it did not finish (it is named " + busy + " until one does)");
    CHECK_ERROR(FbaImageReader(path), ErrorKind::Unreadable, "did not finish");
    CHECK_ERROR(open_ckd_volume(path), ErrorKind::Unreadable, "did not finish");
    CHECK_ERROR(update_ckd_volume(path), ErrorKind::Device, "is an FBA volume image, not CKD");
    CHECK_ERROR(create_fba_volume(path, fba_spec(1000)), ErrorKind::Refused, "a restore into " + path + " did not finish");
    // Hercules cannot open it by its name either.
    CHECK(run_in(dir, "dasdls v.fba 2>&1 | grep -q 'Cannot open v.fba: No such file'") == 0);

    // The restore run again takes up the busy file.
    {
        auto w = update_fba_volume(path);
        w->write_blocks(100, data);
        w->commit();
    }
    CHECK(!fs::exists(busy));
    CHECK(read_file(path) == expected);

    // Both names present: refuse to guess.
    fs::copy_file(path, busy);
    CHECK_ERROR(update_fba_volume(path), ErrorKind::Refused, "remove whichever of the two is not wanted");
    CHECK(open_fba_volume(path)->info().blocks == 1000);  // reading the named image is fine
}

TEST_CASE("Volume dispatch: the container comes from the first bytes")
{
    TempDir dir;
    REQUIRE(run_in(dir, "dasdinit c.3390 3390 CKD001 1") == 0);
    REQUIRE(run_in(dir, "dasdinit f.fba 3370 FBA001 64") == 0);
    REQUIRE(run_in(dir, "dasdinit -z z.cckd 3390 CKDZ01 1") == 0);
    REQUIRE(run_in(dir, "dasdinit -z z.cfba 3370 FBAZ01 64") == 0);
    std::string ckd = dir.file("c.3390"), fba = dir.file("f.fba"), cckd = dir.file("z.cckd"), cfba = dir.file("z.cfba");

    CHECK(looks_like_ckd_volume(ckd));
    CHECK(looks_like_ckd_volume(cckd));
    CHECK(!looks_like_ckd_volume(fba));
    CHECK(!looks_like_ckd_volume(cfba));
    CHECK(!looks_like_ckd_volume(dir.file("missing")));

    CHECK(open_ckd_volume(ckd)->info().cylinders == 1);
    CHECK(open_fba_volume(fba)->info().blocks == 64);
    CHECK_ERROR(open_ckd_volume(fba), ErrorKind::Device, "f.fba: is not a CKD volume image (it looks like FBA");
    CHECK_ERROR(update_ckd_volume(fba), ErrorKind::Device, "it looks like FBA");
    CHECK_ERROR(open_fba_volume(ckd), ErrorKind::Device, "c.3390: is a CKD volume image (CKD_P370), not FBA");
    CHECK_ERROR(update_fba_volume(ckd), ErrorKind::Device, "not FBA");
    // Compressed images go to their own readers: the same volume, read through CCKD/CFBA.
    CHECK(open_ckd_volume(cckd)->info().format == "CKD_C370");
    CHECK(open_ckd_volume(cckd)->info().cylinders == 1);
    CHECK(open_fba_volume(cfba)->info().format == "FBA_C370");
    CHECK(open_fba_volume(cfba)->info().blocks == 64);
    CHECK_ERROR(open_ckd_volume(cfba), ErrorKind::Device, "compressed FBA volume image (FBA_C370), not CKD");
    CHECK_ERROR(open_fba_volume(cckd), ErrorKind::Device, "(CKD_C370), not FBA");
    NewCkdVolume cs;
    cs.format = "CKD_C370";
    cs.cylinders = 1;
    cs.heads = 15;
    cs.track_size = 56832;
    cs.devtype_byte = 0x90;
    CHECK(create_ckd_volume(dir.file("new.cckd"), cs)->info().format == "CKD_C370");
    NewFbaVolume fs_;
    fs_.format = "FBA_C370";
    fs_.blocks = 64;
    CHECK(create_fba_volume(dir.file("new.cfba"), fs_)->info().format == "FBA_C370");
    fs_.format = "FBA_X";
    CHECK_ERROR(create_fba_volume(dir.file("new.cfba"), fs_), ErrorKind::Internal, "FBA_X");

    // Shadow files, odd sizes, and a busy CKD image seen as FBA.
    Bytes shadow = read_file(cckd);
    std::memcpy(shadow.data(), "CKD_S370", 8);
    write_file(dir.file("s.cckd"), shadow);
    CHECK(looks_like_ckd_volume(dir.file("s.cckd")));
    CHECK_ERROR(open_ckd_volume(dir.file("s.cckd")), ErrorKind::Unreadable, "shadow file (CKD_S370)");
    CHECK_ERROR(open_fba_volume(dir.file("s.cckd")), ErrorKind::Unreadable, "shadow file");
    write_file(dir.file("odd.bin"), Bytes(1000, 1));
    CHECK_ERROR(open_ckd_volume(dir.file("odd.bin")), ErrorKind::Unreadable, "is not a volume image");
    CHECK_ERROR(open_fba_volume(dir.file("odd.bin")), ErrorKind::Unreadable, "1000 bytes, is not a whole number");
    write_file(dir.file("empty.bin"), Bytes());
    CHECK_ERROR(open_fba_volume(dir.file("empty.bin")), ErrorKind::Unreadable, "is not a volume image");
    CHECK_ERROR(FbaImageReader(dir.file("odd.bin")), ErrorKind::Unreadable, "not an FBA image");
    // An update meets every such file with the opener's words.
    CHECK_ERROR(update_ckd_volume(dir.file("s.cckd")), ErrorKind::Unreadable, "shadow file (CKD_S370)");
    CHECK_ERROR(update_fba_volume(dir.file("s.cckd")), ErrorKind::Unreadable, "shadow file (CKD_S370)");
    CHECK_ERROR(update_ckd_volume(dir.file("odd.bin")), ErrorKind::Unreadable, "1000 bytes, is not a whole number");
    CHECK_ERROR(update_fba_volume(dir.file("odd.bin")), ErrorKind::Unreadable, "1000 bytes, is not a whole number");
    CHECK_ERROR(update_ckd_volume(cfba), ErrorKind::Device, "compressed FBA volume image (FBA_C370), not CKD");
    CHECK_ERROR(update_fba_volume(cckd), ErrorKind::Device, "(CKD_C370), not FBA");
    update_ckd_volume(ckd).reset();  // leaves it busy
    CHECK(looks_like_ckd_volume(ckd));
    CHECK_ERROR(open_fba_volume(ckd), ErrorKind::Unreadable, "did not finish");
    CHECK_ERROR(update_fba_volume(ckd), ErrorKind::Device, "is a CKD volume image, not FBA");
    CHECK_ERROR(open_fba_volume(dir.file("missing")), ErrorKind::ReadFailed, "cannot open: No such file or directory");
    CHECK_ERROR(open_ckd_volume(dir.file("missing")), ErrorKind::ReadFailed, "cannot open");
    CHECK_ERROR(update_fba_volume(dir.file("missing")), ErrorKind::ReadFailed, "cannot open");
}
