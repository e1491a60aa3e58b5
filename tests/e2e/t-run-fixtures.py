#!/usr/bin/env python3
"""Every run in ../shared/fixtures/ddr-r6/MANIFEST.json replayed through `ddr run`, IBM
DDR's statement mode: the lines the operator typed (`> ` in the console transcript) are
fed to ddr as they were typed, with the units bound as the manifest says, and

* the console text equals IBM's transcript line for line (typed lines and Hercules'
  `r` patch lines aside);
* the printer text (SYSPRINT 00E) equals what follows `--- printer 00E ---` (the date
  and time of a dump's heading aside: ours is dumped now);
* every tape a DUMP run writes equals IBM's outside the masks of the manifest (TOD,
  stale pad) -- multi-reel, LEAVE and SKIP appends included;
* every volume a RESTORE run writes equals IBM's restored volume (or src.img where the
  manifest says identical_to).

The full-3330/full-3350 cases (a few seconds) are skipped with DDR_FAST_FIXTURES=1, as
t-ibm-fixtures.py skips them.  Every other run must replay exactly.

Usage: DDR=bin/ddr DDR_FIXTURES=../shared/fixtures/ddr-r6 t-run-fixtures.py [case...]
"""
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location("ibm", os.path.join(HERE, "t-ibm-fixtures.py"))
ibm = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ibm)

DDR = os.environ["DDR"]
FIX = os.environ.get("DDR_FIXTURES", "")
FAST = os.environ.get("DDR_FAST_FIXTURES") == "1"   # skip the two full-volume cases
PRINTER_MARK = "--- printer 00E ---"

def transcript_parts(path):
    """(typed lines, console lines, printer text) of one IBM transcript."""
    with open(path, encoding="latin-1") as f:
        text = f.read()
    console, _, printer = text.partition(PRINTER_MARK + "\n")
    typed, shown = [], []
    for line in console.splitlines():
        if line == ">" or line.startswith("> "):
            typed.append(line[2:])
        elif line.startswith("r ") or line.startswith("R:"):
            continue  # Hercules' patch commands and their answers (DDR_NO_UNLOAD)
        else:
            shown.append(line)
    return typed, shown, printer


def mask_heading_times(text):
    return re.sub(r"\d\d/\d\d/\d\d AT \d\d:\d\d:\d\d", "mm/dd/yy AT hh:mm:ss", text)


def first_line_difference(got, want):
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            return f"line {i + 1}: ours {g!r}, IBM's {w!r}"
    return f"ours has {len(got)} lines, IBM's {len(want)}"


class CaseRun:
    """The files of one case: IBM's, unpacked once, and ours, kept from run to run (a
    later run appends to a tape an earlier one wrote)."""

    def __init__(self, case, work):
        self.case = case
        self.work = work
        self.dir = os.path.join(FIX, case["name"])
        self.source_dir = os.path.join(FIX, case["source"].split("/")[1]) if "source" in case else self.dir
        self.files = {f["file"]: f for f in case["files"]}
        self.ours = {}

    def ibm_file(self, name):
        path = ibm.unpack(self.dir, name, self.work) or ibm.unpack(self.source_dir, name, self.work)
        if path is None:
            raise AssertionError(f"fixture file {name} not found")
        return path

    def our_tape(self, name, fresh):
        path = os.path.join(self.work, "ours-" + name)
        if fresh and os.path.exists(path) and name not in self.ours:
            os.remove(path)
        self.ours[name] = path
        return path

    def target(self, run):
        name = run["disk_130"]
        if run["tag"] == "restore-nucleus":
            # RESTORE NUCLEUS needs a CP-formatted volume with the dump's volser: made as IBM's.
            return ibm.nucleus_target(self.case, run, self.dir, self.work)
        return ibm.make_target(self.case, name, self.work)


def units_of(run, cr):
    """The --unit arguments of a run, and which of ours are tapes it writes."""
    units, writes = [], []
    dump = any(s.split()[:1] in (["DUMP"], ["DU"]) for s in run["statements"] if s)
    restore = any(s.split()[:1] in (["RESTORE"], ["RE"]) for s in run["statements"] if s)
    opts = " ".join(o for o in run.get("DDR_TAPEOPT", "").split() if o.startswith(("maxsize", "eotmargin")))
    if run.get("disk_130"):
        disk = cr.target(run) if restore else cr.ibm_file(run["disk_130"])
        units.append(f"130={disk}")
    if run.get("tape_181"):
        fresh = not any(w in " ".join(run["statements"]) for w in ("SKIP",)) and run["tag"] != "append-2"
        tape = cr.our_tape(run["tape_181"], fresh) if dump else cr.ibm_file(run["tape_181"])
        units.append(f"181={tape} {opts}".strip())
        if dump:
            writes.append((run["tape_181"], tape))
    if run.get("DDR_TAPE2"):
        if dump:
            tape2 = cr.our_tape(run["DDR_TAPE2"], True)
            writes.append((run["DDR_TAPE2"], tape2))
        else:
            tape2 = cr.ibm_file(run["DDR_TAPE2"])
        units.append(f"182={tape2}")
    return units, writes


def run_ddr(typed, units, printer):
    args = [DDR, "run", "--pure", "--unit", f"00E={printer}"]
    for u in units:
        args += ["--unit", u]
    p = subprocess.run(args, input="\n".join(typed) + "\n", capture_output=True, text=True)
    return p


def check_tapes(cr, run, writes):
    later = cr.case["runs"][cr.case["runs"].index(run) + 1:]
    for name, ours in writes:
        if any(r.get("tape_181") == name and any(s.startswith("DUMP") for s in r["statements"]) for r in later):
            continue  # compared after the run that completes it
        if name.startswith("unused"):
            assert not os.path.exists(ours), f"{name}: a dump whose end of tape comes at EOJ must not use reel 2"
            continue
        if cr.case["name"] == "quirks-3330":
            continue  # ours is right where IBM's is wrong (t-ibm-fixtures.py checks it)
        masks = cr.files[name].get("masks") or ibm.computed_masks(ours)
        ibm.compare_tape(ours, cr.ibm_file(name), masks, f"{cr.case['name']}/{run['tag']} {name}")


def check_volume(cr, run, target, printer_text):
    name = run["disk_130"]
    want = cr.files.get(name)
    what = f"{cr.case['name']}/{run['tag']}"
    if want is None:
        # IBM's copy is not kept: the cylinders restored (the printer's output extents)
        # must be the source's.
        rows = re.findall(r"^\s+(\d{4})\s+(\d{4})\s+(\d{4})\s+(\d{4})$", printer_text, re.M)
        cyls = {c for r in rows for c in range(int(r[2]), int(r[3]) + 1)}
        diff = ibm.first_track_difference(target, cr.ibm_file("src.img"), cylinders=cyls)
        assert diff is None, f"{what}: restored volume differs from the source at {diff}"
        return
    ibm.same_volume(target, cr.ibm_file(want.get("identical_to", name)), what)


def replay(cr, run):
    typed, want_console, want_printer = transcript_parts(os.path.join(cr.dir, run["transcript"]))
    units, writes = units_of(run, cr)
    printer = os.path.join(cr.work, run["tag"] + ".printer")
    if os.path.exists(printer):
        os.remove(printer)
    p = run_ddr(typed, units, printer)
    assert p.returncode == run["rc"], f"ddr run exited {p.returncode}, IBM's {run['rc']}\n{p.stderr}{p.stdout}"
    got = p.stdout.splitlines()
    assert got == want_console, f"console differs: {first_line_difference(got, want_console)}"
    got_printer = open(printer, encoding="latin-1").read() if os.path.exists(printer) else ""
    dumps = bool(writes)
    if dumps:
        got_printer, want_printer = mask_heading_times(got_printer), mask_heading_times(want_printer)
    assert got_printer == want_printer, (
        f"printer differs: {first_line_difference(got_printer.splitlines(), want_printer.splitlines())}")
    check_tapes(cr, run, writes)
    if not dumps and run.get("disk_130") and any(s.startswith("RESTORE") for s in run["statements"]):
        target = next(u for u in units if u.startswith("130=")).split("=", 1)[1]
        check_volume(cr, run, target, got_printer)


def main():
    if not FIX or not os.path.exists(os.path.join(FIX, "MANIFEST.json")):
        print("SKIP: IBM DDR fixtures not found (set DDR_FIXTURES)")
        return 0
    with open(os.path.join(FIX, "MANIFEST.json")) as f:
        manifest = json.load(f)
    only = set(sys.argv[1:])
    failures, exact = [], 0
    for case in manifest["cases"]:
        if (only and case["name"] not in only) or (case["name"].startswith("full-") and FAST):
            continue
        work = tempfile.mkdtemp(prefix=f"ddr-run-{case['name']}-")
        cr = CaseRun(case, work)
        results = []
        try:
            for run in case["runs"]:
                try:
                    replay(cr, run)
                    results.append(f"{run['tag']}: exact")
                    exact += 1
                except AssertionError as e:
                    failures.append(f"{case['name']}/{run['tag']}: {e}")
                    results.append(f"{run['tag']}: FAILED")
            print(f"{case['name']}: " + "; ".join(results))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print(f"runs replayed exactly: {exact}; failed: {len(failures)}")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
