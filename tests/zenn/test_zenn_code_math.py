"""Code fences (§3) and math (§4)."""
from __future__ import annotations

import panflute as pf
import pytest

from zenn_stage import blocks, codes, find, parsed
from zennbook.pandoc import markdown_to_doc
from zennbook.zenn import rewrite
from zennbook.zenn.fences import parse_info


@pytest.mark.parametrize("info, classes, filename", [
    ("js", ["js"], ""), ("js:foo.js", ["js"], "foo.js"), (":foo.txt", [], "foo.txt"),
    ("diff", ["text", "diff"], ""), ("diff js", ["js", "diff"], ""), ("js diff", ["js", "diff"], ""),
    ("js diff :index.js", ["js", "diff"], "index.js"), ("html diff : x", ["html", "diff"], " x"),
    ("js:a:b.js", ["js"], "a:b.js"), ("js:", ["js"], ""), ("JS some-info", ["js"], ""),
    ("react", ["jsx"], ""), ("cwl", ["yaml"], ""), (" js", [], ""), ("math", ["math"], ""),
])
def test_info_strings(info, classes, filename):
    parsed_info = parse_info(info)
    assert (parsed_info.classes, parsed_info.filename) == (classes, filename)


def test_fence_attributes_survive_pandoc():
    (code,) = blocks('~~~python:dir/a`b "c".py\nx = 1\n~~~\n')
    assert code.classes == ["python"]
    assert code.attributes["filename"] == 'dir/a`b "c".py'
    assert code.attributes["data-line"] == "1"


def test_mermaid_fence_and_unclosed_fence():
    doc, out = parsed("```Mermaid:x\ngraph TD\n```\n\n```js\nlast\n")
    mermaid, last = doc.content
    assert mermaid.classes == ["mermaid"] and "filename" not in mermaid.attributes
    assert last.text == "last" and codes(out) == ["zenn.unclosed-fence"]


def test_code_content_is_verbatim():
    (code,) = blocks("````\n```\n$$ {x} <br> :::\n````\n")
    assert code.text == "```\n$$ {x} <br> :::"


def display(doc) -> list[str]:
    return [m.text.strip() for m in find(doc, pf.Math) if m.format == "DisplayMath"]


def inline(doc) -> list[str]:
    return [m.text for m in find(doc, pf.Math) if m.format == "InlineMath"]


def test_display_math_block_keeps_lines_that_look_like_markdown():
    doc, _ = parsed("$$\na\n- b\n+ c\n\n> d\n1. e\n$$\n")
    assert display(doc) == ["a\n- b\n+ c\n> d\n1. e"]


def test_display_math_cannot_interrupt_a_paragraph_in_zenns_reading():
    out = rewrite("text\n$$\nx\n$$\n", [1, 2, 3, 4], "t.md", "text")
    doc = markdown_to_doc(out.text, "t.md")
    assert display(doc) == [] and "$$" in pf.stringify(doc)


def test_equation_number_and_text_after_it():
    doc, out = parsed("$$E = mc^2$$ (eq:1) rest\n")
    (span,) = find(doc, pf.Span, lambda s: "equation" in s.classes)
    assert span.attributes["label"] == "eq:1" and display(span) == ["E = mc^2"]
    assert "rest" in pf.stringify(doc) and codes(out) == ["zenn.trailing-text"]


def test_math_in_blockquote_loses_the_quote_marks():
    # md-katex removes each "\n>" inside a quoted block, joining its lines, as here
    doc, _ = parsed("> $$\n> a\n> b\n> $$\n")
    assert display(doc) == ["a b"]


@pytest.mark.parametrize("text, maths", [
    ("$a$ and $b$", ["a", "b"]), ("3$ and $x$", ["x"]), ("1$2$", []), ("$x$1", []),
    ("\\$x$", []), ("$ x$", []), ("$x\ny$", []), ("`$x$`", []), ("$$x$$ inline", []),
    ("[a $x](https://e.com) $y$", ["y"]), ("[$x$](https://e.com)", ["x"]),
    ("$\\RR^n$", ["\\RR^n"]),
    ("$x $ and $x$", ["x \\$ and \\$x"]),   # Zenn's pairing; a '$' inside stays a TeX dollar
])
def test_inline_math_follows_zenn(text, maths):
    doc, _ = parsed(text + "\n")
    assert inline(doc) == maths


def test_unsafe_or_broken_tex_is_shown_as_code():
    doc, out = parsed("$\\directlua{x}$ and $a}$\n\n$$\n\\input{/etc/passwd}\n$$\n")
    assert find(doc, pf.Math) == []
    assert [c.text for c in find(doc, pf.Code)] == ["$\\directlua{x}$", "$a}$"]
    assert [b.classes for b in find(doc, pf.CodeBlock)] == [["tex"]]
    assert codes(out) == ["math.unsafe", "math.invalid", "math.unsafe"]
