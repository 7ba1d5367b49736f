"""Formulas for the compile test: one for every command and environment the whitelist lets
through (with arguments of the kinds KaTeX's table names), and the forms the real course
writes for KaTeX (bench/corpus.py)."""
from __future__ import annotations

import random

from bench.corpus import KATEX_ONLY_DISPLAY, KATEX_ONLY_INLINE, display_math
from zennbook.math import MathProblem, to_latex
from zennbook.math.commands import DELIMITED, INFIX, LIMITS, SHORTHANDS, SIZED, arguments
from zennbook.math.katex_names import ENVIRONMENTS, MATH_COMMANDS, UNICODE_COMMANDS
from zennbook.math.macros import shorthand

SAMPLE_ARGUMENT = {"size": "{0.5em}", "color": "{blue}", "raw": "{x}", "url": "{https://example.com}",
                   "text": "{ab}", "hbox": "{ab}", "primitive": "("}
ENVIRONMENT_BODIES = {"array": "{cc} a & b \\\\ c & d", "darray": "{cc} a & b \\\\ c & d",
                      "subarray": "{c} a \\\\ b", "alignat": "{2} a &= b & c &= d",
                      "alignat*": "{2} a &= b & c &= d", "alignedat": "{2} a &= b & c &= d"}


def command_formula(name: str) -> str:
    if name in DELIMITED:
        return r"\left( x \middle| y \right)" if name in ("left", "right", "middle") else rf"\{name}( x \{name})"
    if name in SIZED:
        return rf"a \{name} 3mu b"
    if name in INFIX:
        return rf"{{a \{name}{' 1pt' if name == 'above' else ''} b}}"
    if name in LIMITS:
        return rf"\sum\{name}_{{i=1}}^n x_i"
    if name in SHORTHANDS:
        return rf"a \{name}" + "{x}" * shorthand(SHORTHANDS[name]).arity + " b"
    mandatory, _, types = arguments(name)
    types = list(types)[-mandatory:] if mandatory else []
    args = "".join(SAMPLE_ARGUMENT.get(kind, "{x}") for kind in types + [None] * (mandatory - len(types)))
    return rf"a \{name}{args} b"


def environment_formula(name: str) -> str:
    body = ENVIRONMENT_BODIES.get(name, "a & b \\\\ c & d")
    return rf"\begin{{{name}}}{body}\end{{{name}}}"


def accepted(tex: str, display: bool) -> bool:
    try:
        to_latex(tex, display)
    except MathProblem:
        return False
    return True


def sweep() -> list[tuple[str, bool]]:
    """(formula, display) for each whitelisted command (inline) and environment (display)."""
    names = sorted((MATH_COMMANDS | set(SHORTHANDS) | LIMITS) - {"begin", "end", "right", "middle"})
    found = [(command_formula(name), False) for name in names]
    found += [(environment_formula(name), True) for name in sorted(ENVIRONMENTS)]
    characters = sorted(UNICODE_COMMANDS)
    found += [(" ".join(characters[i:i + 40]), False) for i in range(0, len(characters), 40)]
    return [(tex, display) for tex, display in found if accepted(tex, display)]


def course_forms(seed: int = 0, displays: int = 20) -> list[tuple[str, bool]]:
    rng = random.Random(seed)
    forms = [(tex, False) for tex in KATEX_ONLY_INLINE]
    forms += [("\n".join(lines), True) for lines in KATEX_ONLY_DISPLAY]
    forms += [("\n".join(display_math(rng)[1:-1]), True) for _ in range(displays)]
    return forms


def markdown_blocks(formulas: list[tuple[str, bool]]) -> list[list[str]]:
    return [["$$", tex, "$$"] if display else [f"式 ${tex}$ です。"] for tex, display in formulas]
