"""The single-page HTML: the whole book in one file that works offline."""
from __future__ import annotations

import base64
import mimetypes
from pathlib import Path

from .common import attribution
from .htmlrender import article_html
from .templating import html_environment, template_path


def data_uri(path: Path) -> str:
    """Inline a file: the page must fetch nothing."""
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".svg":
        mime = "image/svg+xml"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def chapter_id(article) -> str:
    return f"ch-{article.slug}"


def render_book_html(book, articles, context) -> str:
    chapters = {a.slug: a for a in articles}
    parts = []
    for index, part in enumerate(book.parts):
        members = [chapters[s] for s in part.chapters if s in chapters]
        parts.append({"title": part.title, "id": f"part-{index + 1}", "chapters": [
            {"id": chapter_id(a), "title": a.title, "emoji": a.emoji, "lang": a.lang,
             "body": article_html(a, data_uri, f"{a.slug}--"),
             "attribution": attribution(book, a)} for a in members]})
    css = template_path("html/book.css").read_text(encoding="utf-8")
    return html_environment().get_template("html/book.html.j2").render(
        book=book, parts=parts, css=css, build=context)


def write_html(book, articles, out_path: Path, context) -> None:
    out_path.write_text(render_book_html(book, articles, context), encoding="utf-8")
