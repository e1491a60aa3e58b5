#!/usr/bin/env bash
# Bad input: a one-line error naming the place, a distinct exit status, and existing
# data left exactly as it was.
. "$(dirname "$0")/lib.sh"
"$TOOLS/make-sample-volume" src.img 3330 ERR001 6 3 90
"$DDR" -q dump --pure src.img good.aws || exit 1
size=$(stat -c %s good.aws)

# --- unreadable tapes (exit 3) ---
head -c $((size / 2)) good.aws > half.aws
expect 3 "truncated tape" -- "$DDR" restore half.aws new1.img
contains "half.aws" "truncated"; [ ! -e new1.img ] && ok "  no target left behind" || bad "truncated: target created"
# cut exactly at a block boundary: a tape that ends without EOJ
python3 - <<'PY'
import struct
d = open('good.aws', 'rb').read(); o = 0; offs = []
while o < len(d):
    cur = struct.unpack_from('<H', d, o)[0]; offs.append(o); o += 6 + cur
open('cut.aws', 'wb').write(d[:offs[len(offs) // 2]])
PY
expect 3 "tape cut at a block boundary" -- "$DDR" restore cut.aws new2.img
contains "truncated" "cut tape"; [ ! -e new2.img ] && ok "  no target left behind" || bad "cut: target created"
printf 'this is not a tape at all, just some text in a file\n' > text.aws
expect 3 "not a tape" -- "$DDR" restore text.aws new3.img
python3 -c "
import struct; b = bytes(range(200))
open('notddr.aws','wb').write(struct.pack('<HHBB', len(b), 0, 0xA0, 0) + b + struct.pack('<HHBB', 0, len(b), 0x40, 0))"
expect 3 "an AWS tape that is not DDR" -- "$DDR" restore notddr.aws new3.img
contains "not a DDR dump" "not ddr"; contains "block 1" "not ddr"
# a continuation block one byte short: the THR says 4096
python3 - <<'PY'
import struct
d = bytearray(open('good.aws', 'rb').read()); o = 0; prev_thr = False
while o < len(d):
    cur = struct.unpack_from('<H', d, o)[0]; blk = d[o+6:o+6+cur]
    if prev_thr and cur == 4096:
        # drop the last byte of this block
        d[o:o+2] = struct.pack('<H', cur - 1); del d[o + 6 + cur - 1]
        nxt = o + 6 + cur - 1; d[nxt+2:nxt+4] = struct.pack('<H', cur - 1)
        break
    prev_thr = cur == 4096 and blk[:4] == b'\xe3\xc8\xd9\x40' and struct.unpack('>H', blk[6:8])[0] >= 2
    o += 6 + cur
open('shortblock.aws', 'wb').write(d)
PY
expect 3 "wrong block length" -- "$DDR" restore shortblock.aws new4.img
contains "cyl " "block length"; contains "head " "block length"; contains "block " "block length"
expect 3 "list of a truncated tape" -- "$DDR" list half.aws

# --- reels (exit 5) ---
"$DDR" -q dump --pure --reel-size 400k src.img r1.aws r2.aws r3.aws r4.aws r5.aws r6.aws >/dev/null 2>&1 || bad "multi-reel dump"
expect 5 "reel missing" -- "$DDR" restore r1.aws new5.img
contains "reel 2" "reel missing"; [ ! -e new5.img ] && ok "  no target left behind" || bad "reel missing: target created"
expect 5 "reels out of order" -- "$DDR" restore r2.aws r1.aws new6.img
"$DDR" -q dump --pure --reel-size 400k src.img o1.aws o2.aws o3.aws o4.aws o5.aws o6.aws >/dev/null 2>&1
expect 5 "reel of another dump" -- "$DDR" restore r1.aws o2.aws new7.img
contains "another dump" "other dump"

# --- an existing target that must not be touched (exit 6) ---
"$DDR" -q init small.img 3330 ERR001 --cylinders 3
before=$(sum small.img)
expect 6 "target too small" -- "$DDR" restore good.aws small.img
[ "$(sum small.img)" = "$before" ] && ok "  small target untouched" || bad "small target changed"
"$DDR" -q init other.img 3330 OTHER1 --cylinders 10
before=$(sum other.img)
expect 6 "volser mismatch" -- "$DDR" restore good.aws other.img
contains "OTHER1" "volser"; [ "$(sum other.img)" = "$before" ] && ok "  target untouched" || bad "volser: target changed"
expect 6 "--volser that does not match the target" -- "$DDR" restore --volser WRONG1 good.aws other.img
"$DDR" -q restore --volser OTHER1 good.aws other.img && ok "--volser confirms the target" || bad "--volser OTHER1"
"$DDR" -q init other2.img 3330 OTHER2 --cylinders 10; before=$(sum other2.img)
expect 3 "truncated tape onto an existing target" -- "$DDR" restore --force half.aws other2.img
[ "$(sum other2.img)" = "$before" ] && ok "  target untouched (dump checked before writing)" || bad "truncated: existing target changed"
expect 6 "tape file exists" -- "$DDR" dump src.img good.aws
[ "$(stat -c %s good.aws)" = "$size" ] && ok "  tape untouched" || bad "tape overwritten"

# --- device types (exit 7) and usage (exit 2) ---
expect 7 "unknown device type" -- "$DDR" init x.img 3391 VOL001
expect 7 "--devtype of another type" -- "$DDR" dump --devtype 3390-3 src.img x.aws
"$DDR" -q init big.img 3390 BIG001 --cylinders 5
expect 7 "restore onto another device type" -- "$DDR" restore --force good.aws big.img
expect 2 "extent beyond the volume" -- "$DDR" dump -c 0-99 src.img y.aws
expect 2 "extents out of order" -- "$DDR" dump -c 4-5 -c 1-2 src.img y.aws
expect 2 "bad option" -- "$DDR" dump --no-such-option src.img y.aws
[ ! -e x.aws ] && [ ! -e y.aws ] && ok "no tape files left by refused dumps" || bad "refused dump left a tape"

# --- interrupted: exit 130, nothing half-written left looking complete ---
# A tape with checksums of several read-ahead buffers (2 MiB each), half of it fed at once.
"$TOOLS/make-sample-volume" int.3390 3390 INT001 60 1 60 hercules >/dev/null || bad "sample volume"
"$DDR" -q dump int.3390 int.aws || bad "dump of the sample volume"
mkfifo slow
( head -c $(( $(stat -c %s int.aws) / 2 )) int.aws; sleep 8 ) > slow &
feeder=$!
"$DDR" -q restore slow new8.img 2>int.err & pid=$!
sleep 2; kill -INT $pid; wait $pid; rc=$?
kill $feeder 2>/dev/null
[ "$rc" = 130 ] && ok "interrupted restore exits 130" || bad "interrupted restore exit $rc: $(cat int.err)"
# A new plain image keeps its temporary and its resume record for --resume (t-resume).
[ ! -e new8.img ] && [ -e new8.img.ddr-resume ] && [ "$(ls -a | grep -c '^\.new8\.img\.ddr-tmp\.')" = 1 ] \
  && ok "  no target; its temporary file and resume record are kept" || bad "interrupted restore left $(ls -a | grep new8)"
"$DDR" -q restore --resume int.aws new8.img && [ -z "$(ls -a | grep 'new8.*ddr-')" ] \
  && ok "  --resume completes it, nothing left beside it" || bad "--resume after the interruption: $(ls -a | grep new8)"
"$DDR" -q verify int.aws --against new8.img >/dev/null && ok "  the resumed image equals the tape" || bad "the resumed image differs from the tape"

# --- a dump whose tracks come backwards: every track after the first is a problem; the
# listing names 20 and counts the rest, verify -a lists all ---
python3 - <<'PY'
import struct
d = open('good.aws', 'rb').read(); o = 0; blocks = []
while o < len(d):
    cur, prev, f1, f2 = struct.unpack_from('<HHBB', d, o); blocks.append((f1, d[o+6:o+6+cur])); o += 6 + cur
thr = bytes([0xE3, 0xC8, 0xD9, 0x40])  # 'THR ' in EBCDIC
first = i = next(i for i, (f, b) in enumerate(blocks) if b[:4] == thr); groups = []
while blocks[i][1][:4] == thr:  # a group: THRNDRT full blocks, and one more if THRDRL is not 0
    full, short = struct.unpack_from('>HH', blocks[i][1], 6); n = full + (1 if short else 0)
    groups.append(blocks[i:i + n]); i += n
order = blocks[:first] + [b for g in reversed(groups) for b in g] + blocks[i:]
out = bytearray(); prev = 0
for f, b in order:
    out += struct.pack('<HHBB', len(b), prev, f, 0) + b; prev = len(b)
open('backwards.aws', 'wb').write(out)
PY
tracks=$((6 * 19))
"$DDR" list backwards.aws > back.list 2>&1
[ "$(grep -c 'PROBLEM: .*tracks out of order' back.list)" = 20 ] && grep -q "^  \.\.\. and $((tracks - 21)) more (ddr verify -a lists them all)" back.list \
  && ok "list: 20 of the $((tracks - 1)) tracks out of order, and how many more" || bad "list of a backwards dump: $(tail -5 back.list)"
expect 4 "verify of a backwards dump" -- "$DDR" verify backwards.aws
"$DDR" verify backwards.aws > back.verify 2>/dev/null
grep -q "DAMAGED: $((tracks - 1)) problems" back.verify && ! grep -q "in order" back.verify \
  && grep -q "^  structure: $((tracks - 1)) tracks out of order (VHR, EOJ and tape mark ok)" back.verify && [ "$(grep -c 'tracks out of order: this one' back.verify)" = 20 ] \
  && grep -q "^  \.\.\. and $((tracks - 21)) more (ddr verify -a lists them all)" back.verify \
  && ok "  DAMAGED: $((tracks - 1)) problems, 20 listed" || bad "verify of a backwards dump: $(grep -v '^  block' back.verify | head -8)"
"$DDR" verify -a backwards.aws > back.all 2>/dev/null
[ "$(grep -c 'tracks out of order: this one' back.all)" = $((tracks - 1)) ] && ! grep -q '\.\.\. and' back.all \
  && ok "  verify -a lists every one" || bad "verify -a of a backwards dump: $(grep -c 'out of order: this one' back.all) listed"
finish
