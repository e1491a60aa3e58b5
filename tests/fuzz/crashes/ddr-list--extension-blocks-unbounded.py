#!/usr/bin/env python3
# Writes a HET tape whose one dump (VHR, EOJ) is followed by N blocks of 2 MiB of
# zeros, zlib-compressed to about 2 kB each, before its tape mark.  DumpReader keeps
# every block after EOJ/EOV in memory (ddr/dump_reader.cpp, collect_extensions), so
# `ddr list` needs about N x 2 MiB: N = 200 is a 412 kB file and 420 MB RSS.
#
#   python3 ddr-list--extension-blocks-unbounded.py 200 >/tmp/ext.het
#   /usr/bin/time -f "%M KB" bin/ddr list /tmp/ext.het
import struct
import sys
import zlib

n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
vhr = bytes([0xE5, 0xC8, 0xD9, 0x40]) + bytes([0x40] * 76)
eoj = bytes([0xC5, 0xD6, 0xD1, 0x40]) + bytes([0x40] * 76)
z = zlib.compress(bytes(2 << 20), 9)
out, prev = bytearray(), 0
for block, flags in [(vhr, 0xA0), (eoj, 0xA0)] + [(z, 0xA1)] * n:
    out += struct.pack("<HHBB", len(block), prev, flags, 0) + block
    prev = len(block)
out += struct.pack("<HHBB", 0, prev, 0x40, 0)
sys.stdout.buffer.write(out)
