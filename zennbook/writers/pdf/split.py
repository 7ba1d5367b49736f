"""The book's LaTeX cut into units (preamble, front matter, one segment per chapter), and
each article's LaTeX with the files it uses, cached by its inputs."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ...cache import Cache, sha256
from ...diagnostics import Diagnostics
from ...pandoc import doc_to_json
from .. import latex
from .jobs import VERSION

# -- the book's LaTeX, cut into units -------------------------------------------------------------

@dataclass
class Segment:
    """One chapter's lines of book.tex, with the \\part line before it, if any."""
    index: int                      # 1-based position of the chapter in the book
    slug: str
    text: str
    parts_before: int               # \part commands in the segments before this one
    has_part: bool


@dataclass
class BookTex:
    preamble: str
    front: str
    segments: list[Segment]


def book_tex(book, articles, context, volume: dict | None = None) -> str:
    """book.tex as `latex.render_book_tex` renders it, without rendering every chapter.

    tests/writers/pdfunits/test_pdfunits_fast.py checks that both give the same text.
    """
    by_slug = {a.slug: a for a in articles}
    parts = [{"title": part.title,
              "chapters": [latex.chapter_entry(book, by_slug[s]) for s in part.chapters if s in by_slug]}
             for part in book.parts]
    return latex.book_document(book, articles, parts, context, volume=volume)


ARTICLE_LINE = re.compile(r"^%zb:article=(\S+)\s*$")


def split_book_tex(text: str) -> BookTex:
    """Preamble, front matter (up to \\mainmatter) and one segment per `%zb:article=` line;
    a \\part line belongs to the chapter after it."""
    preamble, found, rest = text.partition("\\begin{document}")
    body, ended, _ = rest.rpartition("\\end{document}")
    lines = body.split("\n")
    main = next((i for i, line in enumerate(lines) if line.strip() == "\\mainmatter"), None)
    if not found or not ended or main is None:
        raise ValueError("book.tex.j2 no longer has \\begin{document}, \\mainmatter and \\end{document}")
    found_segments: list[tuple[str, list[str], int, bool]] = []
    pending: list[str] = []
    current: list[str] | None = None
    parts = 0
    for line in lines[main + 1:]:
        article = ARTICLE_LINE.match(line)
        if article:
            has_part = any(p.startswith("\\part") for p in pending)
            current = [*pending, line]
            found_segments.append((article.group(1), current, parts, has_part))
            parts += has_part
            pending = []
        elif line.startswith("\\part") or current is None:
            pending.append(line)
            current = None
        else:
            current.append(line)
    if any(p.strip() for p in pending):
        raise ValueError(f"book.tex has lines after its last chapter: {pending!r}")
    segments = [Segment(i, slug, lines_text(text), before, has_part)
                for i, (slug, text, before, has_part) in enumerate(found_segments, start=1)]
    return BookTex(preamble.rstrip("\n") + "\n", lines_text(lines[:main]), segments)


def lines_text(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n") + "\n"


# -- each article's LaTeX, cached ------------------------------------------------------------------

@dataclass
class RecordingAssets(latex.LatexAssets):
    """LatexAssets that also remembers the QR codes it made, so a cached chapter can remake them."""
    urls: list[str] = field(default_factory=list)

    def qr(self, url: str) -> str:
        self.urls.append(url)
        return super().qr(url)


def article_tex(article, book, store: Cache, shared: Path) -> dict:
    """{tex, assets, qr, diagnostics} of one article; recomputed when an image it shows changed."""
    key = sha256("tex", VERSION, article.cache_key or doc_to_json(article.doc), book.pdf.paper)
    entry = store.get("tex", key)
    if entry is not None and assets_ready(entry, shared):
        return entry
    collected = Diagnostics()
    assets = RecordingAssets(shared)
    tex = latex.article_latex(article, assets, collected, latex.TEXT_WIDTH_PT[book.pdf.paper])
    entry = {"tex": tex, "assets": dict(assets.copied), "qr": sorted(set(assets.urls)),
             "diagnostics": [d.to_json() for d in collected.items]}
    store.put("tex", key, entry)
    return entry


def assets_ready(entry: dict, shared: Path) -> bool:
    """The files a cached chapter names are there, and its images are the ones it was made from."""
    assets = RecordingAssets(shared)
    for source, name in entry["assets"].items():
        path = Path(source)
        if not path.exists():
            return False
        if hashlib.sha256(path.read_bytes()).hexdigest()[:16] != Path(name).stem:
            return False
        if not (shared / name).exists():
            assets.add(path)
    for url in entry["qr"]:
        assets.qr(url)
    return True
