// The busy mark of a plain image being restored in place (formats/busy_image.hpp): the
// record, and every state a run stopped at any point leaves, recognised by the readers
// and taken up again by the next update.
#include "formats/volume/busy_image.hpp"
#include "formats/volume/ckd_image.hpp"
#include "formats/volume/fba_image.hpp"
#include "formats/volume/volume.hpp"
#include "tests/unit/volume_testing.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

using namespace ddr;
using namespace ddr::test;
namespace fs = std::filesystem;

namespace {

RestoreRecord sample_record(std::optional<std::string> prior = std::string("OLD001"))
{
    RestoreRecord r;
    r.dump_tod = 0xDD0123456789ABCDull;
    r.dump_volser = "VOLA01";
    r.prior_volser = std::move(prior);
    return r;
}

void overwrite(const std::string& path, uint64_t offset, ByteSpan bytes)
{
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    REQUIRE(f);
    f.seekp(std::streamoff(offset));
    f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    REQUIRE(f);
}

NewCkdVolume ckd_spec(uint32_t cylinders, uint32_t per_file = 0)
{
    const CkdGeometry& g = geometry("3380");
    NewCkdVolume s;
    s.devtype_byte = g.devtype_byte;
    s.cylinders = cylinders;
    s.heads = g.heads;
    s.track_size = g.track_size;
    s.cylinders_per_file = per_file;
    return s;
}

// A plain CKD image of 3 cylinders, and the same with one track rewritten: what a
// finished restore of that track makes of it.
struct CkdCase {
    TempDir dir;
    std::string path = dir.file("v.3380");
    std::string busy = busy_image_name(path);
    TrackImage track;
    Bytes before, after;

    CkdCase()
    {
        create_ckd_volume(path, ckd_spec(3))->commit();
        before = read_file(path);
        std::mt19937 rng(3);
        track = random_track({1, 4}, rng, 47616);
        const std::string scratch = dir.file("scratch.3380");
        fs::copy_file(path, scratch);
        auto w = update_ckd_volume(scratch);
        w->write_track({1, 4}, track);
        w->commit();
        after = read_file(scratch);
        fs::remove(scratch);
    }
    // The restore run again: rewrites the track and commits.
    void redo(const std::optional<RestoreRecord>& record = std::nullopt)
    {
        auto w = update_ckd_volume(path, record);
        w->write_track({1, 4}, track);
        w->commit();
    }
};

Bytes fba_blocks(size_t count, uint8_t seed)
{
    Bytes b(count * kFbaBlockSize);
    for (size_t i = 0; i < b.size(); ++i)
        b[i] = uint8_t(seed + i * 31 + i / 512);
    return b;
}

} // namespace

TEST_CASE("Restore record: encoding, check, and what it says")
{
    RestoreRecord r = sample_record();
    r.fba_blocks = 123456;
    const auto bytes = r.encode();
    CHECK(std::memcmp(bytes.data(), "DDRRSTOR", 8) == 0);
    CHECK(bytes[8] == 0xDD);  // the TOD, big-endian as on tape
    CHECK(std::string(bytes.begin() + 16, bytes.begin() + 28) == "VOLA01OLD001");
    auto back = RestoreRecord::decode(bytes);
    REQUIRE(back);
    CHECK(back->dump_tod == r.dump_tod);
    CHECK(back->dump_volser == "VOLA01");
    CHECK(back->prior_volser == std::optional<std::string>("OLD001"));
    CHECK(back->fba_blocks == 123456);
    CHECK(back->same_dump(r));

    // No label before, a short volser, a blank one.
    RestoreRecord n = sample_record(std::nullopt);
    n.dump_volser = "AB";
    auto nb = RestoreRecord::decode(n.encode());
    REQUIRE(nb);
    CHECK(!nb->prior_volser);
    CHECK(nb->dump_volser == "AB");
    CHECK(!nb->same_dump(r));
    n.dump_volser = "";
    CHECK(RestoreRecord::decode(n.encode())->describe().find("(blank volser)") != std::string::npos);
    CHECK(r.describe().rfind("a restore of VOLA01 (dumped ", 0) == 0);

    // Any changed byte, a missing magic, too few bytes: no record.
    for (size_t i : {0u, 8u, 20u, 28u, 35u, 40u}) {
        auto bad = bytes;
        bad[i] ^= 0x01;
        CHECK(!RestoreRecord::decode(bad));
    }
    CHECK(RestoreRecord::has_magic(bytes));
    auto torn = bytes;
    torn[30] ^= 0xFF;
    CHECK(RestoreRecord::has_magic(torn));
    CHECK(!RestoreRecord::has_magic(Bytes(48, 0)));
    CHECK(!RestoreRecord::decode(ByteSpan(bytes.data(), 40)));
}

TEST_CASE("CKD busy mark: renamed, DDR_BUSY, record and stash; all undone by commit")
{
    CkdCase c;
    {
        auto w = update_ckd_volume(c.path, sample_record());
        CHECK(!fs::exists(c.path));
        const Bytes head = read_file(c.busy);
        CHECK(std::memcmp(head.data(), "DDR_BUSY", 8) == 0);
        CHECK(std::memcmp(head.data() + 504, "CKD_P370", 8) == 0);
        auto rec = RestoreRecord::decode(ByteSpan(head.data() + 456, 48));
        REQUIRE(rec);
        CHECK(rec->same_dump(sample_record()));
        w->write_track({1, 4}, c.track);
    }  // stopped here
    auto u = find_unfinished_restore(c.path);
    REQUIRE(u);
    CHECK(u->image == c.path);
    CHECK(u->file_now == c.busy);
    CHECK(u->ckd);
    CHECK(!u->name_taken);
    REQUIRE(u->record);
    CHECK(u->record->prior_volser == std::optional<std::string>("OLD001"));
    CHECK_ERROR(open_ckd_volume(c.path), ErrorKind::Unreadable,
                "image is incomplete: a restore of VOLA01 (dumped ");
    CHECK_ERROR(open_ckd_volume(c.path), ErrorKind::Unreadable,
                "run the same restore again (ddr restore TAPE " + c.path);
    CHECK_ERROR(refuse_unfinished(c.path), ErrorKind::Unreadable, "did not finish");
    CHECK(open_ckd_volume(c.path, true)->info().format == "CKD_P370");
    CHECK_ERROR(create_ckd_volume(c.path, ckd_spec(3)), ErrorKind::Refused,
                "a restore into " + c.path + " did not finish");

    // The redo keeps the record it is given and finishes: the original header is back.
    c.redo(sample_record());
    CHECK(!fs::exists(c.busy));
    CHECK(read_file(c.path) == c.after);
    CHECK(!find_unfinished_restore(c.path));
}

TEST_CASE("CKD busy mark: every state a stopped run leaves is taken up again")
{
    SUBCASE("renamed, header not yet marked (stopped between the rename and the header)")
    {
        CkdCase c;
        fs::rename(c.path, c.busy);
        auto u = find_unfinished_restore(c.path);
        REQUIRE(u);
        CHECK(!u->record);
        CHECK_ERROR(CkdImageReader(c.path), ErrorKind::Unreadable, "it is named " + c.busy);
        c.redo(sample_record());
        CHECK(read_file(c.path) == c.after);
    }
    SUBCASE("data and header back, not yet renamed (stopped in commit before the rename)")
    {
        CkdCase c;
        c.redo(sample_record());
        fs::rename(c.path, c.busy);
        auto u = find_unfinished_restore(c.path);
        REQUIRE(u);
        CHECK(!u->record);  // the header holds the real magic again
        c.redo();
        CHECK(read_file(c.path) == c.after);
    }
    SUBCASE("marked DDR_BUSY in place by ddr 0.1 (stash, no record, no rename)")
    {
        CkdCase c;
        Bytes mark(16);
        std::memcpy(mark.data(), "DDR_BUSY", 8);
        overwrite(c.path, 0, ByteSpan(mark.data(), 8));
        overwrite(c.path, 504, ByteSpan(c.before.data(), 8));
        auto u = find_unfinished_restore(c.path);
        REQUIRE(u);
        CHECK(u->file_now == c.path);
        CHECK(!u->record);
        CHECK_ERROR(open_fba_volume(c.path), ErrorKind::Unreadable, "its magic reads DDR_BUSY");
        c.redo(sample_record());
        CHECK(!fs::exists(c.busy));
        CHECK(read_file(c.path) == c.after);
    }
    SUBCASE("both names: updates refused naming both, readers read NAME")
    {
        CkdCase c;
        update_ckd_volume(c.path, sample_record()).reset();
        fs::copy_file(c.busy, c.dir.file("busy-copy"));
        fs::copy_file(c.dir.file("busy-copy"), c.path);  // another file under the name
        overwrite(c.path, 0, ByteSpan(c.before.data(), 8));
        CHECK_ERROR(update_ckd_volume(c.path), ErrorKind::Refused,
                    c.path + " and " + c.busy + " both exist: " + c.busy + " is an image a restore of VOLA01");
        CHECK_ERROR(CkdImageWriter::update(c.path, std::nullopt), ErrorKind::Refused, "both exist");
        CHECK(find_unfinished_restore(c.path)->name_taken);
        CHECK(open_ckd_volume(c.path)->info().cylinders == 3);
        // NAME itself marked DDR_BUSY too: unfinished whichever is read.
        overwrite(c.path, 0, ByteSpan(reinterpret_cast<const uint8_t*>("DDR_BUSY"), 8));
        CHECK_ERROR(open_ckd_volume(c.path), ErrorKind::Unreadable, "its magic reads DDR_BUSY");
        CHECK_ERROR(update_ckd_volume(c.path), ErrorKind::Refused, "both exist");
    }
}

TEST_CASE("CKD busy mark: header bytes 456-511 not zero are refused before anything is renamed")
{
    CkdCase c;
    const Bytes junk(8, 0x5A);
    overwrite(c.path, 470, junk);
    const Bytes before = read_file(c.path);
    CHECK_ERROR(update_ckd_volume(c.path, sample_record()), ErrorKind::Refused, "bytes 456-511 of the CKD header");
    CHECK(read_file(c.path) == before);
    CHECK(!fs::exists(c.busy));
}

TEST_CASE("CKD busy mark of a multi-file set: file 1 alone is renamed; any member names the set")
{
    TempDir dir;
    create_ckd_volume(dir.file("m.3380"), ckd_spec(6, 2))->commit();
    const std::string f1 = dir.file("m_1.3380"), f2 = dir.file("m_2.3380"), f3 = dir.file("m_3.3380");
    std::mt19937 rng(9);
    const TrackImage t = random_track({5, 2}, rng, 47616);
    {
        auto w = update_ckd_volume(f2, sample_record());
        CHECK(w->info().files == std::vector<std::string>{f1, f2, f3});
        w->write_track({5, 2}, t);
    }
    CHECK(!fs::exists(f1));
    CHECK(fs::exists(busy_image_name(f1)));
    CHECK(fs::exists(f2));
    CHECK(fs::exists(f3));
    auto u = find_unfinished_restore(f3);
    REQUIRE(u);
    CHECK(u->image == f1);
    CHECK(u->file_now == busy_image_name(f1));
    CHECK_ERROR(open_ckd_volume(f3), ErrorKind::Unreadable, "its first file is named " + busy_image_name(f1));
    CHECK(open_ckd_volume(f3, true)->info().cylinders == 6);
    {
        auto w = update_ckd_volume(f3, u->record);
        w->write_track({5, 2}, t);
        w->commit();
    }
    CHECK(fs::exists(f1));
    CHECK(!fs::exists(busy_image_name(f1)));
    TrackImage back;
    open_ckd_volume(f1)->read_track({5, 2}, back);
    CHECK(back.bytes == t.bytes);
}

TEST_CASE("FBA busy mark: renamed, the record after the last block; all undone by commit")
{
    TempDir dir;
    const std::string path = dir.file("v.fba"), busy = busy_image_name(path);
    write_file(path, fba_blocks(100, 1));
    const Bytes data = fba_blocks(4, 9);
    Bytes after = read_file(path);
    std::copy(data.begin(), data.end(), after.begin() + 50 * 512);
    {
        auto w = update_fba_volume(path, sample_record());
        CHECK(w->info().blocks == 100);
        CHECK(fs::file_size(busy) == 101 * 512);
        w->write_blocks(50, data);
    }
    auto u = find_unfinished_restore(path);
    REQUIRE(u);
    CHECK(!u->ckd);
    REQUIRE(u->record);
    CHECK(u->record->fba_blocks == 100);
    CHECK(u->record->same_dump(sample_record()));
    CHECK(open_fba_volume(path, true)->info().blocks == 100);  // the record is no block
    CHECK_ERROR(open_fba_volume(path), ErrorKind::Unreadable, "a restore of VOLA01");
    CHECK_ERROR(open_ckd_volume(path), ErrorKind::Unreadable, "it is named " + busy);
    // A redo over the record: still 100 blocks, the record replaced in place.
    RestoreRecord other = sample_record();
    other.dump_tod = 42;
    {
        auto w = update_fba_volume(path, other);
        CHECK(w->info().blocks == 100);
        CHECK(fs::file_size(busy) == 101 * 512);
    }
    CHECK(find_unfinished_restore(path)->record->dump_tod == 42);
    {
        auto w = update_fba_volume(path, other);
        w->write_blocks(50, data);
        w->commit();
    }
    CHECK(!fs::exists(busy));
    CHECK(read_file(path) == after);
}

TEST_CASE("FBA busy mark: an intact image whose last block looks like a record keeps that block")
{
    TempDir dir;
    const std::string path = dir.file("v.fba");
    Bytes image = fba_blocks(10, 2);
    RestoreRecord r = sample_record();
    r.fba_blocks = 9;
    const auto rec = r.encode();
    std::copy(rec.begin(), rec.end(), image.begin() + 9 * 512);
    write_file(path, image);
    {
        auto w = update_fba_volume(path, sample_record());
        CHECK(w->info().blocks == 10);
        w->commit();
    }
    CHECK(read_file(path) == image);
}

TEST_CASE("FBA busy mark: every state a stopped run leaves is taken up again")
{
    TempDir dir;
    const std::string path = dir.file("v.fba"), busy = busy_image_name(path);
    const Bytes image = fba_blocks(64, 5);
    auto redo_gives_image = [&] {
        update_fba_volume(path, sample_record())->commit();
        CHECK(!fs::exists(busy));
        CHECK(read_file(path) == image);
    };
    SUBCASE("renamed, no record yet; or record cut off, not yet renamed back")
    {
        write_file(busy, image);
        CHECK(!find_unfinished_restore(path)->record);
        CHECK(open_fba_volume(path, true)->info().blocks == 64);
        redo_gives_image();
    }
    SUBCASE("a record a crash tore: its magic is there, its check fails")
    {
        Bytes torn = image;
        auto rec = sample_record().encode();
        rec[20] ^= 0x40;
        Bytes block(512, 0);
        std::copy(rec.begin(), rec.end(), block.begin());
        torn.insert(torn.end(), block.begin(), block.end());
        write_file(busy, torn);
        CHECK(!find_unfinished_restore(path)->record);
        CHECK(open_fba_volume(path, true)->info().blocks == 64);
        redo_gives_image();
    }
    SUBCASE("a record cut short by a crash: not a whole block")
    {
        Bytes torn = image;
        torn.resize(image.size() + 100, 0);
        write_file(busy, torn);
        CHECK(open_fba_volume(path, true)->info().blocks == 64);
        redo_gives_image();
    }
    SUBCASE("a record naming another size is not taken")
    {
        RestoreRecord r = sample_record();
        r.fba_blocks = 7;
        Bytes withrec = image;
        auto rec = r.encode();
        Bytes block(512, 0);
        std::copy(rec.begin(), rec.end(), block.begin());
        withrec.insert(withrec.end(), block.begin(), block.end());
        write_file(busy, withrec);
        CHECK(!find_unfinished_restore(path)->record);
        CHECK(open_fba_volume(path, true)->info().blocks == 64);
        redo_gives_image();
    }
    SUBCASE("both names")
    {
        write_file(busy, image);
        write_file(path, image);
        CHECK_ERROR(update_fba_volume(path), ErrorKind::Refused, "both exist");
        CHECK_ERROR(FbaImageWriter::update(path, std::nullopt), ErrorKind::Refused, "both exist");
        CHECK(open_fba_volume(path)->info().blocks == 64);
    }
}
