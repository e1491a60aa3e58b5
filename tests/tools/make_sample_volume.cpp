// make-sample-volume OUT DEVTYPE VOLSER CYLINDERS [SEED [FILL [hercules]]]
// Writes a plain CKD image with realistic, seeded contents (tests/unit/sample_volume.hpp),
// for the demo, the end-to-end tests and the benchmarks.
#include "devices/ckd_devices.hpp"
#include "formats/io/error.hpp"
#include "tests/unit/sample_volume.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>

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
        ddr::test::write_sample_volume(argv[1], *dev, uint32_t(std::strtoul(argv[4], nullptr, 0)), argv[3], seed, fill, hercules_clean);
    } catch (const ddr::Error& e) {
        std::fprintf(stderr, "make-sample-volume: %s\n", e.what());
        return 1;
    }
    return 0;
}
