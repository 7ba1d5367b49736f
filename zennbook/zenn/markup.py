"""Small pieces of pandoc Markdown the text stage writes: lines with provenance (the one
`Line` of normalize/lines.py: text and source line), attributes."""
from __future__ import annotations

import re

# ASCII punctuation with a meaning somewhere in pandoc's commonmark_x; a backslash before any
# ASCII punctuation is always a literal character, so escaping more than needed is harmless.
_ACTIVE = re.compile(r"([\\`*_{}\[\]()<>!|$~^&#+\-.:=\"'@%])")


def escape_text(text: str) -> str:
    """`text` as pandoc Markdown that reads back as exactly `text` (one line)."""
    return _ACTIVE.sub(r"\\\1", text)


def attr_value(value: str, info_string: bool = False) -> str:
    """A double-quoted attribute value. commonmark_x decodes entities in it, nothing else;
    in a code fence's info string, escapes and entities are decoded once more before."""
    value = value.replace("&", "&amp;").replace('"', "&quot;")
    if info_string:
        value = value.replace("\\", "\\\\").replace("&", "&amp;")
    return '"' + value + '"'


def attributes(classes: list[str] = (), info_string: bool = False, **pairs: object) -> str:
    """`{.a .b key="value" ...}`; keys spelled with '_' are written with '-'; None is left out.
    `info_string`: the attributes go after a code fence."""
    parts = [f".{c}" for c in classes]
    for key, value in pairs.items():
        if value is not None:
            parts.append(f"{key.replace('_', '-')}={attr_value(str(value), info_string)}")
    return "{" + " ".join(parts) + "}"


def fence_for(content: str, info: str) -> str:
    """A code fence longer than any run of its character in `content`."""
    char = "~" if "`" in info else "`"
    runs = re.findall(re.escape(char) + "+", content)
    return char * max(3, 1 + max((len(r) for r in runs), default=0))


def block_start_safe(line: str) -> str:
    """`line` (already rewritten inline text) made unable to open a block: it was in the
    middle of a paragraph and now starts one (a list item, heading, quote, reference...)."""
    stripped = line.lstrip(" ")
    numbered = re.match(r"(\d{1,9})([.)])", stripped)
    if numbered:
        return numbered.group(1) + "\\" + stripped[numbered.end(1):]
    if stripped[:1] in ("-", "+", "*", "#", ">", "=", "~") or re.match(r"\[[^\]]*\]:", stripped):
        return "\\" + stripped
    return stripped
