"""The Zenn text stage: Zenn Markdown in, pandoc Markdown (for `pandoc.READER_FORMAT`) out.

    out = rewrite(text, lines, path)
    out.text          pandoc Markdown
    out.lines         per output line, the source line it came from (composed with `lines`)
    out.diagnostics   warnings, with path and source line

The block structure is Zenn's own (markdown-it with Zenn's plugins, see `parser.py`);
`blocks.py` writes it so that pandoc reads the same structure, `inline.py` does the same for
inline text. Containers, cards and embeds become fenced divs. Every block carries its source
line for later stages (zennbook.provenance): divs, code blocks, headings, images and numbered
equations as `data-line`, paragraphs, list items' text, table rows and display math as an
anchor `[]{data-line=N}` in front of their first text.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from markdown_it.tree import SyntaxTreeNode

from ..diagnostics import Code, Diagnostic, Reporter
from ..normalize.lines import Line
from .blocks import BlockWriter, Place, join, note_lines
from .inline import InlineContext
from .parser import parse

__all__ = ["rewrite", "Rewritten"]


@dataclass
class Rewritten:
    text: str
    lines: list[int]
    diagnostics: list[Diagnostic] = field(default_factory=list)


def rewrite(text: str, lines: list[int], path: str, math_under_text: str = "math") -> Rewritten:
    """Rewrite one article body. `lines[i]` is the source line of line i of `text`.

    `math_under_text`: what a `$$` block right under a text line is. Zenn shows it as text;
    "math" (the book's default) draws it as display math, "text" keeps Zenn's reading. A
    located warning says where either way, so the author can fix the source for Zenn too.
    """
    tokens, env = parse(text)
    warned: list[int] = []
    if math_under_text == "math":
        text, lines, tokens, env, warned = separate_math(text, lines, tokens, env)

    def src_of(index: int) -> int:
        if 0 <= index < len(lines):
            return lines[index]
        return (lines[-1] if lines else 0) + max(index - len(lines) + 1, 1)

    reporter = Reporter(path)
    context = InlineContext(reporter, frozenset(env.get("references", {})))
    for line in warned:
        reporter.warn(Code.MATH_INVALID, "a `$$` block directly under a text line is not math on Zenn "
                      "(shown as text there); drawn as math in the book: put a blank line before it", line)
    for index in math_under_paragraphs(tokens, every=True):
        reporter.warn(Code.MATH_INVALID, "a `$$` block directly under a text line is not math on Zenn; "
                      "shown as text, as on Zenn (book.yaml math.under_text: text): put a blank line "
                      "before it", src_of(index))
    writer = BlockWriter(src_of, context)
    body = writer.blocks(SyntaxTreeNode(tokens).children, Place())
    writer.keep_unused_footnotes()
    out = join([body, *writer.footnotes, *_inline_notes(context), _references(env, src_of)])
    return Rewritten("".join(line.text + "\n" for line in out),
                     [line.source for line in out], reporter.items)


SEPARATE_ROUNDS = 20     # `$$` blocks stacked in one paragraph; the rest stay text


def separate_math(text: str, lines: list[int], tokens, env):
    """A blank line before each `$$` block that sits under a text line, so that it parses
    as display math; a round per block stacked in one paragraph. The source lines of the
    blocks moved come back for the warnings."""
    moved: list[int] = []
    for _ in range(SEPARATE_ROUNDS):
        found = math_under_paragraphs(tokens)
        if not found:
            break
        moved.extend(lines[i] if i < len(lines) else i + 1 for i in found)
        text, lines = blank_line_before(text, lines, found)
        tokens, env = parse(text)
    return text, lines, tokens, env, sorted(moved)


def math_under_paragraphs(tokens, every: bool = False) -> list[int]:
    """Indices of the text lines inside a paragraph (not its first) that start with `$$`:
    the first of each paragraph, or `every` one."""
    found = []
    for node in SyntaxTreeNode(tokens).walk():
        if node.type == "paragraph" and node.map and node.children:
            for k, line in enumerate(node.children[0].content.split("\n")):
                if k and opens_display_block(line):
                    found.append(node.map[0] + k)
                    if not every:
                        break
    return found


def opens_display_block(line: str) -> bool:
    """`$$` alone, or `$$` opening a block that closes on a later line (a `$$x$$` line
    inside a paragraph is inline display math already)."""
    text = line.strip()
    return text.startswith("$$") and "$$" not in text[2:]


def blank_line_before(text: str, lines: list[int], indices: list[int]) -> tuple[str, list[int]]:
    """A blank line inserted before each of `indices`, inside the same quote (`>` kept)."""
    rows = text.split("\n")
    wanted = set(indices)
    out_rows, out_lines = [], []
    for index, row in enumerate(rows):
        source = lines[index] if index < len(lines) else (lines[-1] if lines else 0) + 1
        if index in wanted:
            prefix = row[:row.find("$$")] if "$$" in row else ""
            out_rows.append(prefix.rstrip() if set(prefix) <= set("> \t") else "")
            out_lines.append(source)
        out_rows.append(row)
        out_lines.append(source)
    return "\n".join(out_rows), out_lines


def _inline_notes(context: InlineContext) -> list[list[Line]]:
    return [note_lines(label, body, body[0].source if body else 0) for label, body in context.notes]


def _references(env: dict, src_of) -> list[Line]:
    """Link reference definitions, which markdown-it takes out of the text, written back."""
    out = []
    for label, ref in env.get("references", {}).items():
        title = ref.get("title") or ""
        quoted = ' "' + title.replace("\\", "\\\\").replace('"', '\\"') + '"' if title else ""
        name = label.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
        out.append(Line(f"[{name}]: <{ref['href']}>{quoted}", src_of(ref.get("map", [0])[0])))
    return out
