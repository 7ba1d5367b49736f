"""The print set: the book with its preset's gutter, its volumes and its covers.

    no preset, no volumes   the book, as before
    preset                  the book with the gutter for its page count (built again, once or
                            twice, when its page count crosses a row of the gutter table),
                            and `<name>-cover.pdf`
    volume_pages            the whole book (its unit pages measure the chapters); when it is
                            longer than the limit, each volume a unit build of its chapters
                            with its own front matter (`<name>-vol1.pdf`, ...;
                            `<name>-vol1-cover.pdf` with a preset), else the book's cover.
                            Every volume has the gutter of the limit's row: one preamble for
                            the book and every volume, so the chapters' units are reused.

`<name>` is the PDF's own name (`slug` or, in a release, `slug-X.Y.Z`); the files are written
beside it, each renamed into place when complete.
"""
from __future__ import annotations

import dataclasses
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from ...cache import sha256
from ...config import Part
from ...diagnostics import Code
from ...outputs import PART_INFIX, PART_SUFFIX, atomic_output
from .. import latex
from .build import UnitBuild, build_pdf_units
from .presets import PRESETS, gutter_in
from .split import book_tex, split_book_tex
from .volumes import Chapter, split_volumes

MAX_GUTTER_ROUNDS = 3


@dataclass
class PrintSet:
    """What the writer made: the book's build, each volume's (path, build), the covers."""
    book: UnitBuild
    volumes: list[tuple[Path, UnitBuild]] = field(default_factory=list)
    covers: list[Path] = field(default_factory=list)
    seconds: float = 0.0                # the volumes and covers, after the book


def write_pdf_units(book, articles, out_path: Path, context) -> None:
    """The PDF writer: same signature as `latex.write_pdf`, same book, incremental; with a
    print preset or volumes, the print set beside it."""
    write_print_book(book, articles, out_path, context)


def write_print_book(book, articles, out_path: Path, context) -> PrintSet:
    """The book at `out_path`, and the volumes and covers beside it; the volumes and covers
    of an earlier build that this one does not make are removed (a release lists them all)."""
    made = print_book(book, articles, out_path, context)
    remove_stale(out_path.parent, output_name(out_path), {*(p for p, _ in made.volumes), *made.covers})
    return made


PRINT_FILE = re.compile(r"-(vol\d+(-cover)?|cover)\.pdf")


def remove_stale(folder: Path, name: str, keep: set[Path]) -> None:
    for path in folder.glob(f"{name}-*.pdf"):
        if PRINT_FILE.fullmatch(path.name[len(name):]) and path not in keep and path.is_file() \
                and not path.is_symlink():
            path.unlink()


def print_book(book, articles, out_path: Path, context) -> PrintSet:
    pdf = book.pdf
    if not pdf.preset and not pdf.volume_pages:
        return PrintSet(build_pdf_units(book, articles, out_path, context))
    if pdf.volume_pages:
        sized = with_gutter_pages(book, pdf.volume_pages)
        made = PrintSet(build_pdf_units(sized, articles, out_path, context))
        clock = time.perf_counter()
        write_volumes(sized, articles, out_path, context, made)
        made.seconds = time.perf_counter() - clock
        return made
    made = PrintSet(build_with_settled_gutter(book, articles, out_path, context))
    made.covers = write_covers(book, [(output_name(out_path), made.book.pages, None)], out_path.parent)
    return made


def with_gutter_pages(book, pages: int):
    return dataclasses.replace(book, pdf=dataclasses.replace(book.pdf, gutter_pages=pages))


def build_with_settled_gutter(book, articles, out_path: Path, context):
    """Built with the gutter of its own page count: the count of the last build is the first
    guess; a build that lands in another row of the table is built again with that row."""
    preset = PRESETS[book.pdf.preset]
    key = sha256("print-pages", book.slug, book.pdf.preset)
    guess = (context.cache.get("print", key) or {}).get("pages", preset.min_pages)
    for _ in range(MAX_GUTTER_ROUNDS):
        stats = build_pdf_units(with_gutter_pages(book, guess), articles, out_path, context)
        if gutter_in(preset, stats.pages) == gutter_in(preset, guess):
            break
        guess = stats.pages
    context.cache.put("print", key, {"pages": stats.pages})
    return stats


def output_name(out_path: Path) -> str:
    """The PDF's final name without `.pdf` (the writer writes to a temporary beside it)."""
    name = out_path.name
    if name.startswith(".") and PART_INFIX in name and name.endswith(PART_SUFFIX):
        name = name[1:name.rindex(PART_INFIX)]
    return name[:-4] if name.endswith(".pdf") else name


# -- volumes ---------------------------------------------------------------------------------------

def write_volumes(book, articles, out_path: Path, context, made: PrintSet) -> None:
    """The volumes and their covers; a book within the limit is one volume: the book itself
    (with its cover), not a set of one."""
    if made.book.pages <= book.pdf.volume_pages:
        if book.pdf.preset:
            made.covers = write_covers(book, [(output_name(out_path), made.book.pages, None)], out_path.parent)
        return
    segments = split_book_tex(book_tex(book, articles, context)).segments
    chapters = [Chapter(s.slug, made.book.unit_pages[s.slug], s.has_part) for s in segments]
    split = split_volumes(chapters, book.pdf.volume_pages, made.book.front_pages)
    labels = {a.slug: a.label for a in articles}
    for chapter in split.too_long:
        context.diagnostics.error(Code.PRINT_CHAPTER_TOO_LONG,
                                  f"chapter of {chapter.pages} pages: a volume holds at most "
                                  f"{book.pdf.volume_pages} (pdf.volume_pages), its front matter included; "
                                  "no volume made", labels.get(chapter.slug))
    if split.too_long:
        return
    name, sizes = output_name(out_path), []
    by_slug = {s.slug: s for s in segments}
    for number, members in enumerate(split.volumes, start=1):
        target = out_path.parent / f"{name}-vol{number}.pdf"
        volume = volume_values(book, articles, by_slug, members, number, len(split.volumes))
        with atomic_output(target) as temporary:
            built = build_pdf_units(volume_book(book, members), [a for a in articles if a.slug in volume["slugs"]],
                                    temporary, context, volume=volume)
        if built.pages > book.pdf.volume_pages:
            context.diagnostics.error(Code.PRINT_VOLUME_TOO_LONG,
                                      f"volume {number} has {built.pages} pages, more than pdf.volume_pages "
                                      f"({book.pdf.volume_pages})", target.name)
        made.volumes.append((target, built))
        sizes.append((f"{name}-vol{number}", built.pages, number))
    if book.pdf.preset:
        made.covers = write_covers(book, sizes, out_path.parent)


def volume_book(book, members) -> object:
    """The book with only these chapters, in their parts (a part cut by the split is in both)."""
    slugs = {c.slug for c in members}
    parts = tuple(Part(p.title, tuple(s for s in p.chapters if s in slugs)) for p in book.parts)
    return dataclasses.replace(book, parts=tuple(p for p in parts if p.chapters))


def volume_values(book, articles, segments: dict, members, number: int, count: int) -> dict:
    """What the template and the unit build need of a volume: its number, the chapters it holds
    (numbers and titles for its title page) and the chapters and parts before it."""
    first, last = segments[members[0].slug], segments[members[-1].slug]
    by_slug = {a.slug: a for a in articles}
    opens = first.has_part or not any(p.title for p in book.parts if first.slug in p.chapters)
    return {"number": number, "count": count, "slugs": [c.slug for c in members],
            "first": first.index, "last": last.index,
            "first_title_tex": latex.breakable_text(by_slug[first.slug].title),
            "last_title_tex": latex.breakable_text(by_slug[last.slug].title),
            "chapters_before": first.index - 1,
            "parts_before": first.parts_before - (0 if opens else 1)}


def write_covers(book, sizes: list[tuple[str, int, int | None]], folder: Path) -> list[Path]:
    """One cover per volume (or for the book), each renamed into place when complete."""
    from .printcover import write_cover
    made = []
    for name, pages, number in sizes:
        target = folder / f"{name}-cover.pdf"
        with atomic_output(target) as temporary:
            write_cover(book, pages, number, temporary)
        made.append(target)
    return made
