// make-shadow-file FULL OUT UNITS
// Writes OUT, a Hercules shadow file made from the complete CCKD/CFBA image FULL that
// holds only the tracks (block groups) UNITS ("a-b,c,..."); every other one is marked
// "not in this file" (tests/unit/shadow_maker.hpp).  For tests/e2e/t-shadow.sh.
#include "formats/io/error.hpp"
#include "tests/unit/shadow_maker.hpp"

#include <cstdio>

int main(int argc, char** argv)
{
    if (argc != 4) {
        std::fprintf(stderr, "usage: make-shadow-file FULL OUT UNITS\n");
        return 2;
    }
    try {
        ddr::test::make_shadow_file(argv[1], argv[2], ddr::test::unit_ranges(argv[3]));
    } catch (const ddr::Error& e) {
        std::fprintf(stderr, "make-shadow-file: %s\n", e.what());
        return 1;
    }
    return 0;
}
