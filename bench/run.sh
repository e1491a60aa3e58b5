#!/usr/bin/env bash
# make bench: ddr against baselines doing the same I/O, run alternately on this machine,
# medians of several runs, printed as ratios (lower is better; 1.00 = as fast as the
# baseline).  Not a test: nothing fails on a slow machine.
#
# ddr syncs what it writes before it says it is done (a dump or a restore that a power cut
# could lose is not one), so the copying baselines sync their output file too.
#
#   bench/run.sh bin/ddr            a full 3390-3 (50,085 tracks)
#   BENCH_DEVICE=3390-1 BENCH_RUNS=5 bench/run.sh bin/ddr
#   BENCH_ONLY=system BENCH_SYSTEM_VOLUMES=8 ...   only the whole-system run (dump --system)
#   BENCH_ROWS='verify|pipe' ...    only the rows whose name matches this regular expression
#                                   ("empty" for the empty 3390-3/3390-54 rows, "system" for
#                                   the whole-system row; the dense volume's rows say "dense")
set -euo pipefail
DDR=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
TOOLS=$(cd "${BUILD:-build}" && pwd)
DIR=${BENCH_DIR:-$TOOLS/bench}
DEVICE=${BENCH_DEVICE:-3390-3}
RUNS=${BENCH_RUNS:-5}
mkdir -p "$DIR"
cd "$DIR"
export DDR TOOLS DEVICE RUNS
export ONLY=${BENCH_ONLY:-} SYSTEM_VOLUMES=${BENCH_SYSTEM_VOLUMES:-8} ROWS=${BENCH_ROWS:-}
exec python3 - <<'PY'
import os, re, statistics, subprocess, sys, time, shutil

DDR, TOOLS, DEVICE, RUNS = os.environ["DDR"], os.environ["TOOLS"], os.environ["DEVICE"], int(os.environ["RUNS"])
cyls = {"3390-1": 1113, "3390-3": 3339, "3390-9": 10017}.get(DEVICE, 3339)
vol = f"vol-{DEVICE}.img"
if not os.path.exists(vol):
    print(f"making a full {DEVICE} of realistic contents ({cyls} cylinders)...", flush=True)
    subprocess.run([f"{TOOLS}/make-sample-volume", vol, DEVICE, "BENCH1", str(cyls), "42", "100"], check=True)

def sh(cmd):
    subprocess.run(cmd, shell=True, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

def clean(*paths):
    for p in paths:
        if os.path.exists(p):
            os.remove(p)

def timed(cmd, before=None):
    """Seconds the command took, and its peak RSS in KiB (the largest of its processes)."""
    if before:
        before()
    sh("sync")
    t = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-f", "%M", "sh", "-c", cmd], check=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return time.perf_counter() - t, int(out.stderr.strip().splitlines()[-1])

def check_that(what, ok):
    """Every timed output is proven: a restore equals its source, a tape verifies."""
    if not ok:
        print(f"    OUTPUT WRONG: {what}", flush=True)
        global wrong
        wrong += 1

def check(what, cmd):
    """check_that, by a command's exit status."""
    ok = subprocess.run(cmd, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0
    check_that(f"{what} ({cmd})", ok)

def same_sparse_files(a, b):
    """True if files a and b hold the same bytes, reading only where either holds data:
    both read as zeros elsewhere.  cmp would read every hole of a 56 GB sparse image (and
    fill the page cache with zeros, pushing out what the next rows read)."""
    size = os.path.getsize(a)
    if os.path.getsize(b) != size:
        return False
    with open(a, "rb") as fa, open(b, "rb") as fb:
        for first, other in ((fa.fileno(), fb.fileno()), (fb.fileno(), fa.fileno())):
            offset = 0
            while offset < size:
                try:
                    start = os.lseek(first, offset, os.SEEK_DATA)
                except OSError:  # ENXIO: no data after offset
                    break
                end = os.lseek(first, start, os.SEEK_HOLE)
                for at in range(start, end, 8 << 20):
                    n = min(8 << 20, end - at)
                    if os.pread(first, n, at) != os.pread(other, n, at):
                        return False
                offset = end
    return True

wrong = 0
rows = []

def wanted(name):
    """True if BENCH_ROWS is unset or matches the row's name."""
    return not os.environ["ROWS"] or re.search(os.environ["ROWS"], name) is not None

def compare(name, ours, base, ours_before=None, base_before=None, goal=None, proof=None, runs=None):
    if not wanted(name):
        return None
    a, b, rss = [], [], 0
    for _ in range(runs or RUNS):  # alternate, so both see the same machine
        b.append(timed(base, base_before)[0])
        t, m = timed(ours, ours_before)
        a.append(t)
        rss = max(rss, m)
        if proof:
            check(name, proof)
    ma, mb = statistics.median(a), statistics.median(b)
    goal_text = f"<= {goal:.2f}" if goal else "keep"
    met = "" if not goal else ("  met" if ma / mb <= goal else "  NOT MET")
    print(f"{name:<50} {ma:7.2f} s {mb:7.2f} s {ma / mb:6.2f}  {goal_text:>7}{met:<8} {rss / 1024:6.1f} MiB",
          flush=True)
    rows.append((name, ma / mb, goal, rss))
    return ma / mb

size = os.path.getsize(vol)
sh(f"cat {vol} > /dev/null")                       # both start from the page cache
print(f"volume: {vol}, {size / 1e9:.2f} GB; {RUNS} runs each, medians; machine load "
      f"{os.getloadavg()[0]:.2f}", flush=True)
print(f"{'':<50} {'ddr':>9} {'baseline':>9} {'ratio':>6}  {'goal':>7}{'':<8} {'peak RSS':>10}")

def system_run():
    """Eight volumes (names of the one image, so the disk holds one) dumped by one
    dump --system --jobs 2, against the same volumes dumped one after another; both
    sets of tapes proven intact afterwards (verify --catalog, verify of each)."""
    n = int(os.environ["SYSTEM_VOLUMES"])
    with open("system.cnf", "w") as f:
        for i in range(n):
            name = f"sysvol{i}.img"
            if not os.path.exists(name):
                os.symlink(vol, name)
            f.write(f"{0x200 + i:04X} 3390 {name}\n")
    name = f"dump --system, {n} volumes, --jobs 2  vs  one by one"
    if not wanted(name):  # BENCH_ROWS can leave the row out even where "system" is wanted
        return
    serial = " && ".join(f"{DDR} -q dump sysvol{i}.img serial/t{i}.aws" for i in range(n))
    compare(name,
            f"{DDR} -q dump --system system.cnf --to sys --jobs 2", serial,
            ours_before=lambda: shutil.rmtree("sys", ignore_errors=True),
            base_before=lambda: (shutil.rmtree("serial", ignore_errors=True), os.makedirs("serial")))
    sh(f"{DDR} -q verify --catalog sys/catalog.json")
    for i in range(n):
        sh(f"{DDR} -q verify serial/t{i}.aws")
    print(f"  exact: every tape of both runs verified ({n} volumes each)", flush=True)
    shutil.rmtree("sys", ignore_errors=True)
    shutil.rmtree("serial", ignore_errors=True)

if os.environ["ONLY"] == "system" or os.environ["ROWS"] == "system":
    system_run()
    raise SystemExit(0)

def rows_for(vol, tag):
    clean("t.aws")  # whichever volume made it last, this one's dump is made below
    compare(f"dump{tag}  vs  cat volume > file; sync",
            f"{DDR} -q dump {vol} t.aws", f"cat {vol} > copy.img && sync copy.img",
            ours_before=lambda: clean("t.aws"), base_before=lambda: clean("copy.img"), proof=f"{DDR} -q verify t.aws")
    if not os.path.exists("t.aws"):  # the rows below read the dump of this volume
        sh(f"{DDR} -q dump {vol} t.aws")
    compare(f"dump{tag}  vs  cat TAPE > file; sync",
            f"{DDR} -q dump {vol} t2.aws", f"cat t.aws > copy.aws && sync copy.aws", goal=1.05,
            ours_before=lambda: clean("t2.aws"), base_before=lambda: clean("copy.aws"))
    compare(f"verify{tag} (structure + checksums)  vs  xxhsum -H3",
            f"{DDR} -q verify t.aws", "xxhsum -H3 t.aws", goal=1.1)
    compare(f"restore{tag} to a new image  vs  cat volume > file; sync",
            f"{DDR} -q restore t.aws r.img", f"cat {vol} > copy.img && sync copy.img", goal=1.0,
            ours_before=lambda: clean("r.img"), base_before=lambda: clean("copy.img"), proof=f"cmp -s {vol} r.img")
    compare(f"dump | restore{tag} (pipe)  vs  cat | cat; sync",
            f"{DDR} -q dump {vol} - | {DDR} -q restore - r.img", f"cat {vol} | cat > copy.img && sync copy.img",
            goal=1.2, ours_before=lambda: clean("r.img"), base_before=lambda: clean("copy.img"),
            proof=f"cmp -s {vol} r.img")

rows_for(vol, "")
if not os.path.exists("t.aws"):  # the rows below read the dump of the volume
    sh(f"{DDR} -q dump {vol} t.aws")
tape_size = os.path.getsize("t.aws")
compare("dump --pure  vs  cat volume > file; sync",
        f"{DDR} -q dump --pure {vol} p.aws", f"cat {vol} > copy.img && sync copy.img",
        ours_before=lambda: clean("p.aws"), base_before=lambda: clean("copy.img"))
if shutil.which("dasdcopy"):
    compare("copy CKD -> CCKD (zlib)  vs  Hercules dasdcopy",
            f"{DDR} -q copy --no-compare {vol} c.cckd", f"dasdcopy -q {vol} h.cckd", goal=0.33,
            ours_before=lambda: clean("c.cckd"), base_before=lambda: clean("h.cckd"),
            proof=f"{DDR} -q copy c.cckd back.img && cmp -s {vol} back.img; rc=$?; rm -f back.img; exit $rc")
    compare("restore to CCKD  vs  Hercules dasdcopy CKD -> CCKD",
            f"{DDR} -q restore --format cckd t.aws r.cckd", f"dasdcopy -q {vol} h.cckd",
            ours_before=lambda: clean("r.cckd"), base_before=lambda: clean("h.cckd"),
            proof="cmp -s c.cckd r.cckd || { " + f"{DDR} -q copy r.cckd back.img && cmp -s {vol} back.img; rc=$?; rm -f back.img; exit $rc; }}")
    # -lfs: one output file, as ddr writes (without it dasdcopy splits a volume over 2 GB
    # into hp_1.img, hp_2.img, which the next run's dasdcopy refuses to write over).
    compare("dump from CCKD  vs  Hercules dasdcopy CCKD -> plain",
            f"{DDR} -q dump c.cckd tc.aws", "dasdcopy -q -lfs c.cckd hp.img",
            ours_before=lambda: clean("tc.aws"), base_before=lambda: clean("hp.img"),
            proof=f"{DDR} -q verify tc.aws")
if shutil.which("hetupd"):
    compare("dump to HET (zlib)  vs  Hercules hetupd -z of the AWS dump",
            f"{DDR} -q dump --format het {vol} t.het", "hetupd -z t.aws h.het", goal=0.2,
            ours_before=lambda: clean("t.het"), base_before=lambda: clean("h.het"),
            proof=f"{DDR} -q verify t.het")
print(f"tape {tape_size / 1e9:.2f} GB ({tape_size / size:.0%} of the volume)")

# A dense volume: every track full, so the tape is nearly as big as the image.
dense = f"dense-{DEVICE}.img"
if not os.path.exists(dense):
    print(f"making a dense {DEVICE} ({cyls} cylinders, every track full)...", flush=True)
    subprocess.run([f"{TOOLS}/make-sample-volume", dense, DEVICE, "DENSE1", str(cyls), "43", "100", "dense"],
                   check=True)
sh(f"cat {dense} > /dev/null")
print("dense volume:", flush=True)
rows_for(dense, " dense")
print(f"tape {os.path.getsize('t.aws') / os.path.getsize(dense):.0%} of the dense image")

# Empty volumes: the time per track of an empty 3390-54 (a 56 GB sparse image) against an
# empty 3390-3 -- reading and writing only what a track holds makes them the same.
if os.environ.get("BENCH_EMPTY54", "1") != "0" and wanted("empty"):
    per_track = {}
    for model, tracks in (("3390-3", 3339 * 15), ("3390-54", 65520 * 15)):
        img = f"empty-{model}.img"
        if not os.path.exists(img):
            sh(f"{DDR} -q init {img} {model} EMPTY")
        # Medians of RUNS for both volumes, as for every row: on a virtual machine the first
        # restore of the 3390-54 puts 3.75 GB into pages the guest has never touched, each
        # a fault in the host (measured: the copy into the page cache 4 % of a 3390-3
        # restore's samples, 23 % of a first 3390-54 restore's, 11 % at its third run), a
        # cost of the machine's first use of its memory, not of the volume's size.
        runs = RUNS
        # Hot cache, as for the other rows: one dump first brings the image's data pages
        # in (cat would read the 56 GB of holes too, and fill the cache with zeros).
        sh(f"{DDR} -q dump {img} e.aws")
        clean("e.aws")
        d = statistics.median([timed(f"{DDR} -q dump {img} e.aws", lambda: clean("e.aws"))[0] for _ in range(runs)])
        r = statistics.median([timed(f"{DDR} -q restore e.aws e.img", lambda: clean("e.img"))[0] for _ in range(runs)])
        check_that(f"empty {model} restore (e.img differs from {img})", same_sparse_files(img, "e.img"))
        per_track[model] = (d / tracks, r / tracks)
        print(f"empty {model:<8} dump {d:6.2f} s ({d / tracks * 1e6:5.1f} us/track)   "
              f"restore {r:6.2f} s ({r / tracks * 1e6:5.1f} us/track)", flush=True)
        clean("e.aws", "e.img")
    d3, r3 = per_track["3390-3"]
    d54, r54 = per_track["3390-54"]
    print(f"empty 3390-54 per track vs 3390-3: dump {d54 / d3:.2f}, restore {r54 / r3:.2f}   (goal <= 1.20)")

if wanted("system"):
    system_run()

worst = max((rss for *_, rss in rows), default=0)
print(f"peak RSS of any ddr command: {worst / 1024:.1f} MiB (goal <= 64 MiB)")
print("every timed output checked: " + ("all exact" if wrong == 0 else f"{wrong} WRONG"))
for f in ("t.aws", "t2.aws", "p.aws", "r.img", "copy.img", "copy.aws", "c.cckd", "h.cckd", "r.cckd", "tc.aws",
          "hp.img", "t.het", "h.het"):
    clean(f)
sys.exit(1 if wrong else 0)
PY
