"""The single-page HTML writer, and the render pass the EPUB and the reader's PDF share.

    render.py   the book's elements as HTML (admonitions, cards, embeds, code, diagrams,
                math), with nothing an article says able to run or fetch
    page.py     write_html: the whole book in one file that works offline (images inlined as
                data: URIs, chapters cached, the search script, the license banner and footer)
"""
from .page import CODE_LINE_ANCHOR, chapter, chapter_id, data_uri, relative_links, render_book_html, render_page, write_html

__all__ = ["write_html", "render_book_html", "render_page", "chapter", "chapter_id", "data_uri", "relative_links", "CODE_LINE_ANCHOR"]
