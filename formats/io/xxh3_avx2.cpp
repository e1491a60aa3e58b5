// XXH3 compiled for AVX2 (the Makefile builds this one file with -mavx2); the functions
// are inlined here, under their own names, so the rest of the program keeps the library's.
#include "formats/io/xxh3.hpp"

#if defined(__AVX2__)
#define XXH_VECTOR XXH_AVX2
#endif
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace ddr {

uint64_t xxh3_64_avx2(const uint8_t* data, size_t size)
{
    return XXH3_64bits(data, size);
}

} // namespace ddr
