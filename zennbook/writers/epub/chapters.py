"""Each article as a finished chapter document, made in parallel and cached."""
from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import lxml.html
from lxml import etree

from ...cache import sha256
from ...diagnostics import Code, Diagnostic, Diagnostics, Reporter
from ...safety.urls import safe_href
from ..common import attribution, fragment_key, id_slug
from ..html.render import article_html
from .fixups import HTML_FIXES
from .xhtml import X, Chapter, copy_children, render_document, serialize

PANDOC_JOBS = min(4, os.cpu_count() or 1)   # pandoc runs per article, in parallel

# -- chapters -----------------------------------------------------------------------------

def make_chapters(book, articles, assets, diagnostics, context=None) -> list[Chapter]:
    """Each article's XHTML document; pandoc runs for several articles at once. With a
    build `context` that has a cache, a chapter whose inputs are unchanged comes from it."""
    with ThreadPoolExecutor(max_workers=PANDOC_JOBS) as pool:
        works = list(pool.map(lambda a: chapter_work(book, a, assets, context), articles))
    chapters = []
    for index, (article, work) in enumerate(zip(articles, works), start=1):
        diagnostics.extend(Diagnostic.from_json(item) for item in work["diagnostics"])
        root = etree.fromstring(work["xhtml"].encode("utf-8"), etree.XMLParser(huge_tree=True))
        chapters.append(Chapter(article, f"chapter-{index:03d}.xhtml", root, set(root.xpath("//@id"))))
    return chapters


# -- the chapter cache ----------------------------------------------------------------------
# A chapter's work (pandoc's HTML writer, the XHTML fix-ups, the template) depends on its
# article, the files it embeds, our code (fragment_key) and the few book settings the
# chapter template reads (chapter_key). It does not depend on the chapter's place in the
# book: the file name is given after the cache, and links between chapters are resolved
# after it too, on the parsed documents. An entry is JSON: the XHTML as text, the asset
# files the document refers to (path and name in the EPUB), the diagnostics the work
# emitted. Cached or not, the chapter is the parsed text, so both give the same bytes.

CHAPTER_CACHE = "epub-chapter-2"


def chapter_key(book, article) -> str | None:
    """The cache key of a chapter's work; None: do not cache."""
    base = fragment_key(article, CHAPTER_CACHE)
    if base is None:
        return None
    credit = attribution(book, article)
    return sha256(base, article.slug, article.title, article.emoji, article.lang, book.language,
                  book.license.short if book.license else "\0", credit.title, credit.author, credit.url)


def chapter_work(book, article, assets, context) -> dict:
    """The chapter's work from the cache (its assets registered again), else done and stored."""
    cache = getattr(context, "cache", None)
    key = chapter_key(book, article) if cache is not None else None
    if key is not None:
        work = cache.get(CHAPTER_CACHE, key)
        if work is not None and assets.reuse(work["assets"]):
            return work
    work = render_chapter(book, article, assets)
    if key is not None:
        cache.put(CHAPTER_CACHE, key, work)
    return work


def render_chapter(book, article, assets) -> dict:
    """article -> html.render's fragment -> XHTML fix-ups -> the chapter template, as JSON data."""
    used: dict[str, str] = {}

    def asset_url(path: Path) -> str:
        name = assets.url(path)
        used[str(Path(path).resolve())] = name
        return name
    fragment = article_html(article, asset_url, id_prefix(article), source_lines=True)
    notes = Diagnostics()
    root = render_document("epub/chapter.xhtml.j2", book=book, article=article,
                           attribution=attribution(book, article))
    slot = root.find(".//x:div[@class='chapter-body']", namespaces=X)
    copy_children(chapter_html(fragment, notes.reporter(article.label)), slot)
    return {"xhtml": serialize(root).decode("utf-8"),
            "assets": [[path, name] for path, name in sorted(used.items())],
            "diagnostics": [d.to_json() for d in notes.items]}


def id_prefix(article) -> str:
    return f"{id_slug(article.slug)}--"


def chapter_html(fragment: str, reporter: Reporter):
    """html.render's fragment, parsed, with the EPUB-only changes made (`reporter`: the
    article's)."""
    html = lxml.html.fragment_fromstring(fragment or "<p></p>", create_parent="div")
    remote_images(html, reporter)
    for fix in HTML_FIXES:
        fix(html)
    return html


def remote_images(html, reporter: Reporter) -> None:
    """EPUB readers may not fetch images from the network: a remote image is a link (when
    the URL policy allows one), else its description alone."""
    for img in list(html.iter("img")):
        src = img.get("src", "")
        if not re.match(r"^[a-z][a-z0-9+.-]*:|^[/\\]{2}", src, re.I):
            continue
        href = safe_href(src)
        link = lxml.html.Element("a", {"class": "image-remote", "href": href}) if href else \
            lxml.html.Element("span", {"class": "image-remote"})
        link.text = img.get("alt") or src
        link.tail = img.tail
        line = html_line(img)
        img.getparent().replace(img, link)
        reporter.warn(Code.EPUB_REMOTE_IMAGE, f"image {src[:200]} is not in the EPUB (no network at "
                      "build time); shown as a link", line)


def html_line(elem) -> int | None:
    """The source line of an element of html.render's fragment: its own `data-line`, else that
    of the nearest block anchor before it or element around it."""
    found = elem.xpath("(ancestor-or-self::*[@data-line] | preceding::*[@data-line])[last()]/@data-line")
    return int(found[0]) if found and found[0].isdigit() else None
