"""Bare `http(s)://` URLs in text become links, exactly where Zenn's linkify finds them:
not `www.` alone, not e-mail addresses, not inside a link or an image description. The text
stage kept each such URL as one run of text; this filter uses the same matcher on it."""
from __future__ import annotations

import panflute as pf
from markdown_it.common.normalize_url import normalizeLink

from zennbook.zenn.urls import match_url, starts_url

from ._text import inside


def linkify(elem, doc):
    if not isinstance(elem, pf.Str) or "://" not in elem.text:
        return None
    if inside(elem, (pf.Link, pf.Image)):
        return None
    pieces = split_urls(elem.text)
    if all(not is_url for _, is_url in pieces):
        return None
    return [pf.Link(pf.Str(text), url=normalizeLink(text)) if is_url else pf.Str(text)
            for text, is_url in pieces]


def split_urls(text: str) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is_url) in order."""
    pieces, plain_start, pos = [], 0, 0
    while pos < len(text):
        url = match_url(text, pos) if starts_url(text, pos) else None
        if url is None:
            pos += 1
            continue
        if pos > plain_start:
            pieces.append((text[plain_start:pos], False))
        pieces.append((url, True))
        pos = plain_start = pos + len(url)
    if plain_start < len(text):
        pieces.append((text[plain_start:], False))
    return pieces
