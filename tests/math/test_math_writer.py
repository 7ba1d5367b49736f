"""The LaTeX writer's use of the whitelist: body math guarded and located, heading math
(which also reaches the PDF bookmarks) held to the same check."""
from __future__ import annotations

import panflute as pf

from zennbook.diagnostics import Code, Diagnostics
from zennbook.pandoc import markdown_to_doc
from zennbook.writers.latex import render_math


def rendered(markdown: str):
    doc = markdown_to_doc(markdown)
    doc.diagnostics, doc.label, doc.zb_lines = Diagnostics(), "a.md", {}
    doc.reporter = doc.diagnostics.reporter(doc.label)       # as article_latex makes it
    maths = []
    doc.walk(lambda elem, _doc: maths.append(elem) if isinstance(elem, pf.Math) else None)
    return doc, [(math, render_math(math, doc)) for math in maths]


def test_heading_math_is_written_by_the_whitelist():
    _, [(math, result)] = rendered("# 実数 $\\R^d$\n")
    assert result is None and math.text == r"\mathbb{R}^{d}"


def test_hostile_heading_math_becomes_code_with_a_warning():
    doc, [(_, result)] = rendered("# 見出し $\\UseName{directlua}{os.exit()}$\n")
    assert isinstance(result, pf.Code) and "UseName" in result.text
    assert [d.code for d in doc.diagnostics.items] == [Code.MATH_UNSAFE]
    assert "\\UseName" in doc.diagnostics.items[0].message


def test_body_math_is_guarded_and_a_dropped_part_is_reported():
    doc, [(_, result)] = rendered("本文 $a \\tag{1}$ です。\n")
    assert result.format == "latex" and result.text.startswith("\\zbmath{}{a")
    assert [d.code for d in doc.diagnostics.items] == [Code.MATH_DROPPED]


def test_a_display_tag_becomes_the_guard_s_tag():
    _, [(_, result)] = rendered("$$\n\\begin{aligned} a &= b \\tag{3} \\end{aligned}\n$$\n")
    assert result.text.endswith("{3}") and "\\tag" not in result.text
