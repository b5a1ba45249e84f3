#!/usr/bin/env python3
"""report.html in a real browser: headless Chromium, driven through the DevTools protocol
over a pipe (standard library only). Two pages are checked:

1. the report of corpus/: no console error, no exception, no network request, every chart
   (with title, axis labels, legend and a table of its numbers) and every table present,
   the evidence filter working; a PNG screenshot is saved for a person to look at;
2. the report of a corpus and lexicon full of markup (<script>, "><img onerror=…>) in
   speaker names, parties, text, document ids, theme labels and descriptions: the markup
   shows as text, no dialog opens, no element is injected.

Usage: browser_test.py LEXFRAME SOURCE_ROOT OUTPUT_DIR
Screenshots: OUTPUT_DIR/report-corpus.png, OUTPUT_DIR/report-xss.png. Exits 77 (skipped)
only when no Chromium is installed.
"""
import base64
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

EXE = os.path.abspath(sys.argv[1])
ROOT = os.path.abspath(sys.argv[2])
OUT = os.path.abspath(sys.argv[3])
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """Chromium with --remote-debugging-pipe: JSON messages ending in NUL on fds 3 and 4."""

    def __init__(self, exe):
        self.profile = tempfile.mkdtemp(prefix="lf-chromium-")
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        # high descriptors, so that moving them to 3 and 4 in the child clobbers nothing
        hi_r = fcntl.fcntl(to_child_r, fcntl.F_DUPFD, 20)
        hi_w = fcntl.fcntl(from_child_w, fcntl.F_DUPFD, 20)
        os.close(to_child_r)
        os.close(from_child_w)

        def child_fds():
            os.dup2(hi_r, 3)
            os.dup2(hi_w, 4)

        args = [exe, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--hide-scrollbars", "--mute-audio",
                "--disable-dev-shm-usage", "--font-render-hinting=none",
                "--user-data-dir=" + self.profile, "--remote-debugging-pipe", "about:blank"]
        self.log = open(os.path.join(self.profile, "chromium.log"), "wb")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=self.log, preexec_fn=child_fds, pass_fds=(3, 4))
        os.close(hi_r)
        os.close(hi_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    def _read_message(self, deadline):
        while b"\0" not in self.buf:
            if time.time() > deadline:
                raise TimeoutError("no answer from Chromium")
            chunk = os.read(self.from_child, 1 << 16)
            if not chunk:
                raise EOFError("Chromium closed the pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method, params=None, session=None, timeout=60):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_child, json.dumps(msg).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            m = self._read_message(deadline)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m.get("result", {})
            self.on_event(m)

    def on_event(self, m):
        self.events.append(m)
        # a dialog (alert, confirm) would block the page: record it and dismiss it
        if m.get("method") == "Page.javascriptDialogOpening":
            self.next_id += 1
            os.write(self.to_child, json.dumps(
                {"id": self.next_id, "method": "Page.handleJavaScriptDialog",
                 "params": {"accept": False}, "sessionId": m.get("sessionId")}).encode() + b"\0")

    def wait_event(self, method, timeout=60):
        for m in self.events:
            if m.get("method") == method:
                return m
        deadline = time.time() + timeout
        while True:
            m = self._read_message(deadline)
            if "id" not in m:
                self.on_event(m)
                if m.get("method") == method:
                    return m

    def close(self):
        try:
            self.send("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        os.close(self.to_child)
        os.close(self.from_child)
        shutil.rmtree(self.profile, ignore_errors=True)


def open_page(browser, path):
    """Loads a file in a fresh tab; returns (session, url)."""
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget",
                           {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        browser.send(domain + ".enable", session=session)
    browser.send("Emulation.setDeviceMetricsOverride",
                 {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False},
                 session=session)
    browser.events = []
    url = "file://" + os.path.abspath(path)
    browser.send("Page.navigate", {"url": url}, session=session)
    browser.wait_event("Page.loadEventFired")
    # let the inline script and any late error arrive
    browser.send("Runtime.evaluate", {"expression": "new Promise(r => setTimeout(r, 300))",
                                      "awaitPromise": True}, session=session)
    return session, url


def evaluate(browser, session, expr):
    r = browser.send("Runtime.evaluate", {"expression": expr, "returnByValue": True},
                     session=session)
    if "exceptionDetails" in r:
        raise RuntimeError("evaluate: %s" % r["exceptionDetails"])
    return r["result"].get("value")


def problems(browser, session, url):
    """Console errors, exceptions, log errors, dialogs and network requests of the page."""
    errors, requests, dialogs = [], [], []
    for m in browser.events:
        if m.get("sessionId") not in (None, session):
            continue
        method, p = m.get("method"), m.get("params", {})
        if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "warning", "assert"):
            errors.append("console %s: %s" % (p["type"], p.get("args")))
        elif method == "Runtime.exceptionThrown":
            errors.append("exception: %s" % p.get("exceptionDetails", {}).get("text"))
        elif method == "Log.entryAdded" and p.get("entry", {}).get("level") in ("error", "warning"):
            errors.append("log: %s" % p["entry"].get("text"))
        elif method == "Network.requestWillBeSent":
            req = p.get("request", {}).get("url", "")
            if req != url:
                requests.append(req)
        elif method == "Page.javascriptDialogOpening":
            dialogs.append(p.get("message"))
    return errors, requests, dialogs


def screenshot(browser, session, path):
    metrics = browser.send("Page.getLayoutMetrics", session=session)
    size = metrics.get("cssContentSize") or metrics["contentSize"]
    height = min(int(size["height"]) + 1, 16000)
    browser.send("Emulation.setDeviceMetricsOverride",
                 {"width": 1280, "height": height, "deviceScaleFactor": 1, "mobile": False},
                 session=session)
    shot = browser.send("Page.captureScreenshot",
                        {"format": "png", "captureBeyondViewport": True}, session=session)
    data = base64.b64decode(shot["data"])
    with open(path, "wb") as f:
        f.write(data)
    return data


# What the corpus page must hold, read from its DOM in one go.
DOM_SUMMARY = r"""
(() => {
  const q = s => Array.from(document.querySelectorAll(s));
  const charts = q('svg.chart').map(svg => {
    const fig = svg.closest('.fig');
    return {
      id: svg.id,
      kind: svg.getAttribute('class'),
      title: (svg.querySelector('text.ct') || {}).textContent || '',
      axisLabels: q('#' + svg.id + ' text.al').length,
      legend: q('#' + svg.id + ' text.lg').length,
      tableBeside: !!(fig && fig.querySelector('table')),
      width: svg.getBoundingClientRect().width,
      height: svg.getBoundingClientRect().height,
    };
  });
  return {
    charts,
    tables: q('table[data-table]').map(t => t.getAttribute('data-table')),
    sections: q('main > section').map(s => s.id),
    scopes: q('#cooccurrence [data-scope]').map(e => e.getAttribute('data-scope')),
    evidenceRows: q('#kwic-lines tbody tr').length,
    marks: q('#kwic-lines tbody tr mark').length,
    themeOptions: q('#kwic-theme option').map(o => o.value),
    speakerOptions: q('#kwic-speaker option').map(o => o.value),
    lexiconRows: q('table[data-table=lexicon] tbody tr').length,
    inputRows: q('table[data-table=inputs] tbody tr').map(r => r.cells[0].textContent),
    scripts: q('script').length,
    text: document.body.innerText.length,
  };
})()
"""

FILTER = r"""
(() => {
  const t = document.getElementById('kwic-theme'), s = document.getElementById('kwic-speaker');
  const visible = () => Array.from(document.querySelectorAll('#kwic-lines tbody tr'))
      .filter(r => !r.hidden);
  const set = (el, v) => { el.value = v; el.dispatchEvent(new Event('change')); };
  const out = {all: visible().length};
  set(t, 'negotiation');
  out.negotiation = visible().map(r => r.getAttribute('data-theme'));
  set(s, 'Alistair Crane');
  out.negotiationCrane = visible().map(r => [r.getAttribute('data-theme'), r.getAttribute('data-speaker')]);
  set(t, '');
  out.crane = visible().map(r => r.getAttribute('data-speaker'));
  out.count = document.getElementById('kwic-count').textContent;
  set(s, '');
  out.reset = visible().length;
  return out;
})()
"""


def test_corpus(browser, tmp):
    out = os.path.join(tmp, "corpus-report")
    t0 = time.time()
    p = subprocess.run([EXE, "report", "-o", out, "corpus"], cwd=ROOT, capture_output=True,
                       timeout=120)
    check(p.returncode == 0, "lexframe report on corpus/ succeeds")
    page = os.path.join(out, "report.html")
    size = os.path.getsize(page)
    print("     report.html: %d bytes, report run %.2f s" % (size, time.time() - t0))
    session, url = open_page(browser, page)
    d = evaluate(browser, session, DOM_SUMMARY)
    errors, requests, dialogs = problems(browser, session, url)
    check(not errors, "no console error, exception or CSP violation %s" % errors[:5])
    check(not requests, "no network request %s" % requests[:5])
    check(not dialogs, "no dialog")
    check(d["sections"] == ["frequencies", "groups", "comparison", "cooccurrence", "trends",
                            "evidence", "lexicon", "manifest"],
          "every section, in order: %s" % d["sections"])
    kinds = {}
    for c in d["charts"]:
        kinds.setdefault(c["kind"], []).append(c["id"])
    check(kinds.get("chart chart-bars") == ["chart-frequencies"], "the frequency bar chart")
    check("chart-groups-2" in kinds.get("chart chart-heatmap", []),
          "the speaker x theme heatmap (grouping 2 is speaker)")
    check(len(kinds.get("chart chart-forest", [])) >= 4, "forest plots of the comparison")
    for scope in ("sentence", "turn", "window", "adjacent", "document"):
        check("chart-cooc-" + scope in kinds.get("chart chart-heatmap", []),
              "a co-occurrence heatmap for the %s scope" % scope)
    check(kinds.get("chart chart-lines") == ["chart-trends"], "the trend line chart")
    for c in d["charts"]:
        ok = (c["title"] and c["axisLabels"] >= 2 and c["legend"] >= 1 and c["tableBeside"]
              and c["width"] > 100 and c["height"] > 80)
        check(ok, "chart %s has a title, two axis labels, a legend, a table beside it and "
                  "a size (%s)" % (c["id"], c))
    for name in ("frequencies", "groups-2", "groups-3", "groups-4", "comparison-2-0",
                 "cooccurrence-sentence", "cooccurrence-adjacent", "trends", "evidence",
                 "lexicon", "inputs", "lexicon-files"):
        check(name in d["tables"], "table %s is on the page" % name)
    check(d["evidenceRows"] > 20 and d["marks"] == d["evidenceRows"],
          "evidence lines, each with its match highlighted (%d)" % d["evidenceRows"])
    check("negotiation.leverage" in d["themeOptions"] and "Alistair Crane" in d["speakerOptions"],
          "the evidence filters list themes and speakers")
    check(d["lexiconRows"] >= 20, "the lexicon's themes are listed (%d)" % d["lexiconRows"])
    check(sorted(d["inputRows"]) == ["corpus/bayyenat-interview.txt",
                                     "corpus/briefing-illustrative.txt",
                                     "corpus/panel-debate-illustrative.txt"],
          "the manifest lists every input with its hash")
    check(d["scripts"] == 1, "one script element")

    f = evaluate(browser, session, FILTER)
    check(f["negotiation"] and all(t.startswith("negotiation.") for t in f["negotiation"])
          and len(f["negotiation"]) < f["all"],
          "the theme filter keeps a family's lines (%d of %d)" % (len(f["negotiation"]), f["all"]))
    check(f["negotiationCrane"] and all(s == "Alistair Crane" and t.startswith("negotiation.")
                                        for t, s in f["negotiationCrane"]),
          "theme and speaker filters combine (%d lines)" % len(f["negotiationCrane"]))
    check(f["crane"] and set(f["crane"]) == {"Alistair Crane"},
          "the speaker filter alone (%d lines)" % len(f["crane"]))
    check(f["count"] == "%d of %d lines shown" % (len(f["crane"]), f["all"]),
          "the count says how many lines are shown: %r" % f["count"])
    check(f["reset"] == f["all"], "clearing the filters shows every line again")
    errors, requests, dialogs = problems(browser, session, url)
    check(not errors and not requests, "still no error or request after filtering")

    png = screenshot(browser, session, os.path.join(OUT, "report-corpus.png"))
    check(png.startswith(b"\x89PNG") and len(png) > 50000,
          "screenshot saved: %s (%d bytes)" % (os.path.join(OUT, "report-corpus.png"), len(png)))


SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(2)>'
SVG = "</text></svg><svg onload=alert(3)>"
CLOSE = "</script><script>alert(4)</script>"


def xss_fixture(d):
    corpus = os.path.join(d, "corpus")
    os.makedirs(corpus)
    name = IMG.replace("/", "") + ".txt"  # a document id full of markup
    with open(os.path.join(corpus, name), "w") as f:
        # YAML single-quoted strings: the payloads hold double quotes but no single one
        f.write("---\ntitle: '%s'\ndate: 2024-05-01\nspeakers:\n"
                "  MALLORY: {name: '%s', party: '%s', role: '%s'}\n"
                "  EVE: {name: '%s', party: '%s'}\n---\n"
                % (SCRIPT, SCRIPT, IMG, SVG, IMG, CLOSE))
        f.write("MALLORY: We were betrayed %s and the sanctions %s stay. Betrayal again, "
                "sanctions again.\n\n" % (SCRIPT, IMG))
        f.write("EVE: The sanctions %s were a betrayal %s of trust.\n\n" % (SVG, CLOSE))
        f.write("MALLORY: Betrayal, sanctions, betrayal.\n")
    lex = os.path.join(d, "xss.lexicon")
    with open(lex, "w") as f:
        f.write("@lexframe 1\n\n@theme betrayal\nlabel: %s\ndescription: %s %s\n"
                "colour: #D55E00\n\nbetray*\n\n@theme sanctions\nlabel: %s\n"
                "description: %s\n\nsanction*\n" % (SCRIPT, IMG, CLOSE, IMG, SVG))
    return corpus, lex


XSS_DOM = r"""
(() => {
  const q = s => Array.from(document.querySelectorAll(s));
  const onAttrs = q('*').filter(e => Array.from(e.attributes).some(a => /^on/i.test(a.name)));
  return {
    scripts: q('script').length,
    imgs: q('img').length,
    onAttrs: onAttrs.map(e => e.outerHTML.slice(0, 80)),
    svgOnload: q('svg[onload]').length,
    text: document.body.innerText,
    titles: q('svg text.ct').map(t => t.textContent),
    speakers: q('#kwic-speaker option').map(o => o.value),
    charts: q('svg.chart').length,
  };
})()
"""


def test_xss(browser, tmp):
    d = os.path.join(tmp, "xss")
    corpus, lex = xss_fixture(d)
    out = os.path.join(d, "out")
    p = subprocess.run([EXE, "report", "-l", lex, "-o", out, corpus], capture_output=True,
                       timeout=120)
    check(p.returncode == 0, "report on the markup corpus succeeds (%s)" % p.stderr[-300:])
    page = os.path.join(out, "report.html")
    raw = open(page, encoding="utf-8").read()
    check(raw.count("<script") == 1 and "<img" not in raw and "<svg onload" not in raw,
          "the file has one script element and no injected img or svg")
    session, url = open_page(browser, page)
    x = evaluate(browser, session, XSS_DOM)
    errors, requests, dialogs = problems(browser, session, url)
    check(not dialogs, "no dialog opened %s" % dialogs)
    check(not errors, "no console error or CSP violation %s" % errors[:5])
    check(not requests, "no network request %s" % requests[:5])
    check(x["scripts"] == 1 and x["imgs"] == 0 and not x["onAttrs"] and x["svgOnload"] == 0,
          "no injected element or event handler %s" % x["onAttrs"][:3])
    for s in (SCRIPT, IMG, SVG, CLOSE):
        check(s in x["text"], "%r shows as text" % s)
    check(SCRIPT in x["speakers"] and IMG in x["speakers"],
          "speaker names with markup are filter values, as text")
    check(any(IMG in t for t in x["titles"]) or any(SCRIPT in t for t in x["titles"]),
          "chart titles carry the markup as text")
    check(x["charts"] >= 5, "charts are drawn (%d)" % x["charts"])
    screenshot(browser, session, os.path.join(OUT, "report-xss.png"))


def main():
    exe = find_chromium()
    if not exe:
        print("skipped: chromium is not installed (scripts/setup.sh installs it)")
        return 77
    os.makedirs(OUT, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="lf-browser-")
    browser = Browser(exe)
    try:
        v = browser.send("Browser.getVersion", timeout=60)
        print("     %s" % v.get("product"))
        test_corpus(browser, tmp)
        test_xss(browser, tmp)
    finally:
        browser.close()
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
