# Shared helpers for the shell end-to-end tests.  $DDR is the binary, $TOOLS the build folder.
set -uo pipefail
fails=0
ok()   { echo "ok   $*"; }
bad()  { echo "FAIL $*"; fails=$((fails+1)); }
# expect CODE DESCRIPTION -- command...: the command exits with CODE and prints one error line
expect() {
  local code=$1 what=$2; shift 3
  local out rc
  out=$("$@" 2>&1 >/dev/null); rc=$?
  if [ "$rc" != "$code" ]; then bad "$what: exit $rc, wanted $code: $out"; return 1; fi
  ok "$what (exit $rc): $(printf '%s' "$out" | tail -1)"
  LAST_ERROR=$(printf '%s' "$out" | tail -1)
}
# contains TEXT DESCRIPTION: the last error message contains TEXT
contains() { case "$LAST_ERROR" in *"$1"*) ok "  names $1";; *) bad "$2: '$LAST_ERROR' does not mention '$1'";; esac; }
sum() { sha256sum "$1" | cut -d' ' -f1; }
finish() { [ "$fails" -eq 0 ] && echo "all ok" || { echo "$fails failure(s)"; exit 1; }; }
# fba_volume FILE VOLSER BLOCKS SEED STEP: a new 3370 volume of BLOCKS blocks whose every
# STEP-th block from block 2 on holds seeded random bytes (the rest stay zeros).
fba_volume() {
  "$DDR" -q init "$1" 3370 "$2" --blocks "$3" || return 1
  python3 - "$@" <<'PY'
import random, sys
name, blocks, seed, step = sys.argv[1], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
r = random.Random(seed); d = bytearray(open(name, 'rb').read())
for b in range(2, blocks, step):
    d[b * 512:(b + 1) * 512] = r.randbytes(512)
open(name, 'wb').write(d)
PY
}
# ew_of REEL.aws: the data bytes before the reel's EOV record (where a simulated drive's
# early warning ends the same reel: t-drives.sh, t-run-drives.sh).
ew_of() {
  python3 - "$1" <<'EOF'
import struct, sys
data = open(sys.argv[1], 'rb').read(); pos = 0; total = 0; block = b''
while pos + 6 <= len(data):
    ln, prev, f1, f2 = struct.unpack_from('<HHBB', data, pos); pos += 6
    if f1 & 0x40: continue
    if f1 & 0x80: block = b''
    block += data[pos:pos + ln]; pos += ln
    if f1 & 0x20:
        if len(block) == 80 and block[:4] == bytes([0xC5, 0xD6, 0xE5, 0x40]):
            print(total); sys.exit(0)
        total += len(block)
sys.exit(1)
EOF
}
