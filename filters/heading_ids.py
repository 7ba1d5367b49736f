r"""Heading ids as Zenn makes them (markdown-it-anchor's default slug) and internal links
that find them.

h1-h4 get `trim().toLowerCase().replace(/\s+/g, '-')` of their text (text and code only),
made unique with `-1`, `-2`, ... in document order; h5/h6 get none, as on Zenn. Zenn then
percent-encodes the id; we keep it readable and percent-decode `#...` links instead, so
`[x](#%E8%A6%8B)` and `[x](#見)` both reach the heading `見`.
"""
from __future__ import annotations

import re
from urllib.parse import unquote

import panflute as pf

from zennbook.filtering import walk

MAX_LEVEL = 4
_CONTAINERS = (pf.Emph, pf.Strong, pf.Link, pf.Span, pf.Strikeout, pf.Underline,
               pf.SmallCaps, pf.Quoted, pf.Superscript, pf.Subscript, pf.Cite)


def heading_ids(elem, doc):
    if not isinstance(elem, pf.Doc):
        return None
    taken: set[str] = set()
    for header in _headers(elem):
        header.identifier = unique(slug(anchor_text(header.content)), taken) \
            if header.level <= MAX_LEVEL else ""
    walk(elem, _decode_link, elem)
    return None


def slug(text: str) -> str:
    return re.sub(r"\s+", "-", text.strip().lower())


def unique(candidate: str, taken: set[str]) -> str:
    found, n = candidate, 1
    while found in taken:
        found, n = f"{candidate}-{n}", n + 1
    taken.add(found)
    return found


def anchor_text(inlines) -> str:
    """The text markdown-it-anchor slugs: text and inline code; not math, images, notes."""
    parts = []
    for item in inlines:
        if isinstance(item, pf.Str):
            parts.append(item.text)
        elif isinstance(item, pf.Space):
            parts.append(" ")
        elif isinstance(item, pf.Code):
            parts.append(item.text)
        elif isinstance(item, _CONTAINERS):
            parts.append(anchor_text(item.content))
    return "".join(parts)


def _headers(doc: pf.Doc) -> list[pf.Header]:
    found: list[pf.Header] = []
    walk(doc, lambda e, d: found.append(e) if isinstance(e, pf.Header) else None, doc)
    return found


def _decode_link(elem, doc):
    if isinstance(elem, pf.Link) and elem.url.startswith("#"):
        elem.url = "#" + unquote(elem.url[1:])
    return None
