// Hercules shadow files: the names Hercules gives them, and a base read with its chain
// (formats/volume/cckd/shadow.hpp).  The shadow files are made by shadow_maker.hpp;
// tests/e2e/t-shadow.sh checks Hercules' dasdcopy reads such chains the same way.
#include "formats/volume/cckd/image.hpp"
#include "formats/volume/cckd/shadow.hpp"
#include "tests/unit/shadow_maker.hpp"
#include "tests/unit/support.hpp"
#include "tests/unit/test_cckd_helpers.hpp"
#include "tests/unit/error_testing.hpp"

#include <algorithm>

#include <doctest/doctest.h>

using namespace ddr;
using namespace ddr::cckd;
using namespace ddr::test;

TEST_CASE("shadow file names: the digit goes just before the extension, over whatever is there")
{
    for (ShadowNaming n : {ShadowNaming::FirstDot, ShadowNaming::LastDot}) {
        CHECK(shadow_file_name("shadow_*.cckd", 1, n) == "shadow_1.cckd");
        CHECK(shadow_file_name("shadow_*.cckd", 8, n) == "shadow_8.cckd");
        CHECK(shadow_file_name("/dasd/vm.d/sf/v_*.cckd", 3, n) == "/dasd/vm.d/sf/v_3.cckd");  // dots of folders do not count
        CHECK(shadow_file_name("shadow.cckd", 1, n) == "shado1.cckd");  // no '*': the 'w' is replaced
        CHECK(shadow_file_name("shadow", 2, n) == "shado2");             // no extension: the last character
        CHECK(shadow_file_name("\"q_*.cckd", 1, n) == "q_1.cckd");      // a leading quote is dropped
        CHECK_ERROR(shadow_file_name("", 1, n), ErrorKind::Usage, "no character");
        CHECK_ERROR(shadow_file_name("dir/", 1, n), ErrorKind::Usage, "no character");
        CHECK_ERROR(shadow_file_name("s_*.cckd", 9, n), ErrorKind::Internal, "1-8");
    }
    // Two dots in the file name: Hercules 3.x takes the first, SDL Hyperion the last.
    CHECK(shadow_file_name("vm_*.sf.cckd", 1, ShadowNaming::FirstDot) == "vm_1.sf.cckd");
    CHECK(shadow_file_name("vm_*.sf.cckd", 1, ShadowNaming::LastDot) == "vm_*.s1.cckd");
    CHECK(shadow_file_name(".hidden", 1, ShadowNaming::FirstDot) == ".hidde1");  // 3.x looks from the 2nd character
    CHECK_ERROR(shadow_file_name(".hidden", 1, ShadowNaming::LastDot), ErrorKind::Usage, "no character");
}

TEST_CASE("shadow file names: which rule, when the two differ, comes from the files there")
{
    TempDir dir;
    const std::string sf = dir.file("a_*.x.cckd");
    CHECK(shadow_naming_for(sf) == ShadowNaming::FirstDot);  // neither exists
    write_file(dir.file("a_*.1.cckd"), Bytes(10));
    CHECK(shadow_naming_for(sf) == ShadowNaming::LastDot);
    write_file(dir.file("a_1.x.cckd"), Bytes(10));
    CHECK_ERROR(shadow_naming_for(sf), ErrorKind::Usage, "both exist");
    CHECK(shadow_naming_for(dir.file("b_*.cckd")) == ShadowNaming::FirstDot);
}

namespace {

// 20 cylinders of a 3390: 300 tracks, two L1 groups (0-255, 256-299).
constexpr uint32_t kCyls = 20;
constexpr uint64_t kTracks = kCyls * 15;

std::string make_cckd(const TempDir& dir, const std::string& name, const std::vector<TrackImage>& tracks)
{
    const std::string path = dir.file(name);
    auto w = create_ckd_volume(path, new_volume(k3390, kCyls));
    write_all(*w, tracks, k3390.heads);
    return path;
}

std::function<bool(uint64_t)> only(std::vector<uint64_t> units)
{
    return [units](uint64_t u) { return std::find(units.begin(), units.end(), u) != units.end(); };
}

Bytes read(CkdVolumeReader& v, uint64_t unit)
{
    TrackImage t;
    v.read_track({uint32_t(unit / 15), uint32_t(unit % 15)}, t);
    return t.bytes;
}

} // namespace

TEST_CASE("shadow chain: each track from the highest file that holds it; null tracks hide the base")
{
    TempDir dir;
    auto base_tracks = sample_volume(k3390, kCyls, kTracks, 1);   // data everywhere
    auto one_tracks = sample_volume(k3390, kCyls, kTracks, 2);
    auto two_tracks = sample_volume(k3390, kCyls, kTracks, 3);
    one_tracks[5] = empty_fmt0({0, 5});  // shadow 1 formats track 5 empty: a null entry
    const std::string base = make_cckd(dir, "base.cckd", base_tracks);
    make_shadow_file(make_cckd(dir, "one.cckd", one_tracks), dir.file("s_1.cckd"), only({5, 7, 8, 260}));
    // Shadow 2 holds nothing of group 1 (its L1 entry says "not here").
    make_shadow_file(make_cckd(dir, "two.cckd", two_tracks), dir.file("s_2.cckd"), only({7, 100}));

    CckdImageReader chain(base, dir.file("s_*.cckd"));
    CHECK(chain.info().files == std::vector<std::string>{base, dir.file("s_1.cckd"), dir.file("s_2.cckd")});
    CHECK(chain.info().format == "CKD_C370");
    CHECK(chain.info().cylinders == kCyls);
    CHECK_FALSE(chain.info().missing_shadow);
    auto v = open_ckd_volume(base);
    CHECK(read(chain, 0) == base_tracks[0].bytes);
    CHECK(read(chain, 5) == empty_fmt0({0, 5}).bytes);
    CHECK(base_tracks[5].bytes != empty_fmt0({0, 5}).bytes);
    CHECK(read(chain, 7) == two_tracks[7].bytes);    // shadow 2 over shadow 1
    CHECK(read(chain, 8) == one_tracks[8].bytes);    // shadow 2's L2 entry: not here
    CHECK(read(chain, 100) == two_tracks[100].bytes);
    CHECK(read(chain, 260) == one_tracks[260].bytes);  // shadow 2's L1 entry: not here
    CHECK(read(chain, 299) == base_tracks[299].bytes);  // neither shadow's
    CHECK(read(*v, 7) == base_tracks[7].bytes);         // the base alone is unchanged
}

TEST_CASE("shadow chain: a shadow's null group (L1 entry 0) is null, not 'look below'")
{
    TempDir dir;
    auto base_tracks = sample_volume(k3390, kCyls, kTracks, 4);
    const std::string base = make_cckd(dir, "base.cckd", base_tracks);
    // An all-empty volume: every group is null (L1 entry 0).
    const std::string empty = make_cckd(dir, "empty.cckd", sample_volume(k3390, kCyls, 0, 5));
    make_shadow_file(empty, dir.file("whole_1.cckd"), [](uint64_t u) { return u >= 256; });  // group 1 all here
    CckdImageReader whole(base, dir.file("whole_*.cckd"));
    CHECK(read(whole, 255) == base_tracks[255].bytes);
    TrackImage fmt1;
    build_null_track(kNullFmt1, {17, 1}, fmt1.bytes);
    CHECK(read(whole, 256) == fmt1.bytes);
    // Some of a null group here: an L2 table of null and "not here" entries.
    make_shadow_file(empty, dir.file("part_1.cckd"), only({3}));
    CckdImageReader part(base, dir.file("part_*.cckd"));
    build_null_track(kNullFmt1, {0, 3}, fmt1.bytes);
    CHECK(read(part, 3) == fmt1.bytes);
    CHECK(read(part, 4) == base_tracks[4].bytes);
}

TEST_CASE("shadow chain: the chain ends at the first missing number; none found reads the base alone")
{
    TempDir dir;
    auto tracks = sample_volume(k3390, kCyls, kTracks, 6);
    auto other = sample_volume(k3390, kCyls, kTracks, 7);
    const std::string base = make_cckd(dir, "base.cckd", tracks);
    const std::string full = make_cckd(dir, "other.cckd", other);
    make_shadow_file(full, dir.file("s_1.cckd"), only({1}));
    make_shadow_file(full, dir.file("s_3.cckd"), only({2}));
    CckdImageReader chain(base, dir.file("s_*.cckd"));
    CHECK(chain.info().files.size() == 2);
    CHECK(read(chain, 1) == other[1].bytes);
    CHECK(read(chain, 2) == tracks[2].bytes);  // shadow 3 is not part of the chain

    auto alone = open_ckd_volume(base, VolumeOpenOptions{false, dir.file("none_*.cckd")});
    CHECK(alone->info().missing_shadow == dir.file("none_1.cckd"));
    CHECK(alone->info().files.size() == 1);
    CHECK(read(*alone, 2) == tracks[2].bytes);
    // A shadow file named directly is still refused.
    CHECK_ERROR(open_ckd_volume(dir.file("s_1.cckd"), VolumeOpenOptions{false, dir.file("x_*.cckd")}),
                ErrorKind::Unreadable, "shadow file (CKD_S370)");
}

TEST_CASE("shadow chain: a shadow that is not one of this base is an error naming it")
{
    TempDir dir;
    const std::string base = make_cckd(dir, "base.cckd", sample_volume(k3390, kCyls, 10, 8));
    // Not a shadow at all.
    write_file(dir.file("a_1.cckd"), read_file(base));
    CHECK_ERROR(CckdImageReader(base, dir.file("a_*.cckd")), ErrorKind::Unreadable, "a_1.cckd");
    // Another size.
    {
        auto w = create_ckd_volume(dir.file("big.cckd"), new_volume(k3390, kCyls + 1));
        w->commit();
    }
    make_shadow_file(dir.file("big.cckd"), dir.file("b_1.cckd"), only({1}));
    CHECK_ERROR(CckdImageReader(base, dir.file("b_*.cckd")), ErrorKind::Device, "21 cylinders, the base's 20");
    // Another device.
    {
        auto w = create_ckd_volume(dir.file("3380.cckd"), new_volume(k3380, kCyls));
        w->commit();
    }
    make_shadow_file(dir.file("3380.cckd"), dir.file("c_1.cckd"), only({1}));
    CHECK_ERROR(CckdImageReader(base, dir.file("c_*.cckd")), ErrorKind::Device, "c_1.cckd");
    // The 64-bit form over a 32-bit base.
    {
        auto w = create_ckd_volume(dir.file("wide.cckd"), new_volume(k3390, kCyls, "CKD_C064"));
        w->commit();
    }
    make_shadow_file(dir.file("wide.cckd"), dir.file("d_1.cckd"), only({1}));
    CHECK_ERROR(CckdImageReader(base, dir.file("d_*.cckd")), ErrorKind::Device, "CKD_S064 shadow file");
    // A shadow whose L2 entry points outside it: the read names the shadow file.
    make_shadow_file(base, dir.file("e_1.cckd"), only({2}));
    Bytes f = read_file(dir.file("e_1.cckd"));
    const uint64_t l2 = load_l1(f.data() + kL1Pos, false, ByteOrder::Little);
    store_l2(f.data() + l2 + 2 * 8, L2Entry{uint64_t(f.size()) + 100, 500, 500}, false, ByteOrder::Little);
    write_file(dir.file("e_1.cckd"), f);
    CckdImageReader bad(base, dir.file("e_*.cckd"));
    TrackImage t;
    CHECK_ERROR(bad.read_track({0, 2}, t), ErrorKind::Unreadable, "e_1.cckd");
    // Shadows of a plain image: Hercules has none.
    write_plain_ckd(dir.file("plain.img"), k3390, 2, sample_volume(k3390, 2, 5, 9));
    CHECK_ERROR(open_ckd_volume(dir.file("plain.img"), VolumeOpenOptions{false, dir.file("s_*.cckd")}),
                ErrorKind::Unreadable, "plain CKD image");
}
