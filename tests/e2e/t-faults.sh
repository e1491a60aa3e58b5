#!/usr/bin/env bash
# Injected I/O faults (tests/faults/faultshim.c, LD_PRELOAD into the dynamically linked
# build of the same objects): EIO on read and on write, ENOSPC, short writes and fsync
# failures, on the source, the tape and the target, for dump, restore, verify and copy.
# After each: the exit code of its kind, one error line naming the file (and where it is
# known, the track or offset), no file left that looks complete, no temporary left, and
# every file that existed before unchanged (or, for a restore in place, marked INCOMPLETE
# and redone by running the same restore again).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
DYN="$TOOLS/ddr-dynamic"; SHIM="$TOOLS/faultshim.so"
[ -x "$DYN" ] && [ -f "$SHIM" ] || { echo "FAIL: $DYN or $SHIM not built (make tools)"; exit 1; }
# Under AddressSanitizer (make sanitize) the sanitizer's own interceptors of read, write and
# fsync come first, and many calls never reach the shim: the faults are tried on the plain
# build only (make check).
if [ -n "${DDR_SANITIZED:-}" ]; then echo "skip: fault injection is not tried under the sanitizers"; exit 0; fi

"$TOOLS/make-sample-volume" vol.3390 3390-3 FLT001 12 5 85 || bad "sample volume"
"$DDR" -q dump vol.3390 good.aws || bad "dump"
"$DDR" -q copy vol.3390 vol.cckd || bad "copy to CCKD"
"$DDR" -q copy good.aws good.het || bad "copy to HET"
"$DDR" -q init other.3390 3390-3 OTHER1 --cylinders 12 || bad "init"
mid=$(( $(stat -c %s vol.3390) / 2 ))
tapemid=$(( $(stat -c %s good.aws) / 2 ))

snapshot() { find . -maxdepth 1 -type f ! -name '*.log' ! -name '*.err' | sort | xargs sha256sum; }
# fault CODE WHAT RULES -- ddr-args...: the faulty run exits CODE; the shim fired; the last
# "ddr:" line names what PLACE_WANTED says; files before are unchanged and none is added.
fault() {
  local code=$1 what=$2 rules=$3; shift 4
  local before after rc
  before=$(snapshot)
  DDR_FAULTS="$rules" LD_PRELOAD="$SHIM" "$DYN" "$@" > out.log 2> run.err; rc=$?
  LAST_ERROR=$(grep '^ddr: ' run.err | grep -v '^ddr: warning' | tail -1)
  grep -q '^faultshim: ' run.err || { bad "$what: the fault was never reached ($rules)"; return 1; }
  [ "$rc" = "$code" ] || { bad "$what: exit $rc, wanted $code: $(tail -2 run.err | tr '\n' '|')"; return 1; }
  after=$(snapshot)
  if [ "${KEEP_CHANGES:-}" != 1 ] && [ "$before" != "$after" ]; then
    bad "$what: files changed: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | tr '\n' '|')"; return 1
  fi
  ls -a | grep -q 'ddr-tmp' && { bad "$what: a temporary was left: $(ls -a | grep ddr-tmp)"; return 1; }
  case "$LAST_ERROR" in *ddr-tmp*) bad "$what: the message names a temporary, not the file asked for: $LAST_ERROR"; return 1;; esac
  ok "$what (exit $rc): $LAST_ERROR"
}

# ---- dump ----
fault 9 "dump: source read error" "op=read,path=vol.3390,offset=$mid" -- dump vol.3390 out.aws
contains "vol.3390" "names the source"; contains "cyl " "names the track"; contains "read error" "says read error"
# Full tracks are read with the next slot's first bytes in the same call (preadv): a fault
# within a track names that track, one within the next slot's first bytes names the next.
"$TOOLS/make-sample-volume" dense.3390 3390-3 DNS001 3 7 85 dense || bad "dense sample volume"
slot16=$(( 512 + 21 * 56832 ))   # cyl 1 head 6; head 5's slot ends where it starts
fault 9 "dump: read error inside a full track" "op=read,path=dense.3390,offset=$(( slot16 - 20000 ))" -- dump dense.3390 out.aws
contains "cyl 1 head 5:" "names the track the bad byte is in"
fault 9 "dump: read error in the first bytes of the next track's slot" "op=read,path=dense.3390,offset=$(( slot16 + 100 ))" \
  -- dump dense.3390 out.aws
contains "cyl 1 head 6:" "names the next track, not the one read with it"
fault 8 "dump: tape write error" "op=write,path=out.aws,offset=100000" -- dump vol.3390 out.aws
contains "out.aws" "names the tape"; contains "write error" "says write error"; contains "offset 100000" "names the offset"
fault 8 "dump: tape full (ENOSPC)" "op=write,path=out.aws,offset=100000,error=ENOSPC" -- dump vol.3390 out.aws
contains "No space left" "says the disk is full"; contains "offset 100000" "names the offset where it stopped"
fault 8 "dump: tape fsync fails" "op=fsync,path=out.aws" -- dump vol.3390 out.aws
contains "out.aws" "names the tape"
fault 8 "dump --overwrite: write error leaves the old tape" "op=write,path=good.aws,offset=50000" -- dump --overwrite vol.3390 good.aws
fault 8 "dump --append: write error leaves the tape as it was" "op=write,path=good.aws,offset=$(( $(stat -c %s good.aws) + 20000 ))" \
  -- dump --append vol.3390 good.aws
fault 8 "dump to HET: write error" "op=write,path=out.het,offset=30000" -- dump --format het vol.3390 out.het
fault 9 "dump from CCKD: source read error" "op=read,path=vol.cckd,offset=$(( $(stat -c %s vol.cckd) / 2 ))" -- dump vol.cckd out.aws
contains "vol.cckd" "names the CCKD source"
# Short writes are not errors: the writer goes on where the kernel stopped.
DDR_FAULTS="op=short,path=short.aws,count=40" LD_PRELOAD="$SHIM" "$DYN" -q dump vol.3390 short.aws 2> run.err \
  && grep -q 'faultshim: short write' run.err && "$DDR" -q verify short.aws --against vol.3390 \
  && ok "dump: 40 short writes, and the tape is whole (verify --against the volume)" || bad "dump with short writes: $(cat run.err)"
rm -f short.aws
# A pipe that fails: standard output is the tape.
DDR_FAULTS="op=write,path=pipe:,offset=200000" LD_PRELOAD="$SHIM" "$DYN" dump vol.3390 - 2> run.err | cat > /dev/null
rc=${PIPESTATUS[0]}
[ "$rc" = 8 ] && ok "dump to a pipe that fails: exit 8: $(grep '^ddr:' run.err | tail -1)" || bad "dump to a failing pipe: exit $rc"

# ---- restore ----
fault 9 "restore: tape read error (new target)" "op=read,path=good.aws,offset=$tapemid" -- restore good.aws new.3390
contains "good.aws" "names the tape"; contains "offset $tapemid" "names the offset"
fault 8 "restore: target write error (new target)" "op=write,path=new.3390,offset=$mid" -- restore good.aws new.3390
contains "new.3390" "names the target"
fault 8 "restore: target full (new target)" "op=write,path=new.3390,offset=$mid,error=ENOSPC" -- restore good.aws new.3390
fault 8 "restore: target fsync fails (new target)" "op=fsync,path=new.3390" -- restore good.aws new.3390
fault 8 "restore to CCKD: target write error" "op=write,path=new.cckd,offset=20000" -- restore --format cckd good.aws new.cckd
fault 9 "restore from HET: tape read error" "op=read,path=good.het,offset=$(( $(stat -c %s good.het) / 2 ))" -- restore good.het new.3390
before=$(snapshot)
DDR_FAULTS="op=read,path=pipe:,offset=$tapemid" LD_PRELOAD="$SHIM" "$DYN" restore - piped.3390 < <(cat good.aws) 2> run.err
rc=$?
[ "$rc" = 9 ] && [ ! -e piped.3390 ] && [ "$before" = "$(snapshot)" ] && ! ls -a | grep -q ddr-tmp \
  && ok "restore from a pipe that fails: exit 9, nothing made: $(grep '^ddr:' run.err | tail -1)" \
  || bad "restore from a failing pipe: exit $rc: $(tail -2 run.err)"
fault 9 "restore onto an existing volume: tape read error leaves it unchanged" "op=read,path=good.aws,offset=$tapemid" \
  -- restore --volser OTHER1 good.aws other.3390
contains "good.aws" "names the tape"
# A write error in place: the volume is marked INCOMPLETE (renamed .ddr-busy), and the same
# restore, run again without the fault, finishes it.
KEEP_CHANGES=1 fault 8 "restore onto an existing volume: target write error" "op=write,path=other.3390,offset=$mid" \
  -- restore --volser OTHER1 good.aws other.3390
contains "INCOMPLETE" "says the target is incomplete"
[ -e other.3390 ] && bad "  other.3390 still looks like a usable volume" || ok "  other.3390 is no longer there under its name"
"$DDR" -q restore --volser OTHER1 good.aws other.3390 2> run.err && cmp -s vol.3390 other.3390 \
  && ok "  the same restore again makes it equal to the source" || bad "  the restore again: $(cat run.err)"

# ---- verify ----
fault 9 "verify: tape read error" "op=read,path=good.aws,offset=$tapemid" -- verify good.aws
contains "good.aws" "names the tape"
fault 9 "verify --against: volume read error" "op=read,path=vol.3390,offset=$mid" -- verify good.aws --against vol.3390
contains "vol.3390" "names the volume"

# ---- copy ----
fault 9 "copy CKD->CCKD: source read error" "op=read,path=vol.3390,offset=$mid" -- copy vol.3390 new.cckd
fault 8 "copy CKD->CCKD: target full" "op=write,path=new.cckd,offset=30000,error=ENOSPC" -- copy vol.3390 new.cckd
contains "new.cckd" "names the target"
fault 8 "copy CKD->CCKD: target fsync fails" "op=fsync,path=new.cckd" -- copy vol.3390 new.cckd
fault 9 "copy AWS->HET: tape read error" "op=read,path=good.aws,offset=$tapemid" -- copy good.aws new.het
fault 8 "copy AWS->HET: target write error" "op=write,path=new.het,offset=20000" -- copy good.aws new.het
"$DDR" -q init other2.3390 3390-3 OTHER2 --cylinders 12 || bad "init"
KEEP_CHANGES=1 fault 8 "IBM COPY onto an existing volume: target write error" "op=write,path=other2.3390,offset=$mid" \
  -- copy --volser OTHER2 vol.3390 other2.3390
contains "INCOMPLETE" "says the target is incomplete"
contains "again with --force" "says how to finish it"
"$DDR" -q copy --volser OTHER2 vol.3390 other2.3390 2> /dev/null && bad "  a copy onto the incomplete target without --force was not refused"
"$DDR" -q copy --force vol.3390 other2.3390 2> run.err && cmp -s vol.3390 other2.3390 \
  && ok "  the same copy again with --force makes it equal to the source" || bad "  the copy again: $(cat run.err)"
finish
