#!/usr/bin/env bash
# The progress line: on a terminal (a pseudo-terminal made by script(1)) every long command
# shows where it is, the percent, bytes, rate; from a pipe no percent; never on a pipe or
# a file, and not with -q or --json.  The tape is fed slowly so that the line is due.
. "$(dirname "$0")/lib.sh"
command -v script >/dev/null || { echo "skip: script(1) (util-linux) is not installed"; exit 0; }

"$TOOLS/make-sample-volume" vol.3390 3390 PROG01 60 1 60 hercules >/dev/null || bad "sample volume"
"$DDR" -q dump vol.3390 t.aws || bad "dump"
"$DDR" -q init fba.img 9336 FBA001 --blocks 40000 || bad "FBA volume"
"$DDR" -q dump fba.img f.aws || bad "FBA dump"
cat > slow.py <<'PY'
import sys, time
with open(sys.argv[1], "rb") as f:
    while True:
        b = f.read(256 * 1024)
        if not b:
            break
        sys.stdout.buffer.write(b)
        sys.stdout.flush()
        time.sleep(0.05)
PY

# on_tty COMMAND: what COMMAND writes to its terminal, carriage returns as new lines
on_tty() { script -qec "$1" /dev/null 2>/dev/null | tr '\r' '\n'; }

out=$(on_tty "python3 slow.py t.aws | '$DDR' verify - >/dev/null")
case "$out" in
  *"verify  cyl "*"MB/s"*) ok "verify from a pipe: cylinder, bytes and rate";;
  *) bad "verify from a pipe on a terminal: no progress line: $out";;
esac
case "$(printf '%s\n' "$out" | grep '^verify ')" in
  *%*|*ETA*) bad "verify from a pipe: a percent or ETA it cannot know";;
  *) ok "  no percent or ETA from a pipe";;
esac
out=$(on_tty "python3 slow.py f.aws | '$DDR' list - >/dev/null")
case "$out" in
  *"list  block "*) ok "list of an FBA dump: the block";;
  *) bad "list of an FBA dump on a terminal: no progress line: $out";;
esac
out=$(on_tty "python3 slow.py t.aws | '$DDR' restore - r.3390")
case "$out" in
  *"restore  cyl "*) ok "restore: its cylinder";;
  *) bad "restore on a terminal: no progress line: $out";;
esac
"$DDR" -q verify t.aws --against r.3390 >/dev/null && ok "  the restored volume equals the tape" || bad "the restore with a progress line differs from the tape"
# A file's reel has a size: the percent is shown once the line is due (the dump of a
# file is fast, so the last line, at 100 %, is the one always shown).
out=$(on_tty "'$DDR' dump vol.3390 t2.aws")
case "$out" in
  *"dump  cyl 59  100%"*) ok "dump: cylinder and percent";;
  *) bad "dump on a terminal: no final progress line: $out";;
esac
out=$(on_tty "'$DDR' copy vol.3390 c.cckd")
case "$out" in
  *"copy  cyl 59  100%"*) ok "copy: cylinder and percent";;
  *) bad "copy on a terminal: no final progress line: $out";;
esac

for quiet in "-q" "--json"; do
  out=$(on_tty "python3 slow.py t.aws | '$DDR' verify $quiet - >/dev/null; '$DDR' dump $quiet vol.3390 t3.aws >/dev/null")
  case "$out" in
    *"cyl "*) bad "$quiet: a progress line was shown";;
    *) ok "$quiet: no progress line";;
  esac
  rm -f t3.aws
done
err=$(python3 slow.py t.aws | "$DDR" verify - 2>&1 >/dev/null)
case "$err" in
  *"cyl "*|*$'\r'*) bad "stderr not a terminal: a progress line";;
  *) ok "stderr not a terminal: no progress line";;
esac
finish
