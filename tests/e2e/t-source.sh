#!/usr/bin/env bash
# The source side of a dump: one read written to several identical tape sets (--mirror),
# a set that fails on a full disk dropped while the others finish (exit 8), a source
# changed while it is dumped (exit 11, the tape still complete), and --snapshot (refused
# on a file system without reflinks; on XFS in a loop-mounted file where this machine
# allows it).
. "$(dirname "$0")/lib.sh"
trap 'umount full x 2>/dev/null' EXIT  # the file systems mounted below, whatever happens
"$TOOLS/make-sample-volume" vol.3390 3390-3 SRC001 30 7 85 || bad "sample volume"
"$DDR" -q init fba.img 3370 FBA001 --blocks 20000 || bad "sample FBA volume"
# The same volume as a split set of two files (cylinders 0-14 and 15-29), as dasdinit
# splits one: each file its own header, file 1 naming its last cylinder, file 2 none.
python3 - <<'PY'
import struct
d = open('vol.3390', 'rb').read()
heads, size = struct.unpack_from('<II', d, 8)
per = 15 * heads * size
for seq, part, high in ((1, d[512:512 + per], 14), (2, d[512 + per:], 0)):
    h = bytearray(d[:512]); h[17] = seq; struct.pack_into('<H', h, 18, high)
    open('split_%d.3390' % seq, 'wb').write(bytes(h) + part)
PY

verifies() {  # TAPE... WHAT: the tape proves intact from its checksums
  local what=${!#} out
  if out=$("$DDR" -q verify "${@:1:$#-1}" 2>&1); then ok "$what: verifies"; else bad "$what: verify: $out"; fi
}
same() {  # A B WHAT
  if cmp -s "$1" "$2"; then ok "$3: $2 is byte for byte $1"; else bad "$3: $2 differs from $1"; fi
}
absent() {  # WHAT FILE...: none of the files (nor a temporary of ours beside them) exists
  local what=$1 f left; shift
  for f in "$@"; do
    left=$(ls -a "$(dirname "$f")" | grep -F "$(basename "$f")")
    if [ -n "$left" ]; then bad "$what: left $left"; return; fi
  done
  ok "$what: no file left"
}

# ---- mirrors: identical sets from one read ----
out=$("$DDR" dump vol.3390 a.aws --mirror b.aws --mirror c.aws 2>&1); rc=$?
[ $rc = 0 ] && ok "dump to three sets: exit 0" || bad "dump to three sets: exit $rc: $out"
same a.aws b.aws "mirror 1"; same a.aws c.aws "mirror 2"; verifies c.aws "mirror 2"
"$DDR" -q dump vol.3390 r1.aws r2.aws r3.aws --reel-size 4M --mirror m1.aws,m2.aws,m3.aws || bad "multi-reel dump"
for n in 1 2 3; do same r$n.aws m$n.aws "reel $n of a multi-reel mirror"; done
[ -s r2.aws ] && ok "the multi-reel dump used a second reel" || bad "the multi-reel dump stayed on one reel"
verifies m1.aws m2.aws m3.aws "multi-reel mirror"
"$DDR" -q dump --format het vol.3390 - --mirror h2.het > h1.het || bad "HET dump to standard output with a mirror"
same h1.het h2.het "HET mirror of a dump to standard output"
"$DDR" -q dump fba.img f1.aws --mirror f2.aws || bad "FBA dump with a mirror"
same f1.aws f2.aws "FBA mirror"

expect 2 "a mirror with another count of reels" -- "$DDR" dump vol.3390 x.aws --mirror y1.aws,y2.aws
contains "every tape set has as many reels" "reel count"
expect 2 "a mirror to standard output" -- "$DDR" dump vol.3390 x.aws --mirror -
expect 2 "a mirror that is a reel of the first set" -- "$DDR" dump vol.3390 x.aws --mirror x.aws
expect 6 "a mirror that is the source" -- "$DDR" dump vol.3390 x.aws --mirror vol.3390
expect 6 "a mirror that exists" -- "$DDR" dump vol.3390 x.aws --mirror a.aws
expect 2 "--mirror with --append" -- "$DDR" dump --append vol.3390 a.aws --mirror x.aws
absent "refused mirrors" x.aws y1.aws y2.aws
same a.aws b.aws "the existing mirror left as it was"

# ---- a set on a full disk (a 2 MB tmpfs: a real ENOSPC mid-write) ----
mkdir full
if mount -t tmpfs -o size=2m tmpfs full 2>/dev/null; then
  expect 8 "mirror on a full disk" -- "$DDR" dump vol.3390 ok1.aws --mirror full/bad1.aws
  contains "complete only on tape set 1 (ok1.aws)" "the complete set named"
  out=$("$DDR" dump vol.3390 ok1b.aws --mirror full/bad1b.aws 2>&1 >/dev/null)
  case "$out" in
    *"tape set 2 failed and was dropped"*"full/bad1b.aws: offset "*"No space left on device"*) ok "the dropped set's warning names the set, the place and the cause";;
    *) bad "no warning for the dropped set: $out";;
  esac
  verifies ok1.aws "the set that finished"
  absent "the failed mirror" full/bad1.aws
  expect 8 "first set on a full disk, the mirror fine" -- "$DDR" dump vol.3390 full/bad2.aws --mirror ok2.aws
  contains "complete only on tape set 2 (ok2.aws)" "the complete set named"
  verifies ok2.aws "the mirror that finished"
  absent "the failed first set" full/bad2.aws
  mkdir full/d
  expect 8 "every set on a full disk" -- "$DDR" dump vol.3390 full/bad3.aws --mirror full/d/bad4.aws
  contains "No space left on device" "the usual error"
  absent "both failed sets" full/bad3.aws full/d/bad4.aws
  umount full
else
  echo "skip: cannot mount a tmpfs here, so no full disk to test on"
fi

# ---- a source changed while it is dumped ----
# The dump goes to a pipe that the reader stops reading after 64 KiB: ddr then waits on
# the pipe with most of the volume unread; the reader writes bytes of the image back in
# place (its times change, not its contents) and then reads the rest.
cat > change.py <<'PY'
# change.py DDR TAPE FILE DUMP-ARGS...: `ddr dump DUMP-ARGS... -` into TAPE, FILE changed midway
import subprocess, sys
ddr, tape, changed = sys.argv[1:4]
p = subprocess.Popen([ddr, 'dump'] + sys.argv[4:] + ['-'], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
with open(tape, 'wb') as out:
    out.write(p.stdout.read(65536))
    with open(changed, 'r+b') as f:
        f.seek(100000); b = f.read(512); f.seek(100000); f.write(b)
    out.write(p.stdout.read())
err = p.stderr.read().decode()
sys.stderr.write(err)
sys.exit(p.wait())
PY
out=$(python3 change.py "$DDR" changed.aws vol.3390 vol.3390 2>&1); rc=$?
[ $rc = 11 ] && ok "changed while dumped: exit 11" || bad "changed while dumped: exit $rc: $out"
case "$out" in
  *"vol.3390 changed while it was dumped (vol.3390: modification time"*"dump it again from a stopped system or with --snapshot"*)
    ok "the warning names the file and what changed";;
  *) bad "changed while dumped: warning missing: $out";;
esac
verifies changed.aws "the tape of a changed source"
out=$(python3 change.py "$DDR" changed-fba.aws fba.img fba.img 2>&1); rc=$?
[ $rc = 11 ] && ok "FBA changed while dumped: exit 11" || bad "FBA changed while dumped: exit $rc: $out"
out=$(python3 change.py "$DDR" changed-split.aws split_2.3390 split_1.3390 2>&1); rc=$?
[ $rc = 11 ] && ok "the second file of a split set changed: exit 11" || bad "split set changed: exit $rc: $out"
case "$out" in *"split_1.3390 changed while it was dumped (split_2.3390: modification time"*) ok "  the file named is the one that changed";;
  *) bad "split set changed: the warning does not name split_2.3390: $out";; esac
"$DDR" -q restore a.aws c.cckd --format cckd 2>/dev/null || bad "a CCKD copy of the volume"
out=$(python3 change.py "$DDR" changed-cckd.aws c.cckd c.cckd 2>&1); rc=$?
[ $rc = 11 ] && ok "CCKD changed while dumped: exit 11" || bad "CCKD changed while dumped: exit $rc: $out"
out=$("$DDR" dump vol.3390 - 2>&1 >/dev/null); rc=$?
[ $rc = 0 ] && ok "an unchanged source: exit 0" || bad "an unchanged source: exit $rc: $out"

# ---- --snapshot where the file system cannot clone (this folder's: ext4, tmpfs) ----
if python3 -c 'import fcntl,sys; fcntl.ioctl(open(sys.argv[2],"w"), 0x40049409, open(sys.argv[1]).fileno())' vol.3390 probe.tmp 2>/dev/null; then
  echo "skip: this folder's file system makes reflinks; the refusal is tested only where it cannot"
else
  expect 6 "--snapshot without reflinks" -- "$DDR" dump --snapshot vol.3390 snap.aws
  contains "cannot make instant copies (reflinks" "says plainly what the file system cannot do"
  contains "move them there, or stop the system and dump without --snapshot" "says what to do instead"
  absent "refused snapshot" snap.aws .vol.3390.ddr-tmp
fi
rm -f probe.tmp

# ---- --snapshot on XFS ----
if command -v mkfs.xfs >/dev/null && truncate -s 320M xfs.img && mkfs.xfs -q xfs.img 2>/dev/null &&
   mkdir -p x && mount -o loop xfs.img x 2>/dev/null; then
  cp vol.3390 fba.img split_1.3390 split_2.3390 x/
  (cd x && "$DDR" -q dump --snapshot vol.3390 s.aws) && ok "--snapshot on XFS: exit 0" || bad "--snapshot on XFS failed"
  verifies x/s.aws "the snapshot's tape"
  "$DDR" -q dump x/vol.3390 plain.aws && "$DDR" -q verify --against x/vol.3390 x/s.aws >/dev/null 2>&1 \
    && ok "the snapshot's tape holds the volume's tracks" || bad "the snapshot's tape differs from the volume"
  out=$(cd x && python3 ../change.py "$DDR" s2.aws vol.3390 --snapshot vol.3390 2>&1); rc=$?
  [ $rc = 0 ] && ok "a change while a snapshot is dumped does not touch the dump: exit 0" || bad "snapshot + change: exit $rc: $out"
  (cd x && "$DDR" -q dump --snapshot fba.img f.aws) && ok "--snapshot of an FBA volume" || bad "--snapshot of FBA failed"
  (cd x && "$DDR" -q dump --snapshot split_1.3390 sp.aws) && "$DDR" -q verify --against split_1.3390 x/sp.aws >/dev/null \
    && ok "--snapshot of a split set: both files cloned, the tape holds the volume" || bad "--snapshot of a split set"
  # Interrupted (SIGINT) and killed (SIGKILL) while the clone is read: the first removes
  # its clone itself, the second leaves it for the next run in the folder to clear.
  cat > stop.py <<'PY'
import os, signal, subprocess, sys
p = subprocess.Popen([sys.argv[1], 'dump', '--snapshot', 'vol.3390', '-'], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
p.stdout.read(65536)
left = [n for n in os.listdir('.') if n.startswith('.vol.3390.ddr-tmp.')]
p.send_signal(getattr(signal, sys.argv[2]))
p.stdout.read(); p.stderr.read()
print(p.wait(), len(left))
PY
  [ "$(cd x && python3 ../stop.py "$DDR" SIGINT)" = "130 1" ] && ok "interrupted --snapshot: exit 130 (its clone was there while it ran)" \
    || bad "interrupted --snapshot: $(cd x && ls -a)"
  absent "the clone of an interrupted dump" x/.vol.3390.ddr-tmp
  [ "$(cd x && python3 ../stop.py "$DDR" SIGKILL)" = "-9 1" ] && ok "killed --snapshot" || bad "killed --snapshot"
  out=$(cd x && "$DDR" dump --snapshot vol.3390 k.aws 2>&1) && case "$out" in *"removed"*".vol.3390.ddr-tmp."*) ok "the next --snapshot clears what a killed one left";;
    *) bad "the killed dump's clone was not cleared: $out";; esac
  expect 6 "--snapshot refused after cloning (the tape exists)" -- "$DDR" dump --snapshot x/vol.3390 x/s.aws
  absent "the clones after every dump" x/.vol.3390.ddr-tmp x/.fba.img.ddr-tmp x/.split_1.3390.ddr-tmp x/.split_2.3390.ddr-tmp
  umount x
else
  echo "skip: no XFS to test --snapshot's success on (mkfs.xfs missing or loop mounts not permitted); the refusal is tested above"
fi
finish
