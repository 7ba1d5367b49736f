"""Normalization, the first stage: damaged, foreign-dialect input in, Zenn Markdown out.

    from zennbook.normalize import normalize
    result = normalize(data, "articles/intro.md")
    result.text, result.lines, result.diagnostics, result.dialect

The stage list below is the whole design; each step lives in its own module. Clean input
passes through unchanged apart from the hygiene documented in hygiene.py.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..diagnostics import Diagnostic
from .decoding import decode
from .dialects import detect, map_to_zenn
from .frontmatter import repair_front_matter
from .hygiene import clean
from .lines import Line, Reporter, join_lines, split_lines
from .mojibake import joins_mojibake, repair_mojibake

__all__ = ["Normalized", "normalize"]
MAX_PASSES = 3


@dataclass(frozen=True)
class Normalized:
    text: str                       # LF line ends, NFC, Zenn-dialect Markdown
    lines: list[int]                # per output line, its 1-based line in the original file
    diagnostics: list[Diagnostic]
    dialect: str                    # 'zenn' | 'github' | 'obsidian' | 'jekyll' | 'plain'


def normalize(data: bytes | str, path: str) -> Normalized:
    report = Reporter(path)
    text = decode(data, report)                     # BOM, UTF-8 / UTF-16 / Shift_JIS
    lines = split_lines(text)                       # CRLF, CR -> LF; provenance starts here
    lines = _repaired_and_clean(lines, report)
    lines = repair_front_matter(lines, report)      # YAML that does not parse
    dialect = detect(lines)
    lines = map_to_zenn(lines, dialect, report)     # GitHub / Obsidian / plain -> Zenn
    return Normalized(join_lines(lines), [line.source for line in lines], report.items,
                      dialect)


def _repaired_and_clean(lines: list[Line], report: Reporter) -> list[Line]:
    """Mojibake repair (ftfy + lossy-byte recovery), then hygiene. Removing a control or
    invisible character can join two halves of mojibake ("Ã\u200b©"); then repair again."""
    lines = repair_mojibake(lines, report)
    for _ in range(MAX_PASSES):
        cleaned = clean(lines, report)
        if not joins_mojibake(lines, cleaned):
            return cleaned
        lines = repair_mojibake(cleaned, report)
    return clean(lines, report)
