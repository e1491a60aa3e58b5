// XXH3 compiled for AVX-512 (the Makefile builds this one file with -mavx512f); the
// functions are inlined here, under their own names, as in xxh3_avx2.cpp.
#include "formats/io/xxh3.hpp"

#if defined(__AVX512F__)
#define XXH_VECTOR XXH_AVX512
#endif
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace ddr {

uint64_t xxh3_64_avx512(const uint8_t* data, size_t size)
{
    return XXH3_64bits(data, size);
}

} // namespace ddr
