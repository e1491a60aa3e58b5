#!/usr/bin/env bash
# FBA volumes: dump, restore, verify, list and init for every FBA type, with this
# project's FBA encoding (man/ddrtape.5 section 9).
. "$(dirname "$0")/lib.sh"
fill() {  # FILE SEED: put random data in some blocks (block 1, the label, is left alone)
  python3 - "$1" "$2" <<'PY'
import random, sys
path, seed = sys.argv[1], int(sys.argv[2])
r = random.Random(seed); d = bytearray(open(path, 'rb').read()); n = len(d) // 512
for b in list(range(2, n, max(1, n // 40))) + [0, n - 1]:
    d[b * 512:(b + 1) * 512] = bytes(r.randrange(256) for _ in range(512))
open(path, 'wb').write(d)
PY
}
# Every FBA type (small volumes of each: the type is what the header and trailer record).
for dev in 3310 3370 3370-2 9313 9332-400 9332-600 9335 9336-10 9336-20 0671 0671-04 0671-08 FB-512; do
  rm -f v.fba t.aws r.fba
  "$DDR" -q init v.fba "$dev" FB$(echo $dev | tr -dc 0-9 | head -c 4) --blocks 1000 || { bad "$dev init"; continue; }
  fill v.fba 3
  "$DDR" -q dump --devtype "$dev" v.fba t.aws && "$DDR" -q restore t.aws r.fba && cmp -s v.fba r.fba \
    && ok "$dev: 1,000 blocks (8 groups of 120 and one of 40) round trip" || bad "$dev round trip"
done
"$DDR" list t.aws | grep -q "FBA volume of 1000 blocks" && ok "list shows an FBA dump" || bad "list FBA: $("$DDR" list t.aws)"

# A full-size 3370 made like dasdinit does, and extents at both ends, REORDERed.
"$DDR" -q init full.fba 3370 FBA001 && dasdinit h.fba 3370 FBA001 >/dev/null 2>&1 && cmp -s full.fba h.fba \
  && ok "ddr init of a 3370 equals Hercules' dasdinit" || bad "init 3370 differs from dasdinit"
fill full.fba 5
"$DDR" -q dump -b 0-0 -b 557999 full.fba ends.aws || bad "dump of the first and last block"
"$DDR" list ends.aws | grep -q "blocks 0, 557999: 2 groups, 2 blocks" && ok "extents at the first and the last block" || bad "ends: $("$DDR" list ends.aws)"
"$DDR" -q init part.fba 3370 FBA001 --blocks 1000
"$DDR" -q restore --blocks 557999:999 ends.aws part.fba && python3 - <<'PY' && ok "block 557,999 REORDERed on restore to block 999" || bad "reorder restore"
a = open('full.fba', 'rb').read(); b = open('part.fba', 'rb').read()
assert b[999 * 512:1000 * 512] == a[557999 * 512:558000 * 512]
PY
"$DDR" -q dump -b 100-399:5000 full.fba re.aws && "$DDR" -q verify re.aws --against full.fba >/dev/null \
  && ok "a REORDERed FBA dump verifies against its volume" || bad "reorder verify"
"$DDR" -q restore re.aws re.fba && python3 - <<'PY' && ok "...and restores at blocks 5000-5299" || bad "reorder restore 2"
a = open('full.fba', 'rb').read(); b = open('re.fba', 'rb').read()
assert b[5000 * 512:5300 * 512] == a[100 * 512:400 * 512]
PY

# Checksums and manifests.
"$DDR" -q dump --manifest d.m full.fba t.aws --overwrite
"$DDR" -q manifest full.fba > v.m && [ "$(grep '^g' d.m)" = "$(grep '^g' v.m)" ] && ok "dump --manifest = manifest of the FBA volume" || bad "fba manifests"
"$DDR" -q verify full.fba --manifest d.m >/dev/null && ok "the volume matches its manifest" || bad "verify volume manifest"
"$DDR" -q verify t.aws --manifest v.m >/dev/null && ok "the tape matches the volume's manifest" || bad "verify tape manifest"
python3 - <<'PY'
d = bytearray(open('t.aws', 'rb').read()); d[len(d) // 2] ^= 0x08; open('bad.aws', 'wb').write(d)
PY
expect 4 "verify finds a flipped bit in an FBA dump" -- "$DDR" verify bad.aws
contains "FBA block" "fba flip"
cp full.fba changed.fba; python3 -c "
d = bytearray(open('changed.fba','rb').read()); d[300000 * 512 + 17] ^= 1; open('changed.fba','wb').write(d)"
expect 4 "verify --against finds one changed FBA byte" -- "$DDR" verify t.aws --against changed.fba
contains "FBA block 300000" "changed fba"

# Into a compressed CFBA, which Hercules reads back as our blocks.
"$DDR" -q restore --format cfba t.aws c.cfba && cfba2fba -q c.cfba back.fba >/dev/null 2>&1 && cmp -s back.fba full.fba \
  && ok "restore --format cfba: cfba2fba gives back the volume" || bad "cfba restore"

# Safety: CKD and FBA do not mix; volsers are checked; sizes are checked.
"$TOOLS/make-sample-volume" ckd.3390 3390-1 CKD001 2 1 50
"$DDR" -q dump ckd.3390 ckd.aws
expect 7 "a CKD dump onto an FBA volume" -- "$DDR" restore --force ckd.aws part.fba
expect 7 "an FBA dump onto a CKD volume" -- "$DDR" restore --force t.aws ckd.3390
"$DDR" -q init other.fba 3370 OTHER1; before=$(sum other.fba)
expect 6 "FBA volser mismatch" -- "$DDR" restore t.aws other.fba
[ "$(sum other.fba)" = "$before" ] && ok "  volume untouched" || bad "volume changed"
"$DDR" -q init small.fba 3370 FBA001 --blocks 500; before=$(sum small.fba)
expect 6 "FBA target too small" -- "$DDR" restore t.aws small.fba
[ "$(sum small.fba)" = "$before" ] && ok "  volume untouched" || bad "small volume changed"
expect 2 "--cylinders on an FBA volume" -- "$DDR" dump -c 0-1 full.fba x.aws
expect 7 "a CKD --devtype on an FBA volume" -- "$DDR" dump --devtype 3390-3 full.fba x.aws
expect 2 "FB-512 without --blocks" -- "$DDR" init x.fba FB-512 X
finish
