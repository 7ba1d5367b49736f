"""Raw HTML as Zenn shows it: only `<br>`, `<br/>` and `<br />` are HTML (a line break);
a one-line `<!-- comment -->` is dropped; anything else raw is shown as its text."""
from __future__ import annotations

import panflute as pf

from zennbook.diagnostics import Code
from zennbook.safety.markup import RAW_BR as BR, RAW_COMMENT as COMMENT

from ._text import text_inlines


def raw_html(elem, doc):
    if isinstance(elem, pf.RawInline):
        return _inline(elem, doc)
    if isinstance(elem, pf.RawBlock):
        return _block(elem, doc)
    return None


def _inline(elem: pf.RawInline, doc):
    if elem.format == "html" and BR.fullmatch(elem.text):
        return pf.LineBreak()
    if elem.format == "html" and COMMENT.fullmatch(elem.text):
        return []
    _warn(elem, doc)
    return text_inlines(elem.text)


def _block(elem: pf.RawBlock, doc):
    text = elem.text.strip("\n")
    if elem.format == "html" and COMMENT.fullmatch(text):
        return []
    if elem.format == "html" and BR.fullmatch(text):
        return pf.Para(pf.LineBreak())
    _warn(elem, doc)
    return pf.Para(*text_inlines(text))


def _warn(elem, doc) -> None:
    first = elem.text.strip().split("\n")[0]
    doc.context.reporter.warn(Code.RAW_HTML, f"raw {elem.format} shown as text, as on Zenn: {first[:60]}", elem=elem)
