#!/usr/bin/env bash
# ddr run (IBM DDR's statement mode): every statement error path, IBM's questions answered
# NO and REREAD (and by --yes/--no), units from a Hercules configuration, LEAVE and SKIP
# across runs, a card reader's statements, COPY of a volume and of a tape, RESTORE from a
# cut tape (the target untouched), checksums by default.
. "$(dirname "$0")/lib.sh"

"$DDR" init vol.3330 3330 VOL001 --cylinders 6 >/dev/null 2>&1 || { echo "ddr init failed"; exit 1; }
"$DDR" init other.3350 3350 OTHER1 --cylinders 3 >/dev/null 2>&1

# run_ddr OUT ERR STATEMENTS [ddr run options...]: the job's console, errors and status.
run_ddr() {
  local out=$1 err=$2 text=$3; shift 3
  printf '%b' "$text" | "$DDR" run "$@" >"$out" 2>"$err"
}
# has FILE TEXT WHAT
has() { if grep -qF -- "$2" "$1"; then ok "$3"; else bad "$3: '$2' not in $1: $(head -30 "$1")"; fi; }
hasnt() { if grep -qF -- "$2" "$1"; then bad "$3: '$2' in $1"; else ok "$3"; fi; }
status() { if [ "$1" = "$2" ]; then ok "$3 (exit $1)"; else bad "$3: exit $1, wanted $2: $(cat err)"; fi; }

U=(--unit 130=vol.3330 --unit 181=t.aws --unit 00E=prt.txt)

# ---- statement errors: IBM's message on the console, ddr's line on stderr, exit 2 ----
run_ddr out err 'FROBNICATE 1\n\n' "${U[@]}"; status $? 2 "unknown statement"
has out "DMKDDR701E INVALID OPERAND - FROBNICATE" "  701E on the console"
has err "standard input line 1: DMKDDR701E" "  stderr names the line"
has out "END OF JOB" "  the job goes on to its end"

run_ddr out err 'INPUT 130 3330\nOUTPUT 181 3420\nDUMP 5 TO 3\n\n' "${U[@]}"; status $? 2 "bad extent"
has out "DMKDDR713E OVERLAPPING OR INVALID EXTENTS" "  713E"
[ ! -e t.aws ] && ok "  no tape written" || bad "  a tape was written"

run_ddr out err 'INPUT 130 3330\nOUTPUT 181 3420\nDUMP 3 TO 4\n1 TO 2\n\n\n' "${U[@]}" --yes; status $? 2 "extents out of order"
has out "DMKDDR713E" "  713E"
[ ! -e t.aws ] && ok "  the step is cancelled: no tape" || bad "  a tape was written"
hasnt out "DMKDDR701E" "  the rest of its extents are not taken for statements"

ext=$(for i in $(seq 0 20); do printf '%s TO %s\\n' $((i*2)) $((i*2)); done)
"$DDR" init big.3330 3330 BIG001 --cylinders 50 >/dev/null 2>&1
run_ddr out err "INPUT 130 3330\nOUTPUT 181 3420\nDUMP ${ext}\n\n" --unit 130=big.3330 --unit 181=t.aws --yes
status $? 2 "21 extents"
has out "DMKDDR712E NUMBER OF EXTENTS EXCEEDS 20" "  712E"
[ ! -e t.aws ] && ok "  no tape written" || bad "  a tape was written"

run_ddr out err 'INPUT 130 3330\n\n'; status $? 2 "unit not bound"
has out "DMKDDR704E DEVICE 130 NOT OPERATIONAL" "  704E"
has err "--unit 130=FILE" "  says how to bind it"

run_ddr out err 'INPUT 130 3350\n\n' "${U[@]}"; status $? 7 "device type mismatch (DASD)"
has out "DMKDDR708E INVALID INPUT OR OUTPUT DEFINITION" "  708E"
run_ddr out err 'INPUT 130 3420\n\n' "${U[@]}"; status $? 7 "a volume named a tape"
run_ddr out err 'INPUT 130 333\n\n' "${U[@]}"; status $? 2 "device type abbreviated"
has out "DMKDDR701E INVALID OPERAND - 333" "  701E"

run_ddr out err 'INPUT 130 3330\nDUMP ALL\n\n' "${U[@]}"; status $? 2 "no OUTPUT"
has out "DMKDDR702E CONTROL STATEMENT SEQUENCE ERROR" "  702E"
run_ddr out err 'OUTPUT 181 3420\nRESTORE ALL\n\n' "${U[@]}"; status $? 2 "no INPUT"
has out "DMKDDR702E" "  702E"
run_ddr out err 'INPUT 130 3330\nOUTPUT 181 3420\nRESTORE ALL\n\n' "${U[@]}"; status $? 7 "RESTORE from a DASD"
has out "DMKDDR708E" "  708E"

# ---- IBM's questions ----
run_ddr out err 'INPUT 130 3330\nOUTPUT 181 3420\nDUMP ALL\nNO\n\n' "${U[@]}"; status $? 6 "711R answered NO"
has out "DMKDDR711R VOLID READ IS VOL001" "  711R asked"
[ ! -e t.aws ] && ok "  nothing written" || bad "  a tape was written"

run_ddr out err 'INPUT 130 3330\nOUTPUT 181 3420\nDUMP ALL\nMAYBE\n\n' "${U[@]}"; status $? 6 "711R answered by a line that is no answer"
has out "DMKDDR701E INVALID OPERAND - MAYBE" "  taken as NO and read as a statement"
[ ! -e t.aws ] && ok "  nothing written" || bad "  a tape was written"
run_ddr out err 'INPUT 130 3330\nOUTPUT 181 3420\nDUMP ALL\nREREAD\nYES\n\n' "${U[@]}"; status $? 0 "711R: REREAD, then YES"
[ "$(grep -c 'DMKDDR711R VOLID READ IS VOL001' out)" = 2 ] && ok "  asked twice" || bad "  $(cat out)"
has out "DUMPING   VOL001" "  DUMPING"
has prt.txt "INPUT CYLINDER EXTENTS      OUTPUT CYLINDER EXTENTS" "  printer page"
has prt.txt "        0000      0005      0000      0005" "  DUMP ALL: every cylinder of the image"
"$DDR" verify t.aws >/dev/null 2>&1 && ok "  checksums by default (ddr verify)" || bad "  ddr verify failed"

run_ddr out err 'INPUT 130 3330 VOL001\nOUTPUT 181 3420\nDUMP ALL\n\n' "${U[@]}"; status $? 0 "INPUT names the volser: no 711R"
hasnt out "711R" "  not asked"

"$DDR" init target.3330 3330 TARGT1 --cylinders 6 >/dev/null 2>&1
T=(--unit 181=t.aws --unit 130=target.3330 --unit 00E=prt.txt)
run_ddr out err 'INPUT 181 3420\nOUTPUT 130 3330\nRESTORE ALL\nYES\nNO\n\n' "${T[@]}"; status $? 6 "717R YES, 711R NO"
has out "DMKDDR717R DATA DUMPED FROM VOL001 TO BE RESTORED TO" "  717R"
has out "DMKDDR711R VOLID READ IS TARGT1" "  711R"
"$DDR" verify t.aws --against target.3330 >/dev/null 2>&1 && bad "  target written" || ok "  target untouched"

run_ddr out err 'INPUT 181 3420\nOUTPUT 130 3330\nRESTORE ALL\n\n' "${T[@]}" --no; status $? 6 "--no answers NO"
hasnt out "RESTORING" "  nothing restored"
run_ddr out err 'INPUT 181 3420\nOUTPUT 130 3330\nRESTORE ALL\n\n' "${T[@]}" --yes; status $? 0 "--yes answers YES"
has out "RESTORING VOL001" "  RESTORING"
has out "END OF RESTORE" "  END OF RESTORE"
"$DDR" verify t.aws --against target.3330 >/dev/null 2>&1 && ok "  target is the dump" || bad "  target differs"
run_ddr out err 'INPUT 181 3420\nOUTPUT 130 3330\nRESTORE ALL\n' "${T[@]}"; status $? 6 "the end of the input answers NO"
has out "DMKDDR717R DATA DUMPED FROM VOL001 TO BE RESTORED TO" "  717R asked"
hasnt out "RESTORING" "  nothing restored"
run_ddr out err 'INPUT 181 3420\nOUTPUT 130 3330 VOL001\nRESTORE ALL\n' "${T[@]}"; status $? 0 "OUTPUT names the dump's volser: no question"
hasnt out "DMKDDR71" "  neither 717R nor 711R"

# ---- a Hercules configuration; LEAVE, then SKIP in a later run ----
rm -f t.aws two.aws
cat > hercules.cnf <<'EOF'
# a minimal configuration
MAINSIZE 16
NUMCPU   1
000E 1403 prt.txt
0130 3330 vol.3330
0181 3420 two.aws   # the tape
EOF
run_ddr out err 'INPUT 130 3330\nOUTPUT 181 3420 (LEAVE\nDUMP 0 TO 1\nYES\n\nDUMP 2 TO 3\n\n\n' --config hercules.cnf
status $? 0 "two dumps in one run (LEAVE), units from a configuration"
[ "$(grep -c 'END OF DUMP' out)" = 2 ] && ok "  two dumps" || bad "  $(cat out)"
[ "$(grep -c $'\f' prt.txt)" = 1 ] && ok "  the second page starts with a form feed" || bad "  printer: $(cat -A prt.txt)"
run_ddr out err 'INPUT 130 3330\nOUTPUT 181 3420 (SKIP 2 LEAVE\nDUMP 4 TO 5\nYES\n\n\n' --config hercules.cnf
status $? 0 "a third dump appended in a later run (SKIP 2)"
[ "$("$DDR" list two.aws 2>/dev/null | grep -c '^file ')" = 3 ] && ok "  three dumps on the tape" || bad "  $("$DDR" list two.aws)"
run_ddr out err 'INPUT 130 3330\nOUTPUT 181 3420 (SKIP 1\nDUMP 4 TO 5\nYES\n\n\n' --config hercules.cnf
status $? 6 "SKIP 1 onto a tape of three dumps: refused"
has err "does not write over dumps" "  says why"
run_ddr out err 'INPUT 181 3420 (SKIP 2\nOUTPUT 130 3330\nRESTORE ALL\n\n' --config hercules.cnf --unit 130=target.3330 --yes
status $? 0 "RESTORE with SKIP 2: the third dump"
has prt.txt "        0004      0005      0004      0005" "  its cylinders"
printf '0130 3330 "unclosed\n' > bad.cnf
run_ddr out err '\n' --config bad.cnf; status $? 2 "a configuration that cannot be read"
has err "bad.cnf: line 1" "  names the line"

# ---- a card reader's statements; SYSPRINT; END ----
printf 'SYSPRINT 00F\nINPUT 130 3330\nOUTPUT 181 3420\nDUMP ALL\nYES\nEND\nINPUT 130 3330\n' > cards.txt
rm -f t.aws prt2.txt
run_ddr out err '00C\n' --unit 00C=cards.txt --unit 130=vol.3330 --unit 181=t.aws --unit 00F=prt2.txt
status $? 0 "statements from a card reader unit, SYSPRINT 00F, END"
has prt2.txt "DUMPING DATA" "  the printer page on 00F"
[ "$(grep -c '^ENTER:' out)" = 6 ] && ok "  END ends the job" || bad "  $(cat out)"

# ---- COPY volume to volume ----
"$DDR" init copy.3330 3330 COPY01 --cylinders 6 >/dev/null 2>&1
run_ddr out err 'INPUT 130 3330\nOUTPUT 131 3330\nCOPY ALL\n\n' --unit 130=vol.3330 --unit 131=copy.3330 --yes
status $? 0 "COPY ALL"
has out "COPYING   VOL001" "  COPYING"
has out "END OF COPY" "  END OF COPY"
cmp -s vol.3330 copy.3330 && ok "  the copy is the volume" || bad "  copy differs"

# ---- COPY tape to tape; RESTORE from a cut tape ----
rm -f t.aws c.aws prt.txt
run_ddr out err 'INPUT 130 3330\nOUTPUT 181 3420\nDUMP ALL\n\n' --unit 130=vol.3330 --unit 181=t.aws --yes
status $? 0 "a dump to copy"
run_ddr out err 'INPUT 181 3420\nOUTPUT 182 3420\nCOPY ALL\n\n' --unit 181=t.aws --unit 182=c.aws --unit 00E=prt.txt --yes
status $? 0 "COPY ALL of a tape"
has out "COPYING   VOL001" "  COPYING"
has prt.txt "        0000      0005      0000      0005" "  the printer shows the dump's cylinders"
cmp -s t.aws c.aws && ok "  the copy is the tape, byte for byte" || bad "  c.aws differs from t.aws"
head -c $(( $(stat -c %s t.aws) / 2 )) t.aws > cut.aws; cp vol.3330 tgt.3330
run_ddr out err 'INPUT 181 3420\nOUTPUT 130 3330\nRESTORE ALL\n\n' --unit 181=cut.aws --unit 130=tgt.3330 --yes
status $? 3 "RESTORE from a tape cut in half"
has out "DMKDDR705E I/O ERROR" "  705E"
has err "cut.aws: block" "  names the tape and block"
has err "tgt.3330 was not changed" "  says the target was not changed"
cmp -s vol.3330 tgt.3330 && ok "  it was not" || bad "  tgt.3330 changed"

finish
