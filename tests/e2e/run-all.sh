#!/usr/bin/env bash
# Runs every end-to-end test (tests/e2e/t-*.sh and tests/e2e/*.py) against a ddr binary.
#   tests/e2e/run-all.sh bin/ddr [pattern]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
DDR=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
pattern=${2:-}
export DDR
export BUILD=${BUILD:-build}
export TOOLS="$root/$BUILD"
if [ -z "${DDR_FIXTURES:-}" ]; then
  for d in "$root/../shared/fixtures/ddr-r6" "$root/../../shared/fixtures/ddr-r6"; do
    if [ -f "$d/MANIFEST.json" ]; then export DDR_FIXTURES=$(cd "$d" && pwd); break; fi
  done
fi
pass=0; fail=0; failed=()
for t in "$here"/t-*.sh "$here"/t-*.py; do
  [ -e "$t" ] || continue
  name=$(basename "$t")
  [ -n "$pattern" ] && [[ "$name" != *$pattern* ]] && continue
  work=$(mktemp -d "${TMPDIR:-/tmp}/ddr-e2e.XXXXXX")
  start=$(date +%s)
  if (cd "$work" && "$t") > "$work.log" 2>&1; then
    echo "PASS $name ($(( $(date +%s) - start ))s)"; pass=$((pass+1))
  else
    echo "FAIL $name ($(( $(date +%s) - start ))s)"; sed 's/^/    /' "$work.log" | tail -40
    fail=$((fail+1)); failed+=("$name")
  fi
  rm -rf "$work" "$work.log"
done
echo "e2e: $pass passed, $fail failed${failed:+: ${failed[*]}}"
[ "$fail" -eq 0 ]
