// The manifest reader (formats/ddrtape/manifest.hpp): what it refuses.
#include "formats/ddrtape/manifest.hpp"
#include "formats/io/error.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <unistd.h>

using namespace ddr;

namespace {

// A CKD manifest of two tracks, written by ManifestWriter, as text.
std::string two_track_manifest(const std::string& path)
{
    ManifestInfo info;
    info.device = "3390-3";
    info.cylinders = 3339;
    info.heads = 15;
    info.volser = "MAN001";
    info.source = "m.3390";
    info.format = "CKD_P370";
    ManifestWriter w(path, info);
    w.add(TrackAddress{0, 0}, 0x1111);
    w.add(TrackAddress{0, 1}, 0x2222);
    w.finish();
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

} // namespace

TEST_CASE("manifest: read back as written; a number too large for 32 bits is refused, not cut")
{
    const std::string path = "/tmp/ddr-unit-manifest." + std::to_string(::getpid());
    const std::string text = two_track_manifest(path);
    const Manifest m = read_manifest(path);
    CHECK(m.info.cylinders == 3339);
    REQUIRE(m.tracks.size() == 2);
    CHECK(*m.find(TrackAddress{0, 1}) == 0x2222);

    std::string edited = text;
    edited.replace(edited.find("cylinders 3339"), 14, "cylinders 4294967296");
    std::ofstream(path, std::ios::trunc) << edited;
    CHECK_THROWS_WITH_AS(read_manifest(path), (path + ": line 4: '4294967296' is too large").c_str(), Error);
    ::unlink(path.c_str());
}
