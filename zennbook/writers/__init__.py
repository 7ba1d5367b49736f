"""One writer per format. WRITERS is the registry, read in one place (the pipeline)."""
from __future__ import annotations


def writers():
    """Name -> write(book, articles, out_path, context) function, imported on demand."""
    from . import epub, html, latex
    return {"pdf": latex.write_pdf, "epub": epub.write_epub, "html": html.write_html}


FORMATS = ("pdf", "epub", "html")
EXTENSIONS = {"pdf": ".pdf", "epub": ".epub", "html": ".html"}
