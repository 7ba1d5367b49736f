"""Plain text (a pasted chat transcript, seed 004) made to show exactly as written.

Every line stays its own line: Zenn already turns each newline into a line break. What
would accidentally become Markdown is backslash-escaped, so the reader sees the characters
the author typed rather than structure they never meant:

- at the start of a line: ``#`` (heading), ``>`` (quote), ``1.``/``1)`` followed by a space
  (in a transcript that is prose numbering; a list would renumber it), a bullet with
  nothing after it, rules and setext underlines (``---``, ``===``);
- anywhere: ``\\`` before punctuation or at the end of a line, `` ` ``, ``*``, ``_``, ``[``,
  ``<``, ``$``, ``~``, ``|``, and ``&`` when it starts an entity. URLs are left alone.
- leading spaces become no-break spaces, so indentation shows instead of making code.

Bullet lines (``- ``, ``+ ``, ``* `` with text) stay lists: that is what the author typed.
A blank line is added after a run of them when text follows, or that text would join the
last item (CommonMark's lazy continuation); it maps to the last item's source line.

A second run finds backslash escapes, which are Markdown structure, and leaves the text be.
"""
from __future__ import annotations

import re

from ..diagnostics import Code
from .lines import Line, Reporter

BLOCK_START = re.compile(r"^(?P<lead>[ \t]*)(?P<mark>#|>|[-+*](?=[ \t]*$))")
BULLET = re.compile(r"^(?P<lead>[ \t]*[-+*][ \t]+)(?P<rest>\S.*)$")
ORDERED = re.compile(r"^(?P<lead>[ \t]*\d{1,9})(?P<mark>[.)])(?=[ \t]|$)")
RULE = re.compile(r"^(?P<lead>[ \t]*)(?P<mark>[-=*_])(?:[ \t]*(?P=mark)){2,}[ \t]*$|"
                  r"^(?P<lead2>[ \t]*)(?P<mark2>=)=*[ \t]*$")
INLINE = re.compile(r"\\(?=[!-/:-@\[-`{-~]|$)|[`*_\[<$~|]|&(?=#?\w+;)")
URL = re.compile(r"https?://[^\s<>]+")
LEADING_SPACE = re.compile(r"^[ \t]+")
NO_BREAK_SPACE = "\u00a0"

# Markup nobody types by accident, and block marks a pasted text may well start a line with.
MARKUP = re.compile(r"^\s{0,3}(```|~~~|\$\$|:::|\|)|<br\s*/?>|\*\*|__|`|\]\(|!\[|<https?:"
                    r"|\\[!-/:-@\[-`{-~]")
BLOCK_MARK = re.compile(r"^\s{0,3}(#{1,6}(\s|$)|>)|^\s*[-*_](\s*[-*_]){2,}\s*$")
PASTE_MIN_LINES = 10             # a long text without one blank line is a paste, not Markdown


def looks_plain(texts: list[str]) -> bool:
    """Text without Markdown structure: no markup at all, and no heading, quote or rule
    lines either, unless it is a long text without a single blank line (a pasted
    transcript may well start a line with "#" or ">")."""
    content = [text for text in texts if text.strip()]
    if not content or any(MARKUP.search(text) for text in content):
        return False
    lines = texts[:-1] if texts[-1:] == [""] else texts      # the final newline ends a line
    pasted = len(content) >= PASTE_MIN_LINES and len(content) == len(lines)
    return pasted or not any(BLOCK_MARK.match(text) for text in content)


def convert(lines: list[Line], report: Reporter) -> list[Line]:
    converted = [Line(_escape_line(line.text), line.source) for line in lines]
    changed = [new for old, new in zip(lines, converted) if old.text != new.text]
    if changed:
        report.info(Code.NORMALIZE_DIALECT,
                    f"plain text: Markdown characters escaped on {len(changed)} lines "
                    "so that they show as written", changed[0].source)
    return _separate_lists(converted)


def _escape_line(text: str) -> str:
    if bullet := BULLET.match(text):
        return bullet.group("lead") + _escape_inline(bullet.group("rest"))
    text = _escape_inline(text)
    for pattern in (RULE, BLOCK_START, ORDERED):
        if match := pattern.match(text):
            lead = match.group("lead") if match.group("lead") is not None else match.group("lead2")
            text = lead + "\\" + text[len(lead):]
            break
    return _indent(text)


def _indent(text: str) -> str:
    return LEADING_SPACE.sub(lambda space: NO_BREAK_SPACE * len(space.group().expandtabs(4)),
                             text)


def _separate_lists(lines: list[Line]) -> list[Line]:
    separated: list[Line] = []
    for index, line in enumerate(lines):
        separated.append(line)
        following = lines[index + 1].text if index + 1 < len(lines) else ""
        if _is_bullet(line.text) and following.strip() and not _is_bullet(following):
            separated.append(Line("", line.source))
    return separated


def _is_bullet(text: str) -> bool:
    return bool(BULLET.match(text))


def _escape_inline(text: str) -> str:
    pieces, position = [], 0
    for url in URL.finditer(text):
        pieces.append(INLINE.sub(r"\\\g<0>", text[position:url.start()]))
        pieces.append(url.group())
        position = url.end()
    pieces.append(INLINE.sub(r"\\\g<0>", text[position:]))
    return "".join(pieces)
