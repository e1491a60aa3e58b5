// XXH3-64 on every vector unit (io/xxh3.hpp): the value a checksum holds must not depend
// on the machine that computed it, so each build the CPU can run gives the library's
// portable value, for every length class XXH3 treats apart (0-16, 17-128, 129-240, long,
// and long with a partial stripe and block), at every alignment.
#include "formats/io/xxh3.hpp"

#include <doctest/doctest.h>

#include <xxhash.h>

#include <vector>

using namespace ddr;

TEST_CASE("xxh3_64: every vector unit the CPU has gives the portable value")
{
    std::vector<uint8_t> data(300000);
    uint32_t x = 12345;
    for (uint8_t& b : data) {
        x = x * 1103515245u + 12345u;
        b = uint8_t(x >> 24);
    }
    const bool avx2 = __builtin_cpu_supports("avx2");
    const bool avx512 = __builtin_cpu_supports("avx512f");
    std::vector<size_t> sizes;
    for (size_t n = 0; n <= 1100; ++n)
        sizes.push_back(n);
    for (size_t n : {4095, 4096, 56664, 65535, 65536, 131072 + 17, 299000})
        sizes.push_back(n);
    size_t compared = 0;
    for (size_t n : sizes) {
        for (size_t offset : {0, 1, 7, 63}) {
            const uint8_t* p = data.data() + offset;
            const uint64_t want = XXH3_64bits(p, n);
            CHECK(xxh3_64(ByteSpan(p, n)) == want);
            if (avx2)
                CHECK(xxh3_64_avx2(p, n) == want);
            if (avx512)
                CHECK(xxh3_64_avx512(p, n) == want);
            ++compared;
        }
    }
    CHECK(compared == sizes.size() * 4);
    // A known value, so the test cannot pass with a hash that is wrong everywhere alike.
    CHECK(xxh3_64(ByteSpan()) == 0x2D06800538D394C2ull);
}
