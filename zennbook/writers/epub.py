"""EPUB 3 assembled with ebooklib from our own per-article XHTML."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
import zipfile
from pathlib import Path

import lxml.html
from ebooklib import epub
from lxml import etree

from .common import attribution
from .cover import render_cover
from .htmlrender import article_html
from .templating import html_environment, template_path

EPUB_NS = "http://www.idpf.org/2007/ops"
XHTML_NS = "http://www.w3.org/1999/xhtml"


class EpubAssets:
    """Files the chapters reference (images, diagrams), added to the book once each."""

    def __init__(self, book: epub.EpubBook):
        self.book = book
        self.names: dict[Path, str] = {}

    def url(self, path: Path) -> str:
        path = path.resolve()
        if path not in self.names:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            name = f"assets/{digest}{path.suffix.lower()}"
            media = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
                     ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp"}.get(path.suffix.lower())
            self.book.add_item(epub.EpubItem(uid=f"asset-{digest}", file_name=name,
                                             media_type=media or "application/octet-stream",
                                             content=path.read_bytes()))
            self.names[path] = name
        return self.names[path]


def to_xhtml_body(fragment: str) -> etree._Element:
    """Parse pandoc's HTML5 fragment into an XHTML <body>, marking EPUB 3 footnotes."""
    body = lxml.html.fragment_fromstring(fragment or "<p></p>", create_parent="body")
    for ref in body.xpath('//a[contains(@class, "footnote-ref")]'):
        ref.set(f"{{{EPUB_NS}}}type", "noteref")
    for section in body.xpath('//section[contains(@class, "footnotes")]'):
        section.set(f"{{{EPUB_NS}}}type", "footnotes")
        for item in section.xpath("./ol/li"):
            item.set(f"{{{EPUB_NS}}}type", "footnote")
    return body


def body_markup(body: etree._Element) -> str:
    inner = "".join(etree.tostring(child, encoding="unicode", method="xml") for child in body)
    return (body.text or "") + inner


def link_chapters(markup: str, id_files: dict[str, str], own_file: str) -> str:
    """`#slug--id` pointing into another chapter becomes `other.xhtml#slug--id`."""
    def fix(match: re.Match) -> str:
        target = match.group(1)
        file = id_files.get(target)
        return f'href="{file}#{target}"' if file and file != own_file else match.group(0)
    return re.sub(r'href="#([^"]+)"', fix, markup)


def collect_ids(markup: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', markup)


def book_identifier(book) -> str:
    """Stable per book and version: a UUID derived from the slug and version."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'zennbook:{book.slug}:{book.version}')}"


def write_epub(book, articles, out_path: Path, context) -> None:
    ebook = epub.EpubBook()
    set_metadata(ebook, book, articles, context)
    assets = EpubAssets(ebook)
    css = epub.EpubItem(uid="style", file_name="style/book.css", media_type="text/css",
                        content=template_path("epub/book.css").read_bytes())
    ebook.add_item(css)
    cover_png = render_cover(book)
    ebook.set_cover("cover.png", cover_png, create_page=False)
    cover_page = make_page(ebook, "cover", "cover.xhtml", "表紙", "epub/cover.xhtml.j2", css, book=book)
    chapters = make_chapters(ebook, book, articles, assets, css)
    copyright_page = make_page(ebook, "copyright", "copyright.xhtml", "著作権・ライセンス",
                               "epub/copyright.xhtml.j2", css, book=book,
                               attributions=[attribution(book, a) for a in articles], build=context)
    ebook.toc = table_of_contents(book, chapters, copyright_page)
    ebook.add_item(epub.EpubNcx())
    nav = epub.EpubNav(uid="nav", file_name="nav.xhtml")
    nav.add_link(href="style/book.css", rel="stylesheet", type="text/css")
    ebook.add_item(nav)
    ebook.spine = [cover_page, "nav", *[c for c, _ in chapters.values()], copyright_page]
    ebook.guide = [
        {"href": "cover.xhtml", "title": "表紙", "type": "cover"},
        {"href": "nav.xhtml", "title": "目次", "type": "toc"},
        {"href": next(iter(chapters.values()))[0].file_name, "title": "本文", "type": "bodymatter"},
        {"href": "copyright.xhtml", "title": "著作権", "type": "copyright-page"},
    ]
    modified = dt.datetime.fromtimestamp(context.epoch, dt.timezone.utc)
    epub.write_epub(str(out_path), ebook, {"mtime": modified, "epub2_guide": False, "epub3_pages": False,
                                          "landmark_title": "ランドマーク", "toc_title": "目次"})
    repack_reproducibly(out_path, modified)


def set_metadata(ebook, book, articles, context) -> None:
    ebook.set_identifier(book_identifier(book))
    ebook.set_title(book.title)
    ebook.set_language(book.language)
    if book.author:
        ebook.add_author(book.author)
    if book.license:
        ebook.add_metadata("DC", "rights", f"{book.license.short} — {book.license.url}")
    source = book.source_url_for(articles[0].slug) if book.source_url and articles else ""
    if source:
        ebook.add_metadata("DC", "source", source)
    ebook.add_metadata("DC", "date", dt.datetime.fromtimestamp(context.epoch, dt.timezone.utc).strftime("%Y-%m-%d"))
    for prop, value in accessibility(articles):
        ebook.add_metadata(None, "meta", value, {"property": prop})


def accessibility(articles) -> list[tuple[str, str]]:
    """schema.org accessibility metadata that is true of this book (nothing claimed blindly)."""
    modes = [("schema:accessMode", "textual")]
    features = ["structuralNavigation", "tableOfContents", "readingOrder"]
    has_math = any("math" in (a.markdown or "") or "$" in (a.markdown or "") for a in articles)
    has_images = any(("![" in (a.markdown or "")) or ("```mermaid" in (a.body or "")) for a in articles)
    if has_math:
        features.append("MathML")
    if has_images:
        modes.append(("schema:accessMode", "visual"))
    summary = ("Text with headings, a table of contents and reading order; math as MathML. "
               "Diagrams carry their Mermaid source as alternative text; photographs and "
               "screenshots carry only the alt text their authors wrote, which may be empty.")
    return [*modes, *[("schema:accessibilityFeature", f) for f in features],
            ("schema:accessibilityHazard", "none"), ("schema:accessModeSufficient", "textual"),
            ("schema:accessibilitySummary", summary)]


def make_page(ebook, uid, file_name, title, template, css, **values):
    page = epub.EpubHtml(uid=uid, file_name=file_name, title=title, lang=values["book"].language)
    page.content = html_environment().get_template(template).render(title=title, **values)
    page.add_item(css)
    ebook.add_item(page)
    return page


def make_chapters(ebook, book, articles, assets, css) -> dict:
    rendered = {}
    id_files: dict[str, str] = {}
    for index, article in enumerate(articles, start=1):
        file_name = f"chapter-{index:03d}.xhtml"
        markup = body_markup(to_xhtml_body(article_html(article, assets.url, f"{article.slug}--")))
        rendered[article.slug] = (article, file_name, markup)
        id_files.update({i: file_name for i in collect_ids(markup)})
    chapters = {}
    for slug, (article, file_name, markup) in rendered.items():
        page = epub.EpubHtml(uid=f"ch-{slug}", file_name=file_name, title=article.title,
                             lang=article.lang or book.language)
        page.content = html_environment().get_template("epub/chapter.xhtml.j2").render(
            book=book, article=article, body=link_chapters(markup, id_files, file_name),
            attribution=attribution(book, article))
        if "<math" in markup:
            page.properties.append("mathml")
        if "<svg" in markup:
            page.properties.append("svg")
        page.add_item(css)
        ebook.add_item(page)
        chapters[slug] = (page, article)
    return chapters


def table_of_contents(book, chapters: dict, copyright_page) -> list:
    toc = []
    for part in book.parts:
        links = [epub.Link(chapters[s][0].file_name, chapters[s][1].title, f"toc-{s}")
                 for s in part.chapters if s in chapters]
        if part.title and links:
            toc.append((epub.Section(part.title, links[0].href), links))
        else:
            toc.extend(links)
    toc.append(epub.Link(copyright_page.file_name, "著作権・ライセンス", "toc-copyright"))
    return toc


def repack_reproducibly(path: Path, when: dt.datetime) -> None:
    """Same sources, same bytes: fixed timestamps and order in the zip (mimetype first, stored)."""
    stamp = max(when, dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc)).timetuple()[:6]
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    temporary = path.with_suffix(".repack")
    with zipfile.ZipFile(temporary, "w") as target:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, data)
    temporary.replace(path)
