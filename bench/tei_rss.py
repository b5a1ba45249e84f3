#!/usr/bin/env python3
"""Peak memory while lexframe reads a large TEI file.

Generates a ParlaMint-style TEI file of at least --mb megabytes in a temporary directory
(never in the tree): a header with a listPerson of 400 members and dated party
affiliations, then day after day of debate sections with utterances (<u who ana>) of a few
<seg> paragraphs each, with notes and gaps between them and framing vocabulary in the
text. Then runs `lexframe report` on it (and, with --tei, `lexframe tag --format tei`)
and prints the file size, wall time, throughput and peak resident set size of each run,
taken from the kernel's accounting of the child (getrusage RUSAGE_CHILDREN, ru_maxrss).
With --sizes it repeats the report run for several sizes so that flat memory shows as
the same peak RSS for files of very different sizes.

Usage: bench/tei_rss.py [--exe build/lexframe] [--mb 200] [--sizes 25,100,200] [--tei]
                        [--part-bytes N] [--keep]
"""
import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time

WORDS = ("the minister said that we will not accept a deal which leaves our partners "
         "without verification and the house must know whether sanctions relief comes "
         "before compliance or after it because trust has been broken many times and "
         "the other side betrayed the agreement while asking for leverage at home there "
         "is pressure from hardliners and the deadline is close so the government will "
         "keep its commitments and insist on inspections by the agency of every site").split()


def sentence(rng):
    n = rng.randint(8, 28)
    s = " ".join(rng.choice(WORDS) for _ in range(n))
    return s[0].upper() + s[1:] + rng.choice([".", ".", ".", "?", ""])


def generate(path, mb, seed=7):
    rng = random.Random(seed)
    target = mb * 1024 * 1024
    persons = [f"Member{i:03d}" for i in range(400)]
    parties = ["CON", "LAB", "LD", "SNP", "GRN"]
    with open(path, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="Bench" xml:lang="en">\n'
                '<teiHeader><fileDesc><titleStmt><title type="main">Generated benchmark '
                'sitting</title><meeting n="1" ana="#parla.lower #parla.term"/>'
                '</titleStmt></fileDesc>\n<encodingDesc><classDecl><taxonomy>'
                '<category xml:id="chair"><catDesc><term>Chairperson</term></catDesc>'
                '</category><category xml:id="regular"><catDesc><term>Regular</term>'
                '</catDesc></category></taxonomy></classDecl></encodingDesc>\n'
                '<profileDesc><settingDesc><setting><date when="2021-03-04"/></setting>'
                '</settingDesc><particDesc><listPerson>\n')
        for i, p in enumerate(persons):
            a, b = parties[i % 5], parties[(i + 1) % 5]
            f.write(f'<person xml:id="{p}"><persName><surname>Surname{i}</surname>'
                    f'<forename>Forename</forename></persName>'
                    f'<affiliation ref="#party.{a}" role="member" from="2010-01-01" '
                    f'to="2019-12-31"/><affiliation ref="#party.{b}" role="member" '
                    f'from="2020-01-01"/></person>\n')
        f.write('</listPerson><listOrg>\n')
        for p in parties:
            f.write(f'<org xml:id="party.{p}" role="politicalParty"><orgName full="abb">{p}'
                    f'</orgName></org>\n')
        f.write('</listOrg></particDesc></profileDesc></teiHeader>\n<text><body>\n')
        u = seg = 0
        while f.tell() < target:
            f.write(f'<div type="debateSection"><head>Debate {u}</head>\n')
            for _ in range(rng.randint(5, 40)):
                u += 1
                who = rng.choice(persons)
                ana = "#chair" if rng.random() < 0.1 else "#regular"
                f.write(f'<u xml:id="Bench.u{u}" who="#{who}" ana="{ana}">\n')
                for _ in range(rng.randint(1, 5)):
                    seg += 1
                    text = " ".join(sentence(rng) for _ in range(rng.randint(1, 6)))
                    f.write(f'<seg xml:id="Bench.seg{seg}">{text}</seg>\n')
                f.write('</u>\n')
                if rng.random() < 0.05:
                    f.write('<note>Interruption.</note>\n')
            f.write('<gap reason="editorial"><desc>SAMPLING</desc></gap></div>\n')
        f.write('</body></text></TEI>\n')
    return os.path.getsize(path)


def measure(cmd):
    """Runs cmd alone in a fresh python child so that RUSAGE_CHILDREN is its own."""
    probe = ("import resource,subprocess,sys,time\n"
             "t=time.monotonic()\n"
             "p=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.PIPE)\n"
             "t=time.monotonic()-t\n"
             "r=resource.getrusage(resource.RUSAGE_CHILDREN)\n"
             "print(p.returncode,t,r.ru_maxrss,r.ru_utime+r.ru_stime)\n"
             "sys.stderr.write(p.stderr.decode()[-2000:])\n")
    out = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True)
    rc, wall, rss_kib, cpu = out.stdout.split()
    if int(rc) != 0:
        sys.stderr.write(out.stderr)
    return int(rc), float(wall), int(rss_kib), float(cpu)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exe", default="build/lexframe")
    ap.add_argument("--lexicons", default="lexicons")
    ap.add_argument("--mb", type=int, default=200)
    ap.add_argument("--sizes", default="")
    ap.add_argument("--tei", action="store_true", help="also time tag --format tei")
    ap.add_argument("--part-bytes", type=int, default=0,
                    help="pass --limit part-bytes=N (default: lexframe's)")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    a = ap.parse_args()
    exe = os.path.abspath(a.exe)
    sizes = [int(s) for s in a.sizes.split(",") if s] or [a.mb]
    work = tempfile.mkdtemp(prefix="lf-bench-tei-")
    print(f"lexframe {subprocess.run([exe, '--version'], capture_output=True, text=True).stdout.split()[-1]}, "
          f"files in {work}")
    print(f"{'file MB':>8} {'run':<18} {'wall s':>7} {'cpu s':>7} {'MB/s':>7} {'peak RSS MB':>11}")
    try:
        for mb in sizes:
            path = os.path.join(work, f"bench-{mb}mb.xml")
            size = generate(path, mb)
            lim = ["--limit", f"part-bytes={a.part_bytes}"] if a.part_bytes else []
            runs = [("report", [exe, "report", "-l", a.lexicons, *lim, "-o",
                                os.path.join(work, f"out-{mb}"), path])]
            if a.tei:
                runs.append(("tag --format tei", [exe, "tag", "-l", a.lexicons, *lim,
                                                  "--format", "tei", "-o", os.devnull, path]))
            for name, cmd in runs:
                rc, wall, rss, cpu = measure(cmd)
                print(f"{size / 1048576:8.1f} {name:<18} {wall:7.2f} {cpu:7.2f} "
                      f"{size / 1048576 / wall:7.1f} {rss / 1024:11.1f}"
                      + ("" if rc == 0 else f"  (exit status {rc})"))
            if not a.keep:
                os.remove(path)
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
