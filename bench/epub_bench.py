"""Benchmark: our EPUB build of a synthetic 200,000-line Zenn course, next to pandoc's own
EPUB writer on the same files.

    .venv/bin/python bench/epub_bench.py [--lines 200000] [--seed 0] [--mermaid off|cold|warm]
                                          [--jobs N] [--epubcheck] [--epubcheck-pandoc] [--keep DIR]
                                          [--rebuild]

Ours: the pipeline's own stages, timed one by one: read + normalize + Zenn text stage +
pandoc reader (per article), mermaid (one Chromium batch; `off` leaves every diagram as
its source, `cold` renders into an empty cache, `warm` renders twice and times the second,
cached, run), the AST filters, and the EPUB writer (pandoc's HTML writer per article,
XHTML, ebooklib, zip). Pandoc's: `pandoc -f commonmark_x -t epub3` on the corpus's files
in order (one book, MathML), with pypandoc's bundled binary. Pandoc does not do Zenn's
syntax (boxes, cards, diagrams, per-article footnotes), so it does less work: it is the
floor, not a like-for-like rival. --epubcheck runs EPUBCheck on our EPUB (--epubcheck-pandoc
on pandoc's as well). --rebuild then edits one article (a paragraph appended to the middle
one) and builds again on the same cache: the EPUB writer's time with every other chapter
taken from its cache, and how many chapters it made afresh.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "bench")]

from corpus import make_corpus  # noqa: E402


def cpu_seconds() -> float:
    """CPU time of this process (all threads) and of its finished children (pandoc, ...)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def measured(function, *args, **kwargs):
    """The result, wall seconds and CPU seconds of a call."""
    cpu = cpu_seconds()
    result, wall = timed(function, *args, **kwargs)
    return result, wall, cpu_seconds() - cpu


def our_build(folder: Path, out: Path, mermaid: str, jobs: int) -> dict:
    """Our pipeline with an empty cache (`prepare`, then the EPUB writer); returns the times."""
    from zennbook import pipeline
    from zennbook.config import load_book
    from zennbook.diagnostics import Diagnostics
    from zennbook.writers.epub import write_epub
    diagnostics = Diagnostics()
    book = load_book(None, folder, diagnostics, cwd=REPO)
    context = pipeline.BuildContext(diagnostics=diagnostics, cache_dir=out / "cache")
    if mermaid == "warm":        # diagrams already in the cache, articles not
        pipeline.render_mermaid(pipeline.load_articles(book, Diagnostics(), jobs), context)
    render = timed_mermaid(pipeline, mermaid)
    articles, prepared, prepare_cpu = measured(pipeline.prepare, book, context, jobs)
    path = out / f"{book.slug}.epub"
    _, write, write_cpu = measured(write_epub, book, articles, path, context)
    parse = context.timings["parse"]
    return {"parse": parse, "mermaid": render["seconds"], "filters": prepared - parse - render["seconds"],
            "epub writer": write, "total": prepared + write, "cpu": prepare_cpu + write_cpu,
            "writer cpu": write_cpu, "path": path, "diagnostics": diagnostics}


def rebuild_after_edit(folder: Path, out: Path, jobs: int) -> dict:
    """Edit one article, build again on our_build's cache; the EPUB writer's time and misses."""
    from zennbook import pipeline
    from zennbook.config import load_book
    from zennbook.diagnostics import Diagnostics
    from zennbook.writers.epub import write_epub
    files = sorted(folder.glob("*.md"))
    edited = files[len(files) // 2]
    with edited.open("a", encoding="utf-8") as handle:
        handle.write("\n\n追記: この段落は再ビルドの計測のために足した。\n")
    diagnostics = Diagnostics()
    book = load_book(None, folder, diagnostics, cwd=REPO)
    context = pipeline.BuildContext(diagnostics=diagnostics, cache_dir=out / "cache")
    articles, prepared, _ = measured(pipeline.prepare, book, context, jobs)
    misses = context.cache.misses
    path = out / f"{book.slug}-rebuilt.epub"
    _, write, write_cpu = measured(write_epub, book, articles, path, context)
    return {"edited": edited.name, "prepare": prepared, "epub writer": write, "writer cpu": write_cpu,
            "made afresh": context.cache.misses - misses, "chapters": len(articles)}


def timed_mermaid(pipeline, mode: str) -> dict:
    """Replace the pipeline's mermaid stage for this run by a timed one (or, `off`, by none:
    every diagram then stays its source, with a warning)."""
    render, clock = pipeline.render_mermaid, {"seconds": 0.0}

    def timed_render(articles, context):
        if mode == "off":
            return {}
        result, clock["seconds"] = timed(render, articles, context)
        return result
    pipeline.render_mermaid = timed_render
    return clock


def pandoc_build(folder: Path, out: Path) -> dict:
    import pypandoc
    files = sorted(str(p) for p in folder.glob("*.md"))
    path = out / "pandoc.epub"
    command = [pypandoc.get_pandoc_path(), "-f", "commonmark_x", "-t", "epub3", "--mathml",
               "--metadata", "title=合成講義コーパス", "--metadata", "lang=ja", "-o", str(path), *files]
    proc, seconds, cpu = measured(subprocess.run, command, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"pandoc failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return {"total": seconds, "cpu": cpu, "path": path, "warnings": proc.stderr.count("[WARNING]")}


def epub_summary(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
    documents = sum(1 for n in names if n.endswith(".xhtml"))
    images = sum(1 for n in names if n.endswith((".svg", ".png", ".jpg", ".gif")))
    return f"{path.stat().st_size / 2**20:.1f} MiB, {documents} XHTML documents, {images} images"


def epubcheck(path: Path) -> str:
    sys.path.insert(0, str(REPO))
    from tests.writers.epub.epubtools import run_epubcheck
    result, seconds = timed(run_epubcheck, path, 3600)
    return (f"{result.count('FATAL')} fatal / {result.count('ERROR')} errors / "
            f"{result.count('WARNING')} warnings ({seconds:.0f} s)")


def report(corpus_counts, corpus_seconds: float, ours: dict, theirs: dict, mermaid: str, jobs: int) -> None:
    print(f"corpus: {corpus_counts['lines']} lines, {corpus_counts['articles']} articles, "
          f"{corpus_counts['mermaid']} mermaid, {corpus_counts['math_lines']} $$ lines, "
          f"{sum(corpus_counts[k] for k in ('julia', 'python', 'rust', 'elixir'))} code blocks "
          f"(made in {corpus_seconds:.1f} s)")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; jobs={jobs}; mermaid={mermaid}")
    print("ours (zennbook), wall clock:")
    for stage in ("parse", "mermaid", "filters", "epub writer", "total"):
        print(f"  {stage:<12} {ours[stage]:8.1f} s")
    print(f"  CPU {ours['cpu']:.1f} s (EPUB writer {ours['writer cpu']:.1f} s)")
    print(f"  -> {epub_summary(ours['path'])}; {ours['diagnostics'].summary()}")
    print(f"pandoc -f commonmark_x -t epub3: {theirs['total']:.1f} s wall, {theirs['cpu']:.1f} s CPU")
    print(f"  -> {epub_summary(theirs['path'])}; {theirs['warnings']} pandoc warnings")
    print(f"ratio ours/pandoc: wall {ours['total'] / theirs['total']:.1f}x, CPU {ours['cpu'] / theirs['cpu']:.1f}x "
          f"(EPUB writer alone: wall {ours['epub writer'] / theirs['total']:.1f}x, "
          f"CPU {ours['writer cpu'] / theirs['cpu']:.1f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mermaid", choices=("off", "cold", "warm"), default="off")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--epubcheck", action="store_true", help="EPUBCheck our EPUB.")
    parser.add_argument("--epubcheck-pandoc", action="store_true",
                        help="EPUBCheck pandoc's EPUB too (slow: one XHTML document of the whole corpus).")
    parser.add_argument("--keep", type=Path, help="Work in DIR and keep the corpus and EPUBs.")
    parser.add_argument("--rebuild", action="store_true",
                        help="Then edit one article and time the EPUB writer again on the warm cache.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = args.keep or Path(scratch)
        counts, corpus_seconds = timed(make_corpus, work / "corpus", args.lines, args.seed)
        ours = our_build(work / "corpus", work, args.mermaid, args.jobs)
        theirs = pandoc_build(work / "corpus", work)
        report(counts, corpus_seconds, ours, theirs, args.mermaid, args.jobs)
        if args.rebuild:
            again = rebuild_after_edit(work / "corpus", work, args.jobs)
            print(f"rebuild after editing {again['edited']}: prepare {again['prepare']:.1f} s, EPUB writer "
                  f"{again['epub writer']:.1f} s wall, {again['writer cpu']:.1f} s CPU "
                  f"({again['made afresh']} of {again['chapters']} chapters made afresh; cold: "
                  f"{ours['epub writer']:.1f} s wall, {ours['writer cpu']:.1f} s CPU)")
        if args.epubcheck:
            print(f"EPUBCheck ours:   {epubcheck(ours['path'])}")
        if args.epubcheck_pandoc:
            print(f"EPUBCheck pandoc: {epubcheck(theirs['path'])}")


if __name__ == "__main__":
    main()
