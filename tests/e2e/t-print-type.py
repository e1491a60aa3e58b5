#!/usr/bin/env python3
"""ddr print and ddr type against IBM's own PRINT and TYPE (../shared/fixtures/ddr-r6,
case typeprint-3330): every PRINT run's output equals IBM's printer file byte for byte,
every TYPE run's output equals what IBM typed on the console after the statement (and
its volser question).  Then the same listings from other containers (CCKD, HET), the
--from/--to form, FBA volumes and tapes, and the error paths with their exit codes.

Usage: DDR=bin/ddr DDR_FIXTURES=../shared/fixtures/ddr-r6 t-print-type.py
"""
import hashlib
import json
import lzma
import os
import shutil
import subprocess
import sys
import tempfile

DDR = os.environ["DDR"]
FIX = os.environ.get("DDR_FIXTURES", "")
CASE = "typeprint-3330"
failures = []


def ddr(*args, expect=0):
    p = subprocess.run([DDR, *args], capture_output=True)
    if p.returncode != expect:
        raise AssertionError(f"ddr {' '.join(args)} -> {p.returncode} (wanted {expect})\n"
                             f"{p.stderr.decode(errors='replace')}")
    return p


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else ": " + detail))
    if not ok:
        failures.append(what)


def unpack(case_dir, name, work, files):
    out = os.path.join(work, name)
    with lzma.open(os.path.join(case_dir, name + ".xz")) as f, open(out, "wb") as g:
        shutil.copyfileobj(f, g, 1 << 20)
    with open(out, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if digest != files[name]["sha256"]:
        raise AssertionError(f"{name}: sha256 differs from the manifest")
    return out


def ddr_args(statement):
    """IBM's 'TYPE 1 0 TO 1 4 (HEX' as ddr's arguments: the range and the options."""
    words = statement.replace("(", " ( ").split()
    cut = words.index("(") if "(" in words else len(words)
    options = ["--" + w.lower() for w in words[cut + 1:]]
    return words[0].lower(), words[1:cut] + options


def typed_lines(transcript):
    """What DDR typed for the TYPE statement: after the statement (and the answer to the
    volser question, if it asked), up to its next prompt."""
    lines = open(transcript, encoding="latin-1").read().split("\n")
    start = max(i for i, l in enumerate(lines) if l.startswith("> TYPE") or l == "> YES") + 1
    end = lines.index("ENTER:", start)
    return lines[start:end]


def run_ibm_cases(case, case_dir, work, sources):
    for run in case["runs"]:
        statements = [s for s in run["statements"] if s.split()[:1] in (["TYPE"], ["PRINT"])]
        if not statements:
            continue
        verb, args = ddr_args(statements[0])
        for label, source in sources(run):
            what = f"{run['tag']} ({label})"
            out = ddr(verb, source, *args).stdout
            if verb == "print":
                want = open(os.path.join(case_dir, run["printer"]), "rb").read()
                check(what, out == want, first_difference(out, want))
            else:
                got = out.decode("latin-1").split("\n")[:-1]
                want = typed_lines(os.path.join(case_dir, run["transcript"]))
                check(what, got == want, first_difference(got, want))


def first_difference(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"first difference at {i}: {x!r} vs {y!r}"
    return f"lengths {len(a)} vs {len(b)}"


def other_forms(work, img, tape):
    """--from/--to, -o FILE, and its refusal to replace a file without --overwrite."""
    ibm = ddr("type", img, "1", "4", "2", "TO", "1", "4", "5").stdout
    check("--from/--to equals IBM's form", ddr("type", img, "--from", "1", "4", "2", "--to", "1", "4", "5").stdout == ibm)
    listing = os.path.join(work, "listing.txt")
    ddr("print", img, "2", "4", "-o", listing)
    check("-o FILE holds the listing", open(listing, "rb").read() == ddr("print", img, "2", "4").stdout)
    ddr("print", img, "2", "5", "-o", listing, expect=6)
    ddr("print", img, "2", "5", "-o", listing, "--overwrite")
    check("--overwrite replaces it", open(listing, "rb").read() == ddr("print", img, "2", "5").stdout)
    whole = ddr("print", tape).stdout
    check("a whole tape lists every track", whole.count(b"HOME ADDRESS") == 76)


def errors(work, img, tape):
    """The error paths and their exit codes (man/ddr.1)."""
    p = ddr("type", img, "1", "4", "TO", "1", "2", expect=2)
    check("range out of order: exit 2", b"out of order" in p.stderr)
    ddr("type", img, "1", "4", "3", "TO", "1", "4", "2", expect=2)
    p = ddr("type", img, "4", "0", expect=2)
    check("beyond the volume: exit 2", b"beyond" in p.stderr)
    ddr("print", img, "1", "19", expect=2)
    ddr("type", tape, "411", expect=2)
    p = ddr("type", img, "1", "4", "11", expect=2)
    check("record not found: exit 2, DMKDDR721E typed",
          b"DMKDDR721E RECORD NOT FOUND" in p.stdout and b"not on the track" in p.stderr)
    p = ddr("type", img, "1", "4", "2", "TO", "1", "4", "12", expect=2)
    check("last record not found: the records before it are listed",
          p.stdout.count(b"COUNT") == 9 and b"REC 012" in p.stdout)
    p = ddr("print", tape, "1", "4", "11", expect=2)
    check("PRINT: record not found", b"DMKDDR721E" in p.stderr and b"END OF PRINT" not in p.stdout)
    junk = os.path.join(work, "junk.aws")
    with open(junk, "wb") as f:
        block = b"HELLO, NOT A DDR TAPE" * 4
        f.write(len(block).to_bytes(2, "little") + b"\0\0" + b"\xa0\0" + block)
        f.write(b"\0\0" + len(block).to_bytes(2, "little") + b"\x40\0")
    ddr("type", junk, "0", expect=3)
    ddr("type", img, "--from", "1", "--to", "2", "3", "TO", "4", expect=2)
    ddr("type", img, "1", "0", "0", "0", expect=2)


def containers(work, img, tape, expect_print):
    """The same listing from a compressed volume and a HET tape."""
    cckd = os.path.join(work, "src.cckd")
    ddr("copy", img, cckd)
    check("CCKD volume", ddr("print", cckd, "1", "0", "TO", "1", "9").stdout == expect_print)
    het = os.path.join(work, "dump.het")
    ddr("copy", tape, het)
    check("HET tape", ddr("print", het, "1", "0", "TO", "1", "9").stdout == expect_print)


def fba(work):
    """FBA: blocks from a volume and from a tape list alike."""
    vol = os.path.join(work, "f.fba")
    ddr("init", vol, "3370", "FBAVOL", "--blocks", "2000")
    on_disk = ddr("type", vol, "0", "TO", "2").stdout
    check("FBA: three blocks", on_disk.count(b"BLOCK 00000000") == 3 and b"DATA LENGTH" in on_disk)
    tape = os.path.join(work, "f.aws")
    ddr("dump", vol, tape)
    check("FBA: the tape lists as the volume", ddr("type", tape, "0", "TO", "2").stdout == on_disk)
    check("FBA --count", ddr("type", vol, "--from", "118", "--to", "121", "--count").stdout.count(b"BLOCK") == 4)
    ddr("type", vol, "5", "TO", "4", expect=2)
    ddr("type", vol, "2000", expect=2)


def main():
    if not FIX or not os.path.isdir(os.path.join(FIX, CASE)):
        print("SKIP: no IBM fixtures (DDR_FIXTURES)")
        return 0
    manifest = json.load(open(os.path.join(FIX, "MANIFEST.json")))
    case = next(c for c in manifest["cases"] if c["name"] == CASE)
    files = {f["file"]: f for f in case["files"]}
    case_dir = os.path.join(FIX, CASE)
    with tempfile.TemporaryDirectory() as work:
        img = unpack(case_dir, "src.img", work, files)
        tape = unpack(case_dir, "dump.aws", work, files)
        # A TYPE or PRINT from tape was only run by IBM where the run's input is the tape;
        # every run is checked against both sources, since IBM's output was the same.
        run_ibm_cases(case, case_dir, work, lambda run: [("disk", img), ("tape", tape)])
        other_forms(work, img, tape)
        errors(work, img, tape)
        containers(work, img, tape, open(os.path.join(case_dir, "print-disk-c1h0-c1h9.printer.txt"), "rb").read())
        fba(work)
    if failures:
        print(f"{len(failures)} failed: {', '.join(failures)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
