"""Bytes to text: byte order marks, UTF-8 first, then the Japanese legacy encodings."""
from __future__ import annotations

import codecs

from ..diagnostics import Code
from .lines import Report

BOM = "\ufeff"
BYTE_ORDER_MARKS = (              # UTF-32 before UTF-16: FF FE 00 00 starts with FF FE
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
LEGACY_JAPANESE = ("cp932", "euc_jp")


def decode(data: bytes | str, report: Report) -> str:
    """The text of a file; a leading BOM is dropped either way."""
    text = data if isinstance(data, str) else _decode_bytes(data, report)
    return text[1:] if text.startswith(BOM) else text


def _decode_bytes(data: bytes, report: Report) -> str:
    for mark, encoding in BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return _decode_or_replace(data, encoding, report)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        first_error = error.start
    legacy = _legacy_japanese(data)
    if legacy:
        encoding, text = legacy
        report.warning(Code.NORMALIZE_ENCODING,
                       f"file is {encoding}, not UTF-8; decoded as {encoding}", 1)
        return text
    return _decode_or_replace(data, "utf-8", report, first_error)


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


def _decode_or_replace(data: bytes, encoding: str, report: Report,
                       first_error: int | None = None) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        first_error = error.start if first_error is None else first_error
    text = data.decode(encoding, errors="replace")
    line = data[:first_error].count(b"\n") + 1
    report.warning(Code.NORMALIZE_ENCODING,
                   f"bytes that are not valid {encoding} replaced with U+FFFD "
                   f"({text.count(chr(0xFFFD))} characters)", line)
    return text
