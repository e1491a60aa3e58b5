#!/usr/bin/env python3
"""Every case in ../shared/fixtures/ddr-r6 (tapes and volumes written by IBM's VM/370 R6
DDR), replayed through our command line:

* DUMP runs: our dump of the source volume equals IBM's tape byte for byte, outside the
  ranges the manifest masks (the TOD clock, IBM's stale pad bytes) -- multi-reel, REORDER,
  several extents and two dumps on one tape included.
* RESTORE runs: our restore of IBM's tape onto a volume made like IBM's target (our
  `ddr init`, byte-identical to Hercules' dasdinit) equals IBM's restored volume.
* `ddr list` reports the number of tracks IBM's own check found.
* quirks-3330: our dump is right where IBM's is wrong (tracks 1/0 and 1/1).

Usage: DDR=bin/ddr DDR_FIXTURES=../shared/fixtures/ddr-r6 t-ibm-fixtures.py [case...]
"""
import json
import lzma
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

DDR = os.environ["DDR"]
FIX = os.environ.get("DDR_FIXTURES", "")
FAST = os.environ.get("DDR_FAST_FIXTURES") == "1"   # skip the two full-volume cases


def ddr(*args, expect=0):
    p = subprocess.run([DDR, *args], capture_output=True, text=True)
    if p.returncode != expect:
        raise AssertionError(f"ddr {' '.join(args)} -> {p.returncode} (wanted {expect})\n{p.stderr}{p.stdout}")
    return p


def unpack(case_dir, name, work):
    out = os.path.join(work, name)
    if not os.path.exists(out):
        src = os.path.join(case_dir, name)
        if os.path.exists(src + ".xz"):
            with lzma.open(src + ".xz") as f, open(out, "wb") as g:
                shutil.copyfileobj(f, g, 1 << 20)
        elif os.path.exists(src):
            shutil.copyfile(src, out)
        else:
            return None
    return out


# ---- Hercules CKD image helpers, to name the first differing track ----

def tracks(path):
    with open(path, "rb") as f:
        d = f.read()
    heads, trksz = struct.unpack_from("<II", d, 8)
    n = (len(d) - 512) // trksz
    return heads, [d[512 + i * trksz: 512 + (i + 1) * trksz] for i in range(n)]


def track_end(t):
    o = 5
    while t[o:o + 8] != b"\xff" * 8:
        o += 8 + t[o + 5] + struct.unpack(">H", t[o + 6:o + 8])[0]
    return o + 8


def first_track_difference(a, b, cylinders=None):
    ha, ta = tracks(a)
    hb, tb = tracks(b)
    if ha != hb:
        return f"heads {ha} vs {hb}"
    for i, (x, y) in enumerate(zip(ta, tb)):
        c, h = divmod(i, ha)
        if cylinders is not None and c not in cylinders:
            continue
        if x[:track_end(x)] != y[:track_end(y)]:
            return f"cyl {c} head {h}"
    if cylinders is None and len(ta) != len(tb):
        return f"{len(ta)} vs {len(tb)} tracks"
    return None


def same_volume(got, want, what):
    with open(got, "rb") as f:
        g = f.read()
    with open(want, "rb") as f:
        w = f.read()
    if g != w:
        raise AssertionError(f"{what}: restored volume differs from IBM's at {first_track_difference(got, want)}")


# ---- AWS tapes ----

def compare_tape(ours, ibm, masks, what):
    with open(ours, "rb") as f:
        a = bytearray(f.read())
    with open(ibm, "rb") as f:
        b = bytearray(f.read())
    if len(a) != len(b):
        raise AssertionError(f"{what}: our tape is {len(a)} bytes, IBM's {len(b)}")
    for off, n, _why in masks:
        a[off:off + n] = bytes(n)
        b[off:off + n] = bytes(n)
    if a != b:
        i = next(k for k in range(len(a)) if a[k] != b[k])
        raise AssertionError(f"{what}: our tape differs from IBM's at byte {i} (outside the masks)")


def aws_blocks(path):
    """(offset of the AWS header, data) of every block; tape marks left out."""
    with open(path, "rb") as f:
        d = f.read()
    out, o = [], 0
    while o < len(d):
        cur, _prev, flags = struct.unpack_from("<HHH", d, o)
        if not flags & 0x40:
            out.append((o, d[o + 6:o + 6 + cur]))
        o += 6 + cur
    return out


def computed_masks(path):
    """The masks of a tape the manifest gives none for (IBM's NUCLEUS tape): the TOD of
    every VHR/EOV/EOJ, and the stale pad of every group whose image is 4096k + r bytes,
    k >= 1, 1 <= r < 80 (its last 80-byte block holds r real bytes), found from our own
    tape.  A group's blocks are counted from its THR (THRNDRT, THRDRL), never guessed
    from their content."""
    masks, blocks, i = [], aws_blocks(path), 0
    while i < len(blocks):
        off, b = blocks[i]
        if len(b) == 80 and b[:4] in (b"\xe5\xc8\xd9\x40", b"\xc5\xd6\xe5\x40", b"\xc5\xd6\xd1\x40"):
            masks.append([off + 6 + 16, 8, "TOD"])
            i += 1
            continue
        if b[:4] != b"\xe3\xc8\xd9\x40":  # the checkpoint record, a trailer block
            i += 1
            continue
        full, last = struct.unpack(">HH", b[6:10])
        count = max(full + (1 if last else 0), 1)
        image = b"".join(x for _o, x in blocks[i:i + count])
        n = struct.unpack(">H", image[4:6])[0]
        length = 32 + 8 * n + sum(image[32 + 8 * j + 5] + struct.unpack(">H", image[32 + 8 * j + 6:32 + 8 * j + 8])[0]
                                  for j in range(n))
        k, r = divmod(length, 4096)
        if k >= 1 and 1 <= r < 80:
            masks.append([blocks[i + count - 1][0] + 6 + r, 80 - r, "stale pad"])
        i += count
    return masks


def tod_fields(path, masks):
    """The TOD clock of every VHR/EOV/EOJ, at the offsets where IBM's tape has them."""
    with open(path, "rb") as f:
        d = f.read()
    return [d[off:off + n] for off, n, why in masks if "TOD" in why]


# ---- DDR statements -> our command line ----

def parse_extents(lines):
    """['0 TO 1', '6 TO 7 REORDER 2'] -> ['0-1', '6-7:2'];  ALL -> []"""
    out = []
    for line in lines:
        w = line.split()
        if not w:
            continue
        if w[0] in ("ALL", "AL"):
            return []
        nums = [x for x in w if x.isdigit()]
        if "REORDER" in w or "R" in w:
            out.append(f"{nums[0]}-{nums[1]}:{nums[2]}")
        elif len(nums) == 2:
            out.append(f"{nums[0]}-{nums[1]}")
        else:
            out.append(nums[0])
    return out


def steps(statements, verb):
    """The function steps of a run: (extent lines, first statement) per DUMP/RESTORE."""
    result, cur = [], None
    for s in statements:
        w = s.split()
        if w and w[0] in (verb, verb[:2]):
            if cur is not None:
                result.append(cur)
            cur = [" ".join(w[1:])]
        elif cur is not None:
            if not w or w[0] in ("INPUT", "OUTPUT", "IN", "OUT"):
                result.append(cur)
                cur = None
            else:
                cur.append(s)
    if cur is not None:
        result.append(cur)
    return result


def io_statement(statements, name):
    """The words of the INPUT or OUTPUT statement, options without their parenthesis."""
    for s in statements:
        w = s.replace("(", " ").replace(")", " ").split()
        if w and w[0] == name:
            return w
    return None


def make_target(case, target_name, work):
    cmd = case["dasdinit"][target_name].split()
    alternates = "-a" in cmd
    cmd = [x for x in cmd if x != "-a"]
    # dasdinit [-a] FILE TYPE VOLSER [CYLS]
    _, _file, devtype, volser, *rest = cmd
    path = os.path.join(work, "ours-" + target_name)
    if os.path.exists(path):
        os.remove(path)
    args = ["init", path, devtype, volser]
    if rest:
        args += ["--cylinders", rest[0]]
    if alternates:
        args.append("--alternates")
    ddr(*args)
    return path


def run_dump(case, run, case_dir, work):
    st = run["statements"]
    inp = io_statement(st, "INPUT")
    devtype = inp[2]
    src = unpack(case_dir, run["disk_130"], work) or unpack(os.path.join(case_dir, case["source"].rsplit("/", 1)[0]), "src.img", work)
    out_main = os.path.join(work, "ours-" + run["tape_181"])
    reels = [out_main]
    if run.get("DDR_TAPE2"):
        reels.append(os.path.join(work, "ours-" + run["DDR_TAPE2"]))
    opts = io_statement(st, "OUTPUT")
    skip = 0
    if opts and "SKIP" in opts:
        skip = int(opts[opts.index("SKIP") + 1])
    for i, step in enumerate(steps(st, "DUMP")):
        args = ["dump", "--pure", "--devtype", devtype]
        kind = step[0].split()[0]
        if kind in ("CPVOL", "CP"):
            args.append("--cpvol")
        elif kind in ("NUCLEUS", "NU"):
            args.append("--nucleus")
        else:
            for e in parse_extents(step):
                args += ["-c", e]
        tape_opt = run.get("DDR_TAPEOPT", "")
        m = re.search(r"maxsize=(\d+)", tape_opt)
        if m:
            # Hercules limited only the first drive; the ALTAPE reel had no maxsize.
            args += ["--reel-size", m.group(1) + (",0" if run.get("DDR_TAPE2") else "")]
            e = re.search(r"eotmargin=(\d+)", tape_opt)
            args += ["--eot-margin", e.group(1) if e else "0"]
        if i > 0 or skip > 0:
            args.append("--append")
        else:
            for r in reels:
                if os.path.exists(r):
                    os.remove(r)
        ddr(*args, src, *reels)
    later = case["runs"][case["runs"].index(run) + 1:]
    if any(r.get("tape_181") == run["tape_181"] and any(s.startswith("DUMP") for s in r["statements"]) for r in later):
        return "ok (tape compared after the run that completes it)"
    ibm = unpack(case_dir, run["tape_181"], work)
    files = {f["file"]: f for f in case["files"]}
    masks = files[run["tape_181"]].get("masks") or computed_masks(out_main)
    compare_tape(out_main, ibm, masks, f"{case['name']}/{run['tag']}")
    if len(reels) > 1 and os.path.exists(reels[1]):
        ibm2 = unpack(case_dir, run["DDR_TAPE2"], work)
        compare_tape(reels[1], ibm2, files[run["DDR_TAPE2"]]["masks"], f"{case['name']}/{run['tag']} reel 2")
        # Reels are tied by one TOD: every VHR/EOV/EOJ of both reels carries the same.
        tods = tod_fields(reels[0], files[run["tape_181"]]["masks"]) + tod_fields(reels[1], files[run["DDR_TAPE2"]]["masks"])
        assert len(tods) >= 4 and len(set(tods)) == 1, "the reels of one dump must carry one TOD"
    elif len(reels) > 1 and run.get("DDR_TAPE2", "").startswith("unused"):
        assert not os.path.exists(reels[1]), "a dump whose end of tape comes at EOJ must not use reel 2"
    return "ok"


def run_restore(case, run, case_dir, work, tapes_dir):
    st = run["statements"]
    target = make_target(case, run["disk_130"], work)
    inp = io_statement(st, "INPUT")
    skip = int(inp[inp.index("SKIP") + 1]) if "SKIP" in inp else 0
    tape_name = run["tape_181"]
    tape = unpack(case_dir, tape_name, work) or unpack(tapes_dir, tape_name, work)
    reels = [tape]
    if run.get("DDR_TAPE2"):
        reels.append(unpack(case_dir, run["DDR_TAPE2"], work))
    for i, step in enumerate(steps(st, "RESTORE")):
        args = ["restore", "--force", "--file", str(skip + i + 1)]
        if step[0].split()[0] not in ("NUCLEUS", "NU"):
            for e in parse_extents(step):
                args += ["-c", e]
        ddr(*args, *reels, target)
    files = {f["file"]: f for f in case["files"]}
    want = files.get(run["disk_130"])
    if want is None:
        # The fixture keeps no copy of this restored volume: the tracks of the dump it
        # restored must be the source's (the dump's cylinders, found by ddr list).
        src = unpack(tapes_dir, "src.img", work)
        out = ddr("list", *reels).stdout.split("file ")[skip + 1:][:1][0]
        m = re.search(r"cylinders (\d+)-(\d+)", out)
        cyls = set(range(int(m.group(1)), int(m.group(2)) + 1))
        diff = first_track_difference(target, src, cylinders=cyls)
        assert diff is None, f"restored dump differs from its source at {diff}"
        return "ok (no IBM copy kept: compared with the source)"
    expect = unpack(case_dir, want.get("identical_to", run["disk_130"]), work)
    if expect is None and want.get("identical_to") == "src.img":
        expect = unpack(os.path.join(FIX, case["source"].split("/")[1]), "src.img", work)
    same_volume(target, expect, f"{case['name']}/{run['tag']}")
    return "ok"


def nucleus_target(case, run, case_dir, work):
    """IBM's target before RESTORE NUCLEUS: a volume made by `ddr init` as the manifest's
    dasdinit, whose track 0 is the CP-formatted one IBM's restored volume has (VOL1 owner
    CP370, R4 with the nucleus cylinders PERM) but with R1 and R2 overwritten, since
    RESTORE NUCLEUS rewrites both."""
    target = make_target(case, run["disk_130"], work)
    heads, t_want = tracks(unpack(case_dir, run["disk_130"], work))
    t0 = bytearray(t_want[0])
    o = 5
    while t0[o:o + 8] != b"\xff" * 8:
        kl, dl = t0[o + 5], struct.unpack(">H", t0[o + 6:o + 8])[0]
        if t0[o + 4] in (1, 2):
            t0[o + 8 + kl:o + 8 + kl + dl] = b"\x5a" * dl
        o += 8 + kl + dl
    with open(target, "r+b") as f:
        f.seek(512)
        f.write(t0)
    return target


def run_nucleus_restore(case, run, case_dir, work):
    """IBM's tape restored with --nucleus onto a target made as IBM's was: IBM's restored
    volume exactly.  A plain restore of it is refused (DMKDDR724E) and writes nothing."""
    tape = unpack(case_dir, run["tape_181"], work)
    target = nucleus_target(case, run, case_dir, work)
    with open(target, "rb") as f:
        before = f.read()
    p = ddr("restore", tape, target, expect=6)
    assert "DMKDDR724E" in p.stderr, f"plain restore of a NUCLEUS tape: {p.stderr}"
    with open(target, "rb") as f:
        assert f.read() == before, "a refused NUCLEUS restore changed the target"
    volser = io_statement(run["statements"], "OUTPUT")[3]
    ddr("restore", "--nucleus", "--volser", volser, tape, target)
    same_volume(target, unpack(case_dir, run["disk_130"], work), f"{case['name']}/{run['tag']}")
    return "ok"


def check_list(case, case_dir, work):
    for chk in case.get("checks", []):
        if not chk.get("check", "").startswith("ddrcheck "):
            continue
        tape = chk["check"].split()[1]
        if not os.path.exists(os.path.join(case_dir, tape + ".aws.xz")):
            continue
        path = unpack(case_dir, tape + ".aws", work)
        reel2 = unpack(case_dir, "reel2.aws", work) if tape == "reel1" else None
        out = ddr("list", path, *([reel2] if reel2 else [])).stdout
        counts = [int(x) for x in re.findall(r"(\d+) tracks \(", out)]
        want = [d["tracks"] for d in chk["dumps"]]
        assert counts == want, f"ddr list {tape}: tracks {counts}, IBM's check found {want}"


def quirks(case, case_dir, work):
    """Our dump of the quirks volume is correct: restoring it gives the source back."""
    src = unpack(case_dir, "src.img", work)
    ours = os.path.join(work, "quirks-ours.aws")
    ddr("dump", "--pure", "--devtype", "3330", "-c", "0-2", src, ours)
    target = os.path.join(work, "quirks-restored.img")
    ddr("restore", ours, target)
    diff = first_track_difference(target, src, cylinders={0, 1, 2})
    assert diff is None, f"our dump+restore of the quirks volume differs at {diff}"


def main():
    if not FIX or not os.path.exists(os.path.join(FIX, "MANIFEST.json")):
        print("SKIP: IBM DDR fixtures not found (set DDR_FIXTURES)")
        return 0
    with open(os.path.join(FIX, "MANIFEST.json")) as f:
        manifest = json.load(f)
    only = set(sys.argv[1:])
    failures = []
    for case in manifest["cases"]:
        name = case["name"]
        if only and name not in only:
            continue
        if FAST and name.startswith("full-"):
            print(f"{name}: skipped (DDR_FAST_FIXTURES)")
            continue
        case_dir = os.path.join(FIX, name)
        tapes_dir = os.path.join(FIX, case["source"].split("/")[1]) if "source" in case else case_dir
        work = tempfile.mkdtemp(prefix=f"ddr-{name}-")
        try:
            results = []
            for run in case["runs"]:
                tag = run["tag"]
                st = run["statements"]
                try:
                    if any(s.split()[:1] in (["TYPE"], ["PRINT"]) for s in st if s):
                        results.append(f"{tag}: skipped (PRINT/TYPE come later)")
                    elif any(s.startswith(("DUMP", "DU ")) for s in st):
                        if name == "quirks-3330":
                            quirks(case, case_dir, work)
                            results.append(f"{tag}: ours correct where IBM's is not")
                        else:
                            results.append(f"{tag}: {run_dump(case, run, case_dir, work)}")
                    elif any(s.startswith("RESTORE NUCLEUS") for s in st):
                        results.append(f"{tag}: {run_nucleus_restore(case, run, case_dir, work)}")
                    elif any(s.startswith(("RESTORE", "RE ")) for s in st):
                        results.append(f"{tag}: {run_restore(case, run, case_dir, work, tapes_dir)}")
                except AssertionError as e:
                    failures.append(f"{name}/{tag}: {e}")
                    results.append(f"{tag}: FAILED")
            try:
                check_list(case, case_dir, work)
                results.append("list: ok")
            except AssertionError as e:
                failures.append(f"{name}/list: {e}")
            print(f"{name}: " + "; ".join(results))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
