"""One provenance: every block of the tree carries its exact source line from the Zenn stage
on, and every stage that reports a place reads it from the tree (zennbook.provenance), never
from a search of the article's text."""
from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import panflute as pf

from zennbook.article import parse_article, read_article
from zennbook.diagnostics import Code, Diagnostics
from zennbook.filtering import walk
from zennbook.pipeline import run_filters
from zennbook.pandoc import markdown_to_doc
from zennbook.provenance import code_line, is_anchor, line_runs, own_line, rows_attribute, source_line, text_line
from zennbook.zenn import rewrite

# Each block kind once, each with a word that says which; the front matter shifts every line.
ARTICLE = [
    "---", "title: 行の記録", "---", "",
    "# 見出しHEADING", "",
    "段落PARAONE一行目", "段落PARATWO二行目", "",
    "- 項目ITEM", "  - 入れ子NESTED", "- 二つ目SECOND", "",
    "| 表TABLEHEAD | b |", "| --- | --- |", "| 行TABLEROW | d |", "",
    "> 引用QUOTE", "> 二行目QUOTETWO", "",
    ":::message", "箱の中MESSAGE", ":::", "",
    ":::details 詳細", "詳細の中DETAILS", ":::", "",
    "```python", "code = 'CODE'", "```", "",
    "$$", "MATHX + 1", "$$", "",
    "![画像IMAGE](https://example.com/a.png)", "",
    "脚注NOTEREF[^1]", "",
    "[^1]: 脚注の中FOOTNOTE",
]


def line_of(word: str) -> int:
    return next(k for k, text in enumerate(ARTICLE, start=1) if word in text)


def prepared(tmp_path: Path, lines: list[str]):
    """The article's tree as the writers get it: read, Zenn stage, pandoc, every filter."""
    path = tmp_path / "lines.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    article = read_article(path, "lines.md")
    parse_article(article)
    run_filters(SimpleNamespace(root_dir=tmp_path, cards={}), article, {})
    return article


def elements(doc, test) -> list:
    found = []
    walk(doc, lambda e, d: found.append(e) if test(e) else None, doc)
    return found


def holding(doc, word: str):
    """The first text element (a word, code, math) holding `word`."""
    return elements(doc, lambda e: isinstance(getattr(e, "text", None), str) and word in e.text)[0]


def test_every_block_kind_carries_its_exact_source_line(tmp_path):
    doc = prepared(tmp_path, ARTICLE).doc
    for word in ("HEADING", "PARAONE", "PARATWO", "ITEM", "NESTED", "SECOND", "TABLEHEAD", "TABLEROW",
                 "QUOTE", "QUOTETWO", "MESSAGE", "DETAILS", "NOTEREF", "FOOTNOTE"):
        assert source_line(holding(doc, word)) == line_of(word), word
    assert source_line(holding(doc, "CODE")) == line_of("```python")      # a code block: its fence
    assert source_line(holding(doc, "MATHX")) == line_of("MATHX")        # display math: its formula
    image = elements(doc, lambda e: isinstance(e, pf.Image))[0]
    assert source_line(image) == line_of("IMAGE")


def test_blocks_say_their_own_line_without_asking_their_parents(tmp_path):
    doc = prepared(tmp_path, ARTICLE).doc
    first = {kind: elements(doc, lambda e, k=kind: isinstance(e, k))[0]
             for kind in (pf.Header, pf.Table, pf.BlockQuote, pf.CodeBlock)}
    assert own_line(first[pf.Header]) == line_of("HEADING")
    assert own_line(first[pf.Table]) == line_of("TABLEHEAD")
    assert own_line(first[pf.BlockQuote]) == line_of("QUOTE")
    assert own_line(first[pf.CodeBlock]) == line_of("```python")
    lists = elements(doc, lambda e: isinstance(e, pf.BulletList))
    assert sorted(own_line(x) for x in lists) == [line_of("ITEM"), line_of("NESTED")]
    boxes = elements(doc, lambda e: isinstance(e, pf.Div) and "admonition" in e.classes)
    assert sorted(own_line(x) for x in boxes) == [line_of(":::message"), line_of(":::details")]
    paragraphs = elements(doc, lambda e: isinstance(e, (pf.Para, pf.Plain)) and "脚注NOTEREF" in pf.stringify(e))
    assert own_line(paragraphs[-1]) == line_of("NOTEREF")


def test_a_task_list_keeps_its_box_and_its_line(tmp_path):
    doc = prepared(tmp_path, ["---", "title: t", "---", "- [ ] まだTODO", "- [x] 済みDONE"]).doc
    items = elements(doc, lambda e: isinstance(e, pf.Plain))
    assert [pf.stringify(item) for item in items] == ["☐ まだTODO", "☒ 済みDONE"]
    assert [own_line(item) for item in items] == [4, 5]


def test_a_figure_split_from_its_paragraph_keeps_the_lines_after_it(tmp_path):
    doc = prepared(tmp_path, ["前の行BEFORE", "![図](https://example.com/f.png)", "*図のキャプション*",
                              "後の行AFTER"]).doc
    assert elements(doc, lambda e: isinstance(e, pf.Figure))
    assert source_line(holding(doc, "BEFORE")) == 1
    assert source_line(holding(doc, "AFTER")) == 4


def test_anchors_are_all_of_one_shape(tmp_path):
    """Every empty span of the tree is an anchor, and nothing else is."""
    doc = prepared(tmp_path, ARTICLE).doc
    spans = elements(doc, lambda e: isinstance(e, pf.Span) and not e.content)
    assert spans and all(is_anchor(span) for span in spans)
    assert not is_anchor(pf.Span(pf.Str("x"), attributes={"data-line": "3"}))
    assert not is_anchor(pf.Span(attributes={"data-line": "3", "data-source-line": "3"}))


# -- stages that report a place: the line of the block, even when the text is found earlier

def test_a_missing_glyph_is_reported_where_the_tree_has_it(tmp_path):
    """The character first stands in an HTML comment (Zenn hides it; the text search of the
    article found it there), then in a paragraph: the glyph is missing from the paragraph."""
    from zennbook.writers.latex.log import find_char
    article = prepared(tmp_path, ["<!-- 𓀀 -->", "", "前の段落", "", "段落の一行目", "二行目に𓀀がある"])
    assert find_char("𓀀", [article]) == ("lines.md", 6)


def test_an_overfull_line_is_reported_at_its_own_line_of_its_paragraph(tmp_path):
    from zennbook.writers.latex.log import ArticlePlaces
    article = prepared(tmp_path, ["長すぎる行", "", "段落の一行目", "長すぎる行", "三行目"])
    places = ArticlePlaces([SimpleNamespace(slug="lines", label="lines.md", doc=article.doc)])
    # the .tex's marker names the paragraph (line 3); the log's box shows the line too wide
    assert places.refine("lines", 3, "[]\\TU/HaranoAjiMincho(0)/m/n/10 長 す ぎ る 行") == 4


def test_a_verify_miss_is_reported_at_the_line_of_its_run(tmp_path):
    """The same sentence stands first in a comment, then in a quote, then in a paragraph, then
    in code: each run is at its own line (the text search put a run at the comment's line; a
    code line was put at its fence's)."""
    from zennbook.verify import source_runs
    article = prepared(tmp_path, ["<!-- 同じ文がここにあります。 -->", "", "> 同じ文がここにあります。", "",
                                  "前置き", "同じ文がここにあります。", "", "```", "同じ文がここにあります。", "```"])
    assert [(run.text, run.line) for run in source_runs(article)] == [
        ("同じ文がここにあります。", 3), ("前置き", 5), ("同じ文がここにあります。", 6), ("同じ文がここにあります。", 9)]


def test_an_epub_warning_is_reported_at_the_line_of_its_block(tmp_path):
    """The same broken link twice: each warning at its own line (the text search put both
    at the first)."""
    from zennbook.config import Book, License, Part
    from zennbook.writers.epub import assets as epub_assets, chapters as epub_chapters, links as epub_links
    article = prepared(tmp_path, ["[どこにも](#nowhere)", "", "前置き", "また[どこにも](#nowhere)"])
    license = License(id="CC-BY-4.0", url="https://creativecommons.org/licenses/by/4.0/", holder="t",
                      year="2026", notice="表示 4.0 国際", terms=(), short="CC BY 4.0")
    book = Book(title="t", slug="t", articles_dir=tmp_path, root_dir=tmp_path, license=license,
                parts=(Part("", ("lines",)),))
    notes = Diagnostics()
    chapters = epub_chapters.make_chapters(book, [article], epub_assets.EpubAssets(), notes)
    epub_links.resolve_links(chapters, book, notes)
    assert [(d.code, d.line) for d in notes.items] == [(Code.EPUB_LINK, 1), (Code.EPUB_LINK, 4)]
    assert not chapters[0].root.xpath("//*[@data-line]")      # nothing of it is left for readers


# -- code: each line of a code block at its own line ---------------------------------------------

# Every fence form, each code line with a word that says which: a long highlighted block, an
# unhighlighted one (no grammar) with a blank line, one in a list with a file name, an
# unhighlighted one in a nested list (its second line indented further), a diff in
# a message box, a longer fence, an indented block, a formula shown as code.
CODE_ARTICLE = [
    "---", "title: コードの行", "---", "",
    "## コード", "",
    "```python", *(f"row_{k} = {k}  # PYROW{k}" for k in range(200)), "```", "",
    "```brainfuck", "++++ PLAINONE", "", "PLAINTWO", "```", "",
    "- 項目", "", "  ```js:app.js", "  const a = 1; // LISTONE", "  const b = 2; // LISTTWO", "  ```", "",
    "- 外", "  - 内", "", "    ```brainfuck", "    LISTPLAIN", "      LISTDEEP", "    ```", "",
    ":::message", "メッセージ", "", "~~~diff js", " const x = 1; // DIFFONE", "-const y = 2; // DIFFTWO",
    "+const y = 3; // DIFFTHREE", "~~~", ":::", "",
    "````ts:src/a.ts {x}", "let FOURONE = 1;", "````", "",
    "    indented INDENTONE", "    indented INDENTTWO", "",
    "$$", "", "\\input{MATHCODE}", "$$",
]
CODE_WORDS = ("PYROW0", "PYROW150", "PYROW199", "PLAINONE", "PLAINTWO", "LISTONE", "LISTTWO", "LISTPLAIN", "LISTDEEP", "DIFFONE",
              "DIFFTWO", "DIFFTHREE", "FOURONE", "INDENTONE", "INDENTTWO", "MATHCODE")


def code_line_of(lines: list[str], word: str) -> int:
    """The line of the article text that holds `word` (PYROW1 is not PYROW150)."""
    return next(k for k, text in enumerate(lines, start=1) if re.search(rf"\b{word}\b", text))


def test_each_code_line_is_named_at_its_own_line_in_every_fence_form(tmp_path):
    doc = prepared(tmp_path, CODE_ARTICLE).doc
    for word in CODE_WORDS:
        block = holding(doc, word)
        assert isinstance(block, pf.CodeBlock), word
        index = block.text.index(word)
        assert text_line(block, index) == code_line_of(CODE_ARTICLE, word), word
        assert code_line(block, block.text.count("\n", 0, index)) == code_line_of(CODE_ARTICLE, word), word


def test_a_verify_miss_in_code_is_reported_at_its_code_line(tmp_path):
    from zennbook.verify import source_runs
    article = prepared(tmp_path, CODE_ARTICLE)
    runs = {run.text: run.line for run in source_runs(article)}
    for word in CODE_WORDS:
        text = next(t for t in runs if re.search(rf"\b{word}\b", t))
        assert runs[text] == code_line_of(CODE_ARTICLE, word), word


def test_code_lines_follow_the_line_map_where_it_has_a_gap():
    """normalize may drop or join lines: the rows of a code block then say their own lines."""
    text = "a\n\n```py\nfirst\nsecond\nthird\n```\n"
    lines = [1, 2, 3, 4, 9, 10, 11]       # a line map with a gap after `first`
    doc = markdown_to_doc(rewrite(text, lines, "t.md").text)
    block = next(b for b in doc.content if isinstance(b, pf.CodeBlock))
    assert [code_line(block, row) for row in range(3)] == [4, 9, 10]
    assert text_line(block, block.text.index("third")) == 10
    plain = markdown_to_doc(rewrite(text, list(range(1, 8)), "t.md").text).content[1]
    assert "data-lines" not in plain.attributes        # one line per line after the fence: nothing written


def test_a_rows_list_is_written_only_when_needed_and_read_back_safely():
    assert rows_attribute(5, [6, 7, 8]) is None
    assert rows_attribute(5, [5, 6, 9, 11, 12]) == "5-6,9,11-12"
    assert line_runs("5-6,9,11-12") == [(5, 6), (9, 9), (11, 12)]
    for bad in ("", "x", "9-5", "1-2,", "-3", "1--2"):
        assert line_runs(bad) == [], bad
    block = pf.CodeBlock("a\nb\nc", attributes={"data-line": "5", "data-lines": "9-x"})
    assert [code_line(block, row) for row in range(3)] == [6, 7, 8]     # not a list: after the fence
    block = pf.CodeBlock("a\nb\nc", attributes={"data-line": "5", "data-lines": "9"})
    assert [code_line(block, row) for row in range(3)] == [9, 10, 11]   # past the list: the lines after


# -- one reporter -------------------------------------------------------------------------------

def test_a_reporter_reads_the_line_from_the_element_and_records_for_its_file(tmp_path):
    doc = prepared(tmp_path, ARTICLE).doc
    diagnostics = Diagnostics(silenced=frozenset({"raw.html"}))
    reporter = diagnostics.reporter("lines.md")
    reporter.warn(Code.LINK_UNSAFE, "in the second line of a paragraph", elem=holding(doc, "PARATWO"))
    reporter.error(Code.IMAGE_MISSING, "given a line", line=3, elem=holding(doc, "PARATWO"))
    reporter.warn(Code.RAW_HTML, "silenced for the book")
    assert [str(d) for d in diagnostics.items] == [
        f"lines.md:{line_of('PARATWO')}: WARNING: in the second line of a paragraph [link.unsafe]",
        "lines.md:3: ERROR: given a line [image.missing]"]
