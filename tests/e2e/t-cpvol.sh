#!/usr/bin/env bash
# IBM's DUMP CPVOL, DUMP/RESTORE NUCLEUS and COPY on volumes made here: a CP-formatted
# 3330 (VOL1 owner CP370, allocation record R4, checkpoint record R2), every way a volume
# fails to be CP-formatted (exit 10, IBM's message, nothing written), RESTORE NUCLEUS's
# preconditions, and IBM's COPY between volumes and between tapes with its refusals.
# (Byte-for-byte agreement with IBM's own tapes and volumes is in t-ibm-fixtures.py.)
. "$(dirname "$0")/lib.sh"

# cp.py IMAGE VARIANT: makes track 0 of a `ddr init` image CP-formatted: R1 (24 bytes),
# R2 the checkpoint record (nucleus cylinders 10-11), R3 VOL1 owner CP370, R4 the
# allocation 0=TEMP 1=DRCT in use 2-4=TDSK 5=PERM 6-9=DRCT 10-11=PERM 12=DRCT in use
# 13-19=TDSK; the VARIANT spoils one thing.  Cylinders 1-19 get one record on head 0 so
# that their tracks tell them apart.
cat > cp.py <<'EOF'
import struct, sys
path, variant = sys.argv[1], sys.argv[2]
d = bytearray(open(path, "rb").read())
heads, trksz = struct.unpack_from("<II", d, 8)
e = lambda s: s.encode("cp500")
def rec(c, h, r, key, data):
    return struct.pack(">HHBBH", c, h, r, len(key), len(data)) + key + data
def track(c, h, recs):
    t = b"\x00" + struct.pack(">HH", c, h) + rec(c, h, 0, b"", bytes(8)) + b"".join(recs) + b"\xff" * 8
    o = 512 + (c * heads + h) * trksz
    d[o:o + trksz] = t + bytes(trksz - len(t))
ckp = bytearray(4096); ckp[14:22] = e("DMKCKP  "); ckp[22:26] = struct.pack(">HH", 10, 11)
alloc = bytearray(1024)
codes = [0x00, 0x0C, 2, 2, 2, 1, 4, 4, 4, 4, 1, 1, 0x0C] + [2] * 7
alloc[:20] = bytes(codes); alloc[20] = 0xFF
owner = "CP370"
if variant == "owner": owner = "HERCULES"
if variant == "badcode": alloc[7] = 0x03
if variant == "noend": alloc[:] = bytes([1]) * 1024
if variant == "notperm": alloc[11] = 2
vol1 = e("VOL1CPV001") + e(" ") * 31 + e(owner.rjust(10)) + e(" ") * 29
r4 = bytes(alloc[:800]) if variant == "shortr4" else bytes(alloc)
recs = [rec(0, 0, 1, b"", bytes(24)), rec(0, 0, 2, b"", bytes(ckp))]
if variant != "novol1": recs.append(rec(0, 0, 3, e("VOL1"), vol1))
if variant != "nor4": recs.append(rec(0, 0, 4, b"", r4))
track(0, 0, recs)
for c in range(1, 20):
    track(c, 0, [rec(c, 0, 1, b"", e("CYLINDER %02d" % c) * 20)])
open(path, "wb").write(d)
EOF
cpvol() {  # NAME [VARIANT]: a CP-formatted 20-cylinder 3330
  rm -f "$1"; "$DDR" -q init "$1" 3330 CPV001 --cylinders 20 && python3 cp.py "$1" "${2:-good}"
}

# --- DUMP CPVOL: cylinder 0 and the PERM and in-use directory runs ---
cpvol v.img
"$DDR" -q dump --cpvol v.img cp.aws && ok "dump --cpvol" || bad "dump --cpvol"
out=$("$DDR" list cp.aws)
case "$out" in *"cylinders 0-1, 5, 10-12: 114 tracks"*) ok "  cylinders 0-1, 5, 10-12";; *) bad "cpvol extents: $out";; esac
"$DDR" -q verify cp.aws >/dev/null && ok "  verify: checksums match" || bad "verify of a CPVOL dump"
cpvol new.img; "$DDR" -q init blank.img 3330 CPV001 --cylinders 20
"$DDR" -q restore cp.aws blank.img && ok "restore of the CPVOL dump" || bad "restore cpvol"
python3 - v.img blank.img <<'EOF' && ok "  the dumped cylinders are the volume's, the others untouched" || bad "cpvol restore contents"
import struct, sys
a, b = (open(p, "rb").read() for p in sys.argv[1:3])
heads, trksz = struct.unpack_from("<II", a, 8)
cyl = lambda d, c: d[512 + c * heads * trksz: 512 + (c + 1) * heads * trksz]
sys.exit(0 if all((cyl(a, c) == cyl(b, c)) == (c in (0, 1, 5, 10, 11, 12)) for c in range(20)) else 1)
EOF

# --- not CP-formatted: exit 10, IBM's message, the file and record named, no tape ---
for variant in novol1 owner nor4 shortr4 badcode noend; do
  cpvol bad-$variant.img $variant
  expect 10 "dump --cpvol of a volume with $variant" -- "$DDR" dump --cpvol bad-$variant.img bad.aws
  contains "DMKDDR700E INPUT UNIT IS NOT A CPVOL" "$variant"
  contains "bad-$variant.img: cyl 0 head 0" "$variant"
  [ ! -e bad.aws ] && ok "  no tape written" || { bad "a tape was written for $variant"; rm -f bad.aws; }
done
contains "no end byte" "noend"
"$DDR" -q init plain.img 3330 PLAIN1 --cylinders 5
expect 10 "dump --cpvol of a dasdinit volume" -- "$DDR" dump --cpvol plain.img bad.aws
contains "owner field reads 'HERCULES'" "dasdinit owner"
expect 10 "dump --nucleus of a volume without a checkpoint record" -- "$DDR" dump --nucleus plain.img bad.aws
contains "DMKDDR723E" "no nucleus"
"$DDR" -q init f.fba 3370 FBA001 --blocks 2000
expect 10 "dump --cpvol of an FBA volume" -- "$DDR" dump --cpvol f.fba bad.aws
expect 2 "--cpvol with --cylinders" -- "$DDR" dump --cpvol -c 0-3 v.img bad.aws
expect 2 "--cpvol with --nucleus" -- "$DDR" dump --cpvol --nucleus v.img bad.aws

# --- DUMP NUCLEUS and RESTORE NUCLEUS ---
"$DDR" -q dump --nucleus v.img nuc.aws && ok "dump --nucleus" || bad "dump --nucleus"
out=$("$DDR" list nuc.aws)
case "$out" in *"cylinders 10-11"*"names nucleus cylinders 10-11"*) ok "  list names the nucleus cylinders";; *) bad "nucleus list: $out";; esac
"$DDR" -q verify nuc.aws >/dev/null && ok "  verify" || bad "verify nucleus"
cpvol tgt.img
before=$(sum tgt.img)
expect 6 "plain restore of a NUCLEUS dump" -- "$DDR" restore nuc.aws tgt.img
contains "DMKDDR724E INPUT TAPE CONTAINS A CP NUCLEUS DUMP" "724E"
[ "$(sum tgt.img)" = "$before" ] && ok "  target untouched" || bad "724E changed the target"
expect 10 "restore --nucleus onto a new volume" -- "$DDR" restore --nucleus nuc.aws none.img
contains "DMKDDR722E" "722E new"
[ ! -e none.img ] && ok "  no volume made" || bad "a volume was made"
for variant in owner nor4 notperm; do
  cpvol t-$variant.img $variant; before=$(sum t-$variant.img)
  expect 10 "restore --nucleus onto a target with $variant" -- "$DDR" restore --nucleus nuc.aws t-$variant.img
  contains "DMKDDR722E OUTPUT UNIT NOT PROPERLY FORMATTED FOR THE CP NUCLEUS" "$variant"
  [ "$(sum t-$variant.img)" = "$before" ] && ok "  untouched" || bad "$variant target changed"
done
contains "not all allocated PERM" "notperm"
expect 2 "restore --nucleus of a dump that is not one" -- "$DDR" restore --nucleus cp.aws tgt.img
expect 2 "restore --nucleus with --cylinders" -- "$DDR" restore --nucleus -c 10 nuc.aws tgt.img
"$DDR" -q restore --nucleus nuc.aws tgt.img && ok "restore --nucleus" || bad "restore --nucleus"
python3 - v.img tgt.img <<'EOF' && ok "  nucleus cylinders, R1 rewritten as IBM's IPL record, R2 the checkpoint" || bad "nucleus restore contents"
import struct, sys
a, b = (open(p, "rb").read() for p in sys.argv[1:3])
heads, trksz = struct.unpack_from("<II", a, 8)
cyl = lambda d, c: d[512 + c * heads * trksz: 512 + (c + 1) * heads * trksz]
t0 = b[512:512 + trksz]
r1 = t0[5 + 16 + 8: 5 + 16 + 8 + 24]
ok = cyl(a, 10) == cyl(b, 10) and cyl(a, 11) == cyl(b, 11) and r1.hex() == "000c000000000800060008000000100000000000" + "00000000"
sys.exit(0 if ok else 1)
EOF

# --- IBM's COPY, volume to volume ---
"$DDR" -q init c1.img 3330 CPV001 --cylinders 20
"$DDR" -q copy v.img c1.img && cmp -s v.img c1.img && ok "copy onto an existing volume: identical" || bad "copy all"
"$DDR" -q init c2.img 3330 CPV001 --cylinders 20
"$DDR" -q copy -c 10-12:15 v.img c2.img && ok "copy -c 10-12:15 (REORDER)" || bad "copy reorder"
"$DDR" -q dump --pure -c 10-12:15 v.img r.aws; "$DDR" -q init c3.img 3330 CPV001 --cylinders 20; "$DDR" -q restore r.aws c3.img
cmp -s c2.img c3.img && ok "  the same volume as a dump and restore with REORDER" || bad "copy reorder differs from restore"
"$DDR" -q init small.img 3330 CPV001 --cylinders 10; before=$(sum small.img)
expect 6 "copy onto a smaller volume" -- "$DDR" copy v.img small.img
contains "DMKDDR725R" "725R"
expect 6 "copy --smaller-target of cylinders it lacks" -- "$DDR" copy --smaller-target v.img small.img
[ "$(sum small.img)" = "$before" ] && ok "  untouched" || bad "smaller target changed"
"$DDR" -q copy --smaller-target -c 0-9 v.img small.img && ok "copy --smaller-target -c 0-9" || bad "smaller-target copy"
expect 2 "copy with extents out of order" -- "$DDR" copy -c 10-12 -c 0-1 v.img c1.img
contains "ascend" "order"
"$DDR" -q init other.img 3330 OTHER1 --cylinders 20
expect 6 "copy onto a volume of another volser" -- "$DDR" copy v.img other.img
contains "--volser OTHER1" "volser"
"$DDR" -q copy --volser OTHER1 v.img other.img && ok "  --volser confirms it" || bad "copy --volser"
"$DDR" -q init d.img 3350 CPV001 --cylinders 20
expect 7 "copy onto another device type" -- "$DDR" copy v.img d.img
"$DDR" -q copy -c 5 v.img new.img 2>/dev/null; rm -f new.img
"$DDR" -q copy -c 0-1 v.img fresh.img && [ -e fresh.img ] && ok "copy -c onto a new volume" || bad "copy -c new"

# --- IBM's COPY, tape to tape ---
"$DDR" -q dump --pure v.img p.aws
"$DDR" -q copy --file 1 p.aws p2.aws && cmp -s p.aws p2.aws && ok "tape copy of a --pure dump: identical" || bad "tape copy pure"
"$DDR" -q copy --file 1 cp.aws cp2.aws && cmp -s cp.aws cp2.aws && ok "tape copy keeps the checksum trailer" || bad "tape copy trailer"
"$DDR" -q copy --checksums p.aws p3.aws && "$DDR" verify p3.aws | grep -q "reel checksum match" && ok "--checksums adds a trailer" || bad "--checksums"
# SOURCE_DATE_EPOCH stamps the trailer as it stamps a dump's: two copies are byte-identical.
SOURCE_DATE_EPOCH=1764000000 "$DDR" -q copy --checksums p.aws p4.aws && sleep 1 &&
    SOURCE_DATE_EPOCH=1764000000 "$DDR" -q copy --checksums p.aws p5.aws && cmp -s p4.aws p5.aws &&
    ! cmp -s p3.aws p4.aws && ok "--checksums with SOURCE_DATE_EPOCH is reproducible" || bad "--checksums and SOURCE_DATE_EPOCH"
"$DDR" -q copy --file 1 nuc.aws nuc2.aws && cmp -s nuc.aws nuc2.aws && ok "tape copy of a NUCLEUS dump" || bad "tape copy nucleus"
"$DDR" -q copy -c 10-11 cp.aws part.aws && "$DDR" list part.aws | grep -q "cylinders 10-11: 38 tracks" && ok "tape copy -c 10-11" || bad "tape copy -c"
expect 2 "tape copy with REORDER" -- "$DDR" copy -c 10-11:3 cp.aws re.aws
expect 6 "tape copy onto an existing tape" -- "$DDR" copy --file 1 cp.aws p.aws
finish
