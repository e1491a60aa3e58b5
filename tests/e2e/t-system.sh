#!/usr/bin/env bash
# Whole-system runs: a Hercules configuration of five DASD volumes (3390 and 3380 plain
# images, a CCKD base with a shadow file, an FBA volume, and one left out by a rule) dumped
# to two folders, both verified, one tape of one copy damaged (verify names exactly that
# volume), everything restored from the other copy and compared track by track with its
# source, and Hercules started on the written configuration.  Then: --jobs 1 and 2 give
# the same catalogs, shards merged give the full run, no overwrite, a failing volume.
. "$(dirname "$0")/lib.sh"
command -v dasdcopy >/dev/null || { echo "Hercules utilities are not installed (make deps)"; exit 1; }

tracks_equal() {  # SOURCE RESTORED WHAT [--sf NAME]: every track of SOURCE is in RESTORED, equal
  "$DDR" -q manifest "${@:4}" "$1" > m.tmp && "$DDR" -q verify "$2" --manifest m.tmp >/dev/null &&
  ok "$3" || bad "$3: tracks differ"
}
# The catalog without what differs from run to run (times, TODs and what hashes them).
stable() {
  python3 - "$1" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
for k in ("start", "end", "jobs", "shard", "merged_from"): c["run"].pop(k, None)
for v in c["volumes"]:
    for k in ("tod", "dump_time", "messages"): v.pop(k, None)
    for r in v.get("reels", []): r.pop("reel_hash", None)
print(json.dumps(c, sort_keys=True))
PY
}

"$TOOLS/make-sample-volume" a.3390 3390 VMRES1 4 1 60 hercules || bad "3390"
"$TOOLS/make-sample-volume" b.3380 3380 VMPK01 3 2 60 hercules || bad "3380"
"$TOOLS/make-sample-volume" c1.img 3390 VMPK02 3 3 60 hercules || bad "cckd base source"
"$TOOLS/make-sample-volume" c2.img 3390 VMPK02 3 4 60 hercules || bad "cckd shadow source"
dasdcopy -q -o CCKD c1.img c.cckd >/dev/null 2>&1 || bad "dasdcopy made no CCKD base"
"$DDR" -q copy --to cckd c2.img c2.cckd || bad "c2.cckd"
"$TOOLS/make-shadow-file" c2.cckd c_1.cckd 0-10,30-40 || bad "shadow file"
"$DDR" -q init d.fba 9336 FBA001 --blocks 4000 || bad "FBA"
"$TOOLS/make-sample-volume" e.3390 3390 SCRTCH 2 5 60 hercules || bad "excluded 3390"
cat > hercules.cnf <<'CNF'
# a small system
CPUSERIAL 000611
MAINSIZE 64
NUMCPU 1
0120 3390 a.3390
0121 3380 b.3380 ro
0122 3390 c.cckd sf=c_*.cckd
0123 9336 d.fba
0124 3390 e.3390
000C 3505 * eof
CNF

# --- dump to two folders, verify both
"$DDR" -q dump --system hercules.cnf --exclude 'SCR*' --to out1 --to out2 --jobs 2 > dump.out; rc=$?
[ "$rc" = 0 ] && ok "dump --system: exit 0" || bad "dump --system: exit $rc: $(cat dump.out)"
[ "$(grep -c ': complete$' dump.out)" = 4 ] && ok "four volumes complete, one line each" || bad "dump lines: $(cat dump.out)"
for d in out1 out2; do
  [ "$(ls $d | tr '\n' ' ')" = "0120-VMRES1.aws 0121-VMPK01.aws 0122-VMPK02.aws 0123-FBA001.aws catalog.json " ] &&
    ok "$d holds the four tapes and the catalog" || bad "$d: $(ls $d)"
done
cmp -s out1/0122-VMPK02.aws out2/0122-VMPK02.aws && ok "the two copies are identical (one read)" || bad "copies differ"
grep -q '"sf": "c_\*.cckd"' out1/catalog.json && grep -q '"result": "complete"' out1/catalog.json &&
  ok "catalog records sf= and the result" || bad "catalog fields"
for d in out1 out2; do
  "$DDR" -q verify --catalog $d/catalog.json --against hercules.cnf > v.out && [ "$(grep -c ': intact' v.out)" = 4 ] &&
    ok "verify --catalog $d --against the live volumes" || bad "verify $d: $(cat v.out)"
done
"$DDR" -q dump --sf 'c_*.cckd' c.cckd chain.aws && "$DDR" -q restore chain.aws chain.img && tracks_equal c.cckd chain.img "chain read" --sf 'c_*.cckd'
(dasdcopy -q -o CKD c.cckd "sf=c_*.cckd" herc-chain.img >/dev/null 2>&1) && tracks_equal herc-chain.img chain.img "the chain dumped is Hercules' reading of it (dasdcopy)"

# --- damage one tape of copy 1: verify names exactly that volume
python3 - <<'PY'
f = open("out1/0121-VMPK01.aws", "r+b"); f.seek(3000); b = f.read(1); f.seek(3000); f.write(bytes([b[0] ^ 0x55])); f.close()
PY
"$DDR" -q verify --catalog out1/catalog.json > v.out 2> v.err; rc=$?
[ "$rc" = 4 ] && ok "damaged copy: exit 4" || bad "damaged copy: exit $rc"
[ "$(grep -c DAMAGED v.out)" = 1 ] && grep -q '^0121-VMPK01: DAMAGED' v.out && grep -q "not intact: 0121-VMPK01$" v.err &&
  ok "verify names exactly 0121-VMPK01" || bad "damage report: $(cat v.out v.err)"

# --- restore everything from the other copy; compare with the sources; start Hercules
"$DDR" -q restore --catalog out2/catalog.json --to new > r.out; rc=$?
[ "$rc" = 0 ] && ok "restore --catalog: exit 0" || bad "restore: exit $rc: $(cat r.out)"
tracks_equal a.3390 new/0120-VMRES1.ckd "0120 restored = source"
tracks_equal b.3380 new/0121-VMPK01.ckd "0121 restored = source"
tracks_equal c.cckd new/0122-VMPK02.ckd "0122 restored = source chain (base + shadow)" --sf 'c_*.cckd'
tracks_equal d.fba new/0123-FBA001.fba "0123 restored = source (FBA)"
grep -q '^0122 3390 0122-VMPK02.ckd$' new/hercules.cnf && grep -q '^0121 3380 0121-VMPK01.ckd ro$' new/hercules.cnf &&
  grep -q '^# ddr: not restored: 0124 3390 e.3390$' new/hercules.cnf && grep -q '^000C 3505 \* eof$' new/hercules.cnf &&
  ok "hercules.cnf: restored images named, sf= gone, the excluded volume commented out" || bad "hercules.cnf: $(cat new/hercules.cnf)"
expect 6 "restore again: refused" -- "$DDR" restore --catalog out2/catalog.json --to new
if command -v hercules >/dev/null; then
  (cd new && (sleep 3; echo quit) | timeout -k 2 10 hercules -d -f hercules.cnf > herc.log 2>&1)
  n=$(grep -c -E 'HHCDA020I 012[0-2]-|HHCDA067I 0123-' new/herc.log)
  [ "$n" = 4 ] && ! grep -q 'HHCDA0[0-9][0-9]E' new/herc.log && ok "Hercules attaches every restored device" ||
    bad "Hercules attached $n of 4: $(grep HHCDA new/herc.log)"
fi

# --- --jobs 1 and 2: the same catalogs; shards merged: the full run
"$DDR" -q dump --system hercules.cnf --exclude 'SCR*' --to j1 --jobs 1 >/dev/null || bad "jobs 1"
[ "$(stable j1/catalog.json)" = "$(stable out2/catalog.json)" ] &&
  ok "--jobs 1 and --jobs 2: the same catalog (but times)" || bad "jobs 1 vs 2 catalogs differ"
for k in 1 2 3; do "$DDR" -q dump --system hercules.cnf --exclude 'SCR*' --to sh --shard $k/3 >/dev/null || bad "shard $k"; done
"$DDR" -q catalog merge sh/catalog.json sh/catalog-1-of-3.json sh/catalog-2-of-3.json sh/catalog-3-of-3.json || bad "merge"
[ "$(stable sh/catalog.json)" = "$(stable j1/catalog.json)" ] && ok "three shards merged = the full run" || bad "merged catalog differs"
"$DDR" -q verify --catalog sh/catalog.json >/dev/null && ok "verify accepts the merged catalog" || bad "verify merged"
expect 6 "merge: a shard given twice" -- "$DDR" catalog merge sh/m.json sh/catalog-1-of-3.json sh/catalog-1-of-3.json

# --- no overwrite; a failing volume leaves the others complete
expect 6 "dump into a folder with a catalog: refused" -- "$DDR" dump --system hercules.cnf --to j1
contains "catalog.json" "refusal"
head -c 100000 /dev/urandom > bad.img
printf '0130 3390 a.3390\n0131 3390 bad.img\n0132 9336 d.fba\n' > bad.cnf
"$DDR" -q dump --system bad.cnf --to f > f.out 2>/dev/null; rc=$?
[ "$rc" = 12 ] && ok "a failing volume: exit 12" || bad "failing volume: exit $rc"
grep -q '^0131: failed: ' f.out && [ "$(grep -c ': complete$' f.out)" = 2 ] && grep -q '"result": "failed"' f/catalog.json &&
  ok "the others complete, the catalog says which failed" || bad "failing volume: $(cat f.out)"
expect 12 "restore of a catalog with a failed volume: the others restored" -- "$DDR" restore --catalog f/catalog.json --to fnew
[ -f fnew/0130.ckd ] || [ -f fnew/0130-VMRES1.ckd ] && ok "  0130 restored" || bad "0130 not restored: $(ls fnew)"
expect 2 "--system with SOURCE: usage" -- "$DDR" dump --system hercules.cnf --to x a.3390
"$DDR" --json dump --system hercules.cnf --exclude 'SCR*' --to js 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d)' >/dev/null &&
  ok "--json: one JSON document" || bad "--json dump --system"
finish
