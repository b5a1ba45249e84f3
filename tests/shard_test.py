#!/usr/bin/env python3
"""Scale-out end to end: a corpus split into shards run as separate processes with GNU
parallel, their partial results merged, compared byte for byte with one run; the same for
JSON Lines on standard input; and every way merge refuses partials it cannot combine.

The corpus is corpus/ plus, when ../shared/data is present, a few hundred real transcripts
(White House briefings and remarks, Miller Center speeches, Congressional Record pages) and
TEI files (a ParlaMint corpus root with its day files, a play read in parts).

Usage: shard_test.py LEXFRAME SOURCE_ROOT
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

EXE = os.path.abspath(sys.argv[1])
ROOT = os.path.abspath(sys.argv[2])
SHARED = os.environ.get("LF_SHARED_DATA") or os.environ.get("LF_SHARED_DATA_DEFAULT") or ""
# every run, single or shard, reads TEI in parts of 100 kB: parts must merge too
COMMON = ["--limit", "part-bytes=100000"]
failures = []
# files that list a stream's pieces when a stream was split between runs
PROVENANCE = ("manifest.json", "summary.md", "report.html")


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def lf(args, cwd, stdin=None):
    return subprocess.run([EXE] + args, cwd=cwd, capture_output=True, timeout=600,
                          stdin=stdin)


def sh(cmd, cwd):
    return subprocess.run(cmd, cwd=cwd, shell=True, capture_output=True, timeout=600)


def read_tree(d):
    out = {}
    for name in sorted(os.listdir(d)):
        with open(os.path.join(d, name), "rb") as f:
            out[name] = f.read()
    return out


def without_command(files):
    """The report minus the command line in manifest.json and report.html."""
    files = dict(files)
    files["manifest.json"] = re.sub(rb'"command": "[^\n]*\n', b"", files["manifest.json"])
    if "report.html" in files:
        files["report.html"] = re.sub(rb"<dt>Command</dt><dd><code>[^\n]*</code></dd>\n", b"",
                                      files["report.html"])
    return files


def failures_of(stderr):
    """The failure messages (merge repeats failures, not the readers' warnings)."""
    return [l for l in stderr.split(b"\n") if l and not l.startswith(b"lexframe: warning:")]


def same_report(a, b, what):
    ta, tb = read_tree(a), read_tree(b)
    diff = [n for n in sorted(set(ta) | set(tb))
            if n not in ("manifest.json", "report.html") and ta.get(n) != tb.get(n)]
    check(not diff and "report.html" in ta,
          what + (" (differ: %s)" % ", ".join(diff) if diff else ""))
    check(without_command(ta) == without_command(tb),
          what + ": manifest.json and report.html differ only in the command line")
    m = re.search(rb'"command": "([^"]*)"', tb["manifest.json"])
    return m.group(1).decode() if m else ""


def build_corpus(d):
    """all/: corpus/ copied, real transcripts linked, TEI copied. Returns the file count."""
    os.makedirs(os.path.join(d, "all"))
    shutil.copytree(os.path.join(ROOT, "corpus"), os.path.join(d, "all", "corpus"))
    real = []
    if SHARED and os.path.isdir(SHARED):
        t = os.path.join(SHARED, "transcripts")
        for pat in ["whitehouse-2021-2023/press-briefings/2022-0[1-4]/*.md",
                    "whitehouse-2021-2023/speeches-remarks/2022-09/*.md",
                    "congressional-record-2005-05-20/*.htm"]:
            real += sorted(glob.glob(os.path.join(t, pat)))
        real += sorted(glob.glob(os.path.join(t, "millercenter-pre2015/data/*.txt")))[:100]
        for p in real:
            rel = os.path.relpath(p, t)
            dst = os.path.join(d, "all", "real", rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            os.symlink(p, dst)
        for tei in ["parlamint-gb-sample", "tei-drama-julius-caesar"]:
            shutil.copytree(os.path.join(SHARED, "tei", tei), os.path.join(d, "all", "tei", tei))
    # a name with a tab: the partial's rows give it back whole, so report.html's evidence
    # shows it as the single run does (rows used to make tabs, CRs and LFs spaces)
    with open(os.path.join(d, "all", "corpus", "tab\tname.txt"), "w") as f:
        f.write("MR. SMITH: We will not betray anyone.\nMS. JONES: Betrayal is their word.\n")
    # a bad input among them: reported by its shard and listed by the merge
    with open(os.path.join(d, "all", "corpus", "zz-bad.txt"), "wb") as f:
        f.write(b"MR. SMITH: bad \xff byte\n")
    return real


def test_file_shards(d, real):
    single = lf(["report", "-o", "single"] + COMMON + ["all"], d)
    check(single.returncode == 1 and b"zz-bad.txt:1: invalid UTF-8" in single.stderr,
          "single run: the bad input is reported (exit 1)")
    # four shards as four processes, two threads each
    t0 = time.time()
    p = sh("parallel --will-cite -j 4 %s report -j 2 --shard {}/4 --partial p{}.lfp %s all "
           "'2>' err{}.txt ::: 1 2 3 4" % (EXE, " ".join(COMMON)), d)
    t1 = time.time()
    check(p.returncode == 1, "GNU parallel ran four shards; one failed because of the bad "
          "input (exit %d)" % p.returncode)
    errs = b"".join(open(os.path.join(d, "err%d.txt" % i), "rb").read() for i in range(1, 5))
    check(errs.count(b"zz-bad.txt:1: invalid UTF-8") == 1,
          "the bad input is reported by exactly one shard")
    sizes = [os.path.getsize(os.path.join(d, "p%d.lfp" % i)) for i in range(1, 5)]
    merge = lf(["merge", "-o", "merged", "p3.lfp", "p1.lfp", "p4.lfp", "p2.lfp"], d)
    t2 = time.time()
    check(merge.returncode == 1 and merge.stderr.split(b"\n")[:-1] == failures_of(single.stderr),
          "merge exits 1 like the single run, with the same failure messages")
    man = json.loads(open(os.path.join(d, "single", "manifest.json")).read())
    cmd = same_report(os.path.join(d, "single"), os.path.join(d, "merged"),
                      "4 shards (%d inputs, %d of them real transcripts) merged in shuffled "
                      "order = one run, byte for byte"
                      % (len(man["inputs"]) + len(man["failed"]), len(real)))
    check(cmd.startswith("lexframe merge"), "the merged manifest records the merge command")
    print("     partial sizes %s bytes; shards %.2f s, merge %.2f s"
          % (", ".join(map(str, sizes)), t1 - t0, t2 - t1))
    # the same shard on 1 and 3 threads: the same partial, byte for byte
    lf(["report", "-j", "1", "--shard", "2/4", "--partial", "p2-j1.lfp"] + COMMON + ["all"], d)
    lf(["report", "-j", "3", "--shard", "2/4", "--partial", "p2-j3.lfp"] + COMMON + ["all"], d)
    b = [open(os.path.join(d, n), "rb").read() for n in ("p2.lfp", "p2-j1.lfp", "p2-j3.lfp")]
    check(b[0] == b[1] == b[2], "a shard's partial result is the same bytes on 1, 2, 3 threads")
    # merges of merges, and partials concatenated on standard input
    lf(["merge", "--partial", "m12.lfp", "p2.lfp", "p1.lfp"], d)
    lf(["merge", "--partial", "m34.lfp", "p4.lfp", "p3.lfp"], d)
    lf(["merge", "-o", "tree", "m34.lfp", "m12.lfp"], d)
    same_report(os.path.join(d, "single"), os.path.join(d, "tree"),
                "a merge of merged partials (a reduction tree) = one run")
    cat = sh("cat p4.lfp p2.lfp p3.lfp p1.lfp | %s merge -o cat -" % EXE, d)
    check(cat.returncode == 1, "partials concatenated on standard input merge (exit 1)")
    same_report(os.path.join(d, "single"), os.path.join(d, "cat"),
                "partials concatenated on standard input = one run")
    return sizes


def test_file_lists(d, real):
    """Without --shard: shards given their own files (GNU parallel -N), merged by path."""
    flat = os.path.join(d, "flat")
    os.makedirs(flat)
    for p in [os.path.join(ROOT, "corpus", n) for n in os.listdir(os.path.join(ROOT, "corpus"))
              if n.endswith(".txt")] + real:
        dst = os.path.join(flat, os.path.basename(p))
        if not os.path.exists(dst):
            os.symlink(p, dst)
    lf(["report", "-o", "flat-single", "flat"], d)
    p = sh("ls flat/* | sort -r | parallel --will-cite -N 37 %s report --partial "
           "f{#}.lfp {}" % EXE, d)
    check(p.returncode == 0, "GNU parallel ran the file-list shards")
    parts = sorted(glob.glob(os.path.join(d, "f*.lfp")))
    lf(["merge", "-o", "flat-merged"] + parts, d)
    same_report(os.path.join(d, "flat-single"), os.path.join(d, "flat-merged"),
                "%d shards of listed files (in reverse order) merged = one run over the "
                "folder" % len(parts))


def write_jsonl(d):
    lines = []
    corpus = os.path.join(d, "all", "corpus")
    for n in sorted(os.listdir(corpus)):
        if n.endswith(".txt") and n != "zz-bad.txt":
            lines.append(json.dumps({"id": n, "source": "corpus",
                                     "text": open(os.path.join(corpus, n)).read()}))
    real = os.path.join(d, "all", "real")
    for dirpath, _, files in sorted(os.walk(real)):
        for n in sorted(files):
            if n.endswith((".txt", ".md")):
                with open(os.path.join(dirpath, n), encoding="utf-8") as f:
                    lines.append(json.dumps({"id": n, "text": f.read(), "year": n[:4]}))
    # bad records among them, and one too long for --limit jsonl-line-bytes
    lines.insert(2, '{"id": "x", "text": 7}')
    lines.insert(4, '{"id": "y", "text": "unterminated}')
    lines.insert(5, json.dumps({"id": "long", "text": "word " * 20000}))
    lines.insert(7, "")     # blank lines are no records, numbered or not
    lines.insert(9, "  \t")
    lines.append(json.dumps({"id": "tab\tand\nnewline", "text": "MR. SMITH: betrayal."}))
    with open(os.path.join(d, "all.jsonl"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return len(lines)


def test_jsonl_shards(d):
    n = write_jsonl(d)
    opts = ["--limit", "jsonl-line-bytes=50000", "--by", "meta:year"]
    with open(os.path.join(d, "all.jsonl"), "rb") as f:
        single = lf(["report", "-o", "js-single"] + opts + ["-"], d, stdin=f)
    check(single.returncode == 1 and b"<stdin>:3: \"text\" must be a string" in single.stderr
          and b"<stdin>:6: line longer than 50000 bytes" in single.stderr,
          "JSON Lines: bad records are named by their line (exit 1)")
    runs = {}
    for j in ("1", "2", "4"):
        with open(os.path.join(d, "all.jsonl"), "rb") as f:
            p = lf(["report", "-j", j, "-o", "js-j" + j] + opts + ["-"], d, stdin=f)
        runs[j] = (p.returncode, p.stderr, without_command(read_tree(os.path.join(d, "js-j" + j))))
    check(runs["1"] == runs["2"] == runs["4"],
          "JSON Lines: the same bytes, messages and status on 1, 2 and 4 threads")
    p = sh("parallel --will-cite %s report --shard {}/3 --partial j{}.lfp %s - '<' all.jsonl "
           "'2>' jerr{}.txt ::: 1 2 3" % (EXE, " ".join(opts)), d)
    merge = lf(["merge", "-o", "js-merged", "j2.lfp", "j3.lfp", "j1.lfp"], d)
    check(merge.returncode == 1 and merge.stderr == single.stderr,
          "JSON Lines in 3 shards: merge reports the bad records like the single run")
    same_report(os.path.join(d, "js-single"), os.path.join(d, "js-merged"),
                "JSON Lines (%d records) in 3 shards, each reading the whole stream, merged = "
                "one run" % n)
    man = json.loads(open(os.path.join(d, "js-merged", "manifest.json")).read())
    check([i["path"] for i in man["inputs"]] == ["<stdin>"] and
          man["inputs"][0]["bytes"] == os.path.getsize(os.path.join(d, "all.jsonl")),
          "the manifest lists standard input once, with the size of the whole stream")
    # a stream cut into pieces by the engine (parallel --pipe): --order keeps their order
    p = sh("parallel --will-cite --pipe -N %d %s report --order {#} --partial o{#}.lfp %s - "
           "< all.jsonl" % ((n + 3) // 4, EXE, " ".join(opts)), d)
    parts = sorted(glob.glob(os.path.join(d, "o*.lfp")))
    merge = lf(["merge", "-o", "js-pieces"] + parts[::-1], d)
    a, b = read_tree(os.path.join(d, "js-single")), read_tree(os.path.join(d, "js-pieces"))
    diff = [k for k in a if k not in PROVENANCE and a[k] != b[k]]
    check(len(parts) > 2 and not diff,
          "JSON Lines piped in %d pieces with --order: tables and matches = one run%s"
          % (len(parts), " (differ: %s)" % diff if diff else ""))
    man = json.loads(b["manifest.json"])
    check(len(man["inputs"]) == len(parts) and all(i["path"] == "<stdin>" for i in man["inputs"]),
          "... and the manifest lists each piece of the stream")
    # lines numbered from 0 (as Spark's zipWithIndex numbers them), cut into pieces: the
    # pieces need no --order, and messages name the lines of the whole stream
    p = sh("nl -ba -v0 -w1 -s \"$(printf '\\t')\" all.jsonl | parallel --will-cite --pipe -N %d "
           "%s report --partial n{#}.lfp %s - '2>' /dev/null" % ((n + 2) // 3, EXE, " ".join(opts)), d)
    parts = sorted(glob.glob(os.path.join(d, "n*.lfp")))
    merge = lf(["merge", "-o", "js-numbered"] + parts[::-1], d)
    b = read_tree(os.path.join(d, "js-numbered"))
    diff = [k for k in a if k not in PROVENANCE and a[k] != b[k]]
    first_line = lambda t: t.split(b"\n", 3)[3]
    check(len(parts) > 2 and not diff and merge.stderr == single.stderr and
          first_line(a["summary.md"]) == first_line(b["summary.md"]),
          "JSON Lines numbered and piped in %d pieces: tables, matches, summary and messages "
          "= one run%s" % (len(parts), " (differ: %s)" % diff if diff else "")
          )


def test_refusals(d):
    base = ["report", "--shard", "1/4", "--partial"]
    lf(base + ["q1.lfp"] + COMMON + ["all"], d)
    p = lf(base + ["q-by.lfp", "--by", "speaker"] + COMMON + ["all"], d)
    p = lf(["merge", "-o", "x", "q1.lfp", "q-by.lfp"], d)
    by_line = open(os.path.join(d, "q-by.lfp"), "rb").read().split(b"\n").index(
        b"option\tby=speaker") + 1
    check(p.returncode == 1 and (b"q-by.lfp:%d: made with other options than q1.lfp: "
                                 b"without 'by=document', which it was made with" % by_line)
          in p.stderr and not os.path.exists(os.path.join(d, "x")),
          "merge refuses partials made with other options, naming the option and its line")
    lf(base + ["q-win.lfp", "--window", "3"] + COMMON + ["all"], d)
    p = lf(["merge", "-o", "x", "q1.lfp", "q-win.lfp"], d)
    check(p.returncode == 1 and b"made with other options than q1.lfp: 'window=3' where it "
          b"has 'window=10'" in p.stderr, "an option with another value: both values named")
    lf(base + ["q-seed.lfp", "--seed", "7"] + COMMON + ["all"], d)
    p = lf(["merge", "-o", "x", "q1.lfp", "q-seed.lfp"], d)
    check(p.returncode == 1 and b"'seed=7' where it has 'seed=1'" in p.stderr,
          "merge refuses partials drawn with another report.html evidence seed (--seed)")
    # an option line that only one partial has is named as such, not compared with the
    # line that happens to stand in its place
    lf(base + ["q-ex.lfp", "--exclude-speaker", "Nobody"] + COMMON + ["all"], d)
    p = lf(["merge", "-o", "x", "q1.lfp", "q-ex.lfp"], d)
    check(p.returncode == 1 and b"made with other options than q1.lfp: 'exclude-speaker="
          b"Nobody', which it was not made with" in p.stderr,
          "an option only the later partial has: named alone (%r)" % p.stderr)
    p = lf(["merge", "-o", "x", "q-ex.lfp", "q1.lfp"], d)
    check(p.returncode == 1 and b"made with other options than q-ex.lfp: without "
          b"'exclude-speaker=Nobody', which it was made with" in p.stderr,
          "an option only the first partial has: named alone (%r)" % p.stderr)
    with open(os.path.join(d, "other.lexicon"), "w") as f:
        f.write("@theme t\nword\n")
    p = lf(["merge", "-l", "other.lexicon", "-o", "x", "q1.lfp"], d)
    check(p.returncode == 2 and b"made with other lexicons than the ones given" in p.stderr,
          "merge refuses partials made with other lexicons (exit 2)")
    lf(base + ["q-other.lfp", "-l", "other.lexicon"] + COMMON + ["all"], d)
    p = lf(["merge", "-o", "x", "q1.lfp", "q-other.lfp"], d)
    check(p.returncode == 2 and b"q-other.lfp" in p.stderr
          and b"made with other lexicons than q1.lfp" in p.stderr
          and not os.path.exists(os.path.join(d, "x")),
          "merge refuses a later partial made with other lexicons (exit 2 as for the first)")
    # the same lexicon named otherwise: the rows would name two files (exit 2), whether
    # between the partials or between a partial and the merge
    lf(base + ["q-path.lfp", "-l", os.path.join(d, "lexicons")] + COMMON + ["all"], d)
    p = lf(["merge", "-o", "x", "q1.lfp", "q-path.lfp"], d)
    check(p.returncode == 2 and b"q-path.lfp:3: made with the lexicon files named otherwise "
          b"than in q1.lfp" in p.stderr and not os.path.exists(os.path.join(d, "x")),
          "merge refuses a partial whose lexicon files were named otherwise (%r)" % p.stderr)
    p = lf(["merge", "-l", os.path.join(d, "lexicons"), "-o", "x", "q1.lfp"], d)
    check(p.returncode == 2 and b"made with the lexicon file named 'lexicons/framing.lexicon' "
          b"where this merge has '" in p.stderr and not os.path.exists(os.path.join(d, "x")),
          "merge refuses lexicons named otherwise than the runs named them (%r)" % p.stderr)
    # two lexicon files, the second named otherwise: named at its own header line (4: the
    # magic, the lexicon line, then one line per file)
    with open(os.path.join(d, "two.lexicon"), "w") as f:
        f.write("@theme u\nsanctions\n")
    lf(base + ["q-two.lfp", "-l", "lexicons", "-l", "two.lexicon"] + COMMON + ["all"], d)
    lf(base + ["q-two2.lfp", "-l", "lexicons", "-l", "./two.lexicon"] + COMMON + ["all"], d)
    p = lf(["merge", "-l", "lexicons", "-l", "two.lexicon", "-o", "x", "q-two.lfp",
            "q-two2.lfp"], d)
    check(p.returncode == 2 and b"q-two2.lfp:4: made with the lexicon files named otherwise "
          b"than in q-two.lfp ('./two.lexicon' where it has 'two.lexicon')" in p.stderr
          and not os.path.exists(os.path.join(d, "x")),
          "merge names the second lexicon file named otherwise at its line (%r)" % p.stderr)
    # shards given other lists of inputs: the same path at another place would count twice
    lf(["report", "--shard", "2/4", "--partial", "q-list.lfp"] + COMMON + ["all", "all/corpus"],
       d)
    p = lf(["merge", "-o", "x", "q1.lfp", "q-list.lfp"], d)
    check(p.returncode == 1 and b"q-list.lfp:4: a shard of 4 made with other inputs than "
          b"q1.lfp" in p.stderr and not os.path.exists(os.path.join(d, "x")),
          "merge refuses shards given other lists of inputs (%r)" % p.stderr)
    text = open(os.path.join(d, "q1.lfp"), "rb").read()
    lines = text.split(b"\n")

    def write(name, data):
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)

    fmt = lines[0].split(b"\t")[1]
    write("q-ver.lfp", text.replace(b"lexframe-partial\t" + fmt + b"\t",
                                    b"lexframe-partial\t" + fmt + b"\t9.9.9", 1))
    p = lf(["merge", "-o", "x", "q-ver.lfp"], d)
    check(p.returncode == 1 and b"q-ver.lfp:1: partial result of lexframe 9.9.9" in p.stderr,
          "merge refuses a partial of another version")
    write("q-cut.lfp", b"\n".join(lines[:-2]) + b"\n")
    p = lf(["merge", "-o", "x", "q-cut.lfp"], d)
    check(p.returncode == 1 and b"cut off: the partial result has no end line" in p.stderr,
          "merge refuses a cut-off partial")
    rows = [i for i, l in enumerate(lines) if l.startswith(b"row\t")]
    write("q-hole.lfp", b"\n".join(lines[:rows[0]] + lines[rows[0] + 1:]))
    p = lf(["merge", "-o", "x", "q-hole.lfp"], d)
    check(p.returncode == 1 and b"the end line does not match" in p.stderr,
          "merge refuses a partial with a line missing")
    # changes that keep the number of lines: the SHA-256 on the end line catches them
    def changed(what, edit):
        ls = list(lines)
        edit(ls)
        write("q-chg.lfp", b"\n".join(ls))
        p = lf(["merge", "-o", "x", "q-chg.lfp"], d)
        check(p.returncode == 1 and b"q-chg.lfp:%d: the SHA-256 on the end line does not "
              b"match" % (len(ls) - 1) in p.stderr, "merge refuses a partial with " + what)

    def swap(ls):
        ls[rows[0]], ls[rows[1]] = ls[rows[1]], ls[rows[0]]

    def edit_count(ls):
        i = next(i for i, l in enumerate(ls) if l.startswith(b"count\t"))
        f = ls[i].split(b"\t")
        f[-1] = str(int(f[-1]) + 1).encode()
        ls[i] = b"\t".join(f)

    def drop_and_dup(ls):
        ls[rows[0]] = ls[rows[1]]

    changed("two match rows swapped", swap)
    changed("a count changed", edit_count)
    changed("a row replaced by a copy of another", drop_and_dup)
    p = lf(["merge", "-o", "x", "q1.lfp", "q1.lfp"], d)
    check(p.returncode == 2 and b"q1.lfp is the same file as q1.lfp" in p.stderr,
          "merge refuses a partial named twice, as such (usage error)")
    shutil.copy(os.path.join(d, "q1.lfp"), os.path.join(d, "q1-copy.lfp"))
    p = lf(["merge", "-o", "x", "q1.lfp", "q1-copy.lfp"], d)
    check(p.returncode == 1 and b"is also in q1.lfp" in p.stderr,
          "merge refuses a copy of a partial given with it (documents found twice)")
    p = lf(["merge", "-o", "x", "all/corpus/zz-bad.txt"], d)
    check(p.returncode == 1 and b"not a lexframe partial result" in p.stderr,
          "merge refuses a file that is not a partial result")
    for args, what in [(["report", "--shard", "1/2", "all"], "--shard without --partial"),
                       (["report", "--partial", "a.lfp", "-o", "x", "all"], "--partial with -o"),
                       (["report", "--shard", "3/2", "--partial", "a.lfp"], "--shard 3/2"),
                       (["report", "--shard", "1/2", "--order", "3", "--partial", "a.lfp"],
                        "--shard with --order"),
                       (["merge"], "merge without partials"),
                       (["report", "-", "-"], "standard input named twice")]:
        p = lf(args, d)
        check(p.returncode == 2, "usage error: " + what)
    check(not os.path.exists(os.path.join(d, "x")), "no refused merge wrote a report")


def test_positions_out_of_order(d):
    """A numbered stream whose positions repeat: the single run and a partial stop at the
    same line with the same message, and the partial merges into the single run (it
    used to write two documents at one position, which merge refused as its own)."""
    data = (b'3\t{"id": "a", "text": "We trust them."}\n'
            b'3\t{"id": "b", "text": "No trust."}\n'
            b'5\t{"id": "c", "text": "trust"}\n')
    with open(os.path.join(d, "pos.jsonl"), "wb") as f:
        f.write(data)
    with open(os.path.join(d, "pos.jsonl"), "rb") as f:
        single = lf(["report", "-o", "pos-single", "-"], d, stdin=f)
    with open(os.path.join(d, "pos.jsonl"), "rb") as f:
        part = lf(["report", "--partial", "pos.lfp", "-"], d, stdin=f)
    merge = lf(["merge", "-o", "pos-merged", "pos.lfp"], d)
    msg = b"<stdin>:2: position 3 does not follow the position 3 of an earlier line"
    check(single.returncode == part.returncode == merge.returncode == 1 and
          msg in single.stderr and msg in part.stderr and msg in merge.stderr,
          "numbered lines out of order: the stream ends there, named, in a run, a partial "
          "and its merge (%r)" % merge.stderr)
    if merge.returncode == 1:
        same_report(os.path.join(d, "pos-single"), os.path.join(d, "pos-merged"),
                    "numbered lines out of order: merged partial = one run")


def main():
    if shutil.which("parallel") is None:
        print("FAIL GNU parallel is not installed (scripts/setup.sh installs it)")
        sys.exit(1)
    d = tempfile.mkdtemp(prefix="lf-shard-")
    try:
        shutil.copytree(os.path.join(ROOT, "lexicons"), os.path.join(d, "lexicons"))
        real = build_corpus(d)
        if not real:
            print("note: ../shared/data not present: corpus/ only")
        test_file_shards(d, real)
        test_file_lists(d, real)
        test_jsonl_shards(d)
        test_refusals(d)
        test_positions_out_of_order(d)
    finally:
        shutil.rmtree(d)
    print("%d failure(s)" % len(failures))
    sys.exit(1 if failures else 0)


main()
