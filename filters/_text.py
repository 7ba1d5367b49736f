"""Plain text as pandoc inlines (a helper of the filters, not a filter)."""
from __future__ import annotations

import re

import panflute as pf


def text_inlines(text: str) -> list[pf.Inline]:
    """`text` as Str and Space inlines, its line breaks as LineBreak: visible, verbatim."""
    out: list[pf.Inline] = []
    for k, line in enumerate(text.split("\n")):
        if k:
            out.append(pf.LineBreak())
        for m, word in enumerate(re.split(r"[ \t]+", line)):
            if m:
                out.append(pf.Space())
            if word:
                out.append(pf.Str(word))
    return out


def inside(elem: pf.Element, kinds: tuple[type, ...]) -> bool:
    """True when an ancestor of `elem` is one of `kinds`."""
    parent = elem.parent
    while parent is not None:
        if isinstance(parent, kinds):
            return True
        parent = parent.parent
    return False
