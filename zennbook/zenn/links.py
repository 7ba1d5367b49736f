"""CommonMark link pieces as markdown-it's helpers parse them (parseLinkDestination,
parseLinkTitle, validateLink) plus markdown-it-imsize's ` =WxH`. Positions index `text`."""
from __future__ import annotations

import re
from dataclasses import dataclass

_BAD_PROTOCOL = re.compile(r"^(vbscript|javascript|file|data):")
_GOOD_DATA = re.compile(r"^data:image/(gif|png|jpeg|webp);")
_TITLE_CLOSE = {'"': '"', "'": "'", "(": ")"}


@dataclass(frozen=True)
class Tail:
    """`(dest "title" =WxH)` after a link or image label."""
    dest: str          # the destination as written (may be empty)
    title: str         # the title as written, quotes included ("" for none)
    width: str
    height: str
    end: int           # index just after the closing ')'


def valid_link(url: str) -> bool:
    """markdown-it's validateLink: no javascript:, vbscript:, file:, data: (but images)."""
    url = url.strip().lower()
    return not _BAD_PROTOCOL.match(url) or bool(_GOOD_DATA.match(url))


def skip_space(text: str, pos: int, end: int) -> int:
    while pos < end and text[pos] in " \t\n":
        pos += 1
    return pos


def destination_end(text: str, pos: int, end: int) -> int | None:
    """End of a link destination starting at `pos`, or None."""
    if pos < end and text[pos] == "<":
        return _angle_destination_end(text, pos + 1, end)
    start, level = pos, 0
    while pos < end:
        char = text[pos]
        if char == " " or ord(char) < 0x20 or char == "\x7f":
            break
        if char == "\\" and pos + 1 < end:
            if text[pos + 1] == " ":
                break
            pos += 2
            continue
        if char == ")" and level == 0:
            break
        level += {"(": 1, ")": -1}.get(char, 0)
        if level > 32:
            return None
        pos += 1
    return pos if pos > start and level == 0 else None


def _angle_destination_end(text: str, pos: int, end: int) -> int | None:
    while pos < end:
        char = text[pos]
        if char in "\n<":
            return None
        if char == ">":
            return pos + 1
        pos += 2 if char == "\\" and pos + 1 < end else 1
    return None


def title_end(text: str, pos: int, end: int) -> int | None:
    """End of a link title (`"…"`, `'…'` or `(…)`) starting at `pos`, or None."""
    if pos >= end or text[pos] not in _TITLE_CLOSE:
        return None
    opener, closer = text[pos], _TITLE_CLOSE[text[pos]]
    pos += 1
    while pos < end:
        char = text[pos]
        if char == closer:
            return pos + 1
        if opener == "(" and char == "(":
            return None
        pos += 2 if char == "\\" and pos + 1 < end else 1
    return None


def image_size(text: str, pos: int, end: int) -> tuple[str, str, int] | None:
    """markdown-it-imsize: `=W x H` right at `pos` (digits and '%'; either may be empty)."""
    match = re.compile(r"=([0-9%]*)x([0-9%]*)").match(text, pos, end)
    if not match or not (text[pos + 1:pos + 2] == "x" or text[pos + 1:pos + 2].isdigit()):
        return None
    return match.group(1), match.group(2), match.end()


def parse_tail(text: str, pos: int, end: int, sized: bool) -> Tail | None:
    """`( dest "title" =WxH )` at `pos` as imsize (sized) or the link rule parses it."""
    if pos >= end or text[pos] != "(":
        return None
    pos = skip_space(text, pos + 1, end)
    dest_start = pos
    dest_end = destination_end(text, pos, end)
    if dest_end is not None and valid_link(_unbracket(text[dest_start:dest_end])):
        pos = dest_end
    dest = text[dest_start:pos]
    before_title = pos
    pos = skip_space(text, pos, end)
    title, pos = _title(text, pos, end, before_title)
    width, height, pos = _size(text, pos, end) if sized else ("", "", pos)
    if pos >= end or text[pos] != ")":
        return None
    return Tail(dest, title, width, height, pos + 1)


def _unbracket(dest: str) -> str:
    return dest[1:-1] if dest.startswith("<") else dest


def _title(text: str, pos: int, end: int, before: int) -> tuple[str, int]:
    stop = title_end(text, pos, end)
    if pos < end and pos != before and stop is not None:
        return text[pos:stop], skip_space(text, stop, end)
    return "", pos


def _size(text: str, pos: int, end: int) -> tuple[str, str, int]:
    size = image_size(text, pos, end) if pos > 0 and text[pos - 1] == " " else None
    if size is None:
        return "", "", pos
    return size[0], size[1], skip_space(text, size[2], end)
