#!/usr/bin/env python3
"""Builds a benchmark corpus of at least SIZE_MB megabytes from the real transcripts in
../shared/data/transcripts: every .txt/.md file, replicated and shuffled (fixed seed), written
as numbered files under OUT_DIR. Reuses OUT_DIR when it already holds a corpus of that size.

Usage: make_corpus.py SIZE_MB OUT_DIR [SHARED_DATA]
"""
import os
import random
import sys

size_mb, out = int(sys.argv[1]), sys.argv[2]
shared = sys.argv[3] if len(sys.argv) > 3 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data")
src_root = os.path.join(shared, "transcripts")
stamp = os.path.join(out, ".size")
if os.path.exists(stamp) and open(stamp).read().strip() == str(size_mb):
    sys.exit(0)
files = []
for d, _, names in os.walk(src_root):
    for n in names:
        if n.endswith((".txt", ".md")) and not n.upper().startswith(("LICENSE", "README")):
            files.append(os.path.join(d, n))
files.sort()
if not files:
    sys.exit("no transcripts under %s" % src_root)
rng = random.Random(20261126)
os.makedirs(out, exist_ok=True)
for n in os.listdir(out):
    os.remove(os.path.join(out, n))
total, i, target = 0, 0, size_mb * 1000 * 1000
while total < target:
    order = files[:]
    rng.shuffle(order)
    for f in order:
        data = open(f, "rb").read()
        ext = os.path.splitext(f)[1]
        with open(os.path.join(out, "doc%07d%s" % (i, ext)), "wb") as w:
            w.write(data)
        total += len(data)
        i += 1
        if total >= target:
            break
with open(stamp, "w") as f:
    f.write("%d\n" % size_mb)
print("corpus: %d files, %.1f MB in %s" % (i, total / 1e6, out), file=sys.stderr)
