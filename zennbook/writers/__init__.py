"""One writer per format. WRITERS is the registry, read in one place (the pipeline)."""
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
