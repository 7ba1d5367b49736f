"""`epub.math: svg`: each MathML formula of the chapters drawn as SVG with a spoken label.

Most e-readers draw no MathML; every one draws SVG. The formula becomes
<span class="math math-inline|math-display"><svg role="img" aria-label="SPEECH">...</span>
(zennbook.mathsvg, one node batch for the book). A formula MathJax cannot draw stays
MathML, with its TeX as alttext, and is reported at its article. Runs after the chapter
cache: the cached chapters are the same for both settings.
"""
from __future__ import annotations

from lxml import etree

from ...diagnostics import Code
from ...mathsvg import Formula, render_formulas
from .xhtml import MATHML_NS, XHTML_NS, Chapter, replace_with

TEX = f"{{{MATHML_NS}}}annotation[@encoding='application/x-tex']"


def formula_of(math: etree._Element) -> Formula | None:
    annotation = math.find(f".//{TEX}")
    tex = annotation.text if annotation is not None else math.get("alttext")
    return Formula(tex, math.get("display") == "block") if tex else None


def draw_math(chapters: list[Chapter], context) -> None:
    found = [(c, m, formula_of(m)) for c in chapters for m in c.root.iter(f"{{{MATHML_NS}}}math")]
    found = [(c, m, f) for c, m, f in found if f is not None]
    if not found:
        return
    result = render_formulas([f for _, _, f in found], context.cache.root / "mathsvg")
    if result.unavailable:
        context.diagnostics.warning(Code.MATH_SVG_UNAVAILABLE, f"formulas kept as MathML: {result.unavailable}")
        return
    for chapter, math, formula in found:
        drawn = result.drawn.get(formula)
        if drawn is None:
            context.diagnostics.reporter(chapter.article.label).warn(
                Code.MATH_SVG_FAILED, f"formula {formula.tex[:80]!r} not drawn by MathJax "
                f"({result.errors.get(formula)}); kept as MathML")
            continue
        span = etree.Element(f"{{{XHTML_NS}}}span", {"class": f"math math-{'display' if formula.display else 'inline'}"})
        span.append(etree.fromstring(drawn.svg.encode("utf-8")))
        span.tail = math.tail
        replace_with(math, [span])
