"""Benchmark: `build.py serve` on the synthetic course (bench/corpus.py).

    .venv/bin/python bench/serve_bench.py [--articles 114] [--seed 0] [--edits 5] [--no-proof]

Measured, each on its own fresh copy of the corpus and a fresh cache:
- the cold HTML build (`build.py build --format html --no-verify`), the yardstick;
- server start to first page: from starting `build.py serve` to the page's `load` event in
  headless Chromium (Debian's, Playwright);
- save to reload for a one-paragraph edit, --edits times: from the file's write to the new
  text on the page, split into write -> reload event (the server's part: watch, prepare the
  article again, render the page; seen as the page's request for the edited chapter) and
  reload event -> shown (the browser's: fetch the chapter, swap it in);
- the proof of the edited article: `/proof/<slug>` asked for once (a cold LaTeX run), then
  made again after an edit (the .aux kept);
- server start to first page again, warm: an author's next `serve` on the same book.
Printed as a table; the README quotes it.
"""
from __future__ import annotations

import argparse
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.corpus import FULL, FULL_LINES, OPENERS, make_corpus  # noqa: E402
from tests.writers.html.browser import DESKTOP, launch  # noqa: E402

LOAD_TIMEOUT_MS = 600_000
PROOF_TIMEOUT_S = 900
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))     # the server is local


def cold_build(folder: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--articles", str(folder),
                           "--format", "html", "--no-verify", "--out", "dist"],
                          cwd=folder, capture_output=True, text=True)
    if not (folder / "dist").is_dir() or done.returncode not in (0, 1):
        raise SystemExit(f"the HTML build failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def start_serve(folder: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--articles", str(folder),
                                "--port", "0"], cwd=folder, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    for line in process.stdout:
        found = re.search(r"serving (http://\S+/)", line)
        if found:
            return process, found.group(1)
    raise SystemExit("serve did not start")


def prose_line(text: str) -> int:
    """The index of the first paragraph line of the article's body."""
    lines = text.split("\n")
    return next(i for i, line in enumerate(lines) if line.startswith(tuple(OPENERS)))


def edited(text: str, marker: str) -> str:
    lines = text.split("\n")
    index = prose_line(text)
    lines[index] = lines[index] + marker
    return "\n".join(lines)


def save_to_reload(page, article: Path, chapter: str, runs: int) -> list[tuple[float, float, float]]:
    """Per edit: (write -> new text on the page, write -> the page's first request after the
    reload event, that request -> new text shown), in seconds. The request is the edited
    chapter's HTML (swapped in place) or the whole page (a reload)."""
    original = article.read_text(encoding="utf-8")
    asked: list[float] = []

    def on_request(request) -> None:
        if request.is_navigation_request() or "/__serve/chapter/" in request.url:
            asked.append(time.time())
    page.on("request", on_request)
    page.locator(f"#{chapter}").scroll_into_view_if_needed()
    timings = []
    for run in range(runs):
        marker = f"（編集{run}）"
        asked.clear()
        written = time.time()
        article.write_text(edited(original, marker), encoding="utf-8")
        page.wait_for_function(f"() => document.getElementById('{chapter}')?.textContent.includes('{marker}')",
                               polling=10)
        shown = time.time()
        timings.append((shown - written, asked[0] - written, shown - asked[0]))
        time.sleep(1.0)
    return timings


def proof_seconds(url: str, slug: str, after: int = 0) -> tuple[float, int]:
    """(seconds until the proof page shows a proof newer than version `after`, its pages)."""
    started = time.perf_counter()
    while time.perf_counter() - started < PROOF_TIMEOUT_S:
        page = DIRECT.open(f"{url}proof/{slug}").read().decode()
        found = re.search(r'data-version="(\d+)"', page)
        if found and int(found.group(1)) > after and "made in" in page:
            return time.perf_counter() - started, page.count('class="zb-page"')
        time.sleep(0.2)
    raise SystemExit(f"no proof of {slug} in {PROOF_TIMEOUT_S}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=FULL["articles"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--no-proof", action="store_true")
    args = parser.parse_args()
    lines = round(FULL_LINES * args.articles / FULL["articles"])
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory(prefix="serve-bench-") as tmp:
        built, served = Path(tmp) / "built", Path(tmp) / "served"
        counts = make_corpus(built, lines=lines, seed=args.seed)
        shutil.copytree(built, served)
        print(f"corpus: {counts['articles']} articles, {counts['lines']} lines")
        build_s = cold_build(built)
        print(f"cold HTML build: {build_s:.1f}s")
        names = sorted(p.stem for p in served.glob("*.md"))
        slug = names[len(names) // 2]
        started = time.perf_counter()
        process, url = start_serve(served)
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                page = browser.new_context(viewport=DESKTOP).new_page()
                page.set_default_timeout(LOAD_TIMEOUT_MS)
                page.goto(url, wait_until="load")
                first_s = time.perf_counter() - started
                print(f"serve start to first page: {first_s:.1f}s")
                timings = save_to_reload(page, served / f"{slug}.md", f"ch-{slug}", args.edits)
                browser.close()
            for name, index in (("save to reload (write -> new text shown)", 0),
                                ("  write -> reload event (server)", 1), ("  reload event -> shown (browser)", 2)):
                values = [t[index] for t in timings]
                print(f"{name}: median {statistics.median(values):.2f}s "
                      f"(min {min(values):.2f}, max {max(values):.2f}, {len(values)} edits)")
            if not args.no_proof:
                seconds, pages = proof_seconds(url, slug)
                print(f"proof of {slug} ({pages} pages), first ask (cold LaTeX): {seconds:.1f}s")
                article = served / f"{slug}.md"
                article.write_text(edited(article.read_text(encoding="utf-8"), "（校正）"), encoding="utf-8")
                print(f"proof of {slug} after a save: {proof_seconds(url, slug, after=1)[0]:.1f}s")
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=60)
        print(f"serve start to first page, warm (started again): {first_page(served)[0]:.1f}s")


def first_page(folder: Path) -> tuple[float, str]:
    """Seconds from starting `serve` to the page's load event in Chromium; the server stopped."""
    from playwright.sync_api import sync_playwright
    started = time.perf_counter()
    process, url = start_serve(folder)
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_context(viewport=DESKTOP).new_page()
            page.goto(url, wait_until="load", timeout=LOAD_TIMEOUT_MS)
            seconds = time.perf_counter() - started
            browser.close()
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    return seconds, url


if __name__ == "__main__":
    main()
