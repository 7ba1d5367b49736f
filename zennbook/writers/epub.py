"""EPUB 3 assembled with ebooklib from our own per-article XHTML.

    article -> htmlrender's HTML fragment -> lxml (HTML parser) -> XHTML fix-ups
        (EPUB 3 footnotes, open details, math alttext, remote images, attributes)
    -> namespaced XHTML inside templates/epub/chapter.xhtml.j2 -> links resolved across
    chapters -> ebooklib (OPF, NCX, zip) -> zip repacked with fixed times and order.

Everything up to the finished chapter document is per article and cached (see
chapter_work): a rebuild after one article changed runs pandoc for that article only.

ebooklib re-parses EpubHtml content with an HTML parser, which loses MathML and epub:type
namespaces; our documents are finished XHTML, so XhtmlDocument hands ebooklib the bytes.
Assets (images, diagrams) are added once each, named by content hash; SVG is cleaned to
what EPUBCheck's SVG 1.1 schema accepts, images of non-core types become PNG.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import uuid
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import lxml.html
from ebooklib import epub
from lxml import etree

from .. import images
from ..cache import sha256
from ..diagnostics import Code, Diagnostic, Diagnostics
from ..safety.markup import CHECKED_ELEMENTS, URL_ATTRIBUTES, data_name, valid_on
from ..safety.svg import EMPTY_SVG, SvgError, svg_for_epub
from ..safety.urls import link_target, safe_href
from .common import article_named, article_patterns, attribution, fragment_key, id_slug
from .cover import render_cover
from .htmlrender import article_html
from .templating import html_environment, template_path

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
EPUB_TYPE = f"{{{EPUB_NS}}}type"
PENDING_EPUB_TYPE = "data-epub-type"   # epub:type while the tree is still un-namespaced HTML
X = {"x": XHTML_NS, "epub": EPUB_NS, "m": MATHML_NS}
DOCTYPE = "<!DOCTYPE html>"
CSS_HREF = "style/book.css"
FONT_DIR = "fonts"
PANDOC_JOBS = min(4, os.cpu_count() or 1)   # pandoc runs per article, in parallel


# -- the book -----------------------------------------------------------------------------

@dataclass
class Chapter:
    article: object
    file_name: str
    root: etree._Element           # the finished XHTML document
    ids: set[str] = field(default_factory=set)


def write_epub(book, articles, out_path: Path, context, embed_fonts: bool | None = None) -> None:
    """The book as one EPUB 3 at `out_path`; byte-identical for the same sources and epoch."""
    modified = build_time(context.epoch)
    ebook = epub.EpubBook()
    assets = EpubAssets()
    chapters = make_chapters(book, articles, assets, context.diagnostics, context)
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
    set_metadata(ebook, book, articles, book_facts(chapters))
    epub.write_epub(str(out_path), ebook, {"mtime": modified, "epub2_guide": False, "epub3_pages": False,
                                          "epub3_landmark": False, "spine_direction": False})
    repack_reproducibly(out_path, modified)


def build_time(epoch: int) -> dt.datetime:
    """The build's date (SOURCE_DATE_EPOCH when set): dcterms:modified and the zip's times."""
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).replace(microsecond=0)


def book_identifier(book) -> str:
    """Stable per book and version: a UUID derived from the slug and version."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'zennbook:{book.slug}:{book.version}')}"


class XhtmlDocument(epub.EpubHtml):
    """A finished XHTML document. ebooklib writes its bytes as they are, no re-parsing."""

    def __init__(self, uid: str, file_name: str, title: str, root: etree._Element):
        super().__init__(uid=uid, file_name=file_name, title=title)
        self.root = root
        self.content = serialize(root)
        self.properties = document_properties(root)

    def get_content(self, default=None) -> bytes:
        return self.content


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="utf-8", doctype=DOCTYPE)


def document_properties(root: etree._Element) -> list[str]:
    """The manifest properties EPUB 3 requires of a document using MathML or inline SVG."""
    found = []
    if root.find(f".//{{{MATHML_NS}}}math") is not None:
        found.append("mathml")
    if root.find(f".//{{{SVG_NS}}}svg") is not None:
        found.append("svg")
    return found


def render_document(template: str, **values) -> etree._Element:
    """A Jinja2 template rendered and parsed as XML: a template that is not XHTML fails here."""
    text = html_environment().get_template(template).render(css=CSS_HREF, **values)
    return etree.fromstring(text.encode("utf-8"), etree.XMLParser(remove_blank_text=False))


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
class BookFacts:
    """What the finished documents contain: the ground for the accessibility metadata."""
    images: int
    images_with_alt: int
    math: int
    diagrams: int


def book_facts(chapters: list[Chapter]) -> BookFacts:
    images = [img for c in chapters for img in c.root.iter(f"{{{XHTML_NS}}}img")]
    return BookFacts(
        images=len(images),
        images_with_alt=sum(1 for img in images if img.get("alt", "").strip()),
        math=sum(1 for c in chapters for _ in c.root.iter(f"{{{MATHML_NS}}}math")),
        diagrams=sum(len(c.root.xpath('//x:figure[contains(@class, "diagram")]', namespaces=X))
                     for c in chapters))


def set_metadata(ebook, book, articles, facts: BookFacts) -> None:
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


def accessibility(facts: BookFacts) -> list[tuple[str, str]]:
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
    sufficient = ["textual,visual", *(["textual"] if all_alt else [])]
    return [("schema:accessMode", "textual"), ("schema:accessMode", "visual"),
            *[("schema:accessModeSufficient", s) for s in sufficient],
            *[("schema:accessibilityFeature", f) for f in features],
            ("schema:accessibilityHazard", "none"),
            ("schema:accessibilitySummary", accessibility_summary(facts))]


def accessibility_summary(facts: BookFacts) -> str:
    parts = ["Reflowable text with headings, a table of contents and a reading order."]
    if facts.math:
        parts.append(f"{facts.math} math expressions in MathML, each with its TeX source as alttext "
                     "and annotation.")
    if facts.images:
        missing = facts.images - facts.images_with_alt
        text = "all with alternative text" if not missing else f"{missing} without alternative text"
        parts.append(f"{facts.images} images ({facts.diagrams} diagrams whose alternative text is "
                     f"their Mermaid source), {text}.")
    parts.append("No sound, flashing or animation.")
    return " ".join(parts)


# -- chapters -----------------------------------------------------------------------------

def make_chapters(book, articles, assets, diagnostics, context=None) -> list[Chapter]:
    """Each article's XHTML document; pandoc runs for several articles at once. With a
    build `context` that has a cache, a chapter whose inputs are unchanged comes from it."""
    with ThreadPoolExecutor(max_workers=PANDOC_JOBS) as pool:
        works = list(pool.map(lambda a: chapter_work(book, a, assets, context), articles))
    chapters = []
    for index, (article, work) in enumerate(zip(articles, works), start=1):
        diagnostics.extend(Diagnostic.from_json(item) for item in work["diagnostics"])
        root = etree.fromstring(work["xhtml"].encode("utf-8"), etree.XMLParser(huge_tree=True))
        chapters.append(Chapter(article, f"chapter-{index:03d}.xhtml", root, set(root.xpath("//@id"))))
    return chapters


# -- the chapter cache ----------------------------------------------------------------------
# A chapter's work (pandoc's HTML writer, the XHTML fix-ups, the template) depends on its
# article, the files it embeds, our code (fragment_key) and the few book settings the
# chapter template reads (chapter_key). It does not depend on the chapter's place in the
# book: the file name is given after the cache, and links between chapters are resolved
# after it too, on the parsed documents. An entry is JSON: the XHTML as text, the asset
# files the document refers to (path and name in the EPUB), the diagnostics the work
# emitted. Cached or not, the chapter is the parsed text, so both give the same bytes.

CHAPTER_CACHE = "epub-chapter-1"


def chapter_key(book, article) -> str | None:
    """The cache key of a chapter's work; None: do not cache."""
    base = fragment_key(article, CHAPTER_CACHE)
    if base is None:
        return None
    credit = attribution(book, article)
    return sha256(base, article.slug, article.title, article.emoji, article.lang, book.language,
                  book.license.short if book.license else "\0", credit.title, credit.author, credit.url)


def chapter_work(book, article, assets, context) -> dict:
    """The chapter's work from the cache (its assets registered again), else done and stored."""
    cache = getattr(context, "cache", None)
    key = chapter_key(book, article) if cache is not None else None
    if key is not None:
        work = cache.get(CHAPTER_CACHE, key)
        if work is not None and assets.reuse(work["assets"]):
            return work
    work = render_chapter(book, article, assets)
    if key is not None:
        cache.put(CHAPTER_CACHE, key, work)
    return work


def render_chapter(book, article, assets) -> dict:
    """article -> htmlrender's fragment -> XHTML fix-ups -> the chapter template, as JSON data."""
    used: dict[str, str] = {}

    def asset_url(path: Path) -> str:
        name = assets.url(path)
        used[str(Path(path).resolve())] = name
        return name
    fragment = article_html(article, asset_url, id_prefix(article))
    notes = Diagnostics()
    root = render_document("epub/chapter.xhtml.j2", book=book, article=article,
                           attribution=attribution(book, article))
    slot = root.find(".//x:div[@class='chapter-body']", namespaces=X)
    copy_children(chapter_html(fragment, article, notes), slot)
    return {"xhtml": serialize(root).decode("utf-8"),
            "assets": [[path, name] for path, name in sorted(used.items())],
            "diagnostics": [d.to_json() for d in notes.items]}


def id_prefix(article) -> str:
    return f"{id_slug(article.slug)}--"


def chapter_html(fragment: str, article, diagnostics):
    """htmlrender's fragment, parsed, with the EPUB-only changes made."""
    html = lxml.html.fragment_fromstring(fragment or "<p></p>", create_parent="div")
    for fix in HTML_FIXES:
        fix(html)
    remote_images(html, article, diagnostics)
    return html


def epub_footnotes(html) -> None:
    """pandoc's endnote list becomes one <aside epub:type="footnote"> per note (readers pop
    them up), numbered at the start; note references get epub:type="noteref"."""
    for ref in html.xpath('//a[contains(@class, "footnote-ref")]'):
        ref.set(PENDING_EPUB_TYPE, "noteref")
    for section in html.xpath('//section[contains(@class, "footnotes")]'):
        section.set(PENDING_EPUB_TYPE, "footnotes")
        for rule in section.findall("hr"):
            section.remove(rule)
        for ol in section.findall("ol"):
            notes = [footnote_aside(li, n) for n, li in enumerate(ol.findall("li"), start=1)]
            replace_with(ol, [footnotes_title(), *notes])


def footnotes_title():
    title = lxml.html.Element("p", {"class": "footnotes-title"})
    title.text, title.tail = "脚注", "\n"
    return title


def footnote_aside(li, number: int):
    aside = lxml.html.Element("aside", {"id": li.get("id", ""), "class": "footnote", "role": "doc-footnote"})
    aside.set(PENDING_EPUB_TYPE, "footnote")
    back = li.xpath('.//a[contains(@class, "footnote-back")]')
    target = back[0].get("href", "") if back else ""
    for link in back:
        remove_keeping_tail(link)
    aside.extend(list(li))
    aside.text = li.text
    mark = lxml.html.Element("a", {"class": "footnote-number", "role": "doc-backlink", "href": target}) \
        if target else lxml.html.Element("span", {"class": "footnote-number"})
    mark.text = f"{number}"
    first = aside[0] if len(aside) and aside[0].tag == "p" else aside
    mark.tail = " " + (first.text or "")
    first.text = None
    first.insert(0, mark)
    aside.tail = "\n"
    return aside


def open_details(html) -> None:
    """Readers cannot always open a <details>; in the book its content is shown."""
    for details in html.iter("details"):
        details.set("open", "open")


def math_alttext(html) -> None:
    """The TeX source, already kept as annotation by pandoc, also as <math alttext>."""
    for math in html.iter("math"):
        tex = math.xpath('.//annotation[@encoding="application/x-tex"]/text()')
        if tex:
            math.set("alttext", " ".join(tex[0].split()))


def drop_source_lines(html) -> None:
    """The source line numbers the filters keep for diagnostics mean nothing to a reader."""
    for elem in html.xpath("//*[@data-line]"):
        del elem.attrib["data-line"]


def image_alt(html) -> None:
    """<img> requires alt in XHTML; an image without a description gets an empty one."""
    for img in html.iter("img"):
        if img.get("alt") is None:
            img.set("alt", "")


def task_checkboxes(html) -> None:
    """A task list's checkboxes as the characters pandoc reads them as (☒ done, ☐ open):
    a reader cannot keep a ticked box, and not every reader draws form controls."""
    for box in html.xpath('//input[@type="checkbox"]'):
        done = box.get("checked") is not None
        mark = lxml.html.Element("span", {"class": "task-box done" if done else "task-box"})
        mark.text = "☒" if done else "☐"
        mark.tail = " " + (box.tail or "")
        box.getparent().replace(box, mark)
        item = mark.getparent().getparent() if mark.getparent().tag == "label" else mark.getparent()
        if item.getparent() is not None:
            item.getparent().set("class", "task-list")


def attribute_hygiene(html) -> None:
    """pandoc writes a Span's or Div's attributes as they are; an HTML attribute that is not
    valid on that element (a placeholder's `src` on a span) is kept as data-* instead, and a
    URL-valued one the URL policy refuses is dropped (an <a> then keeps only its text)."""
    for elem in html.iter(*CHECKED_ELEMENTS):
        for name in list(elem.attrib):
            if not valid_on(elem.tag, name):
                elem.set(data_name(name), elem.attrib.pop(name))
            elif name in URL_ATTRIBUTES and name != "src" and safe_href(elem.get(name)) is None:
                del elem.attrib[name]


HTML_FIXES = (drop_source_lines, epub_footnotes, open_details, math_alttext, image_alt, task_checkboxes,
              attribute_hygiene)


def remote_images(html, article, diagnostics) -> None:
    """EPUB readers may not fetch images from the network: a remote image is a link (when
    the URL policy allows one), else its description alone."""
    for img in list(html.iter("img")):
        src = img.get("src", "")
        if not re.match(r"^[a-z][a-z0-9+.-]*:|^[/\\]{2}", src, re.I):
            continue
        href = safe_href(src)
        link = lxml.html.Element("a", {"class": "image-remote", "href": href}) if href else \
            lxml.html.Element("span", {"class": "image-remote"})
        link.text = img.get("alt") or src
        link.tail = img.tail
        img.getparent().replace(img, link)
        diagnostics.warning(Code.EPUB_REMOTE_IMAGE, f"image {src[:200]} is not in the EPUB (no network at "
                            "build time); shown as a link", article.label, source_line(article, src))


def source_line(article, needle: str) -> int | None:
    """The source line of the first body line containing `needle` (for a diagnostic)."""
    for index, line in enumerate(article.body.split("\n")):
        if needle in line:
            return article.body_lines[index] if index < len(article.body_lines) else None
    return None


def replace_with(elem, replacements: list) -> None:
    parent = elem.getparent()
    position = parent.index(elem)
    for offset, item in enumerate(replacements):
        parent.insert(position + offset, item)
    parent.remove(elem)


def remove_keeping_tail(elem) -> None:
    parent = elem.getparent()
    previous = elem.getprevious()
    if elem.tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + elem.tail
        else:
            parent.text = (parent.text or "") + elem.tail
    parent.remove(elem)


def copy_children(html, target: etree._Element) -> None:
    """The HTML tree's children into `target`, as namespaced XHTML (MathML in its namespace,
    which pandoc declares on each <math>): serialized as XML and parsed back, in C."""
    html.set("xmlns", XHTML_NS)
    container = etree.fromstring(etree.tostring(html, encoding="unicode", method="xml"))
    etree.strip_tags(container, etree.Comment)
    target.text = container.text if (container.text or "").strip() else None
    target.extend(list(container))
    for elem in target.xpath(f"//*[@{PENDING_EPUB_TYPE}]"):
        elem.set(EPUB_TYPE, elem.attrib.pop(PENDING_EPUB_TYPE))


# -- links --------------------------------------------------------------------------------

def resolve_links(chapters: list[Chapter], book, diagnostics) -> None:
    """Every <a href> of every chapter: kept, pointed at another chapter's file, or, when it
    leads nowhere inside the book and is not a URL the policy allows, turned into text (with
    a warning)."""
    id_files = {i: c.file_name for c in chapters for i in c.ids}
    slug_files = {c.article.slug: c.file_name for c in chapters}
    patterns = article_patterns(book)
    for chapter in chapters:
        for link in chapter.root.xpath("//x:a[@href]", namespaces=X):
            href = link.get("href")
            target = resolve_href(href, chapter, id_files, slug_files, patterns)
            if target is None:
                unlink(link)
                written = href.replace(f"#{id_prefix(chapter.article)}", "#", 1)   # as in the source
                line = source_line(chapter.article, f"({written}")
                diagnostics.warning(Code.EPUB_LINK, f"link to {written[:200]!r} leads nowhere in the book; "
                                    "kept as text", chapter.article.label, line)
            elif target != href:
                link.set("href", target)


def resolve_href(href: str, chapter: Chapter, id_files: dict, slug_files: dict, patterns) -> str | None:
    if href.startswith("#"):
        target = unquote(href[1:])
        if target in chapter.ids:
            return href
        return f"{id_files[target]}#{target}" if target in id_files else None
    named = article_named(href, patterns, slug_files)
    if named is not None:
        return chapter_href(*named, slug_files, id_files)
    target = link_target(href)
    return target.url if target is not None and target.kind in ("web", "mail") else None


def chapter_href(slug: str, fragment: str | None, slug_files: dict, id_files: dict) -> str:
    target = f"{id_slug(slug)}--{unquote(fragment)}" if fragment else ""
    if target and id_files.get(target) == slug_files[slug]:
        return f"{slug_files[slug]}#{target}"
    return slug_files[slug]


def unlink(link: etree._Element) -> None:
    """An <a> that leads nowhere becomes a <span> with its text (the target kept as data)."""
    href = link.attrib.pop("href")
    link.tag = f"{{{XHTML_NS}}}span"
    link.set("class", " ".join(filter(None, [link.get("class"), "link-unresolved"])))
    link.set("data-href", href)
    for name in ("role", "rel", "hreflang", "type", "target", "download"):
        link.attrib.pop(name, None)


# -- assets -------------------------------------------------------------------------------

CORE_IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
                    ".jpeg": "image/jpeg", ".gif": "image/gif"}


class EpubAssets:
    """Files the chapters reference (images, diagrams), each stored once, named by content
    hash. SVG is cleaned for EPUB; other image types are converted to PNG. Thread-safe (the
    chapters are rendered in parallel); added to the book sorted by name, so the manifest's
    order does not depend on which thread came first."""

    def __init__(self):
        self.names: dict[Path, str] = {}
        self.files: dict[str, bytes] = {}
        self.lock = threading.Lock()

    def url(self, path: Path) -> str:
        path = Path(path).resolve()
        with self.lock:
            if path not in self.names:
                data, suffix = epub_image(images.read_or_broken(path))
                self.names[path] = self.add(data, suffix)
            return self.names[path]

    def reuse(self, recorded: list) -> bool:
        """A cached chapter's assets ([path, name] pairs), registered again: True when every
        file still gives the name the chapter's document uses. Otherwise nothing is added."""
        found = {}
        for given, name in recorded:
            path = Path(given)
            with self.lock:
                known = self.names.get(path)
            if known is None:
                try:
                    data, suffix = epub_image(images.read_image(path))
                except images.ImageInvalid:        # the chapter is made afresh, which reports it
                    return False
                known = self.name_for(data, suffix)
                found[path] = (known, data)
            if known != name:
                return False
        with self.lock:
            for path, (name, data) in found.items():
                self.names.setdefault(path, name)
                self.files[name] = data
        return True

    @staticmethod
    def name_for(data: bytes, suffix: str, folder: str = "assets") -> str:
        return f"{folder}/{hashlib.sha256(data).hexdigest()[:16]}{suffix}"

    def add(self, data: bytes, suffix: str, folder: str = "assets") -> str:
        name = self.name_for(data, suffix, folder)
        self.files[name] = data
        return name

    def add_to(self, ebook: epub.EpubBook) -> None:
        for name in sorted(self.files):
            suffix = Path(name).suffix
            ebook.add_item(epub.EpubItem(uid=name.replace("/", "-").replace(".", "-"), file_name=name,
                                         media_type=CORE_IMAGE_TYPES.get(suffix) or FONT_TYPES[suffix],
                                         content=self.files[name]))


def epub_image(data: bytes) -> tuple[bytes, str]:
    """An image as EPUB carries it, by its content: SVG sanitized and reduced to SVG 1.1,
    PNG, JPEG and GIF as they are, others as PNG."""
    try:
        data, suffix = images.for_epub(data)
    except images.ImageInvalid:
        data, suffix = images.BROKEN_PNG, ".png"
    return (clean_svg(data), suffix) if suffix == ".svg" else (data, suffix)


# -- SVG for EPUB -------------------------------------------------------------------------

def clean_svg(data: bytes) -> bytes:
    """An SVG reduced to drawing (the safety policy) that EPUBCheck's SVG 1.1 schema accepts;
    an empty one for an SVG that cannot be made safe (the images filter reported it)."""
    try:
        return svg_for_epub(data)
    except SvgError:
        return svg_for_epub(EMPTY_SVG)


# -- style and fonts ----------------------------------------------------------------------

FONT_TYPES = {".otf": "font/otf", ".ttf": "font/ttf", ".woff": "font/woff", ".woff2": "font/woff2"}


def wants_fonts(book, embed_fonts: bool | None) -> bool:
    """Fonts are not embedded unless asked: the argument, else book.yaml's `epub.embed_fonts`."""
    if embed_fonts is not None:
        return embed_fonts
    return bool(getattr(getattr(book, "epub", None), "embed_fonts", False))


def stylesheet(documents: list[XhtmlDocument], assets: EpubAssets, embed: bool) -> epub.EpubItem:
    css = template_path("epub/book.css").read_text(encoding="utf-8")
    if embed:
        css = font_faces("".join(t for d in documents for t in d.root.itertext()), assets) + css
    return epub.EpubItem(uid="style", file_name=CSS_HREF, media_type="text/css", content=css.encode("utf-8"))


EMBEDDED_FONTS = (("ZennbookSans", "Noto Sans CJK JP", "normal"),
                  ("ZennbookSans", "Noto Sans CJK JP:style=Bold", "bold"),
                  ("ZennbookMono", "Noto Sans Mono CJK JP", "normal"))


def font_faces(text: str, assets: EpubAssets) -> str:
    """@font-face rules for subsets (only the characters of `text`, every document's text) of
    the system's Noto CJK fonts, which the stylesheet then names first."""
    from .cover import font_file
    rules = []
    for family, pattern, weight in EMBEDDED_FONTS:
        found = font_file(pattern)
        if found is None:
            continue
        name = assets.add(subset_font(found[0], found[1], text), ".otf", folder=FONT_DIR)
        rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
                     f'src: url("../{name}"); }}\n')
    return "".join(rules) + fallback_faces(text, assets)


FALLBACK_FAMILIES = {"sans": "ZennbookSans", "mono": "ZennbookMono"}


def fallback_faces(text: str, assets: EpubAssets) -> str:
    """@font-face rules for what Noto CJK lacks: the PDF's chains (writers/fontchains.py),
    each font cut to the characters it supplies and named, by unicode-range, for just those."""
    from .fontchains import Usage, font_at, plan_fonts
    from .fonts import FACES, find_face
    faces = {role: find_face(*FACES[role]) for role in ("serif", "sans", "mono")}
    installed = {role: font_at(face.path, face.index) for role, face in faces.items() if face}
    if len(installed) < 3 or not all(installed.values()):
        return ""
    usage = Usage()
    usage.add(text)
    plan, rules = plan_fonts(usage, installed), []
    for chain, family in FALLBACK_FAMILIES.items():
        for font, chars in plan.chains[chain].fonts:
            suffix = ".otf" if font.path.suffix.lower() in (".otf", ".ttc", ".otc") else ".ttf"
            name = assets.add(subset_font(str(font.path), font.index, "".join(chars)), suffix, folder=FONT_DIR)
            ranges = ",".join(f"U+{ord(c):X}" for c in sorted(chars))
            rules.append(f'@font-face {{ font-family: "{family}"; src: url("../{name}"); '
                         f'unicode-range: {ranges}; }}\n')
    return "".join(rules)


def subset_font(path: str, index: int, text: str) -> bytes:
    """An OpenType subset of one font of `path` (a .ttc holds several) with the glyphs of `text`."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    font = TTFont(path, fontNumber=index, lazy=False)
    options = subset.Options()           # fontTools' default OpenType features (horizontal text)
    options.name_IDs = ["*"]             # keep the copyright and license names (SIL OFL)
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text + "".join(chr(c) for c in range(0x20, 0x7F)))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out, reorderTables=True)
    return out.getvalue()


# -- the zip ------------------------------------------------------------------------------

def repack_reproducibly(path: Path, when: dt.datetime) -> None:
    """Same sources, same bytes: fixed timestamps and order in the zip (mimetype first, stored)."""
    stamp = max(when, dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc)).timetuple()[:6]
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info.filename)) for info in source.infolist()]
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
