#!/usr/bin/env bash
# ddr run (IBM DDR's statements) with tape units bound to tape drives, simulated as in
# t-drives.sh (tests/faults/tapeshim.c preloaded into the dynamically linked build: names
# like ./nst0 are Linux st devices whose cartridges are files).  Checked: two dumps on one
# cartridge with LEAVE; RESTORE with SKIP 1 and after LEAVE, identical to the sources;
# PRINT and TYPE from a drive; the console and printer of every job the same as with tape
# files; a job takes the tape where the last one left it; UNLOAD, REWIND and LEAVE leave
# the drive as IBM's DDR does; a RESTORE reads its dump once; a DUMP at a position
# replaces what followed there; a dump across two drives (alternate unit) by early
# warning; one drive meeting its early warning (END OF VOLUME, exit 5); write and read
# errors at chosen blocks (705E, exit 8 and 9, the drive and block named); no cartridge;
# a tape left inside a file; /dev/st-style rewind on close.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
DYN="$TOOLS/ddr-dynamic"; SHIM="$TOOLS/tapeshim.so"
[ -x "$DYN" ] && [ -f "$SHIM" ] || { echo "FAIL: $DYN or $SHIM not built (make tools)"; exit 1; }
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
same() { cmp -s -n "$(stat -c %s "$1")" "$1" "$2"; }
status() { if [ "$1" = "$2" ]; then ok "$3 (exit $1)"; else bad "$3: exit $1, wanted $2: $(cat err)"; fi; }
has() { if grep -qF -- "$2" "$1"; then ok "$3"; else bad "$3: '$2' not in $1: $(head -40 "$1")"; fi; }
# job OUT STATEMENTS TAPE181 [TAPE182]: the statements run with 181 (and 182) bound to
# the tapes given; the console in OUT, the printer in OUT.prt, errors in err.
job() {
  local out=$1 text=$2 t1=$3 t2=${4:-unbound182}
  printf '%b' "$text" | LD_PRELOAD="$SHIM" "$DYN" run --yes --unit 130=a.3390 --unit 131=b.3390 \
    --unit 140=back1.3390 --unit 141=back2.3390 --unit 181="$t1" --unit 182="$t2" --unit 00E="$out.prt" \
    >"$out" 2>err
}
# The printer pages less their TOD (the two jobs dump at different times).
pages() { sed -E 's/[0-9]{2}\/[0-9]{2}\/[0-9]{2}|[0-9]{2}:[0-9]{2}:[0-9]{2}//g' "$1"; }
# The tape file (0 is the first) and block in it where a simulated drive stands.
where() {
  python3 - "$1" <<'EOF'
import struct, sys
data = open(sys.argv[1] + '.tape', 'rb').read(); pos = int(open(sys.argv[1] + '.pos').read())
i = 0; rec = 0; f = 0; b = 0
while i + 4 <= len(data) and rec < pos:
    (n,) = struct.unpack_from('<I', data, i); i += 4; rec += 1
    if n == 0xFFFFFFFF: f += 1; b = 0
    else: i += n; b += 1
print(f"{f}.{b}")
EOF
}
# The number of tape files on a simulated cartridge.
files_on() { python3 -c "
import struct, sys
d = open(sys.argv[1] + '.tape', 'rb').read(); i = 0; n = 0
while i + 4 <= len(d):
    (l,) = struct.unpack_from('<I', d, i); i += 4
    if l == 0xFFFFFFFF: n += 1
    else: i += l
print(n)" "$1"; }
blank() { rm -f "$1.tape" "$1.pos" "$1.unloads" "$1.reads"; }
# The data blocks of tape file N (0 is the first) of a simulated cartridge.
blocks_in() { python3 -c "
import struct, sys
d = open(sys.argv[1] + '.tape', 'rb').read(); i = 0; f = 0; n = 0
while i + 4 <= len(d):
    (l,) = struct.unpack_from('<I', d, i); i += 4
    if l == 0xFFFFFFFF: f += 1
    else: i += l; n += f == int(sys.argv[2])
print(n)" "$1" "$2"; }
reads() { cat "$1.reads" 2>/dev/null || echo 0; }
# fresh IMAGE VOLSER CYLINDERS: a small labelled target to restore onto (a new one would be
# a whole 3390-1, slow to remove on some file systems).
fresh() { rm -f "$1"; "$DDR" init "$1" 3390 "$2" --cylinders "$3" >/dev/null 2>&1 || bad "init $1"; }
unloads() { cat "$1.unloads" 2>/dev/null || echo 0; }

"$TOOLS/make-sample-volume" a.3390 3390-3 RUNA01 10 5 85 >/dev/null || bad "sample volume a"
"$TOOLS/make-sample-volume" b.3390 3390-3 RUNB02 4 9 85 >/dev/null || bad "sample volume b"
export DDR_SIMDRIVES="./nst0;./nst1;./st0"

# ---- job 1: two volumes onto one cartridge, LEAVE after the first, UNLOAD after the second ----
J1='INPUT 130 3390 RUNA01\nOUTPUT 181 3480 (LEAVE\nDUMP ALL\nINPUT 131 3390 RUNB02\nOUTPUT 181 3480 (UNLOAD\nDUMP ALL\n\n'
blank nst0; rm -f t.aws
job drive1 "$J1" ./nst0; status $? 0 "job 1 on a drive: two DUMPs, LEAVE then UNLOAD"
job file1 "$J1" t.aws; status $? 0 "job 1 on a tape file"
[ "$(files_on nst0)" = 2 ] && ok "  the cartridge holds two tape files" || bad "  $(files_on nst0) tape files on the cartridge"
[ "$(where nst0)" = 0.0 ] && [ "$(unloads nst0)" = 1 ] && ok "  UNLOAD: the drive unloaded once, the tape at its start" \
  || bad "  after UNLOAD: at $(where nst0), $(unloads nst0) unloads"
cmp -s drive1 file1 && ok "  the console is the same as with a tape file" || bad "  consoles differ: $(diff drive1 file1)"
grep -c "END OF DUMP" drive1 | grep -qx 2 && ok "  END OF DUMP twice" || bad "  END OF DUMP: $(cat drive1)"
diff <(pages drive1.prt) <(pages file1.prt) >/dev/null && ok "  the printer pages are the same (less the TOD)" \
  || bad "  printer pages differ: $(diff <(pages drive1.prt) <(pages file1.prt) | head)"
LD_PRELOAD="$SHIM" "$DYN" list ./nst0 > list.out 2>&1 && grep -q RUNA01 list.out && grep -q RUNB02 list.out \
  && ok "  ddr list reads both dumps off the cartridge" || bad "  list: $(cat list.out)"
echo 0 > nst0.pos   # ddr list left the tape at its end: the operator rewinds it (mt rewind)

# ---- job 2: RESTORE the second dump with SKIP 1 ----
J2='INPUT 181 3480 (SKIP 1\nOUTPUT 141 3390 RUNB02\nRESTORE ALL\n\n'
fresh back2.3390 RUNB02 4
job drive2 "$J2" ./nst0; status $? 0 "job 2: RESTORE with SKIP 1 from the drive"
same b.3390 back2.3390 && ok "  the second volume restored byte for byte" || bad "  back2.3390 differs from b.3390"
fresh back2.3390 RUNB02 4; job file2 "$J2" t.aws; status $? 0 "job 2 on the tape file"
cmp -s drive2 file2 && ok "  the console is the same as with a tape file" || bad "  consoles differ: $(diff drive2 file2)"
[ "$(unloads nst0)" = 2 ] && [ "$(where nst0)" = 0.0 ] && ok "  UNLOAD (the default) after the RESTORE" \
  || bad "  after RESTORE: at $(where nst0), $(unloads nst0) unloads"

# ---- job 2a: a RESTORE reads its dump once (the VHR, for 717R, and then the dump) ----
echo 0 > nst0.pos; fresh back1.3390 RUNA01 10; rm -f nst0.reads
job drive2a 'INPUT 181 3480 (LEAVE\nOUTPUT 140 3390 RUNA01\nRESTORE ALL\n\n' ./nst0
status $? 0 "job 2a: RESTORE the first dump"
same a.3390 back1.3390 && ok "  restored byte for byte" || bad "  back1.3390 differs from a.3390"
dump1=$(blocks_in nst0 0)
[ "$dump1" -gt 100 ] && [ "$(reads nst0)" -ge "$dump1" ] && [ "$(reads nst0)" -le $((dump1 + 2)) ] \
  && ok "  the drive read the dump once ($(reads nst0) blocks read, $dump1 in the dump)" \
  || bad "  $(reads nst0) blocks read for a dump of $dump1 blocks"
echo 0 > nst0.pos

# ---- job 3: RESTORE the first with LEAVE, the second from where it left the tape; REWIND ----
J3='INPUT 181 3480 (LEAVE\nOUTPUT 140 3390 RUNA01\nRESTORE ALL\nINPUT 181 3480 (LEAVE\nOUTPUT 141 3390 RUNB02\nRESTORE ALL\n\n'
fresh back1.3390 RUNA01 10; fresh back2.3390 RUNB02 4
job drive3 "$J3" ./nst0; status $? 0 "job 3: RESTORE, LEAVE, RESTORE the next"
same a.3390 back1.3390 && same b.3390 back2.3390 && ok "  both volumes restored byte for byte" \
  || bad "  restored volumes differ"
[ "$(where nst0)" = 2.0 ] && ok "  LEAVE: the drive stands after the second dump's tape mark" || bad "  at $(where nst0)"
fresh back1.3390 RUNA01 10; fresh back2.3390 RUNB02 4; job file3 "$J3" t.aws; status $? 0 "job 3 on the tape file"
cmp -s drive3 file3 && ok "  the console is the same as with a tape file" || bad "  consoles differ: $(diff drive3 file3)"

# ---- job 4: the tape where job 3 left it; a DUMP there is written at the position ----
J4='INPUT 131 3390 RUNB02\nOUTPUT 181 3480 (REWIND\nDUMP ALL\n\n'
job drive4 "$J4" ./nst0; status $? 0 "job 4: DUMP where the last job LEFT the tape"
[ "$(files_on nst0)" = 3 ] && [ "$(where nst0)" = 0.0 ] && [ "$(unloads nst0)" = 2 ] \
  && ok "  a third tape file; REWIND rewound without unloading" || bad "  $(files_on nst0) files, at $(where nst0), $(unloads nst0) unloads"
J4b='INPUT 181 3480 (SKIP 2\nOUTPUT 141 3390 RUNB02\nRESTORE ALL\n\n'
fresh back2.3390 RUNB02 4; rm -f nst0.reads; job drive4b "$J4b" ./nst0; status $? 0 "  the third dump restores"
same b.3390 back2.3390 && ok "  identical" || bad "  back2.3390 differs"
# SKIP 2 spaces over the first two dumps (MTFSF): only the third's blocks are read.
dump3=$(blocks_in nst0 2)
[ "$dump3" -gt 10 ] && [ "$(reads nst0)" -ge "$dump3" ] && [ "$(reads nst0)" -le $((dump3 + 2)) ] \
  && ok "  SKIP 2 spaced over dumps 1 and 2 ($(reads nst0) blocks read, $dump3 in dump 3)" \
  || bad "  $(reads nst0) blocks read after SKIP 2 for a dump of $dump3 blocks"
# A dump at a position replaces what followed there (IBM's DDR on a drive).
J4c='INPUT 131 3390 RUNB02\nOUTPUT 181 3480 (SKIP 1\nDUMP ALL\n\n'
job drive4c "$J4c" ./nst0; status $? 0 "  SKIP 1 and DUMP: written over dumps 2 and 3"
[ "$(files_on nst0)" = 2 ] && ok "  the cartridge holds two tape files again" || bad "  $(files_on nst0) files"
# A tape file is never written over (the existing rule).
job file4c "$J4c" t.aws; status $? 6 "  the same on a tape file of two dumps is refused"

# ---- job 5: PRINT and TYPE from a drive ----
J5='INPUT 181 3480 (LEAVE\nTYPE 0 0 1 TO 0 0 3\nINPUT 181 3480 (REWIND\nPRINT 0 1 TO 0 2\n\n'
job drive5 "$J5" ./nst0; status $? 0 "job 5: TYPE (LEAVE) then PRINT the next dump"
job file5 "$J5" t.aws; status $? 0 "job 5 on the tape file"
cmp -s drive5 file5 && ok "  the console (TYPE) is the same as with a tape file" || bad "  consoles differ: $(diff drive5 file5 | head)"
grep -qE "PRINTING +RUNB02" drive5 && grep -q "VOL1RUNA01" drive5 && ok "  TYPE listed dump 1, PRINT dump 2" \
  || bad "  $(head -30 drive5)"
diff <(pages drive5.prt) <(pages file5.prt) >/dev/null && [ -s drive5.prt ] && ok "  the printed listing is the same" \
  || bad "  listings differ"
[ "$(where nst0)" = 0.0 ] && ok "  REWIND: at the start" || bad "  at $(where nst0)"

# ---- a dump across two drives: the first meets its early warning, the alternate goes on ----
"$DDR" -q dump --reel-size 1000k a.3390 r1.aws r2.aws r3.aws r4.aws r5.aws r6.aws r7.aws r8.aws r9.aws 2>/dev/null \
  || bad "a file dump in reels of 1000k" 
ew=$(ew_of r1.aws)
export DDR_SIMDRIVES="./nst0,ew=$ew;./nst1"
blank nst0; blank nst1
J6='INPUT 130 3390 RUNA01\nOUTPUT 181 3480 182\nDUMP ALL\n\n'
job drive6 "$J6" ./nst0 ./nst1; status $? 0 "a DUMP across two drives (alternate unit 182)"
has drive6 "END OF VOLUME CYL" "  END OF VOLUME on the console"
[ -s nst1.tape ] && ok "  the alternate drive holds the second reel" || bad "  nothing on nst1"
eov=$(sed -nE 's/END OF VOLUME CYL ([0-9]+) HD.*/\1/p' drive6 | head -1)
e4=$(printf '%04d' "$((10#$eov))")
grep -qE "^ +0000 +$e4 +0000 +$e4 *$" drive6.prt && grep -qE "^ +$e4 +0009 +$e4 +0009 *$" drive6.prt \
  && ok "  the printer rows split at cylinder $eov, as IBM prints each reel's" || bad "  $(cat drive6.prt)"
J7='INPUT 181 3480 182\nOUTPUT 140 3390 RUNA01\nRESTORE ALL\n\n'
fresh back1.3390 RUNA01 10; job drive7 "$J7" ./nst0 ./nst1; status $? 0 "RESTORE from the two drives"
same a.3390 back1.3390 && ok "  identical" || bad "  back1.3390 differs"
has drive7 "END OF VOLUME CYL $eov" "  the same END OF VOLUME on the restore"

# ---- one drive meeting its early warning, no alternate ----
export DDR_SIMDRIVES="./nst0,ew=$ew"
blank nst0
job drive8 'INPUT 130 3390 RUNA01\nOUTPUT 181 3480\nDUMP ALL\n\n' ./nst0; status $? 5 "early warning with no alternate unit"
has drive8 "END OF VOLUME CYL $eov HD" "  IBM's END OF VOLUME ... MOUNT NEXT TAPE on the console"
has err "reel 2" "  ddr's line names the reel needed"

# ---- errors at chosen blocks, no cartridge, a tape left inside a file ----
export DDR_SIMDRIVES="./nst0,werr=7"
blank nst0
job drive9 "$J1" ./nst0; status $? 8 "a write error at block 7"
has drive9 "DMKDDR705E I/O ERROR" "  705E on the console"
has err "./nst0: block 7" "  names the drive and block"; has err "write error" "  says write error"
export DDR_SIMDRIVES="./nst0"
blank nst0; job drive1 "$J1" ./nst0 >/dev/null
export DDR_SIMDRIVES="./nst0,rerr=5"
rm -f back1.3390; job drive10 'INPUT 181 3480\nOUTPUT 140 3390 RUNA01\nRESTORE ALL\n\n' ./nst0
status $? 9 "a read error at block 5"
has drive10 "DMKDDR705E I/O ERROR" "  705E on the console"
has err "./nst0: block 5" "  names the drive and block"; has err "read error" "  says read error"
[ -e back1.3390 ] && bad "  a failed restore left back1.3390" || ok "  no target left behind"
export DDR_SIMDRIVES="./nst0,nomedia=1"
job drive11 'INPUT 181 3480\nOUTPUT 140 3390 RUNA01\nRESTORE ALL\n\n' ./nst0; status $? 9 "no cartridge in the drive"
has err "./nst0" "  names the drive"; has drive11 "DMKDDR705E" "  705E on the console"
export DDR_SIMDRIVES="./nst0"
printf '%s\n' 3 > nst0.pos   # inside the first tape file
job drive12 "$J2" ./nst0; status $? 2 "a tape left inside a tape file"
has err "inside tape file 1" "  says where it stands"
[ "$(cat nst0.pos)" = 3 ] && ok "  the tape was not moved" || bad "  moved to $(cat nst0.pos)"

# ---- the units of a Hercules configuration whose tape device's file is a drive ----
export DDR_SIMDRIVES="./nst0"
blank nst0; fresh back2.3390 RUNB02 4
printf '0130 3390 a.3390\n0131 3390 b.3390\n0141 3390 back2.3390\n0181 3480 ./nst0\n' > hercules.cnf
printf '%b' "$J1" | LD_PRELOAD="$SHIM" "$DYN" run --yes --config hercules.cnf >cnf1 2>err
status $? 0 "job 1 with the units of a Hercules configuration"
printf '%b' "$J2" | LD_PRELOAD="$SHIM" "$DYN" run --yes --config hercules.cnf >cnf2 2>err
status $? 0 "job 2 (SKIP 1) with the configuration"
same b.3390 back2.3390 && ok "  the second volume restored byte for byte" || bad "  back2.3390 differs"

# ---- /dev/st-style: rewound whenever ddr closes it; LEAVE still works within a job ----
export DDR_SIMDRIVES="./st0"
blank st0
job drive13 "$J1" ./st0; status $? 0 "job 1 on an st-style drive"
[ "$(files_on st0)" = 2 ] && ok "  both dumps on the cartridge (LEAVE across steps)" || bad "  $(files_on st0) files"
J13='INPUT 131 3390 RUNB02\nOUTPUT 181 3480 (LEAVE\nDUMP ALL\n\n'
job drive14 "$J13" ./st0; status $? 0 "  a DUMP with LEAVE"
[ "$(cat st0.pos)" = 0 ] && ok "  rewound on close all the same" || bad "  st0 left at $(cat st0.pos)"
finish
