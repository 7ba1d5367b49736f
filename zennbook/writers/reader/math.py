"""The units' formulas drawn as SVG with a spoken label (zennbook.mathsvg), in one batch.

WeasyPrint draws no MathML: a formula MathJax cannot draw is shown as its TeX, as code,
with a warning at its article."""
from __future__ import annotations

import dataclasses
from html import escape

from ...diagnostics import Code
from ...mathsvg import Formula, formulas_in, render_formulas, replace_formulas


def draw_math(units: list, context) -> list:
    wanted = {Formula(tex, display) for unit in units for tex, display in formulas_in(unit.body)}
    if not wanted:
        return units
    result = render_formulas(wanted, context.cache.root / "mathsvg")
    if result.unavailable:
        context.diagnostics.warning(Code.MATH_SVG_UNAVAILABLE, f"formulas shown as TeX: {result.unavailable}")
    drawn = []
    for unit in units:
        report_failures(unit, result, context.diagnostics)
        drawn.append(dataclasses.replace(unit, body=replace_formulas(unit.body, lambda t, d: svg_or_tex(result, t, d))))
    return drawn


def svg_or_tex(result, tex: str, display: bool) -> str:
    formula = Formula(tex, display)
    if formula in result.drawn:
        return result.drawn[formula].svg
    return f'<code class="math-tex math-{"display" if display else "inline"}">{escape(tex)}</code>'


def report_failures(unit, result, diagnostics) -> None:
    for tex, display in dict.fromkeys(formulas_in(unit.body)):
        error = result.errors.get(Formula(tex, display))
        if error and not result.unavailable:
            diagnostics.warning(Code.MATH_SVG_FAILED, f"formula {tex[:80]!r} not drawn by MathJax ({error}); "
                                "shown as its TeX", unit.label)
