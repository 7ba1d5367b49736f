"""Source lines: where each block of the article came from, for the log scanner's messages."""
from __future__ import annotations

import re
from dataclasses import dataclass

import panflute as pf

from ...filtering import walk

# -- source lines: where each block of the article came from ---------------------------------

@dataclass
class SourceLines:
    """An article's body lines, searched forward for the text of each block in turn."""
    lines: list[str]
    numbers: list[int]
    cursor: int = 0

    @classmethod
    def of(cls, article) -> "SourceLines":
        lines = article.body.split("\n")
        numbers = list(article.body_lines[:len(lines)])
        numbers += range(len(numbers) + 1, len(lines) + 1)
        return cls(lines, numbers)

    def seek(self, number: int) -> None:
        """Move to the body line of source line `number` (a block's own data-line)."""
        self.cursor = next((i for i, n in enumerate(self.numbers) if n >= number), self.cursor)

    def find(self, text: str) -> int | None:
        """The source line, at or after the cursor, holding the first words of `text` (or,
        for text without words, such as a formula, its first characters)."""
        words = [w[:10] for w in re.findall(r"[^\W_]{3,}", text)[:3]]
        start = re.sub(r"\s+", "", text)[:12]
        for probe, squash in [*((w, False) for w in words), (start, True)]:
            hit = next((i for i in range(self.cursor, len(self.lines)) if probe and
                        probe in (re.sub(r"\s+", "", self.lines[i]) if squash else self.lines[i])), None)
            if hit is not None:
                self.cursor = hit
                return self.numbers[hit]
        return None


MARKED_BLOCKS = (pf.Para, pf.Plain, pf.Header, pf.CodeBlock, pf.Div, pf.Table, pf.Figure,
                 pf.BulletList, pf.OrderedList, pf.LineBlock, pf.BlockQuote)


def assign_lines(doc: pf.Doc, source: SourceLines) -> dict[int, int]:
    """The source line of each block that gets a marker (by id), in document order."""
    lines = {}
    for elem in marked_blocks(doc.content):
        given = data_line(elem)
        if given and given.isdigit():
            source.seek(int(given))
            lines[id(elem)] = int(given)
        elif (found := source.find(probe_text(elem))) is not None:
            lines[id(elem)] = found
    return lines


def data_line(elem) -> str | None:
    """A block's own `data-line`, or for a paragraph that of its first image or equation."""
    if hasattr(elem, "attributes"):
        return elem.attributes.get("data-line")
    found = []
    if isinstance(elem, (pf.Para, pf.Plain)):
        walk(elem, lambda e, d: found.append(e.attributes["data-line"])
             if isinstance(e, (pf.Span, pf.Image)) and "data-line" in e.attributes else None)
    return found[0] if found else None


def probe_text(elem) -> str:
    """Text to look for in the source: a table's first rows, cell by cell (a table's text
    stringifies run together); TeX control words last (they are everywhere in math)."""
    if isinstance(elem, pf.Table):
        rows = [row for part in (elem.head, *elem.content) for row in part.content][:2]
        text = " ".join(pf.stringify(cell) for row in rows for cell in row.content)
    else:
        text = pf.stringify(elem)
    return re.sub(r"\\[A-Za-z]+", " ", text) + " " + text


def marked_blocks(blocks):
    """Blocks in document order; into Divs and quotes, not into lists, tables or notes."""
    for elem in blocks:
        if isinstance(elem, MARKED_BLOCKS):
            yield elem
        if isinstance(elem, (pf.Div, pf.BlockQuote)):
            yield from marked_blocks(elem.content)
