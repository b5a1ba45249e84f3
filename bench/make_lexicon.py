#!/usr/bin/env python3
"""Writes a native lexicon with N entries (default 50,000) for the benchmark: 50 themes,
shaped like a large published dictionary (fixed seed): 35% words of the transcripts'
vocabulary (the 2,000 most frequent words left out, as a real dictionary leaves out
function words), 35% words that do not occur in them, 20% two- and three-word phrases and
10% prefix globs.

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
    for w in re.findall(r"[a-z]{3,}", text):
        counts[w] = counts.get(w, 0) + 1
frequent = set(sorted(counts, key=lambda w: (-counts[w], w))[:2000])
vocab = sorted(w for w in counts if w not in frequent)


def invented():
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(5, 11)))

seen = set()
entries = []
while len(entries) < n:
    r = rng.random()
    if r < 0.35:
        e = rng.choice(vocab)
    elif r < 0.7:
        e = invented()
    elif r < 0.9:
        e = " ".join(rng.choice(vocab) for _ in range(rng.choice((2, 3))))
    else:
        w = rng.choice(vocab)
        e = w[:max(4, len(w) - 2)] + "*"
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
