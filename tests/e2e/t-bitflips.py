#!/usr/bin/env python3
"""Every single-bit flip in a dump is detected by `ddr verify`, which names the right
track; every truncation at a block boundary is detected.

A two-reel dump (so both an EOV and an EOJ, each with its trailer) of a realistic sample
3390 gets 1,000 random single-bit flips spread over the AWS block headers, the VHRs, the
THR blocks, the data blocks, the EOV/EOJ records and the trailer blocks.  For each flip:
verify must exit non-zero; for a flip inside a track's blocks it must name that track's
cylinder and head.  Then each reel is cut at every block boundary: verify must fail."""
import os
import random
import struct
import subprocess
import sys

DDR = os.environ["DDR"]
TOOLS = os.environ["TOOLS"]
FLIPS = int(os.environ.get("DDR_FLIPS", "1000"))

subprocess.run([f"{TOOLS}/make-sample-volume", "src.3390", "3390-1", "FLIP01", "6", "5", "85"], check=True)
dump = subprocess.run([DDR, "-q", "dump", "--reel-size", "1.2M", "src.3390", "r1.aws", "r2.aws", "r3.aws"],
                      capture_output=True, text=True)
assert dump.returncode == 0, dump.stderr
reels = [r for r in ("r1.aws", "r2.aws", "r3.aws") if os.path.exists(r)]
assert len(reels) >= 2, f"wanted a multi-reel dump, got {reels}"
ok = subprocess.run([DDR, "verify", *reels], capture_output=True, text=True)
assert ok.returncode == 0, ok.stdout + ok.stderr

EBC = {"VHR": b"\xe5\xc8\xd9\x40", "EOV": b"\xc5\xd6\xe5\x40", "EOJ": b"\xc5\xd6\xd1\x40", "THR": b"\xe3\xc8\xd9\x40"}


def regions(path):
    """(start, end, kind, track) for every byte range of a reel, in order."""
    d = open(path, "rb").read()
    out, o, state, left, track = [], 0, "vhr", 0, None
    while o < len(d):
        cur, _prev, f1, _f2 = struct.unpack_from("<HHBB", d, o)
        out.append((o, o + 6, "aws", track if state == "group" else None))
        blk = d[o + 6:o + 6 + cur]
        if f1 & 0x40:
            kind = "tm"
        elif state == "vhr":
            kind, state = "vhr", "dump"
        elif state == "group":
            kind = "data"
            left -= 1
            if left == 0:
                state = "dump"
        elif state == "after":
            kind = "trailer"
        elif blk[:4] in (EBC["EOV"], EBC["EOJ"]) and cur == 80:
            kind, state = "end", "after"
        else:
            kind = "thr"
            ndrt, drl = struct.unpack(">HH", blk[6:10])
            cc, hh = struct.unpack(">HH", blk[12:16])
            track = (cc, hh)
            left = ndrt + (1 if drl else 0) - 1
            state = "group" if left else "dump"
        if kind in ("data", "thr", "aws"):
            out.append((o + 6, o + 6 + cur, kind, track if kind != "aws" else None))
        elif cur:
            out.append((o + 6, o + 6 + cur, kind, None))
        if kind == "thr" and state == "dump":
            track_last = track  # a one-block track
        o += 6 + cur
    return d, out


data = {r: regions(r) for r in reels}
by_kind = {}
for r, (_, regs) in data.items():
    for start, end, kind, track in regs:
        if end > start:
            by_kind.setdefault(kind, []).append((r, start, end, track))
print({k: len(v) for k, v in by_kind.items()})

# Spread the flips: every kind gets its share, weighted toward where the data is.
weights = {"aws": 150, "vhr": 60, "thr": 250, "data": 300, "end": 60, "trailer": 180}
rng = random.Random(20261125)
plan = []
for kind, n in weights.items():
    for _ in range(n * FLIPS // 1000):
        r, start, end, track = rng.choice(by_kind[kind])
        plan.append((kind, r, rng.randrange(start, end), rng.randrange(8), track))

undetected, unnamed = [], []
for i, (kind, reel, offset, bit, track) in enumerate(plan):
    original = data[reel][0]
    damaged = bytearray(original)
    damaged[offset] ^= 1 << bit
    name = f"flip-{reel}"
    with open(name, "wb") as f:
        f.write(damaged)
    args = [name if r == reel else r for r in reels]
    p = subprocess.run([DDR, "verify", *args], capture_output=True, text=True, errors="replace")
    out = p.stdout + p.stderr
    if p.returncode == 0:
        undetected.append((kind, reel, offset, bit))
    elif track is not None and kind in ("thr", "data") and f"cyl {track[0]} head {track[1]}" not in out:
        unnamed.append((kind, reel, offset, bit, track, out.strip().splitlines()[-1]))
    os.remove(name)

print(f"{len(plan)} flips: {len(plan) - len(undetected)} detected, "
      f"{len(unnamed)} in a track's blocks not naming it")
for u in undetected[:10]:
    print("UNDETECTED", u)
for u in unnamed[:10]:
    print("UNNAMED", u)

# Truncation at every block boundary of every reel.
missed = []
for reel in reels:
    d, regs = data[reel]
    cuts = sorted({start for start, _, kind, _ in regs if kind == "aws"})
    for cut in cuts:
        with open("cut.aws", "wb") as f:
            f.write(d[:cut])
        args = ["cut.aws" if r == reel else r for r in reels]
        p = subprocess.run([DDR, "verify", *args], capture_output=True, text=True)
        if p.returncode == 0:
            missed.append((reel, cut))
    print(f"{reel}: {len(cuts)} cuts at block boundaries, {len(cuts) - len([m for m in missed if m[0] == reel])} detected")
for m in missed[:10]:
    print("TRUNCATION UNDETECTED", m)

sys.exit(1 if undetected or unnamed or missed else 0)
