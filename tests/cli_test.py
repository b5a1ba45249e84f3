#!/usr/bin/env python3
"""CLI behaviour that golden files cannot express: reproducibility across runs, the
documentation agreeing with the program, and the seed passages the product promises.

Usage: cli_test.py LEXFRAME SOURCE_ROOT
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

EXE = os.path.abspath(sys.argv[1])
ROOT = os.path.abspath(sys.argv[2])
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


# A command put in front of lexframe (the valgrind setup sets it; see valgrind-wrap.sh).
WRAPPER = shlex.split(os.environ.get("LF_EXEC_WRAPPER", ""))


def run(args, cwd):
    return subprocess.run(WRAPPER + [EXE] + args, cwd=cwd, capture_output=True, timeout=600)


def scratch():
    d = tempfile.mkdtemp(prefix="lf-cli-")
    shutil.copytree(os.path.join(ROOT, "corpus"), os.path.join(d, "corpus"))
    shutil.copytree(os.path.join(ROOT, "lexicons"), os.path.join(d, "lexicons"))
    return d


def read_tree(d):
    out = {}
    for name in sorted(os.listdir(d)):
        with open(os.path.join(d, name), "rb") as f:
            out[name] = f.read()
    return out


def test_reproducible():
    d = scratch()
    try:
        p1 = run([], d)
        first = read_tree(os.path.join(d, "output"))
        p2 = run([], d)
        second = read_tree(os.path.join(d, "output"))
        check(p1.returncode == 0 and p2.returncode == 0, "report runs succeed")
        check(sorted(first) == ["cooccurrence.csv", "frequencies.csv", "manifest.json",
                                "matches.tsv", "summary.md"],
              "report writes exactly the five files (no temporary files left)")
        check(first == second, "two report runs give byte-identical files")
        t1 = run(["tag", "--format", "jsonl", "corpus"], d).stdout
        t2 = run(["tag", "--format", "jsonl", "corpus"], d).stdout
        check(t1 == t2 and len(t1) > 1000, "two tag runs give identical bytes")
    finally:
        shutil.rmtree(d)


def test_failed_run_keeps_previous_report():
    d = scratch()
    try:
        run([], d)
        before = read_tree(os.path.join(d, "output"))
        with open(os.path.join(d, "broken.lexicon"), "w") as f:
            f.write("@theme t\n/unclosed(/\n")
        p = run(["-l", "broken.lexicon"], d)
        check(p.returncode == 2, "a bad regex stops the report with exit 2")
        # an input that fails: the report is rewritten for the others, exit 1
        with open(os.path.join(d, "corpus", "zz-bad.txt"), "wb") as f:
            f.write(b"MR. A: bad \xc3\x28 byte\n")
        p = run([], d)
        after = read_tree(os.path.join(d, "output"))
        check(p.returncode == 1, "one bad input among good ones gives exit 1")
        check(b"zz-bad.txt:1: invalid UTF-8 at byte offset 11" in p.stderr,
              "the bad input is named with line and byte offset")
        check(after["frequencies.csv"] == before["frequencies.csv"],
              "the other inputs are still counted")
        check(b"zz-bad.txt" in after["manifest.json"], "the manifest lists the failed input")
    finally:
        shutil.rmtree(d)


def test_docs_match_program():
    help_text = run(["--help"], ROOT).stdout.decode()
    man = open(os.path.join(ROOT, "doc", "lexframe.1"), encoding="utf-8").read()
    man_plain = man.replace("\\-", "-")
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    longs = sorted(set(re.findall(r"--([a-z][a-z-]+)", help_text)))
    check(len(longs) >= 15, "--help lists the options (%d found)" % len(longs))
    for opt in longs:
        check("--" + opt in man_plain, "man page documents --%s" % opt)
    limits = re.findall(r"^  ([a-z-]+) +\d+ ", help_text, re.M)
    check(len(limits) >= 7, "--help lists the limits")
    for lim in limits:
        check(re.search(r"^\.B %s$" % re.escape(lim.replace("-", "\\-")), man, re.M) is not None,
              "man page documents limit %s" % lim)
    for cmd in re.findall(r"^  ([a-z]+) {2,}", help_text.split("Options:")[0], re.M):
        check(cmd in man_plain and cmd in readme, "man page and README mention command %s" % cmd)
    for status in ("0", "1", "2"):
        check(re.search(r"^\.B %s$" % status, man, re.M) is not None,
              "man page documents exit status %s" % status)
    version = run(["--version"], ROOT).stdout.decode().strip()
    meson = open(os.path.join(ROOT, "meson.build"), encoding="utf-8").read()
    v = re.search(r"version : '([^']+)'", meson).group(1)
    check(version == "lexframe " + v, "--version prints the project version")
    check(('"lexframe %s"' % v) in man, "man page carries the version")


# The passages an analyst would tag in the seed interview, with the theme and speaker the
# product promises (issue: foundation, item 7).
SEED = [
    ("commitment.betrayal", "stab in the back"),
    ("commitment.betrayal", "sense of betrayal"),
    ("negotiation.leverage", "nuclear leverage"),
    ("negotiation.leverage", "give up this leverage"),
    ("goodwill.gesture", "show of goodwill"),
    ("goodwill.confidence_building", "confidence-building gesture"),
    ("goodwill.confidence_building", "confidence-building measure"),
    ("domestic_pressure", "domestic pressure"),
    ("time_pressure", "time is no longer on the U.S. side"),
    ("trust.trust", "minimum level of trust"),
    ("sanctions.relief", "sanctions relief"),
    ("sanctions.pressure", "re-imposition of sanctions"),
]


def test_seed_passages():
    p = run(["tag", "corpus/bayyenat-interview.txt"], ROOT)
    check(p.returncode == 0, "tag on the seed interview succeeds")
    rows = [l.split("\t") for l in p.stdout.decode().splitlines()[1:]]
    for theme, passage in SEED:
        hit = [r for r in rows if r[11] == theme and passage.lower() in r[15].lower()]
        check(bool(hit) and all(r[2] == "Abolghasem Bayyenat" for r in hit),
              "seed: '%s' tagged %s, said by Bayyenat" % (passage, theme))
    editor = [r for r in rows if r[2] == "Editor" and r[11] == "sanctions.pressure"]
    check(any("re-imposition of draconian economic sanctions" in r[15] for r in editor),
          "seed: the editor's 're-imposition of draconian economic sanctions' is the editor's")
    distrust = [r for r in rows if r[11] == "trust.distrust" and r[16] == "1"]
    check(any("reliable and trustworthy partner" in r[15] for r in distrust),
          "seed: 'not a reliable and trustworthy partner' counts as negated trust, i.e. distrust")


test_reproducible()
test_failed_run_keeps_previous_report()
test_docs_match_program()
test_seed_passages()
print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
