"""Where an element of the tree came from: its source line, read from the element itself.

The Zenn stage gives every block its source line. Blocks pandoc gives attributes to (divs,
code, headings, figures) carry `data-line`; the others (paragraphs, list items' text, table
rows, quotes) start with an *anchor*: an empty Span whose only attribute is `data-line`
(`[]{data-line=N}` in the Markdown pandoc reads). `source_line(elem)` reads either, from the
element or its nearest ancestor, so no stage ever searches the article's text for a line.

A code block's rows have lines of their own: `code_line(block, row)` is the fence's line + 1
+ row, or, where the text stages did not keep one line per line after the fence (an indented
block, a formula shown as code, a line map with a gap), the row's line from the block's
`data-lines` list, which the Zenn stage writes only then. `text_line(block, index)` is the line
of the character at `index` of the block's text: a problem inside code is named at its own line.

Writers drop the anchors (`is_anchor`); the preview keeps them for click-to-scroll.
"""
from __future__ import annotations

import panflute as pf

DATA_LINE = "data-line"
DATA_LINES = "data-lines"      # a code block's rows' lines, when they are not the fence's + 1 + row
LINE_BREAKS = (pf.LineBreak, pf.SoftBreak)


def anchor_markdown(line: int) -> str:
    """The anchor as the Zenn stage writes it, in front of a block's first text."""
    return f"[]{{{DATA_LINE}={line}}}"


def anchor(line: int) -> pf.Span:
    """The anchor as it is in the tree, for a block a filter makes."""
    return pf.Span(attributes={DATA_LINE: str(line)})


def is_anchor(elem) -> bool:
    """An empty Span that only says where its block starts."""
    return (isinstance(elem, pf.Span) and not elem.content and not elem.identifier
            and not elem.classes and list(elem.attributes) == [DATA_LINE])


def without_anchors(inlines) -> list:
    """The inlines of a block as its text sees them: anchors left out."""
    return [item for item in inlines if not is_anchor(item)]


def source_line(elem: pf.Element | None) -> int | None:
    """The source line of `elem`, or of its nearest ancestor that knows one. Inside a
    paragraph, the line of the paragraph's line `elem` is on: Zenn makes every newline of a
    paragraph a line break, so line k of it is k lines after its anchor's."""
    target = elem
    while elem is not None:
        line = own_line(elem)
        if line is not None:
            if elem is not target and isinstance(elem, (pf.Para, pf.Plain)):
                line += breaks_before(elem, target)
            return line
        elem = elem.parent
    return None


def breaks_before(block, target) -> int:
    """How many line breaks of `block` come before `target` (0 if it is not in the block's text)."""
    count = 0

    def visit(items) -> bool:
        nonlocal count
        for item in items:
            if item is target:
                return True
            if isinstance(item, LINE_BREAKS):
                count += 1
            elif isinstance(item, pf.Inline) and not isinstance(item, pf.Note) \
                    and isinstance(getattr(item, "content", None), pf.ListContainer) and visit(item.content):
                return True
        return False
    return count if visit(block.content) else 0


def own_line(elem) -> int | None:
    """The line `elem` itself carries: its `data-line`, or the anchor at its start (for a
    table, a quote or a list: that of its first row or block)."""
    attributes = getattr(elem, "attributes", None)
    if attributes and DATA_LINE in attributes:
        return _number(attributes[DATA_LINE])
    if isinstance(elem, (pf.Para, pf.Plain)):
        return next((_number(item.attributes[DATA_LINE]) for item in elem.content if is_anchor(item)), None)
    first = first_part(elem)
    return own_line(first) if first is not None else None


def first_part(elem):
    """The child whose line is the start of `elem` (None for inlines and leaf blocks)."""
    if isinstance(elem, pf.Table):
        rows = [row for part in (elem.head, *elem.content) for row in part.content]
        return rows[0] if rows else None
    if isinstance(elem, (pf.TableHead, pf.TableBody, pf.TableRow, pf.TableCell, pf.BlockQuote,
                         pf.BulletList, pf.OrderedList, pf.ListItem, pf.Div, pf.Note)):
        return elem.content[0] if len(elem.content) else None
    return None


def code_line(block: pf.CodeBlock, row: int) -> int | None:
    """The source line of row `row` (0-based) of a code block's text."""
    runs = line_runs(block.attributes.get(DATA_LINES, ""))
    for first, last in runs:
        if row <= last - first:
            return first + row
        row -= last - first + 1
    if runs:                          # past the rows listed: the lines after the last
        return runs[-1][1] + 1 + row
    fence = own_line(block)
    return fence + 1 + row if fence is not None else source_line(block)


def text_line(block: pf.CodeBlock, index: int) -> int | None:
    """The source line of the character at `index` of a code block's text."""
    return code_line(block, block.text.count("\n", 0, max(index, 0)))


def rows_attribute(fence: int, rows: list[int]) -> str | None:
    """The `data-lines` value for a code block whose fence is on line `fence` and whose rows
    come from lines `rows`: None when they are the lines right after the fence, else runs of
    consecutive lines ("12-40,45")."""
    if rows == list(range(fence + 1, fence + 1 + len(rows))):
        return None
    runs: list[list[int]] = []
    for line in rows:
        if runs and line == runs[-1][1] + 1:
            runs[-1][1] = line
        else:
            runs.append([line, line])
    return ",".join(f"{a}-{b}" if b > a else str(a) for a, b in runs)


def line_runs(value: str) -> list[tuple[int, int]]:
    """The runs of lines (first, last) a `data-lines` value lists ([] if it is not one)."""
    runs = []
    for run in str(value).split(","):
        first, _, last = run.partition("-")
        last = last or first
        if not (first.isdigit() and last.isdigit() and int(first) <= int(last)):
            return []
        runs.append((int(first), int(last)))
    return runs


def _number(value: str) -> int | None:
    return int(value) if str(value).isdigit() else None
