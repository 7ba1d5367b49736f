"""A problem inside a code block is named at its own line of the article, not at the fence:
one real LuaLaTeX run (a proof) of an article with every fence form, each block holding a
character no font has, then the log scanner on LuaTeX's overfull reports for lines of the
chapter's real TeX. The expected lines are read from the article text."""
from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import needs
from tests.test_provenance import CODE_ARTICLE, code_line_of
from tests.unicode.glyphs import character_no_font_has
from tests.writers.latex.test_latex_compile import make_book
from zennbook.article import parse_article, read_article
from zennbook.diagnostics import Code, Diagnostics
from zennbook.pipeline import run_filters
from zennbook.proof import run_proof
from zennbook.writers.latex import scan_log

pytestmark = needs("lualatex", "pdftotext", "pdftoppm")

# the code line each character without a font goes on (one character per block: the log
# names a character once)
GLYPH_WORDS = ("PYROW150", "PLAINTWO", "LISTTWO", "LISTDEEP", "DIFFTWO", "FOURONE", "INDENTTWO")
# the code lines LuaTeX is told are too wide (one per block)
WIDE_WORDS = ("PYROW0", "PYROW199", "PLAINONE", "LISTONE", "LISTPLAIN", "DIFFTHREE", "FOURONE", "INDENTONE",
              "MATHCODE")
LONG = "WIDE" * 60     # an over-long line without a space, in the long block


def no_font_characters(count: int) -> list[str]:
    found, start = [], 0x10000
    for _ in range(count):
        found.append(character_no_font_has(start))
        start = ord(found[-1]) + 1
    return found


def article_lines() -> list[str]:
    lines = list(CODE_ARTICLE)
    for word, char in zip(GLYPH_WORDS, no_font_characters(len(GLYPH_WORDS))):
        index = code_line_of(lines, word) - 1
        lines[index] = lines[index].replace(word, f"{word} {char}")
    index = code_line_of(lines, "PYROW100") - 1
    lines[index] += " " + LONG
    return lines


@pytest.fixture(scope="module")
def proof(tmp_path_factory):
    root = tmp_path_factory.mktemp("codelines")
    lines = article_lines()
    book_path = make_book(root / "book", {"codes": "\n".join(lines) + "\n"})
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)                                 # its cache goes under root
        run_proof("codes", root / "out", book_path, None, False)
    report = json.loads((root / "out" / "codes.layout.json").read_text(encoding="utf-8"))
    chapter = next(root.rglob("chapters/codes.tex"))
    return SimpleNamespace(root=root, lines=lines, report=report, chapter=chapter,
                           article=prepared(book_path.parent / "codes.md"))


def prepared(path: Path):
    article = read_article(path, "book/codes.md")
    parse_article(article)
    run_filters(SimpleNamespace(root_dir=path.parent, cards={}), article, {})
    return article


def test_each_missing_glyph_in_code_is_named_at_its_code_line(proof):
    glyphs = {item["char"]: item["line"] for item in proof.report["missing_glyphs"]}
    for word in GLYPH_WORDS:
        text = proof.lines[code_line_of(proof.lines, word) - 1]
        char = text.split(f"{word} ", 1)[1][0]
        assert glyphs[char] == code_line_of(proof.lines, word), word
    assert all(item["path"] == "book/codes.md" for item in proof.report["missing_glyphs"])


def test_the_long_code_line_wraps_and_is_never_reported_elsewhere(proof):
    """fvextra breaks a code line anywhere: nothing of the code runs past the margin, and no
    report names a line of the article that is not one of its problems."""
    code_overfull = [o for o in proof.report["overfull"] if o["kind"] == "code"]
    assert all(o["line"] == code_line_of(proof.lines, "PYROW100") for o in code_overfull)


def test_an_overfull_code_line_is_named_at_its_code_line(proof, tmp_path):
    """LuaTeX reports a too-wide line of a Verbatim environment at its own TeX line ("in
    paragraph at lines N--N"); each word's TeX line is read from the real chapter."""
    tex = proof.chapter.read_text(encoding="utf-8").split("\n")
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "codes.tex").write_text("\n".join(tex), encoding="utf-8")
    events = []
    for word in WIDE_WORDS:
        number = next(k for k, text in enumerate(tex, start=1) if word in text and "zb:" not in text)
        events += [f"Overfull \\hbox (50.0pt too wide) in paragraph at lines {number}--{number}", "[]|x", ""]
    (tmp_path / "book.log").write_text("\n".join(["(./book.tex (./chapters/codes.tex", *events, "))"]),
                                       encoding="utf-8")
    diagnostics = Diagnostics()
    report = scan_log(tmp_path / "book.log", [proof.article], diagnostics)
    assert [(o["kind"], o["line"]) for o in report["overfull"]] == [
        ("code", code_line_of(proof.lines, word)) for word in WIDE_WORDS]
    assert [(d.code, d.path, d.line) for d in diagnostics.items] == [
        (Code.LAYOUT_OVERFULL, "book/codes.md", code_line_of(proof.lines, word)) for word in WIDE_WORDS]


def test_code_in_a_list_is_printed_without_the_lists_indent(proof):
    """Pandoc indents a list item's raw blocks; in Verbatim that indent would be printed before
    each line of plain code. Each line is as the article has it inside its item."""
    tex = proof.chapter.read_text(encoding="utf-8").split("\n")
    for word in ("LISTPLAIN", "LISTDEEP"):
        written = proof.lines[code_line_of(proof.lines, word) - 1].removeprefix("    ")    # the item's indent
        assert [line for line in tex if word in line] == [written], word
