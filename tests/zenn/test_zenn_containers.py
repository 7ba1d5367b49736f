"""Containers with Zenn's exact rules (docs/zenn-syntax.md §2)."""
from __future__ import annotations

import panflute as pf
import pytest

from zenn_stage import codes, divs, parsed


def kinds(doc) -> list[str]:
    return [next(c for c in d.classes if c != "admonition") for d in divs(doc, "admonition")]


@pytest.mark.parametrize("opener, kind", [
    (":::message", "message"), ("::: message", "message"), (":::message   alert  ", "alert"),
    (":::messagealert", "alert"), (":::details 題", "details"), ("   :::message", "message"),
])
def test_valid_openers(opener, kind):
    doc, out = parsed(f"{opener}\nbody\n:::\n")
    assert kinds(doc) == [kind]
    assert codes(out) == []


@pytest.mark.parametrize("opener", [":::message info", ":::details", ":::details   ", "::message"])
def test_invalid_openers_stay_text_with_a_warning(opener):
    doc, out = parsed(f"{opener}\nbody\n:::\n")
    assert kinds(doc) == []
    assert opener.strip() in pf.stringify(doc)
    assert "zenn.invalid-container" in codes(out)


def test_details_title_is_plain_text_escaped_correctly():
    doc, _ = parsed(':::details **bold** & "q" <b> {x}\nbody\n:::\n')
    (box,) = divs(doc, "details")
    assert box.attributes["title"] == '**bold** & "q" <b> {x}'


def test_longer_closer_closes_and_shorter_one_is_text():
    doc, _ = parsed("::::message\n:::\n::::::\nafter\n")
    (box,) = divs(doc, "message")
    assert pf.stringify(box).strip() == ":::"
    assert pf.stringify(doc.content[-1]).strip() == "after"


def test_nesting_needs_more_colons_outside():
    doc, _ = parsed("::::details outer\n:::message\ninner\n:::\n::::\n")
    (inner,) = divs(doc, "message")
    assert isinstance(inner.parent, pf.Div) and "details" in inner.parent.classes


def test_same_colon_count_closes_the_outer_box_first():
    doc, out = parsed(":::details a\n:::details b\ninner\n:::\n:::\n")
    inner, outer = divs(doc, "details")          # found innermost first
    assert inner.parent is outer
    assert pf.stringify(doc.content[-1]).strip() == ":::"
    assert "zenn.unclosed-container" in codes(out) and "zenn.invalid-container" in codes(out)


def test_closer_scan_ignores_code_fences_like_zenn():
    doc, out = parsed(":::details d\n```\n:::\n```\n")
    (box,) = divs(doc, "details")
    assert [b.text for b in box.content if isinstance(b, pf.CodeBlock)] == [""]
    assert "zenn.unclosed-fence" in codes(out)


def test_a_colon_line_inside_code_inside_a_longer_box_stays_code():
    doc, _ = parsed("::::details d\n```\n:::\n```\n::::\n\nafter\n")
    (box,) = divs(doc, "details")
    assert [b.text for b in box.content] == [":::"]
    assert pf.stringify(doc.content[-1]).strip() == "after"


def test_unclosed_box_runs_to_the_end_with_a_warning():
    doc, out = parsed("text\n\n:::message\none\n\ntwo\n")
    (box,) = divs(doc, "message")
    assert pf.stringify(box).split() == ["one", "two"]
    assert [(d.code.value, d.line) for d in out.diagnostics] == [("zenn.unclosed-container", 3)]


def test_box_interrupts_a_paragraph():
    doc, _ = parsed("para\n:::message\nbox\n:::\nafter\n")
    assert [type(b).__name__ for b in doc.content] == ["Para", "Div", "Para"]


def test_boxes_in_blockquotes_and_list_items():
    doc, _ = parsed("> :::message\n> quoted\n> :::\n\n- item\n  :::details t\n  listed\n  :::\n")
    quoted, listed = divs(doc, "admonition")
    assert isinstance(quoted.parent, pf.BlockQuote)
    assert isinstance(listed.parent, pf.ListItem) and listed.attributes["title"] == "t"


def test_box_carries_its_source_line():
    doc, _ = parsed("\n\n:::message\nx\n:::\n")
    assert divs(doc, "message")[0].attributes["data-line"] == "3"
