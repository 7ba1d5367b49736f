"""Obsidian wiki syntax mapped to standard Markdown (outside code).

- ``![[image.png]]`` → ``![image.png](<image.png>)``; ``![[image.png|300]]`` adds Zenn's
  size, ``![image.png](<image.png> =300x)`` (``|300x200`` → `` =300x200``); a non-numeric
  alias becomes the alt text. Whether the file exists is the image filter's business.
- ``![[Note]]`` (an embedded note, which cannot be transcluded here) and ``[[Page]]`` /
  ``[[Page|alias]]`` / ``[[Page#Heading]]`` become their visible text, as Obsidian shows it:
  the alias, else "Page > Heading", else "Page".
"""
from __future__ import annotations

import re

from ..diagnostics import Code
from .lines import Line, Reporter
from .markdown import map_outside_code_spans, verbatim_lines

EMBED = re.compile(r"!\[\[([^\[\]|]+?)(?:\|([^\[\]]*))?\]\]")
WIKI_LINK = re.compile(r"\[\[([^\[\]|]+?)(?:\|([^\[\]]*))?\]\]")
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".bmp", ".avif")
SIZE = re.compile(r"^\s*(\d+)(?:\s*x\s*(\d+))?\s*$")


def has_wiki_syntax(texts: list[str], verbatim: list[bool]) -> bool:
    return any(not in_code and WIKI_LINK.search(text) for text, in_code in zip(texts, verbatim))


def convert(lines: list[Line], report: Reporter) -> list[Line]:
    verbatim = verbatim_lines([line.text for line in lines])
    converted = []
    for line, in_code in zip(lines, verbatim):
        if in_code or "[[" not in line.text:
            converted.append(line)
            continue
        text = map_outside_code_spans(line.text, _rewrite)
        if text != line.text:
            report.info(Code.NORMALIZE_DIALECT,
                        "Obsidian wiki embeds/links mapped to Markdown", line.source)
        converted.append(Line(text, line.source))
    return converted


def _rewrite(text: str) -> str:
    """Until nothing changes, so "[[[[a]]]]" does not need a second run."""
    while True:
        rewritten = WIKI_LINK.sub(_visible_text, EMBED.sub(_embed, text))
        if rewritten == text:
            return text
        text = rewritten


def _embed(match: re.Match) -> str:
    target, alias = match.group(1).strip(), (match.group(2) or "").strip()
    path = target.split("#", 1)[0].strip()
    if not path.lower().endswith(IMAGE_EXTENSIONS):
        return _visible_text(match)
    size = SIZE.match(alias)
    alt = path.rsplit("/", 1)[-1] if (size or not alias) else alias
    dimensions = f" ={size.group(1)}x{size.group(2) or ''}" if size else ""
    return f"![{_escape_alt(alt)}](<{path}>{dimensions})"


def _visible_text(match: re.Match) -> str:
    target, alias = match.group(1).strip(), (match.group(2) or "").strip()
    if alias:
        return alias
    page, _, heading = target.partition("#")
    if not page:
        return heading
    return f"{page} > {heading}" if heading else page


def _escape_alt(alt: str) -> str:
    return alt.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
