"""Math for LaTeX: a formula as KaTeX reads it, checked against a whitelist, written again.

    tex -> tokens -> macros expanded (in Python) -> parse tree (whitelist checked) -> LaTeX

`to_latex` returns the LaTeX to typeset, or raises MathProblem: the formula is then printed
as its source with a warning. Nothing of the source reaches LaTeX but characters and the
whitelisted names the emitter writes (commands.EMITTED_NAMES).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .commands import SHORTHANDS
from .errors import MathProblem
from .macros import expand
from .nodes import Align, Environment, Newline
from .parse import Parser
from .tokens import tokenize
from .tolatex import write

__all__ = ["MathProblem", "MathResult", "to_latex", "math_names"]
MATH_COMMAND = re.compile(r"\\([^\W\d_]+)")
MATH_ENVIRONMENT = re.compile(r"\\(begin|end)\s*\{([^{}]*)\}")


@dataclass
class MathResult:
    latex: str
    tag: str = ""                        # a display's \tag, for the writer to place
    notes: list[str] = field(default_factory=list)     # what was left out (warn, still print)


def to_latex(tex: str, display: bool) -> MathResult:
    parser = Parser(expand(tokenize(tex), SHORTHANDS))
    items = top_level(parser.parse())
    notes = list(parser.notes)
    tags = parser.tags
    if tags and not display:
        notes.append("\\tag in inline math (only a display has a number)")
    elif len(tags) > 1:
        notes.append(f"{len(tags) - 1} \\tag after the first (a display has one number)")
    tag = tags[0].strip() if tags and display else ""
    return MathResult(write(items, "body"), tag, notes)


def top_level(items: list) -> list:
    """KaTeX lets & and \\\\ stand at the top of a formula; LaTeX wants them in an alignment."""
    while items and isinstance(items[0], Newline):
        items = items[1:]
    while items and isinstance(items[-1], Newline):
        items = items[:-1]
    if any(isinstance(item, Align) for item in items):
        return [Environment("aligned", [], None, items)]
    if any(isinstance(item, Newline) for item in items):
        return [Environment("gathered", [], None, items)]
    return items


def math_names(latex: str) -> str:
    """The control sequences and environments a formula uses, for the .sty's guard."""
    names = MATH_COMMAND.findall(latex) + [n.strip() for _, n in MATH_ENVIRONMENT.findall(latex)]
    return ",".join(sorted(set(names)))
