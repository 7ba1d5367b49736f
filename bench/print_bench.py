"""The print set of the synthetic course: volumes, their page counts, and what the split costs.

    .venv/bin/python bench/print_bench.py [--lines 200000] [--volume-pages 800] [--preset kdp-6x9] [--keep DIR]

The course (bench/corpus.py, 114 articles at the default size, parts of 20 articles) is built
in this process as the PDF writer builds it with `pdf.preset` and `pdf.volume_pages` set:
the whole book in units (cold: empty caches), then each volume as a unit build of its
chapters with its own front matter, and a cover per volume. Then the per-chapter PDFs are cut
from the book (what `release` adds) and the preflight reads the volumes and covers. It prints the
number of volumes, each volume's pages and chapters, the seconds of the book, of the volumes
and covers (what the split adds) and of the chapter PDFs, and whether the volumes' chapters
were compiled again (they should come from the book's units).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.corpus import make_corpus  # noqa: E402
from zennbook.config import load_book  # noqa: E402
from zennbook.diagnostics import Diagnostics, Level  # noqa: E402
from zennbook.pipeline import BuildContext, prepare  # noqa: E402
from zennbook.writers.pdf.chapters import write_chapter_pdfs  # noqa: E402
from zennbook.writers.pdf.preflight import preflight  # noqa: E402
from zennbook.writers.pdf.printset import write_print_book  # noqa: E402


def course(work: Path, lines: int, preset: str, volume_pages: int) -> Path:
    articles = work / "articles"
    shutil.rmtree(articles, ignore_errors=True)
    make_corpus(articles, lines=lines, seed=0)
    yaml = (articles / "book.yaml").read_text(encoding="utf-8")
    (articles / "book.yaml").unlink()
    (work / "book.yaml").write_text(f"articles: articles\n{yaml}pdf:\n  preset: {preset}\n"
                                    f"  volume_pages: {volume_pages}\n", encoding="utf-8")
    return work / "book.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--volume-pages", type=int, default=800)
    parser.add_argument("--preset", default="kdp-6x9")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="work folder (kept); default: a temporary one")
    options = parser.parse_args()
    work = (options.keep or Path(tempfile.mkdtemp(prefix="zennbook-print-bench-"))).resolve()
    work.mkdir(parents=True, exist_ok=True)
    book_file = course(work, options.lines, options.preset, options.volume_pages)
    diagnostics = Diagnostics()
    book = load_book(book_file, None, diagnostics, cwd=work)
    context = BuildContext(diagnostics=diagnostics, epoch=1767225600, cache_dir=work / ".zennbook-cache",
                           jobs=options.jobs)
    print(f"course: {book_file.parent}; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f}", flush=True)
    clock = time.perf_counter()
    articles = prepare(book, context)
    print(f"  prepare: {len(articles)} articles, {time.perf_counter() - clock:.1f} s", flush=True)
    out = work / "out"
    out.mkdir(exist_ok=True)
    clock = time.perf_counter()
    made = write_print_book(book, articles, out / f"{book.slug}.pdf", context)
    total = time.perf_counter() - clock
    print(f"  whole book: {made.book.pages} pages, {total - made.seconds:.1f} s "
          f"({made.book.units_compiled} of {made.book.units} chapters compiled)")
    print(f"  volumes and covers (the split): {made.seconds:.1f} s; {len(made.volumes)} volumes "
          f"(limit {options.volume_pages})")
    for path, built in made.volumes:
        print(f"    {path.name}: {built.pages} pages, {built.units} chapters, "
              f"{built.units_compiled} compiled again")
    clock = time.perf_counter()
    chapters = write_chapter_pdfs(out / f"{book.slug}.pdf", out / "chapters")
    print(f"  per-chapter PDFs: {len(chapters)} in {time.perf_counter() - clock:.1f} s")
    clock = time.perf_counter()
    printed = [p for p, _ in made.volumes] or [out / f"{book.slug}.pdf"]     # what verify reads
    check = preflight(book, [*printed, *made.covers], {a.slug: a.label for a in articles})
    errors = [d for d in check.findings() if d.level >= Level.ERROR]
    print(f"  preflight: {len(errors)} errors, {len(check.findings()) - len(errors)} warnings, "
          f"{time.perf_counter() - clock:.1f} s")
    for item in errors[:10]:
        print(f"    {item}")
    for item in diagnostics.items:
        if item.code.value.startswith("print."):
            print(f"    {item}")


if __name__ == "__main__":
    main()
