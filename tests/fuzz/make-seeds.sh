#!/bin/sh
# Generates the seed corpora of the fuzz targets into $FUZZ_BUILD/seeds/<target>/
# (default build-fuzz/).  Nothing generated here goes into the repository.
#
# Sources, each used when available:
#   * our own writers (build-fuzz/make-seeds ours): small CKD, CCKD (zlib, bzip2, none,
#     64-bit), CFBA, FBA images, a multi-file CKD set, DDR tapes in AWS and HET;
#   * Hercules 3.13's utilities: dasdinit (plain, -z, -bz2, -0, FBA), cckdswap (big-endian
#     CCKD), hetinit and hetupd (HET tapes Hercules compressed);
#   * the IBM DDR fixtures ($DDR_FIXTURES, else ../shared/fixtures/ddr-r6): tapes cut
#     down to a few tracks per dump, their THR groups, and track slots of their volumes.
set -eu
cd "$(dirname "$0")/../.."
B=${FUZZ_BUILD:-build-fuzz}
SEEDS="$B/seeds"
WORK="$B/seed-work"
TOOL="$B/make-seeds"
FIXTURES=${DDR_FIXTURES:-../shared/fixtures/ddr-r6}
[ -d "$FIXTURES" ] || FIXTURES=/work/shared/fixtures/ddr-r6
[ -x "$TOOL" ] || { echo "make-seeds.sh: $TOOL missing; run tests/fuzz/build.sh first" >&2; exit 1; }

rm -rf "$SEEDS" "$WORK"
for t in fuzz_tape fuzz_ddr_stream fuzz_ddr_track fuzz_track_image fuzz_volume fuzz_volume_update fuzz_dump_scan fuzz_statements fuzz_manifest fuzz_catalog fuzz_resume_record; do
    mkdir -p "$SEEDS/$t"
done
mkdir -p "$WORK"
export ASAN_OPTIONS=detect_leaks=0

# ---- our own writers ----
"$TOOL" ours "$SEEDS"
"$TOOL" manifests "$SEEDS/fuzz_manifest"
"$TOOL" resume-records "$SEEDS/fuzz_resume_record"
mv "$SEEDS/work" "$WORK/ours"

# ---- Hercules ----
quiet() { "$@" >/dev/null 2>&1; }
if command -v dasdinit >/dev/null 2>&1; then
    V="$SEEDS/fuzz_volume"
    quiet dasdinit "$V/herc-2311.img" 2311 HERC01 1 || true
    quiet dasdinit -z "$V/herc-2311-zlib.cckd" 2311 HERC02 2 || true
    quiet dasdinit -bz2 "$V/herc-3390-bzip2.cckd" 3390 HERC03 1 || true
    quiet dasdinit -0 "$V/herc-3350-none.cckd" 3350 HERC04 1 || true
    quiet dasdinit -z -linux "$V/herc-3390-linux.cckd" 3390 HERC05 1 || true
    quiet dasdinit "$V/herc-3370.img" 3370 HERC06 64 || true
    quiet dasdinit -z "$V/herc-3370-zlib.cfba" 3370 HERC07 1000 || true
    quiet dasdinit -bz2 "$V/herc-3370-bzip2.cfba" 3370 HERC08 300 || true
    if command -v cckdswap >/dev/null 2>&1; then
        for f in "$V/herc-2311-zlib.cckd" "$WORK/ours/big-endian.cckd" "$V/herc-3370-zlib.cfba"; do
            [ -f "$f" ] || continue
            b=$(basename "$f")
            cp "$f" "$V/swapped-$b"
            quiet cckdswap "$V/swapped-$b" || rm -f "$V/swapped-$b"
        done
    fi
fi
if command -v hetinit >/dev/null 2>&1; then
    quiet hetinit "$SEEDS/fuzz_tape/herc-label.het" HERC09 OWNER || true
    quiet hetinit -n "$SEEDS/fuzz_tape/herc-nl.het" || true
fi
if command -v hetupd >/dev/null 2>&1; then
    quiet hetupd -z "$SEEDS/fuzz_tape/ours-aws.aws" "$SEEDS/fuzz_tape/herc-hetupd-zlib.het" || true
    quiet hetupd -b "$SEEDS/fuzz_tape/ours-aws.aws" "$SEEDS/fuzz_tape/herc-hetupd-bzip2.het" || true
fi

# ---- IBM DDR fixtures ----
if [ -d "$FIXTURES" ]; then
    tapes="dev-2305-1/dump dev-2311/dump dev-2314/dump dev-3330/dump dev-3340-35/dump dev-3350/dump
           cpvol-3330/nucleus leave-3330/two-dumps multiextent-3330/dump quirks-3330/dump reorder-2314/reorder
           eot-at-eoj-2311/dump"
    for t in $tapes; do
        name=$(echo "$t" | tr / -)
        xz -dc "$FIXTURES/$t.aws.xz" >"$WORK/$name.aws"
        "$TOOL" cut-tape "$WORK/$name.aws" "$SEEDS/fuzz_tape/ibm-$name.aws" 3
        "$TOOL" frame "$SEEDS/fuzz_ddr_stream/ibm-$name" "$SEEDS/fuzz_tape/ibm-$name.aws"
        mkdir -p "$WORK/groups-$name"
        "$TOOL" groups "$WORK/$name.aws" "$WORK/groups-$name" 8
        for g in "$WORK/groups-$name"/*; do cp "$g" "$SEEDS/fuzz_ddr_track/ibm-$name-$(basename "$g")"; done
        rm -f "$WORK/$name.aws"
    done
    cp "$SEEDS/fuzz_ddr_stream/ibm-leave-3330-two-dumps" "$SEEDS/fuzz_dump_scan/"
    for case in multireel-3330 multireel-2314 multireel-reorder-3350; do
        for r in 1 2; do
            xz -dc "$FIXTURES/$case/reel$r.aws.xz" >"$WORK/$case-reel$r.aws"
            "$TOOL" cut-tape "$WORK/$case-reel$r.aws" "$WORK/$case-reel$r-cut.aws" 2
        done
        "$TOOL" frame "$SEEDS/fuzz_dump_scan/ibm-$case" "$WORK/$case-reel1-cut.aws" "$WORK/$case-reel2-cut.aws"
        cp "$WORK/$case-reel2-cut.aws" "$SEEDS/fuzz_tape/ibm-$case-reel2.aws"
        rm -f "$WORK/$case-reel1.aws" "$WORK/$case-reel2.aws"
    done
    for case in dev-2311 dev-3330 dev-2305-1 typeprint-3330 cpvol-3330 quirks-3330; do
        xz -dc "$FIXTURES/$case/src.img.xz" >"$WORK/$case.img"
        mkdir -p "$WORK/slots-$case"
        "$TOOL" slots "$WORK/$case.img" "$WORK/slots-$case" 12
        for s in "$WORK/slots-$case"/*; do cp "$s" "$SEEDS/fuzz_track_image/ibm-$case-$(basename "$s")"; done
        rm -f "$WORK/$case.img"
    done
else
    echo "make-seeds.sh: no IBM fixtures at $FIXTURES; seeds come from our writers and Hercules only" >&2
fi

# The framed DDR seeds also drive the multi-reel reader.
cp "$SEEDS/fuzz_ddr_stream/"* "$SEEDS/fuzz_dump_scan/" 2>/dev/null || true
# THR groups of our own tape, and tracks of our own CCKD image as slots.
"$TOOL" groups "$SEEDS/fuzz_tape/ours-aws.aws" "$SEEDS/fuzz_ddr_track" 6
"$TOOL" slots "$SEEDS/fuzz_volume/ours-cckd-zlib.cckd" "$WORK" 8 && for s in "$WORK"/slot-*; do mv "$s" "$SEEDS/fuzz_track_image/ours-$(basename "$s")"; done

# DDR statements: the lines typed in every IBM console transcript (mode byte 0), and a
# Hercules configuration (mode byte 1).
if [ -d "$FIXTURES" ]; then
    for f in "$FIXTURES"/*/*.console.txt; do
        { printf '\0'; sed -n 's/^> \{0,1\}//p' "$f"; } > "$SEEDS/fuzz_statements/ibm-$(basename "$(dirname "$f")")-$(basename "$f" .console.txt)"
    done
fi
{ printf '\1'; printf '# config\nMAINSIZE 16\n000E 1403 prt.txt\n0130 3330 vol.3330 sf=x # c\n0:0181 3420 "a b.aws" \\\n maxsize=100 eotmargin=10\n0140-0141 3350 p\n0150.2 2314 q\n'; } > "$SEEDS/fuzz_statements/config"
{ printf '\0'; printf 'INPUT 130 3330\nOUTPUT 181 3420 182 (SKIP 1 LEAVE MODE 6250\nDUMP 0 TO 1\n6 TO 7 REORDER 2\n\nPRINT 1 2 3 TO 4 5 6 (HEX COUNT\nSYSPRINT CONS\nEND\n'; } > "$SEEDS/fuzz_statements/statements"

# A catalog of a whole-system run (two dumped volumes, one failed).
cat > "$SEEDS/fuzz_catalog/system" <<'CATALOG'
{
 "catalog_version": 1,
 "run": {
  "start": "2026-12-04T06:26:10Z",
  "end": "2026-12-04T06:26:10Z",
  "host": "vm",
  "config": "hercules.cnf",
  "config_kind": "configuration",
  "config_text": "# test system\nMAINSIZE 64\nNUMCPU 1\n0120 3390 a.3390\n0121 3380 b.3380 ro\n0122 3390 c.cckd\n0123 9336 d.fba\n0124 3390 e.3390\n000C 3505 * eof\n",
  "rules": [
   "-SCR*"
  ],
  "jobs": 2,
  "shard": null,
  "result": "complete",
  "ddr_version": "0.1.0"
 },
 "volumes": [
  {
   "address": "0120",
   "devtype": "3390",
   "volser": "VMRES1",
   "image": "a.3390",
   "sf": null,
   "line": 4,
   "name": "0120-VMRES1",
   "status": "complete",
   "error": null,
   "tapes": [
    "0120-VMRES1.aws"
   ],
   "source": "a.3390",
   "container": "CKD",
   "image_format": "CKD_P370",
   "cylinders": 10,
   "heads": 15,
   "kind": "extents",
   "extents": [
    {
     "first": 0,
     "last": 9,
     "to": 0
    }
   ],
   "format": "AWS",
   "reels": [
    {
     "file": "0120-VMRES1.aws",
     "reel": 1,
     "tape_blocks": 154,
     "bytes": 16278,
     "reel_hash": "7ab2e76672f4620880dc294a38c62afb",
     "units": 150
    }
   ],
   "tape_blocks": 154,
   "tape_bytes": 16278,
   "checksums": true,
   "tod": "E3AD93C782F10000",
   "dump_time": "2026-12-04T06:26:10Z",
   "units": 150,
   "unit_name": "tracks",
   "data_bytes": 5084,
   "source_changed": false,
   "source_changes": [],
   "snapshot": false
  },
  {
   "address": "0121",
   "devtype": "3380",
   "volser": "VMPK01",
   "image": "b.3380",
   "sf": null,
   "line": 5,
   "name": "0121-VMPK01",
   "status": "complete",
   "error": null,
   "tapes": [
    "0121-VMPK01.aws"
   ],
   "source": "b.3380",
   "container": "CKD",
   "image_format": "CKD_P370",
   "cylinders": 8,
   "heads": 15,
   "kind": "extents",
   "extents": [
    {
     "first": 0,
     "last": 7,
     "to": 0
    }
   ],
   "format": "AWS",
   "reels": [
    {
     "file": "0121-VMPK01.aws",
     "reel": 1,
     "tape_blocks": 124,
     "bytes": 13218,
     "reel_hash": "eabccf071f518f3352b59e2a2a76feeb",
     "units": 120
    }
   ],
   "tape_blocks": 124,
   "tape_bytes": 13218,
   "checksums": true,
   "tod": "E3AD93C7841AC000",
   "dump_time": "2026-12-04T06:26:10Z",
   "units": 120,
   "unit_name": "tracks",
   "data_bytes": 4124,
   "source_changed": false,
   "source_changes": [],
   "snapshot": false
  },
  {
   "address": "0124",
   "devtype": "3390",
   "volser": "",
   "image": "e.3390",
   "sf": null,
   "line": 8,
   "name": "0124",
   "status": "failed",
   "error": "e.3390: cannot read",
   "tapes": []
  }
 ]
}
CATALOG

# The update target starts from the same single-file images.
for f in "$SEEDS/fuzz_volume"/*; do
    case "$f" in *ckd-set|*shadow-chain) ;; *) cp "$f" "$SEEDS/fuzz_volume_update/" ;; esac
done

for t in "$SEEDS"/*; do
    printf '%-18s %4d seeds, %7d bytes\n' "$(basename "$t")" "$(find "$t" -type f | wc -l)" "$(cat "$t"/* | wc -c)"
done
