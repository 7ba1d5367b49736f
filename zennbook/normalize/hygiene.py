"""Unicode and whitespace hygiene. Every rule here is documented and never touches code.

- NFC everywhere (macOS file names and some IMEs produce decomposed kana: か + ゛).
- Control characters, lone surrogates and noncharacters (U+FFFE, ...) removed everywhere,
  ANSI escape sequences whole (they break XML/EPUB and LaTeX, even inside code); tab and line
  feed are kept. The same rule (`zennbook.safety.chars.scrub`) cleans front-matter strings.
- Bidi overrides and isolates inside code blocks and code spans are kept but reported: a
  reader cannot see them, and they can make code read differently from what it does (Trojan
  Source): each is replaced by its visible name, `<U+202E>`. In prose they are kept: right-
  to-left text may need them.
- Invisible characters removed outside code blocks and code spans: zero-width space, word
  joiner, stray BOM, soft hyphen, bidi marks, line/paragraph separators,
  invisible operators, Hangul fillers. The zero-width joiner stays between emoji (👨‍💻).
- Tabs in the indentation of list lines become spaces at 4-column tab stops, so a tab is one
  nesting level, as CommonMark reads it (seed 002 mixes tabs and 4 spaces for one level).
- Trailing spaces and tabs removed outside code; two or more trailing spaces before another
  line of text are a hard break and become exactly two spaces.
"""
from __future__ import annotations

import re
import unicodedata

from ..diagnostics import Code
from ..safety.chars import scrub
from .lines import Line, Reporter, retext
from .markdown import code_span_ranges, front_matter_end, map_outside_code_spans, verbatim_lines

INVISIBLE_NAMES = {
    "\u200b": "zero-width space", "\u200c": "zero-width non-joiner",
    "\u200d": "zero-width joiner", "\u2060": "word joiner", "\ufeff": "byte order mark",
    "\u00ad": "soft hyphen", "\u180e": "Mongolian vowel separator",
    "\u200e": "left-to-right mark", "\u200f": "right-to-left mark",
    "\u2028": "line separator", "\u2029": "paragraph separator",
    "\u3164": "Hangul filler", "\u115f": "Hangul filler", "\u1160": "Hangul filler",
    "\uffa0": "Hangul filler",
    **{chr(code): "invisible operator" for code in range(0x2061, 0x2065)},
}
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
INVISIBLE = re.compile("[" + "".join(INVISIBLE_NAMES) + "]")
ZERO_WIDTH_JOINER = "\u200d"
LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
TAB_STOP = 4


def clean(lines: list[Line], report: Reporter) -> list[Line]:
    """All hygiene rules, in an order where no rule undoes another."""
    lines = _normalize_nfc(lines, report)
    lines = _remove_controls(lines, report)
    texts = [line.text for line in lines]
    verbatim = verbatim_lines(texts, front_matter_end(texts))
    lines = _remove_invisibles(lines, verbatim, report)
    lines = _show_bidi_in_code(lines, verbatim, report)
    lines = _expand_list_tabs(lines, verbatim, report)
    return _strip_trailing_spaces(lines, verbatim)


def _normalize_nfc(lines: list[Line], report: Reporter) -> list[Line]:
    texts = []
    for line in lines:
        text = line.text if unicodedata.is_normalized("NFC", line.text) \
            else unicodedata.normalize("NFC", line.text)
        if text != line.text:
            report.info(Code.NORMALIZE_UNICODE, "normalized to NFC", line.source)
        texts.append(text)
    return retext(lines, texts)


def _remove_controls(lines: list[Line], report: Reporter) -> list[Line]:
    texts = []
    for line in lines:
        text, removed = scrub(line.text)
        if removed:
            report.info(Code.NORMALIZE_CONTROL,
                        f"removed {removed} control characters or noncharacters", line.source)
        texts.append(text)
    return retext(lines, texts)


def _remove_invisibles(lines: list[Line], verbatim: list[bool], report: Reporter) -> list[Line]:
    texts = []
    for line, in_code in zip(lines, verbatim):
        if in_code or not INVISIBLE.search(line.text):
            texts.append(line.text)
            continue
        removed: list[str] = []
        text = map_outside_code_spans(line.text, lambda part: _drop_invisibles(part, removed))
        if removed:
            names = ", ".join(sorted({INVISIBLE_NAMES[char] for char in removed}))
            report.info(Code.NORMALIZE_INVISIBLE,
                        f"removed {len(removed)} invisible characters ({names})", line.source)
        texts.append(text)
    return retext(lines, texts)


def _show_bidi_in_code(lines: list[Line], verbatim: list[bool], report: Reporter) -> list[Line]:
    texts = []
    for line, in_code in zip(lines, verbatim):
        text = line.text
        if BIDI_CONTROLS.search(text):
            text = _bidi_shown(text) if in_code else _bidi_shown_in_code_spans(text)
            if text != line.text:
                report.warn(Code.NORMALIZE_BIDI,
                            "bidi control characters in code (they can make code read "
                            "differently from what it does); shown as <U+...>", line.source)
        texts.append(text)
    return retext(lines, texts)


def _bidi_shown(text: str) -> str:
    return BIDI_CONTROLS.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def _bidi_shown_in_code_spans(text: str) -> str:
    pieces, position = [], 0
    for start, end in code_span_ranges(text) if "`" in text else ():
        pieces += [text[position:start], _bidi_shown(text[start:end])]
        position = end
    return "".join(pieces) + text[position:]


def _drop_invisibles(text: str, removed: list[str]) -> str:
    def keep_or_drop(match: re.Match) -> str:
        char = match.group()
        if char == ZERO_WIDTH_JOINER and _joins_emoji(text, match.start()):
            return char
        removed.append(char)
        return ""

    return INVISIBLE.sub(keep_or_drop, text)


def _joins_emoji(text: str, position: int) -> bool:
    before = text[position - 1] if position > 0 else ""
    after = text[position + 1] if position + 1 < len(text) else ""
    return _is_emoji_part(before) and _is_emoji_part(after)


def _is_emoji_part(char: str) -> bool:
    if not char:
        return False
    return ord(char) >= 0x1F000 or char == "\ufe0f" or unicodedata.category(char) == "So"


def _expand_list_tabs(lines: list[Line], verbatim: list[bool], report: Reporter) -> list[Line]:
    """Tabs in the indentation of list items and of the lines that continue them."""
    texts, in_list = [], False
    for line, in_code in zip(lines, verbatim):
        text = line.text
        if not in_code and text.strip():
            indented = text[:1] in (" ", "\t")
            in_list = bool(LIST_ITEM.match(text)) or (in_list and indented)
            if in_list and "\t" in _indentation(text):
                text = _expand_indentation(text)
                report.info(Code.NORMALIZE_TABS, "tab in list indentation replaced by spaces "
                            f"(one nesting level = {TAB_STOP} columns)", line.source)
        texts.append(text)
    return retext(lines, texts)


def _indentation(text: str) -> str:
    return text[:len(text) - len(text.lstrip(" \t"))]


def _expand_indentation(text: str) -> str:
    indentation = _indentation(text)
    return indentation.expandtabs(TAB_STOP) + text[len(indentation):]


def _strip_trailing_spaces(lines: list[Line], verbatim: list[bool]) -> list[Line]:
    texts = [line.text for line in lines]
    for index, text in enumerate(texts):
        if verbatim[index] or text[-1:] not in (" ", "\t"):
            continue
        stripped = text.rstrip(" \t")
        hard_break = (stripped and text.endswith("  ") and index + 1 < len(texts)
                      and texts[index + 1].strip() and not verbatim[index + 1])
        texts[index] = stripped + ("  " if hard_break else "")
    return retext(lines, texts)
