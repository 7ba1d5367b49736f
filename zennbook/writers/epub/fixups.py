"""The EPUB-only changes to pandoc's HTML of one chapter, one function each."""
from __future__ import annotations

import lxml.html

from ...safety.markup import CHECKED_ELEMENTS, URL_ATTRIBUTES, data_name, valid_on
from ...safety.urls import safe_href
from .xhtml import PENDING_EPUB_TYPE, remove_keeping_tail, replace_with


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
    """The source line numbers the filters keep for diagnostics mean nothing to a reader: the
    blocks' anchors go, and every `data-line` but a link's (links.resolve_links reads and drops it)."""
    for elem in html.xpath("//*[@data-line]"):
        if elem.tag == "a":
            continue
        if is_anchor_html(elem):
            elem.drop_tag()
        else:
            del elem.attrib["data-line"]


def is_anchor_html(elem) -> bool:
    """An empty span whose only attribute is `data-line` (provenance's anchor, as HTML)."""
    return elem.tag == "span" and list(elem.attrib) == ["data-line"] and not elem.text and not len(elem)


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
