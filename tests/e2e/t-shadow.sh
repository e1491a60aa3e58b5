#!/usr/bin/env bash
# Hercules shadow files (--sf): ddr reads a CCKD/CFBA base with its shadow files as
# Hercules does.  Hercules' own reading is the reference: dasdcopy BASE sf=NAME OUT
# (Hercules 3.13: the sf= argument between input and output) writes the chain as one
# plain image, and ddr's reading of the same chain (copy, dump + restore, manifest,
# verify --against) must give the same tracks.
# The shadow files are made by build/make-shadow-file from complete images (Hercules
# makes them only while a guest writes): shadow 1 holds some tracks of a second
# volume, shadow 2 some of a third, over the tracks of a first; a shadow's null track
# hides a base track that has data, and whole groups of 256 tracks are "not here".
. "$(dirname "$0")/lib.sh"
command -v dasdcopy >/dev/null || { echo "Hercules utilities are not installed (make deps)"; exit 1; }

tracks_equal() {  # A B [what]: every track of A is in B, equal up to its end marker
  "$DDR" -q manifest "$1" > a.m && "$DDR" -q verify "$2" --manifest a.m >/dev/null &&
  ok "${3:-$1 = $2}" || bad "${3:-$1 vs $2}: tracks differ"
}

# --- a CKD chain: base (dasdcopy-made CCKD) + two shadows, 20 cylinders = 300 tracks
"$TOOLS/make-sample-volume" v1.img 3390 SHADOW 20 1 60 hercules
"$TOOLS/make-sample-volume" v2.img 3390 SHADOW 20 2 60 hercules
"$TOOLS/make-sample-volume" v3.img 3390 SHADOW 20 3 60 hercules
dasdcopy -q -o CCKD v1.img base.cckd >/dev/null 2>&1 || bad "dasdcopy made no base"
"$DDR" -q copy --to cckd v2.img v2.cckd && "$DDR" -q copy --to cckd v3.img v3.cckd || bad "full images"
# Shadow 1: tracks 0-40, 100-120, 200-270 of v2 (group 1, tracks 256-299, partly here);
# shadow 2: tracks 30-50 and all of group 1 of v3 (group 0 partly here).
"$TOOLS/make-shadow-file" v2.cckd sh_1.cckd 0-40,100-120,200-270 || bad "shadow 1"
"$TOOLS/make-shadow-file" v3.cckd sh_2.cckd 30-50,256-299 || bad "shadow 2"
mkdir -p herc && cp sh_1.cckd sh_2.cckd base.cckd herc/  # dasdcopy rewrites a shadow's free space

# Hercules' reading of the chain.
(cd herc && dasdcopy -q -o CKD base.cckd "sf=sh_*.cckd" ../hercules.img >/dev/null 2>&1) || bad "dasdcopy of the chain"

# The chain as we expect it, track by track, from the three plain images.
python3 - <<'EOF' || bad "the expected chain could not be built"
ts, h = 56832, 512
v = [open(f"v{i}.img", "rb").read() for i in (1, 2, 3)]
def inside(t, ranges): return any(a <= t <= b for a, b in ranges)
out = bytearray(v[0])
for t in range(300):
    src = 2 if inside(t, [(30, 50), (256, 299)]) else 1 if inside(t, [(0, 40), (100, 120), (200, 270)]) else 0
    out[h + t * ts:h + (t + 1) * ts] = v[src][h + t * ts:h + (t + 1) * ts]
open("expected.img", "wb").write(out)
EOF
tracks_equal expected.img hercules.img "dasdcopy reads the chain as the tracks chosen (expected)"
tracks_equal hercules.img expected.img "  and has no track more"

"$DDR" -q copy --sf "sh_*.cckd" --to ckd base.cckd ours.img || bad "ddr copy --sf"
tracks_equal hercules.img ours.img "ddr copy --sf reads the chain as dasdcopy does"
tracks_equal ours.img hercules.img "  both ways"
"$DDR" -q dump --sf "sh_*.cckd" base.cckd chain.aws || bad "ddr dump --sf"
"$DDR" -q restore chain.aws restored.img || bad "restore"
tracks_equal hercules.img restored.img "dump --sf then restore gives dasdcopy's image"
"$DDR" -q verify chain.aws --against base.cckd --sf "sh_*.cckd" >/dev/null && ok "verify --against --sf: equal" || bad "verify --against --sf"
! "$DDR" -q verify chain.aws --against base.cckd >/dev/null 2>&1 && ok "verify --against the base alone: differs" || bad "the base alone compared equal"
"$DDR" -q manifest --sf "sh_*.cckd" base.cckd > chain.m && "$DDR" -q verify hercules.img --manifest chain.m >/dev/null &&
  ok "manifest --sf = dasdcopy's tracks" || bad "manifest --sf"
"$DDR" -q print --sf "sh_*.cckd" base.cckd 0 2 > p1 && "$DDR" -q print hercules.img 0 2 > p2 && cmp -s p1 p2 &&
  ok "print --sf lists the chain's track" || bad "print --sf"
# The name as Hercules builds it, with the files in another folder.
mkdir -p sub && cp base.cckd sub/ && cp sh_1.cckd sub/sh_1.cckd
"$DDR" -q copy --sf sub/sh_1.cckd --to ckd sub/base.cckd sub1.img || bad "no-star name"

# ddr run with a Hercules configuration: an INPUT unit's sf= is honoured.
printf '0130 3390 base.cckd sf=sh_*.cckd\n0181 3420 run.aws\n0131 3390 base.cckd sf=sh_*.cckd\n' > hercules.cnf
printf 'INPUT 130 3390\nOUTPUT 181 3420\nDUMP ALL\nYES\n\n' | "$DDR" run --config hercules.cnf >run.out 2>&1 || bad "ddr run DUMP: $(tail -3 run.out)"
"$DDR" -q restore run.aws run.img && tracks_equal hercules.img run.img "ddr run: DUMP of a unit with sf= dumps the chain" || bad "run restore"
# An OUTPUT unit with shadow files: what is written to the base would be hidden by them.
printf 'INPUT 181 3420\nOUTPUT 131 3390\nRESTORE ALL\nYES\n\n' | "$DDR" run --config hercules.cnf --yes >run2.out 2>&1
grep -q "has shadow files" run2.out && ok "ddr run: an OUTPUT unit whose sf= finds shadow files is refused" || bad "OUTPUT with shadows: $(tail -3 run2.out)"
cmp -s base.cckd herc/base.cckd && ok "  and the base is untouched" || bad "the base was changed"

# Only shadow 1: chain ends at the first missing number (2 absent, 3 present is ignored).
mkdir -p one && cp base.cckd one/ && cp sh_1.cckd one/s_1.cckd && cp sh_2.cckd one/s_3.cckd
(cd one && dasdcopy -q -o CKD base.cckd "sf=s_*.cckd" ../herc1.img >/dev/null 2>&1) || bad "dasdcopy of a one-shadow chain"
cp sh_1.cckd one/s_1.cckd  # as it was before dasdcopy
"$DDR" -q copy --sf "one/s_*.cckd" --to ckd one/base.cckd ours1.img || bad "copy of a one-shadow chain"
tracks_equal herc1.img ours1.img "a missing shadow 2 ends the chain, as in Hercules (shadow 3 unread)"
"$DDR" -q manifest ours1.img > o1.m
! "$DDR" -q verify hercules.img --manifest o1.m >/dev/null 2>&1 && ok "  (and that chain differs from the two-shadow one)" || bad "shadow 2 changed nothing?"
tracks_equal ours1.img sub1.img "sf=sub/sh_1.cckd (no '*': the digit replaces the 1) reads base + that shadow"

# --- a CFBA chain
head -c $((40000*512)) /dev/urandom > f1.fba
head -c $((40000*512)) /dev/urandom > f2.fba
dasdcopy -q -o CFBA f1.fba fbase.cfba >/dev/null 2>&1 || "$DDR" -q copy --to cfba f1.fba fbase.cfba || bad "cfba base"
"$DDR" -q copy --to cfba f2.fba f2.cfba || bad "cfba"
"$TOOLS/make-shadow-file" f2.cfba fsh_1.cfba 3-10,200-300 || bad "fba shadow"
mkdir -p fherc && cp fbase.cfba fsh_1.cfba fherc/
(cd fherc && dasdcopy -q -o FBA fbase.cfba "sf=fsh_*.cfba" ../fherc.fba >/dev/null 2>&1) || bad "dasdcopy of a CFBA chain"
"$DDR" -q copy --sf "fsh_*.cfba" --to fba fbase.cfba fours.fba || bad "copy of a CFBA chain"
cmp -s fherc.fba fours.fba && ok "a CFBA chain reads as dasdcopy reads it" || bad "CFBA chain differs from dasdcopy's"
cmp -s f1.fba fours.fba && bad "the CFBA shadow changed nothing" || ok "  (which is not the base alone)"

# --- errors and notes
out=$("$DDR" copy --sf "none_*.cckd" --to ckd base.cckd alone.img 2>&1) &&
  case "$out" in *"none_1.cckd does not exist"*"read alone"*) ok "sf name finding nothing: base alone, with a note";;
  *) bad "no note: $out";; esac
tracks_equal v1.img alone.img "  and that is the base's tracks"
expect 3 "a shadow file named alone" -- "$DDR" copy --to ckd sh_1.cckd x1.img
contains "shadow file (CKD_S370)" "shadow alone"
cp v2.cckd bad_1.cckd
expect 3 "a CCKD base image where shadow 1 belongs" -- "$DDR" copy --sf "bad_*.cckd" --to ckd base.cckd x2.img
contains "bad_1.cckd" "mismatch names the file"
"$TOOLS/make-sample-volume" w.img 3390 SHADOW 21 2 60 hercules && "$DDR" -q copy --to cckd w.img w.cckd &&
  "$TOOLS/make-shadow-file" w.cckd wide_1.cckd 0-10
expect 7 "a shadow of another size" -- "$DDR" copy --sf "wide_*.cckd" --to ckd base.cckd x3.img
contains "wide_1.cckd" "size mismatch names the file"
contains "21 cylinders" "size mismatch says the sizes"
head -c 3000 sh_1.cckd > broken_1.cckd
expect 3 "a truncated shadow file" -- "$DDR" copy --sf "broken_*.cckd" --to ckd base.cckd x4.img
contains "broken_1.cckd" "broken shadow names the file"
expect 3 "shadows of a plain image" -- "$DDR" copy --sf "sh_*.cckd" --to cckd v1.img x5.cckd
contains "plain CKD image" "plain base"
"$DDR" -q dump v1.img plain.aws
expect 2 "--sf with a tape" -- "$DDR" copy --sf "sh_*.cckd" plain.aws x6.aws
for f in x1.img x2.img x3.img x4.img x5.cckd x6.aws; do [ -e "$f" ] && bad "$f was left behind"; done
finish
