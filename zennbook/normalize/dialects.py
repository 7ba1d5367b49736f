"""Which dialect a file is written in, and its mapping to Zenn's own syntax.

- jekyll: front matter with ``layout`` or other Jekyll keys and none of Zenn's. Kept as it
  is; the loader maps title/lang and ignores the rest.
- obsidian: ``[[wiki]]`` links or ``![[embeds]]`` outside code, front matter (if any) not
  Zenn's. Embeds and links are mapped (obsidian.py); in other dialects ``[[x]]`` is text.
- github: ``<details>``, alert quotes or ```` ```math ````.
- plain: no front matter and no Markdown structure at all (plain.py).
- zenn: everything else.

GitHub constructs are mapped in every dialect: Zenn would show them as raw text, which no
author means. Front matter is never rewritten here.
"""
from __future__ import annotations

import re

import yaml

from ..safety.yamlload import FRONT_MATTER_MAX_BYTES, load_yaml

from . import github, obsidian, plain
from .containers import render, widen_enclosing
from .lines import Line, Reporter
from .markdown import front_matter_end, verbatim_lines

ZENN_KEYS = {"emoji", "topics", "published", "published_at", "publication_name"}
JEKYLL_KEYS = {"layout", "permalink", "categories", "category", "tags", "date", "lang",
               "excerpt", "author", "redirect_from", "translated", "generated"}
KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


def detect(lines: list[Line]) -> str:
    texts = [line.text for line in lines]
    end = front_matter_end(texts)
    keys = _front_matter_keys(texts[1:end - 1]) if end else set()
    body = texts[end:]
    verbatim = verbatim_lines(body)
    if keys and ("layout" in keys or (keys & JEKYLL_KEYS and not keys & ZENN_KEYS)):
        return "jekyll"
    if not keys & ZENN_KEYS and obsidian.has_wiki_syntax(body, verbatim):
        return "obsidian"
    if github.has_github_syntax(body, verbatim):
        return "github"
    if not end and plain.looks_plain(body):
        return "plain"
    return "zenn"


def _front_matter_keys(texts: list[str]) -> set[str]:
    try:
        data, _ = load_yaml("\n".join(texts), FRONT_MATTER_MAX_BYTES)
    except yaml.YAMLError:
        data = None
    if isinstance(data, dict):
        return {str(key) for key in data}
    return {match.group(1) for text in texts if (match := KEY.match(text))}


def map_to_zenn(lines: list[Line], dialect: str, report: Reporter) -> list[Line]:
    """The body (after any front matter) rewritten for the dialect."""
    end = front_matter_end([line.text for line in lines])
    head, body = lines[:end], lines[end:]
    if dialect == "plain":
        return head + plain.convert(body, report)
    if dialect == "obsidian":
        body = obsidian.convert(body, report)
    return head + widen_enclosing(render(github.convert(body, report)))
