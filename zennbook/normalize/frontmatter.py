"""Front matter that YAML cannot read, made readable without changing what it says.

The usual breakage in hand-written (or repaired) Zenn front matter is an unquoted value with
": " inside (``title: 第1回: 概論``) or one that starts with a YAML indicator; such values are
quoted. Tabs in indentation, which YAML forbids, become two spaces. If the block still does
not parse, it is left alone and the loader reports it.
"""
from __future__ import annotations

import re

import yaml

from ..diagnostics import Code
from ..safety.yamlload import FRONT_MATTER_MAX_BYTES, YamlRefused, load_yaml
from .lines import Line, Reporter
from .markdown import front_matter_end

PLAIN_VALUE = re.compile(r"^(?P<key>[ ]*[^\s:#'\"][^:#]*?):[ ]+(?P<value>\S.*?)\s*$")
NEEDS_QUOTES = re.compile(r": |\s#|^[@`%*&!,?]")
STRUCTURED = re.compile(r"""^(["'\[{|>]|&\w|\*\w|!\w)""")


def repair_front_matter(lines: list[Line], report: Reporter) -> list[Line]:
    end = front_matter_end([line.text for line in lines])
    if end == 0 or _parses(lines[1:end - 1]):
        return lines
    body = [_repair_line(line) for line in lines[1:end - 1]]
    if not _parses(body):
        return lines
    for old, new in zip(lines[1:end - 1], body):
        if old.text != new.text:
            report.warn(Code.NORMALIZE_FRONTMATTER,
                        "front matter value quoted so that YAML can read it", new.source)
    return [lines[0], *body, *lines[end - 1:]]


def _parses(lines: list[Line]) -> bool:
    """True when the block reads, or when what is wrong (an alias, its size) is nothing
    quoting could repair: the loader reports it."""
    try:
        load_yaml("\n".join(line.text for line in lines), FRONT_MATTER_MAX_BYTES)
        return True
    except YamlRefused:
        return True
    except yaml.YAMLError:
        return False


def _repair_line(line: Line) -> Line:
    text = re.sub(r"^\t+", lambda tabs: "  " * len(tabs.group()), line.text)
    match = PLAIN_VALUE.match(text)
    if not match or STRUCTURED.match(match.group("value")) \
            or not NEEDS_QUOTES.search(match.group("value")):
        return Line(text, line.source)
    value = match.group("value").replace("\\", "\\\\").replace('"', '\\"')
    return Line(f'{match.group("key")}: "{value}"', line.source)
