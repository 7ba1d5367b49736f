"""Zenn containers made by dialect mapping, and the colons they need.

A Zenn container is closed by the first line of at least as many colons as its opener, and
that scan ignores code fences. So a container we make gets more colons than any colon line
in its body (an inner container, or ":::" shown in a code block), and an original container
that ends up around one of ours is widened to more colons than it (``::::details`` outside
``:::message``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .lines import Line
from .markdown import front_matter_end, verbatim_lines

COLON_LINE = re.compile(r"^\s*(:{3,})")
OPENER = re.compile(r"^(\s*)(:{3,})(\s*(?:message|details)\b.*)$")
CLOSER = re.compile(r"^(\s*)(:{3,})\s*$")
MIN_COLONS = 3


@dataclass
class Container:
    """A container to write: `params` is "message", "message alert" or "details Title"."""
    params: str
    indent: str
    opened_at: int                       # source line of the construct's first line
    closed_at: int                       # source line of its last line
    children: list = field(default_factory=list)


Node = Line | Container


@dataclass
class Rendered:
    lines: list[Line]
    openers: set[int] = field(default_factory=set)     # indices of the lines we made
    closers: set[int] = field(default_factory=set)


def render(nodes: list[Node]) -> Rendered:
    """Lines for the nodes; each container gets the colons its body requires."""
    out = Rendered([])
    for node in nodes:
        if isinstance(node, Line):
            out.lines.append(node)
            continue
        body = render(node.children)
        colons = ":" * max(MIN_COLONS, 1 + max(map(_colon_run, body.lines), default=0))
        offset = len(out.lines) + 1
        out.openers.add(len(out.lines))
        out.lines.append(Line(f"{node.indent}{colons}{node.params}", node.opened_at))
        out.lines.extend(body.lines)
        out.openers.update(index + offset for index in body.openers)
        out.closers.update(index + offset for index in body.closers)
        out.closers.add(len(out.lines))
        out.lines.append(Line(f"{node.indent}{colons}", node.closed_at))
    return out


def _colon_run(line: Line) -> int:
    match = COLON_LINE.match(line.text)
    return len(match.group(1)) if match else 0


def widen_enclosing(rendered: Rendered) -> list[Line]:
    """Original containers around ones we made get more colons than those."""
    if not rendered.openers:
        return rendered.lines
    texts = [line.text for line in rendered.lines]
    verbatim = verbatim_lines(texts, front_matter_end(texts))
    stack: list[dict] = []
    for index, text in enumerate(texts):
        if index in rendered.openers:
            stack.append({"at": index, "colons": _colon_run(rendered.lines[index]),
                          "inner": 0, "ours": True, "holds_ours": True})
        elif index in rendered.closers:
            while stack and not stack[-1]["ours"]:
                stack.pop()                        # an original left open inside ours
            if stack:
                _close(stack, stack.pop()["colons"], True)
        elif not verbatim[index]:
            _track_original(stack, texts, index)
    return [Line(text, line.source) for text, line in zip(texts, rendered.lines)]


def _track_original(stack: list[dict], texts: list[str], index: int) -> None:
    text = texts[index]
    if match := OPENER.match(text):
        stack.append({"at": index, "colons": len(match.group(2)), "inner": 0,
                      "ours": False, "holds_ours": False})
        return
    match = CLOSER.match(text)
    if not (match and stack and not stack[-1]["ours"]
            and len(match.group(2)) >= stack[-1]["colons"]):
        return
    entry = stack.pop()
    colons = entry["colons"]
    if entry["holds_ours"] and entry["inner"] >= colons:
        colons = entry["inner"] + 1
        texts[entry["at"]] = _with_colons(texts[entry["at"]], colons)
        texts[index] = _with_colons(text, colons)
    _close(stack, colons, entry["holds_ours"])


def _close(stack: list[dict], colons: int, holds_ours: bool) -> None:
    if stack:
        stack[-1]["inner"] = max(stack[-1]["inner"], colons)
        stack[-1]["holds_ours"] |= holds_ours


def _with_colons(text: str, colons: int) -> str:
    return COLON_LINE.sub(lambda match: match.group(0).replace(match.group(1), ":" * colons),
                          text, count=1)
