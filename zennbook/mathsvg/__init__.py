"""Math every reader can show: TeX -> SVG with a spoken label, MathJax 4 from npm, offline.

The writers that want it (the reader's PDF; the EPUB with `epub.math: svg`) collect the
book's formulas, call render_formulas once (one node process for the batch, render.mjs),
and swap each formula for its SVG. Each formula is cached by its TeX, its display mode,
MathJax's version and our script; TeX that MathJax rejects keeps its fallback (MathML in
the EPUB, the TeX as code in the PDF) and is reported once.
"""
from .render import Drawn, Formula, RenderResult, render_formulas
from .svg import accessible_svg, formulas_in, replace_formulas

__all__ = ["Drawn", "Formula", "RenderResult", "accessible_svg", "formulas_in", "render_formulas",
           "replace_formulas"]
