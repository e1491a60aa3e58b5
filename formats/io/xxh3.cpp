#include "formats/io/xxh3.hpp"

#include <xxhash.h>

namespace ddr {

namespace {

enum class VectorUnit { Sse2, Avx2, Avx512 };

VectorUnit widest_unit()
{
#if defined(__x86_64__) || defined(__i386__)
    if (__builtin_cpu_supports("avx512f"))
        return VectorUnit::Avx512;
    if (__builtin_cpu_supports("avx2"))
        return VectorUnit::Avx2;
#endif
    return VectorUnit::Sse2;
}

} // namespace

// The library's build of XXH3 is the portable SSE2 one; hashing every byte of a tape with
// it costs as much as reading the tape, so the widest build the CPU can run is used
// (AVX-512 hashes a tape in about half the time AVX2 takes, as xxhsum does).
uint64_t xxh3_64(ByteSpan bytes)
{
    static const VectorUnit unit = widest_unit();  // asked once: the CPU does not change
    switch (unit) {
    case VectorUnit::Avx512:
        return xxh3_64_avx512(bytes.data(), bytes.size());
    case VectorUnit::Avx2:
        return xxh3_64_avx2(bytes.data(), bytes.size());
    case VectorUnit::Sse2:
        break;
    }
    return XXH3_64bits(bytes.data(), bytes.size());
}

} // namespace ddr
