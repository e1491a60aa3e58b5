// Hercules plain CKD images: headers, names of multi-file sets, reading, creating and
// updating, checked byte for byte against the spec and against dasdinit/dasdcopy.
#include "formats/volume/ckd_image.hpp"
#include "formats/volume/volume.hpp"
#include "formats/volume/volume_label.hpp"
#include "tests/unit/volume_testing.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <sys/stat.h>
#include <thread>
#include <vector>

using namespace ddr;
using namespace ddr::test;
namespace fs = std::filesystem;

namespace {

// A 512-byte device header built by hand from the spec (ddrimage(5)), independent of
// DeviceHeader::encode.
Bytes header_bytes(const char* magic, uint32_t heads, uint32_t trksize, uint8_t dev, uint8_t seq, uint16_t highcyl)
{
    Bytes h(512, 0);
    std::memcpy(h.data(), magic, 8);
    h[8] = uint8_t(heads);
    h[9] = uint8_t(heads >> 8);
    h[10] = uint8_t(heads >> 16);
    h[11] = uint8_t(heads >> 24);
    h[12] = uint8_t(trksize);
    h[13] = uint8_t(trksize >> 8);
    h[14] = uint8_t(trksize >> 16);
    h[15] = uint8_t(trksize >> 24);
    h[16] = dev;
    h[17] = seq;
    h[18] = uint8_t(highcyl);
    h[19] = uint8_t(highcyl >> 8);
    return h;
}

// The 29-byte empty track dasdinit writes (ddrimage(5)), built by hand.
Bytes fmt1_track(uint32_t cyl, uint32_t head)
{
    Bytes t = {0,    uint8_t(cyl >> 8), uint8_t(cyl), uint8_t(head >> 8), uint8_t(head),
               uint8_t(cyl >> 8), uint8_t(cyl), uint8_t(head >> 8), uint8_t(head), 0, 0, 0, 8};
    t.resize(t.size() + 8, 0);
    t.resize(t.size() + 8, 0xFF);
    return t;
}

// The expected bytes of one image file: header, then every slot holding the given
// track (or an FMT1 empty track), zero padded.
Bytes expected_file(const Bytes& header, uint32_t heads, uint32_t trksize, uint32_t first_cyl, uint32_t cyls,
                    const std::map<std::pair<uint32_t, uint32_t>, TrackImage>& tracks)
{
    Bytes out = header;
    for (uint32_t c = first_cyl; c < first_cyl + cyls; ++c) {
        for (uint32_t h = 0; h < heads; ++h) {
            auto it = tracks.find({c, h});
            Bytes slot = it != tracks.end() ? it->second.bytes : fmt1_track(c, h);
            slot.resize(trksize, 0);
            out.insert(out.end(), slot.begin(), slot.end());
        }
    }
    return out;
}

void write_bytes_at(const std::string& path, uint64_t offset, ByteSpan bytes)
{
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    REQUIRE(f);
    f.seekp(std::streamoff(offset));
    f.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    REQUIRE(f);
}

NewCkdVolume spec_for(const CkdGeometry& g, uint32_t cylinders, uint32_t per_file = 0)
{
    NewCkdVolume s;
    s.devtype_byte = g.devtype_byte;
    s.cylinders = cylinders;
    s.heads = g.heads;
    s.track_size = g.track_size;
    s.cylinders_per_file = per_file;
    return s;
}

size_t files_in(const TempDir& dir)
{
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path()))
        ++n;
    return n;
}

} // namespace

TEST_CASE("CKD header: the bytes of ddrimage(5), both ways")
{
    DeviceHeader h;
    std::memcpy(h.magic.data(), "CKD_P370", 8);
    h.heads = 15;
    h.track_size = 56832;
    h.devtype_byte = 0x90;
    auto raw = h.encode();
    CHECK(Bytes(raw.begin(), raw.end()) == header_bytes("CKD_P370", 15, 56832, 0x90, 0, 0));
    // Split part 1 of a 3390-3: "…9001 d609…".
    h.file_sequence = 1;
    h.last_cylinder = 2518;
    raw = h.encode();
    CHECK(raw[16] == 0x90);
    CHECK(raw[17] == 0x01);
    CHECK(raw[18] == 0xD6);
    CHECK(raw[19] == 0x09);
    DeviceHeader back = DeviceHeader::decode(raw.data());
    CHECK(back.magic_text() == "CKD_P370");
    CHECK(back.heads == 15);
    CHECK(back.track_size == 56832);
    CHECK(back.devtype_byte == 0x90);
    CHECK(back.file_sequence == 1);
    CHECK(back.last_cylinder == 2518);
}

TEST_CASE("CKD split: default cylinders per file and file names (ddrimage(5))")
{
    CHECK(default_cylinders_per_file(15, 56832) == 2519);  // 3390
    CHECK(default_cylinders_per_file(15, 47616) == 3006);  // 3380
    CHECK(default_cylinders_per_file(15, 46592) == 3072);  // 9345
    CHECK(default_cylinders_per_file(10, 4096) == 52428);  // 2311
    CHECK(default_cylinders_per_file(0, 4096) == 0);

    CHECK(ckd_split_file_names("split3390.3390", 2) == std::vector<std::string>{"split3390_1.3390", "split3390_2.3390"});
    CHECK(ckd_split_file_names("vol.3390", 1) == std::vector<std::string>{"vol.3390"});
    CHECK(ckd_split_file_names("/a.b/vol", 2) == std::vector<std::string>{"/a.b/vol_1", "/a.b/vol_2"});
    CHECK(ckd_split_file_names("vol_1.3390", 2) == std::vector<std::string>{"vol_1.3390", "vol_2.3390"});
    CHECK(ckd_split_file_names("vol_x.3390", 2) == std::vector<std::string>{"vol_1.3390", "vol_2.3390"});
    CHECK(ckd_split_file_names("dir/vol.tar.ckd", 2) == std::vector<std::string>{"dir/vol_1.tar.ckd", "dir/vol_2.tar.ckd"});
    CHECK(ckd_split_file_names("dir/.hidden.3390", 2) ==
          std::vector<std::string>{"dir/.hidden_1.3390", "dir/.hidden_2.3390"});
    auto many = ckd_split_file_names("v.3390", 27);
    REQUIRE(many.size() == 27);
    CHECK(many[8] == "v_9.3390");
    CHECK(many[9] == "v_A.3390");  // file 10
    CHECK(many[26] == "v_R.3390"); // file 27, the last
    CHECK(ckd_sequence_char(10) == 'A');
    CHECK_ERROR(ckd_sequence_char(28), ErrorKind::Internal, "28");
    CHECK_ERROR(ckd_split_file_names("v.3390", 28), ErrorKind::Internal, "27");

    CHECK(ckd_member_name("/x.y/split_1.3390", 3) == "/x.y/split_3.3390");
    CHECK(ckd_member_name("vol_1", 2) == "vol_2");
    CHECK(ckd_sequence_position("dir/vol_1.3390") == 8);
}

TEST_CASE("CKD create: an image without track 0 written is dasdinit -r, byte for byte")
{
    TempDir dir;
    for (const char* type : {"3330", "3390", "2305-2"}) {
        const CkdGeometry& g = geometry(type);
        std::string ours = dir.file(std::string("ours-") + type);
        std::string theirs = dir.file(std::string("raw-") + type);
        REQUIRE(run_in(dir, std::string("dasdinit -r raw-") + type + " " + type + " 3") == 0);
        auto w = create_ckd_volume(ours, spec_for(g, 3));
        w->commit();
        CHECK(read_file(ours) == read_file(theirs));
    }
}

TEST_CASE("CKD create: round trip of random tracks, in and out of order, against independently built bytes")
{
    TempDir dir;
    std::mt19937 rng(1234);
    const CkdGeometry& g = geometry("3350");
    std::map<std::pair<uint32_t, uint32_t>, TrackImage> tracks;
    std::string path = dir.file("r.3350");
    auto w = create_ckd_volume(path, spec_for(g, 4));
    CHECK(w->info().tracks() == 4 * 30);
    // Ascending with gaps, then some earlier tracks again (one shorter than before, so
    // stale bytes would show), then one beyond the current end.
    std::vector<TrackAddress> order = {{0, 0}, {0, 1}, {0, 5}, {1, 0}, {1, 1}, {2, 29}, {0, 1}, {0, 3}, {1, 0}, {3, 7}};
    for (TrackAddress a : order) {
        TrackImage t = random_track(a, rng, g.track_size);
        if (a == TrackAddress{1, 0} && tracks.count({1, 0}))
            t = TrackImage::empty(a);  // much shorter than the first version
        w->write_track(a, t);
        tracks[{a.cyl, a.head}] = t;
        TrackImage back;
        w->read_track(a, back);  // reads work while writing
        CHECK(back.bytes == t.bytes);
    }
    TrackImage unwritten;
    w->read_track({3, 20}, unwritten);
    CHECK(unwritten.bytes == fmt1_track(3, 20));
    w->read_track({2, 3}, unwritten);
    CHECK(unwritten.bytes == fmt1_track(2, 3));
    CHECK(fs::exists(path) == false);  // not visible before commit
    w->commit();
    CHECK(read_file(path) == expected_file(header_bytes("CKD_P370", 30, 19456, 0x50, 0, 0), 30, 19456, 0, 4, tracks));

    auto r = open_ckd_volume(path);
    CHECK(r->info().format == "CKD_P370");
    CHECK(r->info().cylinders == 4);
    CHECK(r->info().heads == 30);
    CHECK(r->info().track_size == 19456);
    CHECK(r->info().devtype_byte == 0x50);
    CHECK(r->info().files == std::vector<std::string>{path});
    CHECK(r->info().bytes == 512 + 4ull * 30 * 19456);
    TrackImage t;
    for (uint32_t c = 0; c < 4; ++c) {
        for (uint32_t h = 0; h < 30; ++h) {
            r->read_track({c, h}, t);
            auto it = tracks.find({c, h});
            CHECK(t.bytes == (it != tracks.end() ? it->second.bytes : fmt1_track(c, h)));
        }
    }
    CHECK(files_in(dir) == 1);
}

// A track at `addr` whose records of random bytes fill its slot of `slot_size` bytes but
// for the last few bytes: a dense volume's track, written mostly through direct writes.
TrackImage full_track(TrackAddress addr, std::mt19937& rng, size_t slot_size)
{
    TrackImage t;
    uint8_t count[kCountSize];
    start_with_r0(t, addr, count);
    size_t used = kHomeAddressSize + kCountSize + 8 + kEndOfTrackSize;
    for (uint8_t r = 1; used + kCountSize + 64 < slot_size; ++r) {
        const size_t dl = std::min<size_t>(4096, slot_size - used - kCountSize - 3);
        count[4] = r;
        store_be16(count + 6, uint16_t(dl));
        Bytes data(dl);
        for (auto& b : data)
            b = uint8_t(rng());
        t.add_record(count, {}, data);
        used += kCountSize + dl;
    }
    t.finish();
    return t;
}

TEST_CASE("CKD create: a dense volume over several write buffers and files, rewrites included, byte for byte")
{
    // The writer sends the whole pages of a run past the page cache and the pages at its
    // ends through the page cache; slots are not page-aligned, so every seam between the
    // two (and between runs, buffers and files) must come out exact.
    TempDir dir;
    std::mt19937 rng(99);
    const CkdGeometry& g = geometry("3390");
    const std::string path = dir.file("dense.3390");
    // 2 files of 10 and 2 cylinders: the 4 MiB buffer holds 73 slots, so the one that
    // starts at slot 146 of file 1 starts mid-page.
    auto w = create_ckd_volume(path, spec_for(g, 12, 10));
    std::map<std::pair<uint32_t, uint32_t>, TrackImage> tracks;
    const auto put = [&](TrackAddress a, const TrackImage& t) {
        w->write_track(a, t);
        tracks[{a.cyl, a.head}] = t;
    };
    for (uint32_t c = 0; c < 12; ++c) {
        for (uint32_t h = 0; h < 15; ++h) {
            if (c == 6 && h > 2 && h < 9)
                continue;  // a gap: empty tracks the writer fills in
            put({c, h}, (c * 15 + h) % 40 == 3 ? random_track({c, h}, rng, 2000) : full_track({c, h}, rng, g.track_size));
        }
    }
    put({1, 4}, one_record_track({1, 4}, 100));  // earlier tracks again, shorter: no stale bytes
    put({7, 0}, full_track({7, 0}, rng, g.track_size));
    put({4, 14}, TrackImage::empty({4, 14}));
    w->commit();
    CHECK(read_file(dir.file("dense_1.3390")) ==
          expected_file(header_bytes("CKD_P370", 15, 56832, 0x90, 1, 9), 15, 56832, 0, 10, tracks));
    CHECK(read_file(dir.file("dense_2.3390")) ==
          expected_file(header_bytes("CKD_P370", 15, 56832, 0x90, 2, 0), 15, 56832, 10, 2, tracks));
}

TEST_CASE("CKD create: kept unfinished (an interrupted restore), nothing more is written through its descriptors")
{
    // keep_unfinished() closes the image's files.  Buffers still queued for the writer
    // thread must not be written after that: a descriptor number, once closed, is the next
    // file's that is opened, and the thread would write image bytes into that file.
    TempDir dir;
    std::mt19937 rng(7);
    const CkdGeometry& g = geometry("3390");
    // Made first, so that buffers are filled faster than the thread writes them out.
    std::vector<TrackImage> tracks;
    for (uint32_t c = 0; c < 40; ++c)
        for (uint32_t h = 0; h < 15; ++h)
            tracks.push_back(full_track({c, h}, rng, g.track_size));
    auto w = create_ckd_volume(dir.file("kept.3390"), spec_for(g, 40));
    for (uint32_t c = 0; c < 40; ++c)
        for (uint32_t h = 0; h < 15; ++h)
            w->write_track({c, h}, tracks[c * 15 + h]);
    w->keep_unfinished();
    // The lowest free descriptors, which include those just closed.
    std::vector<UniqueFd> others;
    for (int i = 0; i < 16; ++i)
        others.emplace_back(::open(dir.file("other" + std::to_string(i)).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // time for a writer still at work
    w.reset();
    for (int i = 0; i < 16; ++i)
        CHECK(fs::file_size(dir.file("other" + std::to_string(i))) == 0);
}

TEST_CASE("CKD create: a 3390-3 splits into two files as dasdinit makes them")
{
    // ddrimage(5): split3390_1.3390 (cylinders 0-2518, seq 1, highcyl 2518) and
    // split3390_2.3390 (seq 2, highcyl 0).  Checked on the files being built, then
    // abandoned, so nothing 2.8 GB large is ever written.
    TempDir dir;
    const CkdGeometry& g = geometry("3390");
    std::string path = dir.file("split3390.3390");
    uint32_t per_file = default_cylinders_per_file(g.heads, g.track_size);
    {
        auto w = create_ckd_volume(path, spec_for(g, 3339, per_file));
        CHECK(w->info().files == std::vector<std::string>{dir.file("split3390_1.3390"), dir.file("split3390_2.3390")});
        CHECK(w->info().bytes == 2846431232u + 512);
        std::map<std::string, uint64_t> sizes;
        for (const auto& e : fs::directory_iterator(dir.path())) {
            std::string name = e.path().filename().string();
            Bytes h(512);
            std::ifstream(e.path(), std::ios::binary).read(reinterpret_cast<char*>(h.data()), 512);
            if (name.rfind(".split3390_1.3390.ddr-tmp.", 0) == 0) {
                CHECK(h == header_bytes("CKD_P370", 15, 56832, 0x90, 1, 2518));
                sizes["1"] = e.file_size();
            } else if (name.rfind(".split3390_2.3390.ddr-tmp.", 0) == 0) {
                CHECK(h == header_bytes("CKD_P370", 15, 56832, 0x90, 2, 0));
                sizes["2"] = e.file_size();
            }
        }
        CHECK(sizes == std::map<std::string, uint64_t>{{"1", 2147397632u}, {"2", 699034112u}});
        TrackImage t;
        w->read_track({3338, 14}, t);
        CHECK(t.bytes == fmt1_track(3338, 14));
    }
    CHECK(files_in(dir) == 0);
}

TEST_CASE("CKD create: empty slots of a new image stay holes")
{
    TempDir dir;
    const CkdGeometry& g = geometry("3390");
    std::string path = dir.file("sparse.3390");
    auto w = create_ckd_volume(path, spec_for(g, 40));
    w->write_track({0, 0}, dasdinit_track0("VOL002"));
    w->commit();
    const uint64_t size = 512 + 40ull * 15 * 56832;
    CHECK(fs::file_size(path) == size);
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK(uint64_t(st.st_blocks) * 512 < size / 4);  // about a page per empty track
    auto r = open_ckd_volume(path);
    TrackImage t;
    for (uint32_t c = 0; c < 40; ++c) {
        for (uint32_t h = c == 0 ? 1 : 0; h < 15; ++h) {
            r->read_track({c, h}, t);
            CHECK(t.bytes == fmt1_track(c, h));
        }
    }
    r->read_track({0, 0}, t);
    CHECK(t.bytes == dasdinit_track0("VOL002").bytes);
}

TEST_CASE("CKD multi-file set: names, headers, reading from any member, and Hercules reads it")
{
    TempDir dir;
    const CkdGeometry& g = geometry("3390");
    REQUIRE(run_in(dir, "dasdinit one.3390 3390 VOL001 5") == 0);

    std::string path = dir.file("vol.3390");
    auto w = create_ckd_volume(path, spec_for(g, 5, 2));
    w->write_track({0, 0}, dasdinit_track0("VOL001"));
    std::vector<std::string> names = {dir.file("vol_1.3390"), dir.file("vol_2.3390"), dir.file("vol_3.3390")};
    CHECK(w->info().files == names);
    w->commit();
    CHECK(!fs::exists(path));
    std::map<std::pair<uint32_t, uint32_t>, TrackImage> tracks;
    tracks[{0, 0}] = dasdinit_track0("VOL001");
    CHECK(read_file(names[0]) == expected_file(header_bytes("CKD_P370", 15, 56832, 0x90, 1, 1), 15, 56832, 0, 2, tracks));
    CHECK(read_file(names[1]) == expected_file(header_bytes("CKD_P370", 15, 56832, 0x90, 2, 3), 15, 56832, 2, 2, tracks));
    CHECK(read_file(names[2]) == expected_file(header_bytes("CKD_P370", 15, 56832, 0x90, 3, 0), 15, 56832, 4, 1, tracks));

    // Hercules opens our set (by its first file) and copies it to one file identical to
    // what dasdinit makes as a single file.
    REQUIRE(run_in(dir, "dasdcopy -q -lfs -o ckd vol_1.3390 copy.3390") == 0);
    CHECK(read_file(dir.file("copy.3390")) == read_file(dir.file("one.3390")));

    for (const std::string& member : names) {
        auto r = open_ckd_volume(member);
        CHECK(r->info().files == names);
        CHECK(r->info().cylinders == 5);
        CHECK(r->info().bytes == 512 * 3 + 5ull * 15 * 56832);
        TrackImage t;
        r->read_track({4, 14}, t);
        CHECK(t.bytes == fmt1_track(4, 14));
        r->read_track({0, 0}, t);
        CHECK(t.bytes == tracks[{0, 0}].bytes);
    }
    // The unsplit name says where the set is.
    CHECK_ERROR(open_ckd_volume(path), ErrorKind::ReadFailed, "vol_1.3390 does: a multi-file CKD volume is opened by its first file");

    SUBCASE("a member renamed so its name lacks its number")
    {
        fs::copy_file(names[1], dir.file("other.3390"));
        CHECK_ERROR(CkdImageReader(dir.file("other.3390")), ErrorKind::Unreadable,
                    "file 2 of a multi-file CKD volume, but its name does not carry that number");
    }
    SUBCASE("a missing member")
    {
        fs::remove(names[2]);
        CHECK_ERROR(CkdImageReader(names[0]), ErrorKind::Unreadable, "file 3 of the volume is missing");
    }
    SUBCASE("a missing first file")
    {
        fs::remove(names[0]);
        CHECK_ERROR(CkdImageReader(names[1]), ErrorKind::Unreadable, "its first file");
    }
    SUBCASE("members that disagree")
    {
        write_bytes_at(names[1], 0, header_bytes("CKD_P370", 15, 47616, 0x90, 2, 3));
        CHECK_ERROR(CkdImageReader(names[0]), ErrorKind::Unreadable, "15 heads and 47616-byte tracks, but file 1 says 15 and 56832");
    }
    SUBCASE("device type bytes that disagree")
    {
        write_bytes_at(names[2], 0, header_bytes("CKD_P370", 15, 56832, 0x80, 3, 0));
        CHECK_ERROR(CkdImageReader(names[0]), ErrorKind::Unreadable, "device type byte X'80' differs from file 1's X'90'");
    }
    SUBCASE("a member with another magic")
    {
        write_bytes_at(names[2], 0, header_bytes("CKD_P064", 15, 56832, 0x90, 3, 0));
        CHECK_ERROR(CkdImageReader(names[0]), ErrorKind::Unreadable, "differs from file 1's");
    }
    SUBCASE("out of sequence")
    {
        write_bytes_at(names[1], 0, header_bytes("CKD_P370", 15, 56832, 0x90, 3, 3));
        CHECK_ERROR(CkdImageReader(names[0]), ErrorKind::Unreadable, "file sequence number is 3, expected 2");
    }
    SUBCASE("high cylinder that does not match")
    {
        write_bytes_at(names[1], 0, header_bytes("CKD_P370", 15, 56832, 0x90, 2, 4));
        CHECK_ERROR(CkdImageReader(names[0]), ErrorKind::Unreadable,
                    "header says its last cylinder is 4, but the file holds cylinders 2-3");
    }
}

TEST_CASE("CKD create: refuses existing names and cleans up when abandoned")
{
    TempDir dir;
    const CkdGeometry& g = geometry("3330");
    std::string path = dir.file("v.3330");
    write_file(path, Bytes{1});
    CHECK_ERROR(create_ckd_volume(path, spec_for(g, 2)), ErrorKind::Refused, "already exists");
    fs::remove(path);
    write_file(dir.file("v_2.3330"), Bytes{1});
    CHECK_ERROR(create_ckd_volume(path, spec_for(g, 4, 2)), ErrorKind::Refused, "v_2.3330: already exists");
    fs::remove(dir.file("v_2.3330"));
    CHECK(files_in(dir) == 0);
    {
        auto w = create_ckd_volume(path, spec_for(g, 4, 2));
        w->write_track({0, 0}, TrackImage::empty({0, 0}));
        CHECK(files_in(dir) == 2);  // the temporary files
    }
    CHECK(files_in(dir) == 0);
    // Someone takes the first file's name while the volume is being built: commit
    // refuses to replace it and leaves none of our files behind.
    {
        auto w = create_ckd_volume(path, spec_for(g, 6, 2));
        write_file(dir.file("v_1.3330"), Bytes{42});
        CHECK_ERROR(w->commit(), ErrorKind::Refused, "v_1.3330: already exists");
    }
    CHECK(files_in(dir) == 1);
    CHECK(read_file(dir.file("v_1.3330")) == Bytes{42});
    fs::remove(dir.file("v_1.3330"));
    CHECK_ERROR(create_ckd_volume(dir.file("no/such/dir/v.3330"), spec_for(g, 2)), ErrorKind::WriteFailed,
                "no/such/dir/v.3330: cannot create it");
    CHECK_ERROR(create_ckd_volume(path, spec_for(g, 55, 2)), ErrorKind::Refused, "need 28 files, more than the 27");
    CHECK_ERROR(create_ckd_volume(path, spec_for(g, 3, 1)), ErrorKind::Usage, "at least 2 cylinders per file");
    create_ckd_volume(path, spec_for(g, 1, 1))->commit();  // one file of one cylinder is fine
    CHECK(fs::file_size(path) == 512 + 19 * 13312);
    fs::remove(path);
    CHECK_ERROR(create_ckd_volume(path, spec_for(g, 0)), ErrorKind::Device, "1 to 65,536 cylinders");
    CHECK_ERROR(create_ckd_volume(path, spec_for(g, 65537)), ErrorKind::Device, "1 to 65,536 cylinders");
    NewCkdVolume bad = spec_for(g, 2);
    bad.format = "CKD_X370";
    CHECK_ERROR(create_ckd_volume(path, bad), ErrorKind::Internal, "CKD_X370");
    CHECK(files_in(dir) == 0);
}

TEST_CASE("CKD writer: checks the tracks it is given")
{
    TempDir dir;
    const CkdGeometry& g = geometry("2311");
    auto w = create_ckd_volume(dir.file("v.2311"), spec_for(g, 2));
    TrackImage fits = one_record_track({0, 1}, 4096 - 37);
    CHECK(fits.size() == 4096);
    w->write_track({0, 1}, fits);
    CHECK_ERROR(w->write_track({0, 1}, one_record_track({0, 1}, 4096 - 36)), ErrorKind::Refused,
                "cyl 0 head 1: track of 4097 bytes does not fit the 4096-byte track slot");
    CHECK_ERROR(w->write_track({0, 2}, TrackImage::empty({0, 3})), ErrorKind::Internal, "home address names cyl 0 head 3");
    CHECK_ERROR(w->write_track({2, 0}, TrackImage::empty({2, 0})), ErrorKind::Device, "outside the volume");
    CHECK_ERROR(w->write_track({0, 10}, TrackImage::empty({0, 10})), ErrorKind::Device, "outside the volume");
    TrackImage junk = TrackImage::empty({0, 4});
    junk.bytes.push_back(0);
    CHECK_ERROR(w->write_track({0, 4}, junk), ErrorKind::Internal, "after its end-of-track marker");
    TrackImage out;
    CHECK_ERROR(w->read_track({5, 0}, out), ErrorKind::Device, "outside the volume");
    w->commit();
    CHECK_ERROR(w->write_track({0, 0}, TrackImage::empty({0, 0})), ErrorKind::Internal, "after commit");
}

TEST_CASE("CKD reader: tracks end at the marker; FMT0 and FMT1 empty tracks; home address check")
{
    TempDir dir;
    REQUIRE(run_in(dir, "dasdinit v.3330 3330 VOL001 2") == 0);
    std::string path = dir.file("v.3330");
    const uint64_t slot = 13312;
    auto offset = [&](uint32_t c, uint32_t h) { return 512 + (uint64_t(c) * 19 + h) * slot; };

    // Track 1: a real track followed by stale bytes from a longer, older track.
    std::mt19937 rng(99);
    TrackImage t1 = random_track({0, 1}, rng, 6000);
    Bytes stale = t1.bytes;
    for (int i = 0; i < 3000; ++i)
        stale.push_back(uint8_t(rng() | 1));
    write_bytes_at(path, offset(0, 1), stale);
    // Track 2: FMT0 (HA, R0, end-of-file R1, marker).
    Bytes fmt0 = fmt1_track(0, 2);
    Bytes eof = {0, 0, 0, 2, 1, 0, 0, 0};
    fmt0.insert(fmt0.end() - 8, eof.begin(), eof.end());
    write_bytes_at(path, offset(0, 2), fmt0);

    auto r = open_ckd_volume(path);
    TrackImage t;
    r->read_track({0, 1}, t);
    CHECK(t.bytes == t1.bytes);
    r->read_track({0, 2}, t);
    CHECK(t.bytes == fmt0);
    CHECK(t.size() == 37);
    r->read_track({1, 18}, t);
    CHECK(t.bytes == fmt1_track(1, 18));
    CHECK(t.size() == 29);

    // A slot whose home address names another track.
    write_bytes_at(path, offset(1, 3), fmt1_track(1, 4));
    auto r2 = open_ckd_volume(path);
    CHECK_ERROR(r2->read_track({1, 3}, t), ErrorKind::Unreadable,
                "v.3330: offset " + std::to_string(offset(1, 3)) + ": cyl 1 head 3: home address names cyl 1 head 4");
    // A slot of zeros (never formatted) and a slot with no end marker.  Both are written
    // before either is read: a reader that reads a slot to its end reads the next slot's
    // first bytes with it, for the next read (see "tracks read in order" below).
    write_bytes_at(path, offset(1, 5), Bytes(slot, 0));
    Bytes no_marker = fmt1_track(1, 6);
    no_marker.resize(21);  // HA and R0, no marker
    no_marker.resize(slot, 0x11);
    write_bytes_at(path, offset(1, 6), no_marker);
    CHECK_ERROR(r2->read_track({1, 5}, t), ErrorKind::Unreadable, "cyl 1 head 5: record at byte");
    CHECK_ERROR(r2->read_track({1, 6}, t), ErrorKind::Unreadable, "cyl 1 head 6: record at byte 13203 runs past");
    CHECK_ERROR(r2->read_track({2, 0}, t), ErrorKind::Device, "outside the volume (2 cylinders of 19 tracks)");
}

TEST_CASE("CKD reader: tracks read in order, full ones bringing the next slot's first bytes along, as read one by one")
{
    // A track that fills more than its slot's first read is read to the slot's end in one
    // call with the next slot's first read; the next read_track uses those bytes if it
    // asks for that slot, and only then.
    TempDir dir;
    std::mt19937 rng(7);
    const CkdGeometry& g = geometry("3390");
    const std::string path = dir.file("mixed.3390");
    auto w = create_ckd_volume(path, spec_for(g, 4, 3));  // files of 3 and 1 cylinders
    std::map<std::pair<uint32_t, uint32_t>, Bytes> want;
    for (uint32_t c = 0; c < 4; ++c) {
        for (uint32_t h = 0; h < 15; ++h) {
            // Every fifth empty and every fifth short, but file 1's last slot and file 2's first full.
            const uint32_t kind = (c == 2 && h == 14) || (c == 3 && h == 0) ? 2 : (c * 15 + h) % 5;
            TrackImage t = kind == 0   ? TrackImage::empty({c, h})
                           : kind == 1 ? random_track({c, h}, rng, 1000)
                                       : full_track({c, h}, rng, g.track_size);
            w->write_track({c, h}, t);
            want[{c, h}] = t.bytes;
        }
    }
    w->commit();

    const std::string file1 = dir.file("mixed_1.3390");
    auto r = open_ckd_volume(file1);
    TrackImage t;
    for (const auto& [a, bytes] : want) {  // in order, across the two files
        r->read_track({a.first, a.second}, t);
        CHECK_MESSAGE(t.bytes == bytes, "cyl " << a.first << " head " << a.second);
    }
    for (auto it = want.rbegin(); it != want.rend(); ++it) {  // backwards
        r->read_track({it->first.first, it->first.second}, t);
        CHECK_MESSAGE(t.bytes == it->second, "cyl " << it->first.first << " head " << it->first.second);
    }
    // Bytes read along are for the very next read only: read the full track (0,2) (its
    // next slot's bytes come along), then another track, then change (0,3) in the file:
    // reading it gives the file's new bytes.
    REQUIRE(want[{0, 2}].size() > 4096);
    r->read_track({0, 2}, t);
    r->read_track({1, 0}, t);
    const uint64_t slot03 = 512 + 3 * uint64_t(g.track_size);
    const Bytes other = fmt1_track(0, 3);
    Bytes slot_bytes = other;
    slot_bytes.resize(g.track_size, 0);
    write_bytes_at(file1, slot03, slot_bytes);
    r->read_track({0, 3}, t);
    CHECK(t.bytes == other);
    // A skipped slot: (0,2) brings (0,3)'s first bytes, (0,4) is asked for next.
    r->read_track({0, 2}, t);
    r->read_track({0, 4}, t);
    CHECK(t.bytes == want[{0, 4}]);
}

TEST_CASE("CKD reader: every header and size error")
{
    TempDir dir;
    std::string p = dir.file("x.ckd");
    auto make = [&](const Bytes& header, uint64_t slots_bytes) {
        write_file(p, header);
        fs::resize_file(p, header.size() + slots_bytes);
    };
    const uint32_t ts = 4096;
    make(Bytes(100, 0), 0);
    CHECK_ERROR(CkdImageReader(p), ErrorKind::Unreadable, "shorter than the 512-byte CKD device header");
    make(header_bytes("CKD_X370", 10, ts, 0x11, 0, 0), 10 * ts);
    CHECK_ERROR(CkdImageReader(p), ErrorKind::Unreadable, "not a plain CKD image (magic \"CKD_X370\")");
    make(header_bytes("CKD_P370", 0, ts, 0x11, 0, 0), 10 * ts);
    CHECK_ERROR(CkdImageReader(p), ErrorKind::Unreadable, "header says 0 heads per cylinder");
    make(header_bytes("CKD_P370", 10, 12, 0x11, 0, 0), 10 * 12);
    CHECK_ERROR(CkdImageReader(p), ErrorKind::Unreadable, "header says the track size is 12 bytes");
    make(header_bytes("CKD_P370", 10, 0x7FFFFFFF, 0x11, 0, 0), 0);
    CHECK_ERROR(CkdImageReader(p), ErrorKind::Unreadable, "track size is 2147483647 bytes");
    make(header_bytes("CKD_P370", 10, ts, 0x11, 0, 0), 10 * ts + 1);
    CHECK_ERROR(CkdImageReader(p), ErrorKind::Unreadable,
                "file size 41473 is not the 512-byte header plus whole 4096-byte track slots");
    make(header_bytes("CKD_P370", 10, ts, 0x11, 0, 0), 15 * ts);
    CHECK_ERROR(CkdImageReader(p), ErrorKind::Unreadable, "file holds 15 tracks, not a whole number of 10-track cylinders");
    make(header_bytes("CKD_P370", 10, ts, 0x11, 0, 0), 0);
    CHECK_ERROR(CkdImageReader(p), ErrorKind::Unreadable, "file holds no tracks");
    make(header_bytes("CKD_P370", 10, ts, 0x11, 2, 0), 10 * ts);
    CHECK_ERROR(CkdImageReader(p), ErrorKind::Unreadable, "name does not carry that number");
    make(header_bytes("CKD_P370", 10, ts, 0x11, 0xFF, 0), 10 * ts);
    CHECK_ERROR(CkdImageReader(p), ErrorKind::Unreadable, "sequence number is 255: a dasdcopy into it did not finish");
    make(header_bytes("CKD_P370", 10, ts, 0x11, 0, 7), 2 * 10 * ts);
    CHECK_ERROR(CkdImageReader(p), ErrorKind::Unreadable, "last cylinder is 7, but the file holds cylinders 0-1");
    make(header_bytes("CKD_P370", 1, 32, 0x11, 0, 0), 65537ull * 32);
    CHECK_ERROR(CkdImageReader(p), ErrorKind::Unreadable, "65537 cylinders");

    // Accepted forms: a lone file naming its last cylinder, the old form holding the
    // cylinder count, and file 1 of 1.
    for (uint8_t seq : {0, 1}) {
        for (uint16_t high : {0, 1, 2}) {
            if (seq == 1 && high == 1)
                continue;  // file 1 naming cylinder 1 as its last means another file follows
            make(header_bytes("CKD_P370", 10, ts, 0x11, seq, high), 2 * 10 * ts);
            CkdImageReader r(p);
            CHECK(r.info().cylinders == 2);
        }
    }
    make(header_bytes("CKD_P370", 10, ts, 0x11, 1, 1), 2 * 10 * ts);
    CHECK_ERROR(CkdImageReader(p), ErrorKind::Unreadable, "file 2 of the volume is missing");
    CHECK_ERROR(CkdImageReader(dir.file("nothing")), ErrorKind::ReadFailed, "cannot open: No such file or directory");

    // 27 files, the last still naming its own last cylinder: the set claims a 28th.
    const std::string first = dir.file("set_1.ckd");
    for (unsigned seq = 1; seq <= kCkdMaxFiles; ++seq) {
        // File 1 holds cylinders 0-1, file n > 1 cylinder n.
        const std::string name = ckd_member_name(first, seq);
        write_file(name, header_bytes("CKD_P370", 1, 32, 0x11, uint8_t(seq), uint16_t(seq)));
        fs::resize_file(name, kDeviceHeaderSize + (seq == 1 ? 2 : 1) * 32);
    }
    CHECK_ERROR(CkdImageReader(first), ErrorKind::Unreadable, "set_R.ckd: volume goes on past file 27");
}

TEST_CASE("CKD update: busy while unfinished, original magic back on commit")
{
    TempDir dir;
    REQUIRE(run_in(dir, "dasdinit v.3380 3380 VOL001 3") == 0);
    std::string path = dir.file("v.3380");
    const Bytes original = read_file(path);
    std::mt19937 rng(5);
    const TrackImage t5 = random_track({0, 5}, rng, 47616);
    const TrackImage t31 = random_track({2, 1}, rng, 47616);

    std::map<std::pair<uint32_t, uint32_t>, TrackImage> tracks;
    tracks[{0, 0}] = dasdinit_track0("VOL001");
    tracks[{0, 5}] = t5;
    tracks[{2, 1}] = t31;
    const Bytes expected = expected_file(header_bytes("CKD_P370", 15, 47616, 0x80, 0, 0), 15, 47616, 0, 3, tracks);
    CHECK(original != expected);

    const std::string busy = busy_image_name(path);
    {
        auto w = update_ckd_volume(path);
        CHECK(w->info().cylinders == 3);
        CHECK(!fs::exists(path));
        Bytes head = read_file(busy);
        CHECK(std::string(head.begin(), head.begin() + 8) == "DDR_BUSY");
        w->write_track({0, 5}, t5);
        TrackImage back;
        w->read_track({0, 5}, back);
        CHECK(back.bytes == t5.bytes);
        // abandoned here
    }
    CHECK_ERROR(open_ckd_volume(path), ErrorKind::Unreadable,
                "image is incomplete: a restore into it did not finish (it is named " + busy + " until one does)");
    CHECK_ERROR(CkdImageReader(path), ErrorKind::Unreadable, "did not finish");
    CHECK(looks_like_ckd_volume(path));
    // Hercules refuses it too, under either name.
    REQUIRE(run_in(dir, "dasdls v.3380 2>&1 | grep -q 'Cannot open v.3380'") == 0);
    REQUIRE(run_in(dir, "dasdls v.3380.ddr-busy 2>&1 | grep -q 'CKD header invalid'") == 0);

    // Restoring again takes the busy image, and commit brings the magic back.
    {
        auto w = update_ckd_volume(path);
        w->write_track({0, 5}, t5);
        w->write_track({2, 1}, t31);
        w->commit();
    }
    CHECK(read_file(path) == expected);

    // A shorter track over a longer one leaves no stale bytes in the slot.
    {
        auto w = update_ckd_volume(path);
        w->write_track({0, 5}, TrackImage::empty({0, 5}));
        CHECK_ERROR(w->write_track({1, 0}, one_record_track({1, 0}, 47616 - 36)), ErrorKind::Refused,
                    "cyl 1 head 0: track of 47617 bytes");
        w->commit();
    }
    tracks.erase({0, 5});
    CHECK(read_file(path) == expected_file(header_bytes("CKD_P370", 15, 47616, 0x80, 0, 0), 15, 47616, 0, 3, tracks));
}

TEST_CASE("CKD update: a CKD_P064 image keeps its magic through an interrupted update")
{
    TempDir dir;
    REQUIRE(run_in(dir, "dasdinit v.3390 3390 VOL001 2") == 0);
    std::string path = dir.file("v.3390");
    write_bytes_at(path, 0, Bytes{'C', 'K', 'D', '_', 'P', '0', '6', '4'});
    const Bytes original = read_file(path);
    CHECK(open_ckd_volume(path)->info().format == "CKD_P064");
    update_ckd_volume(path).reset();  // interrupted at once
    CHECK_ERROR(open_ckd_volume(path), ErrorKind::Unreadable, "did not finish");
    auto w = update_ckd_volume(path);
    CHECK(w->info().format == "CKD_P064");
    w->commit();
    CHECK(read_file(path) == original);
}

TEST_CASE("CKD update of a multi-file set marks only the first file")
{
    TempDir dir;
    const CkdGeometry& g = geometry("3340");
    std::string path = dir.file("m.3340");
    create_ckd_volume(path, spec_for(g, 5, 2))->commit();
    std::vector<std::string> names = {dir.file("m_1.3340"), dir.file("m_2.3340"), dir.file("m_3.3340")};
    std::mt19937 rng(11);
    TrackImage t = random_track({4, 11}, rng, g.track_size);
    {
        auto w = update_ckd_volume(names[0]);
        w->write_track({4, 11}, t);
    }
    CHECK_ERROR(open_ckd_volume(names[2]), ErrorKind::Unreadable, "m_3.3340: image is incomplete");
    CHECK_ERROR(open_ckd_volume(names[2]), ErrorKind::Unreadable, "its first file is named " + names[0] + ".ddr-busy");
    CHECK(!fs::exists(names[0]));
    {
        auto w = update_ckd_volume(names[0]);
        w->write_track({4, 11}, t);
        w->commit();
    }
    auto r = open_ckd_volume(names[1]);
    TrackImage back;
    r->read_track({4, 11}, back);
    CHECK(back.bytes == t.bytes);
    Bytes h = read_file(names[0]);
    CHECK(Bytes(h.begin(), h.begin() + 512) == header_bytes("CKD_P370", 12, 8704, 0x40, 1, 1));
}

TEST_CASE("CKD reader: every IBM DDR fixture volume opens and every track reads")
{
    struct Case {
        const char* name;
        const char* file;
        const char* type;
        uint32_t cylinders;
    };
    // Cylinder counts from MANIFEST.json (volume.cylinders / the dasdinit commands).
    const Case cases[] = {
        {"dev-2305-1", "src.img", "2305-1", 27},  {"dev-2305-2", "src.img", "2305-2", 24},
        {"dev-2311", "src.img", "2311", 30},      {"dev-2314", "src.img", "2314", 15},
        {"dev-2314", "restored.img", "2314", 15}, {"dev-3330", "src.img", "3330", 13},
        {"dev-3330-11", "src.img", "3330", 16},   {"dev-3340-35", "src.img", "3340", 20},
        {"dev-3340-70", "src.img", "3340", 16},   {"dev-3340-70", "restored.img", "3340", 16},
        {"dev-3350", "src.img", "3350", 13},      {"typeprint-3330", "src.img", "3330", 4},
        {"cpvol-3330", "src.img", "3330", 20},    {"quirks-3330", "src.img", "3330", 3},
        {"reorder-2314", "restored.img", "2314", 14},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        CAPTURE(c.file);
        const CkdGeometry& g = geometry(c.type);
        auto r = open_ckd_volume(fixture(c.name, c.file));
        CHECK(r->info().cylinders == c.cylinders);
        CHECK(r->info().heads == g.heads);
        CHECK(r->info().track_size == g.track_size);
        CHECK(r->info().devtype_byte == g.devtype_byte);
        TrackImage t;
        size_t records = 0;
        std::vector<CkdRecord> recs;
        for (uint32_t cyl = 0; cyl < c.cylinders; ++cyl) {
            for (uint32_t head = 0; head < g.heads; ++head) {
                r->read_track({cyl, head}, t);
                t.records(recs);
                records += recs.size();
            }
        }
        CHECK(records > size_t(c.cylinders) * g.heads);  // more than R0 alone
    }
}
