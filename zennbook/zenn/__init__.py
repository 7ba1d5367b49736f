"""The Zenn text stage: Zenn Markdown in, pandoc Markdown (for `pandoc.READER_FORMAT`) out.

    out = rewrite(text, lines, path)
    out.text          pandoc Markdown
    out.lines         per output line, the source line it came from (composed with `lines`)
    out.diagnostics   warnings, with path and source line

The block structure is Zenn's own (markdown-it with Zenn's plugins, see `parser.py`);
`blocks.py` writes it so that pandoc reads the same structure, `inline.py` does the same for
inline text. Containers, cards and embeds become fenced divs; every div, code block, heading,
image and numbered equation carries `data-line` (its source line) for later diagnostics.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from markdown_it.tree import SyntaxTreeNode

from ..diagnostics import Diagnostic
from .blocks import BlockWriter, Place, join, note_lines
from .inline import InlineContext
from .markup import Line
from .parser import parse

__all__ = ["rewrite", "Rewritten"]


@dataclass
class Rewritten:
    text: str
    lines: list[int]
    diagnostics: list[Diagnostic] = field(default_factory=list)


def rewrite(text: str, lines: list[int], path: str) -> Rewritten:
    """Rewrite one article body. `lines[i]` is the source line of line i of `text`."""
    def src_of(index: int) -> int:
        if 0 <= index < len(lines):
            return lines[index]
        return (lines[-1] if lines else 0) + max(index - len(lines) + 1, 1)

    tokens, env = parse(text)
    context = InlineContext(path, frozenset(env.get("references", {})))
    writer = BlockWriter(src_of, context)
    body = writer.blocks(SyntaxTreeNode(tokens).children, Place())
    writer.keep_unused_footnotes()
    out = join([body, *writer.footnotes, *_inline_notes(context), _references(env, src_of)])
    return Rewritten("".join(line.text + "\n" for line in out),
                     [line.src for line in out], context.diagnostics)


def _inline_notes(context: InlineContext) -> list[list[Line]]:
    return [note_lines(label, body, body[0].src if body else 0) for label, body in context.notes]


def _references(env: dict, src_of) -> list[Line]:
    """Link reference definitions, which markdown-it takes out of the text, written back."""
    out = []
    for label, ref in env.get("references", {}).items():
        title = ref.get("title") or ""
        quoted = ' "' + title.replace("\\", "\\\\").replace('"', '\\"') + '"' if title else ""
        name = label.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
        out.append(Line(f"[{name}]: <{ref['href']}>{quoted}", src_of(ref.get("map", [0])[0])))
    return out
