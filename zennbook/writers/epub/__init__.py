"""The EPUB 3 writer: ebooklib fed with our own per-article XHTML.

    article -> htmlrender's HTML fragment -> lxml (HTML parser) -> XHTML fix-ups
        (EPUB 3 footnotes, open details, math alttext, remote images, attributes)
    -> namespaced XHTML inside templates/epub/chapter.xhtml.j2 -> links resolved across
    chapters -> ebooklib (OPF, NCX, zip) -> zip repacked with fixed times and order.

    book.py      write_epub: pages, navigation, metadata, the reproducible zip
    chapters.py  each article's chapter document, in parallel, cached by its inputs
    fixups.py    the EPUB-only changes to one chapter's HTML, one function each
    links.py     links across chapters resolved, or made text with a warning
    assets.py    images, diagrams and font subsets, stored once by content hash; the stylesheet
    xhtml.py     namespaces, the Chapter record, the finished-XHTML document type

Everything up to the finished chapter document is per article and cached (see
chapters.chapter_work): a rebuild after one article changed runs pandoc for that article only.

ebooklib re-parses EpubHtml content with an HTML parser, which loses MathML and epub:type
namespaces; our documents are finished XHTML, so XhtmlDocument hands ebooklib the bytes.
"""
from .book import book_identifier, write_epub
from .assets import clean_svg

__all__ = ["write_epub", "book_identifier", "clean_svg"]
