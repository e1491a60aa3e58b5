#!/usr/bin/env bash
# EAV (3390-A): dump, verify and restore end to end, in our CKD_E064 container, across
# the places where addressing changes (cylinder 65,520, 65,535/65,536, the last).
. "$(dirname "$0")/lib.sh"
"$DDR" -q init max.eav 3390-A EAVMAX && ok "ddr init of a 1,182,006-cylinder 3390-A ($(stat -c %s max.eav) bytes)" || bad "init EAV"
"$DDR" list max.eav >/dev/null 2>&1; true
"$TOOLS/make-sample-volume" big.eav 3390-A EAV001 1182006 9 90 || bad "sample EAV"
"$DDR" -q dump -c 0-2 -c 65518-65538 -c 1182003-1182005 big.eav e.aws || bad "dump EAV extents"
python3 - <<'PY' && ok "VHR: CYLA X'FFFF', the true last cylinder in bytes 10-13, EAV CCHH" || bad "EAV VHR"
import struct
d = open('e.aws', 'rb').read()
vhr = d[6:86]
assert struct.unpack('>H', vhr[26:28])[0] == 0xFFFF
assert struct.unpack('>I', vhr[10:14])[0] == 1182005
# The EOJ names cylinder 1,182,005 in CCCCcccH form: CC = low 16 bits, HH = high 12 bits << 4 | head.
o = 0
while o < len(d):
    cur, _p, f1, _f = struct.unpack_from('<HHBB', d, o)
    b = d[o + 6:o + 6 + cur]
    if cur == 80 and b[:4] == b'\xc5\xd6\xd1\x40':
        cc, hh = struct.unpack('>HH', b[6:10])
        assert cc == 1182005 & 0xFFFF and hh == (1182005 >> 16) << 4 | 14, (cc, hh)
        break
    o += 6 + cur
PY
"$DDR" list e.aws | grep -q "last cylinder 1182005 (EAV)" && ok "list names the EAV's last cylinder" || bad "list EAV"
"$DDR" -q verify e.aws --against big.eav >/dev/null && ok "verify --against the EAV volume" || bad "verify EAV"
"$DDR" -q restore e.aws new.eav && ok "restore to a new EAV" || bad "restore EAV"
"$DDR" -q manifest -c 0-2,65518-65538,1182003-1182005 big.eav > a.m
"$DDR" -q manifest -c 0-2,65518-65538,1182003-1182005 new.eav > b.m
[ "$(grep '^t' a.m)" = "$(grep '^t' b.m)" ] && ok "restored EAV tracks equal the source's" || bad "EAV tracks differ"
grep -q "^cylinders 1182006" b.m && ok "the new EAV has the source's 1,182,006 cylinders (from the VHR)" || bad "EAV size"
# A whole (smallest) EAV: every one of its 982,815 tracks.
"$TOOLS/make-sample-volume" small.eav 3390-A EAV002 65521 3 90
"$DDR" -q dump small.eav full.aws && "$DDR" -q restore full.aws back.eav && "$DDR" -q verify full.aws --against back.eav >/dev/null \
  && ok "full dump and restore of a 65,521-cylinder EAV" || bad "full EAV round trip"
"$DDR" -q init plain.3390 3390-3 EAV001 --cylinders 10
expect 6 "an EAV dump onto a 3390-3 too small for it" -- "$DDR" restore --force e.aws plain.3390
expect 2 "ddr init of an EAV too small to be one" -- "$DDR" init x.eav 3390-A X --cylinders 65520
finish
