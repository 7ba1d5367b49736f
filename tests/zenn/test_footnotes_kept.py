"""Footnotes Zenn would drop keep their words in a book, with a warning."""
from __future__ import annotations

from zennbook.diagnostics import Code
from zennbook.zenn import rewrite


def run(text: str):
    return rewrite(text, list(range(1, text.count("\n") + 2)), "a.md")


def test_second_definition_of_a_label_is_kept_as_text():
    out = run("本文[^1]\n\n[^1]: 最初の注\n\n[^1]: 二つ目の注\n")
    assert "最初の注" in out.text and "二つ目の注" in out.text
    (warning,) = [d for d in out.diagnostics if d.code == Code.ZENN_DUPLICATE_FOOTNOTE]
    assert warning.line == 5
    assert out.text.count("[^1]:") == 1, "only the first stays a footnote"


def test_unreferenced_definition_is_kept_at_the_end():
    out = run("本文だけ\n\n[^x]: 誰も参照しない注\n\nあとの段落\n")
    assert "誰も参照しない注" in out.text
    assert "[^x]:" not in out.text
    assert any(d.code == Code.ZENN_UNUSED_FOOTNOTE and d.line == 3 for d in out.diagnostics)


def test_display_math_under_a_text_line_is_text_with_a_warning_in_zenns_reading():
    text = "段落の行\n$$\nx^2\n$$\n"
    out = rewrite(text, list(range(1, text.count("\n") + 2)), "a.md", "text")
    assert "\\$\\$" in out.text, "escaped: pandoc must show it as text too"
    assert [(d.code, d.line) for d in out.diagnostics] == [(Code.MATH_INVALID, 2), (Code.MATH_INVALID, 4)]
