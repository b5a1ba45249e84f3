#!/usr/bin/env python3
"""Every row of docs/errors.md, run: each bad input gets exactly the documented message on
standard error and the documented exit status, or this test fails.

docs/errors.md is the expectation. Its tables have rows

  | `case-id` | what the input is | `message line`<br>`next line` | status |

(the message column holds the exact standard error, one backticked span per line, or
"(none)"; a '|' inside a message is written '\\|'). This script knows how to make each
case's input (CASES below) and fails when a row has no case, a case has no row, or a run
differs. Cases may check more than the message (outputs left intact, time taken).

Usage: errors_test.py LEXFRAME SOURCE_ROOT LEXFRAME_VANISH [--print]
  LEXFRAME_VANISH  the test build of lexframe that deletes $LF_TEST_VANISH just before
                   reading it (tests/vanish_shim.c)
  --print          print each case's actual message and status as a table row instead

Environment: LF_EXEC_WRAPPER (a command put before lexframe, e.g. valgrind; the cases
marked heavy run without it, they take minutes under valgrind), LF_TIME_SCALE (time limits
are multiplied by it: sanitizer and valgrind runs are slower).

Unreadable inputs and unwritable outputs: run as root, lexframe would read and write them
anyway, so those cases run lexframe as the user nobody (uid 65534) when this script runs as
root, and plainly otherwise.
"""
import concurrent.futures
import gzip
import os
import re
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

EXE = os.path.abspath(sys.argv[1])
ROOT = os.path.abspath(sys.argv[2])
VANISH = os.path.abspath(sys.argv[3])
PRINT = "--print" in sys.argv
WRAPPER = shlex.split(os.environ.get("LF_EXEC_WRAPPER", ""))
SCALE = float(os.environ.get("LF_TIME_SCALE", "1"))
NOBODY = 65534

LEX = "@theme t\ntrust\n"


class Run:
    """How to run one case: arguments, and what else to check."""

    def __init__(self, args, exe=EXE, env=None, unprivileged=False, stdout=None,
                 fsize=None, max_seconds=None, heavy=False, check=None, stdin=b""):
        self.args = args
        self.stdin = stdin            # bytes on standard input
        self.exe = exe
        self.env = env or {}
        self.unprivileged = unprivileged
        self.stdout = stdout          # a path the standard output goes to
        self.fsize = fsize            # RLIMIT_FSIZE in bytes: a disk that fills up
        self.max_seconds = max_seconds
        self.heavy = heavy
        self.check = check            # f(work, proc) -> list of failure strings


def write(work, rel, data):
    path = os.path.join(work, rel)
    os.makedirs(os.path.dirname(path) or work, exist_ok=True)
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
    return path


def tag(*inputs, lexicon="t.lexicon", extra=()):
    return ["tag", "-l", lexicon] + list(extra) + list(inputs)


def base(work, lexicon=LEX):
    write(work, "t.lexicon", lexicon)


def rows_of(proc):
    """The document column of the tag rows printed."""
    lines = proc.stdout.decode(errors="replace").splitlines()[1:]
    return [l.split("\t")[0] for l in lines]


def expect_rows(*docs):
    def check(work, proc):
        got = rows_of(proc)
        return [] if got == list(docs) else ["rows for %s, expected %s" % (got, list(docs))]
    return check


def snapshot(d):
    out = {}
    for name in sorted(os.listdir(d)):
        with open(os.path.join(d, name), "rb") as f:
            out[name] = f.read()
    return out


def snapshot_files(d):
    """snapshot() of the regular files of d, and the names of everything else in it."""
    out = {}
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        if os.path.isfile(p):
            with open(p, "rb") as f:
                out[name] = f.read()
        else:
            out[name] = None
    return out


def previous_report(work):
    """Writes a first report into output/ and returns a check that it is unchanged and
    that no temporary file was left beside it."""
    write(work, "old/a.txt", "MR. AB: We trust them.\n")
    p = subprocess.run([EXE, "report", "-l", "t.lexicon", "-o", "output", "old"], cwd=work,
                       capture_output=True)
    assert p.returncode == 0, p.stderr
    before = snapshot(os.path.join(work, "output"))

    def check(work, proc):
        after = snapshot(os.path.join(work, "output"))
        if after != before:
            return ["output/ changed: %s -> %s" % (sorted(before), sorted(after))]
        return []
    return check


# ---- the cases -------------------------------------------------------------------------

CASES = {}


def case(name):
    def register(fn):
        CASES[name] = fn
        return fn
    return register


# transcripts

@case("invalid-utf8")
def _(w):
    base(w)
    write(w, "t.txt", b"MR. AB: We trust them.\nMR. BC: caf\xe9 and trust\n")
    return Run(tag("t.txt"))


@case("utf16-bom")
def _(w):
    base(w)
    write(w, "t.txt", "MR. AB: We trust them.\n".encode("utf-16"))
    return Run(tag("t.txt"))


@case("utf16-no-bom")
def _(w):
    base(w)
    write(w, "t.txt", "MR. AB: We trust them.\n".encode("utf-16-le"))
    return Run(tag("t.txt"))


@case("nul-byte")
def _(w):
    base(w)
    write(w, "t.txt", b"MR. AB: We trust them.\nMR. BC: a\x00b\n")
    return Run(tag("t.txt"))


@case("binary-file")
def _(w):
    base(w)
    write(w, "corpus/scan.txt", gzip.compress(b"MR. AB: trust\n" * 50, mtime=0))
    write(w, "corpus/z.txt", "MR. AB: trust\n")
    return Run(tag("corpus"), check=expect_rows("z.txt"))


@case("empty-file")
def _(w):
    base(w)
    write(w, "corpus/empty.txt", "")
    write(w, "corpus/z.txt", "MR. AB: trust\n")
    return Run(tag("corpus"), check=expect_rows("z.txt"))


@case("line-10mb")
def _(w):
    base(w)
    # one line, one sentence, 1.7 million words and as many matches
    write(w, "t.txt", "MR. AB: " + "trust " * 1700000 + "\n")

    def check(work, proc):
        n = len(rows_of(proc))
        return [] if n == 1700000 else ["%d rows, expected 1700000" % n]
    return Run(tag("t.txt"), max_seconds=30, heavy=True, check=check)


@case("tei-line-200k-matches")
def _(w):
    base(w)
    # one line of 200,000 matches written as annotated TEI: each span's character offset
    # used to be counted from the start of the line (minutes, quadratic)
    write(w, "t.txt", "MR. AB: " + "trust caf\u00e9 " * 200000 + "\n")

    def check(work, proc):
        n = proc.stdout.count(b"<span ")
        last = b"-s1,2199989,5)" in proc.stdout  # "trust café " is 11 characters
        return [] if n == 200000 and last else [
            "%d spans, expected 200000, the last at character 2199989" % n]
    return Run(tag("t.txt", extra=["-f", "tei"]), max_seconds=15, heavy=True, check=check)


@case("token-1mb")
def _(w):
    base(w)
    write(w, "t.txt", "MR. AB: " + "x" * (1 << 20) + " trust\n")
    return Run(tag("t.txt"), max_seconds=30, heavy=True)


@case("symlink-loop-file")
def _(w):
    base(w)
    write(w, "corpus/a.txt", "MR. AB: trust\n")
    os.symlink("loop.txt", os.path.join(w, "corpus", "loop.txt"))
    return Run(tag("corpus"), check=expect_rows("a.txt"))


@case("symlink-loop-dir")
def _(w):
    base(w)
    write(w, "corpus/sub/a.txt", "MR. AB: trust\n")
    os.symlink("..", os.path.join(w, "corpus", "sub", "up"))
    os.symlink("../sub", os.path.join(w, "corpus", "sub", "again"))
    return Run(tag("corpus"), check=expect_rows("sub/a.txt"))


@case("fifo-in-corpus")
def _(w):
    base(w)
    write(w, "corpus/a.txt", "MR. AB: trust\n")
    os.mkfifo(os.path.join(w, "corpus", "pipe.txt"))
    return Run(tag("corpus"), max_seconds=10, check=expect_rows("a.txt"))


@case("unreadable-file")
def _(w):
    base(w)
    write(w, "corpus/a.txt", "MR. AB: trust\n")
    os.chmod(write(w, "corpus/secret.txt", "MR. AB: trust\n"), 0)
    write(w, "corpus/z.txt", "MR. AB: trust\n")
    return Run(tag("corpus"), unprivileged=True, check=expect_rows("a.txt", "z.txt"))


@case("unreadable-dir")
def _(w):
    base(w)
    write(w, "corpus/a.txt", "MR. AB: trust\n")
    write(w, "corpus/locked/b.txt", "MR. AB: trust\n")
    os.chmod(os.path.join(w, "corpus", "locked"), 0)
    write(w, "corpus/z.txt", "MR. AB: trust\n")
    return Run(tag("corpus"), unprivileged=True, check=expect_rows("a.txt", "z.txt"))


@case("vanished-file")
def _(w):
    base(w)
    for n in "abc":
        write(w, "corpus/%s.txt" % n, "MR. AB: trust\n")
    return Run(tag("corpus"), exe=VANISH, env={"LF_TEST_VANISH": "corpus/b.txt"},
               check=expect_rows("a.txt", "c.txt"))


@case("missing-path")
def _(w):
    base(w)
    write(w, "a.txt", "MR. AB: trust\n")
    return Run(tag("a.txt", "nosuch.txt"), check=expect_rows())


@case("bad-among-many")
def _(w):
    base(w)
    write(w, "corpus/a.txt", "MR. AB: trust\n")
    write(w, "corpus/b.txt", b"MR. AB: trust \xff\n")
    write(w, "corpus/c.txt", "MR. AB: trust\n")
    check_prev = previous_report(w)

    def check(work, proc):
        man = open(os.path.join(work, "output", "manifest.json")).read()
        fails = [] if '"corpus/b.txt:1: invalid UTF-8 at byte offset 14"' in man else [
            "the manifest does not list the failed input"]
        freq = open(os.path.join(work, "output", "frequencies.csv")).read()
        if "document,a.txt,t," not in freq or "document,c.txt,t," not in freq:
            fails.append("the other inputs are not in frequencies.csv")
        return fails + ([] if check_prev(work, proc) else ["output/ was not rewritten"])
    return Run(["report", "-l", "t.lexicon", "-o", "output", "corpus"], check=check)


@case("strict")
def _(w):
    base(w)
    write(w, "corpus/a.txt", "MR. AB: trust\n")
    write(w, "corpus/b.txt", b"MR. AB: trust \xff\n")
    write(w, "corpus/c.txt", "MR. AB: trust\n")
    check_prev = previous_report(w)
    return Run(["report", "--strict", "-l", "t.lexicon", "-o", "output", "corpus"],
               check=check_prev)


@case("html-too-deep")
def _(w):
    base(w)
    write(w, "deep.html", "<html><body>" + "<div>" * 300 + "MR. AB: trust" + "</div>" * 300
          + "<p>MR. BC: trust</p></body></html>\n")
    return Run(tag("deep.html"))


# outputs

@case("unwritable-output-dir")
def _(w):
    base(w)
    write(w, "a.txt", "MR. AB: trust\n")
    os.makedirs(os.path.join(w, "out"))
    os.chmod(os.path.join(w, "out"), 0o555)
    return Run(["report", "-l", "t.lexicon", "-o", "out", "a.txt"], unprivileged=True)


@case("output-dir-is-a-file")
def _(w):
    base(w)
    write(w, "a.txt", "MR. AB: trust\n")
    write(w, "out", "not a directory\n")
    return Run(["report", "-l", "t.lexicon", "-o", "out", "a.txt"])


@case("output-is-a-fifo")
def _(w):
    base(w)
    write(w, "a.txt", "MR. AB: trust\n" * 10)
    os.mkfifo(os.path.join(w, "pipe"))
    # the reader a named pipe has (as /dev/null is a device, not a file to replace)
    reader = subprocess.Popen(["cat", "pipe"], cwd=w, stdout=subprocess.PIPE)

    def check(work, proc):
        import stat
        problems = []
        if not stat.S_ISFIFO(os.lstat(os.path.join(work, "pipe")).st_mode):
            problems.append("the FIFO was replaced by a regular file")
        try:
            got, _ = reader.communicate(timeout=10 * SCALE)
        except subprocess.TimeoutExpired:
            reader.kill()
            reader.communicate()
            return problems + ["nothing was written to the FIFO"]
        rows = len(got.splitlines()) - 1  # after the header
        if rows != 10:
            problems.append("the FIFO's reader got %d rows, expected 10" % rows)
        return problems
    return Run(tag("a.txt", extra=["-o", "pipe"]), check=check)


@case("output-is-a-directory")
def _(w):
    base(w)
    write(w, "a.txt", "MR. AB: trust\n")
    os.makedirs(os.path.join(w, "adir"))
    return Run(tag("a.txt", extra=["-o", "adir"]))


def kept(rel, data):
    """A check that the file rel still holds data."""
    def check(work, proc):
        with open(os.path.join(work, rel), "rb") as f:
            same = f.read() == (data.encode() if isinstance(data, str) else data)
        return [] if same else ["%s changed" % rel]
    return check


@case("output-is-an-input")
def _(w):
    base(w)
    write(w, "corpus/a.txt", "MR. AB: trust\n")
    write(w, "corpus/tags.txt", "MR. CD: trust, from an earlier run's output\n")
    return Run(tag("corpus", extra=["-o", "corpus/tags.txt"]),
               check=kept("corpus/tags.txt", "MR. CD: trust, from an earlier run's output\n"))


@case("output-is-an-input-linked")
def _(w):
    base(w)
    write(w, "corpus/a.txt", "MR. AB: trust\n")
    os.link(os.path.join(w, "corpus/a.txt"), os.path.join(w, "out.txt"))
    return Run(["report", "-l", "t.lexicon", "--partial", "out.txt", "corpus"],
               check=kept("corpus/a.txt", "MR. AB: trust\n"))


@case("output-is-the-lexicon")
def _(w):
    base(w)
    write(w, "a.txt", "MR. AB: trust\n")
    return Run(tag("a.txt", extra=["-o", "t.lexicon"]), check=kept("t.lexicon", LEX))


@case("report-into-its-corpus")
def _(w):
    base(w)
    write(w, "corpus/a.txt", "MR. AB: trust\n")
    write(w, "corpus/report.html", "MR. CD: trust, as a transcript\n")
    return Run(["report", "-l", "t.lexicon", "-o", "corpus", "corpus"],
               check=kept("corpus/report.html", "MR. CD: trust, as a transcript\n"))


@case("report-file-is-a-directory")
def _(w):
    """A directory where a report file goes is refused before anything is renamed: the
    other files of the previous report stay as they were (all but manifest.json were
    replaced, a mix of two reports)."""
    base(w)
    previous_report(w)  # writes the first report into output/
    write(w, "a.txt", "MR. AB: We trust them. Trust.\n")
    os.remove(os.path.join(w, "output", "summary.md"))
    os.makedirs(os.path.join(w, "output", "summary.md"))
    before = snapshot_files(os.path.join(w, "output"))

    def check(work, proc):
        after = snapshot_files(os.path.join(work, "output"))
        return [] if after == before else ["output/ changed: %s" % sorted(
            k for k in after if after[k] != before.get(k))]
    return Run(["report", "-l", "t.lexicon", "-o", "output", "a.txt"], check=check)


@case("mistyped-command")
def _(w):
    base(w)
    return Run(["tga", "-l", "t.lexicon"])


@case("output-empty-name")
def _(w):
    base(w)
    write(w, "a.txt", "MR. AB: trust\n")
    return Run(["report", "-l", "t.lexicon", "-o", "", "a.txt"],
               check=lambda work, p: ["report written in the current directory"]
               if os.path.exists(os.path.join(work, "summary.md")) else [])


@case("partial-empty-name")
def _(w):
    base(w)
    write(w, "a.txt", "MR. AB: trust\n")
    return Run(["report", "-l", "t.lexicon", "--partial", "", "a.txt"])


@case("stdout-disk-full")
def _(w):
    base(w)
    write(w, "a.txt", "MR. AB: trust\n" * 1000)
    return Run(tag("a.txt"), stdout="/dev/full")


@case("tag-file-disk-full")
def _(w):
    base(w)
    write(w, "a.txt", "MR. AB: trust\n" * 1000)
    write(w, "out.tsv", "previous\n")

    def check(work, proc):
        kept = open(os.path.join(work, "out.tsv")).read() == "previous\n"
        left = [n for n in os.listdir(work) if ".tmp-" in n]
        return ([] if kept else ["out.tsv changed"]) + (
            ["temporary file left: %s" % left] if left else [])
    return Run(tag("a.txt", extra=["-o", "out.tsv"]), fsize=20000, check=check)


@case("report-disk-full")
def _(w):
    base(w)
    write(w, "corpus/a.txt", "MR. AB: We trust them.\n" * 2000)
    check_prev = previous_report(w)
    return Run(["report", "-l", "t.lexicon", "-o", "output", "corpus"], fsize=50000,
               check=check_prev)


def kept_and_clean(name, previous):
    """A check that `name` still holds `previous` and no temporary file was left."""
    def check(work, proc):
        kept = open(os.path.join(work, name)).read() == previous
        left = [n for n in os.listdir(work) if ".tmp-" in n]
        return ([] if kept else ["%s changed" % name]) + (
            ["temporary file left: %s" % left] if left else [])
    return check


@case("tei-file-disk-full")
def _(w):
    base(w)
    write(w, "a.txt", "MR. AB: trust\n" * 1000)
    write(w, "out.xml", "previous\n")
    return Run(tag("a.txt", extra=["-f", "tei", "-o", "out.xml"]), fsize=20000,
               check=kept_and_clean("out.xml", "previous\n"))


@case("tei-only-input-bad")
def _(w):
    """The one input fails: like the other formats (a header, []) the output holds no
    document, and is XML: an empty teiCorpus (it was an empty file)."""
    import xml.etree.ElementTree as ET
    base(w)
    write(w, "bad.txt", b"MR. AB: trust \xff\n")
    write(w, "out.xml", "previous\n")

    def check(work, proc):
        try:
            root = ET.parse(os.path.join(work, "out.xml")).getroot()
        except ET.ParseError as e:
            return ["out.xml is no XML: %s" % e]
        return [] if root.tag.endswith("teiCorpus") and not root.findall(
            "{http://www.tei-c.org/ns/1.0}TEI") else ["out.xml: %s" % root.tag]
    return Run(tag("bad.txt", extra=["-f", "tei", "-o", "out.xml"]), check=check)


@case("compare-stdout-disk-full")
def _(w):
    base(w)
    # rows enough to fill stdio's buffer while the table is written
    names = ["MR. %s%s%s" % (a, b, c) for a in "ABCDEFGH" for b in "ABCDEFGH" for c in "ABCD"]
    write(w, "a.txt", "".join("%s: trust us\n" % n for n in names))
    return Run(["compare", "-l", "t.lexicon", "a.txt"], stdout="/dev/full")


@case("check-stdout-disk-full")
def _(w):
    base(w)
    return Run(["lexicon", "check", "t.lexicon"], stdout="/dev/full")


@case("expand-file-disk-full")
def _(w):
    base(w, "@theme t\ntrust*\n")
    write(w, "a.txt", "".join("MR. AB: trust%d\n" % i for i in range(3000)))
    write(w, "ex.tsv", "previous\n")
    return Run(["lexicon", "expand", "-l", "t.lexicon", "--corpus", "a.txt", "-o", "ex.tsv"],
               fsize=20000, check=kept_and_clean("ex.tsv", "previous\n"))


@case("partial-stdout-disk-full")
def _(w):
    base(w)
    write(w, "a.txt", "MR. AB: trust\n" * 1000)
    return Run(["report", "-l", "t.lexicon", "--partial", "-", "a.txt"], stdout="/dev/full")


@case("partial-file-disk-full")
def _(w):
    base(w)
    write(w, "a.txt", "MR. AB: trust\n" * 1000)
    write(w, "run.partial", "previous\n")
    return Run(["report", "-l", "t.lexicon", "--partial", "run.partial", "a.txt"],
               fsize=20000, check=kept_and_clean("run.partial", "previous\n"))


@case("convert-disk-full")
def _(w):
    base(w, "@theme t\n" + "".join("word%d\n" % i for i in range(5000)))
    write(w, "t.dic", "previous\n")
    return Run(["lexicon", "convert", "t.lexicon", "t.dic"], fsize=20000,
               check=kept_and_clean("t.dic", "previous\n"))


# regexes and patterns

def catastrophic_input(w):
    write(w, "t.txt", "MS. SMITH: We said " + "a" * 60 + "b.\n")


@case("invalid-regex")
def _(w):
    base(w, "@theme t\nfine\n  /sanction(s/\n")
    write(w, "t.txt", "MR. AB: fine\n")
    return Run(tag("t.txt"))


@case("catastrophic-regex")
def _(w):
    base(w, "@theme t\n/(a|aa)+$/\n")
    catastrophic_input(w)
    return Run(tag("t.txt"), max_seconds=5)


@case("invalid-speaker-pattern")
def _(w):
    base(w)
    write(w, "t.txt", "MR. AB: trust\n")
    return Run(tag("t.txt", extra=["--speaker-pattern", "(?<label>[A-Z]+"]))


@case("speaker-pattern-without-label")
def _(w):
    base(w)
    write(w, "t.txt", "MR. AB: trust\n")
    return Run(tag("t.txt", extra=["--speaker-pattern", "[A-Z]+:"]))


@case("catastrophic-speaker-pattern")
def _(w):
    base(w)
    write(w, "t.txt", "a" * 60 + "b\n")
    return Run(tag("t.txt", extra=["--speaker-pattern", "(?<label>(a|aa)+$)"]),
               max_seconds=5)


@case("invalid-strip-pattern")
def _(w):
    base(w)
    write(w, "t.txt", "MR. AB: trust\n")
    return Run(tag("t.txt", extra=["--strip-pattern", "[unclosed"]))


@case("lexicon-100k")
def _(w):
    words = ["w%05dx" % i for i in range(100000)]
    lines = ["@theme t%d\n%s\n" % (i // 1000, words[i]) if i % 1000 == 0 else words[i] + "\n"
             for i in range(100000)]
    write(w, "big.lexicon", "".join(lines))
    write(w, "t.txt", "MR. AB: " + " ".join(words[::997]) + ".\n")

    def check(work, proc):
        n = len(rows_of(proc))
        return [] if n == len(words[::997]) else ["%d rows, expected %d" % (
            n, len(words[::997]))]
    return Run(tag("t.txt", lexicon="big.lexicon"), max_seconds=5, heavy=True, check=check)


# JSON Lines on standard input, partial results

@case("jsonl-invalid-json")
def _(w):
    base(w)
    return Run(tag("-"), stdin=b'{"id": 1, "text": "MR. AB: trust"\n{"text": "MR. AB: trust"}\n',
               check=expect_rows("<stdin>:2"))


def bad_record_then_good(w, bad):
    """JSON Lines on standard input: the record `bad`, then a good one whose row must come
    out (a bad record fails alone)."""
    base(w)
    return Run(tag("-"), stdin=bad + b'\n{"id": "y", "text": "MR. AB: trust"}\n',
               check=expect_rows("y"))


@case("jsonl-no-text")
def _(w):
    return bad_record_then_good(w, b'{"id": "x"}')


@case("jsonl-nul-byte")
def _(w):
    return bad_record_then_good(w, b'{"id": "x", "te\x00xt": "a"}')


@case("jsonl-too-deep")
def _(w):
    return bad_record_then_good(w, b'{"id": "x", "m": ' + b"[" * 1000 + b"]" * 1000 +
                                b', "text": "a"}')


@case("jsonl-positions-out-of-order")
def _(w):
    # the stream ends at the line: the record before it comes out, the one after it not
    base(w)
    return Run(tag("-"), stdin=b'5\t{"id": "y", "text": "MR. AB: trust"}\n'
                               b'2\t{"id": "x", "text": "MR. AB: trust"}\n'
                               b'9\t{"id": "z", "text": "MR. AB: trust"}\n',
               check=expect_rows("y"))


@case("jsonl-nul-in-key")
def _(w):
    # json-c keeps keys cut at the NUL: the speaker label "MR. AB\u0000X" would have become
    # "MR. AB", naming someone else
    return bad_record_then_good(w, b'{"id": "x", "speakers": {"MR. AB\\u0000X": "Someone"}, '
                                   b'"text": "MR. AB: trust"}')


@case("jsonl-nul-in-id")
def _(w):
    # cut at the NUL, "a\u0000b" would have become the id "a" without a word
    return bad_record_then_good(w, b'{"id": "a\\u0000b", "text": "MR. AB: trust"}')


@case("negators-empty")
def _(w):
    base(w)
    write(w, "a.txt", "MR. AB: We do not trust them.\n")
    return Run(tag("a.txt", extra=["--negators", ","]))


@case("jsonl-nul-in-speaker")
def _(w):
    # cut at the NUL, "Pat\u0000X" would have become the name "Pat"
    return bad_record_then_good(w, b'{"id": "x", "text": "MR. AB: trust", '
                                   b'"speakers": {"MR. AB": {"name": "Pat\\u0000X"}}}')


def partial_of(w, name, n_docs=2):
    write(w, "docs/a.txt", "MR. AB: We trust them.\n")
    write(w, "docs/b.txt", "MR. AB: We trust them.\n")
    p = subprocess.run([EXE, "report", "--partial", name, "-l", "t.lexicon", "docs"],
                       cwd=w, capture_output=True)
    assert p.returncode == 0, p.stderr
    return os.path.join(w, name)


@case("partial-cut-off")
def _(w):
    base(w)
    path = partial_of(w, "run.partial")
    lines = open(path, "rb").read().splitlines(True)
    with open(path, "wb") as f:
        f.writelines(lines[:len(lines) // 2])
    return Run(["merge", "-l", "t.lexicon", "-o", "out", "run.partial"])


@case("partial-crlf")
def _(w):
    base(w)
    path = partial_of(w, "run.partial")
    data = open(path, "rb").read()
    with open(path, "wb") as f:
        f.write(data.replace(b"\n", b"\r\n"))
    return Run(["merge", "-l", "t.lexicon", "-o", "out", "run.partial"])


def edited_partial(w, tag, edit):
    """A partial result whose first line starting with `tag` is passed through `edit`; the
    merge of it must be refused and leave the previous output/ as it was."""
    base(w)
    path = partial_of(w, "run.partial")
    lines = open(path, "rb").read().splitlines(True)
    i = next(i for i, l in enumerate(lines) if l.startswith(tag))
    lines[i] = edit(lines[i])
    with open(path, "wb") as f:
        f.writelines(lines)
    return Run(["merge", "-l", "t.lexicon", "-o", "output", "run.partial"],
               check=previous_report(w))


@case("partial-damaged")
def _(w):
    # a damaged copy: a byte that is not UTF-8 in a match row
    return edited_partial(w, b"row\t", lambda l: l[:10] + b"\xff" + l[10:])


def count_plus_one(line):
    f = line.rstrip(b"\n").split(b"\t")
    f[-1] = b"%d" % (int(f[-1]) + 1)
    return b"\t".join(f) + b"\n"


@case("partial-changed")
def _(w):
    # a count edited by hand: well-formed, but not what was made
    return edited_partial(w, b"count\t", count_plus_one)


@case("partial-changed-while-merging")
def _(w):
    # merge reads a partial once (header, tables, where each document's rows are), then
    # its rows again; lexframe-vanish edits a row in between
    base(w)
    partial_of(w, "run.partial")
    return Run(["merge", "-l", "t.lexicon", "-o", "output", "run.partial"], exe=VANISH,
               env={"LF_TEST_EDIT_ROW": "run.partial"}, check=previous_report(w))


@case("merge-stdin-twice")
def _(w):
    base(w)
    path = partial_of(w, "run.partial")
    return Run(["merge", "-l", "t.lexicon", "-o", "out", "-", "-"],
               stdin=open(path, "rb").read())


@case("partial-other-lexicon")
def _(w):
    base(w)
    partial_of(w, "run.partial")
    write(w, "other.lexicon", "@theme t\ntrust\ndistrust\n")
    return Run(["merge", "-l", "other.lexicon", "-o", "out", "run.partial"])


# ---- native lexicon errors: (files, lexicon path given to -l) ---------------------------

LEXICON_CASES = {
    "lex-invalid-utf8": ({"bad.lexicon": b"@theme t\ntru\xc3\x28st\n"}, "bad.lexicon"),
    "lex-nul": ({"bad.lexicon": b"@theme t\ntrust\x00\n"}, "bad.lexicon"),
    "lex-version": ({"bad.lexicon": "@lexframe 2\n@theme t\ntrust\n"}, "bad.lexicon"),
    "lex-version-late": ({"bad.lexicon": "@theme t\n@lexframe 1\n"}, "bad.lexicon"),
    "lex-unknown-directive": ({"bad.lexicon": "@them t\n"}, "bad.lexicon"),
    "lex-theme-without-id": ({"bad.lexicon": "@theme\n"}, "bad.lexicon"),
    "lex-theme-extra": ({"bad.lexicon": "@theme trust Trust\n"}, "bad.lexicon"),
    "lex-bad-theme-id": ({"bad.lexicon": "@theme Trust\n"}, "bad.lexicon"),
    "lex-empty-level": ({"bad.lexicon": "@theme trust..distrust\n"}, "bad.lexicon"),
    "lex-duplicate-theme": ({"lex/a.lexicon": "@theme trust\nx\n",
                             "lex/b.lexicon": "\n@theme trust\ny\n"}, "lex"),
    "lex-unknown-attribute": ({"bad.lexicon": "@theme t\ncolr: #D55E00\n"}, "bad.lexicon"),
    "lex-attribute-outside-theme": ({"bad.lexicon": "label: Trust\n"}, "bad.lexicon"),
    "lex-attribute-after-entries": ({"bad.lexicon": "@theme t\ntrust\nlabel: T\n"},
                                    "bad.lexicon"),
    "lex-duplicate-attribute": ({"bad.lexicon": "@theme t\nlabel: A\nlabel: B\n"},
                                "bad.lexicon"),
    "lex-attribute-empty": ({"bad.lexicon": "@theme t\nlabel:\n"}, "bad.lexicon"),
    "lex-bad-colour": ({"bad.lexicon": "@theme t\ncolour: #D55E0\n"}, "bad.lexicon"),
    "lex-unknown-negation": ({"bad.lexicon": "@theme t\nnegation: flip\n"}, "bad.lexicon"),
    "lex-move-without-target": ({"bad.lexicon": "@theme t\nnegation: move\n"},
                                "bad.lexicon"),
    "lex-move-to-itself": ({"bad.lexicon": "@theme t\nnegation: move t\n"}, "bad.lexicon"),
    "lex-move-undeclared": ({"bad.lexicon": "@theme t\nnegation: move trust.distrst\n"},
                            "bad.lexicon"),
    "lex-move-chain": ({"bad.lexicon": "@theme a\nnegation: move b\n@theme b\n"
                                       "negation: move c\n@theme c\n"}, "bad.lexicon"),
    "lex-entry-outside-theme": ({"bad.lexicon": "trust\n"}, "bad.lexicon"),
    "lex-punctuation": ({"bad.lexicon": "@theme t\nfoo,bar\n"}, "bad.lexicon"),
    "lex-only-punctuation": ({"bad.lexicon": "@theme t\n\"stab\"\n"}, "bad.lexicon"),
    "lex-only-wildcards": ({"bad.lexicon": "@theme t\n* *\n"}, "bad.lexicon"),
    "lex-empty-entry": ({"bad.lexicon": "@theme t\n!\n"}, "bad.lexicon"),
    "lex-empty-regex": ({"bad.lexicon": "@theme t\n//\n"}, "bad.lexicon"),
    "lex-unterminated-regex": ({"bad.lexicon": "@theme t\n/sanction\n"}, "bad.lexicon"),
    "lex-after-regex": ({"bad.lexicon": "@theme t\n/sanction/ case\n"}, "bad.lexicon"),
    "lex-unterminated-options": ({"bad.lexicon": "@theme t\nUS {case\n"}, "bad.lexicon"),
    "lex-after-options": ({"bad.lexicon": "@theme t\nUS {case} x\n"}, "bad.lexicon"),
    "lex-unknown-option": ({"bad.lexicon": "@theme t\nUS {bold}\n"}, "bad.lexicon"),
    "lex-duplicate-option": ({"bad.lexicon": "@theme t\nUS {case, case}\n"}, "bad.lexicon"),
    "lex-bad-weight": ({"bad.lexicon": "@theme t\nUS {weight=abc}\n"}, "bad.lexicon"),
    "lex-space-after-bang": ({"bad.lexicon": "@theme t\n! leveraged buyout\n"},
                             "bad.lexicon"),
    "lex-negator-not-a-word": ({"bad.lexicon": "@negators not no-way!\n"}, "bad.lexicon"),
    "lex-negators-empty": ({"bad.lexicon": "@negators\n"}, "bad.lexicon"),
    "lex-negators-after-theme": ({"bad.lexicon": "@theme t\n@negators not\n"},
                                 "bad.lexicon"),
    "lex-negators-conflict": ({"lex/a.lexicon": "@negators not no\n",
                               "lex/b.lexicon": "@negators not never\n"}, "lex"),
    "lex-bad-window": ({"bad.lexicon": "@negation-window 200\n"}, "bad.lexicon"),
    "lex-window-conflict": ({"lex/a.lexicon": "@negation-window 3\n",
                             "lex/b.lexicon": "@negation-window 4\n"}, "lex"),
    "lex-missing-file": ({}, "nosuch.lexicon"),
    "lex-empty-directory": ({"lex/README.md": "notes\n"}, "lex"),
}


# ---- foreign lexicon formats: (files, lexicon path, extra options) -------------------------

YKD_HEAD = '<?xml version="1.0"?>\n'
FORMAT_CASES = {
    "liwc-no-legend": ({"a.dic": "happy\t1\n"}, "a.dic", []),
    "liwc-legend-unclosed": ({"a.dic": "%\n1\tposemo\nhappy\t1\n"}, "a.dic", []),
    "liwc-duplicate-id": ({"a.dic": "%\n1\tposemo\n01\tnegemo\n%\n"}, "a.dic", []),
    "liwc-bad-indent": ({"a.dic": "%\n1\tposemo\n\t\t2\tjoy\n%\n"}, "a.dic", []),
    "liwc-not-utf8": ({"a.dic": b"%\n1\tposemo\n%\ncaf\xe9\t1\n"}, "a.dic", []),
    "liwc-nul": ({"a.dic": b"%\n1\tposemo\n%\nhap\x00py\t1\n"}, "a.dic", []),
    "dicx-no-header": ({"a.dicx": "Term,Posemo\nhappy,X\n"}, "a.dicx", []),
    "dicx-unclosed-quote": ({"a.dicx": "DicTerm,Posemo\n\"happy,X\n"}, "a.dicx", []),
    "dicx-text-after-quote": ({"a.dicx": "DicTerm,Posemo\n\"happy\"ish,X\n"}, "a.dicx", []),
    "inquirer-no-header": ({"gi.csv": "Word,Positiv\nABOUT,Positiv\n"}, "gi.csv", []),
    "lc3-no-name": ({"a.lc3": "+\nhappy\n"}, "a.lc3", []),
    "lc3-pattern-first": ({"a.lc3": "happy\n+positive\nglad\n"}, "a.lc3", []),
    "ykd-malformed": ({"a.ykd": YKD_HEAD + '<dictionary>\n<cnode name="a">\n<pnode name="x">\n'
                       "</dictionary>\n"}, "a.ykd", []),
    "ykd-root": ({"a.ykd": YKD_HEAD + "<dic/>\n"}, "a.ykd", []),
    "ykd-cnode-without-name": ({"a.ykd": YKD_HEAD + '<dictionary><cnode><pnode name="x"/>'
                                "</cnode></dictionary>\n"}, "a.ykd", []),
    "ykd-external-entity": ({"a.ykd": YKD_HEAD + '<!DOCTYPE dictionary [<!ENTITY x SYSTEM '
                             '"file:///etc/passwd">]>\n<dictionary><cnode name="a">'
                             '<pnode name="&x;"/></cnode></dictionary>\n'}, "a.ykd", []),
    "ykd-entity-bomb": ({"a.ykd": YKD_HEAD + "<!DOCTYPE dictionary [\n"
                         + "".join('<!ENTITY e%d "%s">\n' % (i, ("&e%d;" % (i - 1)) * 10 if i
                                                            else "aaaaaaaaaa")
                                   for i in range(10))
                         + ']>\n<dictionary><cnode name="a"><pnode name="&e9;"/></cnode>'
                         "</dictionary>\n"}, "a.ykd", []),
    "cat-pattern-outside": ({"a.cat": "HAPPY (1)\nPOSITIVE\n\tGLAD (1)\n"}, "a.cat", []),
    "yaml-syntax": ({"a.yml": "positive: [happy, glad\nnegative: sad\n"}, "a.yml", []),
    "yaml-alias": ({"a.yml": "positive: &p [happy]\nnegative: *p\n"}, "a.yml", []),
    "yaml-not-mapping": ({"a.yml": "- happy\n- glad\n"}, "a.yml", []),
    "yaml-two-documents": ({"a.yml": "positive: [happy]\n---\nnegative: [sad]\n"}, "a.yml",
                           []),
    "yaml-empty": ({"a.yml": "# nothing\n"}, "a.yml", []),
    "wordlist-nul": ({"words.txt": b"happy\nsa\x00d\n"}, "words.txt", []),
    "scored-not-utf8": ({"a.tsv": b"caf\xe9\t2\n"}, "a.tsv", []),
    "encoding-unknown": ({"a.dic": "%\n1\tposemo\n%\nhappy\t1\n"}, "a.dic",
                         ["--encoding", "NO-SUCH-ENCODING"]),
    "encoding-invalid-bytes": ({"a.cat": b"POSITIVE\n\tCAF\x81 (1)\n"}, "a.cat",
                               ["--encoding", "SHIFT-JIS"]),
    "format-unknown": ({"a.dic": "%\n1\tposemo\n%\nhappy\t1\n"}, "a.dic",
                       ["--lexicon-format", "liwc2"]),
    "format-option-write-only": ({"a.dic": "%\n1\tposemo\n%\nhappy\t1\n"}, "a.dic",
                                 ["--lexicon-format", "qdc"]),
    "format-write-only": ({"a.qdc": "<CodeBook/>\n"}, "a.qdc", []),
}


def lexicon_case(name):
    files, path, extra = (LEXICON_CASES[name] + ([],) if name in LEXICON_CASES
                          else FORMAT_CASES[name])

    def make(w):
        for rel, data in files.items():
            write(w, rel, data)
        write(w, "t.txt", "MR. AB: trust\n")
        return Run(tag("t.txt", lexicon=path, extra=extra), check=expect_rows())
    return make


for _name in list(LEXICON_CASES) + list(FORMAT_CASES):
    CASES[_name] = lexicon_case(_name)


# ---- TEI: hostile and broken XML --------------------------------------------------------

def tei_case(name, text, check_rows=()):
    def make(w):
        base(w)
        write(w, "corpus/a.txt", "MR. AB: trust\n")
        write(w, "corpus/" + name + ".xml", text)
        write(w, "corpus/z.txt", "MR. AB: trust\n")
        return Run(tag("corpus"), max_seconds=10, check=expect_rows(*check_rows))
    CASES["tei-" + name] = make


TEI_BODY = '<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><u who="#a">trust %s</u>' \
           "</body></text></TEI>\n"
tei_case("external-entity", '<?xml version="1.0"?>\n<!DOCTYPE TEI [<!ENTITY x SYSTEM '
         '"file:///etc/passwd">]>\n' + TEI_BODY % "&x;", ("a.txt", "z.txt"))
tei_case("entity-bomb", '<?xml version="1.0"?>\n<!DOCTYPE TEI [\n'
         + "".join('<!ENTITY e%d "%s">\n' % (i, ("&e%d;" % (i - 1)) * 10 if i else "a" * 10)
                   for i in range(10))
         + "]>\n" + TEI_BODY % "&e9;", ("a.txt", "z.txt"))
tei_case("parameter-entity", '<?xml version="1.0"?>\n<!DOCTYPE TEI [<!ENTITY % p SYSTEM '
         '"http://127.0.0.1:9/evil.dtd"> %p;]>\n' + TEI_BODY % "",
         ("a.txt", "parameter-entity.xml", "z.txt"))
tei_case("external-dtd", '<?xml version="1.0"?>\n<!DOCTYPE TEI SYSTEM '
         '"http://127.0.0.1:9/tei.dtd">\n' + TEI_BODY % "", ("a.txt", "external-dtd.xml",
                                                               "z.txt"))
tei_case("xinclude", '<TEI xmlns="http://www.tei-c.org/ns/1.0" '
         'xmlns:xi="http://www.w3.org/2001/XInclude"><text><body><u who="#a">trust</u>'
         '<xi:include href="/etc/passwd" parse="text"/></body></text></TEI>\n',
         ("a.txt", "xinclude.xml", "z.txt"))
tei_case("undefined-entity", TEI_BODY % "&mdash;", ("a.txt", "z.txt"))
tei_case("malformed", '<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><u who="#a">'
         "trust</body></text></TEI>\n", ("a.txt", "z.txt"))
tei_case("not-utf8", (TEI_BODY % "caf\xe9").encode("latin-1"), ("a.txt", "z.txt"))
tei_case("not-tei", "<html><body>trust</body></html>\n", ("a.txt", "z.txt"))


@case("tei-not-tei-named")
def _(w):
    base(w)
    write(w, "page.xml", "<html><body>trust</body></html>\n")
    return Run(tag("page.xml"), check=expect_rows())


@case("tei-corpus-include-outside")
def _(w):
    base(w)
    write(w, "corpus/a.txt", "MR. AB: trust\n")
    # enough '..' to reach /etc/passwd from any scratch directory
    write(w, "corpus/ParlaMint.xml", '<teiCorpus xmlns="http://www.tei-c.org/ns/1.0" '
          'xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="'
          + "../" * 30 + 'etc/passwd"/></teiCorpus>\n')
    write(w, "corpus/z.txt", "MR. AB: trust\n")
    return Run(tag("corpus"), check=expect_rows("a.txt", "z.txt"))


# ---- named limits: N passes, N + 1 fails ----------------------------------------------
# Each makes the input for a size n under --limit NAME=N; the row's message is for n = N+1.

LIMITS = {}


def limit(name, n, exe_args, key=None, stdin_file=None):
    def register(make):
        LIMITS[key or "limit-" + name] = (name, n, make, exe_args)
        STDIN_OF[key or "limit-" + name] = stdin_file
        return make
    return register


STDIN_OF = {}  # a limit case's file fed to standard input


@limit("file-bytes", 100, lambda: tag("t.txt"))
def _(w, n):
    write(w, "t.txt", ("MR. AB: trust" + "x" * n)[:n - 1] + "\n")


@limit("line-bytes", 100, lambda: tag("t.txt"))
def _(w, n):
    write(w, "t.txt", "MR. AB: trust.\n" + ("We trust " * 20)[:n] + "\nMR. BC: trust\n")


@limit("token-bytes", 16, lambda: tag("t.txt"))
def _(w, n):
    write(w, "t.txt", "MR. AB: trust " + "y" * n + "\n")


@limit("turns", 5, lambda: tag("t.txt"))
def _(w, n):
    write(w, "t.txt", "".join("MR. AB: trust\n" for _ in range(n)))


@limit("speakers", 5, lambda: tag("t.txt"))
def _(w, n):
    write(w, "t.txt", "".join("MR. A%s: trust\n" % "ABCDEFGHIJ"[i] for i in range(n)))


@limit("front-matter-bytes", 100, lambda: tag("t.txt"))
def _(w, n):
    write(w, "t.txt", "---\ntitle: " + "x" * (n - 8) + "\n---\nMR. AB: trust\n")


@limit("front-matter-depth", 4, lambda: tag("t.txt"))
def _(w, n):
    # the top-level map is level 1
    write(w, "t.txt", "---\nx: " + "[" * (n - 1) + "]" * (n - 1) + "\n---\nMR. AB: trust\n")


@limit("lexicon-entries", 5, lambda: tag("t.txt", lexicon="big.lexicon"))
def _(w, n):
    write(w, "big.lexicon", "@theme t\ntrust\n" + "".join("w%d\n" % i for i in range(n - 1)))
    write(w, "t.txt", "MR. AB: trust\n")


@limit("lexicon-line-bytes", 40, lambda: tag("t.txt", lexicon="big.lexicon"))
def _(w, n):
    write(w, "big.lexicon", "@theme t\ntrust\n" + ("trust " * 10)[:n] + "\n")
    write(w, "t.txt", "MR. AB: trust\n")


@limit("theme-depth", 3, lambda: tag("t.txt", lexicon="big.lexicon"))
def _(w, n):
    write(w, "big.lexicon", "@theme " + ".".join("abcdefgh"[:n]) + "\ntrust\n")
    write(w, "t.txt", "MR. AB: trust\n")


@limit("jsonl-line-bytes", 100, lambda: tag("-"), stdin_file="in.jsonl")
def _(w, n):
    # a record of exactly n bytes without its line end
    write(w, "in.jsonl", '{"text": "' + "t" * (n - 12) + '"}\n')


@limit("xml-depth", 8, lambda: tag("t.xml"))
def _(w, n):
    # TEI, text, body and u make 4 levels
    write(w, "t.xml", '<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><u who="#a">'
          + "<seg>" * (n - 4) + "trust" + "</seg>" * (n - 4) + "</u></body></text></TEI>\n")


@limit("xml-text-bytes", 64, lambda: tag("t.xml"))
def _(w, n):
    write(w, "t.xml", '<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><u who="#a">'
          + ("trust " * 20)[:n] + "</u></body></text></TEI>\n")


@limit("theme-depth", 3, lambda: tag("t.txt", lexicon="deep.cat"), key="limit-theme-depth-cat")
def _(w, n):
    write(w, "deep.cat", "".join("\t" * i + "LEVEL%d\n" % i for i in range(n))
          + "\t" * n + "TRUST (1)\n")
    write(w, "t.txt", "MR. AB: trust\n")


def run_limit_case(w, key, n):
    name, _, make, args = LIMITS[key]
    make(w, n)
    base(w)
    stdin = open(os.path.join(w, STDIN_OF[key]), "rb").read() if STDIN_OF[key] else b""
    return Run(args() + ["--limit", "%s=%d" % (name, LIMITS[key][1])], stdin=stdin)


for _key in LIMITS:
    CASES[_key] = (lambda k: lambda w: run_limit_case(w, k, LIMITS[k][1] + 1))(_key)

# The regex limits count PCRE2's own steps and bytes (which differ between its JIT and its
# interpreter): the row shows a catastrophic pattern under a small limit, and
# check_regex_boundary() finds the smallest limit that lets a costly but finite match
# through and checks that one less fails with the same message.


@case("limit-regex-match")
def _(w):
    base(w, "@theme t\n/(a|aa)+$/\n")
    catastrophic_input(w)
    return Run(tag("t.txt", extra=["--limit", "regex-match=1000"]))


@case("limit-regex-heap-kib")
def _(w):
    base(w, "@theme t\n/^(?:(a)|b)+$/\n")
    write(w, "t.txt", "MR. AB: " + "a" * 20000 + ".\n")
    return Run(tag("t.txt", extra=["--limit", "regex-heap-kib=64",
                                   "--limit", "token-bytes=100000"]))


# ---- running ---------------------------------------------------------------------------

def can_drop_privileges():
    if os.geteuid() != 0:
        return True
    try:
        p = subprocess.run(["true"], preexec_fn=drop_privileges)
        return p.returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def drop_privileges():
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def execute(work, run):
    cmd = ([] if run.heavy else WRAPPER) + [run.exe] + run.args
    env = dict(os.environ, LC_ALL="C.UTF-8", **run.env)

    def pre():
        if run.fsize is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (run.fsize, run.fsize))
        if run.unprivileged and os.geteuid() == 0:
            drop_privileges()
    out = open(run.stdout, "wb") if run.stdout else subprocess.PIPE
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, cwd=work, env=env, stdout=out, stderr=subprocess.PIPE,
                           input=run.stdin, preexec_fn=pre, timeout=600)
    finally:
        if run.stdout:
            out.close()
    if run.stdout:
        p.stdout = b""
    return p, time.monotonic() - t0


def scratch():
    work = tempfile.mkdtemp(prefix="lf-errors-")
    os.chmod(work, 0o755)  # reachable for the unprivileged cases
    return work


def parse_doc():
    """{case: (message, status)} from the tables of docs/errors.md."""
    rows = {}
    for line in open(os.path.join(ROOT, "docs", "errors.md"), encoding="utf-8"):
        m = re.match(r"^\|\s*`([a-z0-9-]+)`\s*\|(.*)\|\s*$", line)
        if not m:
            continue
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", m.group(2))]
        if len(cells) < 3:
            continue
        msg_cell, status_cell = cells[-2], cells[-1]
        if msg_cell == "(none)":
            msg = ""
        else:
            spans = re.findall(r"`((?:[^`\\]|\\.)*)`", msg_cell)
            msg = "".join(s.replace("\\|", "|") + "\n" for s in spans)
        rows[m.group(1)] = (msg, int(status_cell))
    return rows


def check_limit_boundary(key, failures):
    """At n = N the input passes with no message."""
    work = scratch()
    try:
        run = run_limit_case(work, key, LIMITS[key][1])
        p, _ = execute(work, run)
        if p.returncode != 0 or p.stderr:
            failures.append("%s: at the limit itself: status %d, %s" % (
                key, p.returncode, p.stderr.decode(errors="replace").strip()))
    finally:
        shutil.rmtree(work)


def smallest_passing(make, name, lo, hi):
    """The smallest value of limit `name` in [lo, hi] under which the run passes."""
    def passes(v):
        work = scratch()
        try:
            p, _ = execute(work, make(work, v))
            return p.returncode == 0, p
        finally:
            shutil.rmtree(work)
    ok, p = passes(hi)
    if not ok:
        return None, p
    while lo < hi:
        mid = (lo + hi) // 2
        if passes(mid)[0]:
            hi = mid
        else:
            lo = mid + 1
    return lo, passes(lo - 1)[1]


def check_regex_boundary(failures):
    # a costly but finite match: backtracking over 18 letters, steps grow with each one
    def match_run(w, v):
        base(w, "@theme t\n/(a|aa)+$/\n")
        write(w, "t.txt", "MS. SMITH: We said " + "a" * 18 + "b.\n")
        return Run(tag("t.txt", extra=["--limit", "regex-match=%d" % v]), heavy=True)

    def heap_run(w, v):
        base(w, "@theme t\n/^(?:(a)|b)+$/\n")
        write(w, "t.txt", "MR. AB: " + "a" * 20000 + ".\n")
        return Run(tag("t.txt", extra=["--limit", "regex-heap-kib=%d" % v,
                                       "--limit", "token-bytes=100000"]), heavy=True)
    # about 40 runs: not under valgrind (heavy), which would only make them slow
    for name, make, hi in (("regex-match", match_run, 1000000),
                           ("regex-heap-kib", heap_run, 100000)):
        n, below = smallest_passing(make, name, 1, hi)
        want = "exceeded the %s limit (%d)" % (name, (n or 1) - 1)
        if n is None:
            failures.append("limit %s: fails even at %d" % (name, hi))
        elif n <= 1:
            failures.append("limit %s: passes at 1, the limit never bit" % name)
        elif n > 1 and (below.returncode != 1 or want not in below.stderr.decode()):
            failures.append("limit %s: passes at %d, but %d gives status %d, %s" % (
                name, n, n - 1, below.returncode, below.stderr.decode().strip()))
        else:
            print("ok   %s: passes at %d, fails at %d" % (name, n, n - 1))


def run_case(name, doc, unprivileged_ok):
    """Runs one case; returns (printed lines, failures)."""
    work = scratch()
    try:
        run = CASES[name](work)
        if run.unprivileged and not unprivileged_ok:
            return [], ["%s: cannot run as an unprivileged user here" % name]
        p, secs = execute(work, run)
        got = p.stderr.decode("utf-8", errors="replace")
        if PRINT:
            msg = "<br>".join("`%s`" % l.replace("|", "\\|") for l in got.splitlines())
            return ["| `%s` | | %s | %d |" % (name, msg or "(none)", p.returncode)], []
        want, status = doc[name]
        problems = []
        if got != want:
            problems.append("message differs:\n    got:      %r\n    expected: %r" % (
                got, want))
        if p.returncode != status:
            problems.append("status %d, expected %d" % (p.returncode, status))
        if run.max_seconds and secs > run.max_seconds * SCALE:
            problems.append("took %.1f s (limit %.0f s)" % (secs, run.max_seconds * SCALE))
        if run.check:
            problems += run.check(work, p)
        if problems:
            return (["FAIL %s" % name] + ["  " + pr for pr in problems],
                    ["%s: %s" % (name, "; ".join(problems))])
        return ["ok   %s (%.2f s)" % (name, secs)], []
    finally:
        for dirpath, dirnames, _ in os.walk(work):
            for d in dirnames:
                os.chmod(os.path.join(dirpath, d), 0o755)
        shutil.rmtree(work)


def main():
    doc = parse_doc()
    failures = []
    unprivileged_ok = can_drop_privileges()
    for name in sorted(set(doc) - set(CASES)):
        failures.append("docs/errors.md row %s has no test case" % name)
    names = []
    for name in sorted(CASES):
        if name not in doc and not PRINT:
            failures.append("case %s has no row in docs/errors.md" % name)
        else:
            names.append(name)
    # cases are independent: run them on every core (they take minutes under valgrind)
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        results = list(pool.map(lambda n: run_case(n, doc, unprivileged_ok), names))
    for lines, fails in results:
        for line in lines:
            print(line)
        failures += fails
    if not PRINT:
        for key in sorted(LIMITS):
            check_limit_boundary(key, failures)
        check_regex_boundary(failures)
    for f in failures:
        print("FAIL " + f)
    print("%d case(s), %d failure(s)" % (len(CASES), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
