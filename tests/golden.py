#!/usr/bin/env python3
"""Golden end-to-end tests: each directory under tests/golden/ is one case.

  args             the command line after `lexframe`, one argument per line ('#' comments)
  links            optional: paths relative to the source root (one per line, e.g. corpus,
                   lexicons) made available in the scratch directory under the same names,
                   so outputs show the same relative paths wherever the tree is checked out
  stdin            optional: bytes fed to the run's standard input (e.g. JSON Lines for
                   the path "-")
  status           the expected exit status (default 0)
  stdout, stderr   the expected streams, byte for byte (when the file exists)
  expected/        every file the run must write, byte for byte, relative to the case's
                   scratch directory (e.g. expected/output/frequencies.csv); no other
                   file may appear under a directory that expected/ names
  unchecked        optional: files (one relative path per line) the run must write whose
                   bytes are not compared, e.g. output/report.html (tested in a browser
                   and by unit tests instead)
  (anything else)  inputs: the run's working directory is a scratch copy of the case

Usage: golden.py LEXFRAME SOURCE_ROOT [CASE...] [--update]
--update rewrites the expected files from the current output (review the diff!).
Prints one line per case and exits 1 when any case fails.
"""
import filecmp
import os
import shutil
import subprocess
import sys
import shlex
import tempfile

# A command put in front of lexframe (the valgrind setup sets it; see valgrind-wrap.sh).
WRAPPER = shlex.split(os.environ.get("LF_EXEC_WRAPPER", ""))

SPECIAL = {"args", "links", "stdin", "status", "stdout", "stderr", "expected", "unchecked",
           "README"}


def read_args(case, root):
    args = []
    with open(os.path.join(case, "args"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            args.append(line)
    return args


def make_links(case, root, work):
    path = os.path.join(case, "links")
    if not os.path.exists(path):
        return
    for line in open(path, encoding="utf-8"):
        rel = line.strip()
        if rel and not rel.startswith("#"):
            src = os.path.join(root, rel)
            dst = os.path.join(work, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if os.path.isdir(src):
                shutil.copytree(src, dst)
            else:
                shutil.copy2(src, dst)


def run_case(exe, root, case, update):
    name = os.path.basename(case)
    failures = []
    with tempfile.TemporaryDirectory(prefix="lf-golden-") as work:
        for entry in os.listdir(case):
            if entry in SPECIAL:
                continue
            src = os.path.join(case, entry)
            dst = os.path.join(work, entry)
            if os.path.isdir(src):
                shutil.copytree(src, dst, symlinks=True)
            else:
                shutil.copy2(src, dst)
        make_links(case, root, work)
        args = read_args(case, root)
        env = dict(os.environ, LC_ALL="C.UTF-8")
        stdin_file = os.path.join(case, "stdin")
        stdin = open(stdin_file, "rb").read() if os.path.exists(stdin_file) else b""
        try:
            p = subprocess.run(WRAPPER + [exe] + args, cwd=work, capture_output=True, timeout=600,
                               env=env, input=stdin)
        except subprocess.TimeoutExpired:
            return ["timed out after 600 s"]
        status_file = os.path.join(case, "status")
        want_status = 0
        if os.path.exists(status_file):
            want_status = int(open(status_file).read().strip())
        if update:
            with open(status_file, "w") as f:
                f.write("%d\n" % p.returncode)
        elif p.returncode != want_status:
            failures.append("exit status %d, expected %d; stderr: %s"
                            % (p.returncode, want_status, p.stderr.decode(errors="replace")))
        for stream, data in (("stdout", p.stdout), ("stderr", p.stderr)):
            path = os.path.join(case, stream)
            if update:
                if data or os.path.exists(path):
                    with open(path, "wb") as f:
                        f.write(data)
            elif os.path.exists(path):
                if open(path, "rb").read() != data:
                    failures.append("%s differs:\n%s" % (stream, data.decode(errors="replace")[:2000]))
        exp = os.path.join(case, "expected")
        unchecked = set()
        if os.path.exists(os.path.join(case, "unchecked")):
            for line in open(os.path.join(case, "unchecked"), encoding="utf-8"):
                if line.strip() and not line.startswith("#"):
                    unchecked.add(os.path.normpath(line.strip()))
        for rel in sorted(unchecked):
            if not update and not os.path.exists(os.path.join(work, rel)):
                failures.append("missing output %s" % rel)
        if update and os.path.isdir(exp):
            for dirpath, _, files in os.walk(exp):
                for fn in files:
                    rel = os.path.relpath(os.path.join(dirpath, fn), exp)
                    got = os.path.join(work, rel)
                    if os.path.exists(got):
                        shutil.copy2(got, os.path.join(dirpath, fn))
                    else:
                        os.remove(os.path.join(dirpath, fn))
        elif os.path.isdir(exp):
            dirs = set()
            for dirpath, _, files in os.walk(exp):
                dirs.add(os.path.relpath(dirpath, exp))
                for fn in files:
                    rel = os.path.relpath(os.path.join(dirpath, fn), exp)
                    got = os.path.join(work, rel)
                    if not os.path.exists(got):
                        failures.append("missing output %s" % rel)
                    elif not filecmp.cmp(os.path.join(dirpath, fn), got, shallow=False):
                        failures.append("output %s differs" % rel)
            for d in dirs:
                if d == ".":
                    continue
                got_dir = os.path.join(work, d)
                for fn in os.listdir(got_dir) if os.path.isdir(got_dir) else []:
                    if os.path.normpath(os.path.join(d, fn)) in unchecked:
                        continue
                    if not os.path.exists(os.path.join(exp, d, fn)):
                        failures.append("unexpected output %s/%s" % (d, fn))
    return failures


def main():
    argv = sys.argv[1:]
    update = "--update" in argv
    argv = [a for a in argv if a != "--update"]
    exe, root = os.path.abspath(argv[0]), os.path.abspath(argv[1])
    cases_dir = os.path.join(root, "tests", "golden")
    names = argv[2:] or sorted(d for d in os.listdir(cases_dir)
                               if os.path.isdir(os.path.join(cases_dir, d)))
    bad = 0
    for n in names:
        failures = run_case(exe, root, os.path.join(cases_dir, n), update)
        if failures:
            bad += 1
            print("FAIL %s" % n)
            for f in failures:
                print("  " + f.replace("\n", "\n  "))
        else:
            print("ok   %s" % n)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
