"""Bytes to text: byte order marks, UTF-16 without one, UTF-8, then the Japanese legacy
encodings.

UTF-16 and UTF-32 are converted with a warning saying so (Zenn reads UTF-8), whether a byte
order mark names the encoding or UTF-16 is recognised without one. It is recognised only
when unmistakable: the file has NUL bytes (ASCII in UTF-16), decodes in exactly one byte
order without error, and reads as text there (line feeds or plenty of ASCII, and almost
nothing outside the scripts and symbols of text). Read in the wrong byte order, ASCII
becomes U+xx00 characters and a line feed an unassigned one, so the two orders never both
pass; binary data passes neither.
"""
from __future__ import annotations

import codecs
import unicodedata

from ..diagnostics import Code
from .lines import Reporter

BOM = "\ufeff"
WIDE_BYTE_ORDER_MARKS = (         # UTF-32 before UTF-16: FF FE 00 00 starts with FF FE
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32 (little-endian)"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32 (big-endian)"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 (little-endian)"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 (big-endian)"),
)
WITHOUT_BOM = (("utf-16-le", "UTF-16 (little-endian)"), ("utf-16-be", "UTF-16 (big-endian)"))
LEGACY_JAPANESE = ("cp932", "euc_jp")
MAX_FOREIGN_SHARE = 0.01          # characters outside text's repertoire, in UTF-16 read as text
MIN_ASCII_SHARE = 0.2             # or this much ASCII, for UTF-16 text without a line feed


def decode(data: bytes | str, report: Reporter) -> str:
    """The text of a file; a leading BOM is dropped either way."""
    text = data if isinstance(data, str) else _decode_bytes(data, report)
    return text[1:] if text.startswith(BOM) else text


def wide_encoding(data: bytes) -> tuple[str, str, bool] | None:
    """(codec, what to call it, whether a BOM said so) for UTF-16/UTF-32 text, else None.

    Such files are full of NUL bytes; this is how the article reader tells them from binary.
    A BOM followed by something that does not read as text is not taken at its word.
    """
    for mark, encoding, name in WIDE_BYTE_ORDER_MARKS:
        if data.startswith(mark):
            text = data.decode(encoding, errors="replace")
            return (encoding, name, True) if reads_as_text(text) else None
    if b"\x00" not in data or len(data) % 2:
        return None
    found = [(encoding, name) for encoding, name in WITHOUT_BOM if _decodes_as_text(data, encoding)]
    return (*found[0], False) if len(found) == 1 else None


def _decodes_as_text(data: bytes, encoding: str) -> bool:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return False
    ascii_share = sum(" " <= char <= "~" for char in text) / len(text)
    return reads_as_text(text) and ("\n" in text or ascii_share >= MIN_ASCII_SHARE)


def reads_as_text(text: str) -> bool:
    """Whether almost every character is one that text is made of."""
    if not text:
        return False
    foreign = sum(not _text_character(char) for char in text)
    return foreign <= max(1, len(text) * MAX_FOREIGN_SHARE)   # one: a file cut short


def _text_character(char: str) -> bool:
    if char in "\t\n\r" or char == BOM:
        return True
    code = ord(char)
    if unicodedata.category(char) in ("Cc", "Cn", "Co", "Cs"):
        return False
    return (code < 0x0530 or 0x1E00 <= code <= 0x2BFF or 0x3000 <= code <= 0x9FFF
            or 0xAC00 <= code <= 0xD7A3 or 0xFE30 <= code <= 0xFFFC
            or 0x1F000 <= code <= 0x1FAFF or 0x20000 <= code <= 0x3FFFF)


def _decode_bytes(data: bytes, report: Reporter) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return _decode_or_replace(data, "utf-8-sig", report)
    wide = wide_encoding(data)
    if wide:
        return _decode_wide(data, *wide, report)
    for mark, encoding, _ in WIDE_BYTE_ORDER_MARKS:
        if data.startswith(mark):                    # a BOM, then no text: bytes replaced
            return _decode_or_replace(data, encoding, report)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        first_error = error.start
    legacy = _legacy_japanese(data)
    if legacy:
        encoding, text = legacy
        report.warn(Code.NORMALIZE_ENCODING,
                    f"file is {encoding}, not UTF-8; decoded as {encoding}", 1)
        return text
    return _decode_or_replace(data, "utf-8", report, first_error)


def _decode_wide(data: bytes, encoding: str, name: str, with_bom: bool, report: Reporter) -> str:
    how = "with a byte order mark" if with_bom else "without a byte order mark, recognised"
    report.warn(Code.NORMALIZE_ENCODING,
                f"file is {name} {how}; converted to UTF-8 (Zenn reads UTF-8: save it so)", 1)
    return _decode_or_replace(data, encoding, report)


def _legacy_japanese(data: bytes) -> tuple[str, str] | None:
    """Shift_JIS or EUC-JP, when the bytes decode cleanly and read as Japanese."""
    best = None
    for encoding in LEGACY_JAPANESE:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        share = _japanese_share(text)
        if share > 0.2 and (best is None or share > best[0]):
            best = (share, encoding, text)
    return best and (best[1], best[2])


def _japanese_share(text: str) -> float:
    non_ascii = [char for char in text if ord(char) > 0x7F]
    if not non_ascii:
        return 0.0
    japanese = sum(1 for char in non_ascii if 0x3040 <= ord(char) <= 0x30FF
                   or 0x4E00 <= ord(char) <= 0x9FFF or 0x3000 <= ord(char) <= 0x303F)
    return japanese / len(non_ascii)


def _decode_or_replace(data: bytes, encoding: str, report: Reporter,
                       first_error: int | None = None) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        first_error = error.start if first_error is None else first_error
    text = data.decode(encoding, errors="replace")
    line = data[:first_error].decode(encoding, errors="replace").count("\n") + 1
    report.warn(Code.NORMALIZE_ENCODING,
                f"bytes that are not valid {encoding} replaced with U+FFFD "
                f"({text.count(chr(0xFFFD))} characters)", line)
    return text
