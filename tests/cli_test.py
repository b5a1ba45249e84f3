#!/usr/bin/env python3
"""CLI behaviour that golden files cannot express: reproducibility across runs, the
documentation agreeing with the program, and the seed passages the product promises.

Usage: cli_test.py LEXFRAME SOURCE_ROOT
"""
import csv
import io
import json
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


def run(args, cwd, stdin=None):
    return subprocess.run(WRAPPER + [EXE] + args, cwd=cwd, capture_output=True, timeout=600,
                          input=stdin)


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


REPORT_FILES = ["comparison.csv", "cooccurrence.csv", "first_appearance.csv",
                "frequencies.csv", "manifest.json", "matches.tsv", "report.html",
                "summary.md", "tables.json", "terms.csv", "trends.csv"]


def test_reproducible():
    d = scratch()
    try:
        p1 = run([], d)
        first = read_tree(os.path.join(d, "output"))
        p2 = run([], d)
        second = read_tree(os.path.join(d, "output"))
        check(p1.returncode == 0 and p2.returncode == 0, "report runs succeed")
        check(sorted(first) == sorted(REPORT_FILES),
              "report writes exactly the %d report files (no temporary files left)"
              % len(REPORT_FILES))
        check(first == second, "two report runs give byte-identical files")
        t1 = run(["tag", "--format", "jsonl", "corpus"], d).stdout
        t2 = run(["tag", "--format", "jsonl", "corpus"], d).stdout
        check(t1 == t2 and len(t1) > 1000, "two tag runs give identical bytes")
    finally:
        shutil.rmtree(d)


def without_command(manifest):
    """The manifest minus its command line, which names the -j option itself."""
    return re.sub(rb'"command": "[^\n]*\n', b"", manifest)


def html_without_command(page):
    """report.html minus the command line in its manifest section."""
    return re.sub(rb"<dt>Command</dt><dd><code>[^\n]*</code></dd>\n", b"", page)


def test_threads_change_nothing():
    d = scratch()
    try:
        # more inputs than threads, a bad one and a warning among them
        for i in range(6):
            shutil.copy(os.path.join(d, "corpus", "panel-debate-illustrative.txt"),
                        os.path.join(d, "corpus", "copy%d.txt" % i))
        with open(os.path.join(d, "corpus", "copy3-bad.txt"), "wb") as f:
            f.write(b"MR. A: bad \xff byte\n")
        inputs = ["corpus"]
        shared = os.environ.get("LF_SHARED_DATA") or os.environ.get("LF_SHARED_DATA_DEFAULT")
        wh = os.path.join(shared or "", "transcripts", "whitehouse-2021-2023", "press-briefings",
                          "2022-01")
        if os.path.isdir(wh):
            inputs.append(wh)
        # JSON Lines on standard input after the files: many records, bad ones among them
        records = []
        for i in range(40):
            name = sorted(os.listdir(os.path.join(d, "corpus")))[i % 3]
            with open(os.path.join(d, "corpus", name), encoding="utf-8") as f:
                records.append(json.dumps({"id": "rec%02d" % i, "party": "P%d" % (i % 4),
                                           "text": f.read()}))
        records[7] = '{"id": "bad", "text": "unterminated'
        records[19] = '{"id": "nul", "text": "a\\u0000b"}'
        stream = ("\n".join(records) + "\n").encode()
        inputs.append("-")
        results = []
        for jobs in ("1", "2", "5"):
            out = "out-j" + jobs
            p = run(["report", "-j", jobs, "-o", out, "--by", "meta:party"] + inputs, d,
                    stdin=stream)
            files = read_tree(os.path.join(d, out))
            files["manifest.json"] = without_command(files["manifest.json"])
            files["report.html"] = html_without_command(files["report.html"])
            t = run(["tag", "-j", jobs, "--all", "--format", "jsonl"] + inputs, d, stdin=stream)
            results.append((p.returncode, p.stderr, files, t.returncode, t.stdout, t.stderr))
        check(results[0][0] == 1 and b"copy3-bad.txt:1: invalid UTF-8" in results[0][1] and
              b"<stdin>:8:36: invalid JSON" in results[0][1] and
              b"<stdin>:20: text line 1: NUL byte" in results[0][1],
              "threads: the bad input and the bad records are reported (exit 1)")
        check(b'"doc":"rec39"' in results[0][4] and b"meta:party,P3," in
              results[0][2]["frequencies.csv"], "threads: the JSON Lines records are counted")
        check(results[0] == results[1] == results[2],
              "report and tag give the same bytes, messages and status on 1, 2 and 5 threads "
              "(%s, and JSON Lines on standard input)"
              % ("corpus and a month of briefings" if len(inputs) > 2 else "corpus"))
        p = run(["report", "-j", "0"], d)
        check(p.returncode == 2 and b"--jobs" in p.stderr, "--jobs 0 is a usage error")
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



def read_csv(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_tables_json_matches_csv():
    """tables.json holds the same rows as the CSV files, value for value."""
    d = scratch()
    try:
        p = run([], d)
        check(p.returncode == 0, "report succeeds")
        out = os.path.join(d, "output")
        tables = json.load(open(os.path.join(out, "tables.json"), encoding="utf-8"))
        check(tables["groupings"] == ["corpus", "document", "speaker", "party", "role",
                                      "period"], "tables.json lists the default groupings")
        for name in ("frequencies", "terms", "cooccurrence", "comparison", "trends",
                     "first_appearance"):
            rows = read_csv(open(os.path.join(out, name + ".csv"), encoding="utf-8").read())
            cols = tables[name]["columns"]
            js = [dict(zip(cols, values)) for values in tables[name]["data"]]
            same = len(rows) == len(js) and len(rows) > 0
            for r, j in zip(rows, js):
                if list(r) != cols:
                    same = False
                    break
                for k, v in r.items():
                    w = j[k]
                    if w is None:
                        ok = v in ("NA", "")
                    elif isinstance(w, bool):
                        ok = v == ("1" if w else "0")
                    elif isinstance(w, (int, float)):
                        ok = v != "NA" and float(v) == float(w)
                    else:
                        ok = v == w
                    if not ok:
                        same = False
            check(same, "tables.json %s has the %d rows of %s.csv" % (name, len(rows), name))
    finally:
        shutil.rmtree(d)


def compare_rows(args, cwd):
    p = run(["compare", "--format", "json"] + args, cwd)
    if p.returncode != 0:
        return p, []
    table = json.loads(p.stdout.decode())["comparison"]
    return p, [dict(zip(table["columns"], values)) for values in table["data"]]


def finding(rows, group, theme):
    """The row where `group` uses `theme` more than the rest: adjusted p < 0.05, CI > 1."""
    for r in rows:
        if r["group"] == group and r["theme"] == theme:
            return r["p_adjusted"] is not None and r["p_adjusted"] < 0.05 and \
                r["rate_ratio_ci_low"] is not None and r["rate_ratio_ci_low"] > 1
    return False


# The framing each illustrative speaker was written with (corpus/README.md), as themes
# the comparison must find over-used against the rest of the corpus.
EXPECTED_FRAMING = [
    ("speaker", "Alistair Crane", "trust.distrust"),
    ("speaker", "Amara Okafor", "commitment.betrayal"),
    ("speaker", "Miriam Stahl", "negotiation.leverage"),
    ("speaker", "Sarah Whitlock", "negotiation.sequencing"),
    ("speaker", "Sarah Whitlock", "goodwill.gesture"),
    ("speaker", "Sarah Whitlock", "goodwill.confidence_building"),
    ("speaker", "Leyla Sarrafi", "compliance.verification"),
    ("speaker", "Jonas Lindqvist", "time_pressure"),
    ("speaker", "Daniela Reyes", "goodwill.gesture"),
    ("speaker", "Erik Halvorsen", "compliance.verification"),
    ("party", "Conservative", "negotiation.leverage"),
    ("party", "Labour", "goodwill.gesture"),
    ("party", "Labour", "negotiation.sequencing"),
    ("party", "independent", "compliance.verification"),
]
# Framing the speakers were written NOT to use, which the comparison must not claim.
NOT_FRAMING = [
    ("Sarah Whitlock", "commitment.betrayal"),
    ("Sarah Whitlock", "negotiation.leverage"),
    ("Alistair Crane", "goodwill.gesture"),
    ("Miriam Stahl", "goodwill.gesture"),
    ("Leyla Sarrafi", "negotiation.leverage"),
    ("Ruth Calloway", "negotiation.leverage"),
]


def test_compare_finds_framing():
    p, rows = compare_rows(["--by", "speaker", "--by", "party"], ROOT)
    check(p.returncode == 0 and len(rows) > 100, "compare by speaker and party succeeds")
    for kind, group, theme in EXPECTED_FRAMING:
        check(finding([r for r in rows if r["group_type"] == kind], group, theme),
              "compare finds that %s uses %s more than the rest" % (group, theme))
    for group, theme in NOT_FRAMING:
        check(not finding(rows, group, theme),
              "compare does not claim that %s leans on %s" % (group, theme))
    # Crane against Whitlock directly: distrust on his side, goodwill on hers.
    p, rows = compare_rows(["--target", "Alistair Crane", "--reference", "Sarah Whitlock",
                            "--adjust", "bh"], ROOT)
    by_theme = {r["theme"]: r for r in rows}
    check(p.returncode == 0 and by_theme["trust.distrust"]["g2"] > 0 and
          by_theme["goodwill.gesture"]["g2"] < 0 and
          by_theme["negotiation.sequencing"]["p_adjusted"] < 0.05 and
          all(r["reference"] == "Sarah Whitlock" and r["adjustment"] == "bh" for r in rows),
          "Crane against Whitlock: distrust up, goodwill and sequencing down (BH)")
    # The markdown states findings in sentences with their figures.
    p = run(["compare", "--by", "speaker", "--format", "md"], ROOT)
    md = p.stdout.decode()
    check(re.search(r"\*\*Miriam Stahl\*\* uses \*Leverage\* [0-9.]+ times as often as the "
                    r"rest of the corpus per 1,000 words \([0-9.]+ vs [0-9.]+; 95% CI "
                    r"[0-9.]+\u2013[0-9.]+; G\u00b2 = [0-9.]+, adjusted p [<=] [0-9.]+\)\.", md)
          is not None, "compare --format md states Stahl's leverage with its figures")
    p = run(["compare", "--target", "Nobody"], ROOT)
    check(p.returncode == 2 and b"--target: no group is named 'Nobody'" in p.stderr,
          "an unknown --target is a usage error (exit 2)")
    p = run(["compare", "--by", "speaker", "--min-words", "300"], ROOT)
    check(p.returncode == 0 and b"left out (fewer than 300 words): speaker Reporter "
          b"(unnamed) (40 words)" in p.stderr and b",Reporter (unnamed)," not in p.stdout and
          b",Ruth Calloway," in p.stdout,
          "compare --min-words leaves small groups out and lists them on stderr")


def test_filters_and_levels():
    d = scratch()
    try:
        p = run(["--exclude-speaker", "Ruth Calloway", "--exclude-speaker", "Q",
                 "--by", "speaker"], d)
        out = os.path.join(d, "output")
        freq = read_csv(open(os.path.join(out, "frequencies.csv"), encoding="utf-8").read())
        matches = open(os.path.join(out, "matches.tsv"), encoding="utf-8").read()
        summary = open(os.path.join(out, "summary.md"), encoding="utf-8").read()
        groups = {(r["group_type"], r["group"]) for r in freq}
        check(p.returncode == 0 and ("speaker", "Ruth Calloway") not in groups and
              ("speaker", "Reporter (unnamed)") not in groups and
              ("speaker", "Miriam Stahl") in groups,
              "--exclude-speaker by name and by label leaves those turns out of the tables")
        check("\tRuth Calloway\t" not in matches and "\tMiriam Stahl\t" in matches,
              "--exclude-speaker leaves their matches out of matches.tsv")
        check(re.search(r"\d+ turns \([\d,]+ words\) by speakers left out by the speaker "
                        r"filters are not counted", summary) is not None,
              "the summary says how much talk the speaker filters left out")
        check({r["group_type"] for r in freq} == {"corpus", "speaker", "period"},
              "--by speaker (plus the periods of trends.csv) sets the report's groupings")
        p = run(["--level", "1", "-o", "lvl"], d)
        freq = read_csv(open(os.path.join(d, "lvl", "frequencies.csv"),
                             encoding="utf-8").read())
        themes = sorted({r["theme"] for r in freq})
        corpus = {r["theme"]: int(r["matches"]) for r in freq if r["group_type"] == "corpus"}
        check(p.returncode == 0 and "." not in "".join(themes) and "trust" in themes and
              "time_pressure" in themes, "--level 1 reports only top-level themes")
        p = run(["-o", "lvl0"], d)
        leaf = {r["theme"]: int(r["matches"])
                for r in read_csv(open(os.path.join(d, "lvl0", "frequencies.csv"),
                                       encoding="utf-8").read())
                if r["group_type"] == "corpus"}
        for parent in ("trust", "commitment"):
            kids = sum(v for k, v in leaf.items() if k.startswith(parent + "."))
            check(kids > 0 and corpus.get(parent) == kids,
                  "--level 1 rolls children into parents (%s: %d = %d)"
                  % (parent, corpus.get(parent, -1), kids))
    finally:
        shutil.rmtree(d)


def test_kwic_extras():
    tsv = run(["kwic", "--entry", "leverage", "--format", "tsv", "corpus"], ROOT).stdout
    rows = [l.split("\t") for l in tsv.decode().splitlines()]
    check(rows[0][-2:] == ["left", "right"] and len(rows) > 3 and
          all(r[12] == "leverage" for r in rows[1:]), "kwic --entry keeps one entry's lines")
    by_line = run(["kwic", "--entry", "framing.lexicon:%s" % rows[1][14], "--format", "tsv",
                   "corpus"], ROOT).stdout
    check(by_line == tsv, "kwic --entry FILE:LINE selects the same entry")
    js = run(["kwic", "--format", "json", "--theme", "trust", "corpus"], ROOT)
    arr = json.loads(js.stdout.decode())
    check(js.returncode == 0 and len(arr) > 5 and
          all(r["theme"].startswith("trust") and "left" in r for r in arr),
          "kwic --format json writes one JSON array with context")
    a = run(["kwic", "--sample", "3", "--seed", "5", "corpus"], ROOT).stdout
    b = run(["kwic", "--sample", "3", "--seed", "5", "corpus"], ROOT).stdout
    c = run(["kwic", "--sample", "3", "--seed", "6", "corpus"], ROOT).stdout
    themes = run(["kwic", "--sample", "3", "--seed", "5", "--format", "tsv", "corpus"],
                 ROOT).stdout.decode().splitlines()[1:]
    per_theme = {}
    for l in themes:
        t = l.split("\t")[11]
        per_theme[t] = per_theme.get(t, 0) + 1
    check(a == b and a != c and max(per_theme.values()) == 3 and len(per_theme) >= 10,
          "kwic --sample N --seed S: the same lines for the same seed, N per theme")
    for args, what in ((["--by", "speakers"], "--by"), (["--period", "week"], "--period"),
                       (["--adjust", "bonferroni"], "--adjust"),
                       (["kwic", "--sample", "0"], "--sample"),
                       (["kwic", "--by", "speaker"], "--by"),
                       (["kwic", "--width", "+3"], "--width"),
                       (["--jobs", " 2"], "--jobs"),
                       (["--limit", "turns= -5"], "--limit turns"),
                       (["--limit", "turns=+5"], "--limit turns"),
                       (["--limit", "turns=0"], "--limit turns"),
                       (["--limit", "no-such=3"], "unknown limit"),
                       (["--limit", "turns"], "--limit")):
        p = run(args, ROOT)
        check(p.returncode == 2 and what.encode() in p.stderr,
              "%s: a bad value is a usage error (exit 2)" % " ".join(args))


def test_text_white_space():
    """The text, left and right columns write every run of white space as one space (a
    phrase matched across a line break stays on one TSV row), and the context is trimmed;
    the byte offsets still give the exact bytes."""
    d = tempfile.mkdtemp(prefix="lf-cli-")
    try:
        doc = ("MS. LEE: We were   told  the\n   trusted\n\tpartner\u00a0walked away, "
               "and\nthen a trusted \u00a0 partner came.\n")
        with open(os.path.join(d, "t.txt"), "w", encoding="utf-8") as f:
            f.write(doc)
        with open(os.path.join(d, "p.lexicon"), "w", encoding="utf-8") as f:
            f.write("@theme trust\ntrusted partner\n")
        p = run(["kwic", "-l", "p.lexicon", "--format", "tsv", "--width", "3", "t.txt"], d)
        rows = [l.split("\t") for l in p.stdout.decode().splitlines()]
        head = rows[0]
        col = {name: i for i, name in enumerate(head)}
        check(p.returncode == 0 and len(rows) == 3, "two phrase matches across white space")
        raw = doc.encode()
        texts = [r[col["text"]] for r in rows[1:]]
        spans = [raw[int(r[col["byte_start"]]):int(r[col["byte_end"]])] for r in rows[1:]]
        check(texts == ["trusted partner", "trusted partner"] and
              spans == ["trusted\n\tpartner".encode(), "trusted \u00a0 partner".encode()],
              "text has one space per run of white space; the byte span is exact")
        check([(r[col["left"]], r[col["right"]]) for r in rows[1:]] ==
              [("were told the", "walked away, and"), ("and then a", "came")],
              "left and right context: white space collapsed, ends trimmed")
    finally:
        shutil.rmtree(d)


def test_negation_window_range():
    """--negation-window takes the range a lexicon's @negation-window takes (0 to 100): a
    lexicon may declare 100, so the option that overrides it must accept 100 too."""
    p = run(["tag", "--negation-window", "100", "corpus"], ROOT)
    check(p.returncode == 0, "--negation-window 100 is accepted, as @negation-window 100 is")
    p = run(["tag", "--negation-window", "101", "corpus"], ROOT)
    check(p.returncode == 2 and b"is not a number from 0 to 100" in p.stderr,
          "--negation-window 101 is a usage error naming the range 0 to 100")



def test_manifest_records_options():
    """Every option that changes a result is in manifest.json with its value, so a report
    can be redone from its manifest: how lexicons were read and report.html's sample."""
    d = scratch()
    try:
        with open(os.path.join(d, "trust.txt"), "w") as f:
            f.write("trust\nconfidence\n")
        p = run(["report", "-l", "trust.txt", "--lexicon-format", "wordlist", "--encoding",
                 "ISO-8859-1", "--lexicon-theme", "faith", "--sample", "3", "--seed", "9",
                 "--width", "5", "-o", "out", "corpus"], d)
        m = json.loads(open(os.path.join(d, "out", "manifest.json"), "rb").read())["options"]
        want = {"lexicon-format": "wordlist", "encoding": "ISO-8859-1", "lexicon-theme": "faith",
                "sample": "3", "seed": "9", "width": "5"}
        check(p.returncode == 0 and all(m.get(k) == v for k, v in want.items()),
              "the manifest records the lexicon reading and evidence options (%s)"
              % {k: m.get(k) for k in want})
    finally:
        shutil.rmtree(d)


def test_context_rules_in_summary():
    """Matches a context rule suppresses are counted apart in summary.md, not with the
    exclusions (the lexicon of the context-rules golden case has no exclusion), and in the
    manifest's total of suppressed matches."""
    d = tempfile.mkdtemp(prefix="lf-cli-")
    try:
        g = os.path.join(ROOT, "tests", "golden", "context-rules")
        p = run(["report", "-l", os.path.join(g, "r.lexicon"), "-o", os.path.join(d, "out"),
                 os.path.join(g, "t.txt")], d)
        md = open(os.path.join(d, "out", "summary.md"), encoding="utf-8").read()
        man = json.loads(open(os.path.join(d, "out", "manifest.json"), "rb").read())
        check(p.returncode == 0 and
              "0 matches cancelled by an exclusion, 2 matches whose theme's context rule "
              "did not hold, and" in md and man["counts"]["suppressed"] == 2,
              "summary.md counts context-rule suppressions apart from exclusions")
    finally:
        shutil.rmtree(d)



def test_min_count_in_summary():
    """summary.md lists the co-occurring pairs of cooccurrence.csv: with --min-count 5 no
    pair sharing fewer than 5 units, and it says so."""
    d = scratch()
    try:
        p = run(["report", "--min-count", "5", "-o", "out"], d)
        md = open(os.path.join(d, "out", "summary.md"), encoding="utf-8").read()
        shared = [int(n.replace(",", "")) for n in
                  re.findall(r"(?: share |\*: )([0-9,]+) of ", md)]
        check(p.returncode == 0 and "share at least 5 units" in md and len(shared) >= 5 and
              min(shared) >= 5, "summary.md follows --min-count 5 (pairs sharing %s units)"
              % sorted(set(shared)))
    finally:
        shutil.rmtree(d)



def test_help_after_lexicon():
    """'lexframe lexicon --help' prints the help (which lists the subcommands), as
    'lexframe tag --help' does; 'lexframe lexicon' alone is still a usage error."""
    full = run(["--help"], ROOT).stdout
    for flag in ("--help", "-h"):
        p = run(["lexicon", flag], ROOT)
        check(p.returncode == 0 and p.stdout == full and not p.stderr,
              "lexframe lexicon %s prints the help" % flag)
    p = run(["lexicon", "--version"], ROOT)
    check(p.returncode == 0 and p.stdout.startswith(b"lexframe "),
          "lexframe lexicon --version prints the version")
    p = run(["lexicon"], ROOT)
    check(p.returncode == 2 and b"needs a subcommand" in p.stderr,
          "lexframe lexicon alone is a usage error")



def test_command_help():
    """'lexframe CMD --help' gives that command's usage and only the options it takes; the
    full help (every command) comes without a command."""
    full = run(["--help"], ROOT).stdout
    p = run(["tag", "--help"], ROOT)
    check(p.returncode == 0 and p.stdout.startswith(b"Usage: lexframe tag ") and
          b"--format" in p.stdout and b"--partial" not in p.stdout and
          b"Commands:" not in p.stdout and len(p.stdout) < len(full),
          "lexframe tag --help: tag's usage and options only")
    p = run(["lexicon", "convert", "-h"], ROOT)
    check(p.returncode == 0 and b"IN OUT" in p.stdout and b"--lossy" in p.stdout and
          b"--jobs" not in p.stdout, "lexframe lexicon convert -h: its own options")
    check(b"--partial" in full and b"--lossy" in full and b"Commands:" in full,
          "lexframe --help: every command and option")


def test_expand_with_a_bad_input():
    """lexicon expand treats a bad input among several as the other commands do: named
    once on standard error, the table of the others written (to standard output or to
    --output), exit 1; with --strict nothing is written."""
    d = scratch()
    try:
        with open(os.path.join(d, "corpus", "b-bad.txt"), "wb") as f:
            f.write(b"MR. A: bad \xff byte\n")
        msg = b"lexframe: corpus/b-bad.txt:1: invalid UTF-8 at byte offset 11\n"
        p = run(["lexicon", "expand", "lexicons"], d)
        check(p.returncode == 1 and p.stderr == msg and
              p.stdout.startswith(b"theme\tentry\t") and p.stdout.count(b"\n") > 100,
              "lexicon expand: a bad input is named once, the table written, exit 1")
        q = run(["lexicon", "expand", "-o", "x.tsv", "lexicons"], d)
        path = os.path.join(d, "x.tsv")
        check(q.returncode == 1 and q.stderr == msg and os.path.exists(path) and
              open(path, "rb").read() == p.stdout,
              "lexicon expand -o: the same table in the file, exit 1")
        if os.path.exists(path):
            os.unlink(path)
        r = run(["lexicon", "expand", "--strict", "-o", "x.tsv", "lexicons"], d)
        s = run(["lexicon", "expand", "--strict", "lexicons"], d)
        check(r.returncode == 1 and r.stderr == msg and not os.path.exists(path) and
              s.returncode == 1 and s.stderr == msg and s.stdout == b"",
              "lexicon expand --strict: stops at the bad input, writes nothing, exit 1")
        with open(os.path.join(d, "corpus", "b-bad.txt"), "wb") as f:
            f.write(b"MR. A: " + b"x" * 40 + b"\n")
        t = run(["lexicon", "expand", "--limit", "token-bytes=32", "lexicons"], d)
        check(t.returncode == 1 and t.stderr.count(b"token-bytes") == 2 and
              t.stderr.count(b"\n") == 1 and t.stdout == p.stdout,
              "lexicon expand: an input over a limit is named once, the table written")
    finally:
        shutil.rmtree(d)


def run_on_terminal(args, cwd):
    """Runs lexframe with its standard error on a pseudo-terminal; returns (status, bytes)."""
    import pty
    import tty
    master, slave = pty.openpty()
    tty.setraw(slave)  # no newline translation: bytes as written
    p = subprocess.Popen(WRAPPER + [EXE] + args, cwd=cwd, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the last writer closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return p.wait(timeout=600), out


# a drawn line: the erase before it, and the next erase (before a message, a redraw or the
# end) right after it
PROGRESS = re.compile(rb"\r\x1b\[Klexframe: input \d+ of \d+, [0-9.]+ MB of text, "
                      rb"[0-9.]+ MB/s(?=\r\x1b\[K)")


def test_progress_on_terminal():
    d = scratch()
    try:
        with open(os.path.join(d, "corpus", "b-bad.txt"), "wb") as f:
            f.write(b"MR. A: bad \xff byte\n")
        for j in ("1", "2"):
            plain = run(["-j", j, "-o", "plain"], d)
            status, term = run_on_terminal(["-j", j, "-o", "term"], d)
            n = len([f for f in os.listdir(os.path.join(d, "corpus")) if f.endswith(".txt")])
            check(("lexframe: input 1 of %d, " % n).encode() in term and term.count(b"\r") >= 2,
                  "-j %s: a progress line on a terminal, from the first input" % j)
            # every line drawn is erased (lookahead above) and the last erase is at the end
            # or right before a message
            rest = PROGRESS.sub(b"", term).replace(b"\r\x1b[K", b"")
            last = term.rfind(b"\r\x1b[K")
            check(status == plain.returncode == 1 and rest == plain.stderr
                  and b"\r" not in plain.stderr and last >= 0
                  and not term[last:].startswith(b"\r\x1b[Klexframe: input"),
                  "-j %s: erased before each message and at the end; none off a terminal" % j)
            a = read_tree(os.path.join(d, "plain"))
            b = read_tree(os.path.join(d, "term"))
            check(a.keys() == b.keys() and all(
                  html_without_command(without_command(a[k])) ==
                  html_without_command(without_command(b[k])) for k in a),
                  "-j %s: the progress line changes no output" % j)
    finally:
        shutil.rmtree(d)


def test_file_size_limit():
    """A file over the size limit (ulimit -f) is a write error like a full disk: exit 1
    naming the file, no temporary file left, the earlier report as it was. (SIGXFSZ's
    default action killed the process with status 153 and left the temporary files.)"""
    if WRAPPER:
        print("skip file size limit: the limit would fall on the wrapper (%s) too" % WRAPPER[0])
        return
    import resource
    d = scratch()
    try:
        first = run(["report", "-o", "out", "corpus"], d)
        before = read_tree(os.path.join(d, "out"))

        def limit():
            resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))
        p = subprocess.run([EXE, "report", "-o", "out", "corpus"], cwd=d, capture_output=True,
                           timeout=600, preexec_fn=limit)
        err = p.stderr.decode("utf-8", "replace")
        check(first.returncode == 0 and p.returncode == 1 and
              "write error: File too large" in err and "out/" in err and
              sorted(os.listdir(os.path.join(d, "out"))) == sorted(before) and
              read_tree(os.path.join(d, "out")) == before,
              "over ulimit -f: exit 1 naming the file, no temporary file, the old report kept "
              "(status %d, %s)" % (p.returncode, err.strip()[:120]))
    finally:
        shutil.rmtree(d)


def test_file_names_not_utf8():
    """A transcript or lexicon whose file name is not UTF-8 (a Latin-1 name on a Linux
    file system) still gives JSON that parses and TEI that is well-formed: the name's
    invalid bytes are written as U+FFFD there, as in report.html. (They went out raw, so
    manifest.json, tables.json, tag --format json/jsonl, kwic and compare --format json
    were no UTF-8, and the TEI's entry references no XML.)"""
    import xml.etree.ElementTree as ET
    d = scratch()
    try:
        os.mkdir(os.path.join(d, "c"))
        shutil.copy(os.path.join(d, "corpus", "bayyenat-interview.txt"),
                    os.path.join(d.encode(), b"c", b"caf\xe9-\xff.txt"))
        os.mkdir(os.path.join(d, "lex"))
        shutil.copy(os.path.join(d, "lexicons", "framing.lexicon"),
                    os.path.join(d.encode(), b"lex", b"fr\xe9ming.lexicon"))
        common = ["-l", "lex", "c"]
        p = run(["report", "-o", "out"] + common, d)
        for name in ["manifest.json", "tables.json"]:
            try:
                with open(os.path.join(d, "out", name), "rb") as f:
                    doc = json.loads(f.read().decode("utf-8"))
                ok = "caf\ufffd-\ufffd.txt" in json.dumps(doc, ensure_ascii=False)
            except (ValueError, OSError):
                ok = False
            check(p.returncode == 0 and ok,
                  "file names not UTF-8: %s is JSON, the bytes as U+FFFD" % name)
        for args in (["tag", "--format", "json"], ["kwic", "--format", "json"],
                     ["compare", "--format", "json"]):
            out = run(args + common, d).stdout
            try:
                json.loads(out.decode("utf-8"))
                ok = len(out) > 100
            except ValueError:
                ok = False
            check(ok, "file names not UTF-8: %s is JSON" % " ".join(args))
        out = run(["tag", "--format", "jsonl"] + common, d).stdout
        try:
            ok = all(json.loads(line)["entry_file"] == "lex/fr\ufffdming.lexicon"
                     for line in out.decode("utf-8").splitlines()) and len(out) > 100
        except (ValueError, KeyError):
            ok = False
        check(ok, "file names not UTF-8: tag --format jsonl rows are JSON")
        p = run(["tag", "--format", "tei", "-o", "a.xml"] + common, d)
        try:
            ET.parse(os.path.join(d, "a.xml"))
            ok = p.returncode == 0
        except ET.ParseError:
            ok = False
        check(ok, "file names not UTF-8: annotated TEI is well-formed XML")
    finally:
        shutil.rmtree(d)


def test_merge_file_names_not_utf8():
    """Shards of a corpus with a file name that is not UTF-8 merge to the single run: the
    partial result writes the name's bytes as \\xHH (merge refused them as a damaged
    partial result)."""
    d = scratch()
    try:
        os.mkdir(os.path.join(d, "c"))
        for name in (b"a.txt", b"caf\xe9.txt", b"z.txt"):
            shutil.copy(os.path.join(d, "corpus", "bayyenat-interview.txt"),
                        os.path.join(d.encode(), b"c", name))
        one = run(["report", "-o", "one", "c"], d)
        parts = [run(["report", "--shard", "%d/3" % i, "--partial", "p%d" % i, "c"], d)
                 for i in (1, 2, 3)]
        merged = run(["merge", "-o", "merged", "p3", "p1", "p2"], d)
        a = read_tree(os.path.join(d, "one"))
        b = read_tree(os.path.join(d, "merged")) if merged.returncode == 0 else {}
        check(one.returncode == 0 and all(p.returncode == 0 for p in parts) and
              merged.returncode == 0 and a.keys() == b.keys() and
              all(html_without_command(without_command(a[k])) ==
                  html_without_command(without_command(b[k])) for k in a),
              "file names not UTF-8: the merged shards equal the single run (%s)"
              % merged.stderr.decode("utf-8", "replace").strip()[:120])
    finally:
        shutil.rmtree(d)


def test_summary_escapes_grouping_names():
    """A --by meta:KEY name goes into summary.md and compare's Markdown escaped like the
    groups' names: a line break or '*' in it cannot start a heading or emphasis (it was
    written raw: "By meta:desk" then a line "# Injected")."""
    d = scratch()
    try:
        key = "meta:desk\n# Injected *x*"
        p = run(["report", "--by", key, "-o", "out", "corpus"], d)
        with open(os.path.join(d, "out", "summary.md"), encoding="utf-8") as f:
            summary = f.read()
        q = run(["compare", "--by", key, "--format", "md", "corpus"], d)
        md = q.stdout.decode("utf-8")
        check(p.returncode == 0 and q.returncode == 0 and
              "meta:desk \\# Injected \\*x\\*" in summary and
              not re.search(r"^# Injected", summary + md, re.M) and "*x*" not in summary + md,
              "a grouping's name is escaped in summary.md and compare --format md")
    finally:
        shutil.rmtree(d)


test_reproducible()
test_progress_on_terminal()
test_threads_change_nothing()
test_failed_run_keeps_previous_report()
test_docs_match_program()
test_seed_passages()
test_tables_json_matches_csv()
test_compare_finds_framing()
test_filters_and_levels()
test_kwic_extras()
test_text_white_space()
test_negation_window_range()
test_manifest_records_options()
test_context_rules_in_summary()
test_min_count_in_summary()
test_help_after_lexicon()
test_command_help()
test_expand_with_a_bad_input()
test_file_size_limit()
test_file_names_not_utf8()
test_merge_file_names_not_utf8()
test_summary_escapes_grouping_names()
print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
