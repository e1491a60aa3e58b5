#!/usr/bin/env bash
# Dump and restore a realistic sample volume of every CKD device type: the restored
# volume equals the source track for track, in AWS and HET, through files and pipes.
. "$(dirname "$0")/lib.sh"
# Every CKD model in the device table.  The first restore of each goes to a new image
# (created as the model the tape describes, given by --devtype); big models restore onto
# a small image made with `ddr init`, so the test stays quick.
for dev in 2305-1 2305-2 2311 2314 3330 3330-11 3340-35 3340-70 3350 3375 3380 3380-D 3380-J 3380-E 3380-K \
           3390-1 3390-2 3390-3 3390-9 3390-27 3390-54 9345-1 9345-2; do
  vol="V$(echo $dev | tr -d - | tail -c 6)"
  "$TOOLS/make-sample-volume" src.img "$dev" "$vol" 4 7 80 || { bad "$dev: sample"; continue; }
  "$DDR" -q dump --devtype "$dev" src.img t.aws || { bad "$dev: dump"; continue; }
  case $dev in
    3390-[29]*|3390-[35]*|3380-[EK]) "$DDR" -q init out.img "$dev" "$vol" --cylinders 4 ;;
  esac
  "$DDR" -q restore --devtype "$dev" t.aws out.img || { bad "$dev: restore"; continue; }
  if cmp -s -n "$(stat -c %s src.img)" src.img out.img; then ok "$dev round trip"; else bad "$dev: restored volume differs"; fi
  rm -f src.img t.aws out.img
done
# HET container, and a pipe from dump to restore.
"$TOOLS/make-sample-volume" src.img 3390-3 PIPE01 6 11 90
"$DDR" -q dump --format het src.img t.het && "$DDR" -q restore t.het out.img \
  && cmp -s -n "$(stat -c %s src.img)" src.img out.img && ok "HET round trip" || bad "HET round trip"
[ "$(head -c 6 t.het | od -An -tx1 | tr -d ' ')" != "" ] && [ "$(stat -c %s t.het)" -lt "$(stat -c %s src.img)" ] && ok "HET is compressed" || bad "HET not smaller"
rm -f out.img
"$DDR" -q dump src.img - | "$DDR" -q restore - out.img && cmp -s -n "$(stat -c %s src.img)" src.img out.img \
  && ok "dump | restore through a pipe" || bad "pipe round trip"
# REORDER and two dumps on one tape, restored by --file.
rm -f out.img t.aws
"$DDR" -q dump -c 0-1 src.img t.aws && "$DDR" -q dump --append -c 2-3:4 src.img t.aws || bad "two dumps"
"$DDR" -q restore --file 2 t.aws out.img || bad "restore --file 2"
python3 - <<'PY' && ok "REORDERed dump restored at its new cylinders" || bad "REORDER restore"
import struct
def tracks(p):
    d = open(p, 'rb').read(); h, t = struct.unpack_from('<II', d, 8)
    return h, t, d
h, t, s = tracks('src.img'); _, _, o = tracks('out.img')
def trk(d, c, hh):
    b = d[512 + (c * h + hh) * t: 512 + (c * h + hh + 1) * t]
    i = 5
    while b[i:i+8] != b'\xff' * 8: i += 8 + b[i+5] + struct.unpack('>H', b[i+6:i+8])[0]
    return b[:i+8]
for c in (2, 3):
    for hh in range(h):
        a, b = trk(s, c, hh), trk(o, c + 2, hh)
        # The HA and R0 follow the new place; every record count keeps its own CCHH.
        assert a[13:] == b[13:] and b[1:5] == struct.pack('>HH', c + 2, hh), (c, hh)
PY
# Multi-reel by cartridge size, then restored from the reels.
rm -f r1.aws r2.aws r3.aws out.img
"$DDR" -q dump --reel-size 1.2M src.img r1.aws r2.aws r3.aws || bad "multi-reel dump"
n=$(ls r?.aws | wc -l); [ "$n" -ge 2 ] && ok "dump used $n reels" || bad "dump used $n reels"
"$DDR" -q restore r?.aws out.img && cmp -s -n "$(stat -c %s src.img)" src.img out.img && ok "multi-reel restore" || bad "multi-reel restore"
finish
