#!/usr/bin/env bash
# An interrupted or failed restore onto an existing image (CKD, CCKD, FBA, CFBA) is
# finished by running the same restore again, which leaves the target equal to an
# uninterrupted restore; every message says what the target is now and how to finish
# it; Hercules' own utilities never take a half-restored image for a volume.
. "$(dirname "$0")/lib.sh"
command -v dasdls >/dev/null || { echo "Hercules utilities are not installed (make deps)"; exit 1; }

# ---- volumes, dumps, targets, and what an uninterrupted restore makes of them ----
"$TOOLS/make-sample-volume" c.3390 3390-1 VOLA01 50 1 60 hercules
"$TOOLS/make-sample-volume" b.3390 3390-1 VOLB02 50 4 60 hercules
fba_volume c.fba FBAA01 40000 1 3 && fba_volume b.fba FBAB02 40000 2 3 || bad "FBA volumes"
for v in c b; do
  "$DDR" -q dump $v.3390 $v-ckd.aws && "$DDR" -q dump $v.fba $v-fba.aws || bad "dump $v"
done
# The targets hold other volumes (TGT...), so the first restore needs --force.
"$DDR" -q init tpl.ckd 3390-1 TGT001 --cylinders 50
"$DDR" -q init --format cckd tpl.cckd 3390-1 TGT001 --cylinders 50
"$DDR" -q init tpl.fba 3370 TGTF01 --blocks 40000
"$DDR" -q init --format cfba tpl.cfba 3370 TGTF01 --blocks 40000
kinds="ckd cckd fba cfba"
flavour() { case $1 in ckd|cckd) echo ckd;; *) echo fba;; esac; }
compressed() { [ "$1" = cckd ] || [ "$1" = cfba ]; }
fresh() {  # KIND: a new copy of the target, and nothing left from before
  rm -f t.$1 t.$1.ddr-busy .t.$1.ddr-tmp.*; cp --sparse=always tpl.$1 t.$1
}
for k in $kinds; do
  for v in c b; do
    cp --sparse=always tpl.$k ref-$v.$k
    "$DDR" -q restore --force $v-$(flavour $k).aws ref-$v.$k 2>/dev/null || bad "reference restore $v onto $k"
  done
done
equal() {  # KIND DUMP WHAT: the target is byte for byte the uninterrupted restore of DUMP
  if cmp -s t.$1 ref-$2.$1 && [ ! -e t.$1.ddr-busy ]; then ok "$3: equal to an uninterrupted restore"
  else bad "$3: t.$1 differs from ref-$2.$1 ($(ls t.$1* 2>&1 | tr '\n' ' '))"; fi
}
again() {  # KIND DUMP WHAT [OPTIONS]: the same restore run again completes the target
  local out; out=$("$DDR" restore "${@:4}" $2-$(flavour $1).aws t.$1 2>&1)
  if [ $? = 0 ]; then ok "$3: run again, exit 0"; else bad "$3: run again: $out"; fi
  AGAIN_OUT=$out
  equal "$1" "$2" "$3"
}
# FIFO INPUT BYTES HOLD: a tape that stops after BYTES (then touches fed) and keeps the
# pipe open HOLD seconds more.  (ddr blocked reading a pipe sees a SIGINT only when the
# read returns: the tape layer retries reads cut short by a signal.)
slow_tape() {
  rm -f "$1" fed; mkfifo "$1"
  ( head -c "$3" "$2"; touch fed; exec sleep "$4" ) > "$1" &
  FEEDER=$!
}
stop_feeder() { kill "$FEEDER" 2>/dev/null; wait "$FEEDER" 2>/dev/null; }
# FILE...: what Hercules' own CKD device says of each image, given as devices 0120...
# (Hercules is stopped once it has said it: it does not read "quit" from a pipe.)
hercules_attach() {
  local dev=0120 f pid
  printf 'CPUSERIAL 000611\nCPUMODEL 3090\nMAINSIZE 16\nNUMCPU 1\nARCHMODE S/370\n' > h.cnf
  for f in "$@"; do echo "$dev 3390 $f" >> h.cnf; dev=$(printf '%04X' $((0x$dev + 1))); done
  hercules -f h.cnf -d < /dev/null > h.log 2>&1 & pid=$!
  for _ in $(seq 100); do [ "$(grep -cE 'HHCDA020I|HHCCF044E' h.log)" -ge $# ] && break; sleep 0.1; done
  kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  grep -E 'HHCDA|HHCCF044E' h.log
}
# KIND SIGNAL: start the restore from a tape cut at half, wait until it has written all
# it got (the busy mark set, or the new compressed file started), then send SIGNAL.
stop_midway() {
  local tape=c-$(flavour $1).aws
  slow_tape slow.aws $tape $(( $(stat -c %s $tape) / 2 )) $( [ "$2" = KILL ] && echo 60 || echo 2 )
  "$DDR" -q restore --force slow.aws t.$1 2>stop.err & local pid=$!
  for _ in $(seq 100); do [ -e fed ] && break; sleep 0.1; done
  # The target in its unfinished state (the busy name, or the compressed image's new
  # file), not just the tape fed: a loaded machine can take longer than the pause below.
  for _ in $(seq 100); do
    [ -e t.$1.ddr-busy ] || compgen -G ".t.$1.ddr-tmp.*" >/dev/null && break; sleep 0.1
  done
  sleep 0.5
  kill -"$2" $pid; wait $pid; STOP_RC=$?
  stop_feeder
}

# ---- 1. SIGKILL at several moments of the restore, then the same restore again ----
for k in $kinds; do
  states=""
  for delay in 0.005 0.02 0.04 0.07 0.1 0.15 0.25; do
    fresh $k
    timeout -s KILL $delay "$DDR" -q restore --force c-$(flavour $k).aws t.$k 2>/dev/null
    if [ -e t.$k.ddr-busy ]; then states="$states busy"
    elif cmp -s t.$k tpl.$k; then states="$states unchanged"
    else states="$states done"; fi
    again $k c "$k: killed after ${delay}s" --force
    # A compressed update killed outright leaves its new file half built: the next run removes it.
    ls -A | grep -q "^\.t\.$k\.ddr-tmp" && bad "$k: a temporary file is left after the redo" 
  done
  ok "$k: states the kills left:$states"
done

# ---- 2. stopped in the middle of writing: what is left, and what sees it ----
for k in ckd fba; do
  fresh $k
  stop_midway $k KILL
  [ ! -e t.$k ] && [ -e t.$k.ddr-busy ] && ok "$k: killed mid-restore: only t.$k.ddr-busy is left" \
    || bad "$k: killed mid-restore: $(ls t.$k* 2>&1 | tr '\n' ' ')"
  out=$(dasdcopy -q t.$k x.out 2>&1); rc=$?
  [ $rc != 0 ] && [ ! -e x.out ] && ok "  dasdcopy t.$k refuses (exit $rc): $(echo "$out" | tail -1)" || bad "dasdcopy took t.$k: $out"
  rm -f x.out
  expect 3 "  ddr list t.$k" -- "$DDR" list t.$k
  contains "incomplete" "list"; contains "ddr restore TAPE t.$k" "list"
  expect 3 "  ddr verify TAPE --against t.$k" -- "$DDR" verify c-$(flavour $k).aws --against t.$k
  contains "did not finish" "verify"; contains "it is named t.$k.ddr-busy" "verify"
  expect 3 "  ddr dump t.$k" -- "$DDR" dump t.$k x.aws
  expect 3 "  ddr copy t.$k" -- "$DDR" copy t.$k x.img
  expect 3 "  ddr manifest t.$k" -- "$DDR" manifest t.$k
  expect 6 "  ddr init over its name" -- "$DDR" init t.$k 3390-1 NEW001
  [ ! -e x.aws ] && [ ! -e x.img ] && ok "  nothing made from it" || bad "something was made from a busy image"
done
out=$(dasdls t.ckd 2>&1); echo "$out" | grep -q "Cannot open t.ckd" && ok "dasdls t.ckd: cannot open" || bad "dasdls t.ckd: $out"
out=$(dasdls t.ckd.ddr-busy 2>&1); echo "$out" | grep -q "CKD header invalid" && ok "dasdls t.ckd.ddr-busy: CKD header invalid" || bad "dasdls busy: $out"
[ "$(head -c 8 t.ckd.ddr-busy)" = DDR_BUSY ] && ok "t.ckd.ddr-busy reads DDR_BUSY" || bad "no DDR_BUSY magic"
out=$(hercules_attach t.ckd t.ckd.ddr-busy)
[ "$(echo "$out" | grep -c 'Initialization failed for device 012[01]')" = 2 ] && echo "$out" | grep -q 't.ckd.ddr-busy CKD header invalid' \
  && ok "Hercules' CKD device refuses both names" || bad "Hercules attached a busy image: $out"
# The record says which dump was being restored: no volser question when it is redone.
for k in ckd fba; do
  old=$( [ $k = ckd ] && echo TGT001 || echo TGTF01 )
  expect 6 "$k: the same dump again with a --volser the target never had" -- "$DDR" restore --volser WRONG1 c-$k.aws t.$k
  contains "the target's volser was $old, not WRONG1" "$k redo --volser"
  again $k c "$k: killed mid-restore, the same restore again (no --force needed)"
  case "$AGAIN_OUT" in *"finishing a restore of "*"which did not finish"*) ok "  says it finishes the interrupted restore";;
    *) bad "$k: no note about finishing: $AGAIN_OUT";; esac
done
out=$(dasdls t.ckd 2>&1); echo "$out" | grep -q "VOLSER=VOLA01" && ok "dasdls t.ckd after the redo: VOLSER=VOLA01" || bad "dasdls after redo: $out"
out=$(hercules_attach t.ckd)
echo "$out" | grep -q 't.ckd cyls=50 heads=15' && ! echo "$out" | grep -q 'Initialization failed' \
  && ok "Hercules' CKD device attaches t.ckd after the redo" || bad "Hercules after the redo: $out"
rm -f h.cckd; dasdcopy -q t.ckd h.cckd >/dev/null 2>&1 && "$DDR" -q verify c-ckd.aws --against h.cckd >/dev/null \
  && ok "dasdcopy t.ckd after the redo: a copy equal to the dump" || bad "dasdcopy after redo"
rm -f h.cfba; dasdcopy -q t.fba h.cfba >/dev/null 2>&1 && "$DDR" -q verify c-fba.aws --against h.cfba >/dev/null \
  && ok "dasdcopy t.fba after the redo: a copy equal to the dump" || bad "dasdcopy fba after redo"
# A compressed target is rebuilt beside the original: stopped midway, it is unchanged.
for k in cckd cfba; do
  fresh $k
  stop_midway $k KILL
  cmp -s t.$k tpl.$k && ok "$k: killed mid-restore: t.$k unchanged" || bad "$k: killed mid-restore changed t.$k"
  again $k c "$k: the same restore again" --force
  case "$AGAIN_OUT" in *"removed ./.t.$k.ddr-tmp."*) ok "  the redo removed the killed run's temporary file";;
    *) bad "$k: no temporary file removed: $AGAIN_OUT";; esac
  out=$(cckdcdsk -3 t.$k 2>&1); before=$(sum t.$k)
  [ -z "$out" ] && [ "$(sum t.$k)" = "$before" ] && ok "  cckdcdsk -3 t.$k: clean" || bad "cckdcdsk -3 t.$k: $out"
done

# ---- 3. SIGINT and SIGTERM: exit 130 and a message that says what is left ----
for k in $kinds; do
  fresh $k
  stop_midway $k INT
  msg=$(tail -1 stop.err)
  [ "$STOP_RC" = 130 ] && ok "$k: SIGINT mid-restore: exit 130" || bad "$k: SIGINT: exit $STOP_RC: $msg"
  LAST_ERROR=$msg
  if compressed $k; then
    contains "t.$k was not changed" "$k sigint"; contains "run the same restore again" "$k sigint"
  else
    contains "t.$k is now INCOMPLETE" "$k sigint"; contains "t.$k.ddr-busy" "$k sigint"
    contains "run the same restore again" "$k sigint"
  fi
  again $k c "$k: after SIGINT" --force
done
fresh ckd; stop_midway ckd TERM
[ "$STOP_RC" = 130 ] && ok "ckd: SIGTERM mid-restore: exit 130" || bad "SIGTERM: exit $STOP_RC"
LAST_ERROR=$(tail -1 stop.err); contains "INCOMPLETE" "sigterm"
again ckd c "ckd: after SIGTERM"

# ---- 4. another dump onto an unfinished target: the volser it had before counts ----
for k in ckd fba; do
  fresh $k; stop_midway $k KILL
  old=$( [ $k = ckd ] && echo TGT001 || echo TGTF01 )
  expect 6 "$k: another dump onto it without --volser" -- "$DDR" restore b-$k.aws t.$k
  contains "before the restore that did not finish, the target's volser was $old" "$k other dump"
  contains "still INCOMPLETE" "$k other dump"
  expect 6 "$k: --volser naming another volser" -- "$DDR" restore --volser WRONG1 b-$k.aws t.$k
  again $k b "$k: --volser $old" --volser $old
  fresh $k; stop_midway $k KILL
  again $k b "$k: another dump with --force" --force
done

# ---- 5. a bad tape under --no-precheck, then the good one ----
for k in ckd fba; do
  tape=c-$k.aws; size=$(stat -c %s $tape)
  head -c $((size * 2 / 3)) $tape > half-$k.aws
  python3 - $tape flip-$k.aws <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read()); d[len(d) * 2 // 3] ^= 0x10; open(sys.argv[2], 'wb').write(d)
PY
  fresh $k
  expect 3 "$k: a truncated tape under --no-precheck" -- "$DDR" restore --no-precheck --force half-$k.aws t.$k
  contains "is now INCOMPLETE" "$k truncated"; contains "t.$k.ddr-busy" "$k truncated"
  contains "run the same restore again" "$k truncated"
  expect 3 "$k: the truncated tape again, checked first" -- "$DDR" restore half-$k.aws t.$k
  contains "was not changed by this run but is still INCOMPLETE" "$k precheck"
  case "$LAST_ERROR" in *"not touched"*) bad "$k: says 'not touched' about an incomplete target";; *) ok "  never says 'not touched'";; esac
  again $k c "$k: the good tape after a truncated one"
  fresh $k
  expect 4 "$k: a damaged tape under --no-precheck" -- "$DDR" restore --no-precheck --force flip-$k.aws t.$k
  contains "is now INCOMPLETE" "$k damaged"; contains "run the same restore again" "$k damaged"
  again $k c "$k: the good tape after a damaged one"
  fresh $k
  expect 3 "$k: a truncated tape from a pipe" -- sh -c "cat half-$k.aws | \"$DDR\" restore --force - t.$k"
  contains "is now INCOMPLETE" "$k pipe"
  again $k c "$k: the good tape after the pipe"
  fresh $k
  expect 3 "$k: a truncated tape onto an intact target" -- "$DDR" restore --force half-$k.aws t.$k
  contains "t.$k was not changed" "$k intact"
  cmp -s t.$k tpl.$k && ok "  and it was not" || bad "$k: precheck failure changed the target"
done

# ---- 6. a missing middle reel under --no-precheck, then every reel ----
"$DDR" -q dump --reel-size 4M c.3390 r1.aws r2.aws r3.aws || bad "multi-reel dump"
fresh ckd
expect 5 "a missing middle reel under --no-precheck" -- "$DDR" restore --no-precheck --force r1.aws r3.aws t.ckd
contains "is now INCOMPLETE" "missing reel"; contains "every reel of the dump" "missing reel"
expect 5 "the first reel alone under --no-precheck" -- "$DDR" restore --no-precheck r1.aws t.ckd
contains "INCOMPLETE" "first reel alone"
"$DDR" -q restore r1.aws r2.aws r3.aws t.ckd && ok "every reel: exit 0" || bad "every reel"
equal ckd c "every reel after a missing one"

# ---- 7. both names exist: refused, naming both ----
fresh ckd; stop_midway ckd KILL
cp --sparse=always tpl.ckd t.ckd; before=$(sum t.ckd.ddr-busy)
expect 6 "t.ckd and t.ckd.ddr-busy both exist" -- "$DDR" restore c-ckd.aws t.ckd
contains "t.ckd and t.ckd.ddr-busy both exist" "both"; contains "did not finish" "both"
cmp -s t.ckd tpl.ckd && [ "$(sum t.ckd.ddr-busy)" = "$before" ] && ok "  neither was touched" || bad "both: a file changed"
rm t.ckd; again ckd c "after removing the other file"
fresh fba; stop_midway fba KILL; cp --sparse=always tpl.fba t.fba
expect 6 "t.fba and t.fba.ddr-busy both exist" -- "$DDR" restore c-fba.aws t.fba
contains "t.fba and t.fba.ddr-busy both exist" "both fba"
rm t.fba; again fba c "fba: after removing the other file"

# ---- 8. an image ddr 0.1 left marked DDR_BUSY under its own name ----
fresh ckd
python3 -c "
d = bytearray(open('t.ckd', 'rb').read(512)); d[504:512] = d[0:8]; d[0:8] = b'DDR_BUSY'
f = open('t.ckd', 'r+b'); f.write(d)"
expect 3 "list of an image marked DDR_BUSY in place" -- "$DDR" list t.ckd
contains "its magic reads DDR_BUSY" "in place"
again ckd c "an image marked DDR_BUSY in place, restored again" --force

# ---- 9. disk full: a small file system, then room, then the same restore again ----
cat > full.sh <<'EOF'
set -u
. "$LIB"
mkdir -p fs
mount -t tmpfs -o size=$(( $(du -k t.$1 | cut -f1) + 3072 ))k tmpfs fs || { echo "SKIP cannot mount a tmpfs"; exit 0; }
cp --sparse=always t.$1 fs/t.$1
expect 8 "$1: disk full mid-restore" -- "$DDR" restore --force $2 fs/t.$1
if [ "$3" = compressed ]; then
  contains "fs/t.$1 was not changed" "$1 full"; cmp -s fs/t.$1 t.$1 && ok "  unchanged" || bad "$1: disk full changed it"
  ls -A fs | grep -q ddr-tmp && bad "$1: temporary file left" || ok "  no temporary file left"
else
  contains "fs/t.$1 is now INCOMPLETE" "$1 full"; contains "fs/t.$1.ddr-busy" "$1 full"
  contains "run the same restore again" "$1 full"
fi
mount -o remount,size=200m fs
"$DDR" -q restore --force $2 fs/t.$1 && ok "$1: with room, the same restore again: exit 0" || bad "$1: after disk full"
cmp -s fs/t.$1 ref-c.$1 && ok "  equal to an uninterrupted restore" || bad "$1: differs after disk full"
umount fs
finish
EOF
if command -v unshare >/dev/null && unshare -m --propagation private true 2>/dev/null; then
  for k in $kinds; do
    fresh $k
    compressed $k && how=compressed || how=plain
    out=$(LIB="$(dirname "$0")/lib.sh" DDR="$DDR" unshare -m --propagation private bash full.sh $k c-$(flavour $k).aws $how 2>&1)
    echo "$out" | grep -v '^all ok$'
    echo "$out" | grep -q '^FAIL' && fails=$((fails + 1))
  done
else
  echo "SKIP disk full: cannot make a private mount namespace here (unshare -m), so no small file system to fill"
fi
finish
