"""Build speed on a ~200,000-line synthetic course, in one run (issue 9's numbers).

    .venv/bin/python bench/build_bench.py [--lines 200000] [--pdf] [--keep DIR]

Prints: cold full build per format, no-change rebuild, one-article-edit rebuild per format,
verify's time, peak memory, and the same corpus through plain pandoc as the reference.
The PDF of the whole corpus (~4,000 pages) takes many minutes; it runs only with --pdf.
"""
from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.corpus import make_corpus  # noqa: E402
from zennbook.pandoc import pandoc_path  # noqa: E402

BOOK_YAML = """\
title: Synthetic Course
slug: synthetic
license:
  id: CC-BY-NC-SA-4.0
  url: https://creativecommons.org/licenses/by-nc-sa/4.0/
  holder: Bench
  year: 2026
  notice: Synthetic corpus for benchmarks.
  short: CC BY-NC-SA 4.0 Bench
"""


def timed(args: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        print(proc.stdout[-2000:], proc.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"failed: {' '.join(args)}")
    return elapsed


def build(work: Path, *formats: str, extra: tuple[str, ...] = ()) -> float:
    args = [sys.executable, str(REPO / "build.py"), "build", "--book", "book.yaml", "--out", "out",
            "--no-verify", *extra]
    for fmt in formats:
        args += ["--format", fmt]
    return timed(args, work)


def plain_pandoc(articles: Path, fmt: str, out: Path) -> float:
    files = sorted(str(p) for p in articles.glob("*.md"))
    return timed([pandoc_path(), "-f", "commonmark_x", "-t", fmt, "--mathml", "-s",
                  "--metadata", "title=Synthetic", "-o", str(out), *files], articles)


def edit_one_article(articles: Path) -> None:
    target = sorted(articles.glob("*.md"))[len(list(articles.glob("*.md"))) // 2]
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("。", "．", 1), encoding="utf-8")     # a one-character typo fix


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--pdf", action="store_true")
    parser.add_argument("--keep", type=Path)
    options = parser.parse_args()
    work = options.keep or Path(tempfile.mkdtemp(prefix="zennbook-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    articles = work / "articles"
    shutil.rmtree(articles, ignore_errors=True)
    make_corpus(articles, lines=options.lines, seed=0)
    (work / "book.yaml").write_text(BOOK_YAML, encoding="utf-8")
    shutil.rmtree(work / ".zennbook-cache", ignore_errors=True)
    shutil.rmtree(work / "out", ignore_errors=True)
    formats = ["html", "epub"] + (["pdf"] if options.pdf else [])
    lines = sum(p.read_text(encoding="utf-8").count("\n") for p in articles.glob("*.md"))
    print(f"corpus: {len(list(articles.glob('*.md')))} articles, {lines} lines")

    rows = []
    for fmt in formats:
        shutil.rmtree(work / ".zennbook-cache", ignore_errors=True)
        rows.append((f"cold {fmt} (empty caches)", build(work, fmt)))
    rows.append(("no-change rebuild, all formats", build(work, *formats)))
    edit_one_article(articles)
    for fmt in formats:
        rows.append((f"one-article edit, {fmt}", build(work, fmt)))
    verify = timed([sys.executable, str(REPO / "build.py"), "verify", "out", "--book", "book.yaml"], work)
    rows.append(("verify (all built formats)", verify))
    for fmt, ext in (("html", "html"), ("epub3", "epub")):
        rows.append((f"plain pandoc -t {fmt}", plain_pandoc(articles, fmt, work / f"pandoc.{ext}")))
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    for name, seconds in rows:
        print(f"{name:<36} {seconds:8.1f} s")
    print(f"{'peak memory of one child process':<36} {peak:8.0f} MB")


if __name__ == "__main__":
    main()
