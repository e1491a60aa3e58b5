// The resume record of restore --resume and dump --resume (formats/io/resume_record.hpp):
// its bytes, every way a damaged or hostile record is refused, the files it keeps from the
// cleanup of stale temporaries, a new image taken up again after a crash
// (resume_ckd_volume, resume_fba_volume) coming out equal to one written without
// interruption, and a tape file continued the same way (tapeio::TapeOutput::resume_file).
#include "formats/ddrtape/units.hpp"
#include "formats/io/file.hpp"
#include "formats/io/resume_record.hpp"
#include "formats/tape/tape.hpp"
#include "formats/tape/tape_file.hpp"
#include "formats/volume/volume.hpp"
#include "tests/unit/error_testing.hpp"
#include "tests/unit/volume_testing.hpp"

#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <random>

using namespace ddr;
using namespace ddr::test;
namespace fs = std::filesystem;

namespace {

ResumeRecord new_image_record()
{
    ResumeRecord r;
    r.kind = ResumeKind::RestoreNewImage;
    r.dump_tod = 0xDD0123456789ABCDull;
    r.dump_volser = "VOLA01";
    r.dump_file = 2;
    r.units_done = 1234;
    r.frontier = 1240;
    r.selection = 0x1122334455667788ull;
    r.temporaries = {".t.3390.ddr-tmp.4242.a1b2c3"};
    return r;
}

ResumeRecord dump_record()
{
    ResumeRecord r;
    r.kind = ResumeKind::DumpNewTape;
    r.fba = true;
    r.dump_tod = 0xDE0011223344556Full;
    r.dump_volser = "FBAA01";
    r.units_done = 77;
    r.frontier = 654321;
    r.selection = 0x0102030405060708ull;
    r.temporaries = {".t.aws.ddr-tmp.99.zz"};
    r.source = "/vols/c.fba";
    return r;
}

bool refused(ByteSpan bytes)
{
    return std::holds_alternative<std::string>(ResumeRecord::decode(bytes));
}

// Every single-bit change of `good`, and every truncation of it, is refused.
void check_every_flip_and_cut_refused(const Bytes& good)
{
    for (size_t i = 0; i < good.size(); ++i)
        for (int bit = 0; bit < 8; ++bit) {
            Bytes flipped = good;
            flipped[i] ^= uint8_t(1 << bit);
            CHECK_MESSAGE(refused(flipped), "byte " << i << " bit " << bit);
        }
    for (size_t n = 0; n < good.size(); ++n)
        CHECK(refused(ByteSpan(good.data(), n)));
}

// The record's bytes with their CRC made right again after an edit.
void fix_crc(Bytes& b)
{
    const uint32_t crc = uint32_t(::crc32(::crc32(0, nullptr, 0), b.data(), uInt(b.size() - 4)));
    store_le32(b.data() + b.size() - 4, crc);
}

long dead_pid()
{
    const pid_t child = ::fork();
    if (child == 0)
        ::_exit(0);
    int status = 0;
    ::waitpid(child, &status, 0);
    return long(child);
}

NewCkdVolume small_ckd()
{
    const CkdGeometry& g = geometry("3380");
    NewCkdVolume s;
    s.devtype_byte = g.devtype_byte;
    s.cylinders = 3;
    s.heads = g.heads;
    s.track_size = g.track_size;
    return s;
}

} // namespace

TEST_CASE("resume record: round trip, in place and new image, and its exact fixed bytes")
{
    const ResumeRecord r = new_image_record();
    const Bytes b = r.encode();
    REQUIRE(b.size() == ResumeRecord::kFixedSize + 2 + r.temporaries[0].size() + 4);
    CHECK(std::string(b.begin(), b.begin() + 8) == "DDRRESUM");
    CHECK(load_le16(b.data() + 8) == 1);
    CHECK(b[10] == 2);
    CHECK(load_le32(b.data() + 12) == b.size());
    CHECK(load_le64(b.data() + 16) == r.dump_tod);
    CHECK(std::string(b.begin() + 24, b.begin() + 30) == "VOLA01");
    CHECK(load_le64(b.data() + 40) == 1234);
    auto back = ResumeRecord::decode(b);
    REQUIRE(std::holds_alternative<ResumeRecord>(back));
    CHECK(std::get<ResumeRecord>(back) == r);

    ResumeRecord in_place;
    in_place.fba = true;
    in_place.dump_volser = "AB";
    auto back2 = ResumeRecord::decode(in_place.encode());
    REQUIRE(std::holds_alternative<ResumeRecord>(back2));
    CHECK(std::get<ResumeRecord>(back2) == in_place);
    CHECK(std::get<ResumeRecord>(back2).dump_volser == "AB");
}

TEST_CASE("resume record: every flipped bit, every truncation and any extra byte is refused")
{
    const Bytes good = new_image_record().encode();
    check_every_flip_and_cut_refused(good);
    Bytes longer = good;
    longer.push_back(0);
    CHECK(refused(longer));
}

TEST_CASE("resume record: well-formed but unacceptable contents are refused, CRC or not")
{
    SUBCASE("version 2")
    {
        Bytes b = new_image_record().encode();
        store_le16(b.data() + 8, 2);
        fix_crc(b);
        CHECK(std::get<std::string>(ResumeRecord::decode(b)).find("version 2") != std::string::npos);
    }
    SUBCASE("unknown kind, reserved bits")
    {
        Bytes b = new_image_record().encode();
        b[10] = 9;
        fix_crc(b);
        CHECK(refused(b));
        b = new_image_record().encode();
        b[11] |= 0x80;
        fix_crc(b);
        CHECK(refused(b));
    }
    SUBCASE("names that leave the folder or hide bytes")
    {
        const std::vector<std::string> bad_names = {"../x", "a/b", "..", ".", "", std::string("a\0b", 3), std::string(256, 'x')};
        for (const std::string& bad : bad_names) {
            ResumeRecord r = new_image_record();
            r.temporaries = {bad};
            CHECK(refused(r.encode()));
        }
    }
    SUBCASE("temporaries that do not fit the kind, or too many")
    {
        ResumeRecord r = new_image_record();
        r.temporaries.clear();
        CHECK(refused(r.encode()));
        r.kind = ResumeKind::RestoreInPlace;
        r.temporaries = {"a"};
        CHECK(refused(r.encode()));
        r.kind = ResumeKind::RestoreNewImage;
        r.temporaries.assign(28, "a");
        CHECK(refused(r.encode()));
    }
    SUBCASE("a name length running past the end")
    {
        Bytes b = new_image_record().encode();
        store_le16(b.data() + ResumeRecord::kFixedSize, 0xFFFF);
        fix_crc(b);
        CHECK(refused(b));
    }
}

TEST_CASE("resume record files: written atomically, read back, damaged ones refused naming the file")
{
    TempDir dir;
    const std::string path = resume_record_name(dir.file("t.3390"));
    CHECK(path == dir.file("t.3390.ddr-resume"));
    CHECK_FALSE(read_resume_record(path).has_value());
    write_resume_record(path, new_image_record());
    ResumeRecord later = new_image_record();
    later.units_done = 5000;
    write_resume_record(path, later);
    CHECK(names_in(dir.path()) == std::vector<std::string>{"t.3390.ddr-resume"});
    CHECK(read_resume_record(path)->units_done == 5000);

    Bytes b = read_file(path);
    b[20] ^= 1;
    write_file(path, b);
    CHECK_ERROR(read_resume_record(path), ErrorKind::Unreadable, "CRC-32");
    write_file(path, Bytes(ResumeRecord::kMaxSize + 1, 0));
    CHECK_ERROR(read_resume_record(path), ErrorKind::Unreadable, "t.3390.ddr-resume");
    remove_resume_record(path);
    CHECK_FALSE(fs::exists(path));
    remove_resume_record(path);  // nothing there: nothing happens
}

TEST_CASE("the cleanup of stale temporaries spares those a resume record names, and all of a damaged record's target")
{
    TempDir dir;
    const std::string gone = std::to_string(dead_pid());
    const std::string named = ".t.3390.ddr-tmp." + gone + ".a1b2c3", other = ".u.3390.ddr-tmp." + gone + ".a1b2c4",
                      damaged_target = ".w.3390.ddr-tmp." + gone + ".a1b2c5";
    for (const std::string& n : {named, other, damaged_target})
        write_file(dir.file(n), Bytes{1});
    ResumeRecord r = new_image_record();
    r.temporaries = {named};
    write_resume_record(dir.file("t.3390.ddr-resume"), r);
    write_file(dir.file("w.3390.ddr-resume"), Bytes(80, 7));
    const std::vector<StaleTemporary> removed = remove_stale_temporaries(dir.file("x"));
    REQUIRE(removed.size() == 1);
    CHECK(fs::path(removed[0].path).filename() == other);
    CHECK(fs::exists(dir.file(named)));
    CHECK(fs::exists(dir.file(damaged_target)));
}

TEST_CASE("a new CKD image taken up after a crash, with garbage past its frontier, ends equal to an uninterrupted one")
{
    TempDir dir;
    std::mt19937 rng(11);
    std::vector<TrackImage> tracks;
    for (uint32_t i = 0; i < 3 * 15; i += 2)
        tracks.push_back(random_track({i / 15, i % 15}, rng, 47616));
    {
        auto w = create_ckd_volume(dir.file("ref.3380"), small_ckd());
        for (const TrackImage& t : tracks)
            w->write_track(t.home_address(false), t);
        w->commit();
    }
    std::vector<std::string> temps;
    uint64_t frontier = 0;
    {
        auto w = create_ckd_volume(dir.file("t.3380"), small_ckd());
        REQUIRE(w->resumable());
        for (size_t i = 0; i < 10; ++i)
            w->write_track(tracks[i].home_address(false), tracks[i]);
        frontier = w->sync_written();
        CHECK(frontier == 19);  // tracks 0, 2, ..., 18 written, the gaps filled
        for (size_t i = 10; i < 14; ++i)  // written after the record: half on disk at the crash
            w->write_track(tracks[i].home_address(false), tracks[i]);
        w->sync_written();
        temps = w->temporary_files();
        w->keep_unfinished();
    }
    REQUIRE(temps.size() == 1);
    REQUIRE(fs::exists(temps[0]));
    CHECK_FALSE(fs::exists(dir.file("t.3380")));
    {
        auto w = resume_ckd_volume(dir.file("t.3380"), temps, frontier);
        auto check = checking_sink_of(*w);
        for (size_t i = 0; i < 10; ++i) {
            Bytes bytes = tracks[i].bytes;
            check->write(uint32_t(tracks[i].home_address(false).cyl << 16 | tracks[i].home_address(false).head), 1,
                         bytes, file_place("tape"));
        }
        Bytes changed = tracks[3].bytes;
        changed[changed.size() / 2] ^= 1;
        CHECK_ERROR(check->write(uint32_t(tracks[3].home_address(false).cyl << 16 | tracks[3].home_address(false).head),
                                 1, changed, file_place("tape")),
                    ErrorKind::Refused, "changed since");
        for (size_t i = 10; i < tracks.size(); ++i)
            w->write_track(tracks[i].home_address(false), tracks[i]);
        w->commit();
    }
    CHECK(read_file(dir.file("t.3380")) == read_file(dir.file("ref.3380")));
    CHECK_FALSE(fs::exists(temps[0]));
}

TEST_CASE("resume_*_volume refuse a taken name, a file another process holds, and files that are no image")
{
    TempDir dir;
    std::vector<std::string> temps;
    {
        auto w = create_ckd_volume(dir.file("t.3380"), small_ckd());
        temps = w->temporary_files();
        w->keep_unfinished();
    }
    {
        auto first = resume_ckd_volume(dir.file("t.3380"), temps, 0);
        CHECK_ERROR(resume_ckd_volume(dir.file("t.3380"), temps, 0), ErrorKind::Refused, "another process holds it");
        first->keep_unfinished();
    }
    REQUIRE(fs::exists(temps[0]));
    CHECK_ERROR(resume_ckd_volume(dir.file("t.3380"), temps, 3 * 15 + 1), ErrorKind::Unreadable, "fewer than");
    write_file(dir.file("t.3380"), Bytes{1});
    CHECK_ERROR(resume_ckd_volume(dir.file("t.3380"), temps, 0), ErrorKind::Refused, "already exists");
    write_file(dir.file("junk"), Bytes(1000, 0));
    CHECK_ERROR(resume_ckd_volume(dir.file("u.3380"), {dir.file("junk")}, 0), ErrorKind::Unreadable,
                "not the start of a plain CKD image");
    CHECK(read_file(dir.file("junk")) == Bytes(1000, 0));  // refused, and left as it was
    CHECK_ERROR(resume_fba_volume(dir.file("u.fba"), dir.file("junk")), ErrorKind::Unreadable, "whole 512-byte blocks");
    CHECK(fs::exists(dir.file("junk")));
}

TEST_CASE("a split CKD set restored in place, stopped after a sync and taken up again, ends equal to an uninterrupted one")
{
    TempDir dir;
    NewCkdVolume spec = small_ckd();
    spec.cylinders_per_file = 2;  // two files: cylinders 0-1 and 2
    std::mt19937 rng(5);
    std::vector<TrackImage> tracks;
    for (uint32_t i = 0; i < 3 * 15; i += 3)
        tracks.push_back(random_track({i / 15, i % 15}, rng, 47616));
    for (const char* name : {"ref.3380", "t.3380"})
        create_ckd_volume(dir.file(name), spec)->commit();
    const std::string ref = dir.file("ref_1.3380"), target = dir.file("t_1.3380");
    {
        auto w = update_ckd_volume(ref);
        for (const TrackImage& t : tracks)
            w->write_track(t.home_address(false), t);
        w->commit();
    }
    const size_t synced = 12;  // into the second file
    {
        auto w = update_ckd_volume(target);
        REQUIRE(w->resumable());
        for (size_t i = 0; i < synced; ++i)
            w->write_track(tracks[i].home_address(false), tracks[i]);
        CHECK(w->sync_written() == 0);  // an update has no frontier
        CHECK(w->temporary_files().empty());
    }  // gone without commit: the set stays busy
    CHECK(fs::exists(busy_image_name(target)));
    {
        auto w = update_ckd_volume(target);
        auto check = checking_sink_of(*w);
        for (size_t i = 0; i < synced; ++i) {
            const TrackAddress a = tracks[i].home_address(false);
            Bytes bytes = tracks[i].bytes;
            check->write(a.cyl << 16 | a.head, 1, bytes, file_place("tape"));
        }
        for (size_t i = synced; i < tracks.size(); ++i)
            w->write_track(tracks[i].home_address(false), tracks[i]);
        w->commit();
    }
    CHECK(read_file(target) == read_file(ref));
    CHECK(read_file(dir.file("t_2.3380")) == read_file(dir.file("ref_2.3380")));
}

TEST_CASE("dump resume record: its exact bytes, round trip, and every damage refused")
{
    const ResumeRecord r = dump_record();
    const Bytes b = r.encode();
    const std::string temp = r.temporaries[0];
    REQUIRE(b.size() == ResumeRecord::kFixedSize + 2 + temp.size() + 2 + r.source.size() + 4);
    CHECK(std::string(b.begin(), b.begin() + 8) == "DDRRESUM");
    CHECK(load_le16(b.data() + 8) == 1);
    CHECK(b[10] == 3);
    CHECK(b[11] == 0x01);
    CHECK(load_le32(b.data() + 12) == b.size());
    CHECK(load_le64(b.data() + 16) == r.dump_tod);
    CHECK(std::string(b.begin() + 24, b.begin() + 32) == std::string("FBAA01\0\0", 8));
    CHECK(load_le32(b.data() + 32) == 1);
    CHECK(load_le32(b.data() + 36) == 1);
    CHECK(load_le64(b.data() + 40) == 77);
    CHECK(load_le64(b.data() + 48) == 654321);
    CHECK(load_le64(b.data() + 56) == 0x0102030405060708ull);
    size_t at = ResumeRecord::kFixedSize;
    CHECK(load_le16(b.data() + at) == temp.size());
    CHECK(std::string(b.begin() + std::ptrdiff_t(at + 2), b.begin() + std::ptrdiff_t(at + 2 + temp.size())) == temp);
    at += 2 + temp.size();
    CHECK(load_le16(b.data() + at) == r.source.size());
    CHECK(std::string(b.begin() + std::ptrdiff_t(at + 2), b.end() - 4) == r.source);
    CHECK(load_le32(b.data() + b.size() - 4) == uint32_t(::crc32(::crc32(0, nullptr, 0), b.data(), uInt(b.size() - 4))));
    auto back = ResumeRecord::decode(b);
    REQUIRE(std::holds_alternative<ResumeRecord>(back));
    CHECK(std::get<ResumeRecord>(back) == r);

    check_every_flip_and_cut_refused(b);
}

TEST_CASE("dump resume record: temporaries that fit its reels and a source path, nothing else, are accepted")
{
    ResumeRecord r = dump_record();
    r.temporaries.clear();
    CHECK(refused(r.encode()));
    r.temporaries = {"a", "b"};
    CHECK(refused(r.encode()));
    for (const std::string& bad : {std::string(), std::string("a\0b", 3), std::string(4097, 'x')}) {
        r = dump_record();
        r.source = bad;
        CHECK(refused(r.encode()));
    }
    r = dump_record();
    r.source = std::string(4096, 'x');
    CHECK_FALSE(refused(r.encode()));
    // A restore's record has no source: the bytes a dump's would add are refused there.
    ResumeRecord restore = new_image_record();
    restore.source = "/vols/c.fba";
    CHECK(refused(restore.encode()) == false);  // encode() leaves it out for a restore
    CHECK(std::get<ResumeRecord>(ResumeRecord::decode(restore.encode())).source.empty());
    Bytes with_source = new_image_record().encode();
    with_source.insert(with_source.end() - 4, {1, 0, 'x'});
    store_le32(with_source.data() + 12, uint32_t(with_source.size()));
    fix_crc(with_source);
    CHECK(refused(with_source));
}

TEST_CASE("dump resume record over reels and --mirror sets: tape sets at byte 30, ended reels' lengths after the source")
{
    ResumeRecord r = dump_record();
    r.tape_sets = 2;
    r.temporaries = {".r1.ddr-tmp.9.a", ".r2.ddr-tmp.9.b", ".r3.ddr-tmp.9.c",
                     ".m1.ddr-tmp.9.d", ".m2.ddr-tmp.9.e", ".m3.ddr-tmp.9.f"};
    r.reel_lengths = {0x0102030405060708ull, 1484341};
    const Bytes b = r.encode();
    size_t names = 0;
    for (const std::string& t : r.temporaries)
        names += 2 + t.size();
    REQUIRE(b.size() == ResumeRecord::kFixedSize + names + 2 + r.source.size() + 2 * 8 + 4);
    CHECK(b[30] == 1);  // one set beyond the first
    CHECK(b[31] == 0);
    CHECK(std::string(b.begin() + 24, b.begin() + 30) == "FBAA01");
    CHECK(load_le32(b.data() + 36) == 6);
    const size_t lengths = b.size() - 4 - 16;
    CHECK(load_le16(b.data() + lengths - 2 - r.source.size()) == r.source.size());
    CHECK(std::equal(b.begin() + std::ptrdiff_t(lengths),
                     b.begin() + std::ptrdiff_t(lengths + 8), Bytes{8, 7, 6, 5, 4, 3, 2, 1}.begin()));
    CHECK(load_le64(b.data() + lengths + 8) == 1484341);
    auto back = ResumeRecord::decode(b);
    REQUIRE(std::holds_alternative<ResumeRecord>(back));
    CHECK(std::get<ResumeRecord>(back) == r);
    check_every_flip_and_cut_refused(b);

    // One set, one reel: the bytes a one-file dump's record always had (no lengths, byte 30 zero).
    const Bytes one = dump_record().encode();
    CHECK(one[30] == 0);
    CHECK(std::get<ResumeRecord>(ResumeRecord::decode(one)).tape_sets == 1);
    CHECK(std::get<ResumeRecord>(ResumeRecord::decode(one)).reel_lengths.empty());
}

TEST_CASE("dump resume record over reels: counts that do not fit the sets, or lengths that do not fit the reels, are refused")
{
    auto with = [](uint32_t sets, size_t temps, size_t lengths) {
        ResumeRecord r = dump_record();
        r.tape_sets = sets;
        r.temporaries.clear();
        for (size_t i = 0; i < temps; ++i)
            r.temporaries.push_back(".t" + std::to_string(i) + ".ddr-tmp.1.x");
        r.reel_lengths.assign(lengths, 1000);
        return r.encode();
    };
    CHECK_FALSE(refused(with(2, 6, 2)));
    CHECK_FALSE(refused(with(1, 3, 2)));
    CHECK_FALSE(refused(with(3, 3, 0)));
    CHECK_FALSE(refused(with(1, ResumeRecord::kMaxDumpTemporaries, ResumeRecord::kMaxDumpTemporaries - 1)));
    CHECK(refused(with(2, 5, 1)));   // not as many reels in each set
    CHECK(refused(with(2, 6, 1)));   // a length missing
    CHECK(refused(with(2, 6, 3)));   // one too many
    CHECK(refused(with(1, 1, 1)));   // a one-reel dump has no ended reel
    CHECK(refused(with(2, 0, 0)));
    CHECK(refused(with(1, ResumeRecord::kMaxDumpTemporaries + 1, ResumeRecord::kMaxDumpTemporaries)));
    // A restore's byte 30 stays reserved.
    Bytes restore = new_image_record().encode();
    restore[30] = 1;
    fix_crc(restore);
    CHECK(refused(restore));
}

TEST_CASE("a tape file continued after a crash: the recorded part compared, garbage cut, the rest written")
{
    TempDir dir;
    const std::string path = dir.file("t.aws");
    Bytes all(300000);
    std::mt19937 gen(5);
    for (uint8_t& x : all)
        x = uint8_t(gen());
    std::string temp;
    uint64_t synced = 0;
    {
        auto first = tapeio::TapeOutput::create_file(path, false);
        first.write(ByteSpan(all.data(), 120000));
        synced = first.sync();
        first.write(Bytes(5000, 0xEE));  // written after the record: garbage to cut back
        first.sync();
        temp = first.temporary_path();
        first.keep_unfinished();
    }
    REQUIRE(synced == 120000);
    REQUIRE(fs::exists(temp));
    CHECK_FALSE(fs::exists(path));

    SUBCASE("the same bytes again: the tape comes out whole")
    {
        auto again = tapeio::TapeOutput::resume_file(path, temp, synced, false);
        CHECK(fs::file_size(temp) == synced);
        for (size_t at = 0; at < all.size(); at += 7000)
            again.write(ByteSpan(all.data() + at, std::min<size_t>(7000, all.size() - at)));
        again.finish();
        CHECK(read_file(path) == all);
        CHECK_FALSE(fs::exists(temp));
    }
    SUBCASE("other bytes in the recorded part: ResumeMismatch at the first that differs")
    {
        Bytes changed = all;
        changed[90001] ^= 0x40;
        {
            auto again = tapeio::TapeOutput::resume_file(path, temp, synced, false);
            again.write(ByteSpan(changed.data(), 100000));  // held: the writer may still back up
            try {
                again.settle();
                FAIL("no mismatch found");
            } catch (const ResumeMismatch& m) {
                CHECK(m.place().offset == 90001);
                CHECK(m.place().file == temp);
            }
            CHECK_THROWS_AS(again.sync(), ResumeMismatch);
            CHECK_THROWS_AS(again.finish(), ResumeMismatch);
        }
        CHECK_FALSE(fs::exists(path));
        CHECK_FALSE(fs::exists(temp));  // abandoned: the writer removes it
    }
    SUBCASE("a difference held by a writer that is then moved is still thrown")
    {
        Bytes changed = all;
        changed[90001] ^= 0x40;
        auto again = tapeio::TapeOutput::resume_file(path, temp, synced, false);
        again.write(ByteSpan(changed.data(), 100000));
        tapeio::TapeOutput moved(std::move(again));
        moved.write(ByteSpan(changed.data() + 100000, 20000));
        CHECK_THROWS_AS(moved.settle(), ResumeMismatch);
        CHECK_THROWS_AS(moved.finish(), ResumeMismatch);
        CHECK_FALSE(fs::exists(path));
    }
    SUBCASE("backing up over a difference forgets it; the bytes are compared again as written again")
    {
        Bytes changed = all;
        changed[110001] ^= 0x40;
        auto again = tapeio::TapeOutput::resume_file(path, temp, synced, false);
        again.write(ByteSpan(all.data(), 100000));
        again.write(ByteSpan(changed.data() + 100000, 15000));  // differs at 110001
        again.truncate(110002);  // not back far enough: still held
        CHECK_THROWS_AS(again.settle(), ResumeMismatch);
        again.truncate(100000);
        CHECK(again.position() == 100000);
        again.settle();
        // Past the compared part, then backed up into it: the part past it is cut off again.
        again.write(ByteSpan(all.data() + 100000, 30000));
        again.truncate(110000);
        again.write(ByteSpan(changed.data() + 110000, 10));
        CHECK_THROWS_AS(again.settle(), ResumeMismatch);
        again.truncate(110000);
        again.write(ByteSpan(all.data() + 110000, all.size() - 110000));
        again.finish();
        CHECK(read_file(path) == all);
    }
    SUBCASE("a tape written again that ends inside the recorded part is a mismatch there, and is not made")
    {
        {
            auto again = tapeio::TapeOutput::resume_file(path, temp, synced, false);
            again.write(ByteSpan(all.data(), 100000));
            try {
                again.finish();
                FAIL("finished short");
            } catch (const ResumeMismatch& m) {
                CHECK(m.place().offset == 100000);
            }
        }
        CHECK_FALSE(fs::exists(path));
    }
    SUBCASE("a file shorter than its record is refused")
    {
        CHECK_ERROR(tapeio::TapeOutput::resume_file(path, temp, synced + 5001, false), ErrorKind::Unreadable,
                    "interrupted run recorded");
        CHECK(fs::file_size(temp) == synced + 5000);
    }
}
