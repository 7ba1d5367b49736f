"""Math that must not reach any format as math, decided by the one whitelist (zennbook.math).

Zenn renders math with KaTeX in a browser; the book sets it with LuaLaTeX (PDF) and pandoc's
MathML (HTML, EPUB). A formula the whitelist refuses as unsafe (a name KaTeX does not know,
or one that could act on TeX: read or write files, run Lua, change how the rest of the book
is read) or cannot read at all (unbalanced braces, a bare \\end) is shown as code in every
format, with one warning, here at the Zenn stage.

A formula KaTeX draws and print cannot (the whitelist's "unsupported": \\verb, CD diagrams,
\\includegraphics) passes: MathML may draw it, and the LaTeX writer prints its source with
its own [math.unsupported] warning. Print-only notes (a \\tag inline) are the writer's too.
"""
from __future__ import annotations

from ..diagnostics import Code
from ..math import MathProblem, to_latex

REFUSED = {"unsafe": Code.MATH_UNSAFE, "invalid": Code.MATH_INVALID}
REASONS = {"unsafe": "not allowed in a book (only KaTeX's commands that cannot touch files, run code "
                     "or change LaTeX are)",
           "invalid": "neither KaTeX nor LaTeX can read it"}


def math_problem(tex: str) -> tuple[Code, str] | None:
    """Why `tex` must be shown as code instead of math (code, message), or None. A `$` that
    Zenn's pairing leaves inside a formula is a TeX dollar: the writer escapes it so."""
    try:
        to_latex(tex.replace("$", "\\$"), display=True)
    except MathProblem as problem:
        if problem.kind in REFUSED:
            return REFUSED[problem.kind], f"{problem.message}: {REASONS[problem.kind]}"
    return None
