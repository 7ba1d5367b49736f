"""Zenn front matter: only a YAML block at the very top of a file is metadata.

A later `---` is a horizontal rule (or a setext underline), never YAML: Zenn's gray-matter
reads one leading block, and so do we.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from .diagnostics import Code, Diagnostic, Level
from .safety.yamlload import FRONT_MATTER_MAX_BYTES, YamlRefused, load_yaml

# Zenn's keys and the Jekyll / Obsidian ones we map; other keys are ignored, as Zenn does.
STRING_FIELDS = ("title", "emoji", "type", "lang", "published_at", "publication_name", "author")
KNOWN_TYPES = ("tech", "idea")


@dataclass
class FrontMatter:
    data: dict = field(default_factory=dict)
    body_start: int = 0            # index of the first body line (0-based)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def split_front_matter(lines: list[str], path: str, line_of=lambda i: i + 1) -> FrontMatter:
    """Find the leading `---` ... `---` block in `lines` and parse it as YAML."""
    if not lines or lines[0].rstrip() != "---":
        return FrontMatter()
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        # No closing line: Zenn shows it as text; so do we (a rule and paragraphs).
        return FrontMatter(diagnostics=[Diagnostic(
            Level.WARNING, Code.FRONTMATTER_SYNTAX,
            "front matter has no closing '---'; read as body text", path, line_of(0))])
    result = FrontMatter(body_start=end + 1)
    try:
        data, removed = load_yaml("\n".join(lines[1:end]), FRONT_MATTER_MAX_BYTES)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = line_of(1 + mark.line) if mark else line_of(0)
        advice = "" if isinstance(exc, YamlRefused) else "; fix the YAML (quote values containing ':')"
        result.diagnostics.append(Diagnostic(
            Level.ERROR, Code.FRONTMATTER_SYNTAX,
            f"invalid YAML in front matter: {getattr(exc, 'problem', None) or exc}{advice}", path, line))
        return result
    if removed:
        result.diagnostics.append(Diagnostic(
            Level.WARNING, Code.NORMALIZE_CONTROL,
            f"removed {removed} control characters, lone surrogates or noncharacters from the "
            "front matter's values", path, line_of(0)))
    if data is None:
        return result
    if not isinstance(data, dict):
        result.diagnostics.append(Diagnostic(
            Level.ERROR, Code.FRONTMATTER_NOT_MAPPING,
            f"front matter is a {type(data).__name__}, expected 'key: value' lines", path, line_of(0)))
        return result
    result.data = clean_fields(data, path, line_of(0), result.diagnostics)
    return result


def clean_fields(data: dict, path: str, line: int, diagnostics: list[Diagnostic]) -> dict:
    """Type-check the fields we use; keep the rest untouched (they are ignored)."""
    clean = dict(data)
    for key in STRING_FIELDS:
        if key in clean and clean[key] is not None and not isinstance(clean[key], str):
            clean[key] = str(clean[key])
    if "topics" in clean and not isinstance(clean["topics"], list):
        diagnostics.append(Diagnostic(Level.WARNING, Code.FRONTMATTER_FIELD,
                                      "'topics' should be a list; ignored", path, line))
        clean.pop("topics")
    if "type" in clean and clean["type"] not in KNOWN_TYPES and "layout" not in clean:
        diagnostics.append(Diagnostic(Level.WARNING, Code.FRONTMATTER_FIELD,
                                      f"'type: {clean['type']}': Zenn knows tech and idea", path, line))
    return clean
