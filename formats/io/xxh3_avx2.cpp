// XXH3 compiled for AVX2 (the Makefile builds this one file with -mavx2).
#define DDR_XXH3_FUNCTION xxh3_64_avx2
#include "formats/io/xxh3_vector.inc"
