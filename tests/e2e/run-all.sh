#!/usr/bin/env bash
# Runs every end-to-end test (tests/e2e/t-*.sh and tests/e2e/*.py) against a ddr binary.
#   tests/e2e/run-all.sh bin/ddr [pattern]
# E2E_JOBS scripts run at once (default: the number of cores); each has its own folder,
# and its log is shown when it fails.  The longest scripts start first, so that the last
# to finish is a short one.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
DDR=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
pattern=${2:-}
jobs=${E2E_JOBS:-$(nproc 2>/dev/null || echo 1)}
export DDR
export BUILD=${BUILD:-build}
export TOOLS="$root/$BUILD"
if [ -z "${DDR_FIXTURES:-}" ]; then
  for d in "$root/../shared/fixtures/ddr-r6" "$root/../../shared/fixtures/ddr-r6"; do
    if [ -f "$d/MANIFEST.json" ]; then export DDR_FIXTURES=$(cd "$d" && pwd); break; fi
  done
fi
results=$(mktemp -d "${TMPDIR:-/tmp}/ddr-e2e-results.XXXXXX")
trap 'rm -rf "$results"' EXIT

# One script in a folder of its own; writes NAME.pass or NAME.fail (with its log) to
# $results and says how it went.
run_one() {
  local t=$1 name work start
  name=$(basename "$t")
  work=$(mktemp -d "${TMPDIR:-/tmp}/ddr-e2e.XXXXXX")
  start=$(date +%s)
  if (cd "$work" && "$t") > "$work.log" 2>&1; then
    echo "PASS $name ($(( $(date +%s) - start ))s)"
    touch "$results/$name.pass"
  else
    # The failed checks first (a long script's first failure can be far above its last
    # 40 lines), then the end of its log.
    { echo "FAIL $name ($(( $(date +%s) - start ))s)"; grep '^FAIL' "$work.log" | sed 's/^/    /'
      echo "    ... the last 40 lines:"; sed 's/^/    /' "$work.log" | tail -40; } > "$results/$name.fail"
    cat "$results/$name.fail"
  fi
  rm -rf "$work" "$work.log"
}

# The scripts, longest first (by size: a fair guess at their running time).
scripts=()
while read -r _ t; do
  name=$(basename "$t")
  [ -n "$pattern" ] && [[ "$name" != *$pattern* ]] && continue
  scripts+=("$t")
done < <(for t in "$here"/t-*.sh "$here"/t-*.py; do [ -e "$t" ] && echo "$(wc -c < "$t") $t"; done | sort -rn)

running=0
for t in "${scripts[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
  run_one "$t" &
  running=$((running + 1))
done
wait

pass=$(find "$results" -name '*.pass' | wc -l)
failed=$(cd "$results" && ls -- *.fail 2>/dev/null | sed 's/\.fail$//' | sort | tr '\n' ' ')
fail=$(find "$results" -name '*.fail' | wc -l)
echo "e2e: $pass passed, $fail failed${failed:+: ${failed% }}"
[ "$fail" -eq 0 ]
