"""The reader's PDF in units, each a whole HTML document WeasyPrint lays out alone: the
front matter (title, license, contents), one page per titled part, one unit per chapter.

A unit's HTML holds everything its PDF is made from (text, images as data URIs, math as
SVG, the page size, the license line), so the HTML's hash is the key of its cached PDF.
Formulas are drawn by math.py once the units are made.
A link to an id in another unit cannot be laid out by WeasyPrint, which sees one unit: it
is written as CROSS_UNIT + id, an external link that join.py turns back into a jump to
the named destination once the units are one PDF.
"""
from __future__ import annotations

import dataclasses
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html import escape, unescape
from urllib.parse import quote, unquote

from ..common import attribution, cached_fragment, id_slug
from ..html import CODE_LINE_ANCHOR, chapter_id, data_uri, relative_links
from ..htmlrender import article_html, safe_url
from ..templating import html_environment, template_path

CROSS_UNIT = "https://zennbook.invalid/goto#"
PANDOC_JOBS = min(4, os.cpu_count() or 1)
# The page a reader holds: a 3:4 tablet and a 9:16 phone, in CSS units WeasyPrint takes.
PAGES = {"tablet": ("152mm", "203mm"), "phone": ("90mm", "160mm")}
# Said for an image whose source gives no description (PDF/UA wants alt text on every figure).
ALT_FALLBACK = "図（説明文なし）"
ID_ATTRIBUTE = re.compile(r'\sid="([^"]*)"')
FRAGMENT_HREF = re.compile(r'href="#([^"]*)"')
IMG_TAG = re.compile(r"<img\b[^>]*>")
ALT_ATTRIBUTE = re.compile(r'\salt="([^"]*)"')


@dataclass(frozen=True)
class Page:
    name: str
    width: str
    height: str


@dataclass(frozen=True)
class Unit:
    """One independently laid-out piece of the PDF."""
    kind: str          # "front", "part" or "chapter"
    title: str         # its bookmark
    body: str          # the HTML inside <body>
    part: int | None   # the index of its titled part, for the bookmark tree
    label: str | None = None   # the article's path, for diagnostics


def page_of(book) -> Page:
    width, height = PAGES[book.reader.page]
    return Page(book.reader.page, width, height)


def book_units(book, articles, context) -> list[Unit]:
    """Front matter, then each part's page (when the part has a title) and its chapters."""
    # pandoc runs once per article, in its own process: several at once, kept in order
    with ThreadPoolExecutor(max_workers=PANDOC_JOBS) as pool:
        chapters = dict(zip((a.slug for a in articles), pool.map(lambda a: chapter_unit(book, a, context), articles)))
    units = [front_unit(book, articles)]
    for index, part in enumerate(book.parts):
        if part.title:
            units.append(Unit("part", part.title, part_html(part.title, index), index))
        units += [dataclasses.replace(chapters[s], part=index if part.title else None)
                  for s in part.chapters if s in chapters]
    return units


def part_id(index: int) -> str:
    return f"part-{index + 1}"


def part_html(title: str, index: int) -> str:
    return f'<section class="part-page" id="{part_id(index)}"><h1 class="part-title">{escape(title)}</h1></section>'


def front_unit(book, articles) -> Unit:
    by_slug = {a.slug: a for a in articles}
    contents = [{"id": part_id(i), "title": p.title,
                 "chapters": [{"id": chapter_id(by_slug[s]), "title": by_slug[s].title}
                              for s in p.chapters if s in by_slug]}
                for i, p in enumerate(book.parts)]
    body = html_environment().get_template("reader/front.html.j2").render(book=book, parts=contents)
    return Unit("front", book.title, body, None)


def chapter_unit(book, article, context) -> Unit:
    body = cached_fragment(context, article, "reader-body", lambda: chapter_body(book, article))
    credit = attribution(book, article)
    html = html_environment().get_template("reader/chapter.html.j2").render(
        book=book, id=chapter_id(article), article=article, body=body, attribution=credit,
        source_url=safe_url(credit.url or "") or "")
    return Unit("chapter", article.title, html, None, article.label)


def chapter_body(book, article) -> str:
    body = article_html(article, data_uri, f"{id_slug(article.slug)}--", relative_links=relative_links(book))
    return with_alt_text(CODE_LINE_ANCHOR.sub("<span>", body))


def with_alt_text(html: str) -> str:
    """Every image described: its own alt text, else the stated fallback."""
    def described(match: re.Match) -> str:
        tag = match.group(0)
        alt = ALT_ATTRIBUTE.search(tag)
        if alt and unescape(alt.group(1)).strip():
            return tag
        tag = ALT_ATTRIBUTE.sub("", tag)
        return tag.replace("<img", f'<img alt="{ALT_FALLBACK}"', 1)
    return IMG_TAG.sub(described, html)


def ids_of(html: str) -> set[str]:
    return {unescape(i) for i in ID_ATTRIBUTE.findall(html)}


def cross_unit_links(units: list[Unit]) -> list[Unit]:
    """Links to an id of another unit become CROSS_UNIT links (see the module docstring)."""
    own = [ids_of(u.body) for u in units]
    everywhere = set().union(*own)

    def rewrite(body: str, ids: set[str]) -> str:
        def href(match: re.Match) -> str:
            target = unquote(unescape(match.group(1)))
            if target in ids or target not in everywhere:
                return match.group(0)
            return f'href="{CROSS_UNIT}{escape(quote(target, safe=""))}"'
        return FRAGMENT_HREF.sub(href, body)
    return [dataclasses.replace(u, body=rewrite(u.body, ids)) for u, ids in zip(units, own)]


def css_string(text: str) -> str:
    """`text` as a CSS double-quoted string, safe inside <style> (no quote, no markup)."""
    return '"' + "".join(c if c.isprintable() and c not in CSS_UNSAFE else f"\\{ord(c):x} " for c in text) + '"'


CSS_UNSAFE = frozenset('"\\<>&')


def unit_document(book, unit: Unit, version: str) -> str:
    css = template_path("reader/reader.css").read_text(encoding="utf-8")
    license_line = css_string(book.license.short) if book.license else ""
    return html_environment().get_template("reader/unit.html.j2").render(
        book=book, page=page_of(book), css=css, body=unit.body, version=version,
        license_line=license_line)
