"""The one YAML loader for everything a book hands us: book.yaml, a Zenn config.yaml,
cards.yaml and every article's front matter.

None of these needs anchors, aliases or merge keys, and aliases are how a few hundred bytes
expand into gigabytes ("billion laughs"): they are refused, with the line. The document's
size and nesting depth are capped too, so that neither memory nor Python's stack runs out.
Strings come back with the characters no output can carry (controls, lone surrogates,
noncharacters) removed; the caller is told how many.
"""
from __future__ import annotations

import yaml
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent

from .chars import scrub

MAX_DEPTH = 40                       # nesting of mappings and lists; real books use 4
FRONT_MATTER_MAX_BYTES = 256 * 1024
CONFIG_MAX_BYTES = 4 * 1024 * 1024   # book.yaml, config.yaml, cards.yaml


class YamlRefused(yaml.MarkedYAMLError):
    """YAML we do not read (an alias, an anchor, a merge key, too deep, too large)."""

    def __init__(self, problem: str, mark=None):
        super().__init__(problem=problem, problem_mark=mark)


class BoundedLoader(yaml.SafeLoader):
    """SafeLoader without anchors, aliases or merge keys, and with a depth limit."""

    def __init__(self, stream):
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            raise YamlRefused(f"alias '*{event.anchor}': aliases are not read here; "
                              "write the value out", event.start_mark)
        if isinstance(event, (ScalarEvent, CollectionStartEvent)) and event.anchor is not None:
            raise YamlRefused(f"anchor '&{event.anchor}': anchors and aliases are not read here; "
                              "write the value out", event.start_mark)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise YamlRefused(f"nested more than {MAX_DEPTH} levels deep", event.start_mark)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def flatten_mapping(self, node):
        for key, _ in node.value:
            if key.tag == "tag:yaml.org,2002:merge":
                raise YamlRefused("merge key '<<': not read here; write the keys out", key.start_mark)
        super().flatten_mapping(node)


def load_yaml(text: str, max_bytes: int = CONFIG_MAX_BYTES) -> tuple[object, int]:
    """The document in `text` and the number of unprintable characters removed from its
    strings. Raises yaml.YAMLError (YamlRefused for what we refuse to read)."""
    if len(text.encode("utf-8", "surrogatepass")) > max_bytes:
        raise YamlRefused(f"{len(text) // 1024} KiB of YAML is over the {max_bytes // 1024} KiB limit")
    try:
        data = yaml.load(text, Loader=BoundedLoader)   # noqa: S506 - a SafeLoader, bounded
    except RecursionError as exc:
        raise YamlRefused("nested too deeply") from exc
    removed = [0]
    return scrub_strings(data, removed), removed[0]


def scrub_strings(value, removed: list[int]):
    """Every string in the document (keys too) with unprintable characters removed."""
    if isinstance(value, str):
        text, count = scrub(value)
        removed[0] += count
        return text
    if isinstance(value, list):
        return [scrub_strings(item, removed) for item in value]
    if isinstance(value, dict):
        return {scrub_strings(k, removed): scrub_strings(v, removed) for k, v in value.items()}
    return value
