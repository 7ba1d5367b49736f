"""MathJax's SVG made a described image, and formulas found and replaced in HTML.

A drawn formula is `<svg role="img" aria-label="SPEECH"><title>SPEECH</title>...`: a
screen reader reads the speech, a reader without MathML sees the drawing. MathJax's own
attributes that are not SVG (data-*, focusable) are dropped; nothing else is kept but
paths, groups, rectangles, text and their geometry (the SVG comes from TeX we do not trust).
"""
from __future__ import annotations

import re
from html import unescape

from lxml import etree

SVG_NS = "http://www.w3.org/2000/svg"
# text: what MathJax's font lacks (Japanese in \text{}) it draws as SVG text
KEPT_ELEMENTS = frozenset({"svg", "g", "path", "rect", "line", "polyline", "polygon", "title", "text"})
KEPT_ATTRIBUTES = frozenset({"width", "height", "viewBox", "style", "role", "transform", "d", "x", "y",
                             "x1", "y1", "x2", "y2", "points", "fill", "stroke", "stroke-width",
                             "stroke-dasharray", "stroke-linecap", "aria-label", "class",
                             "font-size", "font-family", "font-weight", "font-style"})
STYLE_ALLOWED = re.compile(r"^\s*vertical-align:\s*-?[\d.]+ex;?\s*$")
# pandoc's MathML: <math display="..."> ... <annotation encoding="application/x-tex">TeX</annotation> ... </math>
MATHML = re.compile(r'<math\b[^>]*?display="(inline|block)"[^>]*>.*?'
                    r'<annotation encoding="application/x-tex">(.*?)</annotation>.*?</math>', re.DOTALL)


def accessible_svg(svg: str, speech: str) -> str:
    """MathJax's SVG, sanitized, with role="img", aria-label and a <title> of `speech`."""
    root = etree.fromstring(svg.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    for elem in list(root.iter()):
        if not isinstance(elem.tag, str) or etree.QName(elem).localname not in KEPT_ELEMENTS:
            elem.getparent().remove(elem)
            continue
        for name in list(elem.attrib):
            if name not in KEPT_ATTRIBUTES or (name == "style" and not STYLE_ALLOWED.match(elem.get(name))):
                del elem.attrib[name]
    root.set("role", "img")
    root.set("class", "math-svg")
    root.set("aria-label", speech)
    title = etree.Element(f"{{{SVG_NS}}}title")
    title.text = speech
    root.insert(0, title)
    return etree.tostring(root, encoding="unicode")


def formulas_in(html: str) -> list[tuple[str, bool]]:
    """(TeX, display) of every MathML formula pandoc wrote in `html`."""
    return [(unescape(m.group(2)), m.group(1) == "block") for m in MATHML.finditer(html)]


def replace_formulas(html: str, svg_of) -> str:
    """Each MathML formula replaced by `svg_of(tex, display)` in a span.math-inline or
    .math-display (kept as it is when that gives None)."""
    def swap(match: re.Match) -> str:
        display = match.group(1) == "block"
        svg = svg_of(unescape(match.group(2)), display)
        if svg is None:
            return match.group(0)
        kind = "math-display" if display else "math-inline"
        return f'<span class="math {kind}">{svg}</span>'
    return MATHML.sub(swap, html)
