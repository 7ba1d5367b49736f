"""A `$$` block right under a text line: Zenn shows it as text; the book draws it as math
(book.yaml `math.under_text`, default "math"), with a located warning either way."""
from __future__ import annotations

import panflute as pf
import pytest

from zenn_stage import find
from zennbook.config import load_book
from zennbook.diagnostics import Diagnostics
from zennbook.pandoc import markdown_to_doc
from zennbook.zenn import rewrite

CASES = {
    "paragraph": "**目標**:\n$$\nE = mc^2\n$$\n続きの文。\n",
    "quote": "> 引用の中:\n> $$\n> E = mc^2\n> $$\n",
    "list item": "- 項目:\n  $$\n  E = mc^2\n  $$\n",
    "twice": "一つ目:\n$$\na\n$$\n二つ目:\n$$\nE = mc^2\n$$\n",
}


def run(text: str, under_text: str, first_line: int = 10):
    lines = list(range(first_line, first_line + text.count("\n") + 1))
    out = rewrite(text, lines, "t.md", under_text)
    return markdown_to_doc(out.text, "t.md"), out


def display_math(doc: pf.Doc) -> list[str]:
    return [m.text.strip() for m in find(doc, pf.Math) if m.format == "DisplayMath"]


@pytest.mark.parametrize("name", CASES)
def test_drawn_as_math_by_default_with_a_located_warning(name):
    doc, out = run(CASES[name], "math")
    assert "E = mc^2" in display_math(doc)
    assert "$$" not in pf.stringify(doc)
    warned = [d for d in out.diagnostics if d.code.value == "math.invalid"]
    assert warned and all("drawn as math" in d.message for d in warned)
    source = CASES[name].split("\n")
    opening = [k for k, row in enumerate(source) if k and row.strip(" >").startswith("$$")
               and not source[k - 1].strip(" >").startswith(("$$", "a", "E"))]
    assert sorted(d.line for d in warned) == [10 + k for k in opening]


@pytest.mark.parametrize("name", CASES)
def test_kept_as_text_when_the_book_asks_for_zenns_reading(name):
    doc, out = run(CASES[name], "text")
    assert "E = mc^2" not in display_math(doc)
    assert "mc^2" in pf.stringify(doc)
    assert any(d.code.value == "math.invalid" and "shown as text" in d.message for d in out.diagnostics)


def test_lines_after_the_moved_block_keep_their_source_lines():
    text = "目標:\n$$\nx\n$$\n\n```py\nprint(1)\n```\n\n:::message\n未閉\n"
    _, out = run(text, "math", first_line=1)
    unclosed = [d for d in out.diagnostics if d.code.value == "zenn.unclosed-container"]
    assert [d.line for d in unclosed] == [10]


def test_a_block_after_a_blank_line_is_math_with_no_warning():
    doc, out = run("本文。\n\n$$\nE = mc^2\n$$\n", "math")
    assert display_math(doc) == ["E = mc^2"]
    assert not out.diagnostics


@pytest.mark.parametrize("value,ok", [("math", True), ("text", True), ("raw", False)])
def test_the_switch_is_checked_in_book_yaml(tmp_path, value, ok):
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "a.md").write_text("# A\n", encoding="utf-8")
    (tmp_path / "book.yaml").write_text(
        f"title: T\nmath:\n  under_text: {value}\nlicense:\n  id: CC0-1.0\n  url: https://example.org/\n"
        "  holder: x\n  notice: n\n  short: s\n", encoding="utf-8")
    diagnostics = Diagnostics()
    try:
        book = load_book(tmp_path / "book.yaml", None, diagnostics)
    except Exception:
        book = None
    if ok:
        assert book is not None and book.math.under_text == value
    else:
        assert any(d.code.value == "config.choice" and "math.under_text" in d.message for d in diagnostics.items)
