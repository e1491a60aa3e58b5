#!/usr/bin/env python3
"""The layers only point down, and no header includes itself through others.

    ddr/ (the program)  ->  formats/ddrtape/  ->  formats/volume/, formats/tape/
                        ->  formats/io/  ->  devices/

A file may include files of its own layer and of the layers below it; formats/tape/
and formats/volume/ are side by side and do not include each other.  Run from the
project's top folder; prints every violation and exits 1 if there is one.
"""
import glob
import re
import sys

RANK = {"devices": 0, "formats/io": 1, "formats/tape": 2, "formats/volume": 2, "formats/ddrtape": 3, "ddr": 4}


def layer(path):
    for name in sorted(RANK, key=len, reverse=True):
        if path.startswith(name + "/"):
            return name
    return None


def includes(path):
    with open(path) as f:
        return re.findall(r'^#include "([^"]+)"', f.read(), re.M)


files = [f for pattern in ("devices/*.[ch]pp", "formats/**/*.[ch]pp", "ddr/*.[ch]pp")
         for f in glob.glob(pattern, recursive=True)]
problems = []
if glob.glob("formats/*.[ch]pp"):
    problems.append("files stand directly in formats/: " + ", ".join(sorted(glob.glob("formats/*.[ch]pp"))))
graph = {}
for f in files:
    here = layer(f)
    graph[f] = [i for i in includes(f) if layer(i)]
    for inc in graph[f]:
        there = layer(inc)
        if RANK[there] > RANK[here] or (RANK[there] == RANK[here] and there != here):
            problems.append(f"{f} ({here}) includes {inc} ({there}): layers only point down")

# Include cycles, among headers.
state = {}


def visit(node, stack):
    state[node] = "open"
    for nxt in graph.get(node, []):
        if state.get(nxt) == "open":
            problems.append("include cycle: " + " -> ".join(stack[stack.index(nxt):] + [nxt]))
        elif nxt not in state:
            visit(nxt, stack + [nxt])
    state[node] = "done"


for f in sorted(graph):
    if f not in state:
        visit(f, [f])

for p in problems:
    print(p)
print(f"layers: {len(files)} files, {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
