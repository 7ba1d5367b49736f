"""One writer per format. WRITERS is the registry, read in one place (the pipeline)."""
from __future__ import annotations


def writers():
    """Name -> write(book, articles, out_path, context) function, imported on demand."""
    # The PDF is built in chapter units (writers/pdf): a one-article edit recompiles that
    # chapter; latex.write_pdf, the one-document build, is what tests compare it with.
    from . import epub, html, pdf
    return {"pdf": pdf.write_pdf_units, "epub": epub.write_epub, "html": html.write_html}


FORMATS = ("pdf", "epub", "html")
EXTENSIONS = {"pdf": ".pdf", "epub": ".epub", "html": ".html"}
