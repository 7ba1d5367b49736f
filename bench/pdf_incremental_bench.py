"""The unit-built PDF on a synthetic course: cold, no-change, one-article edit, page-moving edit.

    .venv/bin/python bench/pdf_incremental_bench.py [--lines 60000] [--keep DIR] [--no-mono]
                                                   [--check-edits]

Prints, in one run (times are wall-clock seconds; the load average is printed before each
step, since other processes share the machine):

- cold unit build (empty pdfunits cache) and, unless --no-mono, the monolithic build of the
  same book (`latex.write_pdf`: LuaLaTeX until the TOC settles) and how the two PDFs compare
  (page count, page labels, text of every page, outline, links, metadata);
- no-change rebuild;
- one-article edit (one character): the rebuild, and plain `lualatex` on that article's unit
  alone, once (the same document the unit job compiled): their ratio is the number to watch;
- page-count-changing edit (a paragraph long enough to add a page): the rebuild, what it
  recompiled, and checks that the book is still consistent (with --check-edits, the
  monolithic build of the edited book too, compared page by page).

The corpus is bench/corpus.py's, cut to --lines lines (60,000 lines is 34 articles).
"""
from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.corpus import make_corpus  # noqa: E402
from zennbook.config import load_book  # noqa: E402
from zennbook.diagnostics import Diagnostics  # noqa: E402
from zennbook.pipeline import BuildContext, prepare  # noqa: E402
from zennbook.verify import squash  # noqa: E402
from zennbook.writers import latex  # noqa: E402
from tests.writers.pdfunits.facts import book_facts, differences  # noqa: E402
from zennbook.writers.pdf import JOB, build_pdf_units  # noqa: E402

EPOCH = 1767225600
ADDED = "\n## 追記\n\n" + "\n\n".join(
    f"追記{n}：単位ごとに組んだ本は、ページ数が変わっても目次とページ番号が正しくなければならない。"
    "この段落はページを一枚増やすために足したもので、内容に意味はない。" * 2 for n in range(1, 16)) + "\n"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def step(name: str) -> None:
    print(f"\n== {name}   (load average {load()})", flush=True)


def context_for(work: Path) -> tuple:
    diagnostics = Diagnostics()
    book = load_book(work / "book.yaml", None, diagnostics, cwd=work)
    context = BuildContext(diagnostics=diagnostics, epoch=EPOCH, cache_dir=work / ".zennbook-cache")
    return book, context


def unit_build(work: Path, out: Path, batch: bool = True):
    """The pipeline's stages up to the writer (cached per article), then the unit writer."""
    book, context = context_for(work)
    started = time.perf_counter()
    articles = prepare(book, context)
    prepared = time.perf_counter() - started
    stats = build_pdf_units(book, articles, out, context, batch=batch)
    total = time.perf_counter() - started
    print(f"   total {total:7.1f} s  (prepare {prepared:.1f} s, "
          + ", ".join(f"{k} {v:.1f} s" for k, v in stats.seconds.items()) + ")")
    print(f"   units compiled {stats.units_compiled}/{stats.units} in {stats.rounds} round(s); "
          f"stamps compiled {stats.stamps_compiled}/{stats.stamps}; front matter "
          f"{'compiled' if stats.front_compiled else 'cached'}; {stats.pages} pages ({stats.front_pages} front)")
    for kind, what, seconds, _ in stats.jobs:
        print(f"     lualatex {kind:<6} {seconds:7.1f} s  {what[:90]}")
    return book, articles, stats, total


def mono_build(work: Path, out: Path) -> float:
    book, context = context_for(work)
    articles = prepare(book, context)
    started = time.perf_counter()
    latex.write_pdf(book, articles, out, context)
    seconds = time.perf_counter() - started
    build_dir = next((work / ".zennbook-cache" / "latex").glob(f"{book.slug}-*"))
    print(f"   monolithic latex.write_pdf {seconds:7.1f} s  ({pages(out)} pages; log {build_dir / 'book.log'})")
    return seconds


def pages(path: Path) -> int:
    import pikepdf
    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def compare(units: Path, mono: Path) -> list[str]:
    a, b = book_facts(units), book_facts(mono)
    found = differences(a, b, limit=8)
    texts = sum(x == y for x, y in zip(a.text, b.text))
    print(f"   units vs monolithic: {a.pages} / {b.pages} pages, text equal on {texts} pages, "
          f"outline {len(a.outline)} / {len(b.outline)} items ({'equal' if a.outline == b.outline else 'DIFFERENT'}), "
          f"links {sum(map(len, a.links))} / {sum(map(len, b.links))} "
          f"({'equal' if a.links == b.links else 'DIFFERENT'}), labels {'equal' if a.labels == b.labels else 'DIFFERENT'}")
    print("   SAME BOOK" if not found else "   DIFFERENCES:\n     " + "\n     ".join(found))
    return found


def consistent(path: Path, book) -> list[str]:
    """Without a monolithic build to compare with: every outline item leads to a page that
    shows its title, labels run i.. then 1.., the license line is on every page."""
    facts = book_facts(path)
    problems = []
    short = squash(book.license.short)
    problems += [f"page {i + 1}: no license line" for i, t in enumerate(facts.text) if short not in squash(t)]
    for depth, title, page in facts.outline:
        words = re.sub(r"^第\S+[章部]\s*|^[\d.]+\s*", "", title)
        key = squash(re.sub(r"[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F]", "", words))[:12]
        if page is None or key not in squash(facts.text[page]):
            problems.append(f"outline item {title!r} leads to page {page}, which does not show it")
    main = facts.labels[facts.labels.index("1"):]
    if main != [str(n) for n in range(1, len(main) + 1)]:
        problems.append("main page labels do not run 1, 2, 3, ...")
    return problems


def reference_unit(stats, work: Path) -> float:
    """Plain lualatex, once, on the document of the last single-unit job of `stats`."""
    folder = next(work / ".zennbook-cache" / "pdfunits" / "jobs" / job[3] for job in reversed(stats.jobs)
                  if job[0] == "units")
    scratch = Path(tempfile.mkdtemp(prefix="unit-alone-", dir=work))
    for item in folder.iterdir():
        if item.is_symlink():                 # assets, qr codes, fonts: shared by every job
            os.symlink(os.readlink(item), scratch / item.name)
        elif item.suffix in (".tex", ".sty") or item.is_dir():
            (shutil.copytree if item.is_dir() else shutil.copyfile)(item, scratch / item.name)
    started = time.perf_counter()
    latex.compile_once(scratch, JOB, scratch / f"{JOB}.log")
    seconds = time.perf_counter() - started
    print(f"   plain lualatex on that unit alone, one pass: {seconds:.1f} s ({pages(scratch / (JOB + '.pdf'))} pages)")
    shutil.rmtree(scratch, ignore_errors=True)
    return seconds


def edit(work: Path, fraction: float, change) -> str:
    files = sorted((work / "articles").glob("*.md"))
    target = files[int(len(files) * fraction)]
    target.write_text(change(target.read_text(encoding="utf-8")), encoding="utf-8")
    return target.stem


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=60_000)
    parser.add_argument("--keep", type=Path, help="work folder (kept); default: a temporary one")
    parser.add_argument("--no-mono", action="store_true", help="skip the monolithic builds")
    parser.add_argument("--check-edits", action="store_true",
                        help="also build the edited books monolithically and compare")
    options = parser.parse_args()
    work = (options.keep or Path(tempfile.mkdtemp(prefix="pdfunits-bench-"))).resolve()
    shutil.rmtree(work / "articles", ignore_errors=True)
    shutil.rmtree(work / ".zennbook-cache", ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    counts = make_corpus(work / "articles", lines=options.lines, seed=0)
    yaml = (work / "articles" / "book.yaml").read_text(encoding="utf-8")
    (work / "book.yaml").write_text("articles: articles\n" + yaml, encoding="utf-8")
    (work / "articles" / "book.yaml").unlink()
    print(f"corpus: {counts['articles']} articles, {counts['lines']} lines; work folder {work}; "
          f"{os.cpu_count()} cores")
    rows = []

    step("cold unit build (empty caches)")
    book, _, cold, cold_seconds = unit_build(work, work / "units.pdf")
    rows.append(("cold unit build", cold_seconds))
    if not options.no_mono:
        step("cold monolithic build (latex.write_pdf)")
        rows.append(("cold monolithic build", mono_build(work, work / "mono.pdf")))
        compare(work / "units.pdf", work / "mono.pdf")

    step("no-change rebuild")
    rows.append(("no-change rebuild", unit_build(work, work / "units.pdf")[3]))

    step("one-article edit: one character")
    slug = edit(work, 0.5, lambda text: text.replace("。", "．", 1))
    print(f"   edited {slug}")
    _, _, warm, edit_seconds = unit_build(work, work / "units.pdf")
    rows.append((f"one-character edit ({slug})", edit_seconds))
    reference = reference_unit(warm, work)
    rows.append(("plain lualatex, that unit alone", reference))
    writer = sum(v for k, v in warm.seconds.items())
    print(f"   RATIO edit rebuild / one-article lualatex = {edit_seconds / reference:.2f} "
          f"(PDF writer alone: {writer / reference:.2f})")
    if options.check_edits and not options.no_mono:
        mono_build(work, work / "mono-edit1.pdf")
        compare(work / "units.pdf", work / "mono-edit1.pdf")

    step("page-count-changing edit: paragraphs appended")
    slug = edit(work, 0.3, lambda text: text + ADDED)
    before = cold.unit_pages.get(slug)
    print(f"   edited {slug}")
    book, _, moved, seconds = unit_build(work, work / "units.pdf")
    rows.append((f"page-moving edit ({slug})", seconds))
    print(f"   {slug}: {before} -> {moved.unit_pages.get(slug)} pages; book {cold.pages} -> {moved.pages} pages")
    problems = consistent(work / "units.pdf", book)
    print("   consistent: outline items lead to their pages, labels run on, license on every page"
          if not problems else "   PROBLEMS: " + "; ".join(problems[:5]))
    if options.check_edits and not options.no_mono:
        mono_build(work, work / "mono-edit2.pdf")
        compare(work / "units.pdf", work / "mono-edit2.pdf")

    print(f"\n== summary (load average {load()})")
    for name, value in rows:
        print(f"{name:<48} {value:8.1f} s")
    print(f"{'one-character edit / unit alone':<48} {edit_seconds / reference:8.2f} x")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"{'peak memory of one child process':<48} {peak:8.0f} MB")


if __name__ == "__main__":
    main()
