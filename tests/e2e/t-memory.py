#!/usr/bin/env python3
"""Dump and restore stream with bounded memory: a full 3390-3 (2.8 GB, 50,085 tracks)
goes through a pipe from dump to restore, and neither process grows past a few buffers.
The same bound must hold for a 3390-54; a 3390-3 is the largest that stays quick here."""
import os
import resource
import subprocess
import sys

DDR = os.environ["DDR"]
LIMIT_KB = 64 * 1024
if os.environ.get("DDR_SANITIZED"):
    # AddressSanitizer's shadow memory and quarantine are not ddr's buffers.
    print("skip: memory bounds are measured on the plain build only")
    sys.exit(0)

subprocess.run([DDR, "-q", "init", "vol.3390", "3390-3", "MEM001"], check=True)
dump = subprocess.Popen([DDR, "-q", "dump", "vol.3390", "-"], stdout=subprocess.PIPE)
restore = subprocess.Popen([DDR, "-q", "restore", "-", "out.3390"], stdin=dump.stdout)
dump.stdout.close()
rc_restore = restore.wait()
rc_dump = dump.wait()
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"dump rc {rc_dump}, restore rc {rc_restore}, peak RSS of either {peak_kb} kB (limit {LIMIT_KB} kB)")
assert rc_dump == 0 and rc_restore == 0
assert os.path.getsize("out.3390") == os.path.getsize("vol.3390")
assert peak_kb < LIMIT_KB, "memory grew with the volume"
with open("vol.3390", "rb") as a, open("out.3390", "rb") as b:
    while True:
        x, y = a.read(1 << 22), b.read(1 << 22)
        assert x == y, "restored 3390-3 differs"
        if not x:
            break
print("ok: 50,085 tracks through a pipe in bounded memory; restored volume identical")
