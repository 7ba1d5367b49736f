"""Benchmark: `build.py serve` on the synthetic course (bench/corpus.py).

    .venv/bin/python bench/serve_bench.py [--articles 114] [--seed 0] [--edits 5] [--no-proof]
    .venv/bin/python bench/serve_bench.py --warm DIR      # a course folder served before: no cold part

Measured, each number with the machine's load average (1 min) when it was taken:
- the cold HTML build (`build.py build --format html --no-verify`), the yardstick, on its own
  copy of the corpus and a fresh cache;
- server start to first paint, cold (a fresh cache): from starting `build.py serve` to the
  page's first contentful paint in headless Chromium (Debian's, Playwright), split into start
  -> listening (the first chapter prepared) and listening -> first paint; then until every
  chapter is in the page (they come in over the event stream);
- save to reload for a one-paragraph edit, --edits times: from the file's write to the new
  text on the page, split into write -> the `reload` event in the browser (the server's part:
  the watch, the article prepared and its chapter rendered, whose stages the server prints)
  and event -> new text shown (the browser's: fetch the chapter, swap it in);
- the proof of the edited article in Chromium: the first ask (a cold LaTeX run), then three
  saves (`proof_after_save`), each timed from the write to the first new page image shown
  (split at the `proof` event) and to the whole proof shown;
- server start to first paint again, warm: an author's next `serve` on the same book.
Printed as a table; the README quotes it.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.corpus import FULL, FULL_LINES, OPENERS, make_corpus  # noqa: E402
from tests.writers.html.browser import DESKTOP, launch  # noqa: E402

LOAD_TIMEOUT_MS = 900_000
FILL_TIMEOUT_S = 1800
PROOF_TIMEOUT_MS = 900_000
READ_S = 5.0          # an author reads a new proof before the next save
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))     # the server is local
STAGES = re.compile(r"rebuilt \S+ in [\d.]+s \(([^)]*)\)")
# The page's own record of the events it hears (a second EventSource: the overlay's is private).
LISTEN = """() => { window.heard = []; const events = new EventSource('/__serve/events');
  for (const kind of ['reload', 'proof']) events.addEventListener(kind, (e) =>
    window.heard.push({kind, at: performance.timeOrigin + performance.now(), data: JSON.parse(e.data)})); }"""
FIRST_PAINT = """() => new Promise((done) => {
  const seen = () => performance.getEntriesByType('paint').find((p) => p.name === 'first-contentful-paint');
  const wait = () => seen() ? done(performance.timeOrigin + seen().startTime) : setTimeout(wait, 20);
  wait(); })"""


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def cold_build(folder: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--articles", str(folder),
                           "--format", "html", "--no-verify", "--out", "dist"],
                          cwd=folder, capture_output=True, text=True)
    if not (folder / "dist").is_dir() or done.returncode not in (0, 1):
        raise SystemExit(f"the HTML build failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


class Serving:
    """`build.py serve` on a folder: its URL and what it says on stderr (the stages of each save)."""

    def __init__(self, folder: Path):
        self.started = time.time()
        self.process = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--articles", str(folder),
                                         "--port", "0"], cwd=folder, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
        self.said: list[str] = []
        threading.Thread(target=self.collect, daemon=True).start()
        for line in self.process.stdout:
            found = re.search(r"serving (http://\S+/)", line)
            if found:
                self.url, self.listening = found.group(1), time.time()
                return
        raise SystemExit("serve did not start:\n" + "\n".join(self.said[-20:]))

    def collect(self) -> None:
        for line in self.process.stderr:
            self.said.append(line.rstrip())

    def state(self) -> dict:
        return json.loads(DIRECT.open(f"{self.url}__serve/state").read())

    def until_filled(self) -> float:
        """Seconds from the start until every chapter is in the page."""
        deadline = time.time() + FILL_TIMEOUT_S
        while time.time() < deadline:
            if self.state()["pending"] == 0:
                return time.time() - self.started
            time.sleep(0.5)
        raise SystemExit("the book never filled")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=60)


def first_paint(browser, serving: Serving) -> tuple[object, dict]:
    """The page opened as soon as the server listens; (the page, the stages in seconds)."""
    page = browser.new_context(viewport=DESKTOP).new_page()
    page.set_default_timeout(LOAD_TIMEOUT_MS)
    page.goto(serving.url, wait_until="commit")
    painted = page.evaluate(FIRST_PAINT) / 1000
    return page, {"start -> listening (first chapter)": serving.listening - serving.started,
                  "listening -> first paint": painted - serving.listening,
                  "start -> first paint": painted - serving.started}


def prose_lines(text: str) -> list[int]:
    """The indexes of the paragraph lines of the article's body."""
    return [i for i, line in enumerate(text.split("\n")) if line.startswith(tuple(OPENERS))]


def edited(text: str, marker: str, at_end: bool = False) -> str:
    """`marker` added to the first paragraph line of the body (or the last, `at_end`)."""
    lines = text.split("\n")
    index = prose_lines(text)[-1 if at_end else 0]
    lines[index] = lines[index] + marker
    return "\n".join(lines)


def heard_after(page, kind: str, written_ms: float, **match) -> float:
    """When the page heard the first `kind` event after the write (epoch seconds)."""
    found = page.wait_for_function(
        """([kind, after, match]) => window.heard.find((e) => e.kind === kind && e.at >= after &&
             Object.entries(match).every(([k, v]) => e.data[k] === v))""",
        arg=[kind, written_ms, match], polling=10)
    return found.json_value()["at"] / 1000


def save_to_reload(page, serving: Serving, article: Path, chapter: str, runs: int) -> list[dict]:
    """Per edit, in seconds: write -> new text on the page, split at the `reload` event;
    the server's own stages of that save; the load."""
    original = article.read_text(encoding="utf-8")
    page.evaluate(LISTEN)
    page.locator(f"#{chapter}").scroll_into_view_if_needed()
    timings = []
    for run in range(runs):
        marker = f"（編集{run}）"
        said = len(serving.said)
        written = time.time()
        article.write_text(edited(original, marker), encoding="utf-8")
        page.wait_for_function(f"() => document.getElementById('{chapter}')?.textContent.includes('{marker}')",
                               polling=10)
        shown = time.time()
        event = heard_after(page, "reload", written * 1000)
        stages = next((m.group(1) for line in serving.said[said:] if (m := STAGES.search(line))), "")
        timings.append({"total": shown - written, "server": event - written, "browser": shown - event,
                        "stages": stages, "load": os.getloadavg()[0]})
        time.sleep(1.0)
    article.write_text(original, encoding="utf-8")
    return timings


def proof_after_save(browser, serving: Serving, article: Path, slug: str) -> dict:
    """The proof page: the first proof (cold), then three saves, each to its first new page
    image shown (the first pages of firstpages.py, when the edit is early in the chapter) and
    to the whole proof shown: an early edit at once (the next LuaLaTeX runs, started ahead,
    still loading their preamble), the same after READ_S of reading the new proof, as an
    author does, and an edit at the end of the chapter after READ_S (no first pages)."""
    page = browser.new_context(viewport=DESKTOP).new_page()
    page.set_default_timeout(PROOF_TIMEOUT_MS)
    asked = time.time()
    page.goto(f"{serving.url}proof/{slug}")
    page.evaluate(LISTEN)
    page.wait_for_function("() => { const img = document.querySelector('img.zb-page'); "
                           "return img && img.complete && img.naturalWidth > 0; }", polling=100)
    page.wait_for_function("() => document.querySelector('.zb-status').textContent.includes('made in')", polling=100)
    measured = {"first": time.time() - asked, "pages": page.locator("img.zb-page").count()}
    original = article.read_text(encoding="utf-8")
    for name, pause, at_end in (("early edit at once", 0.0, False), ("early edit after reading", READ_S, False),
                                ("edit at the end after reading", READ_S, True)):
        time.sleep(pause)            # each edit on the text as the last one left it: one change each
        text = edited(article.read_text(encoding="utf-8"), f"（校正{len(measured)}）", at_end)
        measured[name] = proof_save(page, article, text)
    article.write_text(original, encoding="utf-8")
    return measured


def proof_save(page, article: Path, text: str) -> dict:
    """write -> the first `proof` event, -> the first page image of a newer proof shown,
    -> the whole proof shown (its status says how long it took)."""
    version = int(page.locator('meta[name="zennbook-proof"]').get_attribute("data-version"))
    written = time.time()
    article.write_text(text, encoding="utf-8")
    typeset = heard_after(page, "proof", written * 1000)
    page.wait_for_function(f"""() => {{ const img = document.querySelector('img.zb-page');
        const v = +new URL(img.src).searchParams.get('v');
        return img.complete && img.naturalWidth > 0 && v > {version}; }}""", polling=10)
    shown = time.time()
    page.wait_for_function(f"""() => +document.querySelector('meta[name="zennbook-proof"]').dataset.version > {version}
        && document.querySelector('.zb-status').textContent.includes('made in')""", polling=10)
    whole = time.time()
    first_pages = page.locator(".zb-status").text_content()
    return {"total": shown - written, "typeset": typeset - written, "image": shown - typeset,
            "whole": whole - written, "load": os.getloadavg()[0], "status": first_pages}


def median_line(name: str, values: list[float]) -> str:
    return f"{name}: median {statistics.median(values):.2f}s (min {min(values):.2f}, max {max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=FULL["articles"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--no-proof", action="store_true")
    parser.add_argument("--warm", type=Path, help="a corpus folder `serve` has run on (its cache warm): "
                        "only the warm numbers, the cold build and first page left out")
    args = parser.parse_args()
    lines = round(FULL_LINES * args.articles / FULL["articles"])
    from playwright.sync_api import sync_playwright
    if args.warm:
        return warm_only(args.warm.resolve(), args)
    with tempfile.TemporaryDirectory(prefix="serve-bench-") as tmp:
        built, served = Path(tmp) / "built", Path(tmp) / "served"
        counts = make_corpus(built, lines=lines, seed=args.seed)
        shutil.copytree(built, served)
        print(f"corpus: {counts['articles']} articles, {counts['lines']} lines; {os.cpu_count()} cores")
        build_s = cold_build(built)
        print(f"cold HTML build: {build_s:.1f}s ({load()})", flush=True)
        names = sorted(p.stem for p in served.glob("*.md"))
        slug = names[len(names) // 2]
        with sync_playwright() as playwright:
            browser = launch(playwright)            # before the server: its start is not the server's time
            serving = Serving(served)
            try:
                page, stages = first_paint(browser, serving)
                print(f"serve start to first paint, cold: {stages['start -> first paint']:.1f}s ({load()}; "
                      + ", ".join(f"{k} {v:.1f}s" for k, v in stages.items() if "->" in k and k != "start -> first paint")
                      + ")", flush=True)
                print(f"serve start to every chapter in the page, cold: {serving.until_filled():.1f}s ({load()})",
                      flush=True)
                report_saves(save_to_reload(page, serving, served / f"{slug}.md", f"ch-{slug}", args.edits), slug)
                if not args.no_proof:
                    report_proof(proof_after_save(browser, serving, served / f"{slug}.md", slug), slug)
            finally:
                serving.stop()
            serving = Serving(served)
            try:
                _, stages = first_paint(browser, serving)
                print(f"serve start to first paint, warm: {stages['start -> first paint']:.1f}s ({load()}); "
                      f"every chapter in: {serving.until_filled():.1f}s ({load()})")
            finally:
                serving.stop()
            browser.close()


def warm_only(served: Path, args) -> None:
    """First paint, save to reload and the proof on a folder served before."""
    from playwright.sync_api import sync_playwright
    slug = sorted(p.stem for p in served.glob("*.md"))[len(list(served.glob("*.md"))) // 2]
    with sync_playwright() as playwright:
        browser = launch(playwright)
        serving = Serving(served)
        try:
            page, stages = first_paint(browser, serving)
            print(f"serve start to first paint, warm: {stages['start -> first paint']:.1f}s ({load()}); "
                  f"every chapter in: {serving.until_filled():.1f}s ({load()})", flush=True)
            report_saves(save_to_reload(page, serving, served / f"{slug}.md", f"ch-{slug}", args.edits), slug)
            if not args.no_proof:
                report_proof(proof_after_save(browser, serving, served / f"{slug}.md", slug), slug)
        finally:
            serving.stop()
        browser.close()


def report_saves(timings: list[dict], slug: str) -> None:
    print(f"save to reload of {slug}, {len(timings)} edits, "
          f"load {min(t['load'] for t in timings):.1f}-{max(t['load'] for t in timings):.1f}:")
    for name, key in (("  write -> new text shown", "total"), ("  write -> reload event (server)", "server"),
                      ("  reload event -> shown (browser)", "browser")):
        print(median_line(name, [t[key] for t in timings]))
    for t in timings:
        print(f"    {t['total']:.2f}s: server {t['server']:.2f}s [{t['stages']}], "
              f"browser {t['browser']:.2f}s, load {t['load']:.1f}", flush=True)


def report_proof(proof: dict, slug: str) -> None:
    print(f"proof of {slug} ({proof['pages']} pages): first ask {proof['first']:.1f}s", flush=True)
    for name, save in proof.items():
        if isinstance(save, dict):
            print(f"  {name}: save -> first new page image shown {save['total']:.1f}s (write -> proof event "
                  f"{save['typeset']:.1f}s, event -> image shown {save['image']:.2f}s); save -> whole proof shown "
                  f"{save['whole']:.1f}s; load {save['load']:.1f}", flush=True)


if __name__ == "__main__":
    main()
