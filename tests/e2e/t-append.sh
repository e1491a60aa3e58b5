#!/usr/bin/env bash
# Several dumps on one tape (--append) and multi-reel dumps: every dump keeps its checksums
# whatever is appended after it, and restore, verify and list find and use them (issue 8,
# part 3); reels that are not the dump's first, or beyond its end; the exit codes and
# wording of man/ddr.1.
. "$(dirname "$0")/lib.sh"
LAST_ERROR=""

# aws.py flip IN OUT OFFSET: a copy with one byte flipped at OFFSET (which must be inside
#   a track's data); prints the track's "cyl C head H".
# aws.py cut-mark IN OUT: a copy without the final tape mark.
# aws.py odd-start OUT: a tape whose first block is 80 bytes that are no DDR record.
cat > aws.py <<'PY'
import struct, sys
def blocks(d):
    o = 0
    while o < len(d):
        n, _p, f1, _f2 = struct.unpack_from('<HHBB', d, o)
        yield o, n, f1
        o += 6 + n
cmd = sys.argv[1]
if cmd == 'flip':
    d = bytearray(open(sys.argv[2], 'rb').read()); at = int(sys.argv[4]); track = None
    for o, n, f1 in blocks(d):
        b = d[o + 6:o + 6 + n]
        if n >= 32 and b[:4] == b'\xe3\xc8\xd9\x40':
            track = struct.unpack('>HH', b[12:16])
        if o + 6 + 32 <= at < o + 6 + n:
            assert track and b[:4] != b'\xe3\xc8\xd9\x40', 'offset not in the data of a track'
            d[at] ^= 0x01
            open(sys.argv[3], 'wb').write(d)
            print(f'cyl {track[0]} head {track[1]}')
            sys.exit(0)
    sys.exit('offset not in a block')
elif cmd == 'cut-mark':
    d = open(sys.argv[2], 'rb').read()
    assert d[-6:][4] & 0x40, 'the tape does not end with a tape mark'
    open(sys.argv[3], 'wb').write(d[:-6])
elif cmd == 'odd-start':
    b = bytes(80)
    open(sys.argv[2], 'wb').write(struct.pack('<HHBB', 80, 0, 0xA0, 0) + b + struct.pack('<HHBB', 0, 80, 0x40, 0))
PY
# same VOLUME SOURCE: the restored volume holds the source's tracks (it may have more cylinders).
size=0
same() { cmp -s -n "$size" "$2" "$1"; }
# restores_exactly WHAT TRACKS -- args: restores to new.3390, says every checksum matched,
# and new.3390 equals the source.
restores_exactly() {
  local what=$1 n=$2; shift 3; rm -f new.3390
  local err; err=$("$@" 2>&1 >/dev/null); local rc=$?
  if [ $rc = 0 ] && printf '%s' "$err" | grep -q "checksums: $n of $n tracks match" && same new.3390 d.3390; then
    ok "$what: every checksum matched, the volume is the source's"
  else bad "$what: exit $rc: $err"; fi
  rm -f new.3390
}
# no_target NAME WHAT: neither NAME nor a temporary file of it is left.
no_target() { [ ! -e "$1" ] && ! ls -a | grep -qF "$1.ddr-" && ok "  nothing left of $1" || bad "$2: $1 was left"; }

"$TOOLS/make-sample-volume" d.3390 3390-3 APP001 30 7 85
size=$(stat -c %s d.3390)

# ---- one append: damage in dump 1 is caught by a restore to a new target ----
"$DDR" -q dump d.3390 t.aws && "$DDR" -q dump --append d.3390 t.aws || bad "dump, dump --append"
track=$(python3 aws.py flip t.aws bad.aws 3000000) || bad "flip"
expect 4 "one append, dump 1 damaged: restore to a new target" -- "$DDR" restore bad.aws new.3390
contains "$track" "restore of damaged dump 1"; no_target new.3390 "damaged dump 1"
expect 4 "  ... through a pipe" -- sh -c "cat bad.aws | '$DDR' restore - new.3390"
contains "$track" "pipe restore of damaged dump 1"; no_target new.3390 "damaged dump 1 through a pipe"
"$DDR" -q init exist.3390 3390-3 APP001 --cylinders 30; before=$(sum exist.3390)
expect 4 "  ... onto an existing target" -- "$DDR" restore bad.aws exist.3390
[ "$(sum exist.3390)" = "$before" ] && ok "  existing target untouched" || bad "existing target changed"
"$DDR" -q init exist2.3390 3390-3 APP001 --cylinders 30
expect 4 "  ... onto an existing target, --no-precheck" -- "$DDR" restore --no-precheck bad.aws exist2.3390
contains "$track" "--no-precheck"
expect 4 "  verify names the damage" -- "$DDR" verify bad.aws
contains "$track" "verify of damaged dump 1"
"$DDR" list bad.aws | sed -n '/^file 1/,/^file 2/p' | grep -q "1 DAMAGED.*$track" \
  && ok "  list names the damage in file 1" || bad "list: $("$DDR" list bad.aws)"
restores_exactly "one append, file 1" 450 -- "$DDR" restore t.aws new.3390
restores_exactly "one append, file 1 through a pipe" 450 -- sh -c "cat t.aws | '$DDR' restore - new.3390"
restores_exactly "one append, file 2" 450 -- "$DDR" restore --file 2 t.aws new.3390
"$DDR" -q init exist3.3390 3390-3 APP001 --cylinders 30
"$DDR" restore --no-precheck t.aws exist3.3390 2>&1 | grep -q "checksums: 450 of 450 tracks match" \
  && same exist3.3390 d.3390 && ok "one append, file 1 onto an existing target, --no-precheck" || bad "--no-precheck file 1"

# ---- two appends ----
"$DDR" -q dump d.3390 t3.aws && "$DDR" -q dump --append d.3390 t3.aws && "$DDR" -q dump --append d.3390 t3.aws \
  || bad "three dumps"
track=$(python3 aws.py flip t3.aws bad3.aws 3000000) || bad "flip"
expect 4 "two appends, dump 1 damaged: restore to a new target" -- "$DDR" restore bad3.aws new.3390
contains "$track" "two appends"; no_target new.3390 "two appends"
expect 4 "  ... through a pipe" -- sh -c "cat bad3.aws | '$DDR' restore - new.3390"
no_target new.3390 "two appends through a pipe"
expect 4 "  verify names the damage" -- "$DDR" verify bad3.aws
contains "$track" "verify, two appends"
for f in 1 2 3; do
  restores_exactly "two appends, file $f" 450 -- "$DDR" restore --file $f t3.aws new.3390
done
out=$("$DDR" verify t3.aws); [ $? = 0 ] && [ "$(echo "$out" | grep -c 'checksums: all 450 track checksums')" = 3 ] \
  && ok "verify: all three dumps checked" || bad "verify t3.aws: $out"
out=$(cat t3.aws | "$DDR" verify -); [ $? = 0 ] && [ "$(echo "$out" | grep -c 'checksums: all 450 track checksums')" = 3 ] \
  && ok "verify through a pipe: all three dumps checked" || bad "verify - < t3.aws: $out"

# ---- multi-reel: --append onto a reel that ends with EOV is refused ----
"$DDR" -q dump --reel-size 4M d.3390 r1.aws r2.aws r3.aws 2>/dev/null || bad "3-reel dump"
[ -s r3.aws ] && ok "the dump takes 3 reels" || bad "not 3 reels"
cp r1.aws x1.aws; before=$(sum x1.aws)
expect 6 "--append onto a reel that ends with EOV" -- "$DDR" dump --append d.3390 x1.aws
contains "EOV" "append onto EOV"; [ "$(sum x1.aws)" = "$before" ] && ok "  tape untouched" || bad "x1.aws changed"

# ---- --append onto the last reel of a set ----
cp r3.aws a3.aws && "$DDR" -q dump --append d.3390 a3.aws || bad "append onto the last reel"
out=$("$DDR" verify r1.aws r2.aws a3.aws); [ $? = 0 ] && [ "$(echo "$out" | grep -c 'checksums: all 450 track checksums')" = 2 ] \
  && ok "verify r1 r2 a3: both dumps clean" || bad "verify r1 r2 a3: $out"
out=$("$DDR" list r1.aws r2.aws a3.aws); [ $? = 0 ] && echo "$out" | grep -q "1 reel (a3.aws); ended with EOJ" \
  && [ "$(echo "$out" | grep -c '450 of 450 tracks match')" = 2 ] && ok "list r1 r2 a3: clean" || bad "list r1 r2 a3: $out"
restores_exactly "restore r1 r2 a3 (file 1, its last trailer moved)" 450 -- "$DDR" restore r1.aws r2.aws a3.aws new.3390
restores_exactly "  ... the last reel through a pipe" 450 -- sh -c "cat a3.aws | '$DDR' restore r1.aws r2.aws - new.3390"
restores_exactly "restore --file 2 a3 (the appended dump)" 450 -- "$DDR" restore --file 2 a3.aws new.3390
track=$(python3 aws.py flip a3.aws a3bad.aws 700000) || bad "flip"
expect 4 "damage in file 1 on the last reel: restore" -- "$DDR" restore r1.aws r2.aws a3bad.aws new.3390
contains "$track" "damage on reel 3"; no_target new.3390 "damage on reel 3"
expect 4 "  verify" -- "$DDR" verify r1.aws r2.aws a3bad.aws

# ---- a continuation reel given first or alone: reel 1 is missing (exit 5) ----
for r in r2 r3 a3; do
  expect 5 "list $r.aws alone" -- "$DDR" list $r.aws; contains "reel 1 of this dump is missing" "list $r"; contains "$r.aws" "list $r"
  expect 5 "verify $r.aws alone" -- "$DDR" verify $r.aws; contains "reel 1 of this dump is missing" "verify $r"
  expect 5 "restore $r.aws alone" -- "$DDR" restore $r.aws new.3390; contains "reel 1 of this dump is missing" "restore $r"
  no_target new.3390 "restore $r"
done
expect 5 "restore r2 r3 (reel 1 missing)" -- "$DDR" restore r2.aws r3.aws new.3390; no_target new.3390 "r2 r3"
before=$(sum exist.3390)
expect 5 "restore r3.aws onto an existing target" -- "$DDR" restore r3.aws exist.3390
[ "$(sum exist.3390)" = "$before" ] && ok "  existing target untouched" || bad "existing target changed by r3"
expect 5 "restore r3.aws through a pipe" -- sh -c "cat r3.aws | '$DDR' restore - new.3390"; no_target new.3390 "pipe r3"
expect 5 "restore r3.aws through a pipe onto an existing target" -- sh -c "cat r3.aws | '$DDR' restore - exist.3390"
contains "exist.3390" "pipe onto existing"

# FBA: only the checksum trailer tells a continuation reel (no heads).
"$DDR" -q init v.fba 3370 FBA001 --blocks 3000
python3 -c "
import random; r = random.Random(5); d = bytearray(open('v.fba', 'rb').read())
for b in range(2, 3000, 7): d[b * 512:(b + 1) * 512] = bytes(r.randrange(256) for _ in range(512))
open('v.fba', 'wb').write(d)"
"$DDR" -q dump --reel-size 600k v.fba f1.aws f2.aws f3.aws 2>/dev/null && [ -s f3.aws ] || bad "3-reel FBA dump"
expect 5 "FBA: list f3.aws alone" -- "$DDR" list f3.aws; contains "its checksum trailer says it is reel 3" "FBA f3"
expect 5 "FBA: verify f3.aws alone" -- "$DDR" verify f3.aws
expect 5 "FBA: restore f3.aws alone" -- "$DDR" restore f3.aws new.fba; no_target new.fba "FBA f3"
cp f3.aws g3.aws && "$DDR" -q dump --append v.fba g3.aws || bad "FBA append onto the last reel"
"$DDR" -q verify f1.aws f2.aws g3.aws >/dev/null && ok "FBA: verify f1 f2 g3" || bad "FBA verify f1 f2 g3"
out=$("$DDR" restore f1.aws f2.aws g3.aws new.fba 2>&1) && echo "$out" | grep -q "checksums: 25 of 25 block groups match" \
  && cmp -s new.fba v.fba && ok "FBA: restore f1 f2 g3, every checksum matched" || bad "FBA restore f1 f2 g3: $out"
rm -f new.fba
"$DDR" -q restore --file 2 g3.aws new.fba && cmp -s new.fba v.fba && ok "FBA: restore --file 2 g3" || bad "FBA --file 2"
rm -f new.fba
expect 5 "FBA: restore g3.aws alone (its trailer moved behind dump 2)" -- "$DDR" restore g3.aws new.fba
contains "its checksum trailer says it is reel 3" "FBA g3"; no_target new.fba "FBA g3"
"$DDR" -q init exist.fba 3370 FBA001 --blocks 3000
expect 5 "FBA: f3.aws through a pipe onto an existing target" -- sh -c "cat f3.aws | '$DDR' restore - exist.fba"
contains "was written with the 840 FBA blocks read" "FBA pipe onto existing"

# ---- reels given beyond the one where the dump ends (exit 5; a regular file there is
# refused before anything is read, as a reel of another dump or out of order) ----
"$DDR" -q dump -c 0-2 d.3390 small.aws
expect 5 "restore with a reel after the dump's end" -- "$DDR" restore small.aws /dev/null new.3390
contains "/dev/null" "extra reel"; no_target new.3390 "extra reel"
expect 5 "list with a reel after the dump's end" -- "$DDR" list small.aws /dev/null
expect 5 "verify with a reel after the dump's end" -- "$DDR" verify small.aws /dev/null

# ---- exit codes as man/ddr.1 gives them ----
printf 'not a tape at all\n' > text.txt
expect 3 "verify of a file that is not a tape" -- "$DDR" verify text.txt
expect 3 "verify of a volume without --manifest" -- "$DDR" verify d.3390
: > empty.aws
expect 3 "restore of an empty tape" -- "$DDR" restore empty.aws new.3390; contains "no DDR dump" "empty restore"
expect 3 "list of an empty tape" -- "$DDR" list empty.aws
expect 3 "verify of an empty tape" -- "$DDR" verify empty.aws
python3 aws.py cut-mark small.aws nomark.aws
expect 3 "verify: only the final tape mark missing" -- "$DDR" verify nomark.aws; contains "cut short" "no mark"
expect 3 "list: only the final tape mark missing" -- "$DDR" list nomark.aws
expect 3 "restore: only the final tape mark missing" -- "$DDR" restore nomark.aws new.3390; no_target new.3390 "no mark"

# ---- wording ----
"$TOOLS/make-sample-volume" other.3390 3390-3 APP001 30 8 85
expect 4 "verify --against a volume that differs" -- "$DDR" verify small.aws --against other.3390
contains "other.3390 differs from dump 1" "against"
case "$LAST_ERROR" in *damaged*) bad "  --against says damaged: $LAST_ERROR";; *) ok "  not called damage";; esac
out=$("$DDR" verify small.aws --against other.3390 2>/dev/null)
echo "$out" | grep -q "against other.3390: 45 tracks compared; 44 DIFFER from the dump" \
  && ok "  the dump's line says the volume differs" || bad "against: $out"
out=$("$DDR" copy small.aws small.het 2>&1); echo "$out" | grep -q "and 1 tape mark of" && ok "copy: 1 tape mark" || bad "copy: $out"
python3 aws.py odd-start odd.aws
expect 3 "an 80-byte block where the VHR should be" -- "$DDR" list odd.aws; contains "an 80-byte block" "article"
out=$("$DDR" dump v.fba fba.aws 2>&1); echo "$out" | grep -q "dumped 3000 FBA blocks (.*) in [0-9]* tape blocks" \
  && ok "FBA dump summary: FBA blocks and tape blocks" || bad "FBA summary: $out"
out=$("$DDR" restore fba.aws fba-new.fba 2>&1); echo "$out" | grep -q "restored 3000 FBA blocks" \
  && ok "FBA restore summary: FBA blocks" || bad "FBA restore summary: $out"
finish
