#include "formats/io/xxh3.hpp"

#include <xxhash.h>

namespace ddr {

namespace {

bool has_avx2()
{
#if defined(__x86_64__) || defined(__i386__)
    return __builtin_cpu_supports("avx2");
#else
    return false;
#endif
}

} // namespace

// The library's build of XXH3 is the portable SSE2 one; hashing every byte of a tape with
// it costs as much as reading the tape, so the AVX2 build is used where the CPU has it.
uint64_t xxh3_64(ByteSpan bytes)
{
    static const bool avx2 = has_avx2();  // asked once: the CPU does not change
    return avx2 ? xxh3_64_avx2(bytes.data(), bytes.size()) : XXH3_64bits(bytes.data(), bytes.size());
}

} // namespace ddr
