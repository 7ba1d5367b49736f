"""The finished XHTML documents of the EPUB: namespaces, the chapter record, the
document ebooklib writes as it is, and small lxml moves shared by the fix-ups."""
from __future__ import annotations

from dataclasses import dataclass, field

from ebooklib import epub
from lxml import etree

from ..templating import html_environment

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


@dataclass
class Chapter:
    article: object
    file_name: str
    root: etree._Element           # the finished XHTML document
    ids: set[str] = field(default_factory=set)


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
