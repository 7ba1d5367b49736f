"""Source lines: the line each block of the article carries (see zennbook.provenance), for
the `%zb:line=N` markers that let the log scanner name the article line of a TeX line."""
from __future__ import annotations

import panflute as pf

from ...provenance import own_line

TOP_BLOCK = "%zb:top"       # before a marker whose block is the chapter's own, not inside another

MARKED_BLOCKS = (pf.Para, pf.Plain, pf.Header, pf.CodeBlock, pf.Div, pf.Table, pf.Figure,
                 pf.BulletList, pf.OrderedList, pf.LineBlock, pf.BlockQuote)


def assign_lines(doc: pf.Doc) -> dict[int, int]:
    """The source line of each block that gets a marker (by id), in document order."""
    lines = {}
    for elem in marked_blocks(doc.content):
        line = own_line(elem)
        if line is not None:
            lines[id(elem)] = line
    return lines


def marked_blocks(blocks, in_list: bool = False):
    """Blocks in document order; into Divs and quotes, not into tables or notes. Inside a
    list only code blocks: the log scanner counts a code line from its block's marker (a
    marker is a TeX comment, so `\\item` sets its label as before)."""
    for elem in blocks:
        if isinstance(elem, MARKED_BLOCKS) and (not in_list or isinstance(elem, pf.CodeBlock)):
            yield elem
        if isinstance(elem, (pf.Div, pf.BlockQuote)):
            yield from marked_blocks(elem.content, in_list)
        elif isinstance(elem, (pf.BulletList, pf.OrderedList)):
            for item in elem.content:
                yield from marked_blocks(item.content, True)


def code_rows(tex_lines: list[str]) -> list[int | None]:
    """Per line of a chapter's LaTeX, its row in its code block (0 for the first), or None
    outside code. Pandoc's Highlighting environment, and ours for plain code and diffs
    (render.py), hold one LaTeX line per code line; a code line can never start with a
    backslash there (it is escaped), though it may read like a `%zb:` marker."""
    rows, row = [], None
    for text in tex_lines:
        text = text.lstrip()
        if row is not None and text.startswith("\\end{Highlighting}"):
            row = None
        rows.append(row)
        if row is not None:
            row += 1
        elif text.startswith("\\begin{Highlighting}"):
            row = 0
    return rows
