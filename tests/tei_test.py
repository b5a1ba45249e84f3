#!/usr/bin/env python3
"""TEI end to end, through the lexframe executable:

- annotated TEI (`tag --format tei`) is well-formed (xmllint --noout), keeps the text,
  gives every utterance and segment an xml:id, declares the themes, and every stand-off
  span points (TEI string-range) at exactly the words of its match; reading the output
  back gives the same turns, words and matches, and annotating it again changes nothing;
- plain-text transcripts are written as TEI the same way; several inputs give a teiCorpus;
- hostile XML (external entities to a local file and to a listening socket, entity bombs,
  10,000-deep nesting, huge text nodes, an xi:include URL in a corpus root) fails that file
  with its name and line, reads nothing outside the input, opens no connection, and the
  other files are still processed (exit status 1);
- a document read in parts (--limit part-bytes=1) gives byte-identical results;
- corpus roots and --speakers resolve speakers.

Usage: tei_test.py LEXFRAME SOURCE_ROOT
(the real TEI files: $LF_SHARED_DATA when set, else $LF_SHARED_DATA_DEFAULT, if present)
"""
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

EXE, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
LEX = os.path.join(ROOT, "lexicons")
FIX = os.path.join(ROOT, "tests", "fixtures", "tei")
TEI_NS = "{http://www.tei-c.org/ns/1.0}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
failures = 0


def check(ok, what):
    global failures
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures += 1
    return ok


def run(*args, cwd=None, timeout=120):
    p = subprocess.run([EXE, *args], capture_output=True, cwd=cwd, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def rows(path, *extra):
    rc, out, err = run("tag", "-l", LEX, "--all", "--format", "jsonl", *extra, path)
    if rc != 0:
        print(err)
    return [json.loads(line) for line in out.splitlines()]


KEYS = ("turn", "speaker", "sentence", "tok_start", "tok_end", "theme", "entry",
        "entry_file", "entry_line", "text", "negated", "negator", "status")


def key(r, with_element):
    k = tuple(r.get(x) for x in KEYS)
    if with_element:
        k += (r.get("element"), r.get("element_start"), r.get("element_last"),
              r.get("element_end"), r.get("section"))
    return k


def corpus_counts(path):
    """words, turns and sentences of the corpus row of frequencies.csv."""
    with tempfile.TemporaryDirectory() as out:
        rc, _, err = run("report", "-l", LEX, "-o", out, path)
        with open(os.path.join(out, "manifest.json"), encoding="utf-8") as f:
            c = json.load(f)["counts"]
    return c["docs"], c["turns"], c["sentences"], c["words"], c["matches"]


def string_value(el):
    return "".join(el.itertext())


def resolve_span(ids, target):
    m = re.fullmatch(r"#string-range\(([^,]+),(\d+),(\d+)\)", target)
    if m:
        s = string_value(ids[m.group(1)])
        o, n = int(m.group(2)), int(m.group(3))
        return s[o:o + n]
    m = re.fullmatch(r"#range\(string-index\(([^,]+),(\d+)\),string-index\(([^,]+),(\d+)\)\)",
                     target)
    a, b = string_value(ids[m.group(1)]), string_value(ids[m.group(3)])
    return a[int(m.group(2)):] + " " + b[:int(m.group(4))]


def spans_of(root):
    return [s for s in root.iter(TEI_NS + "span")]


def annotated_roundtrip(name, src, is_tei, work):
    out = os.path.join(work, os.path.basename(src) + ".annotated.xml")
    rc, text, err = run("tag", "-l", LEX, "--all", "--format", "tei", "-o", out, src)
    check(rc == 0, f"{name}: tag --format tei succeeds ({err.strip()[:200]})")
    x = subprocess.run(["xmllint", "--noout", out], capture_output=True)
    check(x.returncode == 0 and not x.stderr, f"{name}: xmllint --noout accepts the output "
          f"{x.stderr.decode()[:300]}")
    tree = ET.parse(out)
    root = tree.getroot()
    ids = {e.get(XML_ID): e for e in root.iter() if e.get(XML_ID)}
    # every utterance and segment has an id
    missing = [e.tag for e in root.iter()
               if e.tag in (TEI_NS + "u", TEI_NS + "sp", TEI_NS + "seg") and not e.get(XML_ID)]
    check(not missing, f"{name}: every utterance and segment has an xml:id")
    # the themes are declared, the spans point at their matches
    tax = [t for t in root.iter(TEI_NS + "taxonomy") if t.get(XML_ID) == "lf-themes"]
    check(len(tax) == 1 and tax[0].find(TEI_NS + "category") is not None,
          f"{name}: one lf-themes taxonomy in the header")
    before = rows(src)
    check(len(before) > 0, f"{name}: the source has matches to annotate")
    spans = spans_of(root)
    check(len(spans) == len(before), f"{name}: one span per listed match "
          f"({len(spans)} spans, {len(before)} rows)")
    bad = []
    for sp, r in zip(spans, before):
        got = " ".join(resolve_span(ids, sp.get("target")).split())
        cat = ids.get(sp.get("ana")[1:])
        ok = (got == r["text"] and cat is not None and cat.get("n") == r["theme"] and
              sp.get("subtype") == ("negated" if r["negated"] else "affirmed") and
              sp.get("type") == r["status"] and sp.text == r["entry"] and
              sp.get("n") == f"{r['entry_file']}:{r['entry_line']}")
        if not ok:
            bad.append((got, r["text"], sp.attrib))
    check(not bad, f"{name}: every span resolves to its match's words, theme, entry and "
          f"negation {bad[:2]}")
    # reading the output back: the same turns, words and matches
    after = rows(out)
    check([key(r, False) for r in after] == [key(r, False) for r in before],
          f"{name}: reading the annotated TEI back gives the same matches ({len(after)})")
    if is_tei:
        check([key(r, True) for r in after] == [key(r, True) for r in before],
              f"{name}: ... pointing at the same elements and offsets")
    c0, c1 = corpus_counts(src), corpus_counts(out)
    check(c0 == c1, f"{name}: the same documents, turns, sentences, words, matches {c0} {c1}")
    # annotating the annotation changes nothing: one standOff, the same spans
    again = os.path.join(work, os.path.basename(src) + ".again.xml")
    run("tag", "-l", LEX, "--all", "--format", "tei", "-o", again, out)
    r2 = ET.parse(again).getroot()
    ours = [s for s in r2.iter(TEI_NS + "standOff") if s.get("type") == "lexframe"]
    check(len(ours) == 1 and
          [s.attrib for s in spans_of(r2)] == [s.attrib for s in spans],
          f"{name}: annotating the output again gives the same single standOff")
    if is_tei:
        # the text is the input's
        src_root = ET.parse(src).getroot()
        t0 = [string_value(e) for e in src_root.iter(TEI_NS + "text")]
        t1 = [string_value(e) for e in root.iter(TEI_NS + "text")]
        check(t0 == t1, f"{name}: the text of every <text> element is unchanged")
    return out


def test_annotated(work):
    annotated_roundtrip("sitting fixture", os.path.join(FIX, "sitting.xml"), True, work)
    for f in sorted(os.listdir(os.path.join(ROOT, "corpus"))):
        if f.endswith(".txt"):
            annotated_roundtrip(f, os.path.join(ROOT, "corpus", f), False, work)
    shared = shared_data()
    if shared and os.path.isdir(os.path.join(shared, "tei")):
        for rel in ("parla-clarin-exemplar/Parla-CLARIN-Exemplar.xml",
                    "tei-drama-julius-caesar/julius-caesar.xml",
                    "parlamint-gb-sample/2022/ParlaMint-GB_2022-07-21-commons.xml"):
            annotated_roundtrip(os.path.basename(rel), os.path.join(shared, "tei", rel), True,
                                work)
    else:
        print("skipped: ../shared/data not present (real TEI round trips)")
    # several inputs: one teiCorpus with the taxonomy in its own header only
    out = os.path.join(work, "corpus.xml")
    rc, _, err = run("tag", "-l", LEX, "--format", "tei", "-o", out, os.path.join(ROOT, "corpus"),
                     os.path.join(FIX, "sitting.xml"))
    x = subprocess.run(["xmllint", "--noout", out], capture_output=True)
    root = ET.parse(out).getroot() if rc == 0 else None
    check(rc == 0 and x.returncode == 0 and root is not None and
          root.tag == TEI_NS + "teiCorpus" and len(root.findall(TEI_NS + "TEI")) == 4 and
          len([t for t in root.iter(TEI_NS + "taxonomy") if t.get(XML_ID) == "lf-themes"]) == 1,
          "several inputs give one well-formed teiCorpus holding each document")
    ids = [e.get(XML_ID) for e in root.iter() if e.get(XML_ID)] if root is not None else []
    check(len(ids) == len(set(ids)), "ids are unique across the corpus")
    # documents whose names make the same ids ("a b", "a_b", "a_b.md" all make lf-a_b): the
    # later ones are numbered, so that every id is unique and each document's spans point
    # into that document (all three pointed at the first one's <seg>s)
    d = os.path.join(work, "same-base")
    os.mkdir(d)
    for n in ("brief one.txt", "brief_one.md", "brief_one.txt"):
        shutil.copy(os.path.join(ROOT, "corpus", "bayyenat-interview.txt"), os.path.join(d, n))
    out = os.path.join(work, "same-base.xml")
    rc, _, err = run("tag", "-l", LEX, "--format", "tei", "-o", out, d)
    x = subprocess.run(["xmllint", "--noout", out], capture_output=True)
    root = ET.parse(out).getroot() if rc == 0 else None
    ids = [e.get(XML_ID) for e in root.iter() if e.get(XML_ID)] if root is not None else []
    check(rc == 0 and x.returncode == 0 and not x.stderr and len(ids) == len(set(ids)),
          "documents whose names make the same id base: the ids are unique "
          f"{x.stderr.decode()[:200]}")
    docs = root.findall(TEI_NS + "TEI") if root is not None else []
    first = {}  # an id names its first element, as for an XML processor
    for k, doc in enumerate(docs):
        for e in doc.iter():
            first.setdefault(e.get(XML_ID), k)
    own = []
    for k, doc in enumerate(docs):
        refs = [re.search(r"\(([^,]+),", sp.get("target")).group(1) for sp in spans_of(doc)]
        own.append(len(refs) > 0 and all(first.get(r) == k for r in refs))
    check(len(docs) == 3 and all(own),
          "documents whose names make the same id base: each one's spans point into itself")


class Listener:
    """A TCP socket that counts connections: the network must never be touched."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = False
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while not self.stop:
            try:
                c, _ = self.sock.accept()
                self.connections += 1
                c.close()
            except OSError:
                pass

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


def test_hostile(work):
    d = os.path.join(work, "hostile")
    os.makedirs(d)
    secret = os.path.join(work, "secret.txt")
    with open(secret, "w") as f:
        f.write("ZEBRAPASSWORD\n")
    net = Listener()
    url = f"http://127.0.0.1:{net.port}/x"
    bomb = ('<?xml version="1.0"?>\n<!DOCTYPE TEI [\n <!ENTITY a "aaaaaaaaaa">\n' +
            "".join(f' <!ENTITY {n} "{("&" + p + ";") * 10}">\n'
                    for p, n in zip("abcdefgh", "bcdefghi")) + "]>\n")
    files = {
        "a-xxe-file.xml": f'<?xml version="1.0"?>\n<!DOCTYPE TEI [<!ENTITY x SYSTEM '
                          f'"file://{secret}">]>\n<TEI><text><body><u who="#a">'
                          f'betrayal &x;</u></body></text></TEI>\n',
        "b-xxe-net.xml": f'<?xml version="1.0"?>\n<!DOCTYPE TEI [<!ENTITY y SYSTEM "{url}">]>'
                         f'\n<TEI><text><body><u who="#a">betrayal &y;</u></body></text></TEI>\n',
        "c-dtd-net.xml": f'<?xml version="1.0"?>\n<!DOCTYPE TEI SYSTEM "{url}">\n'
                         f'<TEI><text><body><u who="#a">betrayal &mdash;</u></body></text></TEI>\n',
        "d-param.xml": f'<?xml version="1.0"?>\n<!DOCTYPE TEI [<!ENTITY % p SYSTEM "{url}"> %p;'
                       f']>\n<TEI><text><body><u who="#a">betrayal</u></body></text></TEI>\n',
        "e-bomb.xml": bomb + "<TEI><text><body><u>&i;</u></body></text></TEI>\n",
        "f-bomb-attr.xml": bomb + '<TEI><text><body><u n="&i;">x</u></body></text></TEI>\n',
        "g-deep.xml": "<TEI><text><body>\n<u>" + "<hi>" * 10000 + "x" + "</hi>" * 10000 +
                      "</u></body></text></TEI>\n",
        "h-huge.xml": "<TEI><text><body>\n<u>" + "betrayal " * (600 * 1024) +
                      "</u></body></text></TEI>\n",
        "i-xinclude.xml": f'<TEI xmlns:xi="http://www.w3.org/2001/XInclude"><teiHeader>'
                          f'<xi:include href="{url}"/><xi:include href="file://{secret}"/>'
                          f'</teiHeader><text><body><u who="#a">trust</u></body></text></TEI>\n',
        "z-good.xml": '<TEI><text><body><u who="#a"><seg>They betrayed us.</seg></u>'
                      '</body></text></TEI>\n',
    }
    for name, content in files.items():
        with open(os.path.join(d, name), "w") as f:
            f.write(content)
    # a corpus root whose header includes a URL and a file outside its directory
    croot = os.path.join(work, "croot")
    os.makedirs(croot)
    with open(os.path.join(croot, "root.xml"), "w") as f:
        f.write('<teiCorpus xmlns:xi="http://www.w3.org/2001/XInclude"><teiHeader>\n'
                f'<xi:include href="{url}"/>\n<xi:include href="../secret.txt"/>\n'
                '</teiHeader><xi:include href="day.xml"/></teiCorpus>\n')
    with open(os.path.join(croot, "day.xml"), "w") as f:
        f.write('<TEI><text><body><u who="#a">They betrayed us.</u></body></text></TEI>\n')
    t0 = time.monotonic()
    rc, out, err = run("tag", "-l", LEX, "--limit", "xml-text-bytes=1000000", d, croot)
    secs = time.monotonic() - t0
    time.sleep(0.3)
    net.close()
    check(rc == 1, "hostile inputs give exit status 1")
    check(secs < 10, f"hostile inputs are rejected fast ({secs:.2f} s)")
    expect = {
        "a-xxe-file.xml": ":2: the DTD declares 1 entity: refused",
        "b-xxe-net.xml": ":2: the DTD declares 1 entity: refused",
        "c-dtd-net.xml": ":3: XML error: Entity 'mdash' not defined",
        "e-bomb.xml": ":13: XML error: Detected an entity reference loop",
        "f-bomb-attr.xml": ":13: XML error: Detected an entity reference loop",
        "g-deep.xml": ":2: elements are nested deeper than the xml-depth limit",
        "h-huge.xml": ":2: a text node is larger than the xml-text-bytes limit (1000000)",
    }
    for name, msg in expect.items():
        check(f"hostile/{name}{msg}" in err, f"{name} fails with file, line and reason")
    check("hostile/d-param.xml" not in err, "an external parameter entity is never loaded")
    check("i-xinclude.xml:1: xi:include" in err and "URLs are never followed" in err and
          "lexframe: warning: " in err, "a document's URL include is refused with a warning")
    check("z-good.xml\t1\ta" in out and "day.xml\t1\ta" in out and
          "d-param.xml\t1\ta" in out and "i-xinclude.xml\t1\ta" in out,
          "the other files are still processed")
    check("ZEBRAPASSWORD" not in out + err, "nothing outside the input is read")
    check(net.connections == 0, "no network connection is ever opened "
          f"({net.connections} seen)")
    check("root.xml:2: xi:include" in err and "URLs are never followed" in err and
          "'../secret.txt' not read: it is outside the corpus directory" in err,
          "a corpus root's URL and outside includes are refused with a warning")


def test_deep_root(work):
    # a corpus root nested deeper than the default xml-depth before its xi:include: the
    # scan that finds its documents honours --limit as reading them does
    d = os.path.join(work, "deeproot")
    os.makedirs(d)
    with open(os.path.join(d, "root.xml"), "w") as f:
        f.write('<teiCorpus xmlns:xi="http://www.w3.org/2001/XInclude"><teiHeader><particDesc>'
                '<listPerson><person xml:id="jd"><persName>Jane Doe</persName></person>'
                '</listPerson></particDesc>' + "<note>" * 140 + "x" + "</note>" * 140 +
                '</teiHeader><xi:include href="day.xml"/></teiCorpus>\n')
    with open(os.path.join(d, "day.xml"), "w") as f:
        f.write('<TEI><text><body><u who="#jd">They betrayed us.</u></body></text></TEI>\n')
    rc, out, err = run("tag", "-l", LEX, d)
    check(rc == 1 and "root.xml:1: elements are nested deeper than the xml-depth limit (128)"
          in err, "a corpus root deeper than xml-depth fails, named with the limit")
    for target in (d, os.path.join(d, "root.xml")):
        rc, out, err = run("tag", "-l", LEX, "--limit", "xml-depth=200", target)
        check(rc == 0 and "day.xml\t1\tJane Doe\t" in out and err == "",
              f"--limit xml-depth holds for the corpus-root scan ({os.path.basename(target)}): "
              "its documents get the root's speakers")


def test_root_warning_once(work):
    # a corpus root's warnings come once, with its first document, however many worker
    # threads load the root (each reads it for itself)
    d = os.path.join(work, "warnroot")
    os.makedirs(d)
    days = ["day%02d.xml" % i for i in range(12)]
    with open(os.path.join(d, "root.xml"), "w") as f:
        f.write('<teiCorpus xmlns:xi="http://www.w3.org/2001/XInclude"><teiHeader>'
                '<xi:include href="gone-persons.xml"/></teiHeader>' +
                "".join('<xi:include href="%s"/>' % n for n in days) + "</teiCorpus>\n")
    for n in days:
        with open(os.path.join(d, n), "w") as f:
            f.write('<TEI><text><body>' + '<u who="#a">They betrayed us. Sanctions now.</u>'
                    * 200 + '</body></text></TEI>\n')
    for jobs in ("1", "2", "2", "2"):
        rc, out, err = run("tag", "-j", jobs, "-l", LEX, d)
        check(rc == 0 and err.count("'gone-persons.xml' not read") == 1,
              f"-j {jobs}: the root's missing include is warned of once "
              f"({err.count('not read')} times)")


def test_parts(work):
    # the first part holds no match at all (an empty match list must be fine)
    quiet = os.path.join(work, "quiet-first.xml")
    with open(quiet, "w") as f:
        f.write('<TEI><text><body><u who="#a"><seg>Good morning.</seg></u>' +
                '<u who="#b"><seg>They betrayed us. We need leverage.</seg></u>' * 50 +
                '</body></text></TEI>\n')
    paths = [quiet, os.path.join(FIX, "sitting.xml")]
    shared = shared_data()
    if shared and os.path.isdir(os.path.join(shared, "tei")):
        paths.append(os.path.join(shared, "tei"))
    for p in paths:
        name = os.path.basename(p)
        outs = []
        for extra in ([], ["--limit", "part-bytes=1"]):
            o = os.path.join(work, f"parts-{name}-{len(extra)}")
            rc, _, _ = run("report", "-l", LEX, "-o", o, *extra, p)
            files = {}
            for f in sorted(os.listdir(o)):
                if f != "manifest.json":
                    with open(os.path.join(o, f), "rb") as fh:
                        files[f] = fh.read()
            # report.html's manifest section holds the command and options too
            files["report.html"] = re.sub(rb'<section id="manifest">.*?</section>', b"",
                                          files["report.html"], flags=re.S)
            rc2, tei, _ = run("tag", "-l", LEX, "--format", "tei", *extra, p)
            rc3, jl, _ = run("tag", "-l", LEX, "--format", "jsonl", "--all", *extra, p)
            outs.append((rc, files, rc2, tei, jl))
        check(outs[0] == outs[1] and outs[0][4].count("\n") > 0 and "<span" in outs[0][3],
              f"{name}: read in parts, the report, annotated TEI and match rows are "
              "byte-identical (and not empty)")


def test_speakers(work):
    # a person list in a separate file, given with --speakers
    people = os.path.join(work, "people.xml")
    with open(people, "w") as f:
        f.write('<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><profileDesc><particDesc>'
                '<listPerson><person xml:id="a"><persName><surname>Adler</surname>'
                '<forename>Eve</forename></persName><affiliation ref="#party.X" '
                'from="2020"/></person></listPerson><listOrg><org xml:id="party.X" '
                'role="politicalParty"><orgName full="abb">XP</orgName></org></listOrg>'
                '</particDesc></profileDesc></teiHeader></TEI>\n')
    doc = os.path.join(work, "doc.xml")
    with open(doc, "w") as f:
        f.write('<TEI><teiHeader><profileDesc><settingDesc><setting><date when="2021-02-03"/>'
                '</setting></settingDesc></profileDesc></teiHeader><text><body>'
                '<u who="#a"><seg>They betrayed us.</seg></u></body></text></TEI>\n')
    r = rows(doc, "--speakers", people)
    check(len(r) == 1 and r[0]["speaker"] == "Adler, Eve", "--speakers resolves the name")
    r = rows(doc)
    check(len(r) == 1 and r[0]["speaker"] == "a", "without it the id stands for the speaker")
    rc, _, err = run("tag", "-l", LEX, "--speakers", os.path.join(work, "nope.xml"), doc)
    check(rc == 1 and "--speakers:" in err and "nope.xml" in err,
          "an unreadable --speakers file stops the run with exit status 1")
    # the manifest names the file and its hash: another person list is another run
    out = os.path.join(work, "speakers-report")
    rc, _, err = run("report", "-l", LEX, "--speakers", people, "-o", out, doc)
    with open(os.path.join(out, "manifest.json")) as f:
        opts = json.load(f)["options"]
    with open(people, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    check(rc == 0 and opts.get("speakers") == people and
          opts.get("speakers-sha256") == digest,
          "the manifest records the --speakers file with its SHA-256")


def shared_data():
    return os.environ.get("LF_SHARED_DATA") or os.environ.get("LF_SHARED_DATA_DEFAULT")


def main():
    with tempfile.TemporaryDirectory(prefix="lf-tei-test-") as work:
        test_annotated(work)
        test_hostile(work)
        test_deep_root(work)
        test_root_warning_once(work)
        test_parts(work)
        test_speakers(work)
    print(f"{failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
