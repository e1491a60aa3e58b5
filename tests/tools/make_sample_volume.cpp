// make-sample-volume OUT DEVTYPE VOLSER CYLINDERS [SEED [FILL [hercules|dense]]]
// Writes a plain CKD image with realistic, seeded contents (tests/unit/sample_volume.hpp),
// for the demo, the end-to-end tests and the benchmarks.  "dense" instead fills every
// track after track 0 with as many 4096-byte records as it holds, alternately text and
// random bytes (a volume whose tape is nearly as big as the image, for the benchmarks).
#include "devices/ckd_devices.hpp"
#include "formats/io/error.hpp"
#include "formats/io/cchh.hpp"
#include "formats/volume/volume.hpp"
#include "tests/unit/sample_volume.hpp"

#include <random>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

// Track (c, h) full of 4096-byte records, odd ones text (EBCDIC letters and blanks), even
// ones random bytes.
ddr::TrackImage dense_track(const ddr::CkdDevice& dev, ddr::TrackAddress addr, std::mt19937_64& rng)
{
    constexpr uint16_t kLength = 4096;
    ddr::TrackImage t;
    t.start(0, addr);
    uint8_t count[8];
    ddr::encode_cchh(count, addr);
    count[4] = 0;
    count[5] = 0;
    ddr::store_be16(count + 6, 8);
    const uint8_t r0data[8] = {};
    t.add_record(count, {}, ddr::ByteSpan(r0data, 8));
    ddr::Bytes data(kLength);
    const uint32_t n = ddr::records_per_track(dev, 0, kLength);
    for (uint32_t r = 1; r <= n; ++r) {
        for (size_t i = 0; i < data.size(); ++i)
            data[i] = r % 2 ? uint8_t(i % 9 == 8 ? 0x40 : 0xC1 + rng() % 9) : uint8_t(rng());
        count[4] = uint8_t(r);
        ddr::store_be16(count + 6, kLength);
        t.add_record(count, {}, data);
    }
    t.finish();
    return t;
}

void write_dense_volume(const std::string& path, const ddr::CkdDevice& dev, uint32_t cylinders,
                        const std::string& volser, uint64_t seed)
{
    ddr::NewCkdVolume spec;
    spec.format = dev.eav ? "CKD_E064" : "CKD_P370";
    spec.devtype_byte = dev.hercules_devtype();
    spec.heads = dev.heads;
    spec.track_size = dev.hercules_track_size();
    spec.cylinders = cylinders;
    auto volume = ddr::create_ckd_volume(path, spec);
    ddr::test::SampleVolume sample(dev, volser, seed, false);
    std::mt19937_64 rng(seed);
    for (uint32_t c = 0; c < cylinders; ++c)
        for (uint32_t h = 0; h < dev.heads; ++h)
            volume->write_track({c, h}, c == 0 && h == 0 ? sample.track({c, h}) : dense_track(dev, {c, h}, rng));
    volume->commit();
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 5) {
        std::fprintf(stderr, "usage: make-sample-volume OUT DEVTYPE VOLSER CYLINDERS [SEED [FILL%% [hercules]]]\n");
        return 2;
    }
    const ddr::CkdDevice* dev = ddr::find_ckd_device(argv[2]);
    if (!dev) {
        std::fprintf(stderr, "make-sample-volume: unknown device type %s\n", argv[2]);
        return 2;
    }
    uint64_t seed = argc > 5 ? std::strtoull(argv[5], nullptr, 0) : 1;
    unsigned fill = argc > 6 ? unsigned(std::strtoul(argv[6], nullptr, 0)) : 60;
    bool hercules_clean = argc > 7 && std::string(argv[7]) == "hercules";
    try {
        if (argc > 7 && std::string(argv[7]) == "dense") {
            write_dense_volume(argv[1], *dev, uint32_t(std::strtoul(argv[4], nullptr, 0)), argv[3], seed);
            return 0;
        }
        ddr::test::write_sample_volume(argv[1], *dev, uint32_t(std::strtoul(argv[4], nullptr, 0)), argv[3], seed, fill, hercules_clean);
    } catch (const ddr::Error& e) {
        std::fprintf(stderr, "make-sample-volume: %s\n", e.what());
        return 1;
    }
    return 0;
}
