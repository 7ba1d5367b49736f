"""The EPUB put together: pages, navigation, metadata, ebooklib, and a reproducible zip."""
from __future__ import annotations

import datetime as dt
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ebooklib import epub

from ..common import attribution
from ..cover import render_cover
from .assets import EpubAssets, stylesheet, wants_fonts
from .chapters import make_chapters
from .links import resolve_links
from .svgmath import draw_math
from .xhtml import MATHML_NS, SVG_NS, X, XHTML_NS, Chapter, XhtmlDocument, render_document

def write_epub(book, articles, out_path: Path, context, embed_fonts: bool | None = None) -> None:
    """The book as one EPUB 3 at `out_path`; byte-identical for the same sources and epoch."""
    modified = build_time(context.epoch)
    ebook = epub.EpubBook()
    assets = EpubAssets()
    chapters = make_chapters(book, articles, assets, context.diagnostics, context)
    if book.epub.math == "svg":
        draw_math(chapters, context)
    resolve_links(chapters, book, context.diagnostics)
    cover = add_cover(ebook, book)
    pages = add_chapters(ebook, chapters)
    copyright_page = add_page(ebook, "copyright", "copyright.xhtml", "epub/copyright.xhtml.j2", book,
                              title="著作権・ライセンス", build=context,
                              attributions=[attribution(book, a) for a in articles])
    nav = add_nav(ebook, book, chapters)
    documents = [cover, nav, *pages, copyright_page]
    ebook.add_item(stylesheet(documents, assets, wants_fonts(book, embed_fonts)))
    assets.add_to(ebook)
    ebook.toc = ncx_toc(book, chapters, copyright_page)
    ebook.add_item(epub.EpubNcx())
    ebook.spine = documents
    set_metadata(ebook, book, articles, content_facts(chapters))
    epub.write_epub(str(out_path), ebook, {"mtime": modified, "epub2_guide": False, "epub3_pages": False,
                                          "epub3_landmark": False, "spine_direction": False})
    repack_reproducibly(out_path, modified, book.language)


def build_time(epoch: int) -> dt.datetime:
    """The build's date (SOURCE_DATE_EPOCH when set): dcterms:modified and the zip's times."""
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).replace(microsecond=0)


def book_identifier(book) -> str:
    """Stable per book and version: a UUID derived from the slug and version."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'zennbook:{book.slug}:{book.version}')}"


def add_page(ebook, uid: str, file_name: str, template: str, book, title: str, **values):
    page = XhtmlDocument(uid, file_name, title, render_document(template, book=book, title=title, **values))
    ebook.add_item(page)
    return page


def add_cover(ebook, book):
    ebook.set_cover("cover.png", render_cover(book), create_page=False)
    return add_page(ebook, "cover", "cover.xhtml", "epub/cover.xhtml.j2", book, title="表紙")


def add_chapters(ebook, chapters: list[Chapter]) -> list[XhtmlDocument]:
    pages = []
    for index, chapter in enumerate(chapters, start=1):
        page = XhtmlDocument(f"chapter-{index:03d}", chapter.file_name, chapter.article.title, chapter.root)
        ebook.add_item(page)
        pages.append(page)
    return pages


# -- navigation ---------------------------------------------------------------------------

def toc_parts(book, chapters: list[Chapter]) -> list[dict]:
    """The book's parts with their chapters' titles and files; untitled parts stay flat."""
    by_slug = {c.article.slug: c for c in chapters}
    parts = []
    for part in book.parts:
        entries = [{"title": by_slug[s].article.title, "href": by_slug[s].file_name}
                   for s in part.chapters if s in by_slug]
        if entries:
            parts.append({"title": part.title, "chapters": entries})
    return parts


def add_nav(ebook, book, chapters: list[Chapter]):
    """nav.xhtml: the table of contents grouped by part, and the landmarks."""
    root = render_document("epub/nav.xhtml.j2", book=book, title="目次", parts=toc_parts(book, chapters),
                           bodymatter=chapters[0].file_name if chapters else "copyright.xhtml")
    nav = XhtmlDocument("nav", "nav.xhtml", "目次", root)
    nav.properties.append("nav")
    ebook.add_item(nav)
    return nav


def ncx_toc(book, chapters: list[Chapter], copyright_page) -> list:
    """The same tree for the EPUB 2 NCX, which older readers still use."""
    toc = []
    for part in toc_parts(book, chapters):
        links = [epub.Link(c["href"], c["title"], f"toc-{c['href'].split('.')[0]}") for c in part["chapters"]]
        if part["title"]:
            toc.append((epub.Section(part["title"], links[0].href), links))
        else:
            toc.extend(links)
    toc.append(epub.Link(copyright_page.file_name, "著作権・ライセンス", "toc-copyright"))
    return toc


# -- metadata -----------------------------------------------------------------------------

@dataclass(frozen=True)
class ContentFacts:
    """What the finished documents contain: the ground for the accessibility metadata."""
    images: int
    images_with_alt: int
    math: int
    diagrams: int
    math_svg: int = 0              # formulas drawn as SVG with a spoken label (epub.math: svg)


def content_facts(chapters: list[Chapter]) -> ContentFacts:
    images = [img for c in chapters for img in c.root.iter(f"{{{XHTML_NS}}}img")]
    return ContentFacts(
        images=len(images),
        images_with_alt=sum(1 for img in images if img.get("alt", "").strip()),
        math=sum(1 for c in chapters for _ in c.root.iter(f"{{{MATHML_NS}}}math")),
        diagrams=sum(len(c.root.xpath('//x:figure[contains(@class, "diagram")]', namespaces=X))
                     for c in chapters),
        math_svg=sum(len(c.root.xpath('//svg:svg[@class="math-svg"]', namespaces={"svg": SVG_NS}))
                     for c in chapters))


def set_metadata(ebook, book, articles, facts: ContentFacts) -> None:
    ebook.set_identifier(book_identifier(book))
    ebook.set_title(book.title)
    ebook.set_language(book.language)
    if book.author:
        ebook.add_author(book.author)
    if book.license:
        ebook.add_metadata("DC", "rights", rights_text(book.license))
    for url in dict.fromkeys(attribution(book, a).url for a in articles):
        if url:
            ebook.add_metadata("DC", "source", url)
    for prop, value in accessibility(facts):
        ebook.add_metadata(None, "meta", value, {"property": prop})


def rights_text(license_) -> str:
    notice = " ".join(license_.notice.split())
    return f"{license_.short} ({license_.id}, {license_.url}). {notice}"


def accessibility(facts: ContentFacts) -> list[tuple[str, str]]:
    """schema.org accessibility metadata that is true of these documents, nothing assumed.

    Every book has a cover image (with its title as alt text), so "visual" is always a mode.
    alternativeText is claimed only when every image of the text has non-empty alt text.
    """
    all_alt = facts.images == facts.images_with_alt
    features = ["structuralNavigation", "tableOfContents", "readingOrder"]
    if facts.images and all_alt:
        features.append("alternativeText")
    if facts.math:
        features.append("MathML")
    if facts.math_svg:
        features.append("describedMath")
    sufficient = ["textual,visual", *(["textual"] if all_alt else [])]
    return [("schema:accessMode", "textual"), ("schema:accessMode", "visual"),
            *[("schema:accessModeSufficient", s) for s in sufficient],
            *[("schema:accessibilityFeature", f) for f in features],
            ("schema:accessibilityHazard", "none"),
            ("schema:accessibilitySummary", accessibility_summary(facts))]


def accessibility_summary(facts: ContentFacts) -> str:
    parts = ["Reflowable text with headings, a table of contents and a reading order."]
    if facts.math:
        parts.append(f"{facts.math} math expressions in MathML, each with its TeX source as alttext "
                     "and annotation.")
    if facts.math_svg:
        parts.append(f"{facts.math_svg} math expressions drawn as SVG images, each with a spoken "
                     "description as its label.")
    if facts.images:
        missing = facts.images - facts.images_with_alt
        text = "all with alternative text" if not missing else f"{missing} without alternative text"
        parts.append(f"{facts.images} images ({facts.diagrams} diagrams whose alternative text is "
                     f"their Mermaid source), {text}.")
    parts.append("No sound, flashing or animation.")
    return " ".join(parts)


# -- the zip ------------------------------------------------------------------------------

def with_package_language(name: str, data: bytes, language: str) -> bytes:
    """xml:lang on the OPF's <package>, which ebooklib does not write (DAISY Ace: epub-lang)."""
    if not language or not name.endswith(".opf") or b"<package xml:lang=" in data:
        return data
    return data.replace(b"<package ", f'<package xml:lang="{language}" '.encode("ascii"), 1)


def repack_reproducibly(path: Path, when: dt.datetime, language: str = "") -> None:
    """Same sources, same bytes: fixed timestamps and order in the zip (mimetype first, stored)."""
    stamp = max(when, dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc)).timetuple()[:6]
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, with_package_language(info.filename, source.read(info.filename), language))
                   for info in source.infolist()]
    entries.sort(key=lambda entry: (entry[0] != "mimetype", entry[0] != "META-INF/container.xml", entry[0]))
    temporary = path.with_suffix(".repack")
    with zipfile.ZipFile(temporary, "w") as target:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3
            target.writestr(info, data, compresslevel=9 if name != "mimetype" else None)
    temporary.replace(path)
