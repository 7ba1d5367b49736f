"""Zenn's block structure, found with markdown-it-py set up as zenn-markdown-html sets up
markdown-it (breaks, no HTML) plus ports of its block plugins: markdown-it-container
(`:::message`, `:::details`), md-custom-block (`@[name](arg)`), md-katex's `$$` blocks and
markdown-it-footnote's definitions. Only blocks are parsed here; inline text is rewritten
by `inline.py`. Token maps are 0-based line indices of the text given to `parse`.
"""
from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

_MESSAGE = re.compile(r"^message\s*(alert)?$")
_DETAILS = re.compile(r"^details\s+(.*)$")
_EMBED = re.compile(r"@\[([\w-]+)\]\((.+)\)", re.ASCII)
_MATH_EQNO = re.compile(r"\$\$([^$]+?)\$\$\s*?\(([^)\s]+?)\)")
_MATH = re.compile(r"\$\$([^$]+?)\$\$")
_QUOTE_MARKS = re.compile(r"(\n*?^(?:\s*>)+)", re.M)
_INTERRUPTS = ["paragraph", "reference", "blockquote", "list"]


def container_kind(params: str) -> tuple[str, str] | None:
    """('message'|'alert'|'details', title) for valid container params, else None."""
    params = params.strip()
    message = _MESSAGE.match(params)
    if message:
        return ("alert" if message.group(1) else "message"), ""
    details = _DETAILS.match(params)
    return ("details", details.group(1)) if details else None


def _colons(state: StateBlock, line: int) -> tuple[int, int, int]:
    start = state.bMarks[line] + state.tShift[line]
    maximum = state.eMarks[line]
    pos = start
    while pos < maximum and state.src[pos] == ":":
        pos += 1
    return start, pos, maximum


def _find_closer(state: StateBlock, line: int, end_line: int, count: int) -> tuple[int, bool]:
    """markdown-it-container's closer scan: code fences are NOT skipped (Zenn's semantics)."""
    while True:
        line += 1
        if line >= end_line:
            return line, False
        start, pos, maximum = _colons(state, line)
        if start < maximum and state.sCount[line] < state.blkIndent:
            return line, False
        if pos == start or state.sCount[line] - state.blkIndent >= 4 or pos - start < count:
            continue
        if state.skipSpaces(pos) >= maximum:
            return line, True


def container(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    start, pos, maximum = _colons(state, start_line)
    params = state.src[pos:maximum]
    if pos - start < 3 or container_kind(params) is None:
        return False
    if silent:
        return True
    next_line, closed = _find_closer(state, start_line, end_line, pos - start)
    old_parent, old_max = state.parentType, state.lineMax
    state.parentType, state.lineMax = "container", next_line   # type: ignore[assignment]
    token = state.push("zenn_container_open", "div", 1)
    token.markup, token.info, token.map = state.src[start:pos], params, [start_line, next_line]
    token.block, token.meta = True, {"closed": closed}
    state.md.block.tokenize(state, start_line + 1, next_line)
    state.push("zenn_container_close", "div", -1).block = True
    state.parentType, state.lineMax = old_parent, old_max
    state.line = next_line + (1 if closed else 0)
    return True


def embed(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """md-custom-block: a line starting with `@[`; the first `@[name](arg)` on it."""
    start = state.bMarks[start_line] + state.tShift[start_line]
    line = state.src[start:state.eMarks[start_line]]
    match = _EMBED.search(line) if line.startswith("@[") else None
    if not match:
        return False
    if not silent:
        token = state.push("zenn_embed", "div", 0)
        token.map, token.block, token.content = [start_line, start_line + 1], True, line
        token.meta = {"name": match.group(1), "arg": match.group(2),
                      "before": line[:match.start()], "after": line[match.end():]}
        state.line = start_line + 1
    return True


def _in_quote(state: StateBlock, line: int) -> bool:
    """Whether `line` is inside a blockquote: its `>` marks stand before the block's start.
    (state.parentType says "paragraph" after a paragraph of the same quote.)"""
    start = state.src.rfind("\n", 0, state.bMarks[line]) + 1
    return ">" in state.src[start:state.bMarks[line]]


def _math_rule(rex: re.Pattern, numbered: bool):
    def math_block(state: StateBlock, beg_line: int, end_line: int, silent: bool) -> bool:
        pos = state.bMarks[beg_line] + state.tShift[beg_line]
        match = rex.match(state.src, pos) if state.src.startswith("$$", pos) else None
        if not match or silent:
            return bool(match)
        end = match.end() - 1
        line = next((n for n in range(beg_line, end_line)
                     if state.bMarks[n] + state.tShift[n] <= end <= state.eMarks[n]), end_line)
        tex = match.group(1)
        if _in_quote(state, beg_line):
            tex = _QUOTE_MARKS.sub("", tex)
        token = state.push("zenn_math", "math", 0)
        token.map, token.block, token.content = [beg_line, line], True, tex
        tail_end = state.eMarks[line] if line < end_line else match.end()
        token.meta = {"label": match.group(2) if numbered else None,
                      "after": state.src[match.end():tail_end]}
        state.line = line + 1
        return True
    return math_block


def footnote_def(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """markdown-it-footnote's `[^label]: ...` definition (content indented by 4 after)."""
    start = state.bMarks[start_line] + state.tShift[start_line]
    maximum = state.eMarks[start_line]
    label = re.match(r"\[\^([^ \]]+)\]:", state.src[start:maximum])
    if start + 4 > maximum or not label:
        return False
    if silent:
        return True
    token = state.push("zenn_footnote_open", "", 1)
    token.meta, token.map = {"label": label.group(1)}, [start_line, start_line + 1]
    _tokenize_footnote(state, start_line, end_line, start + label.end())
    token.map = [start_line, state.line]
    state.push("zenn_footnote_close", "", -1)
    return True


def _tokenize_footnote(state: StateBlock, line: int, end_line: int, pos: int) -> None:
    saved = state.bMarks[line], state.tShift[line], state.sCount[line], state.parentType
    after_colon, maximum = pos, state.eMarks[line]
    initial = state.sCount[line] + pos - (state.bMarks[line] + state.tShift[line])
    offset = initial
    while pos < maximum and state.src[pos] in " \t":
        offset += 4 - offset % 4 if state.src[pos] == "\t" else 1
        pos += 1
    state.tShift[line], state.sCount[line] = pos - after_colon, offset - initial
    state.bMarks[line] = after_colon
    state.blkIndent += 4
    state.parentType = "footnote"   # type: ignore[assignment]
    if state.sCount[line] < state.blkIndent:
        state.sCount[line] += state.blkIndent
    state.md.block.tokenize(state, line, end_line)
    state.blkIndent -= 4
    state.bMarks[line], state.tShift[line], state.sCount[line], state.parentType = saved


MAX_NESTING = 1000


def make_parser() -> MarkdownIt:
    """markdown-it as zenn-markdown-html configures it, blocks only."""
    # maxNesting: markdown-it silently skips the rest of a block nested deeper than this
    # (Zenn's preset allows 100); a book must not lose words, so allow far more.
    md = MarkdownIt("commonmark", {"breaks": True, "html": False, "maxNesting": MAX_NESTING})
    md.enable("table")
    md.disable("inline")
    md.block.ruler.before("fence", "zenn_math_eqno", _math_rule(_MATH_EQNO, True))
    md.block.ruler.before("fence", "zenn_math", _math_rule(_MATH, False))
    md.block.ruler.before("fence", "zenn_embed", embed, {"alt": _INTERRUPTS})
    md.block.ruler.before("fence", "zenn_container", container, {"alt": _INTERRUPTS})
    md.block.ruler.before("reference", "zenn_footnote", footnote_def,
                          {"alt": ["paragraph", "reference"]})
    return md


def parse(text: str) -> tuple[list, dict]:
    """Block tokens and the environment (link reference definitions) of `text`."""
    env: dict = {}
    return make_parser().parse(text, env), env
