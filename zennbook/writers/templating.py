"""Jinja2 environments over templates/: the look of every output lives there."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import jinja2

LATEX_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "$": r"\$",
                  "%": r"\%", "&": r"\&", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}"}
# The project's templates/ folder, installed inside the package (zennbook/templates).
TEMPLATES_DIR = Path(str(resources.files("zennbook") / "templates"))


@lru_cache(maxsize=None)
def html_environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=jinja2.select_autoescape(
            ["html", "xhtml", "html.j2", "xhtml.j2"], default_for_string=True),
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined)


@lru_cache(maxsize=None)
def latex_environment() -> jinja2.Environment:
    """LaTeX-friendly delimiters: braces are LaTeX's, so Jinja uses ((* *)) and ((( ))).

    Every value passes through the `tex` filter unless marked `|safe_tex`.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        block_start_string="((*", block_end_string="*))",
        variable_start_string="(((", variable_end_string=")))",
        comment_start_string="((#", comment_end_string="#))",
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, autoescape=False,
        undefined=jinja2.StrictUndefined)
    env.filters["tex"] = tex_escape
    return env


def tex_escape(text) -> str:
    """Text as LaTeX prints it: every character LaTeX reads specially, escaped."""
    return "".join(LATEX_SPECIALS.get(ch, ch) for ch in str(text))


def template_path(name: str) -> Path:
    return TEMPLATES_DIR / name
