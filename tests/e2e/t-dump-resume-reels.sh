#!/usr/bin/env bash
# dump --resume over several reels beyond t-dump-resume.sh's CKD-to-AWS case: an FBA
# volume to AWS reels and a CKD volume to HET reels, each killed (SIGKILL) once its
# resume record names a second or a third reel (so reel 1 has ended with its EOV), then
# continued by --resume: every reel comes out byte for byte the reel an uninterrupted
# dump with the same SOURCE_DATE_EPOCH writes, the reels verify, and nothing is left.
# The dump is slowed by the fault shim's op=delay on the source's reads, as there.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
DYN="$TOOLS/ddr-dynamic"; SHIM="$TOOLS/faultshim.so"
[ -x "$DYN" ] && [ -f "$SHIM" ] || { echo "FAIL: $DYN or $SHIM not built (make tools)"; exit 1; }
if [ -n "${DDR_SANITIZED:-}" ]; then
  ok "skip: the shim that slows the dump down is not tried under the sanitizers"; finish; exit 0
fi
export SOURCE_DATE_EPOCH=1764000000   # 2025-11-24 16:00:00 UTC

"$TOOLS/make-sample-volume" c.ckd 3390-1 VOLA01 20 1 60 hercules > /dev/null || bad "sample CKD volume"
fba_volume c.fba FBAA01 12000 11 2 || bad "FBA volume"

# The two cases: KIND (the source c.KIND), FORMAT, the reel size, the shim's pause before
# each read of the source (µs).
CASES=("fba aws 2M 3000" "ckd het 800K 2500")
reels() { echo t1.$1 t2.$1 t3.$1 t4.$1 t5.$1; }
left_over() { ls -A | grep -E "^\.t[1-5]\.$1\.ddr-tmp|^t1\.$1\.ddr-resume$"; }
clean() { rm -f t[1-5].$1 t1.$1.ddr-resume .t[1-5].$1.ddr-tmp.*; }
# Reels named in the record (its temporaries: one tape set here).
recorded_reels() { od -An -tu4 -j36 -N4 t1.$1.ddr-resume 2>/dev/null | tr -d ' '; }

# SAME FORMAT: every reel file matches ref*.FORMAT (one missing where the reference has none).
same_reels() {
  local i; for i in 1 2 3 4 5; do
    if [ -e ref$i.$1 ]; then cmp -s t$i.$1 ref$i.$1 || return 1
    elif [ -e t$i.$1 ]; then return 1; fi
  done
}

for c in "${CASES[@]}"; do
  read -r kind fmt size delay <<< "$c"
  # The reference: the same dump, uninterrupted.
  (mkdir -p ref && cd ref && "$DDR" -q dump --format $fmt --reel-size $size ../c.$kind $(reels $fmt) 2> /dev/null) \
    || bad "$kind $fmt: the reference dump"
  for i in 1 2 3 4 5; do [ -e ref/t$i.$fmt ] && mv ref/t$i.$fmt ref$i.$fmt; done
  [ -e ref3.$fmt ] || bad "$kind $fmt: the reference dump takes fewer than 3 reels"
  for n in 2 3; do
    clean $fmt
    DDR_FAULTS="op=delay,path=c.$kind,usec=$delay" LD_PRELOAD="$SHIM" "$DYN" dump --record-interval 0.05 \
      --format $fmt --reel-size $size c.$kind $(reels $fmt) > /dev/null 2>&1 &
    pid=$!
    for _ in $(seq 500); do [ "$(recorded_reels $fmt)" -ge $n ] 2>/dev/null && break; sleep 0.01; done
    kill -KILL $pid 2>/dev/null; { wait $pid; } 2>/dev/null
    what="$kind to $fmt reels of $size, SIGKILL once the record names $n reels"
    named=$(recorded_reels $fmt)
    if [ "${named:-0}" -lt $n ] || [ -e t1.$fmt ]; then
      bad "$what: not stopped after reel $((n - 1)) ended (the record names ${named:-no} reels; $(ls -A | grep "t[1-5]\.$fmt" | tr '\n' ' '))"
      continue
    fi
    out=$("$DDR" dump --resume --format $fmt --reel-size $size c.$kind $(reels $fmt) 2>&1); rc=$?
    case "$out" in *"continuing the dump"*) ;; *) bad "$what: --resume did not continue it: $out";; esac
    if [ $rc = 0 ] && same_reels $fmt && "$DDR" -q verify $(ls t[1-5].$fmt) > /dev/null && [ -z "$(left_over $fmt)" ]; then
      ok "$what ($named named): continued, every reel byte-identical to an uninterrupted dump, verifies, nothing left"
    else
      bad "$what: exit $rc: $(printf '%s' "$out" | grep -v 'end of reel' | tail -2); left: $(ls -A | grep "t[1-5]\.$fmt" | tr '\n' ' ')"
    fi
  done
  # The comparison can fail: one byte changed in a continued reel is seen.
  printf '\x5a' | dd of=t2.$fmt bs=1 seek=1000 conv=notrunc status=none
  same_reels $fmt && bad "$kind $fmt: a reel with a changed byte still compares equal" \
    || ok "$kind $fmt: a changed byte in reel 2 is found by the comparison"
  clean $fmt
done
finish
