"""Helpers of the text-stage tests: rewrite Zenn Markdown and read the result with pandoc."""
from __future__ import annotations

import panflute as pf

from zennbook.pandoc import markdown_to_doc
from zennbook.provenance import is_anchor
from zennbook.zenn import Rewritten, rewrite


def rewritten(text: str, first_line: int = 1) -> Rewritten:
    return rewrite(text, list(range(first_line, first_line + text.count("\n") + 1)), "t.md")


def parsed(text: str) -> tuple[pf.Doc, Rewritten]:
    out = rewritten(text)
    return markdown_to_doc(out.text, "t.md"), out


def blocks(text: str) -> list[pf.Block]:
    return list(parsed(text)[0].content)


def find(doc: pf.Element, kind: type, test=lambda e: True) -> list:
    """The elements of `kind` that pass `test`; the source-line anchors are not content."""
    found: list = []
    doc.walk(lambda e, d: found.append(e) if isinstance(e, kind) and test(e) and not is_anchor(e) else None)
    return found


def divs(doc: pf.Element, cls: str) -> list[pf.Div]:
    return find(doc, pf.Div, lambda e: cls in e.classes)


def codes(out: Rewritten) -> list[str]:
    return [d.code.value for d in out.diagnostics]
