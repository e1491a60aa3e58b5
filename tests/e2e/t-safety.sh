#!/usr/bin/env bash
# Nothing ddr writes ever costs data: --overwrite replaces only tapes, an output is never
# an input, an interrupted --append leaves the tape as it was, what killed runs leave
# behind is cleared by the next run, and outputs are refused before anything is written.
. "$(dirname "$0")/lib.sh"
MSV="$TOOLS/make-sample-volume"
"$MSV" a.3390 3390-1 VOLA01 50 1 30 hercules
"$MSV" b.3390 3390-1 VOLB01 50 2 30 hercules
"$DDR" -q init f.fba 3370 FBA001 --blocks 20000
"$DDR" -q copy a.3390 a.cckd
printf 'a runbook, not a tape\n' > notes.txt

# --- --overwrite replaces tapes only; an output is never the input (exit 6, untouched) ---
for victim in b.3390 a.cckd f.fba notes.txt; do
  before=$(sum $victim)
  expect 6 "dump --overwrite onto $victim" -- "$DDR" dump --overwrite a.3390 $victim
  contains "replaces only tape files" "overwrite $victim"
  [ "$(sum $victim)" = "$before" ] && ok "  $victim untouched" || bad "$victim was replaced"
done
before=$(sum a.3390)
expect 6 "dump --overwrite onto its own source" -- "$DDR" dump --overwrite a.3390 a.3390
ln a.3390 hard.3390; ln -s a.3390 soft.3390
expect 6 "dump onto a hard link of the source" -- "$DDR" dump --overwrite a.3390 hard.3390
contains "same file as the input" "hard link"
expect 6 "dump onto a symbolic link to the source" -- "$DDR" dump --overwrite soft.3390 ./sub/../a.3390
expect 6 "copy --overwrite onto its source" -- "$DDR" copy --overwrite a.3390 hard.3390
expect 6 "manifest -o onto the volume" -- "$DDR" manifest -o a.3390 a.3390
[ "$(sum a.3390)" = "$before" ] && ok "  the source is untouched" || bad "the source changed"
"$DDR" -q dump a.3390 t.aws
tbefore=$(sum t.aws)
expect 6 "restore onto the tape it reads" -- "$DDR" restore --force t.aws t.aws
expect 6 "copy of a tape onto itself" -- "$DDR" copy --overwrite t.aws t.aws
[ "$(sum t.aws)" = "$tbefore" ] && ok "  the tape is untouched" || bad "the tape changed"
"$DDR" -q dump --overwrite b.3390 t.aws && ok "--overwrite replaces a tape" || bad "--overwrite of a tape"
: > empty.aws
"$DDR" -q dump --overwrite b.3390 empty.aws && ok "--overwrite replaces an empty file" || bad "--overwrite of an empty file"

# --- outputs refused before anything is written ---
expect 2 "the same tape twice" -- "$DDR" dump --reel-size 1M a.3390 r1.aws r1.aws
contains "given twice" "same reel"
expect 2 "several tapes with no reel size" -- "$DDR" dump a.3390 r1.aws r2.aws
expect 2 "a reel size too small for one track" -- "$DDR" dump --reel-size 1k a.3390 r1.aws r2.aws
contains "too small" "reel size"
expect 2 "REORDER past the device's last cylinder" -- "$DDR" dump -c 0-10:5000 a.3390 r1.aws
contains "1113" "reorder"
: > r2.aws
expect 6 "a later reel that exists" -- "$DDR" dump --reel-size 2M a.3390 r1.aws r2.aws r3.aws
rm -f r2.aws
"$DDR" -q dump --format aws a.3390 m.aws --manifest a.3390.manifest 2>/dev/null
expect 6 "a manifest that exists" -- "$DDR" dump --manifest a.3390.manifest a.3390 m2.aws
[ ! -e m2.aws ] && ok "  no tape written" || bad "the tape was written before the manifest was refused"
ls -a | grep -q '^r[0-9]\.aws\|ddr-tmp' && bad "refused dumps left files: $(ls -a | grep 'r[0-9]\|ddr-tmp')" || ok "refused dumps left no file"
out=$("$DDR" dump --reel-size 4M a.3390 u1.aws u2.aws u3.aws u4.aws 2>&1)
case "$out" in *"u4.aws was not needed"*) ok "unused reels are named";; *) bad "unused reels not named: $out";; esac
[ ! -e u4.aws ] && ok "  and not created" || bad "unused reel created"

# --- a restore refused before the target is written ---
"$DDR" -q dump --pure a.3390 apure.aws
expect 7 "restore --devtype 3380-K of a 3390 dump (trailer)" -- "$DDR" restore --devtype 3380-K t.aws new-k.3390
contains "3390-1" "devtype"
expect 7 "restore --devtype 3380-K of a 3390 dump (no trailer)" -- "$DDR" restore --devtype 3380-K apure.aws new-k.3390
contains "more than a 3380-K track holds" "devtype pure"
"$DDR" -q init k.3390 3380-K VOLB01 --cylinders 60
before=$(sum k.3390)
expect 7 "restore --devtype 3380-K onto a 3380-K" -- "$DDR" restore --devtype 3380-K t.aws k.3390
expect 7 "  and without a trailer" -- "$DDR" restore --devtype 3380-K --force apure.aws k.3390
[ "$(sum k.3390)" = "$before" ] && ok "  the 3380-K is not changed" || bad "the 3380-K target was written"
expect 2 "restore of cylinders that are not on the tape" -- "$DDR" restore -c 60-70 t.aws new-c.3390
"$DDR" -q init c.3390 3390-1 VOLB01 --cylinders 80
before=$(sum c.3390)
expect 2 "  onto an existing target" -- "$DDR" restore -c 60-70 t.aws c.3390
contains "is not on the tape" "extent"
[ "$(sum c.3390)" = "$before" ] && ok "  it is not changed" || bad "the target was written"
ls -a | grep -q 'new-[kc]' && bad "refused restores left $(ls -a | grep new-)" || ok "refused restores left no file"

# --- SIGKILL during --append: the tape as it was, or with the new dump complete ---
"$MSV" big.3390 3390-3 BIG001 300 5 80 hercules
"$DDR" -q dump a.3390 app.aws
orig=$(sum app.aws)
for d in 0.02 0.05 0.1 0.2 0.4 0.8; do
  ( timeout -s KILL $d "$DDR" -q dump --append big.3390 app.aws ) >/dev/null 2>&1
  if [ "$(sum app.aws)" = "$orig" ]; then ok "kill after ${d}s: the tape is as it was"
  elif "$DDR" -q verify app.aws >/dev/null 2>&1 && [ "$("$DDR" list app.aws | grep -c '^file')" = 2 ]; then
    ok "kill after ${d}s: the tape holds both dumps, verified"; cp app.aws app2.aws; "$DDR" -q dump a.3390 app.aws --overwrite; orig=$(sum app.aws)
  else bad "kill after ${d}s: the tape is damaged"; "$DDR" verify app.aws | tail -3; fi
done
left=$(ls -a | grep -c 'ddr-tmp')
out=$("$DDR" dump a.3390 next.aws 2>&1)
[ "$(ls -a | grep -c 'ddr-tmp')" = 0 ] && ok "the next run cleared $left leftover(s)" || bad "leftovers remain: $(ls -a | grep ddr-tmp)"
[ "$left" = 0 ] || case "$out" in *"removed ./.app.aws.ddr-tmp."*"left unfinished by ddr process"*) ok "  and said so";; *) bad "no word of the removal: $out";; esac
# a temporary file of a process that still runs is left alone
sleep 30 & sleeper=$!
printf x > ".x.aws.ddr-tmp.$sleeper.abcdef"
"$DDR" -q dump a.3390 next2.aws
[ -e ".x.aws.ddr-tmp.$sleeper.abcdef" ] && ok "a running process's temporary file is kept" || bad "a live temporary file was removed"
kill $sleeper; wait $sleeper 2>/dev/null
rm -f ".x.aws.ddr-tmp.$sleeper.abcdef"
# killed dumps, restores and copies leave temporaries that the next run clears
for d in 0.02 0.1; do
  ( timeout -s KILL $d "$DDR" -q dump big.3390 k$d.aws ) >/dev/null 2>&1
  ( timeout -s KILL $d "$DDR" -q restore next.aws kr$d.3390 ) >/dev/null 2>&1
  ( timeout -s KILL $d "$DDR" -q copy big.3390 kc$d.cckd ) >/dev/null 2>&1
done
"$DDR" -q init z.3390 3390-1 Z00001 --cylinders 1 2>/dev/null
[ "$(ls -a | grep -c 'ddr-tmp')" = 0 ] && ok "killed dump, restore and copy leftovers cleared" || bad "leftovers remain: $(ls -a | grep ddr-tmp)"

# --- --append keeps the tape's container; volsers are upper case ---
"$DDR" -q dump --format het a.3390 h.het
"$DDR" -q dump --append b.3390 h.het && ok "--append to a HET tape without --format" || bad "--append to HET refused"
python3 - <<'PY' && ok "  every block of the appended dump is HET-compressed" || bad "appended blocks are not compressed"
import struct, sys
# Blocks of file 2 (after the first tape mark): HET stores a block that does not shrink
# as it is, so count the compressed ones: an AWS append would have none.
d = open('h.het', 'rb').read(); o = 0; marks = 0; packed = 0
while o < len(d):
    ln, prev, f1, f2 = struct.unpack_from('<HHBB', d, o)
    if f1 & 0x40: marks += 1
    elif marks >= 1 and (f1 & 0x03): packed += 1
    o += 6 + ln
sys.exit(0 if packed > 500 else 1)
PY
"$DDR" -q verify h.het && ok "  the HET tape verifies" || bad "HET tape after append"
# --pure after one of our dumps: that dump's EOJ is followed by a tape mark (IBM's LEAVE)
# and its trailer moves behind the new dump, so it keeps its checksums
"$DDR" -q dump a.3390 pure.aws && "$DDR" -q dump --pure --append b.3390 pure.aws
"$DDR" verify pure.aws > pure.txt 2>&1 && grep -q "all 750 track checksums" pure.txt \
  && ok "--pure --append keeps the first dump's checksums" || bad "--pure --append: $(cat pure.txt)"
python3 - <<'PY' && ok "  every EOJ another dump follows is followed by a tape mark" || bad "an EOJ is followed by a block"
import struct, sys
d = open('pure.aws', 'rb').read(); o = 0; last = None; marks_after = []
while o < len(d):
    ln, prev, f1, f2 = struct.unpack_from('<HHBB', d, o)
    if last == 'eoj1': marks_after.append(bool(f1 & 0x40))
    last = 'eoj1' if (not f1 & 0x40 and ln == 80 and d[o+6:o+10] == b'\xc5\xd6\xd1\x40' and not marks_after) else None
    o += 6 + ln
sys.exit(0 if marks_after == [True] else 1)
PY
"$DDR" -q dump --volser vola01 a.3390 lower.aws && ok "--volser in lower case" || bad "--volser vola01 refused"
"$DDR" -q init lower.3390 3390-1 vmpk01 --cylinders 60
"$DDR" -q restore --volser vmpk01 lower.aws lower.3390 && ok "restore --volser in lower case" || bad "restore --volser vmpk01"
finish
