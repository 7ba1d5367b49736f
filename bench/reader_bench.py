"""Benchmark: the reader's PDF (WeasyPrint per unit, joined) against one plain WeasyPrint run
on the single HTML page of the same synthetic course; a one-article edit; the page's search.

    .venv/bin/python bench/reader_bench.py [--lines 20000] [--seed 0] [--keep DIR] [--plain-timeout 1800]

The course comes from bench/corpus.py (114 articles at any --lines). Steps, each by the real
CLI in a subprocess whose whole process tree is sampled for memory (RSS, every 0.2 s):

1. `build --format html`: the articles prepared and cached (pandoc, mermaid), the page written;
2. `build --format reader-pdf --jobs 2` with the articles cached and no reader cache: the
   reader's PDF cold (units laid out in 2 worker processes, joined);
3. one plain `weasyprint` run on the single HTML page (one process, the whole book at once);
4. one article edited (a paragraph appended), `build --format reader-pdf` again;
5. the page in Debian's Chromium: the bytes search adds to the page, the time to build the
   index on first use, the time from typing a word to its hits listed.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PLAIN = ("import sys, weasyprint; weasyprint.HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])")


def tree_rss_kib(root: int) -> int:
    """Resident memory of `root` and all its descendants, in KiB."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                    parents[int(entry)] = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    family, grew = {root}, True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in family and pid not in family:
                family.add(pid)
                grew = True
    total = 0
    for pid in family:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as handle:
                total += next((int(l.split()[1]) for l in handle if l.startswith("VmRSS:")), 0)
        except OSError:
            continue
    return total


def measured(command: list[str], cwd: Path, timeout: float) -> dict:
    """Run `command`; its wall time, the peak RSS of its process tree, its output."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak, done = 0, threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kib(proc.pid))
            done.wait(0.2)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        timed_out = True
    done.set()
    sampler.join()
    return {"seconds": time.perf_counter() - started, "peak_mib": peak / 1024, "code": proc.returncode,
            "out": out, "err": err, "timed_out": timed_out}


def build(folder: Path, fmt: str, out: str = "dist", timeout: float = 3600) -> dict:
    result = measured([sys.executable, str(REPO / "build.py"), "build", "--articles", ".", "--format", fmt,
                       "--out", out, "--jobs", "2", "--no-verify", "--quiet"], folder, timeout)
    if result["code"] != 0:
        sys.exit(f"build --format {fmt} failed:\n{result['err'][-3000:]}")
    wrote = re.search(r"wrote .*\(([\d.]+) KiB, ([\d.]+)s\)", result["out"])
    result["writer_s"] = float(wrote.group(2)) if wrote else None
    return result


def search_timings(page: Path) -> dict:
    from tests.writers.html.browser import launch, open_page
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = launch(playwright)
        watched = open_page(browser, page, timeout_ms=300_000)
        index_ms = watched.page.evaluate("""() => { const t = performance.now();
            document.getElementById('search-input').focus(); return performance.now() - t; }""")
        blocks = int(watched.page.get_attribute("#book-search", "data-indexed") or 0)
        first_ms = watched.page.evaluate("""async (word) => {
            const input = document.getElementById('search-input'), status = document.getElementById('search-status');
            const t = performance.now(); input.value = word; input.dispatchEvent(new Event('input'));
            while (status.textContent === '') await new Promise(r => setTimeout(r, 5));
            return {ms: performance.now() - t, hits: status.textContent}; }""", "潜在変数")
        browser.close()
    return {"index_ms": index_ms, "blocks": blocks, "first_ms": first_ms["ms"], "hits": first_ms["hits"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="work in DIR and keep it")
    parser.add_argument("--plain-timeout", type=float, default=1800)
    args = parser.parse_args()
    from bench.corpus import make_corpus
    work = args.keep or Path(tempfile.mkdtemp(prefix="reader-bench-"))
    folder = work / "course"
    counts = make_corpus(folder, lines=args.lines, seed=args.seed)
    print(f"corpus: {counts['articles']} articles, {counts['lines']} lines, {counts['mermaid']} diagrams, "
          f"{counts['math_lines']} math lines")

    html = build(folder, "html")
    page = next((folder / "dist").glob("*.html"))
    print(f"html (articles prepared, cold): {html['seconds']:.1f} s, page {page.stat().st_size / 1e6:.1f} MB")

    shutil.rmtree(folder / ".zennbook-cache" / "reader-pdf", ignore_errors=True)
    cold = build(folder, "reader-pdf")
    pdf = next((folder / "dist").glob("*.reader.pdf"))
    print(f"reader-pdf cold: {cold['seconds']:.1f} s (writer {cold['writer_s']} s), peak RSS {cold['peak_mib']:.0f} MiB, "
          f"{pdf.stat().st_size / 1e6:.1f} MB, {page_count(pdf)} pages")

    plain = measured([sys.executable, "-c", PLAIN, str(page), str(work / "plain.pdf")], work, args.plain_timeout)
    if plain["timed_out"]:
        print(f"plain weasyprint on the single HTML: not done after {args.plain_timeout:.0f} s, "
              f"peak RSS {plain['peak_mib']:.0f} MiB")
    else:
        print(f"plain weasyprint on the single HTML: {plain['seconds']:.1f} s, peak RSS {plain['peak_mib']:.0f} MiB, "
              f"{page_count(work / 'plain.pdf')} pages (exit {plain['code']})")

    article = sorted(folder.glob("*.md"))[len(list(folder.glob("*.md"))) // 2]
    article.write_text(article.read_text(encoding="utf-8") + "\n追記した段落です。\n", encoding="utf-8")
    edit = build(folder, "reader-pdf")
    print(f"reader-pdf after a one-article edit: {edit['seconds']:.1f} s (writer {edit['writer_s']} s), "
          f"peak RSS {edit['peak_mib']:.0f} MiB")

    added = sum(len((REPO / "templates" / "html" / n).read_bytes()) for n in ("search.js", "search.css"))
    timings = search_timings(page)
    print(f"search: {added / 1024:.1f} KiB added to the page (no index shipped); index of {timings['blocks']} blocks "
          f"built on first focus in {timings['index_ms']:.0f} ms; first hits ({timings['hits']}) "
          f"{timings['first_ms']:.0f} ms after typing (120 ms of it the typing pause)")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def page_count(pdf: Path) -> str:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    match = re.search(r"^Pages:\s+(\d+)", out, re.M)
    return match.group(1) if match else "?"


if __name__ == "__main__":
    main()
