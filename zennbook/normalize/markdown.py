"""Just enough Markdown structure for normalization: front matter, code and math, code spans.

These are line-level approximations of what the Zenn renderer does; they only decide where
the stage must keep its hands off (code is shown verbatim, so nothing in it is rewritten).
"""
from __future__ import annotations

import re

FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})(.*)$")
MATH_DELIMITER = re.compile(r"^\s*\$\$\s*$")
FRONT_MATTER_FENCE = "---"
FRONT_MATTER_END = ("---", "...")
BACKTICKS = re.compile(r"`+")


def front_matter_end(texts: list[str]) -> int:
    """Index just after a leading YAML front matter block, or 0 when there is none."""
    if not texts or texts[0].rstrip() != FRONT_MATTER_FENCE:
        return 0
    for index in range(1, len(texts)):
        if texts[index].rstrip() in FRONT_MATTER_END:
            return index + 1
    return 0


def verbatim_lines(texts: list[str], start: int = 0) -> list[bool]:
    """For every line, whether it belongs to a fenced code block or a $$ math block.

    Fence lines themselves count as verbatim. Fences may be indented (inside list items).
    An unclosed fence runs to the end, as in CommonMark.
    """
    flags = [False] * len(texts)
    fence: tuple[str, int] | None = None          # (fence character, length)
    in_math = False
    for index in range(start, len(texts)):
        text = texts[index]
        if fence:
            flags[index] = True
            if _closes(text, fence):
                fence = None
        elif in_math:
            flags[index] = True
            in_math = not MATH_DELIMITER.match(text)
        elif (opened := _opens(text)) is not None:
            flags[index] = True
            fence = opened
        elif MATH_DELIMITER.match(text):
            flags[index] = in_math = True
    return flags


def opening_fence(text: str) -> re.Match | None:
    """A code fence opener: groups (indent, fence, info string)."""
    match = FENCE.match(text)
    if not match or (match.group(2)[0] == "`" and "`" in match.group(3)):
        return None
    return match


def _opens(text: str) -> tuple[str, int] | None:
    match = opening_fence(text)
    return (match.group(2)[0], len(match.group(2))) if match else None


def _closes(text: str, fence: tuple[str, int]) -> bool:
    stripped = text.strip()
    return (len(stripped) >= fence[1] and set(stripped) == {fence[0]})


def code_span_ranges(text: str) -> list[tuple[int, int]]:
    """(start, end) of every inline code span, backticks included."""
    ranges = []
    runs = list(BACKTICKS.finditer(text))
    index = 0
    while index < len(runs):
        opener = runs[index]
        if _escaped(text, opener.start()):
            index += 1
            continue
        closer = next((later for later in runs[index + 1:]
                       if len(later.group()) == len(opener.group())), None)
        if closer is None:
            index += 1
            continue
        ranges.append((opener.start(), closer.end()))
        index = runs.index(closer) + 1
    return ranges


def _escaped(text: str, position: int) -> bool:
    backslashes = len(text[:position]) - len(text[:position].rstrip("\\"))
    return backslashes % 2 == 1


def outside_code_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the parts of a line that are not inline code."""
    parts, position = [], 0
    for start, end in code_span_ranges(text):
        parts.append((position, start))
        position = end
    parts.append((position, len(text)))
    return [(start, end) for start, end in parts if end > start]


def map_outside_code_spans(text: str, rewrite) -> str:
    """Apply `rewrite` to each stretch of the line outside inline code."""
    if "`" not in text:
        return rewrite(text)
    pieces, position = [], 0
    for start, end in code_span_ranges(text):
        pieces.append(rewrite(text[position:start]))
        pieces.append(text[start:end])
        position = end
    pieces.append(rewrite(text[position:]))
    return "".join(pieces)
