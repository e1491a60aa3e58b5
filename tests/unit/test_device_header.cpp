// The Hercules device header (formats/volume/device_header.hpp), shared by plain and
// compressed images: decoded and encoded against the bytes dasdinit writes.
#include "formats/volume/device_header.hpp"
#include "tests/unit/volume_testing.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace ddr;
using namespace ddr::test;

namespace {

Bytes first_512(const std::string& path)
{
    Bytes b = read_file(path);
    b.resize(kDeviceHeaderSize);
    return b;
}

Bytes encoded(const DeviceHeader& h)
{
    const auto raw = h.encode();
    return Bytes(raw.begin(), raw.end());
}

} // namespace

TEST_CASE("Device header: the bytes dasdinit writes, both ways")
{
    // dasdinit -z v.cckd 3390 VOL001 3 (Hercules 3.13): "CKD_C370", 15 heads, 56,832-byte
    // tracks, device type X'90', one file.
    Bytes cckd(kDeviceHeaderSize, 0);
    const uint8_t cckd_start[] = {'C', 'K', 'D', '_', 'C', '3', '7', '0', 0x0f, 0x00, 0x00, 0x00,
                                  0x00, 0xde, 0x00, 0x00, 0x90, 0x00, 0x00, 0x00};
    std::copy(std::begin(cckd_start), std::end(cckd_start), cckd.begin());
    DeviceHeader h = DeviceHeader::decode(cckd.data());
    CHECK(h.magic_text() == "CKD_C370");
    CHECK(h.heads == 15);
    CHECK(h.track_size == 56832);
    CHECK(h.devtype_byte == 0x90);
    CHECK(h.file_sequence == 0);
    CHECK(h.last_cylinder == 0);
    CHECK(h.serial == std::array<char, 12>{});
    CHECK(encoded(h) == cckd);

    // File 1 of a 3390-3 split by dasdinit (man/ddrimage.5): "... 90 01 d609", cylinders 0-2518.
    DeviceHeader split = h;
    split.set_magic("CKD_P370");
    split.file_sequence = 1;
    split.last_cylinder = 2518;
    Bytes split_bytes = cckd;
    std::copy_n("CKD_P370", 8, split_bytes.begin());
    split_bytes[17] = 0x01;
    split_bytes[18] = 0xd6;
    split_bytes[19] = 0x09;
    CHECK(encoded(split) == split_bytes);
    CHECK(DeviceHeader::decode(split_bytes.data()).last_cylinder == 2518);
    CHECK(DeviceHeader::decode(split_bytes.data()).file_sequence == 1);
}

TEST_CASE("Device header: dasdinit's own files decode and encode to the same 512 bytes")
{
    TempDir dir;
    REQUIRE(run_in(dir, "dasdinit v.3390 3390 VOL001 3") == 0);
    REQUIRE(run_in(dir, "dasdinit -z v.cckd 3380 VOL001 3") == 0);
    REQUIRE(run_in(dir, "dasdinit -bz2 v.cfba 3370 FBA001 3000") == 0);

    const Bytes plain = first_512(dir.file("v.3390"));
    const DeviceHeader p = DeviceHeader::decode(plain.data());
    CHECK(p.magic_text() == "CKD_P370");
    CHECK(p.heads == 15);
    CHECK(p.track_size == 56832);
    CHECK(p.devtype_byte == 0x90);
    CHECK(p.file_sequence == 0);
    CHECK(p.last_cylinder == 0);
    CHECK(encoded(p) == plain);

    const Bytes compressed = first_512(dir.file("v.cckd"));
    const DeviceHeader c = DeviceHeader::decode(compressed.data());
    CHECK(c.magic_text() == "CKD_C370");
    CHECK(c.heads == 15);
    CHECK(c.track_size == 47616);
    CHECK(c.devtype_byte == 0x80);
    CHECK(encoded(c) == compressed);

    // Hercules 3.13 writes only the magic in a CFBA device header.
    const Bytes cfba = first_512(dir.file("v.cfba"));
    const DeviceHeader f = DeviceHeader::decode(cfba.data());
    CHECK(f.magic_text() == "FBA_C370");
    CHECK(encoded(f) == cfba);
}

TEST_CASE("Device header: SDL's serial is kept; bytes 32-511 are not read and written as zeros")
{
    Bytes raw(kDeviceHeaderSize, 0);
    std::copy_n("CKD_C064", 8, raw.begin());
    raw[8] = 15;
    std::copy_n("000000012345", 12, raw.begin() + 20);
    DeviceHeader h = DeviceHeader::decode(raw.data());
    CHECK(std::string(h.serial.data(), h.serial.size()) == "000000012345");
    CHECK(encoded(h) == raw);

    raw[100] = 0xAB;
    CHECK(DeviceHeader::decode(raw.data()).encode()[100] == 0);

    // set_magic: the first 8 characters, zeros after a shorter text.
    h.set_magic("FBA");
    CHECK(h.magic == std::array<char, 8>{'F', 'B', 'A', 0, 0, 0, 0, 0});
    h.set_magic("CKD_P370 and more");
    CHECK(h.magic_text() == "CKD_P370");
}
