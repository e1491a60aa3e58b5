#!/usr/bin/env bash
# dump --resume: a dump to a tape file killed (SIGKILL) or stopped (SIGINT, SIGTERM) at
# random moments, CKD and FBA, AWS and HET, is continued by --resume into exactly the tape
# an uninterrupted dump with the same SOURCE_DATE_EPOCH writes, and that tape verifies.
# The dump is slowed down honestly by the fault shim's op=delay on the source's reads
# (tests/faults/faultshim.c), not by a hook in ddr.  Every refusal (no record, a damaged
# record, another source or other options, a pipe, other reels or mirrors, a mirror in
# another folder, a plain dump onto an unfinished one) has its exit status and leaves the
# unfinished tape as it was; a source changed since is said and the dump starts over;
# SOURCE_DATE_EPOCH fixes the dump time.  The same over four reels and with a --mirror
# set: stopped in a reel and between two, continued into every reel of both sets
# byte-identical; a change in the track backed up over at a reel's end named exactly.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
DYN="$TOOLS/ddr-dynamic"; SHIM="$TOOLS/faultshim.so"
[ -x "$DYN" ] && [ -f "$SHIM" ] || { echo "FAIL: $DYN or $SHIM not built (make tools)"; exit 1; }
export SOURCE_DATE_EPOCH=1764000000   # 2025-11-24 16:00:00 UTC

"$TOOLS/make-sample-volume" c.ckd 3390-1 VOLA01 20 1 60 hercules || bad "sample CKD volume"
fba_volume c.fba FBAA01 30000 7 2 || bad "FBA volume"

# ---- 1. SOURCE_DATE_EPOCH fixes the dump time; without it the time is now ----
"$DDR" -q dump c.ckd e1.aws && "$DDR" -q dump c.ckd e2.aws || bad "dumps with SOURCE_DATE_EPOCH"
cmp -s e1.aws e2.aws && ok "two dumps with the same SOURCE_DATE_EPOCH are byte-identical" || bad "epoch dumps differ"
"$DDR" --json dump c.ckd e3.aws > e3.json 2>/dev/null
grep -q '"dump_time": *"2025-11-24T16:00:00' e3.json && ok "the dump time is SOURCE_DATE_EPOCH's" \
  || bad "dump time with SOURCE_DATE_EPOCH: $(grep -o '"dump_time"[^,]*' e3.json)"
today=$(date -u +%Y-%m-%d)
env -u SOURCE_DATE_EPOCH "$DDR" --json dump c.ckd now.aws > now.json 2>/dev/null
grep -q "\"dump_time\": *\"$today" now.json && ! cmp -s now.aws e1.aws && ok "without it, the dump time is now ($today)" \
  || bad "dump time without SOURCE_DATE_EPOCH: $(grep -o '"dump_time"[^,]*' now.json)"
expect 2 "a SOURCE_DATE_EPOCH that is no number" -- env SOURCE_DATE_EPOCH=yesterday "$DDR" dump c.ckd x.aws
contains "SOURCE_DATE_EPOCH" "bad epoch"

for k in ckd fba; do for f in aws het; do
  "$DDR" -q dump --format $f c.$k ref-$k.$f || bad "reference dump $k $f"
done; done

# DELAY is the shim's pause before each read of the source (µs): a dump takes a second or two.
delay_of() { [ $1 = ckd ] && echo 4000 || echo 1500; }
# KIND FORMAT SIGNAL EXTRA: a slowed dump of c.KIND to t.FORMAT, stopped by SIGNAL EXTRA
# seconds after its resume record first counts some groups on the tape.
interrupt() {
  DDR_FAULTS="op=delay,path=c.$1,usec=$(delay_of $1)" LD_PRELOAD="$SHIM" \
    "$DYN" dump --record-interval 0.05 --format $2 c.$1 t.$2 > /dev/null 2> stop.err &
  local pid=$! units
  for _ in $(seq 300); do
    units=$(od -An -tu8 -j40 -N8 t.$2.ddr-resume 2>/dev/null | tr -d ' ')
    [ "${units:-0}" -gt 0 ] && break; sleep 0.02
  done
  sleep $4; kill -$3 $pid 2>/dev/null; { wait $pid; } 2>/dev/null; STOP_RC=$?
}
clean() { rm -f t.$1 t.$1.ddr-resume .t.$1.ddr-tmp.*; }

# ---- 2. 16 interruptions at random moments (each kind and container: SIGKILL, SIGINT,
# SIGTERM and one of them again), each continued by --resume ----
# Sections 2-5: under the sanitizers (make sanitize) the shim is not preloaded before their
# runtime, and their own interceptors keep reads from reaching it, so nothing slows the dump.
if [ -n "${DDR_SANITIZED:-}" ]; then
  ok "skip: the shim that slows the dump down is not tried under the sanitizers (sections 2-5)"
else
  resumed=0; runs=0; signals=(KILL INT TERM)
  RANDOM=${DUMP_RESUME_SEED:-1313}
  for k in ckd fba; do for f in aws het; do for sig in KILL INT TERM ${signals[$((RANDOM % 3))]}; do
    clean $f
    delay=0.$((RANDOM % 7))$((RANDOM % 10))
    interrupt $k $f $sig $delay
    runs=$((runs + 1))
    what="$k $f, SIG$sig ${delay}s after its first record"
    if [ -e t.$f.ddr-resume ]; then
      out=$("$DDR" dump --resume --format $f c.$k t.$f 2>&1); rc=$?
      case "$out" in *"continuing the dump"*) resumed=$((resumed + 1));; esac
    elif [ -e t.$f ]; then out="it completed"; rc=0
    else out=$("$DDR" dump --format $f c.$k t.$f 2>&1); rc=$?; fi
    [ $rc = 0 ] || bad "$what: the run after it exited $rc: $out"
    if cmp -s t.$f ref-$k.$f && "$DDR" -q verify t.$f > /dev/null && [ -z "$(ls -A | grep -E "^\.t\.$f\.ddr-tmp|^t\.$f\.ddr-resume$")" ]; then
      ok "$what (exit $STOP_RC): continued, byte-identical to an uninterrupted dump, verifies, nothing left"
    else bad "$what: t.$f differs from ref-$k.$f, does not verify, or something is left: $(ls -A | grep "t\.$f" | tr '\n' ' ')"; fi
  done; done; done
  [ $resumed -ge 13 ] && ok "$resumed of $runs dumps were continued midway by --resume" \
    || bad "only $resumed of $runs dumps were continued midway (the others had finished or not begun)"

# ---- 3. what an interrupted dump leaves, who keeps it, and the refusals ----
clean aws; interrupt ckd aws INT 0.1
[ "$STOP_RC" = 130 ] && ok "SIGINT: exit 130" || bad "SIGINT: exit $STOP_RC"
LAST_ERROR=$(tail -1 stop.err); contains "t.aws was not made" "sigint"; contains "--resume continues it" "sigint"
temp=$(ls -A | grep '^\.t\.aws\.ddr-tmp\.' | head -1)
[ -n "$temp" ] && [ -e t.aws.ddr-resume ] && [ ! -e t.aws ] && ok "kept: $temp and t.aws.ddr-resume, no t.aws" \
  || bad "after SIGINT: $(ls -A | tr '\n' ' ')"
before=$(sum "$temp")$(sum t.aws.ddr-resume)
"$DDR" -q dump c.fba other.aws 2>/dev/null && [ -e "$temp" ] && ok "another dump's cleanup spares the temporary" \
  || bad "the cleanup of another run removed $temp"
expect 6 "a dump without --resume onto it" -- "$DDR" dump c.ckd t.aws
contains "--resume to continue it" "plain dump"; contains "$temp" "plain dump"
cp c.ckd d.ckd
expect 2 "--resume with another source" -- "$DDR" dump --resume d.ckd t.aws
contains "/c.ckd, not of d.ckd" "other source"   # the record keeps the absolute path
expect 2 "--resume with other --cylinders" -- "$DDR" dump --resume -c 0-10 c.ckd t.aws
expect 2 "--resume --pure" -- "$DDR" dump --resume --pure c.ckd t.aws
expect 2 "--resume --format het" -- "$DDR" dump --resume --format het c.ckd t.aws
expect 2 "--resume to standard output" -- "$DDR" dump --resume c.ckd -
contains "standard output" "stdout"
expect 2 "--resume with more reels than the interrupted dump was given" -- "$DDR" dump --resume --reel-size 3M c.ckd t.aws t2.aws
contains "TAPE arguments or --mirror sets" "more reels"
expect 2 "--resume with a --mirror set the interrupted dump did not have" -- "$DDR" dump --resume c.ckd t.aws --mirror m.aws
mkdir -p elsewhere
expect 2 "--resume with a mirror in another folder" -- "$DDR" dump --resume c.ckd t.aws --mirror elsewhere/m.aws
contains "not all in one folder" "mirror elsewhere"
[ "$(sum "$temp")$(sum t.aws.ddr-resume)" = "$before" ] && [ ! -e t.aws ] && ok "  the refusals touched nothing" \
  || bad "a refusal changed the temporary or the record"
cp t.aws.ddr-resume rec.bak
printf '\x01' | dd of=t.aws.ddr-resume bs=1 seek=41 conv=notrunc status=none
expect 3 "--resume with a damaged record" -- "$DDR" dump --resume c.ckd t.aws
contains "CRC-32" "damaged record"; contains "t.aws.ddr-resume" "damaged record"
cp rec.bak t.aws.ddr-resume
# (given by another path to the same source)
"$DDR" --json dump --resume "$PWD/c.ckd" t.aws > resumed.json 2>/dev/null && cmp -s t.aws ref-ckd.aws \
  && ok "then --resume completes it, byte-identical" || bad "resume after refusals"
grep -q '"resumed": *true' resumed.json && grep -q '"resumed_from": *"cyl ' resumed.json \
  && ok "  its report says resumed, from $(grep -o '"resumed_from": *"[^"]*"' resumed.json)" \
  || bad "the report of the resumed dump: $(grep -o '"resum[^,]*' resumed.json | tr '\n' ' ')"
expect 6 "--resume once it is complete (no record)" -- "$DDR" dump --resume --overwrite c.ckd t.aws
contains "no resume record" "no record"

# ---- 4. an interrupted dump that kept no record behaves as before ----
clean aws
DDR_FAULTS="op=delay,path=c.ckd,usec=4000" LD_PRELOAD="$SHIM" "$DYN" dump --record-interval 0 c.ckd t.aws 2> stop.err &
pid=$!; sleep 0.5; kill -INT $pid; { wait $pid; } 2>/dev/null; rc=$?
[ $rc = 130 ] && [ -z "$(ls -A | grep -E '^\.t\.aws\.ddr-tmp|^t\.aws')" ] \
  && ok "--record-interval 0, SIGINT: exit 130, no record, the temporary removed" \
  || bad "--record-interval 0: exit $rc, left $(ls -A | grep 't\.aws' | tr '\n' ' ')"
LAST_ERROR=$(tail -1 stop.err)
case "$LAST_ERROR" in *"--resume"*) bad "a dump without a record speaks of --resume: $LAST_ERROR";;
  *) ok "  and its message does not offer --resume";; esac

# ---- 5. a source changed since: said, and the dump starts over ----
for k in ckd fba; do
  cp c.$k s.$k; rm -f s.aws s.aws.ddr-resume .s.aws.ddr-tmp.*
  DDR_FAULTS="op=delay,path=s.$k,usec=$(delay_of $k)" LD_PRELOAD="$SHIM" \
    "$DYN" dump --record-interval 0.05 s.$k s.aws > /dev/null 2>&1 &
  pid=$!
  for _ in $(seq 300); do [ -e s.aws.ddr-resume ] && break; sleep 0.02; done
  sleep 0.2; kill -KILL $pid; { wait $pid; } 2>/dev/null
  [ -e s.aws.ddr-resume ] || { bad "$k: the dump of s.$k was not stopped midway"; continue; }
  at=$( [ $k = ckd ] && echo $((512 + 56832 + 3000)) || echo $((4 * 512 + 100)) )  # track 1 / block 4
  printf '\x5a' | dd of=s.$k bs=1 seek=$at conv=notrunc status=none
  out=$("$DDR" dump --resume s.$k s.aws 2>&1); rc=$?
  # (a kill that lands while the record is being replaced leaves its temporary, which this
  # run removes with a warning of its own first)
  LAST_ERROR=$(printf '%s' "$out" | grep warning | grep -v 'left unfinished by ddr process' | head -1)
  [ $rc = 0 ] && ok "$k: --resume after the source changed: exit 0" || bad "$k: --resume after a change: exit $rc: $out"
  contains "differs from what the interrupted dump wrote" "$k changed"; contains "starting the dump over" "$k changed"
  contains "$( [ $k = ckd ] && echo 'cyl 0 head 1' || echo 'block ' )" "$k changed"
  "$DDR" -q dump s.$k fresh-s.aws && cmp -s s.aws fresh-s.aws && "$DDR" -q verify s.aws --against s.$k > /dev/null \
    && [ ! -e s.aws.ddr-resume ] && ok "  the dump made over equals a fresh one and verifies against the source" \
    || bad "$k: the dump made over"
  rm -f fresh-s.aws
done

fi  # sections 2-5 stop a dump slowed down by the shim

# ---- 6. over four reels, and with a --mirror set: stopped during a reel and between two,
# every reel of both sets continued byte-identical to an uninterrupted dump ----
REELS=(t1.aws t2.aws t3.aws t4.aws)
"$DDR" -q dump --reel-size 1250K c.ckd ref1.aws ref2.aws ref3.aws ref4.aws || bad "reference dump over 4 reels"
[ -s ref4.aws ] || bad "the reference dump does not take 4 reels"
mclean() { rm -f t[1-4].aws n[1-4].aws t1.aws.ddr-resume .t[1-4].aws.ddr-tmp.* .n[1-4].aws.ddr-tmp.*; }
mirror_of() { [ "$1" = 2 ] && echo "--mirror n1.aws,n2.aws,n3.aws,n4.aws"; }
left_over() { ls -A | grep -E '^\.[tn][1-4]\.aws\.ddr-tmp|^t1\.aws\.ddr-resume$'; }
# SIGNAL WHEN SETS [SECONDS]: a slowed dump of c.ckd over four reels (SETS 2: and a mirror
# set n1..n4) stopped by SIGNAL once WHEN holds ("rec N": its record names N reels of each
# set; "new N": reel N's temporary file was just created), SECONDS later.
# Reels of 1250K leave reel 4 about 67 tracks: the dump reads up to 32 tracks ahead of the
# encoder, and a shorter last reel (24 tracks at 1500K) was done before a signal could land.
minterrupt() {
  DDR_FAULTS="op=delay,path=c.ckd,usec=2500" LD_PRELOAD="$SHIM" "$DYN" dump --record-interval 0.05 \
    --reel-size 1250K c.ckd "${REELS[@]}" $(mirror_of $3) > /dev/null 2> stop.err &
  local pid=$! n=${2#* } temps
  for _ in $(seq 1000); do
    case $2 in
      rec*) temps=$(od -An -tu4 -j36 -N4 t1.aws.ddr-resume 2>/dev/null | tr -d ' ')
            [ "${temps:-0}" -ge $((n * $3)) ] && break;;
      new*) ls -A | grep -q "^\.t$n\.aws\.ddr-tmp\." && break;;
    esac
    sleep 0.01
  done
  sleep ${4:-0}; kill -$1 $pid 2>/dev/null; { wait $pid; } 2>/dev/null; STOP_RC=$?
}
# SETS: every reel of every set equals the reference's, verifies, and nothing is left.
mcompare() {
  local i; for i in 1 2 3 4; do
    cmp -s t$i.aws ref$i.aws || return 1
    [ "$1" = 1 ] || cmp -s n$i.aws ref$i.aws || return 1
  done
  "$DDR" -q verify "${REELS[@]}" > /dev/null || return 1
  [ "$1" = 1 ] || "$DDR" -q verify n1.aws n2.aws n3.aws n4.aws > /dev/null || return 1
  [ -z "$(left_over)" ]
}
if [ -n "${DDR_SANITIZED:-}" ]; then
  ok "skip: the shim that slows the dump down is not tried under the sanitizers"
else
  for run in "KILL:rec 1:1:0.2:in reel 1" "KILL:new 2:2:0:between reels 1 and 2" "INT:rec 2:2:0.3:in reel 2" \
             "TERM:new 3:1:0:between reels 2 and 3" "KILL:rec 3:2:0.1:in reel 3" "KILL:rec 4:2:0:in reel 4"; do
    IFS=: read -r sig when sets secs where <<< "$run"
    mclean; minterrupt $sig "$when" $sets $secs
    what="$sets set(s), SIG$sig $where (exit $STOP_RC, the record names $(od -An -tu4 -j36 -N4 t1.aws.ddr-resume 2>/dev/null | tr -d ' ') reel files)"
    [ -e t1.aws.ddr-resume ] && [ ! -e t1.aws ] && [ ! -e t4.aws ] \
      || { bad "$what: not stopped midway: $(ls -A | grep -E '[tn][1-4]\.aws' | tr '\n' ' ')"; continue; }
    out=$("$DDR" dump --resume --reel-size 1250K c.ckd "${REELS[@]}" $(mirror_of $sets) 2>&1); rc=$?
    if [ $rc = 0 ] && mcompare $sets; then ok "$what: continued, every reel byte-identical, verifies, nothing left"
    else bad "$what: exit $rc: $(printf '%s' "$out" | grep -v 'end of reel' | tail -2); left: $(ls -A | grep -E '[tn][1-4]\.aws' | tr '\n' ' ')"; fi
  done

  # The refusals leave every reel file and the record as they were.
  mclean; minterrupt KILL "rec 3" 2 0.1
  files=$(left_over)
  state() { for f in $files; do sum $f; done; }
  before=$(state)
  expect 2 "multi-reel --resume without the --mirror set" -- "$DDR" dump --resume --reel-size 1250K c.ckd "${REELS[@]}"
  expect 2 "multi-reel --resume with three of the four reels" -- "$DDR" dump --resume --reel-size 1250K c.ckd t1.aws t2.aws t3.aws $(mirror_of 2)
  expect 2 "multi-reel --resume of another source" -- "$DDR" dump --resume --reel-size 1250K d.ckd "${REELS[@]}" $(mirror_of 2)
  mtemp=$(ls -A | grep '^\.n2\.aws\.ddr-tmp\.')
  mv "$mtemp" aside.tmp
  expect 6 "multi-reel --resume with a mirror reel's temporary gone" -- "$DDR" dump --resume --reel-size 1250K c.ckd "${REELS[@]}" $(mirror_of 2)
  contains "$mtemp" "mirror temp gone"
  head -c 1000 aside.tmp > "$mtemp"
  expect 3 "multi-reel --resume with an ended reel cut short" -- "$DDR" dump --resume --reel-size 1250K c.ckd "${REELS[@]}" $(mirror_of 2)
  contains "interrupted run recorded" "reel cut short"
  mv aside.tmp "$mtemp"
  cp t1.aws.ddr-resume rec.bak
  printf '\x03' | dd of=t1.aws.ddr-resume bs=1 seek=30 conv=notrunc status=none
  expect 3 "multi-reel --resume with its tape sets byte flipped" -- "$DDR" dump --resume --reel-size 1250K c.ckd "${REELS[@]}" $(mirror_of 2)
  cp rec.bak t1.aws.ddr-resume
  [ "$(state)" = "$before" ] && [ ! -e t1.aws ] && [ ! -e n1.aws ] && ok "  the refusals touched no reel file and not the record" \
    || bad "a multi-reel refusal changed a reel file or the record"

  # A source changed since, in reel 1 and in the track the writer backed up over at reel 1's
  # end (the first of reel 2): named exactly, and the dump starts over leaving nothing behind.
  first2=$("$DDR" dump --reel-size 1250K c.ckd x1.aws x2.aws x3.aws x4.aws 2>&1 | grep -o 'end of reel 1 at cyl [0-9]* head [0-9]*' | grep -o 'cyl.*')
  rm -f x[1-4].aws
  mkdir -p kept; cp -a $files kept/
  for change in "cyl 3 head 7" "$first2"; do
    cyl=$(echo "$change" | awk '{print $2}'); head=$(echo "$change" | awk '{print $4}')
    rm -f .[tn][1-4].aws.ddr-tmp.* t1.aws.ddr-resume; cp -a kept/. .
    # The record names c.ckd: a changed copy takes its place for the --resume.
    cp c.ckd c.orig
    printf '\x5a' | dd of=c.ckd bs=1 seek=$((512 + (cyl * 15 + head) * 56832 + 3000)) conv=notrunc status=none
    out=$("$DDR" dump --resume --reel-size 1250K c.ckd "${REELS[@]}" $(mirror_of 2) 2>&1); rc=$?
    LAST_ERROR=$(printf '%s' "$out" | grep warning | head -1)
    [ $rc = 0 ] && ok "a change at $change: --resume exits 0" || bad "a change at $change: exit $rc: $out"
    contains "$change of c.ckd differs" "change at $change"; contains "starting the dump over" "change at $change"
    "$DDR" -q dump --reel-size 1250K c.ckd f1.aws f2.aws f3.aws f4.aws
    same=1; for i in 1 2 3 4; do cmp -s t$i.aws n$i.aws && cmp -s t$i.aws f$i.aws || same=0; done
    mv c.orig c.ckd
    [ $same = 1 ] && [ -z "$(left_over)" ] \
      && ok "  the dump made over equals a fresh one on both sets, and nothing is left" || bad "the dump made over after $change"
    rm -f f[1-4].aws t[1-4].aws n[1-4].aws
  done
  rm -rf kept
fi
finish
