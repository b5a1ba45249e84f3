#!/usr/bin/env python3
"""Writes a native lexicon with N entries (default 50,000) for the benchmark: 50 themes of
entries shaped like a large published dictionary — words, two- and three-word phrases and
prefix globs — most of which (as in any big dictionary) do not occur in a given corpus:
96% are built from invented words, 4% are rare words of the transcripts (fewer than 20
occurrences in the first 400 files). Its matches are then about as many as those of our
own lexicon, so the benchmark measures what the size of a lexicon costs, not the cost of
writing more match rows. Fixed seed: the same file every time.

Usage: make_lexicon.py CORPUS_DIR OUT_FILE [N]
"""
import os
import random
import re
import sys

corpus, out = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 50000
rng = random.Random(7)
counts = {}
for name in sorted(os.listdir(corpus))[:400]:
    if name.startswith("."):
        continue
    text = open(os.path.join(corpus, name), encoding="utf-8", errors="replace").read().lower()
    for w in re.findall(r"[a-z]{4,}", text):
        counts[w] = counts.get(w, 0) + 1
rare = sorted(w for w, c in counts.items() if c < 20)


def invented():
    return "".join(rng.choice("bcdfghjklmnpqrstvwxz") + rng.choice("aeiouy")
                   for _ in range(rng.randint(3, 5)))


seen = set()
entries = []
while len(entries) < n:
    r = rng.random()
    if r < 0.04:
        e = rng.choice(rare)
    elif r < 0.74:
        e = invented()
    elif r < 0.9:
        e = " ".join(invented() for _ in range(rng.choice((2, 3))))
    else:
        e = invented()[:6] + "*"
    if e not in seen:
        seen.add(e)
        entries.append(e)
with open(out, "w") as f:
    f.write("@lexframe 1\n")
    per = (n + 49) // 50
    for t in range(50):
        f.write("\n@theme bench.t%02d\ndescription: benchmark theme %d\n" % (t, t))
        for e in entries[t * per:(t + 1) * per]:
            f.write(e + "\n")
