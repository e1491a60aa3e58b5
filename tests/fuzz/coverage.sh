#!/bin/sh
# Line coverage of the project's sources reached by the fuzz corpora.
#
#   tests/fuzz/coverage.sh [TARGET...]
#
# Builds the targets again with clang's source-based coverage (no sanitizers) into
# $FUZZ_BUILD/coverage/, replays $FUZZ_BUILD/corpus/<target>/ and the seeds, and prints
# llvm-cov's per-file summary for formats/.
set -eu
cd "$(dirname "$0")/../.."
B=${FUZZ_BUILD:-build-fuzz}
C="$B/coverage"
ALL="fuzz_tape fuzz_ddr_stream fuzz_ddr_track fuzz_track_image fuzz_volume fuzz_volume_update fuzz_dump_scan fuzz_statements fuzz_manifest fuzz_catalog fuzz_resume_record"
targets=${*:-$ALL}
PROFDATA=$(command -v llvm-profdata-14 || command -v llvm-profdata)
COV=$(command -v llvm-cov-14 || command -v llvm-cov)

# shellcheck disable=SC2046  # one word per target
make -f tests/fuzz/fuzz.mk -j"$(nproc)" FUZZ_BUILD="$C" SAN="-fprofile-instr-generate -fcoverage-mapping" \
    $(echo "$targets" | sed "s|fuzz_|$C/fuzz_|g") >/dev/null

# Known findings must not stop the replay (see known-issues.sh).
. tests/fuzz/known-issues.sh
rm -f "$C"/*.profraw
objects=""
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for t in $targets; do
    dirs="$B/seeds/$t"
    [ -d "$B/corpus/$t" ] && dirs="$B/corpus/$t $dirs"
    # shellcheck disable=SC2086  # $dirs is a list
    TMPDIR="$scratch" LLVM_PROFILE_FILE="$C/$t.profraw" "$C/$t" -runs=0 -max_len=65536 -artifact_prefix="$scratch/" $dirs >/dev/null 2>&1 || true
    if [ -z "$objects" ]; then objects="$C/$t"; else objects="$objects -object=$C/$t"; fi
done
"$PROFDATA" merge -sparse "$C"/*.profraw -o "$C/all.profdata"
# shellcheck disable=SC2086
"$COV" report $objects -instr-profile="$C/all.profdata" $(find formats -name '*.cpp')
