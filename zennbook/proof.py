"""`build.py proof FILE_OR_SLUG [--out DIR]`: one article in the book's print layout, fast.

    book.yaml -> a one-chapter book (same template, class, paper, fonts; the chapter keeps its
    number in the book) -> render pass -> lualatex with the proof watermark (one pass; a
    second only when references need it; the .aux is kept between runs, and so is the font
    cut while no new character comes)
    -> DIR/<slug>.proof.pdf, DIR/<slug>-N.png (pdftoppm), DIR/<slug>.layout.json and .txt

The layout report lists overfull lines over 1pt with the article's source line (and whether
code, math, a table or text runs past the margin), displays scaled to fit, missing glyphs,
unresolved references and LaTeX errors. Exit 0 when it is clean, 1 when it lists problems
(or the article cannot be built), 2 when the article is not found.
"""
from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import time
from pathlib import Path

import click

from .cache import DEFAULT_CACHE_DIR
from .reporting import print_diagnostics
from .config import ConfigError, Part, load_book
from .diagnostics import Code, Diagnostics, ZennbookError
from .safety.paths import book_folder
from .pipeline import BuildContext, prepare
from .writers.fontchains import Usage
from .writers.fonts import folder_characters, install_fonts
from .writers.latex import LatexAssets, render_book_tex, run_lualatex, scan_log

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
# Listed in the layout report already: not repeated among the diagnostics.
LAYOUT_CODES = frozenset({Code.LAYOUT_OVERFULL, Code.LAYOUT_REFERENCE, Code.LAYOUT_MATH_WIDE,
                          Code.MATH_UNDEFINED, Code.GLYPH_MISSING, Code.LATEX_ERROR})
PROOF_DPI = 100
JOB = "proof"
KEPT_CHARACTERS = "characters.txt"


@dataclasses.dataclass
class Target:
    """The article to proof, as a one-chapter book, and its chapter number in the book."""
    book: object
    slug: str
    chapter_offset: int


def run_proof(file_or_slug: str, out_dir: Path, book_path, articles_dir, no_license, debug: bool = False) -> int:
    started = time.perf_counter()
    diagnostics = Diagnostics()
    try:
        book = load_book(book_path, articles_dir, diagnostics, require_license=not no_license)
    except ConfigError:
        return finish(diagnostics, EXIT_PROBLEMS)
    target = find_target(book, file_or_slug)
    if target is None:
        click.echo(f"proof: no article '{file_or_slug}': give a file or one of the book's slugs "
                   f"({', '.join(book.chapter_slugs)})", err=True)
        return EXIT_USAGE
    diagnostics.silenced = book.silence
    try:
        result = typeset(target, diagnostics, debug)
    except ZennbookError as exc:       # a tool failed or is missing: one line, with its log
        diagnostics.items.append(exc.diagnostic())
        return finish(diagnostics, EXIT_PROBLEMS)
    if result is None:
        return finish(diagnostics, EXIT_PROBLEMS)
    result["seconds"] = round(time.perf_counter() - started, 1)
    publish(result, out_dir, target.slug)
    code = EXIT_PROBLEMS if result["layout"]["problems"] or diagnostics.has_errors() else EXIT_OK
    return finish(diagnostics, code)


def find_target(book, file_or_slug: str) -> Target | None:
    """A file of the book or a slug: its place in the book; any other Markdown file: chapter 1."""
    path = Path(file_or_slug)
    slug = path.stem if path.suffix == ".md" else file_or_slug
    in_book = slug in book.chapter_slugs
    if path.is_file() and path.suffix == ".md":
        in_book = in_book and path.resolve() == (book.articles_dir / f"{slug}.md").resolve()
        folder = book.articles_dir if in_book else path.parent
    elif in_book:
        folder = book.articles_dir
    else:
        return None
    part = next((p for p in book.parts if slug in p.chapters), Part("", ()))
    offset = book.chapter_slugs.index(slug) if in_book else 0
    # a file the command line names outside the book is its own book's folder: read, and its
    # images resolved, there
    home = book.home if in_book else book_folder(folder)
    one = dataclasses.replace(book, articles_dir=folder, parts=(Part(part.title, (slug,)),), folder=home)
    return Target(one, slug, offset)


def typeset(target: Target, diagnostics: Diagnostics, debug: bool = False, characters: set[str] = frozenset(),
            compile=run_lualatex) -> dict | None:
    """The article prepared by the runner's own stage, then set with the book's template and
    compiled; None if it has errors. The fonts are cut to `characters` too (the preview
    gives the book's), and `compile` runs LuaLaTeX (the preview's may have started ahead)."""
    context = BuildContext(diagnostics=diagnostics, jobs=1, debug=debug)
    articles = prepare(target.book, context)
    if not articles or diagnostics.has_errors():
        return None
    build_dir = proof_build_dir(target, context)
    tex = render_book_tex(target.book, articles, LatexAssets(build_dir), diagnostics, context,
                          proof=True, chapter_offset=target.chapter_offset)
    (build_dir / f"{JOB}.tex").write_text(tex, encoding="utf-8")
    install_fonts(build_dir, context.cache.root, kept_characters(build_dir, characters))
    log, passes = compile(build_dir, JOB, max_passes=2, settle_toc=False, epoch=context.epoch)
    layout = scan_log(log, articles, diagnostics)
    return {"article": articles[0].label, "pdf": build_dir / f"{JOB}.pdf", "passes": passes,
            "layout": layout}


def kept_characters(build_dir: Path, more: set[str]) -> Usage:
    """The characters of this proof, of every earlier proof of the article and `more`: the
    fonts are cut to them, so a save that brings no new character keeps the cut, and
    luaotfload its compiled copy of it (compiling a new cut is about a third of a proof's
    LuaLaTeX run)."""
    usage = folder_characters(build_dir)
    kept = build_dir / KEPT_CHARACTERS
    try:
        usage.chars |= set(kept.read_text(encoding="utf-8"))
    except OSError:
        pass                        # the first proof of the article
    usage.chars |= set(more)
    kept.write_text("".join(sorted(usage.chars)), encoding="utf-8")
    return usage


def proof_build_dir(target: Target, context: BuildContext) -> Path:
    """Kept between runs (unlike the book's): its .aux resolves references in one pass."""
    base = context.cache_dir or DEFAULT_CACHE_DIR
    build_dir = (base / "proof" / f"{target.book.slug}--{target.slug}").resolve()
    build_dir.mkdir(parents=True, exist_ok=True)
    return build_dir


def publish(result: dict, out_dir: Path, slug: str) -> None:
    """The PDF, its page images and the report in `out_dir`; a summary on the terminal."""
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf = out_dir / f"{slug}.proof.pdf"
    shutil.copyfile(result.pop("pdf"), pdf)
    images = page_images(pdf, out_dir, slug)
    report = {"article": result["article"], "pdf": str(pdf), "pages": len(images),
              "images": [str(p) for p in images], "seconds": result["seconds"],
              "latex_passes": result["passes"], **result["layout"]}
    (out_dir / f"{slug}.layout.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    text = report_text(report)
    (out_dir / f"{slug}.layout.txt").write_text(text, encoding="utf-8")
    click.echo(text, nl=False)


def page_images(pdf: Path, out_dir: Path, slug: str) -> list[Path]:
    for old in out_dir.glob(f"{slug}-*.png"):
        old.unlink()
    try:
        subprocess.run(["pdftoppm", "-r", str(PROOF_DPI), "-png", str(pdf), str(out_dir / slug)],
                       check=True, capture_output=True, timeout=600)
    except FileNotFoundError:
        click.echo("proof: pdftoppm not found (poppler-utils); no page images", err=True)
        return []
    return sorted(out_dir.glob(f"{slug}-*.png"))


def report_text(report: dict) -> str:
    lines = [f"proof: {report['article']} -> {report['pdf']} ({report['pages']} page(s), "
             f"{report['seconds']}s, {report['latex_passes']} LaTeX pass(es))",
             f"layout: {report['problems']} problem(s)"]
    for item in report["overfull"]:
        lines.append(f"  {where(item)}: {item['kind']} runs {item['pt']:.1f}pt past the margin "
                     f"[{item['tex']}]")
    for item in report["math"]:
        lines.append(f"  {where(item)}: {item['message']}")
    for item in report["missing_glyphs"]:
        lines.append(f"  {where(item)}: no glyph for {item['char']} ({item['code']}) in {item['font']}")
    for item in report["unresolved_references"]:
        lines.append(f"  {where(item)}: link to '{item['target']}' leads nowhere")
    for item in report["errors"]:
        lines.append(f"  {where(item)}: LaTeX error: {item['message']} [{item['tex']}]")
    if report["images"]:
        lines.append(f"page images: {report['images'][0]} ... ({len(report['images'])})")
    return "\n".join(lines) + "\n"


def where(item: dict) -> str:
    if item.get("path") and item.get("line"):
        return f"{item['path']}:{item['line']}"
    return item.get("path") or "(book template)"


def finish(diagnostics: Diagnostics, code: int) -> int:
    print_diagnostics(diagnostics, hidden=LAYOUT_CODES)   # the layout report lists those
    return code

