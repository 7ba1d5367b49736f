r"""LaTeX errors in the math of a synthetic course: the corpus's formulas (bench/corpus.py:
its display math and the forms KaTeX draws and LaTeX, as written, refuses), built as a book
with one LuaLaTeX pass, errors counted from the log.

    .venv/bin/python bench/math_bench.py [--scale 1.0] [--seed 0] [--keep DIR]

Run from a checkout: it builds with that checkout's zennbook (to compare with an older
version, run this file from the older checkout's folder).
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))         # the checkout we are run from, not this file's

from bench.corpus import FULL, KATEX_ONLY_DISPLAY, display_math, katex_only_inline  # noqa: E402
from tests.conftest import TEST_LICENSE  # noqa: E402
from zennbook.config import load_book  # noqa: E402
from zennbook.diagnostics import Diagnostics  # noqa: E402
from zennbook.pipeline import BuildContext, prepare  # noqa: E402
from zennbook.writers.latex import LatexAssets, LatexError, render_book_tex, run_lualatex, scan_log  # noqa: E402

FORMULAS_PER_ARTICLE = 120
BOOK_YAML = """\
title: Math bench
author: bench
articles: .
chapters: [{chapters}]
""" + TEST_LICENSE


def course_math(scale: float, seed: int) -> list[list[str]]:
    """The course's math blocks in corpus order: display blocks up to its $$ line count, and
    its sentences with a KaTeX-only inline formula."""
    rng = random.Random(seed)
    blocks = [[katex_only_inline(rng)] for _ in range(round(FULL["katex_only"] * scale))]
    lines = 0
    while lines < FULL["math_lines"] * scale:
        block = display_math(rng) if rng.random() < 0.85 else ["$$", *rng.choice(KATEX_ONLY_DISPLAY), "$$"]
        lines += len(block)
        blocks.append(block)
    rng.shuffle(blocks)
    return blocks


def write_book(folder: Path, blocks: list[list[str]], per_article: int = FORMULAS_PER_ARTICLE) -> Path:
    """A book of `blocks` (lists of Markdown lines), `per_article` blocks to a chapter."""
    folder.mkdir(parents=True, exist_ok=True)
    slugs = []
    for start in range(0, len(blocks), per_article):
        slug = f"m{start // per_article:03d}"
        body = "\n\n".join("\n".join(block) for block in blocks[start:start + per_article])
        (folder / f"{slug}.md").write_text(f"---\ntitle: \"{slug}\"\n---\n\n{body}\n", encoding="utf-8")
        slugs.append(slug)
    (folder / "book.yaml").write_text(BOOK_YAML.format(chapters=", ".join(slugs)), encoding="utf-8")
    return folder / "book.yaml"


def compile_book(book_path: Path, build_dir: Path) -> tuple[dict, Diagnostics, Path | None]:
    """One LuaLaTeX pass over the book: (layout report, diagnostics, the PDF or None)."""
    diagnostics = Diagnostics()
    book = load_book(book_path, None, diagnostics)
    context = BuildContext(diagnostics=diagnostics)
    articles = prepare(book, context, jobs=1)
    tex = render_book_tex(book, articles, LatexAssets(build_dir), diagnostics, context)
    (build_dir / "book.tex").write_text(tex, encoding="utf-8")
    try:
        run_lualatex(build_dir, max_passes=1)
    except LatexError:                  # LaTeX gave up: no PDF, but the log still counts
        pass
    report = scan_log(build_dir / "book.log", articles, diagnostics)
    pdf = build_dir / "book.pdf"
    return report, diagnostics, pdf if pdf.exists() else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="share of the course's math (1.0: all of it)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="build here and keep the files")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="math-bench-"))
    blocks = course_math(args.scale, args.seed)
    report, diagnostics, pdf = compile_book(write_book(root / "book", blocks), root / "latex")
    codes = Counter(d.code.value for d in diagnostics.items)
    print(f"formulas: {len(blocks)} ({sum(len(b) - 2 for b in blocks if b[0] == '$$')} display lines)")
    print(f"latex errors: {len(report['errors'])}" + ("" if pdf else " (LuaLaTeX gave up: no PDF)"))
    for code, count in sorted(codes.items()):
        print(f"  {code}: {count}")


if __name__ == "__main__":
    main()
