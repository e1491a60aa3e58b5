#!/usr/bin/env bash
# Tape drives, simulated: tests/faults/tapeshim.c preloaded into the dynamically linked
# build makes names like ./nst0 Linux st devices (MTIOCGET, MTIOCTOP, one block per
# read/write, early warning, physical end, read/write errors) whose cartridges are files.
# The binary's own drive code runs unchanged.  Checked: a dump across drives ends each
# reel at the drive's early warning exactly where a --reel-size dump ends it, and restores
# and verifies equal; --append and --file N on one cartridge; one drive meeting its early
# warning fails with exit 5 naming the reel needed; write and read errors at chosen blocks
# exit 8 and 9 naming the drive and block; /dev/st-style names rewind on close.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
DYN="$TOOLS/ddr-dynamic"; SHIM="$TOOLS/tapeshim.so"
[ -x "$DYN" ] && [ -f "$SHIM" ] || { echo "FAIL: $DYN or $SHIM not built (make tools)"; exit 1; }
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
drv() { LD_PRELOAD="$SHIM" "$DYN" "$@"; }
# same SOURCE RESTORED: the restored image holds the source's bytes (it may be longer: a
# new image gets the device's whole size).
same() { cmp -s -n "$(stat -c %s "$1")" "$1" "$2"; }

"$TOOLS/make-sample-volume" vol.3390 3390-3 DRV001 12 5 85 || bad "sample volume"
"$DDR" -q dump --reel-size 1500k vol.3390 f1.aws f2.aws f3.aws f4.aws 2>/dev/null || bad "file-based multi-reel dump"
reels=$(ls f?.aws 2>/dev/null | while read -r f; do [ -s "$f" ] && echo "$f"; done | wc -l)
[ "$reels" -ge 3 ] && ok "file-based dump: $reels reels" || bad "file-based dump has only $reels reels"

# ew_of (lib.sh): where each drive's early warning is put.
spec=""
for i in $(seq 1 "$reels"); do
  rm -f "nst$i.tape" "nst$i.pos"
  ew=""; [ "$i" -lt "$reels" ] && ew=",ew=$(ew_of "f$i.aws")"
  spec="$spec;./nst$i$ew"
done
export DDR_SIMDRIVES="${spec#;}"
drives=$(seq -f './nst%g' 1 "$reels")
# shellcheck disable=SC2086
drv -q dump --overwrite vol.3390 $drives 2> run.err && ok "dump to $reels simulated drives" || bad "drive dump: $(cat run.err)"

# The records of each cartridge against the file reel: same count, kinds and lengths,
# identical blocks up to the EOV or EOJ, which stands at the same index (the VHR's TOD and
# the trailer's time differ between two dumps, so headers and trailer are compared by length).
compare() {
  python3 - "$1" "$2" <<'EOF'
import struct, sys
def aws(path):
    data = open(path, 'rb').read(); pos = 0; out = []; block = b''
    while pos + 6 <= len(data):
        ln, prev, f1, f2 = struct.unpack_from('<HHBB', data, pos); pos += 6
        if f1 & 0x40: out.append(None); continue
        if f1 & 0x80: block = b''
        block += data[pos:pos + ln]; pos += ln
        if f1 & 0x20: out.append(block)
    return out
def sim(path):
    data = open(path, 'rb').read(); pos = 0; out = []
    while pos + 4 <= len(data):
        (ln,) = struct.unpack_from('<I', data, pos); pos += 4
        if ln == 0xFFFFFFFF: out.append(None); continue
        out.append(data[pos:pos + ln]); pos += ln
    return out
a, b = aws(sys.argv[1]), sim(sys.argv[2])
ids = [bytes([0xC5, 0xD6, 0xE5, 0x40]), bytes([0xC5, 0xD6, 0xD1, 0x40])]  # EOV, EOJ
def end_at(recs): return next(i for i, r in enumerate(recs) if r is not None and len(r) == 80 and r[:4] in ids)
assert len(a) == len(b), f"{len(a)} records on the file reel, {len(b)} on the drive"
assert end_at(a) == end_at(b), f"end record at {end_at(a)} on the file reel, {end_at(b)} on the drive"
for i, (x, y) in enumerate(zip(a, b)):
    assert (x is None) == (y is None), f"record {i}: tape mark on one only"
    if x is None: continue
    assert len(x) == len(y), f"record {i}: {len(x)} bytes against {len(y)}"
    assert i == 0 or i >= end_at(a) or x == y, f"record {i} differs"
print(f"{len(a)} records, end record at {end_at(a)}")
EOF
}
for i in $(seq 1 "$reels"); do
  if out=$(compare "f$i.aws" "nst$i.tape" 2>&1); then ok "reel $i: drive and file reel agree ($out)"; else bad "reel $i: $out"; fi
done
# shellcheck disable=SC2086
drv -q restore $drives back.3390 2> run.err && same vol.3390 back.3390 && ok "restore from the drives: identical" \
  || bad "restore from the drives: $(cat run.err)"
# shellcheck disable=SC2086
drv -q verify $drives 2> run.err && ok "verify from the drives" || bad "verify from the drives: $(cat run.err)"

# shellcheck disable=SC2086
drv list $drives > list.out 2> run.err && grep -q "DRV001" list.out && ok "list from the drives" \
  || bad "list from the drives: $(cat run.err list.out)"

# ---- one drive: its early warning needs reel 2, which there is no way to get ----
rm -f one.tape one.pos
export DDR_SIMDRIVES="./one,ew=$(ew_of f1.aws)"
expect 5 "one drive reaching its early warning" -- drv -q dump --overwrite vol.3390 ./one
contains "reel 2" "names the reel needed"

# ---- several dumps on one cartridge: --append, --file N ----
"$TOOLS/make-sample-volume" small.3390 3390-3 DRV002 3 5 85 || bad "second sample volume"
rm -f cart.tape cart.pos
export DDR_SIMDRIVES="./cart"
drv -q dump --overwrite vol.3390 ./cart 2>run.err || bad "dump 1 to the cartridge: $(cat run.err)"
drv -q dump --append small.3390 ./cart 2>run.err || bad "dump 2 --append: $(cat run.err)"
drv -q dump --append --at-end leave vol.3390 ./cart 2>run.err || bad "dump 3 --append: $(cat run.err)"
[ "$(cat cart.pos)" != 0 ] && ok "--at-end leave: the cartridge stays after dump 3" || bad "--at-end leave rewound"
for n in 1 2 3; do
  want=vol.3390; [ "$n" = 2 ] && want=small.3390
  rm -f "back$n.3390" cart.reads
  if drv -q restore --file "$n" ./cart "back$n.3390" 2>run.err && same "$want" "back$n.3390"; then
    ok "restore --file $n from the cartridge: identical"
  else bad "restore --file $n: $(cat run.err)"; fi
  eval "reads$n=\$(cat cart.reads 2>/dev/null || echo 0)"
done
# Dumps 1 and 3 are of the same volume: --file 3 spaces over dumps 1 and 2 (MTFSF) and
# reads as many blocks as --file 1, not those of three dumps.
[ "$reads1" -gt 0 ] && [ "$reads3" = "$reads1" ] && ok "restore --file 3 read only dump 3 ($reads3 blocks, as --file 1)" \
  || bad "restore --file 3 read $reads3 blocks, --file 1 $reads1"
expect 0 "verify --file 2 from the cartridge" -- drv -q verify --file 2 ./cart
expect 3 "restore --file 5 from a cartridge of 3 dumps" -- drv -q restore --file 5 ./cart none.3390
contains "the tape holds only 3 tape files; cannot skip 4" "spacing off the recorded data"
[ ! -e none.3390 ] && ok "  no target made" || bad "restore --file 5 made a target"
drv -q dump --overwrite small.3390 ./cart 2>run.err || bad "dump without --append: $(cat run.err)"
[ "$(cat cart.pos)" = 0 ] && ok "--at-end rewind (default): the cartridge is rewound" || bad "not rewound"
drv -q restore --file 2 ./cart nothing.3390 >/dev/null 2>&1 && bad "--overwrite did not start the cartridge again" \
  || ok "a dump without --append starts the cartridge again (no file 2 left)"

# ---- a drive already holding data is not written without --overwrite or --append ----
expect 6 "dump onto a drive without --overwrite" -- drv -q dump small.3390 ./cart

# ---- /dev/st-style names rewind on close ----
rm -f st9.tape st9.pos
export DDR_SIMDRIVES="./st9"
drv -q dump --overwrite --at-end leave small.3390 ./st9 2>run.err || bad "dump to st9: $(cat run.err)"
[ "$(cat st9.pos)" = 0 ] && ok "st-style device: rewound on close even with --at-end leave" || bad "st9 not rewound"

# ---- faults at chosen blocks ----
rm -f bad.tape bad.pos
export DDR_SIMDRIVES="./bad,werr=7"
expect 8 "write error at block 7" -- drv -q dump --overwrite small.3390 ./bad
contains "./bad: block 7" "names the drive and block"; contains "write error" "says write error"
# What the failed dump left on the cartridge is never taken for a complete dump.
export DDR_SIMDRIVES="./bad"
expect 3 "verify of the cartridge a failed dump left" -- drv -q verify ./bad
contains "truncated" "says the dump is cut short"
export DDR_SIMDRIVES="./bad,end=40000"
expect 8 "the physical end of the tape" -- drv -q dump --overwrite vol.3390 ./bad
contains "physical end" "says the tape ended"
export DDR_SIMDRIVES="./cart,rerr=5"
expect 9 "read error at block 5" -- drv -q restore ./cart err.3390
contains "./cart: block 5" "names the drive and block"; contains "read error" "says read error"
[ -e err.3390 ] && bad "a failed restore left err.3390" || ok "  no target left behind"
finish
