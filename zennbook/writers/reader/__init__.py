"""The reader's PDF: a tagged PDF/UA-1 for tablets, phones and screen readers (WeasyPrint).

    articles -> htmlrender's HTML (as the single page) -> units.py: the book in units
    (front matter, part pages, chapters), each a whole HTML document -> render.py: each
    unit laid out by WeasyPrint, cached by its HTML's hash -> join.py: one PDF, its
    structure trees, destinations and bookmarks merged.

    units.py   the units and their HTML (page size, license line, alt text, cross-unit links)
    math.py    formulas as SVG with a spoken label (zennbook.mathsvg), one batch
    render.py  WeasyPrint in worker processes; the per-unit PDF cache
    join.py    pikepdf: structure tree, links, bookmarks, language, metadata

A one-article edit changes one chapter unit: WeasyPrint lays out that chapter only, and
the join (seconds) runs again.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from ... import __version__
from .join import join_units
from .math import draw_math
from .render import render_units
from .units import book_units, cross_unit_links, unit_document


def write_reader_pdf(book, articles, out_path: Path, context) -> None:
    units = cross_unit_links(draw_math(book_units(book, articles, context), context))
    documents = [unit_document(book, unit, context.version) for unit in units]
    paths = render_units(documents, context.cache.root, context.jobs)
    join_units(paths, [u.part for u in units], out_path, pdf_metadata(book, context.epoch))


def pdf_metadata(book, epoch: int) -> dict:
    """What the joined PDF says of itself; dated by the build (SOURCE_DATE_EPOCH in a release)."""
    license_ = book.license
    return {"title": book.title, "lang": book.language, "author": book.author,
            "rights": license_.short if license_ else "", "license_url": license_.url if license_ else "",
            "producer": f"zennbook {__version__} (WeasyPrint)",
            "date": dt.datetime.fromtimestamp(epoch, dt.timezone.utc)}


__all__ = ["write_reader_pdf"]
