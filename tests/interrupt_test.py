#!/usr/bin/env python3
"""Nothing half-written, nothing lost: a report run interrupted midway leaves the previous
report byte-identical.

A first report is written from a small corpus. Then, for each of SIGTERM, SIGINT, SIGHUP
and SIGKILL, in threaded (-j 2) and single-pipeline (-j 1) runs, a report run over a
corpus large enough to take seconds is started, the test
waits until its temporary files exist in output/ (the run is then midway: the temporary
matches.tsv is created before the first document is read and renamed after the last), and
sends the signal. The run must die by that signal, output/ must hold exactly the previous
files with the previous bytes, and — except after SIGKILL, which cannot be caught — no
temporary file may remain. With SIGHUP ignored (nohup), SIGHUP must not stop the run.
Finally an uninterrupted run must change output/, so the checks above were not vacuous.

Usage: interrupt_test.py LEXFRAME SOURCE_ROOT
LF_EXEC_WRAPPER (e.g. valgrind) is put before lexframe, as in the other runners;
LF_TIME_SCALE makes the corpus smaller for slower builds.
"""
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

EXE = os.path.abspath(sys.argv[1])
ROOT = os.path.abspath(sys.argv[2])
WRAPPER = shlex.split(os.environ.get("LF_EXEC_WRAPPER", ""))
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def tree(d):
    """Every file in d, hidden ones included: name -> bytes."""
    out = {}
    for name in sorted(os.listdir(d)):
        with open(os.path.join(d, name), "rb") as f:
            out[name] = f.read()
    return out


def visible(t):
    return {k: v for k, v in t.items() if not k.startswith(".")}


def make_corpus(work):
    """About 30 MB of real-looking transcripts (the sample corpus, many times over), less
    when lexframe runs slower (LF_TIME_SCALE under sanitizers and valgrind): a run takes
    about two seconds either way."""
    scale = float(os.environ.get("LF_TIME_SCALE", "1"))
    n_files = max(60, int(3000 / scale))
    texts = []
    for name in sorted(os.listdir(os.path.join(ROOT, "corpus"))):
        if name.endswith(".txt"):
            with open(os.path.join(ROOT, "corpus", name), "rb") as f:
                texts.append(f.read())
    os.makedirs(os.path.join(work, "big"))
    for i in range(n_files):
        with open(os.path.join(work, "big", "t%04d.txt" % i), "wb") as f:
            f.write(texts[i % len(texts)])
    os.makedirs(os.path.join(work, "small"))
    shutil.copy(os.path.join(ROOT, "corpus", "bayyenat-interview.txt"),
                os.path.join(work, "small"))


def start(work, jobs, sighup_ignored=False):
    def pre():
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGHUP, signal.SIG_IGN if sighup_ignored else signal.SIG_DFL)
    return subprocess.Popen(WRAPPER + [EXE, "report", "-j", str(jobs), "-l", "lexicons",
                                       "-o", "output", "big"],
                            cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            preexec_fn=pre)


def wait_midway(work, proc, timeout=120):
    """Waits until the run's temporary matches.tsv exists; False if the run ended first."""
    out = os.path.join(work, "output")
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if any(n.startswith(".matches.tsv.tmp-") for n in os.listdir(out)):
            time.sleep(0.05)  # into the documents
            return proc.poll() is None
        if proc.poll() is not None:
            return False
        time.sleep(0.005)
    return False


def main():
    work = tempfile.mkdtemp(prefix="lf-interrupt-")
    try:
        shutil.copytree(os.path.join(ROOT, "lexicons"), os.path.join(work, "lexicons"))
        make_corpus(work)
        p = subprocess.run(WRAPPER + [EXE, "report", "-l", "lexicons", "-o", "output", "small"],
                           cwd=work, capture_output=True)
        check(p.returncode == 0, "the first report is written")
        before = tree(os.path.join(work, "output"))
        check("manifest.json" in before and "matches.tsv" in before and
              not any(k.startswith(".") for k in before),
              "it has its files (%d) and no temporary one" % len(before))

        # threaded runs (-j 2) and single-pipeline ones (-j 1) alike
        for sig, jobs in ((signal.SIGTERM, 2), (signal.SIGINT, 1), (signal.SIGHUP, 2),
                          (signal.SIGKILL, 1), (signal.SIGTERM, 1), (signal.SIGINT, 2)):
            name = "%s (-j %d)" % (signal.Signals(sig).name, jobs)
            proc = start(work, jobs)
            midway = wait_midway(work, proc)
            check(midway, "%s: the run is caught midway (its temporary files exist)" % name)
            if not midway:
                proc.kill()
                proc.wait()
                continue
            proc.send_signal(sig)
            proc.wait(timeout=300)
            check(proc.returncode == -sig, "%s: lexframe ends by the signal (status %d)"
                  % (name, proc.returncode))
            after = tree(os.path.join(work, "output"))
            check(visible(after) == before,
                  "%s: output/ holds the previous report, byte for byte" % name)
            left = sorted(k for k in after if k.startswith("."))
            if sig == signal.SIGKILL:
                check(all(".tmp-" in k for k in left),
                      "%s: only hidden temporary files are left (%d)" % (name, len(left)))
                for k in left:
                    os.remove(os.path.join(work, "output", k))
            else:
                check(not left, "%s: no temporary file is left (%s)" % (name, left))

        proc = start(work, 2, sighup_ignored=True)
        midway = wait_midway(work, proc)
        check(midway, "with SIGHUP ignored (nohup): the run is caught midway")
        if midway:
            proc.send_signal(signal.SIGHUP)
        proc.wait(timeout=600)
        check(proc.returncode == 0, "with SIGHUP ignored (nohup), SIGHUP does not stop the run")
        after = tree(os.path.join(work, "output"))
        check(sorted(after) == sorted(before) and after != before,
              "that run replaces the report with the new one, and leaves nothing else")
    finally:
        shutil.rmtree(work)
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
