"""The preview's page held as pieces: each chapter's `<article>`, the table of contents'
list, and the text between them. A save replaces its chapter's piece (and the contents'
list when a title changed); the page a browser asks for is the pieces joined. So no save
runs the template over the whole book, and none re-encodes it.

The pieces are cut from the HTML writer's own page, found rather than parsed (the page is
megabytes): an article cannot close its `<article>` early, its raw HTML is shown as text.
"""
from __future__ import annotations

from .overlay import inject_overlay, overlay_head, overlay_tail

CHAPTER_OPEN, CHAPTER_CLOSE = '<article class="chapter" id="{}"', "</article>"
TOC = "toc"                                   # the contents' list, swapped like a chapter
TOC_OPEN, TOC_CLOSE = '<ol class="toc-parts">', "</ol>\n</nav>"


def cut(html: str, ids: list[str]) -> dict[str, str]:
    """The pieces named `ids` (chapter ids, or TOC) found in `html`; what is not found is left out."""
    found = {}
    for name in ids:
        start, end = span(html, name)
        if start >= 0:
            found[name] = html[start:end]
    return found


def span(html: str, name: str) -> tuple[int, int]:
    opening, closing = (TOC_OPEN, TOC_CLOSE) if name == TOC else (CHAPTER_OPEN.format(name), CHAPTER_CLOSE)
    start = html.find(opening)
    end = html.find(closing, start) if start >= 0 else -1
    if end < 0:
        return -1, -1
    # the contents' list ends at its own </ol>, before the </nav> that closes the panel
    return start, end + (len("</ol>") if name == TOC else len(closing))


class Pieces:
    def __init__(self, html: str = "", ids: list[str] = ()):
        """`html` cut at the pieces named `ids` (chapter ids and TOC)."""
        spans = sorted((span(html, name), name) for name in ids)
        self.parts: list[bytes] = []
        self.index: dict[str, int] = {}
        at = 0
        for (start, end), name in spans:
            if start < at:
                continue            # not found (-1), or inside a piece already cut
            self.parts.append(html[at:start].encode("utf-8"))
            self.index[name] = len(self.parts)
            self.parts.append(html[start:end].encode("utf-8"))
            at = end
        self.parts.append(html[at:].encode("utf-8"))
        self.joined: bytes | None = None
        self.joined_version = 0

    def get(self, name: str) -> bytes | None:
        return self.parts[self.index[name]] if name in self.index else None

    def replace(self, found: dict[str, str]) -> bool:
        """These pieces replaced; False (and nothing replaced) when one is not on the page."""
        if not all(name in self.index for name in found):
            return False
        for name, text in found.items():
            self.parts[self.index[name]] = text.encode("utf-8")
        self.joined = None
        return True

    def page(self, nonce: str, version: int) -> bytes:
        """The whole page with the preview's overlay; joined once per change."""
        if self.joined is None or self.joined_version != version:
            if len(self.parts) == 1:
                self.joined = inject_overlay(self.parts[0].decode("utf-8"), nonce, version).encode("utf-8")
            else:
                first, *middle, last = self.parts
                head = overlay_head(first.decode("utf-8"), version).encode("utf-8")
                tail = overlay_tail(last.decode("utf-8"), nonce).encode("utf-8")
                self.joined = b"".join([head, *middle, tail])
            self.joined_version = version
        return self.joined
