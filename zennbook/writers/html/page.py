"""The single-page HTML: the whole book in one file that works offline."""
from __future__ import annotations

import base64
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ... import images
from ..common import article_named, article_patterns, attribution, cached_fragment, id_slug
from .render import article_html, safe_url
from ..templating import html_environment, template_path


def data_uri(path: Path) -> str:
    """Inline an image or diagram: the page must fetch nothing. Its type comes from its
    content; SVG is sanitized, types browsers do not all show become PNG."""
    data = images.read_or_broken(path)
    try:
        data, mime = images.for_html(data)
    except images.ImageInvalid:
        data, mime = images.BROKEN_PNG, "image/png"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def chapter_id(article) -> str:
    return f"ch-{id_slug(article.slug)}"


# pandoc wraps every highlighted code line in a span with an id and an empty link to it:
# ~80 bytes and two elements per line that a book never links to.
CODE_LINE_ANCHOR = re.compile(r'<span id="[^"]*"><a href="#[^"]*" aria-hidden="true" tabindex="-1"></a>')
PIXELS_PER_SOURCE_LINE = 32      # the sample book at 1280 px: ~31 px of page per source line


def relative_links(book):
    """Where a relative link leads on the page: the chapter of the article it names, else
    nowhere (kept as text: the page is one file, opened from anywhere)."""
    patterns, slugs = article_patterns(book), set(book.chapter_slugs)

    def resolve(href: str) -> str | None:
        named = article_named(href, patterns, slugs)
        return f"#ch-{id_slug(named[0])}" if named else None
    return resolve


def page_body(article, book, code_cache=None) -> str:
    """The article for the page: images load lazily and decode off the main thread (a
    200,000-line book has hundreds of diagrams), code lines lose their anchors; highlighted
    code comes from `code_cache` when it holds it (code.py: the preview's, where a save
    sets one article again; a build sets each article once)."""
    body = article_html(article, data_uri, f"{id_slug(article.slug)}--", heading_links=True,
                        relative_links=relative_links(book), code_cache=code_cache)
    body = CODE_LINE_ANCHOR.sub("<span>", body)
    return body.replace("<img ", '<img loading="lazy" decoding="async" ')


def chapter(book, article, context=None, body: str | None = None, code_cache=None) -> dict:
    """The template's entry for one chapter; `body` given: that body, not the article's
    (the preview's stand-in for a chapter still being prepared, or its contents line only)."""
    credit = attribution(book, article)
    return {"id": chapter_id(article), "title": article.title, "emoji": article.emoji,
            "lang": article.lang, "attribution": credit, "source_url": safe_url(credit.url or "") or "",
            # until a chapter is first shown, the browser reserves this much (content-visibility)
            "height": max(600, PIXELS_PER_SOURCE_LINE * len(article.body_lines)),
            "body": body if body is not None else cached_fragment(context, article, "html-page-body",
                                                                  lambda: page_body(article, book, code_cache))}


def render_book_html(book, articles, context, code_cache=None) -> str:
    # pandoc runs once per article, in its own process: render them side by side, in order.
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 2)) as pool:
        rendered = dict(zip((a.slug for a in articles),
                            pool.map(lambda a: chapter(book, a, context, code_cache=code_cache), articles)))
    return render_page(book, rendered, context)


def render_page(book, rendered: dict[str, dict], context) -> str:
    """The page around these chapters (slug -> `chapter`'s entry), in the book's order."""
    parts = []
    for index, part in enumerate(book.parts):
        parts.append({"title": part.title, "id": f"part-{index + 1}",
                      "chapters": [rendered[s] for s in part.chapters if s in rendered]})
    css = template_path("html/book.css").read_text(encoding="utf-8") + template_path("html/search.css").read_text(encoding="utf-8")
    search = template_path("html/search.js").read_text(encoding="utf-8")   # the page's only script
    return html_environment().get_template("html/book.html.j2").render(
        book=book, parts=parts, css=css, build=context, search=search)


def write_html(book, articles, out_path: Path, context) -> None:
    out_path.write_text(render_book_html(book, articles, context), encoding="utf-8")
