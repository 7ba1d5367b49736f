"""Characters no output can carry, in one rule for the body, the front matter and the book file.

C0 and C1 controls (tab and line feed excepted), lone surrogates (an undecodable file name or
a YAML "\\ud800" escape) and Unicode's noncharacters (U+FFFE, U+FFFF, U+FDD0..U+FDEF and the
last two code points of every plane) break XML, the EPUB and LaTeX, and mean nothing.
"""
from __future__ import annotations

import re

NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
UNWANTED = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\ud800-\\udfff{NONCHARACTERS}]")
ANSI_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")
# For showing a name or message on one line: everything above, plus line breaks, tabs and
# the bidi overrides that reorder what a terminal shows (Trojan Source).
UNSHOWABLE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069"
                        f"\\ud800-\\udfff{NONCHARACTERS}]")


def scrub(text: str) -> tuple[str, int]:
    """`text` without ANSI escape sequences and unwanted characters, and how many went."""
    cleaned = UNWANTED.sub("", ANSI_ESCAPE.sub("", text))
    return cleaned, len(text) - len(cleaned)


CONTINUATION = "\n    "


def printable(text: str, continuation_lines: bool = False) -> str:
    """`text` on one line, every control, bidi override and lone surrogate as an escape.
    With `continuation_lines`, a line break followed by four spaces stays: an indented line
    (a quoted log, a note) cannot pass for a diagnostic line of its own."""
    if continuation_lines and CONTINUATION in text:
        return CONTINUATION.join(printable(part) for part in text.split(CONTINUATION))
    return UNSHOWABLE.sub(lambda m: ascii(m.group())[1:-1], text)


def has_unshowable(text: str) -> bool:
    return UNSHOWABLE.search(text) is not None
