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
set -euo pipefail
DDR=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
TOOLS=$(cd "${BUILD:-build}" && pwd)
DIR=${BENCH_DIR:-$TOOLS/bench}
DEVICE=${BENCH_DEVICE:-3390-3}
RUNS=${BENCH_RUNS:-5}
mkdir -p "$DIR"
cd "$DIR"
export DDR TOOLS DEVICE RUNS
export ONLY=${BENCH_ONLY:-} SYSTEM_VOLUMES=${BENCH_SYSTEM_VOLUMES:-8}
exec python3 - <<'PY'
import os, statistics, subprocess, time, shutil

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
    if before:
        before()
    sh("sync")
    t = time.perf_counter()
    sh(cmd)
    return time.perf_counter() - t

def compare(name, ours, base, ours_before=None, base_before=None, goal=None):
    a, b = [], []
    for _ in range(RUNS):          # alternate, so both see the same machine
        b.append(timed(base, base_before))
        a.append(timed(ours, ours_before))
    ma, mb = statistics.median(a), statistics.median(b)
    goal_text = f"   (goal <= {goal:.2f})" if goal else ""
    print(f"{name:<44} {ma:7.2f} s  vs {mb:7.2f} s   ratio {ma / mb:5.2f}{goal_text}", flush=True)
    return ma / mb

size = os.path.getsize(vol)
sh(f"cat {vol} > /dev/null")                       # both start from the page cache
print(f"volume: {vol}, {size / 1e9:.2f} GB; {RUNS} runs each, medians; machine load "
      f"{os.getloadavg()[0]:.2f}", flush=True)
print(f"{'':<44} {'ddr':>9}     {'baseline':>9}")

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
    serial = " && ".join(f"{DDR} -q dump sysvol{i}.img serial/t{i}.aws" for i in range(n))
    compare(f"dump --system, {n} volumes, --jobs 2  vs  one by one",
            f"{DDR} -q dump --system system.cnf --to sys --jobs 2", serial,
            ours_before=lambda: shutil.rmtree("sys", ignore_errors=True),
            base_before=lambda: (shutil.rmtree("serial", ignore_errors=True), os.makedirs("serial")))
    sh(f"{DDR} -q verify --catalog sys/catalog.json")
    for i in range(n):
        sh(f"{DDR} -q verify serial/t{i}.aws")
    print(f"  exact: every tape of both runs verified ({n} volumes each)", flush=True)
    shutil.rmtree("sys", ignore_errors=True)
    shutil.rmtree("serial", ignore_errors=True)

if os.environ["ONLY"] == "system":
    system_run()
    raise SystemExit(0)

compare("dump  vs  cat volume > file; sync",
        f"{DDR} -q dump {vol} t.aws", f"cat {vol} > copy.img && sync copy.img",
        ours_before=lambda: clean("t.aws"), base_before=lambda: clean("copy.img"))
tape_size = os.path.getsize("t.aws")
compare("dump --pure  vs  cat volume > file; sync",
        f"{DDR} -q dump --pure {vol} p.aws", f"cat {vol} > copy.img && sync copy.img",
        ours_before=lambda: clean("p.aws"), base_before=lambda: clean("copy.img"))
compare("verify (structure + every checksum)  vs  xxhsum -H3",
        f"{DDR} -q verify t.aws", "xxhsum -H3 t.aws", goal=1.2)
compare("restore to a new image  vs  cat volume > file; sync",
        f"{DDR} -q restore t.aws r.img", f"cat {vol} > copy.img && sync copy.img",
        ours_before=lambda: clean("r.img"), base_before=lambda: clean("copy.img"))
compare("dump | restore through a pipe  vs  cat | cat; sync",
        f"{DDR} -q dump {vol} - | {DDR} -q restore - r.img", f"cat {vol} | cat > copy.img && sync copy.img",
        ours_before=lambda: clean("r.img"), base_before=lambda: clean("copy.img"))
if shutil.which("dasdcopy"):
    compare("copy CKD -> CCKD (zlib)  vs  Hercules dasdcopy",
            f"{DDR} -q copy --no-compare {vol} c.cckd", f"dasdcopy -q {vol} h.cckd",
            ours_before=lambda: clean("c.cckd"), base_before=lambda: clean("h.cckd"))
print(f"tape {tape_size / 1e9:.2f} GB ({tape_size / size:.0%} of the volume)")
system_run()
for f in ("t.aws", "p.aws", "r.img", "copy.img", "c.cckd", "h.cckd"):
    clean(f)
PY
