"""One writer per format; `writers()` is the registry, read in one place (the pipeline).

    pdf/        the print PDF, built in chapter units by LuaLaTeX and joined with pikepdf
    latex/      the book's LaTeX (the render pass, tables, math through zennbook.math) and the
                one-document build the unit build is compared with
    epub/       EPUB 3 from per-chapter XHTML (ebooklib)
    html/       the element render pass shared by the HTML-based outputs; the single page
    reader/     the tagged reader's PDF (WeasyPrint, PDF/UA-1), per unit, joined with pikepdf

Shared by them: common.py (attribution, ids, the cached per-article fragment), templating.py
(the Jinja2 environments over templates/), fonts.py and fontchains.py (which installed font
draws each character, cut once per book), texcache.py (LuaLaTeX's font cache for jailed jobs),
cover.py (the cover image).
"""
from __future__ import annotations


def writers():
    """Name -> write(book, articles, out_path, context) function, imported on demand."""
    # The PDF is built in chapter units (writers/pdf): a one-article edit recompiles that
    # chapter; latex.write_pdf, the one-document build, is what tests compare it with.
    from . import epub, html, pdf, reader
    return {"pdf": pdf.write_pdf_units, "epub": epub.write_epub, "html": html.write_html,
            "reader-pdf": reader.write_reader_pdf}


FORMATS = ("pdf", "epub", "html")               # built when no format is asked for
ALL_FORMATS = (*FORMATS, "reader-pdf")           # the reader's PDF (WeasyPrint) on request
EXTENSIONS = {"pdf": ".pdf", "epub": ".epub", "html": ".html", "reader-pdf": ".reader.pdf"}
