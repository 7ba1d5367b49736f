"""Inline text: images, footnotes, HTML, links and pandoc-only syntax Zenn shows as text."""
from __future__ import annotations

import panflute as pf
import pytest

from zenn_stage import blocks, find, parsed


def images(text: str) -> list[pf.Image]:
    return find(parsed(text)[0], pf.Image)


@pytest.mark.parametrize("text, width, height", [
    ("![a](x.png =250x)", "250", None), ("![a](x.png =x150)", None, "150"),
    ("![a](x.png =50%x30%)", "50%", "30%"), ('![a](x.png "t" =1x2)', "1", "2"),
    ("![a](<a b.png> =3x)", "3", None), ("![a](x.png)", None, None),
])
def test_image_sizes(text, width, height):
    (image,) = images(text + "\n")
    assert (image.attributes.get("width"), image.attributes.get("height")) == (width, height)
    assert image.attributes["data-line"] == "1"


@pytest.mark.parametrize("text", ["![a](x.png =100200)", '![a](x.png "t"=1x2)', "![a](x.png =1x2x)"])
def test_not_a_size_means_not_an_image(text):
    assert images(text + "\n") == []


def test_reference_image_gets_its_line():
    (image,) = images("\n![logo][l]\n\n[l]: /images/l.png\n")
    assert image.url == "/images/l.png" and image.attributes["data-line"] == "2"


def test_inline_and_reference_footnotes_are_notes_of_this_article():
    doc, _ = parsed("a^[inline $x$] b[^n] c^[second]\n\n[^n]: named\n    more\n")
    notes = find(doc, pf.Note)
    assert [pf.stringify(n).strip() for n in notes] == ["inline x", "named more", "second"]
    assert find(notes[1], pf.LineBreak) and find(notes[0], pf.Math)


@pytest.mark.parametrize("text, shown", [
    ("<div>**b**</div>", "<div>b</div>"), ("a <span>x</span> b", "a <span>x</span> b"),
    ("<script>alert(1)</script>", "<script>alert(1)</script>"),
    ("a <!-- hidden --> b", "a b"), ("a <!-- two\nlines --> b", "a <!-- two lines --> b"),
])
def test_html_is_text_and_one_line_comments_vanish(text, shown):
    doc, _ = parsed(text + "\n")
    assert find(doc, pf.RawBlock) == [] and not [r for r in find(doc, pf.RawInline) if "br" not in r.text]
    assert pf.stringify(doc).strip() == shown


def test_br_spellings_reach_the_filter_as_raw():
    raws = find(parsed("a<br>b<br/>c<br />d<BR>e\n")[0], pf.RawInline)
    assert [r.text for r in raws] == ["<br>", "<br/>", "<br />"]


@pytest.mark.parametrize("text", [
    "[x](javascript:alert(1))", "[ ](javascript:x)", "[span]{.cls}", "`code`{.py}", "# title {#id}", "[a]: b c",
    "| a |\n|---|---|", "x ~y~ z",
])
def test_pandoc_only_syntax_stays_text(text):
    doc, _ = parsed(text + "\n")
    assert not find(doc, pf.Link) and not find(doc, pf.Span) and not find(doc, pf.Table)
    assert find(doc, pf.Header) == [] or find(doc, pf.Header)[0].identifier != "id"
    assert not find(doc, pf.Strikeout)


def test_links_and_reference_definitions_anywhere():
    doc, _ = parsed("> [a][r] and [b](<u v> \"t\")\n>\n> [r]: https://r.example \"R\"\n")
    links = find(doc, pf.Link)
    assert [(link.url, link.title) for link in links] == [("https://r.example", "R"), ("u v", "t")]


def test_url_text_with_markdown_characters_stays_one_url():
    doc, _ = parsed("see https://example.com/a_b_*c*_d~e[f]$g done\n")
    assert "https://example.com/a_b_*c*_d~e[f]$g" in pf.stringify(doc)
    assert find(doc, pf.Emph) == [] and find(doc, pf.Math) == []


def test_lists_tables_headings():
    text = "- a\n- b\n* c\n\n3) x\n\n| a |\n|:-:|\n| b |\n\nT\nU\n===\n"
    kinds = [type(b).__name__ for b in blocks(text) if not isinstance(b, pf.RawBlock)]
    assert kinds == ["BulletList", "BulletList", "OrderedList", "Table", "Header"]


@pytest.mark.parametrize("text, struck", [
    ("~~a~~", ["a"]), ("~~取り消し~~、~~「括弧」~~です", ["取り消し"]), ("x ~~~d~~~", ["d"]),
    ("~x~ and ~~ alone", []), ("[~~s~~](u) ~~[t~~](v)", ["s"]),
])
def test_strikethrough_pairs_as_markdown_it_does(text, struck):
    doc, _ = parsed(text + "\n")
    assert [pf.stringify(s) for s in find(doc, pf.Strikeout)] == struck


def test_footnotes_inside_footnotes_stay_text_and_pandoc_cannot_loop():
    doc, out = parsed("x[^1] y^[a ^[b] [^1]]\n\n[^1]: self [^1] ^[c]\n")
    notes = find(doc, pf.Note)
    assert [pf.stringify(n).strip() for n in notes] == ["self [^1] (c)", "a (b) [^1]"]
    assert [d.code.value for d in out.diagnostics] == ["zenn.nested-footnote"] * 4


def test_a_note_definition_that_is_paragraph_text_in_zenn_stays_text():
    doc, _ = parsed("> quote\n[^1]: lazy line\n\nref[^1]\n")
    assert find(doc, pf.Note) == [] and "[^1]: lazy line" in pf.stringify(doc)


def test_unreferenced_footnote_is_reported():
    _, out = parsed("text\n\n[^lost]: words\n")
    assert [(d.code.value, d.line) for d in out.diagnostics] == [("zenn.unused-footnote", 3)]


@pytest.mark.parametrize("text", [
    "<br>\n**b**", "- <br>\n  **b**", "https://example.com\n<br>\n**b**",
    "`a\n<!-- b\nc` **b**", "`x\n<div>` **b**",
])
def test_lines_that_would_open_an_html_block_in_pandoc(text):
    doc, _ = parsed(text + "\n")
    assert find(doc, pf.RawBlock) == [] and find(doc, pf.Strong)
