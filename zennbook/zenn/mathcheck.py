"""TeX that must not reach LaTeX: Zenn renders math with KaTeX in a browser, where these
commands do nothing harmful or fail alone; in a LuaLaTeX run they read and write files,
run Lua code or change how the rest of the book is read. Such math is shown as code."""
from __future__ import annotations

import re

from ..diagnostics import Code

UNSAFE_COMMANDS = frozenset({
    "directlua", "luaexec", "latelua", "luadirect", "luacode", "luaescapestring",
    "write", "write18", "immediate", "openout", "closeout", "openin", "closein", "read",
    "readline", "newwrite", "newread", "input", "include", "includeonly", "endinput",
    "InputIfFileExists", "IfFileExists", "usepackage", "RequirePackage", "documentclass",
    "catcode", "lccode", "uccode", "sfcode", "mathcode", "delcode", "scantokens",
    "makeatletter", "makeatother", "csname", "special", "shipout", "output", "everypar",
    "everymath", "everydisplay", "everyhbox", "everyvbox", "everyjob", "everyeof",
    "batchmode", "nonstopmode", "scrollmode", "errorstopmode", "dump",
})
_COMMAND = re.compile(r"\\([A-Za-z]+)")
_BARE_END = re.compile(r"\\end(?![A-Za-z])(?!\s*\{)")
_COMMENT = re.compile(r"(?<!\\)%.*")
_ESCAPED = re.compile(r"\\[\\{}%]")


def unsafe_commands(tex: str) -> list[str]:
    """The commands of `tex` that are not allowed, in order, without repeats."""
    found = [name for name in _COMMAND.findall(tex) if name in UNSAFE_COMMANDS]
    if _BARE_END.search(tex):          # \end{env} closes an environment; a bare \end ends the run
        found.append("end")
    return list(dict.fromkeys(found))


def braces_balanced(tex: str) -> bool:
    """Unbalanced braces stop a LaTeX run (KaTeX only fails that one formula)."""
    depth = 0
    text = _ESCAPED.sub("", _COMMENT.sub("", tex))
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def math_problem(tex: str) -> tuple[Code, str] | None:
    """Why `tex` must be shown as code instead of math (code, message), or None."""
    unsafe = unsafe_commands(tex)
    if unsafe:
        return Code.MATH_UNSAFE, "TeX command(s) not allowed in a book: " + \
            ", ".join("\\" + name for name in unsafe)
    if not braces_balanced(tex):
        return Code.MATH_INVALID, "unbalanced braces (LaTeX would stop)"
    return None
