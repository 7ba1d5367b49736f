"""The size of the unit-built PDF against the same book set as one document.

    .venv/bin/python bench/pdf_size_bench.py [--lines 35000] [--keep DIR] [--book book.yaml]

Builds the book (bench/corpus.py's synthetic course cut to --lines lines, or --book) twice:
in units (`writers.pdf.build_pdf_units`, what `build` does) and as one document
(`latex.write_pdf`). Prints each PDF's size, how many font programs it embeds and their bytes,
the ratio of the two sizes, and each build's wall and CPU time (LuaLaTeX included). The units share one cut of each font (writers/fonts.py): the
joined PDF should hold each font program once.
"""
from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.corpus import make_corpus  # noqa: E402
from zennbook.config import load_book  # noqa: E402
from zennbook.diagnostics import Diagnostics  # noqa: E402
from zennbook.pipeline import BuildContext, prepare  # noqa: E402
from zennbook.writers import latex  # noqa: E402
from zennbook.writers.pdf import build_pdf_units  # noqa: E402

EPOCH = 1767225600
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


def font_programs(pdf_path: Path) -> tuple[int, int, Counter]:
    """(distinct font programs, their bytes, programs per font name) of a PDF."""
    import pikepdf
    seen, size, names = set(), 0, Counter()
    with pikepdf.open(pdf_path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                for key in FONT_FILES:
                    if key in obj and obj[key].objgen not in seen:
                        seen.add(obj[key].objgen)
                        size += len(obj[key].read_raw_bytes())
                        names[str(obj.get("/FontName", "?")).split("+")[-1]] += 1
    return len(seen), size, names


def cpu_seconds() -> float:
    """User + system time of this process and its finished children (LuaLaTeX, pandoc)."""
    return sum(getattr(resource.getrusage(who), field) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
               for field in ("ru_utime", "ru_stime"))


def build(book_file: Path, cache: Path, out: Path, units: bool) -> tuple[float, float]:
    diagnostics = Diagnostics()
    book = load_book(book_file, None, diagnostics, cwd=book_file.parent)
    context = BuildContext(diagnostics=diagnostics, epoch=EPOCH, cache_dir=cache)
    articles = prepare(book, context)
    started, cpu = time.perf_counter(), cpu_seconds()
    if units:
        build_pdf_units(book, articles, out, context)
    else:
        latex.write_pdf(book, articles, out, context)
    return time.perf_counter() - started, cpu_seconds() - cpu


def report(label: str, path: Path, seconds: tuple[float, float]) -> int:
    count, size, names = font_programs(path)
    repeated = sum(n - 1 for n in names.values())
    print(f"{label:13} {path.stat().st_size / 2**20:8.2f} MiB  {count:5} font programs "
          f"({size / 2**20:.2f} MiB, {repeated} repeated)  {seconds[0]:6.1f} s wall  {seconds[1]:6.1f} CPU-s")
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=35_000)
    parser.add_argument("--book", type=Path, help="a book.yaml instead of the synthetic course")
    parser.add_argument("--keep", type=Path, help="work here and keep it (default: a temporary folder)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="zb-size-"))
    work.mkdir(parents=True, exist_ok=True)
    book_file = args.book
    if book_file is None:                 # as bench/pdf_incremental_bench.py lays it out
        make_corpus(work / "articles", lines=args.lines)
        yaml = (work / "articles" / "book.yaml").read_text(encoding="utf-8")
        (work / "book.yaml").write_text("articles: articles\n" + yaml, encoding="utf-8")
        (work / "articles" / "book.yaml").unlink()
        book_file = work / "book.yaml"
    sizes = {}
    for label, units in (("units", True), ("one document", False)):
        out = work / f"{'units' if units else 'mono'}.pdf"
        seconds = build(book_file.resolve(), work / f"cache-{'units' if units else 'mono'}", out, units)
        sizes[label] = report(label, out, seconds)
    print(f"ratio units / one document: {sizes['units'] / sizes['one document']:.3f}")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
