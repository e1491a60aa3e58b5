#!/bin/sh
# Builds the libFuzzer targets into build-fuzz/ (or $FUZZ_BUILD), then their seed corpora.
#
#   tests/fuzz/build.sh            targets + seeds
#   tests/fuzz/build.sh --no-seeds targets only
#
# Needs clang++ and libFuzzer's runtime: Debian package libclang-rt-14-dev (it holds
# libclang_rt.fuzzer-x86_64.a for clang 14).  Run from anywhere; works in the top folder.
set -eu
cd "$(dirname "$0")/../.."
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
export FUZZ_BUILD

if ! command -v "${FUZZ_CXX:-clang++}" >/dev/null 2>&1; then
    echo "fuzz: ${FUZZ_CXX:-clang++} not found (Debian: apt-get install clang libclang-rt-14-dev)" >&2
    exit 1
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }\n' >"$probe/p.cpp"
if ! "${FUZZ_CXX:-clang++}" -fsanitize=fuzzer -o "$probe/p" "$probe/p.cpp" 2>/dev/null; then
    echo "fuzz: ${FUZZ_CXX:-clang++} cannot link -fsanitize=fuzzer (Debian: apt-get install libclang-rt-14-dev)" >&2
    exit 1
fi

make -f tests/fuzz/fuzz.mk -j"$(nproc)" FUZZ_BUILD="$FUZZ_BUILD"

if [ "${1:-}" != "--no-seeds" ]; then
    tests/fuzz/make-seeds.sh
fi
