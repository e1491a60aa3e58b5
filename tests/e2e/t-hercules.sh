#!/usr/bin/env bash
# What Hercules 3.13's own utilities say of our files, and ours of theirs:
#   cckdcdsk -3 finds nothing to repair in our CCKD/CFBA (file byte-identical after);
#   cckd2ckd/cfba2fba give back exactly our source; dasdinit -z/-bz2 and dasdcopy images
#   read correctly; hetmap/tapemap read our AWS and HET dumps; a dasdload volume dumped
#   and restored by us still lists its datasets with dasdls.
. "$(dirname "$0")/lib.sh"
command -v cckdcdsk >/dev/null || { echo "Hercules utilities are not installed (make deps)"; exit 1; }

check_cckd() {  # FILE: cckdcdsk -3 prints nothing and changes nothing
  local before out; before=$(sum "$1")
  out=$(cckdcdsk -3 "$1" 2>&1)
  if [ -z "$out" ] && [ "$(sum "$1")" = "$before" ]; then ok "cckdcdsk -3 $1: clean, unchanged"
  else bad "cckdcdsk -3 $1: $out"; fi
}
tracks_equal() {  # A B [what]: every track of A is in B, equal up to its end marker
  "$DDR" -q manifest "$1" > a.m && "$DDR" -q verify "$2" --manifest a.m >/dev/null &&
  ok "${3:-$1 = $2}" || bad "${3:-$1 vs $2}: tracks differ"
}

# Volumes of tracks Hercules can keep in CCKD (see the next test for those it cannot).
for dev in 3390-3 3380 3350 3330 2314; do
  rm -f src.img
  "$TOOLS/make-sample-volume" src.img "$dev" HERC01 5 31 70 hercules
  for comp in zlib bzip2 none; do
    rm -f out.cckd back.img
    "$DDR" -q copy --to cckd --compress $comp src.img out.cckd || { bad "$dev $comp copy"; continue; }
    check_cckd out.cckd
    cckd2ckd -q -lfs out.cckd back.img >/dev/null 2>&1
    # Hercules leaves bytes of its own after each end-of-track marker: compare tracks.
    [ "$(stat -c %s back.img)" = "$(stat -c %s src.img)" ] && tracks_equal src.img back.img \
      "$dev $comp: cckd2ckd -lfs gives back our source, every track" || bad "$dev $comp: cckd2ckd differs"
  done
done

# A dump restored straight into a new compressed image.
rm -f src.img
"$TOOLS/make-sample-volume" src.img 3390-3 HERC02 6 5 70 hercules
"$DDR" -q dump src.img t.aws && "$DDR" -q restore --format cckd t.aws new.cckd || bad "restore --format cckd"
tracks_equal src.img new.cckd "restore --format cckd: every track equal"
check_cckd new.cckd

# A track Hercules' own checker would discard: we keep it, and say so.
"$TOOLS/make-sample-volume" r0.img 3330 HERC03 3 4 40
out=$("$DDR" copy --to cckd r0.img r0.cckd 2>&1)
echo "$out" | grep -q "cckdcdsk -3 calls such tracks invalid" && ok "warned about tracks Hercules 3.13 would discard" || bad "no warning: $out"
tracks_equal r0.img r0.cckd "...and kept every one of them exactly"
cckdcdsk -3 r0.cckd >/dev/null 2>&1; "$DDR" -q manifest r0.img > d.m
! "$DDR" -q verify r0.cckd --manifest d.m >/dev/null 2>&1 && ok "(Hercules' cckdcdsk -3 does discard them: the reason for the warning)" || bad "cckdcdsk kept them?"

# Images Hercules made.
dasdinit -z z.cckd 3390 ZLIB01 3 >/dev/null 2>&1 && dasdinit -bz2 b.cckd 3390 BZIP01 3 >/dev/null 2>&1 || bad "dasdinit"
"$DDR" -q dump z.cckd z.aws && "$DDR" -q dump b.cckd b.aws && ok "dumps of dasdinit -z and -bz2 images" || bad "dump dasdinit -z"
for img in z.cckd b.cckd; do
  rm -f "$img.plain"
  cckd2ckd -q -lfs "$img" "$img.plain" >/dev/null 2>&1
  tracks_equal "$img.plain" "$img" "$img reads as Hercules' own cckd2ckd reads it (its FMT0/FMT1 null tracks included)"
done
dasdcopy -q src.img dc.cckd >/dev/null 2>&1 || bad "dasdcopy"
tracks_equal src.img dc.cckd "a dasdcopy CCKD reads as its source"
dasdcopy -q -bz2 src.img dcb.cckd >/dev/null 2>&1 && tracks_equal src.img dcb.cckd "a dasdcopy -bz2 CCKD reads as its source"

# FBA <-> CFBA both ways.
dasdinit f.fba 3370 FBA001 2000 >/dev/null 2>&1
python3 -c "
import random; r = random.Random(5); d = bytearray(open('f.fba','rb').read())
for b in range(8, 2000, 7): d[b*512:(b+1)*512] = bytes(r.randrange(256) for _ in range(512))
open('f.fba','wb').write(d)"
"$DDR" -q copy f.fba f.cfba && check_cckd f.cfba
cfba2fba -q f.cfba fb.fba >/dev/null 2>&1 && cmp -s fb.fba f.fba && ok "cfba2fba gives back our FBA source" || bad "cfba2fba differs"
fba2cfba -q f.fba hf.cfba >/dev/null 2>&1 && "$DDR" -q copy hf.cfba hb.fba && cmp -s hb.fba f.fba && ok "a fba2cfba image reads as its source" || bad "fba2cfba read"

# Tapes: hetmap and tapemap see the files and blocks ddr list sees.
"$DDR" -q dump --format het src.img t.het
for tape in t.aws t.het; do
  blocks=$(hetmap -t "$tape" 2>/dev/null | sed -n 's/.*Blocks=\([0-9]*\).*/\1/p' | head -1)
  files=$(hetmap -t "$tape" 2>/dev/null | grep -c '^File ')
  want=$(python3 -c "
import struct, zlib
d = open('$tape','rb').read(); o = 0; n = 0
while o < len(d):
    cur, _p, f1, _f = struct.unpack_from('<HHBB', d, o)
    if f1 & 0x20: n += 1
    o += 6 + cur
print(n)")
  [ "$files" = 1 ] && [ "$blocks" = "$want" ] && ok "hetmap -t $tape: 1 file, $blocks blocks" || bad "hetmap $tape: files $files blocks $blocks, want $want"
done
want=$(hetmap -t t.aws 2>/dev/null | sed -n 's/.*Blocks=\([0-9]*\).*/\1/p' | head -1)
tapemap t.aws 2>/dev/null | grep -q "File 1: Blocks=$want," && ok "tapemap t.aws: file 1 of $want blocks" || bad "tapemap: $(tapemap t.aws 2>&1 | tail -3)"

# dasdload: a volume with a VTOC and datasets, dumped and restored, still lists them.
python3 -c "
import sys
recs = b''.join(('RECORD %05d OF THE TEST DATASET' % i).ljust(80).encode('cp037') for i in range(2000))
open('seq.bin','wb').write(recs)"
printf 'TEST01 3390-3 20\nSYS1.TEST.SEQ SEQ %s/seq.bin TRK 10 1 0 PS FB 80 3120\nSYS1.TEST.PDS EMPTY CYL 1 0 5 PO FB 80 3120\n' "$PWD" > load.ctl
dasdload -lfs load.ctl loaded.3390 1 >/dev/null 2>&1 || bad "dasdload"
"$DDR" -q dump loaded.3390 l.aws && "$DDR" -q restore l.aws restored.3390 || bad "dump/restore of the dasdload volume"
list=$(dasdls restored.3390 2>&1)
echo "$list" | grep -q "SYS1.TEST.SEQ" && echo "$list" | grep -q "SYS1.TEST.PDS" \
  && ok "dasdls lists SYS1.TEST.SEQ and SYS1.TEST.PDS on our restored volume" || bad "dasdls: $list"
finish
