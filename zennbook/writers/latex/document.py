"""The book's LaTeX document: book.tex.j2 filled with the chapters, parts, license, trim and
print options."""
from __future__ import annotations

import shutil

from ...diagnostics import Diagnostics
from ..common import attribution
from ..templating import latex_environment, template_path, tex_escape
from .assets import PAPER_OPTIONS, TEXT_WIDTH_PT, LatexAssets, breakable_text, url_latex
from .render import article_latex
from .tables import text_width

# -- the book: template, lualatex ---------------------------------------------------------------

def render_book_tex(book, articles, assets: LatexAssets, diagnostics: Diagnostics, context,
                    proof: bool = False, chapter_offset: int | None = None) -> str:
    """Write each chapter's .tex into the build folder; return the main document.

    With `chapter_offset` (a proof), only the chapters are set, numbered from that offset + 1,
    without title page, copyright page, table of contents or part pages.
    """
    chapters_dir = assets.build_dir / "chapters"
    chapters_dir.mkdir(parents=True, exist_ok=True)
    line_pt = TEXT_WIDTH_PT[book.pdf.paper]
    by_slug = {a.slug: a for a in articles}
    parts = []
    for part in book.parts:
        members = []
        for slug in (s for s in part.chapters if s in by_slug):
            article = by_slug[slug]
            tex = article_latex(article, assets, diagnostics, line_pt)
            (chapters_dir / f"{slug}.tex").write_text(tex, encoding="utf-8")
            members.append(chapter_entry(book, article))
        parts.append({"title": part.title, "chapters": members})
    shutil.copyfile(template_path("latex/zennbook.sty"), assets.build_dir / "zennbook.sty")
    return book_document(book, articles, parts, context, proof, chapter_offset)


def book_document(book, articles, parts: list[dict], context, proof: bool = False,
                  chapter_offset: int | None = None, volume: dict | None = None) -> str:
    """book.tex: the template with the book's parts (each a title and chapter entries);
    `volume` ({number, count}) titles one volume of a set (writers/pdf/volumes.py)."""
    return latex_environment().get_template("latex/book.tex.j2").render(
        book=book, parts=parts, paper=PAPER_OPTIONS[book.pdf.paper], build=context, volume=volume,
        proof=proof or book.pdf.proof, trim=trim_options(book.pdf),
        print_layout=print_options(book.pdf) if book.pdf.preset else None, keywords=book_keywords(book, articles),
        license_url_tex=url_latex(book.license.url) if book.license else "",
        chapter_only=chapter_offset is not None, chapter_offset=chapter_offset or 0)


def chapter_entry(book, article) -> dict:
    credit = attribution(book, article)
    head = f"{article.emoji} {article.title}".strip()
    return {"slug": article.slug, "title": article.title, "emoji": article.emoji,
            "attribution": credit, "url_tex": url_latex(credit.url) if credit.url else "",
            "title_tex": breakable_text(article.title),
            "head_tex": tex_escape(shorten(head, running_head_room(book)))}


def running_head_room(book) -> float:
    """Half-width characters a chapter title may take in the running head (9pt type, 80%
    of the line, less the chapter number)."""
    return (0.8 * TEXT_WIDTH_PT[book.pdf.paper] - 50) / 4.5


def shorten(text: str, room: float) -> str:
    """`text` cut to `room` half-width characters, with an ellipsis when it was cut."""
    if text_width(text) <= room:
        return text
    while text and text_width(text) > room - 2:
        text = text[:-1]
    return text.rstrip() + "…"


def trim_options(pdf) -> dict:
    """Trim marks when asked for, or when a bleed is given (a bleed needs the trim box)."""
    return {"marks": bool(pdf.crop_marks or pdf.bleed_mm > 0), "bleed_mm": f"{pdf.bleed_mm:g}"}


def print_options(pdf) -> dict:
    """A print service's preset (writers/pdf/presets.py): paper, bleed, marks and gutter."""
    from ..pdf.presets import latex_options, layout_for
    return latex_options(layout_for(pdf, pdf.gutter_pages))


def book_keywords(book, articles) -> list[str]:
    """The articles' Zenn topics, in order, then the license id."""
    words = [str(t) for a in articles for t in (a.meta.get("topics") or []) if isinstance(t, (str, int))]
    if book.license:
        words.append(book.license.id)
    return list(dict.fromkeys(words))
