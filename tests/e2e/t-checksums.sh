#!/usr/bin/env bash
# Checksums beyond the trailer itself: verify --against a volume, manifests made three
# ways agreeing, a manifest catching a changed volume and a changed tape, a tampered
# manifest, restore --continue, and IBM/pure tapes said to carry no checksums.
. "$(dirname "$0")/lib.sh"
"$TOOLS/make-sample-volume" vol.3390 3390-3 SUM001 8 21 85
"$DDR" -q dump --manifest dump.manifest vol.3390 t.aws || bad "dump --manifest"
"$DDR" -q manifest vol.3390 > vol.manifest || bad "manifest of a volume"
"$DDR" -q manifest t.aws > tape.manifest || bad "manifest of a tape"
strip() { grep -v '^source\|^format\|^end' "$1"; }
[ "$(strip dump.manifest)" = "$(strip vol.manifest)" ] && ok "dump --manifest = manifest of the volume" || bad "dump/volume manifests differ"
[ "$(grep '^t ' dump.manifest)" = "$(grep '^t ' tape.manifest)" ] && ok "manifest of the tape = manifest of the volume" || bad "tape manifest differs"
"$DDR" -q verify vol.3390 --manifest dump.manifest >/dev/null && ok "volume matches its manifest" || bad "volume vs manifest"
"$DDR" -q verify t.aws --manifest vol.manifest >/dev/null && ok "tape matches the volume's manifest" || bad "tape vs manifest"
"$DDR" -q verify t.aws --against vol.3390 >/dev/null && ok "tape matches the volume" || bad "tape vs volume"

# One changed byte in the volume: somewhere inside the data of cylinder 5 head 7.
cp vol.3390 changed.3390
python3 - <<'PY'
import struct
d = bytearray(open('changed.3390', 'rb').read()); heads, trk = struct.unpack_from('<II', d, 8)
t = 512 + (5 * heads + 7) * trk
o, target = 5, None
while d[t + o:t + o + 8] != b'\xff' * 8:
    kl, dl = d[t + o + 5], struct.unpack('>H', d[t + o + 6:t + o + 8])[0]
    if dl:
        target = t + o + 8 + kl + dl // 2     # a byte in the middle of a record's data
    o += 8 + kl + dl
d[target] ^= 0x01
open('changed.3390', 'wb').write(d)
PY
expect 4 "verify --against finds one changed byte" -- "$DDR" verify t.aws --against changed.3390
contains "cyl 5 head 7" "against"
expect 4 "the changed volume against the manifest" -- "$DDR" verify changed.3390 --manifest dump.manifest
contains "cyl 5 head 7" "volume manifest"

# A tampered manifest, and a cut one.
sed 's/^t 3 3 \(.\)/t 3 3 0/' dump.manifest > tampered.manifest
if cmp -s tampered.manifest dump.manifest; then sed -i 's/^t 3 3 0/t 3 3 1/' tampered.manifest; fi
expect 3 "a tampered manifest" -- "$DDR" verify vol.3390 --manifest tampered.manifest
contains "changed or damaged" "tampered"
head -n 30 dump.manifest > cut.manifest
expect 3 "a cut manifest" -- "$DDR" verify vol.3390 --manifest cut.manifest

# A damaged track: restore stops, or with --continue restores everything and lists it.
python3 - <<'PY'
import struct
d = bytearray(open('t.aws', 'rb').read()); o = 0; n = 0
while o < len(d):
    cur, _p, f1, _f2 = struct.unpack_from('<HHBB', d, o)
    if cur == 4096 and d[o+6:o+10] != b'\xe3\xc8\xd9\x40':
        n += 1
        if n == 10:
            d[o + 6 + 100] ^= 0x20
            break
    o += 6 + cur
open('bad.aws', 'wb').write(d)
PY
expect 4 "restore of a damaged dump stops" -- "$DDR" restore bad.aws new.3390
[ ! -e new.3390 ] && ok "  no target left" || bad "damaged restore left a target"
"$DDR" -q init exist.3390 3390-3 SUM001 --cylinders 8; before=$(sum exist.3390)
expect 4 "a damaged dump onto an existing volume" -- "$DDR" restore bad.aws exist.3390
[ "$(sum exist.3390)" = "$before" ] && ok "  existing volume untouched" || bad "existing volume changed"
expect 4 "restore --continue" -- "$DDR" restore --continue bad.aws cont.3390
[ -e cont.3390 ] && ok "  --continue made the target" || bad "--continue made no target"

# Pure and IBM tapes carry no checksums, and say so.
"$DDR" -q dump --pure vol.3390 pure.aws
out=$("$DDR" verify pure.aws); rc=$?
[ $rc = 0 ] && echo "$out" | grep -q "checksums: none" && ok "a --pure tape verifies its structure, says no checksums" || bad "pure verify: $out"
"$DDR" list t.aws | grep -q "checksums: present; 120 of 120 tracks match" && ok "list shows the checksums" || bad "list checksums"
"$DDR" list pure.aws | grep -q "checksums: none" && ok "list says a --pure tape has none" || bad "list pure"
# --pure is IBM's tape exactly: the same dump with a trailer differs only after each EOJ.
size_pure=$(stat -c %s pure.aws)
[ "$(stat -c %s t.aws)" -gt "$size_pure" ] && ok "the trailer adds blocks after EOJ" || bad "no trailer?"

# Three dumps appended on one tape: every EOJ that another dump follows is followed by a
# tape mark (IBM's DDR restores such tapes in one run with LEAVE), the trailers of the
# first two move behind the last, and all three still verify.
"$DDR" -q dump -c 0-1 vol.3390 three.aws && "$DDR" -q dump --append -c 2-3 vol.3390 three.aws \
  && "$DDR" -q dump --append -c 4-5:6 vol.3390 three.aws || bad "three appended dumps"
python3 - <<'PY' && ok "each EOJ but the last is followed by a tape mark" || bad "an EOJ followed by a trailer"
import struct
d = open('three.aws', 'rb').read(); o = 0; blocks = []
while o < len(d):
    cur, _p, f1, _f2 = struct.unpack_from('<HHBB', d, o)
    blocks.append(None if f1 & 0x40 else d[o + 6:o + 6 + cur]); o += 6 + cur
eojs = [i for i, b in enumerate(blocks) if b is not None and len(b) == 80 and b[:4] == b'\xc5\xd6\xd1\x40']
assert len(eojs) == 3, eojs
assert all(blocks[i + 1] is None for i in eojs[:2])
trailer = blocks[eojs[2] + 1:-1]
assert len([b for b in trailer if b[:8] == bytes.fromhex('c4c4d9e7c8c4d940')]) == 3
PY
out=$("$DDR" verify three.aws); [ $? = 0 ] && [ "$(echo "$out" | grep -c 'track checksums and 1 reel checksum match')" = 3 ] \
  && ok "all three dumps verify, the first two from their moved trailers" || bad "three-dump verify: $out"
"$DDR" -q init three.3390 3390-3 SUM001 --cylinders 8
"$DDR" -q restore --file 1 three.aws three.3390 && ok "restore of dump 1 (trailer moved) onto an existing volume" || bad "restore file 1"
python3 - <<'PY'
d = bytearray(open('three.aws', 'rb').read())
d[1000] ^= 0x01                      # inside dump 1, whose trailer is at the end of the tape
open('three-bad.aws', 'wb').write(d)
PY
expect 4 "damage in dump 1 found through its moved trailer" -- "$DDR" verify three-bad.aws
"$DDR" -q init three2.3390 3390-3 SUM001 --cylinders 8; before=$(sum three2.3390)
expect 4 "restore of damaged dump 1 refused before writing" -- "$DDR" restore --file 1 three-bad.aws three2.3390
[ "$(sum three2.3390)" = "$before" ] && ok "  volume untouched" || bad "volume changed"
finish
