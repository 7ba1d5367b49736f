"""Build speed on a ~200,000-line synthetic course, in one run: every number of the README's
speed table.

    .venv/bin/python bench/build_bench.py [--lines 200000] [--keep DIR] [--no-pdf] [--slice 6]

Each step runs `build.py` as a user would (a fresh process, the corpus's folder as the working
directory, so the cache is `.zennbook-cache` there). It prints:

- cold HTML and cold EPUB, each from empty caches, then a cold build of all three formats
  from empty caches with its verify step (the time of each format and of verify are read
  from `build`'s own `wrote` and `verify:` lines);
- a no-change rebuild of all three formats (the command an author runs, verify included);
- a one-character edit in one article: HTML and EPUB rebuilt (one command), then the PDF
  (another), and plain `lualatex` once on that article's own unit document (the PDF
  criterion: the rebuild against the time LuaLaTeX needs for that one article alone);
- the references: plain pandoc to HTML and to EPUB on the whole corpus, and plain LuaLaTeX:
  pandoc's standalone LaTeX of the first --slice articles compiled once, its seconds per page
  times the book's page count, times two passes (a table of contents needs two);
- peak memory: the largest sum of resident memory over the build's process tree (sampled
  every 0.2 s), and the largest single process.
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.corpus import make_corpus  # noqa: E402
from zennbook.pandoc import pandoc_path  # noqa: E402

VERIFIED = re.compile(r"^verify: ok in ([\d.]+)s", re.M)
WROTE = re.compile(r"^wrote \S+\.(pdf|epub|html) \([\d.]+ KiB, (?:([\d.]+)s|up to date)\)", re.M)
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


class TreeMemory(threading.Thread):
    """The peak of the summed resident memory of this process's descendants."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = 0
        self.running = True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, descendants_rss())
            time.sleep(0.2)


def descendants_rss() -> int:
    parents, rss = {}, {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
            parents[int(entry.name)] = int(stat[1])
            rss[int(entry.name)] = int(stat[21]) * PAGE_SIZE
        except (OSError, IndexError, ValueError):
            continue
    me, total = os.getpid(), 0
    for pid in rss:
        ancestor = parents.get(pid)
        while ancestor and ancestor != me:
            ancestor = parents.get(ancestor)
        total += rss[pid] if ancestor == me else 0
    return total


def run(args: list[str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        print(proc.stdout[-2000:], proc.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"failed: {' '.join(args)}")
    return elapsed, proc.stdout


def build(work: Path, *formats: str, verify: bool = False) -> tuple[float, dict[str, str]]:
    """Wall seconds of `build.py build`, and each format's own time (and verify's) as `build`
    printed it."""
    args = [sys.executable, str(REPO / "build.py"), "build", "--book", "book.yaml", "--out", "out"]
    args += [] if verify else ["--no-verify"]
    for fmt in formats:
        args += ["--format", fmt]
    seconds, out = run(args, work)
    each = {m[1]: (f"{float(m[2]):.1f} s" if m[2] else "up to date") for m in WROTE.finditer(out)}
    each.update({"verify": f"{float(m[1]):.1f} s" for m in VERIFIED.finditer(out)})
    return seconds, each


def cold(work: Path, *formats: str, verify: bool = False) -> tuple[float, dict[str, str]]:
    shutil.rmtree(work / ".zennbook-cache", ignore_errors=True)
    shutil.rmtree(work / "out", ignore_errors=True)
    return build(work, *formats, verify=verify)


def plain_pandoc(articles: Path, fmt: str, out: Path) -> float:
    files = sorted(str(p) for p in articles.glob("*.md"))
    return run([pandoc_path(), "-f", "commonmark_x", "-t", fmt, "--mathml", "-s",
                "--metadata", "title=Synthetic", "-o", str(out), *files], articles)[0]



def plain_lualatex_rate(articles: Path, count: int, work: Path) -> tuple[float, int]:
    """(seconds, pages) of one plain LuaLaTeX pass over pandoc's standalone LaTeX of the
    first `count` articles (its default template; Noto CJK so that the Japanese is set)."""
    folder = work / "plain-latex"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    files = sorted(str(p) for p in articles.glob("*.md"))[:count]
    run([pandoc_path(), "-f", "commonmark_x", "-t", "latex", "-s", "--toc", "-V", "CJKmainfont=Noto Serif CJK JP",
         "--metadata", "title=Synthetic", "-o", str(folder / "plain.tex"), *files], articles)
    seconds, _ = run(["lualatex", "--interaction=nonstopmode", "plain.tex"], folder)
    return seconds, pdf_pages(folder / "plain.pdf")


def pdf_pages(path: Path) -> int:
    import pikepdf
    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def edit_one_article(articles: Path) -> str:
    files = sorted(articles.glob("*.md"))
    target = files[len(files) // 2]
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("。", "．", 1), encoding="utf-8")     # a one-character typo fix
    return target.stem


def unit_alone(work: Path, slug: str) -> tuple[float, int]:
    """Plain lualatex, once, on the document the edit's unit job compiled (that article alone)."""
    jobs = work / ".zennbook-cache" / "pdfunits" / "jobs"
    folder = max((f for f in jobs.iterdir() if (f / "chapters" / f"{slug}.tex").exists()
                  and len(list((f / "chapters").glob("*.tex"))) == 1), key=lambda f: f.stat().st_mtime)
    scratch = Path(tempfile.mkdtemp(prefix="unit-alone-", dir=work))
    for item in folder.iterdir():
        if item.is_symlink():
            os.symlink(os.readlink(item), scratch / item.name)
        elif item.suffix in (".tex", ".sty") or item.is_dir():
            (shutil.copytree if item.is_dir() else shutil.copyfile)(item, scratch / item.name)
    seconds, _ = run(["lualatex", "--interaction=nonstopmode", "--no-shell-escape", "--jobname=book", "book.tex"],
                     scratch)
    pages = pdf_pages(scratch / "book.pdf")
    shutil.rmtree(scratch, ignore_errors=True)
    return seconds, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--keep", type=Path, help="work folder (kept); default: a temporary one")
    parser.add_argument("--no-pdf", action="store_true", help="HTML and EPUB only")
    parser.add_argument("--slice", type=int, default=6, help="articles in the plain LuaLaTeX reference")
    options = parser.parse_args()
    work = (options.keep or Path(tempfile.mkdtemp(prefix="zennbook-bench-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    articles = work / "articles"
    shutil.rmtree(articles, ignore_errors=True)
    counts = make_corpus(articles, lines=options.lines, seed=0)
    yaml = (articles / "book.yaml").read_text(encoding="utf-8")
    (work / "book.yaml").write_text("articles: articles\n" + yaml, encoding="utf-8")
    (articles / "book.yaml").unlink()
    formats = ["html", "epub"] + ([] if options.no_pdf else ["pdf"])
    print(f"corpus: {counts['articles']} articles, {counts['lines']} lines; {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)
    memory = TreeMemory()
    memory.start()
    rows: list[tuple[str, float, str]] = []

    def note(name: str, seconds: float, detail: str = "") -> None:
        rows.append((name, seconds, detail))
        print(f"  {name:<44} {seconds:8.1f} s  {detail}", flush=True)

    for fmt in ("html", "epub"):
        note(f"cold {fmt} (empty caches)", cold(work, fmt)[0])
    seconds, each = cold(work, *formats, verify=True)
    page_count = 0 if options.no_pdf else pdf_pages(next((work / "out").glob("*.pdf")))
    note("cold, all formats, then verify", seconds, ", ".join(f"{k} {v}" for k, v in each.items())
         + (f"; {page_count} PDF pages" if page_count else ""))
    seconds, each = build(work, *formats, verify=True)
    note("no-change rebuild, all formats", seconds, ", ".join(f"{k} {v}" for k, v in each.items()))
    slug = edit_one_article(articles)
    seconds, each = build(work, "html", "epub")
    note(f"one-character edit ({slug}): html + epub", seconds, ", ".join(f"{k} {v}" for k, v in each.items()))
    if not options.no_pdf:
        seconds, each = build(work, "pdf")
        note("the same edit: pdf", seconds, ", ".join(f"{k} {v}" for k, v in each.items()))
        alone, pages = unit_alone(work, slug)
        note("plain lualatex, that article's unit alone", alone, f"{pages} pages, one pass")
    for fmt, ext in (("html", "html"), ("epub3", "epub")):
        note(f"plain pandoc -t {fmt}", plain_pandoc(articles, fmt, work / f"pandoc.{ext}"))
    if not options.no_pdf:
        seconds, pages = plain_lualatex_rate(articles, options.slice, work)
        estimate = 2 * page_count * seconds / pages
        note(f"plain lualatex, {options.slice} articles, one pass", seconds,
             f"{pages} pages = {pages / seconds:.1f} pages/s")
        note(f"plain lualatex, {page_count} pages x 2 passes (estimate)", estimate)
    memory.running = False
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"  {'peak memory, the whole process tree':<44} {memory.peak / 2**20:8.0f} MB")
    print(f"  {'peak memory, the largest single process':<44} {largest:8.0f} MB")


if __name__ == "__main__":
    main()
