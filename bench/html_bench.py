"""Benchmark: the single-page HTML of a ~200,000-line synthetic corpus, its size and how fast
headless Chromium loads it.

    .venv/bin/python bench/html_bench.py [--lines 200000] [--seed 0] [--runs 3] [--keep DIR]
    .venv/bin/python bench/html_bench.py --articles DIR      an existing folder instead
    ... --without-content-visibility    also time one load of the same page without it

The corpus comes from bench/corpus.py (`make_corpus(folder, lines, seed)`); the page is built
by the real CLI (`build.py build --articles DIR --format html`), then opened --runs times in
Debian's Chromium (Playwright, a fresh browser context each time, every request other than
the file itself aborted and counted). Printed: the page's size in MB and what it is made of,
the build time, and per run the time to the `load` event, to first paint and first
contentful paint (Performance API: navigation and paint entries), with the median.
--without-content-visibility measures what the page's `.chapter { content-visibility: auto }`
rule buys: one more load of a copy of the page with that declaration removed.
Exit 1 when the page makes a request or logs a console error.
"""
from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.writers.html.browser import DESKTOP, launch, open_page  # noqa: E402

TIMINGS = """() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const paint = Object.fromEntries(performance.getEntriesByType('paint').map(p => [p.name, p.startTime]));
    return {load: nav.loadEventStart, dom: nav.domContentLoadedEventStart, response: nav.responseEnd,
            fp: paint['first-paint'] ?? null, fcp: paint['first-contentful-paint'] ?? null,
            nodes: document.getElementsByTagName('*').length,
            height: document.documentElement.scrollHeight};
}"""
# What the page's bytes are: inlined images and diagrams, MathML, pandoc's per-line code anchors.
PARTS = {
    "data: URIs (images, diagrams)": re.compile(r'src="data:[^"]*"'),
    "MathML": re.compile(r"<math\b.*?</math>", re.DOTALL),
    "code line anchors": re.compile(r'<a href="#[^"]*" aria-hidden="true" tabindex="-1"></a>'),
    "CSS": re.compile(r"<style>.*?</style>", re.DOTALL),
}


def corpus(folder: Path, lines: int, seed: int) -> Path:
    try:
        from bench.corpus import make_corpus
    except ImportError:
        sys.exit("bench/corpus.py (make_corpus) is not there yet; give --articles DIR instead")
    make_corpus(folder, lines=lines, seed=seed)
    return folder


def count_lines(folder: Path) -> tuple[int, int]:
    files = sorted(folder.glob("*.md"))
    return len(files), sum(p.read_text(encoding="utf-8").count("\n") for p in files)


def build(articles: Path, out: Path) -> tuple[Path, float]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--articles", str(articles),
                           "--format", "html", "--out", str(out)], cwd=REPO, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"build failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    for line in (proc.stdout + proc.stderr).splitlines():
        if line.startswith(("wrote ", "timings", "verify")) or line.endswith("warning(s)"):
            print(f"  cli: {line}")
    return next(out.glob("*.html")), elapsed


def composition(html: str) -> list[tuple[str, int]]:
    return [(name, sum(len(m.group(0).encode("utf-8")) for m in pattern.finditer(html)))
            for name, pattern in PARTS.items()]


def load_times(page_path: Path, runs: int) -> tuple[list[dict], list[str]]:
    from playwright.sync_api import sync_playwright
    results, problems = [], []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for _ in range(runs):
            watched = open_page(browser, page_path, viewport=DESKTOP, timeout_ms=600_000)
            watched.page.wait_for_timeout(500)          # let the paint entries arrive
            results.append(watched.page.evaluate(TIMINGS))
            problems += watched.errors + watched.foreign_requests() + watched.blocked
            watched.page.context.close()
        browser.close()
    return results, problems


def print_runs(results: list[dict]) -> None:
    print("run   load event   DOMContentLoaded   first paint   first contentful paint   (ms)")
    for k, r in enumerate(results, start=1):
        print(f"{k:>3}   {r['load']:>10.0f}   {r['dom']:>16.0f}   {r['fp'] or float('nan'):>11.0f}   {r['fcp'] or float('nan'):>22.0f}")
    median = {key: statistics.median(r[key] for r in results if r[key] is not None)
              for key in ("load", "dom", "fp", "fcp") if any(r[key] is not None for r in results)}
    print("median " + ", ".join(f"{k} {v:.0f} ms" for k, v in median.items()))


def without_content_visibility(page: Path) -> Path:
    html = page.read_text(encoding="utf-8")
    stripped = re.sub(r"content-visibility: auto; contain-intrinsic-size: [^;]*;", "", html, count=1)
    if stripped == html:
        sys.exit("the page has no content-visibility rule to take out")
    copy = page.with_name(page.stem + "-without-cv.html")
    copy.write_text(stripped, encoding="utf-8")
    return copy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--articles", type=Path, help="measure this folder instead of a synthetic corpus")
    parser.add_argument("--keep", type=Path, help="build here and keep the corpus and the page")
    parser.add_argument("--without-content-visibility", action="store_true",
                        help="also time one load of the page without its content-visibility rule")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="html-bench-") as temporary:
        work = options.keep or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        articles = options.articles or corpus(work / "corpus", options.lines, options.seed)
        files, lines = count_lines(articles)
        page, build_seconds = build(articles, work / "out")
        html = page.read_text(encoding="utf-8")
        size = page.stat().st_size
        print(f"corpus: {files} articles, {lines:,} lines ({articles})")
        print(f"build (html only, real CLI): {build_seconds:.1f} s")
        print(f"page: {size / 1e6:.1f} MB ({size:,} bytes)")
        for name, part in composition(html):
            print(f"  {name}: {part / 1e6:.1f} MB ({100 * part / size:.0f} %)")
        results, problems = load_times(page, options.runs)
        print(f"DOM: {results[0]['nodes']:,} elements, {results[0]['height']:,} px tall at {DESKTOP['width']} px")
        print_runs(results)
        if options.without_content_visibility:
            print("the same page without content-visibility:")
            plain, more = load_times(without_content_visibility(page), 1)
            print_runs(plain)
            problems += more
        if problems:
            print("problems: " + "; ".join(problems[:10]))
            return 1
        return 0


if __name__ == "__main__":
    sys.exit(main())
