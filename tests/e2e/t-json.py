#!/usr/bin/env python3
"""--json (man/ddr.1, JSON REPORTS): every command's report is one JSON document on
standard output, holding the same facts as its human report.  Each command runs on small
sample volumes; the values are checked against what the human output (list, verify, the
notes) and the inputs say, and against each other (dump's reel hash is the one verify
reads from the trailer).  Error documents carry the exit code and kind; --json with a
tape or listing on standard output is refused with 2; the global options work before and
after the command's name; without --json every output is what it was.

Usage: DDR=bin/ddr TOOLS=build t-json.py   (run in an empty folder)
"""
import json
import os
import re
import subprocess
import sys

DDR = os.environ["DDR"]
TOOLS = os.environ.get("TOOLS", "build")
failures = []


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what + ("" if ok else ": " + str(detail)))
    if not ok:
        failures.append(what)


def run(*args, stdin=None):
    p = subprocess.run([DDR, *args], capture_output=True, input=stdin)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def report(*args, expect=0, stdin=None):
    """Runs ddr --json ARGS: its exit code must be `expect` and its standard output exactly
    one JSON document, which is returned."""
    rc, out, err = run("--json", *args, stdin=stdin)
    if rc != expect:
        raise AssertionError(f"ddr --json {' '.join(args)} -> {rc} (wanted {expect})\n{err}")
    doc = json.loads(out)  # one document: json.loads refuses trailing text
    for key in ("command", "ddr_version", "status", "exit_code", "warnings"):
        if key not in doc:
            raise AssertionError(f"ddr --json {' '.join(args)}: no '{key}' in {out}")
    if doc["exit_code"] != rc:
        raise AssertionError(f"exit_code {doc['exit_code']} in the report, {rc} from the process")
    return doc


def sample(path, devtype, volser, cylinders, seed):
    subprocess.run([os.path.join(TOOLS, "make-sample-volume"), path, devtype, volser, str(cylinders), str(seed), "80"],
                   check=True)


def human_list(*tapes):
    rc, out, _ = run("list", *tapes)
    assert rc == 0, out
    return out


def test_dump_list_verify():
    sample("v.3390", "3390-3", "JSON01", 5, 7)
    d = report("dump", "v.3390", "t.aws")
    check("dump: status ok, exit 0, command dump", d["status"] == "ok" and d["exit_code"] == 0 and d["command"] == "dump")
    listing = human_list("t.aws")
    check("dump: volser as list says", d["volser"] == "JSON01" and "JSON01" in listing, d["volser"])
    m = re.search(r"cylinders 0-4: (\d+) tracks", listing)
    check("dump: units as list counts them", m and d["units"] == int(m.group(1)) == 75, (d["units"], listing))
    check("dump: geometry and kind", d["cylinders"] == 5 and d["heads"] == 15 and d["unit_name"] == "tracks"
          and d["container"] == "CKD" and d["image_format"] == "CKD_P370" and "blocks" not in d, d)
    check("dump: devtype as the trailer names it", f"a {d['devtype']} of 5 cylinders" in listing, d["devtype"])
    check("dump: extents", d["extents"] == [{"first": 0, "last": 4, "to": 0}], d["extents"])
    check("dump: format and checksums", d["format"] == "AWS" and d["checksums"] is True)
    check("dump: tod is 16 hex digits, dump_time ISO 8601",
          re.fullmatch(r"[0-9A-F]{16}", d["tod"]) and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", d["dump_time"]), d)
    stamp = d["dump_time"].replace("T", " ").replace("Z", " UTC")
    check("dump: dump_time is the time list shows", f"dumped {stamp}" in listing, stamp)
    reel = d["reels"][0]
    check("dump: one reel, the file, its size", len(d["reels"]) == 1 and reel["file"] == "t.aws" and reel["reel"] == 1
          and reel["bytes"] == os.path.getsize("t.aws") and reel["units"] == 75, reel)
    check("dump: tape blocks", reel["tape_blocks"] == d["tape_blocks"] and re.search(
        rf"in {d['tape_blocks']} tape blocks", run("dump", "--overwrite", "v.3390", "t-again.aws")[2]), d["tape_blocks"])
    check("dump: reel hash is 32 hex digits", re.fullmatch(r"[0-9a-f]{32}", reel["reel_hash"]), reel)
    check("dump: data bytes", d["data_bytes"] > 0 and d["data_bytes"] <= 75 * 56664)

    v = report("verify", "t.aws")
    vd = v["dumps"][0]
    check("verify: intact, ok", v["intact"] is True and vd["intact"] is True and v["status"] == "ok", v)
    check("verify: the trailer's reel hash is the one dump wrote",
          vd["reels"][0]["reel_hash"] == reel["reel_hash"] and vd["reels"][0]["intact"], vd["reels"])
    check("verify: tod and units as dump reported", vd["tod"] == d["tod"] and vd["units"] == d["units"]
          and vd["units_checked"] == 75)
    check("verify: data bytes as dump reported", vd["data_bytes"] == d["data_bytes"], (vd["data_bytes"], d["data_bytes"]))

    a = report("verify", "t.aws", "--against", "v.3390")
    check("verify --against: one comparison, all equal", a["equal"] is True and a["comparisons"][0]["compared"] == 75
          and a["comparisons"][0]["with"] == "v.3390" and a["comparisons"][0]["differences"] == [], a["comparisons"])
    ls = report("list", "t.aws")
    ld = ls["dumps"][0]
    check("list: one dump, its volser, source and ranges",
          len(ls["dumps"]) == 1 and ld["volser"] == "JSON01" and ld["source"]["name"] == "v.3390"
          and ld["source"]["cylinders"] == 5 and ld["ranges"] == [{"first": 0, "last": 4}], ld)
    m = re.search(r"\((\d+) empty\)", listing)
    check("list: empty tracks as the listing says", m and ld["empty_tracks"] == int(m.group(1)), ld["empty_tracks"])
    check("list: header as the listing says", f"last cylinder {ld['last_cylinder']}" in listing
          and f"MREC {ld['mrec']}" in listing and ld["fits"] and ld["fits"][0] in listing, ld)
    check("--json prints no listing lines", "file 1:" not in run("--json", "list", "t.aws")[1])
    return d


def test_multi_reel():
    d = report("dump", "--reel-size", "700000", "v.3390", "r1.aws", "r2.aws", "r3.aws", "r4.aws")
    reels = d["reels"]
    check("multi-reel dump: three reels, units add up, sizes are the files'",
          len(reels) == 3 and sum(r["units"] for r in reels) == d["units"] == 75
          and all(r["bytes"] == os.path.getsize(r["file"]) for r in reels)
          and sum(r["tape_blocks"] for r in reels) == d["tape_blocks"], reels)
    check("multi-reel dump: the unused reel is a warning-free note", d["warnings"] == [] and not os.path.exists("r4.aws"))
    v = report("verify", "r1.aws", "r2.aws", "r3.aws")
    got = [(r["file"], r["reel"], r["units"], r["reel_hash"]) for r in v["dumps"][0]["reels"]]
    want = [(r["file"], r["reel"], r["units"], r["reel_hash"]) for r in reels]
    check("multi-reel verify: each reel's trailer hash and units as dump reported", got == want, (got, want))
    r = report("restore", "r1.aws", "r2.aws", "r3.aws", "multi.3390")
    check("multi-reel restore: three reels read, every unit proven", r["reels_read"] == 3 and r["units"] == 75
          and r["verified_by_checksums"] is True and r["tapes"] == ["r1.aws", "r2.aws", "r3.aws"], r)
    p = report("dump", "--pure", "v.3390", "pure.aws")
    check("--pure: no checksums, no reel hash", p["checksums"] is False and "reel_hash" not in p["reels"][0], p["reels"])
    v = report("verify", "pure.aws")
    check("verify of a --pure tape: read whole but not proven intact",
          v["status"] == "ok" and v["intact"] is False and v["dumps"][0]["structure_ok"] is True
          and v["dumps"][0]["checksums"] is False, v["dumps"][0])


def test_append():
    first = report("dump", "v.3390", "two.aws")
    second = report("dump", "--append", "-c", "0-1", "v.3390", "two.aws")
    reel = second["reels"][0]
    check("appended dump: its own blocks and bytes on the reel, not the earlier dump's",
          reel["bytes"] < os.path.getsize("two.aws") and second["units"] == 30 and reel["units"] == 30, reel)
    ls = report("list", "two.aws")
    got = [(x["file"], x["tod"], x["units"], x["reels"][0]["reel_hash"]) for x in ls["dumps"]]
    want = [(1, first["tod"], 75, first["reels"][0]["reel_hash"]), (2, second["tod"], 30, reel["reel_hash"])]
    check("list of a tape of two dumps: each dump's TOD, units and reel hash as its dump reported", got == want,
          (got, want))


def test_restore(d):
    r = report("restore", "t.aws", "r.3390")
    check("restore: target, tapes, volser, devtype", r["target"] == "r.3390" and r["tapes"] == ["t.aws"]
          and r["volser"] == "JSON01" and r["devtype"] == d["devtype"] and r["created"] is True, r)
    check("restore: units, bytes and tod as dump reported", r["units"] == d["units"] and r["data_bytes"] == d["data_bytes"]
          and r["tod"] == d["tod"] and r["reels_read"] == 1, r)
    check("restore: verified by checksums", r["verified_by_checksums"] is True and r["units_checked"] == 75)
    report("init", "o.3390", "3390-1", "OTHER1", "--cylinders", "5")
    before = open("o.3390", "rb").read()
    e = report("restore", "t.aws", "o.3390", expect=6)
    check("restore onto another volume: refused, kind refused, untouched",
          e["status"] == "error" and e["error"]["kind"] == "refused" and e["target"] == "o.3390"
          and "OTHER1" in e["error"]["message"] and open("o.3390", "rb").read() == before, e)


def test_errors_and_refusals():
    open("junk.aws", "wb").write(b"not a tape at all" * 10)
    e = report("verify", "junk.aws", expect=3)
    check("verify of junk: error document, kind unreadable",
          e["status"] == "error" and e["error"]["kind"] == "unreadable" and "junk.aws" in e["error"]["message"], e)
    rc, out, err = run("--json", "verify", "junk.aws")
    check("the error's message is on standard error too", e["error"]["message"] in err, err)
    e = report("dump", "nonesuch.3390", "n.aws", expect=9)
    check("dump of a missing image: read_failed, the source kept in the report",
          e["error"]["kind"] == "read_failed" and e["source"] == "nonesuch.3390" and "nonesuch.3390" in e["error"]["message"], e)
    # a damaged tape: verify says exactly that, with status damaged
    data = bytearray(open("t.aws", "rb").read())
    data[len(data) // 2] ^= 0xFF
    open("bad.aws", "wb").write(data)
    b = report("verify", "bad.aws", expect=4)
    check("verify of a damaged tape: status damaged, kind damaged, not intact",
          b["status"] == "damaged" and b["error"]["kind"] == "damaged" and b["intact"] is False
          and b["dumps"][0]["problems"], b.get("error"))
    for args, what in ((["dump", "v.3390", "-"], "dump to -"), (["manifest", "v.3390"], "manifest to -"),
                       (["print", "v.3390", "0", "0"], "print to standard output"),
                       (["copy", "t.aws", "-", "--to", "het"], "copy to -")):
        rc, out, err = run("--json", *args)
        doc = json.loads(out) if out else {}
        check(f"--json with {what}: refused with 2, nothing else on standard output",
              rc == 2 and doc.get("error", {}).get("kind") == "usage" and "--json" in err, (rc, out, err))
    rc, out, err = run("--json", "dump", "--no-such-option", "v.3390", "x.aws")
    check("a bad command line: exit 2 and a usage document", rc == 2 and json.loads(out)["error"]["kind"] == "usage",
          (rc, out))


def test_global_options_anywhere():
    a = run("-q", "dump", "v.3390", "q1.aws")
    b = run("dump", "-q", "v.3390", "q2.aws")
    check("ddr -q dump == ddr dump -q (exit, nothing said)", a[0] == b[0] == 0 and a[2] == b[2] == "" and a[1] == b[1] == "",
          (a, b))
    n = run("dump", "v.3390", "q3.aws")
    check("without -q dump says what it did", "dumped 75 tracks" in n[2], n[2])
    j1 = run("--json", "list", "q1.aws")[1]
    j2 = run("list", "q1.aws", "--json")[1]
    check("ddr --json list == ddr list --json", json.loads(j1) == json.loads(j2))
    v1, v2 = run("-v", "verify", "q1.aws"), run("verify", "q1.aws", "-v")
    check("ddr -v verify == ddr verify -v", v1 == v2 and v1[0] == 0, (v1, v2))
    check("without --json the listing is unchanged", run("list", "q1.aws")[1].startswith("file 1: JSON01"))


def test_fba_copy_manifest_init():
    i = report("init", "f.fba", "3370", "FBA001", "--blocks", "1000")
    check("init: target, devtype, blocks, volser", i["target"] == "f.fba" and i["devtype"] == "3370"
          and i["blocks"] == 1000 and i["volser"] == "FBA001" and i["container"] == "FBA", i)
    d = report("dump", "f.fba", "f.aws", "--format", "het")
    check("FBA dump: blocks, unit name, format", d["blocks"] == 1000 and d["unit_name"] == "blocks"
          and d["units"] == 1000 and d["format"] == "HET" and "cylinders" not in d and d["volser"] == "FBA001", d)
    v = report("verify", "f.aws")
    check("FBA verify: reel hash and units as dump reported",
          v["dumps"][0]["reels"][0]["reel_hash"] == d["reels"][0]["reel_hash"] and v["dumps"][0]["units"] == 1000)
    c = report("copy", "f.aws", "f2.aws", "--to", "aws")
    check("copy of a tape: blocks and formats", c["mode"] == "tape" and c["source_format"] == "HET"
          and c["target_format"] == "AWS" and c["tape_blocks"] == d["tape_blocks"] and c["compared"] is True, c)
    c = report("copy", "v.3390", "v.cckd", "--to", "cckd")
    check("copy of a volume: containers and units", c["mode"] == "container" and c["source_container"] == "CKD"
          and c["target_container"] == "CCKD" and c["units"] == 75 and c["target_bytes"] == os.path.getsize("v.cckd"), c)
    c = report("copy", "t.aws", "t-copy.aws", "--file", "1")
    check("IBM COPY of a dump: its tod, units and reel", c["mode"] == "dump" and c["units"] == 75
          and c["reels"][0]["file"] == "t-copy.aws" and c["checksums"] is True, c)
    m = report("manifest", "t.aws", "-o", "m.txt")
    check("manifest of a dump: units and the dump", m["of"] == "dump" and m["units"] == 75
          and m["dump"]["volser"] == "JSON01" and os.path.exists("m.txt"), m)
    p = report("print", "v.3390", "0", "0", "-o", "p.txt")
    check("print to a file: reported", p["layout"] == "printer" and p["record_found"] is True and os.path.getsize("p.txt"), p)


def test_run():
    sample("vol.3330", "3330", "RUN001", 6, 3)
    text = b"INPUT 130 3330\nOUTPUT 181 3420\nDUMP 0 TO 1\nYES\n\n"
    r = report("run", "--unit", "130=vol.3330", "--unit", "181=rt.aws", stdin=text)
    steps = r["steps"]
    check("run: one step, DUMP, ok", len(steps) == 1 and steps[0]["function"] == "DUMP" and steps[0]["result"] == "ok"
          and steps[0]["input"] == "130" and steps[0]["output_file"] == "rt.aws", steps)
    check("run: the step's units and volser", steps[0]["units"] == 2 * 19 and steps[0]["volser"] == "RUN001"
          and steps[0]["unit_name"] == "tracks", steps[0])
    check("run: the step's report is dump's", steps[0]["report"]["units"] == 2 * 19
          and steps[0]["report"]["volser"] == "RUN001", steps[0]["report"])
    v = report("verify", "rt.aws")
    check("run: the step's reel hash is the tape's", v["dumps"][0]["reels"][0]["reel_hash"]
          == steps[0]["report"]["reels"][0]["reel_hash"])
    check("run: no failures", r["failures"] == [], r["failures"])
    bad = b"INPUT 181 3420\nOUTPUT 130 3330\nRESTORE ALL\nYES\n\n"
    f = report("run", "--unit", "181=junk.aws", "--unit", "130=new.3330", stdin=bad, expect=7)
    check("run with a unit that is no tape: the failure in the report, as on standard error",
          f["status"] == "error" and len(f["failures"]) == 3 and f["failures"][1]["exit_code"] == 2 and f["failures"][0]["exit_code"] == 7
          and f["failures"][0]["statement"] == "standard input line 1" and "junk.aws" in f["failures"][0]["detail"],
          f["failures"])
    fits = report("list", "rt.aws")["dumps"][0]["fits"]
    check("list: the devices a dump fits, as the listing names them",
          f"fits {', '.join(fits)}" in human_list("rt.aws") and len(fits) >= 1, fits)
    rc, out, err = run("run", "--unit", "130=vol.3330", "--unit", "181=rt2.aws", stdin=text)
    check("run without --json: the console on standard output", rc == 0 and "END OF DUMP" in out, out)
    rc, out, err = run("--json", "run", "--unit", "130=vol.3330", "--unit", "181=rt3.aws", stdin=text)
    check("run --json: the console on standard error", "END OF DUMP" in err and "END OF DUMP" not in out)


def main():
    d = test_dump_list_verify()
    test_multi_reel()
    test_append()
    test_restore(d)
    test_errors_and_refusals()
    test_global_options_anywhere()
    test_fba_copy_manifest_init()
    test_run()
    if failures:
        print(f"{len(failures)} failure(s)")
        sys.exit(1)
    print("all ok")


if __name__ == "__main__":
    main()
