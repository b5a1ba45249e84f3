#!/usr/bin/env python3
"""Writes a native lexicon with N entries (default 50,000) for the benchmark: 50 themes of
words drawn from the transcripts' vocabulary (fixed seed), about 70% single words, 20%
two- and three-word phrases and 10% prefix globs — the mix of a large published dictionary.

Usage: make_lexicon.py CORPUS_DIR OUT_FILE [N]
"""
import os
import random
import re
import sys

corpus, out = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 50000
rng = random.Random(7)
vocab = set()
for name in sorted(os.listdir(corpus))[:400]:
    if name.startswith("."):
        continue
    text = open(os.path.join(corpus, name), encoding="utf-8", errors="replace").read().lower()
    vocab.update(re.findall(r"[a-z]{3,}", text))
vocab = sorted(vocab)
seen = set()
entries = []
while len(entries) < n:
    r = rng.random()
    if r < 0.7:
        e = rng.choice(vocab)
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
