"""Zenn's predefined KaTeX macros, expanded so every output reads the same TeX.

zenn-embed-elements renders math with `macros: {'\\RR': '\\mathbb{R}'}`. pandoc's MathML
writer does not know `\\RR` (it would print the formula as raw TeX), so the filter writes
what the macro means. LaTeX gets the same text; the .sty also defines \\RR for safety.
"""
from __future__ import annotations

import re

import panflute as pf

ZENN_MACROS = {"RR": r"\mathbb{R}"}
MACRO_USE = re.compile(r"\\(" + "|".join(ZENN_MACROS) + r")(?![A-Za-z])")


def math_macros(elem, doc):
    if not isinstance(elem, pf.Math) or "\\" not in elem.text:
        return None
    elem.text = MACRO_USE.sub(lambda m: ZENN_MACROS[m.group(1)], elem.text)
    return None
