// XXH3-64, the hash behind every checksum ddr writes and checks, computed with the widest
// vector unit the processor has (AVX-512 or AVX2 where there is one, else SSE2).  XXH3 gives the same
// value whichever unit computes it, so tapes and manifests do not depend on the machine.
#pragma once

#include "formats/io/bytes.hpp"

#include <cstdint>

namespace ddr {

// XXH3-64 (seed 0) of `bytes`.
uint64_t xxh3_64(ByteSpan bytes);

// The AVX2 build of the same (formats/io/xxh3_avx2.cpp, compiled with -mavx2); only to be
// called on a processor that has AVX2.  Without -mavx2 it is the portable build.
uint64_t xxh3_64_avx2(const uint8_t* data, size_t size);
// The AVX-512 build (formats/io/xxh3_avx512.cpp, compiled with -mavx512f); only to be
// called on a processor that has AVX-512F.
uint64_t xxh3_64_avx512(const uint8_t* data, size_t size);

} // namespace ddr
