"""Lines that remember where they came from. (The stage reports through diagnostics.Reporter,
imported here for its modules.)"""
from __future__ import annotations

import re
from typing import NamedTuple

from ..diagnostics import Reporter

__all__ = ["LINE_END", "Line", "Reporter", "join_lines", "retext", "split_lines"]

LINE_END = re.compile(r"\r\n|\r|\n")


class Line(NamedTuple):
    text: str
    source: int          # 1-based line number in the original file


def split_lines(text: str) -> list[Line]:
    """CRLF, CR and LF all end a line (an editor shows a CR-only file as lines too).

    Only these three: str.splitlines() would also split at U+0085, U+2028 and friends,
    which mojibake is full of.
    """
    return [Line(part, number) for number, part in enumerate(LINE_END.split(text), start=1)]


def join_lines(lines: list[Line]) -> str:
    return "\n".join(line.text for line in lines)


def retext(lines: list[Line], texts: list[str]) -> list[Line]:
    """The same lines with new texts, one for one."""
    return [line if line.text == text else Line(text, line.source)
            for line, text in zip(lines, texts)]
