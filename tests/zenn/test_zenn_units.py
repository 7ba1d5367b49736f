"""The pieces of the text stage on their own: URL matching, embed rules, TeX checks; and
the stage's invariants on arbitrary Zenn-like text."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zennbook.diagnostics import Code
from zennbook.zenn import embeds, rewrite
from zennbook.zenn.mathcheck import math_problem
from zennbook.zenn.urls import match_url


@pytest.mark.parametrize("text, url", [
    ("https://example.com.", "https://example.com"),
    ("https://example.com/a_(b)c) x", "https://example.com/a_(b)c"),
    ("https://ja.wikipedia.org/wiki/日本語。です", "https://ja.wikipedia.org/wiki/日本語。です"),
    ("https://example.com/x**", "https://example.com/x"),
    ('https://e.com/"q" x', 'https://e.com/"q"'), ('https://e.com/"q x', "https://e.com/"),
    ("HTTP://E.COM/X", "HTTP://E.COM/X"),
    ("https://", None), ("xhttps://e.com", None), ("ftp://e.com", None),
])
def test_match_url_is_linkify(text, url):
    assert match_url(text, 0 if not text.startswith("x") else 1) == url


@pytest.mark.parametrize("name, arg, expected", [
    ("youtube", "a" * 301, "埋め込みURLは300文字以内にする必要があります"),
    ("card", "https://e.com/" + "a" * 400, "card"),
    ("github", "https://github.com/o/r/blob/main/" + "a" * 400, "github"),
    ("figma", "https://www.figma.com/file/short/x", "埋め込みに対応しているFigma URLを指定してください"),
    ("docswell", "https://www.docswell.com/slide/ABC/embed#p3", "docswell"),
    ("stackblitz", "http://stackblitz.com/edit/x", "StackBlitzのembed用のURLを指定してください"),
    ("codepen", "https://codepen.io/u/pen/abc", "codepen"),
    ("card", "bad-example.com", "URLが不正です"),
    ("Card", "https://e.com", None),
])
def test_embed_rules(name, arg, expected):
    found = embeds.embed_from_syntax(name, arg)
    kind_or_message = getattr(found, "kind", getattr(found, "message", None))
    assert kind_or_message == expected


def test_youtube_start_is_capped_and_numeric_only():
    assert embeds.youtube_start("172801") == 172800
    assert embeds.youtube_start("abc") == 0 and embeds.youtube_start(None) == 0


@pytest.mark.parametrize("tex, code", [
    (r"\frac{a}{b}", None), (r"\begin{cases} a \\ b \end{cases}", None), (r"\{ x \}", None),
    (r"\directlua{x}", Code.MATH_UNSAFE), (r"\immediate\write18{ls}", Code.MATH_UNSAFE),
    (r"\end", Code.MATH_INVALID), (r"a}", Code.MATH_INVALID), (r"{a % }", Code.MATH_INVALID),
])
def test_math_problems(tex, code):
    problem = math_problem(tex)
    assert (problem[0] if problem else None) == code


ZENN_BITS = st.sampled_from([
    ":::message", ":::details t", ":::", "::::", "```js:a.js", "```", "$$", "$x$", "$$ (1)",
    "@[youtube](dQw4w9WgXcQ)", "@[foo](x)", "https://example.com", "> ", "- ", "1. ", "[^1]",
    "[^1]: n", "^[i]", "![a](b.png =1x)", "*e*", "~~s~~", "<br>", "<div>", "|a|b|", "|-|-|",
    "    ", "#", "text", "日本語", "\\", "`", "{x}", "[l](u)", "\t",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(ZENN_BITS, max_size=4).map(" ".join), max_size=12))
def test_any_input_keeps_provenance(rows):
    text = "\n".join(rows)
    source = [10 + k for k in range(text.count("\n") + 1)]
    out = rewrite(text, source, "t.md")
    assert len(out.lines) == out.text.count("\n")
    assert all(min(source) <= line <= max(source) + 1 for line in out.lines)
    assert all(d.path == "t.md" and d.line in source for d in out.diagnostics)
