#!/usr/bin/env bash
# restore --resume: a restore killed (SIGKILL) or stopped (SIGINT, SIGTERM, SIGHUP) at
# random moments, onto a new image or an existing one, CKD and FBA, is continued by
# --resume into exactly the image an uninterrupted restore makes; every refusal
# (another dump, no record, a damaged record, a target changed since, a compressed
# target, a tape without checksums) has its exit status and leaves everything as it was.
. "$(dirname "$0")/lib.sh"

"$TOOLS/make-sample-volume" c.ckd 3390-1 VOLA01 50 1 60 hercules
"$TOOLS/make-sample-volume" b.ckd 3390-1 VOLB02 50 4 60 hercules
fba_volume c.fba FBAA01 40000 1 3 || bad "FBA volume"
for k in ckd fba; do "$DDR" -q dump c.$k c-$k.aws || bad "dump $k"; done
"$DDR" -q dump b.ckd b-ckd.aws && "$DDR" -q dump --pure c.ckd pure-ckd.aws || bad "dumps"
"$DDR" -q init tpl.ckd 3390-1 TGT001 --cylinders 50 && "$DDR" -q init tpl.fba 3370 TGTF01 --blocks 40000
for k in ckd fba; do  # what uninterrupted restores make: a new image, and onto an existing one
  "$DDR" -q restore c-$k.aws new-ref.$k && cp --sparse=always tpl.$k old-ref.$k &&
    "$DDR" -q restore --force c-$k.aws old-ref.$k || bad "reference restores of $k"
done
# A tape fed slowly through a pipe, so that a signal lands while the restore writes.
cat > throttle.py <<'PY'
import sys, time
src, out = open(sys.argv[1], 'rb'), sys.stdout.buffer
while block := src.read(65536):
    try:
        out.write(block); out.flush()
    except BrokenPipeError:
        break
    time.sleep(0.005)
PY
fresh() {  # KIND MODE: the target as a run starts: none (new) or a copy of tpl (old)
  rm -f t.$1 t.$1.ddr-busy t.$1.ddr-resume .t.$1.ddr-tmp.*
  [ "$2" = old ] && cp --sparse=always tpl.$1 t.$1
  true
}
# TAPE KIND SIGNAL EXTRA: a throttled restore of TAPE into t.KIND, stopped by SIGNAL
# EXTRA seconds after its resume record first counts some units written.
interrupt() {
  python3 throttle.py $1 | "$DDR" restore --force --record-interval 0.05 - t.$2 > /dev/null 2> stop.err &
  local pid=$! units
  for _ in $(seq 300); do
    units=$(od -An -tu8 -j40 -N8 t.$2.ddr-resume 2>/dev/null | tr -d ' ')
    [ "${units:-0}" -gt 0 ] && break; sleep 0.02
  done
  sleep $4; kill -$3 $pid; { wait $pid; } 2>/dev/null; STOP_RC=$?
}
resumed=0
RANDOM=${RESUME_SEED:-4242}
# ---- 1. 16 interruptions at random moments, each continued by --resume ----
for k in ckd fba; do
  for mode in new old; do
    for sig in KILL INT TERM HUP; do
      fresh $k $mode
      delay=0.$((RANDOM % 6))$((RANDOM % 10))
      interrupt c-$k.aws $k $sig $delay
      what="$k $mode image, SIG$sig ${delay}s after its first record"
      if [ -e t.$k.ddr-resume ]; then
        out=$("$DDR" restore --resume c-$k.aws t.$k 2>&1); rc=$?
        case "$out" in *"compared with the dump"*) resumed=$((resumed + 1));; esac
      else  # stopped before its first record (or after it completed): a plain run
        out=$("$DDR" restore --force c-$k.aws t.$k 2>&1); rc=$?
      fi
      [ $rc = 0 ] || bad "$what: the run after it exited $rc: $out"
      if cmp -s t.$k $mode-ref.$k && [ -z "$(ls -A | grep -E "^\.t\.$k\.ddr-tmp|^t\.$k\.ddr-(busy|resume)$")" ]; then
        ok "$what (exit $STOP_RC): continued, equal to an uninterrupted restore, nothing left beside it"
      else bad "$what: t.$k differs from $mode-ref.$k or something is left: $(ls -A | grep "t\.$k" | tr '\n' ' ')"; fi
    done
  done
done
[ $resumed -ge 12 ] && ok "$resumed of 16 runs were continued midway by --resume" \
  || bad "only $resumed of 16 runs were continued midway (the others had finished)"

# ---- 2. what an interrupted new image leaves, and who keeps it ----
fresh ckd new; interrupt c-ckd.aws ckd INT 0.1
[ "$STOP_RC" = 130 ] && ok "SIGINT: exit 130" || bad "SIGINT: exit $STOP_RC"
LAST_ERROR=$(tail -1 stop.err); contains "t.ckd was not made" "sigint"; contains "--resume continues it" "sigint"
temp=$(ls -A | grep '^\.t\.ckd\.ddr-tmp\.' | head -1)
[ -n "$temp" ] && [ -e t.ckd.ddr-resume ] && [ ! -e t.ckd ] && ok "kept: $temp and t.ckd.ddr-resume, no t.ckd" \
  || bad "after SIGINT: $(ls -A | tr '\n' ' ')"
before=$(sum "$temp")$(sum t.ckd.ddr-resume)
"$DDR" -q restore c-ckd.aws other.ckd 2>/dev/null && [ -e "$temp" ] && ok "another restore's cleanup spares the temporary" \
  || bad "the cleanup of another run removed $temp"
expect 6 "a restore without --resume onto it" -- "$DDR" restore c-ckd.aws t.ckd
contains "--resume to continue it" "plain restore"; contains "$temp" "plain restore"
expect 5 "--resume with another dump's tape" -- "$DDR" restore --resume b-ckd.aws t.ckd
contains "t.ckd.ddr-resume continues a restore of VOLA01" "wrong tape"; contains "b-ckd.aws" "wrong tape"
expect 2 "--resume with other --cylinders" -- "$DDR" restore --resume -c 0-10 c-ckd.aws t.ckd
expect 2 "--resume --format cckd" -- "$DDR" restore --resume --format cckd c-ckd.aws t.ckd
[ "$(sum "$temp")$(sum t.ckd.ddr-resume)" = "$before" ] && [ ! -e t.ckd ] && ok "  the refusals touched nothing" \
  || bad "a refusal changed the temporary or the record"
cp t.ckd.ddr-resume rec.bak
# One bit of the units count flipped (not a byte set to a value the count may already hold).
python3 -c "import sys; f = open(sys.argv[1], 'r+b'); f.seek(41); b = f.read(1)[0]; f.seek(41); f.write(bytes([b ^ 1]))" t.ckd.ddr-resume
cmp -s t.ckd.ddr-resume rec.bak && bad "the record was not damaged"
expect 3 "--resume with a damaged record" -- "$DDR" restore --resume c-ckd.aws t.ckd
contains "CRC-32" "damaged record"; contains "t.ckd.ddr-resume" "damaged record"
cp rec.bak t.ckd.ddr-resume
"$DDR" -q restore --resume c-ckd.aws t.ckd && cmp -s t.ckd new-ref.ckd && ok "then --resume completes it" || bad "resume after refusals"
expect 6 "--resume once it is complete (no record)" -- "$DDR" restore --resume c-ckd.aws t.ckd
contains "no resume record" "no record"

# ---- 3. a target changed since the restore stopped is refused, and left as it is ----
for k in ckd fba; do
  fresh $k old
  interrupt c-$k.aws $k KILL 0
  if [ ! -e t.$k.ddr-busy ]; then bad "$k: not stopped midway"; continue; fi
  at=$( [ $k = ckd ] && echo 600 || echo 2000 )  # in cylinder 0 / block 3: written before any record
  printf '\x5a' | dd of=t.$k.ddr-busy bs=1 seek=$at conv=notrunc status=none
  before=$(sum t.$k.ddr-busy)
  expect 6 "$k: --resume onto a target changed since" -- "$DDR" restore --resume c-$k.aws t.$k
  contains "changed since the restore stopped" "$k changed"; contains "INCOMPLETE" "$k changed"
  [ "$(sum t.$k.ddr-busy)" = "$before" ] && ok "  t.$k.ddr-busy as it was" || bad "$k: the refused resume wrote"
  "$DDR" -q restore c-$k.aws t.$k && cmp -s t.$k old-ref.$k && [ ! -e t.$k.ddr-resume ] \
    && ok "  a plain restore writes it all again" || bad "$k: plain redo"
done

# ---- 4. a compressed target, and a dump without checksums ----
"$DDR" -q init --format cckd t.cckd 3390-1 TGT001 --cylinders 50
expect 6 "--resume onto a compressed image" -- "$DDR" restore --resume c-ckd.aws t.cckd
contains "compressed image leaves it unchanged" "cckd"
fresh ckd new
interrupt pure-ckd.aws ckd INT 0.1
if [ -e t.ckd.ddr-resume ]; then
  expect 6 "--resume from a dump without checksums" -- "$DDR" restore --resume pure-ckd.aws t.ckd
  contains "cannot be proven against checksums" "pure"; contains "--force" "pure"
  "$DDR" -q restore --resume --force pure-ckd.aws t.ckd && cmp -s t.ckd new-ref.ckd \
    && ok "  --resume --force completes it, equal" || bad "pure --force"
else bad "the --pure restore was not stopped midway"; fi
finish
