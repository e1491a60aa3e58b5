// XXH3 compiled for AVX-512 (the Makefile builds this one file with -mavx512f).
#define DDR_XXH3_FUNCTION xxh3_64_avx512
#include "formats/io/xxh3_vector.inc"
