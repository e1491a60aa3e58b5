#!/bin/sh
# Runs the fuzz targets built by tests/fuzz/build.sh.
#
#   tests/fuzz/run.sh SECONDS [TARGET...]   fuzz each target (default: all) for SECONDS,
#                                           or until FUZZ_RUNS executions if that is set
#   tests/fuzz/run.sh --smoke [TARGET...]   each target over its seed corpus only, once
#   tests/fuzz/run.sh --repro [FILE...]     replay saved crash inputs (default:
#                                           tests/fuzz/crashes/*); FILE names start
#                                           with their target: fuzz_tape--what-it-is
#
# Fuzzing keeps what it learns in $FUZZ_BUILD/corpus/<target>/ (seeds are read from
# $FUZZ_BUILD/seeds/<target>/ and never written) and writes crashing inputs to
# $FUZZ_BUILD/artifacts/<target>/.  Exit status: 0 if no target crashed.
#
# Limits on every run: 10 s per input, 2 GB RSS, and no single allocation over 64 MB
# (the largest buffer a reader legitimately needs is 2 MB), so a small input that makes
# a parser allocate wildly is reported as a crash.  While fuzzing, findings already
# reported are let through (tests/fuzz/known-issues.sh and known-issues.supp); --smoke
# and --repro apply no such exceptions.
# shellcheck disable=SC2086  # $LIMITS is a list of options, split on purpose
set -u
cd "$(dirname "$0")/../.." || exit 2
B=${FUZZ_BUILD:-build-fuzz}
ALL="fuzz_tape fuzz_ddr_stream fuzz_ddr_track fuzz_track_image fuzz_volume fuzz_volume_update fuzz_dump_scan fuzz_statements fuzz_manifest fuzz_catalog fuzz_resume_record"
MALLOC_LIMIT_MB=${FUZZ_MALLOC_LIMIT_MB:-64}
LIMITS="-timeout=10 -rss_limit_mb=2048"
MAX_LEN=65536
# While fuzzing, the text parsers get inputs of at most 8 KiB (a hundred statements or
# lines): every construct fits in that many, and inputs grown to 64 KiB made each run ten
# times slower (fuzz_statements: 24,000 executions a second at first, 2,500 after 10 min).
max_len_fuzz_statements=8192
max_len_fuzz_catalog=8192
max_len_fuzz_manifest=8192
# clear_shadow_mmap_threshold: ASan clears the shadow of a freed block of 512 KiB or more
# (64 KiB of shadow) by mapping fresh pages over it, a system call, a TLB shootdown and a
# page fault per shadow page at the next use; the readers' 512 KiB and 2 MiB buffers made
# that most of the tape and volume targets' time.  Above 16 MiB only, so it clears them
# with memset: the same checks, up to twice the executions a second.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:clear_shadow_mmap_threshold=16777216}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

usage() {
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

need() {
    if [ ! -x "$B/$1" ]; then
        echo "run.sh: $B/$1 is missing; run tests/fuzz/build.sh (or make fuzz) first" >&2
        exit 2
    fi
}

# Scratch files of the targets (volume images, reels) go to a folder removed afterwards.
SCRATCH=$(mktemp -d "${FUZZ_TMP:-/dev/shm}/ddr-fuzz-run.XXXXXX" 2>/dev/null || mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT INT TERM
export TMPDIR="$SCRATCH"

[ $# -ge 1 ] || usage
mode=$1
shift

case "$mode" in
--smoke)
    targets=${*:-$ALL}
    failed=""
    start=$(date +%s)
    for t in $targets; do
        need "$t"
        if [ ! -d "$B/seeds/$t" ]; then
            echo "run.sh: no seeds for $t; run tests/fuzz/make-seeds.sh" >&2
            exit 2
        fi
        if "$B/$t" $LIMITS -max_len=$MAX_LEN -malloc_limit_mb="$MALLOC_LIMIT_MB" -runs=0 "$B/seeds/$t" >"$SCRATCH/$t.log" 2>&1; then
            n=$(find "$B/seeds/$t" -type f | wc -l)
            echo "smoke $t: $n seeds ok"
        else
            echo "smoke $t: FAILED"
            tail -n 40 "$SCRATCH/$t.log"
            failed="$failed $t"
        fi
    done
    echo "smoke: $(($(date +%s) - start)) s"
    [ -z "$failed" ] || { echo "smoke failed:$failed"; exit 1; }
    ;;
--repro)
    files=${*:-$(ls tests/fuzz/crashes/fuzz_* 2>/dev/null)}
    crashed=0
    for f in $files; do
        t=$(basename "$f" | sed 's/--.*//')
        need "$t"
        if "$B/$t" $LIMITS -max_len=$MAX_LEN -malloc_limit_mb="$MALLOC_LIMIT_MB" "$f" >"$SCRATCH/repro.log" 2>&1; then
            echo "fixed:   $f"
        else
            echo "crashes: $f"
            grep -E "ERROR: |runtime error|\*\*\* ddr fuzz|terminate called|==ERROR|SUMMARY" "$SCRATCH/repro.log" | head -3 | sed 's/^/    /'
            crashed=1
        fi
    done
    exit $crashed
    ;;
*[!0-9]* | "")
    usage
    ;;
*)
    seconds=$mode
    targets=${*:-$ALL}
    failed=""
    # Findings already reported do not stop a campaign (see known-issues.sh / .supp).
    . tests/fuzz/known-issues.sh
    UBSAN_OPTIONS="$UBSAN_OPTIONS:suppressions=$(pwd)/tests/fuzz/known-issues.supp"
    for t in $targets; do
        need "$t"
        mkdir -p "$B/corpus/$t" "$B/artifacts/$t"
        limit=$(eval echo "\${malloc_limit_$t:-$MALLOC_LIMIT_MB}")
        max_len=$(eval echo "\${max_len_$t:-$MAX_LEN}")
        echo "== $t: $seconds s${FUZZ_RUNS:+ or $FUZZ_RUNS executions}"
        "$B/$t" $LIMITS -max_len="$max_len" -malloc_limit_mb="$limit" -max_total_time="$seconds" ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} -print_final_stats=1 \
            -artifact_prefix="$B/artifacts/$t/" "$B/corpus/$t" "$B/seeds/$t" >"$B/artifacts/$t/last-run.log" 2>&1
        rc=$?
        grep -E "^#[0-9]+.*(DONE|pulse)|stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|cov: " \
            "$B/artifacts/$t/last-run.log" | tail -n 4
        # libFuzzer exits 72 when stopped by SIGINT or SIGTERM: a run cut short, not a finding.
        if [ $rc -eq 72 ] && grep -q "libFuzzer: run interrupted" "$B/artifacts/$t/last-run.log"; then
            echo "$t: stopped by a signal before its time was up (no crash)"
            continue
        fi
        if [ $rc -ne 0 ]; then
            echo "$t: CRASH (exit $rc), see $B/artifacts/$t/last-run.log"
            grep -E "ERROR: |runtime error|\*\*\* ddr fuzz|Test unit written" "$B/artifacts/$t/last-run.log" | head -5
            failed="$failed $t"
        fi
    done
    [ -z "$failed" ] || { echo "crashed:$failed"; exit 1; }
    ;;
esac
