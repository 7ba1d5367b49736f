"""Zenn's block tree (from `parser.py`) written out as pandoc Markdown, line by line.

Every block is written from its meaning, not copied: pandoc reads fenced divs, lists and
blank lines by its own rules, so the writer emits whatever makes pandoc see Zenn's
structure: blank lines around blocks, `> ` and indentation for quotes and list items, fenced
divs with attributes for containers, cards and embeds, attributes on code and math.
Each output line carries the source line it came from, and each block says it to pandoc
(`data-line`, or the anchor `paragraph` puts in front of a paragraph's text).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from markdown_it.tree import SyntaxTreeNode

from ..diagnostics import Code
from ..normalize.lines import Line
from ..provenance import anchor_markdown, rows_attribute
from . import embeds
from .fences import parse_info
from .inline import LINKS_PER_PART, InlineContext, Scanned, rewrite_inline
from .markup import attributes, block_start_safe, escape_text, fence_for
from .mathcheck import math_problem
from .parser import DEPTH_LIMITS, container_kind

_CONTAINERS = ("details", "message", "alert")
_COLON_LINE = re.compile(r"^[\s>]*(:{3,})\s*$")
_BR_LINE = re.compile(r"^\s*<br\s?/?>\s*$")
_TASK_MARKER = re.compile(r"^\[[ xX]\]\s+")
KIND_NAMES = {"list": "list", "quote": "quote", "box": "message or details box"}


def depth_limit_text() -> str:
    return (f"at most {DEPTH_LIMITS['list']} lists, {DEPTH_LIMITS['list+quote']} lists and quotes, "
            f"{DEPTH_LIMITS['box']} boxes, {DEPTH_LIMITS['all']} blocks in all")


@dataclass(frozen=True)
class Place:
    """Where a block sits: the kinds of its ancestors, innermost last, and list tightness."""
    kinds: tuple[str, ...] = ()
    tight: bool = False

    def inside(self, kind: str, tight: bool = False) -> "Place":
        return Place(self.kinds + (kind,), tight)

    @property
    def card_allowed(self) -> bool:
        """Zenn's rule: a root paragraph, or directly in details; never in a message."""
        return all(k in _CONTAINERS for k in self.kinds) and self.kinds[-1:] in ((), ("details",))


def join(parts: list[list[Line]], tight: bool = False) -> list[Line]:
    out: list[Line] = []
    for part in parts:
        if not part:
            continue
        if out and not tight:
            out.append(Line("", part[0].source))
        out.extend(part)
    return out


def prefixed(lines: list[Line], first: str, rest: str) -> list[Line]:
    out = []
    for k, line in enumerate(lines):
        prefix = first if k == 0 else rest
        out.append(Line(prefix + line.text if line.text else prefix.rstrip(), line.source))
    return out


class BlockWriter:
    """Writes one article. `src_of(i)` is the source line of input line index `i`."""

    def __init__(self, src_of: Callable[[int], int], context: InlineContext) -> None:
        self.src_of = src_of
        self.context = context
        self.reporter = context.reporter
        self.footnotes: list[list[Line]] = []
        self.note_bodies: dict[str, list[Line]] = {}   # label -> its blocks, first definition

    # -- sequences -----------------------------------------------------------------------
    def blocks(self, nodes: list[SyntaxTreeNode], place: Place) -> list[Line]:
        parts: list[list[Line]] = []
        previous = None
        for node in nodes:
            lines = self.block(node, place)
            if previous in ("bullet_list", "ordered_list") and node.type == previous and lines:
                parts.append([Line("<!-- -->", lines[0].source)])   # keep two lists apart
            parts.append(lines)
            previous = node.type if lines else previous
        return join(parts, place.tight)

    def block(self, node: SyntaxTreeNode, place: Place) -> list[Line]:
        writer = getattr(self, "write_" + node.type, None)
        if writer is None:
            raise ValueError(f"no writer for markdown-it block {node.type!r}")
        return writer(node, place)

    def scan(self, text: str, first: int, place: Place, table_cell: bool = False) -> Scanned:
        srcs = [self.src_of(first + k) for k in range(text.count("\n") + 1)]
        return rewrite_inline(text, srcs, self.context, table_cell, "footnote" in place.kinds)

    # -- paragraphs and headings ---------------------------------------------------------
    def write_paragraph(self, node: SyntaxTreeNode, place: Place) -> list[Line]:
        scanned = self.scan(node.children[0].content, node.map[0], place)
        if place.card_allowed and scanned.url_only:
            return self.split_cards(scanned)
        if scanned.parts:
            return self.split_paragraph(scanned, len(scanned.parts) + 1)
        return paragraph([line for line in scanned.lines if line.text.strip()])

    def split_paragraph(self, scanned: Scanned, count: int) -> list[Line]:
        """A paragraph of very many links as `count` paragraphs (pandoc's memory: see
        inline.LINKS_PER_PART), cut where the scanner found a space outside any link."""
        self.reporter.warn(Code.INPUT_TOO_LARGE, f"a paragraph of more than {LINKS_PER_PART} links "
                           f"is set as {count} paragraphs so that pandoc can read it; its text is kept",
                           scanned.lines[0].source)
        cuts = [0, *scanned.parts, len(scanned.lines)]
        parts = []
        for start, stop in zip(cuts, cuts[1:]):
            lines = [line for line in scanned.lines[start:stop] if line.text.strip()]
            if lines:
                lines[0] = Line(block_start_safe(lines[0].text), lines[0].source)
            parts.append(paragraph(lines))
        return join(parts)

    def split_cards(self, scanned: Scanned) -> list[Line]:
        """A URL alone on its line becomes a card or embed; the lines around stay text."""
        parts: list[list[Line]] = [[]]
        for k, line in enumerate(scanned.lines):
            url = scanned.url_only.get(k)
            if url is None:
                if line.text.strip():
                    parts[-1].append(line if parts[-1] or k == 0 else
                                     Line(block_start_safe(line.text), line.source))
                continue
            parts.extend([self.bare_url(url, line.source), []])
        # parts: text, then a card or embed and the text after it, in turn
        return join([paragraph(_drop_trailing_break(part)) if k % 2 == 0 else part
                     for k, part in enumerate(parts)])

    def bare_url(self, url: str, src: int) -> list[Line]:
        found = embeds.embed_from_bare_url(url)
        if isinstance(found, embeds.Rejected):
            self.reporter.warn(Code.ZENN_INVALID_EMBED,
                               f"'{url}' is not shown by Zenn ({found.message}); kept as a link", src)
            return paragraph([Line(escape_text(url), src)])
        return self.embed_div(found, src)

    def write_heading(self, node: SyntaxTreeNode, place: Place) -> list[Line]:
        level = int(node.tag[1:])
        lines = self.scan(node.children[0].content, node.map[0], place).lines
        attrs = attributes(data_line=lines[0].source)
        if len(lines) == 1:
            text = " ".join(part for part in ("#" * level, lines[0].text, attrs) if part)
            return [Line(text, lines[0].source)]
        underline = "=" * 3 if level == 1 else "-" * 3
        body = lines[:-1] + [Line(f"{lines[-1].text} {attrs}", lines[-1].source)]
        return body + [Line(underline, lines[-1].source)]

    # -- code and math -------------------------------------------------------------------
    def write_fence(self, node: SyntaxTreeNode, place: Place) -> list[Line]:
        info = parse_info(node.info)
        start, end = node.map
        closed = end - start == len(rows_of(node.content)) + 2
        if not closed:
            self.reporter.warn(Code.ZENN_UNCLOSED_FENCE,
                               "code block is never closed; it runs to the end of its container", self.src_of(start))
        classes = ["mermaid"] if info.lang == "mermaid" else info.classes
        filename = info.filename if info.filename and info.lang != "mermaid" else None
        return code_lines(node.content, classes, self.srcs(start, start + 1), filename)

    def write_code_block(self, node: SyntaxTreeNode, place: Place) -> list[Line]:
        start = node.map[0]
        return code_lines(node.content, [], self.srcs(start, start))

    def srcs(self, opener: int, first_content: int) -> Callable[[int], int]:
        """Source lines of a code block: -1 is the opener, k its content line k."""
        return lambda k: self.src_of(opener if k < 0 else first_content + k)

    def write_zenn_math(self, node: SyntaxTreeNode, place: Place) -> list[Line]:
        tex, label, src = node.content, node.meta["label"], self.src_of(node.map[0])
        problem = math_problem(tex)
        if problem:
            self.reporter.warn(problem[0], f"math shown as code: {problem[1]}", src)
            skipped = len(tex) - len(tex.lstrip("\n"))     # rows before the formula's first
            lines = code_lines(tex.strip("\n") + "\n", ["tex"], self.srcs(node.map[0], node.map[0] + skipped))
        else:
            lines = display_math(tex, label, self.srcs(node.map[0], node.map[0]))
        return join([lines, self.trailing_text(node.meta["after"], self.src_of(node.map[1]))])

    def trailing_text(self, text: str, src: int) -> list[Line]:
        if not text.strip():
            return []
        self.reporter.warn(Code.ZENN_TRAILING_TEXT,
                           f"text after the block on the same line ('{text.strip()}') is dropped by Zenn; "
                           "kept as its own paragraph", src)
        return paragraph([Line(escape_text(text.strip()), src)])

    # -- containers ----------------------------------------------------------------------
    def write_zenn_container(self, node: SyntaxTreeNode, place: Place) -> list[Line]:
        kind, title = container_kind(node.info)
        src = self.src_of(node.map[0])
        if not node.meta["closed"]:
            self.reporter.warn(Code.ZENN_UNCLOSED_CONTAINER,
                               f"'{node.markup}{node.info.rstrip()}' is never closed; it ends with its parent, as on Zenn", src)
        attrs = attributes(["admonition", kind], title=title if kind == "details" else None,
                           data_line=src)
        body = self.blocks(node.children, place.inside(kind))
        end_src = body[-1].source if body else src
        fence = div_fence(body)
        return join([[Line(f"{fence} {attrs}", src)], body, [Line(fence, end_src)]])

    def write_blockquote(self, node: SyntaxTreeNode, place: Place) -> list[Line]:
        return prefixed(self.blocks(node.children, place.inside("quote")), "> ", "> ")

    def write_bullet_list(self, node: SyntaxTreeNode, place: Place) -> list[Line]:
        return self.list_lines(node, place, lambda k: node.markup)

    def write_ordered_list(self, node: SyntaxTreeNode, place: Place) -> list[Line]:
        start = int(node.attrs.get("start", 1))
        return self.list_lines(node, place, lambda k: f"{start + k}{node.markup}")

    def list_lines(self, node: SyntaxTreeNode, place: Place, marker) -> list[Line]:
        tight = _is_tight(node)
        items = []
        for k, item in enumerate(node.children):
            body = self.blocks(item.children, place.inside("list", tight))
            mark = marker(k)
            if not body:
                items.append([Line(mark, self.src_of(item.map[0]))])
                continue
            items.append(prefixed(body, mark + " ", " " * (len(mark) + 1)))
        return join(items, tight)

    def write_zenn_flat(self, node: SyntaxTreeNode, place: Place) -> list[Line]:
        """Blocks nested deeper than the parser's DEPTH_LIMITS: their lines as paragraphs
        of plain lines (blank lines still part them), every word kept, markers dropped."""
        start = node.map[0]
        self.reporter.warn(Code.INPUT_TOO_DEEP, f"a {KIND_NAMES[node.meta['kind']]} nested too deep for a "
                           f"book ({depth_limit_text()}): from here on its lines are plain text, every word kept",
                           self.src_of(start))
        paragraphs: list[list[Line]] = [[]]
        for k, text in enumerate(node.meta["lines"]):
            if not text.strip():
                paragraphs.append([])
                continue
            lines = self.scan(text, start + k, place).lines
            paragraphs[-1].extend(Line(block_start_safe(line.text), line.source)
                                  for line in lines if line.text.strip())
        return join([paragraph(lines) for lines in paragraphs])

    def write_hr(self, node: SyntaxTreeNode, place: Place) -> list[Line]:
        return [Line("* * *", self.src_of(node.map[0]))]

    def write_table(self, node: SyntaxTreeNode, place: Place) -> list[Line]:
        rows = [tr for section in node.children for tr in section.children]
        lines = [self.table_row(tr, place) for tr in rows]
        aligns = [_alignment(cell.attrs.get("style", "")) for cell in rows[0].children]
        delimiter = Line("| " + " | ".join(aligns) + " |", self.src_of(rows[0].map[0] + 1))
        return [lines[0], delimiter, *lines[1:]]

    def table_row(self, row: SyntaxTreeNode, place: Place) -> Line:
        src = self.src_of(row.map[0]) if row.map else 0
        cells = [anchor_markdown(src)]
        for cell in row.children:
            text = cell.children[0].content if cell.children else ""
            scanned = self.scan(text, row.map[0] if row.map else 0, place, table_cell=True)
            cells.append(" ".join(line.text for line in scanned.lines).strip())
        cells[:2] = [cells[0] + cells[1]] if len(cells) > 1 else cells     # the row's anchor: in its first cell
        return Line("| " + " | ".join(cells) + " |", src)

    # -- embeds, cards, footnotes --------------------------------------------------------
    def write_zenn_embed(self, node: SyntaxTreeNode, place: Place) -> list[Line]:
        meta, src = node.meta, self.src_of(node.map[0])
        found = embeds.embed_from_syntax(meta["name"], meta["arg"])
        if not isinstance(found, embeds.Embed):
            return self.embed_kept_as_text(node.content, meta["name"], found, src)
        block = self.embed_div(found, src)
        extra = (meta["before"] + " " + meta["after"]).strip()
        return join([block, self.trailing_text(extra, src)])

    def embed_kept_as_text(self, line: str, name: str, found, src: int) -> list[Line]:
        if found is None:
            self.reporter.warn(Code.ZENN_UNKNOWN_EMBED, f"unknown Zenn embed '@[{name}]' (kept as a link)", src)
        else:
            self.reporter.warn(Code.ZENN_INVALID_EMBED,
                               f"invalid Zenn embed '@[{name}]': {found.message} (kept as text)", src)
        return paragraph([Line(escape_text(line.strip()), src)])

    def embed_div(self, found: embeds.Embed, src: int) -> list[Line]:
        if found.kind == "mermaid":
            return code_lines(found.url + "\n", ["mermaid"], lambda k: src)
        if found.kind == "card":
            attrs = attributes(["card"], url=found.url, data_line=src)
        else:
            attrs = attributes(["embed"], kind=found.kind, url=found.url, data_line=src)
        return join([[Line(f"::: {attrs}", src)], [Line(escape_text(found.url), src)],
                     [Line(":::", src)]])

    def write_zenn_footnote(self, node: SyntaxTreeNode, place: Place) -> list[Line]:
        label, src = node.meta["label"], self.src_of(node.map[0])
        body = self.blocks(node.children, place.inside("footnote"))
        if label in self.note_bodies:
            # Zenn keeps the first definition and drops this one; a book keeps its words.
            self.reporter.warn(Code.ZENN_DUPLICATE_FOOTNOTE,
                               f"footnote [^{label}] is defined twice; the second definition is kept as text here", src)
            return body
        self.note_bodies[label] = body
        self.footnotes.append(note_lines(label, body, src))
        return []

    def keep_unused_footnotes(self) -> None:
        """A definition nothing refers to is dropped by Zenn (and pandoc): warn, and keep its
        text at the end of the article instead of losing it."""
        kept = []
        for note in self.footnotes:
            label = note[0].text[2:-2]
            if label in self.context.referenced:
                kept.append(note)
                continue
            self.reporter.warn(Code.ZENN_UNUSED_FOOTNOTE,
                               f"footnote [^{label}] is never referred to (Zenn does not show it); "
                               "its text is kept at the end of the article", note[0].source)
            kept.append(self.note_bodies[label])
        self.footnotes = kept


def note_lines(label: str, body: list[Line], src: int) -> list[Line]:
    """A footnote definition: `[^label]:` then its blocks indented by four spaces."""
    return [Line(f"[^{label}]:", src), Line("", src), *prefixed(body, "    ", "    ")]


def code_lines(content: str, classes: list[str], src_of: Callable[[int], int],
               filename: str | None = None) -> list[Line]:
    """A fenced code block; `src_of(-1)` is the opener's source line, `src_of(k)` line k's.
    Its `data-line` is the opener's; `data-lines` lists its rows' lines when they are not
    the ones right after it (zennbook.provenance.code_line)."""
    rows = rows_of(content)
    body = [Line(text, src_of(k)) for k, text in enumerate(rows)]
    data_lines = rows_attribute(src_of(-1), [line.source for line in body])
    attrs = attributes(classes, True, filename=filename, data_line=src_of(-1), data_lines=data_lines)
    fence = fence_for(content, attrs)
    opener = Line(f"{fence} {attrs}", src_of(-1))
    return [opener, *body, Line(fence, body[-1].source if body else opener.source)]


def div_fence(body: list[Line]) -> str:
    """A div fence longer than any line of colons inside: pandoc (like Zenn) ends a div at
    such a line even inside a code block, unless it is shorter than the opening fence."""
    runs = [len(m.group(1)) for line in body if (m := _COLON_LINE.match(line.text))]
    return ":" * max(3, 1 + max(runs, default=0))


def rows_of(content: str) -> list[str]:
    """The lines of a code block's content (which usually ends with a newline)."""
    rows = content.split("\n")
    return rows[:-1] if rows[-1] == "" else rows


def display_math(tex: str, label: str | None, src_of: Callable[[int], int]) -> list[Line]:
    """`$$` display math; each TeX line indented so that pandoc cannot read it as a block.
    `src_of(k)` is the source line of line k of `tex` (line 0 is the opening `$$` line)."""
    rows = [(k, row.strip()) for k, row in enumerate(tex.split("\n")) if row.strip()]
    src = src_of(0)
    opener, closer = ("[$$", f"$$]{attributes(['equation'], label=label, data_line=src)}") \
        if label else ("$$", "$$")
    first = src_of(rows[0][0]) if rows else src
    opener = anchor_markdown(first) + opener    # the paragraph pandoc makes of it: the formula's first line
    body = [Line("    " + row, src_of(k)) for k, row in rows]
    return [Line(opener, src), *body, Line(closer, body[-1].source if body else src)]


def _is_tight(node: SyntaxTreeNode) -> bool:
    paragraphs = [c for item in node.children for c in item.children if c.type == "paragraph"]
    return all(p.hidden for p in paragraphs)


def _alignment(style: str) -> str:
    return {"text-align:left": ":--", "text-align:right": "--:",
            "text-align:center": ":-:"}.get(style, "---")


def paragraph(lines: list[Line]) -> list[Line]:
    """A paragraph's lines, its first one starting with the anchor that carries its source line
    (after a task list's `[ ]`, which must stay first)."""
    lines = paragraph_start_safe(lines)
    if not lines:
        return lines
    first = lines[0]
    marker = _TASK_MARKER.match(first.text)
    cut = marker.end() if marker else 0
    text = first.text[:cut] + anchor_markdown(first.source) + first.text[cut:]
    return [Line(text, first.source), *lines[1:]]


def paragraph_start_safe(lines: list[Line]) -> list[Line]:
    """A paragraph opening with a line that is only `<br>` would be an HTML block to pandoc
    (swallowing the lines after it); a hard break written as `\\` means the same."""
    if len(lines) > 1 and _BR_LINE.match(lines[0].text):
        return [Line("\\", lines[0].source), *lines[1:]]
    return lines


def _drop_trailing_break(lines: list[Line]) -> list[Line]:
    """A hard break (`\\` or two spaces) before a card ends a paragraph: drop it."""
    if lines and lines[-1].text.rstrip().endswith("\\") and not lines[-1].text.rstrip().endswith("\\\\"):
        return lines[:-1] + [Line(lines[-1].text.rstrip()[:-1], lines[-1].source)]
    return lines
