"""Wide content in print: every cell and word of tables and lines too wide for the page is
printed inside it, and verify fails a PDF where any text falls outside the page.

One book (generated here) is compiled once: tables of 20, 50 and 300 columns, a cell holding
a 2,000-character token, a 500-character URL in a line and a long identifier in inline code.
Each word's place is read with `pdftotext -bbox` from a copy of the PDF with widened pages
(`verify.words_off_page`), so text that pdftotext would drop for lying off the page is seen.
"""
from __future__ import annotations

import subprocess
from pathlib import Path

import pikepdf
import pytest

from tests.conftest import TEST_LICENSE, cli_build, needs
from zennbook.verify import OutputCheck, check_on_page, dehyphenate, find_split, squash, words_off_page

BOOK = "title: Wide\nslug: wide\n" + TEST_LICENSE
TOKEN = "Q" + "abcdefghij" * 200                       # 2,001 characters, no break
URL = "https://example.com/" + "u" * 480                # 500 characters
IDENTIFIER = "a_very_long_identifier_name" * 6


def table(columns: int, rows: int, name: str) -> str:
    cell = lambda r, c: f"{name}r{r}c{c}"             # noqa: E731 -- unique, findable
    lines = ["| " + " | ".join(f"{name}h{c}" for c in range(columns)) + " |",
             "|" + "---|" * columns]
    lines += ["| " + " | ".join(cell(r, c) for c in range(columns)) + " |" for r in range(rows)]
    return "\n".join(lines)


def cells(columns: int, rows: int, name: str) -> list[str]:
    return [f"{name}h{c}" for c in range(columns)] + \
        [f"{name}r{r}c{c}" for r in range(rows) for c in range(columns)]


ARTICLE = "\n\n".join([
    "---\ntitle: 広い表の章\n---",
    "二十列の表です。", table(20, 2, "ta"),
    "五十列の表です。", table(50, 2, "tb"),
    "三百列の表です。", table(300, 2, "tc"),
    "長い語のある表です。", f"| 名前 | 値 |\n|---|---|\n| 長語セル | {TOKEN} |",
    f"長い URL が行にあります: {URL} ここまで。",
    f"長い識別子 `{IDENTIFIER}` もあります。",
]) + "\n"
EXPECTED = cells(20, 2, "ta") + cells(50, 2, "tb") + cells(300, 2, "tc") + [TOKEN, URL, IDENTIFIER]


@pytest.fixture(scope="module")
def wide_pdf(tmp_path_factory) -> tuple[Path, object]:
    folder = tmp_path_factory.mktemp("wide")
    (folder / "articles").mkdir()
    (folder / "articles" / "wide.md").write_text(ARTICLE, encoding="utf-8")
    (folder / "book.yaml").write_text(BOOK, encoding="utf-8")
    result = cli_build(folder / "book.yaml", folder / "out", "pdf")
    return folder / "out" / "wide.pdf", result


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
                          capture_output=True, check=True).stdout.decode("utf-8")


@needs("lualatex", "pdftotext")
def test_every_cell_and_long_word_is_printed(wide_pdf):
    path, result = wide_pdf
    assert path.exists(), result.output
    text = squash(dehyphenate(pdf_text(path)))      # a word may wrap at a page turn
    missing = [word for word in EXPECTED if squash(word) not in text and find_split(text, squash(word)) < 0]
    assert not missing, f"{len(missing)} missing, e.g. {missing[:5]}"


@needs("lualatex", "pdftotext")
def test_nothing_is_printed_outside_the_page(wide_pdf):
    path, result = wide_pdf
    assert words_off_page(path) == []
    assert "verify.failed" not in result.output and "layout.overfull" not in result.output, result.output


@needs("lualatex", "pdftotext")
def test_a_wide_table_is_split_into_parts_that_repeat_its_first_column(wide_pdf):
    path, _ = wide_pdf
    text = squash(pdf_text(path))
    parts = text.count("tch0")                      # the header's first cell, once per part
    assert parts >= 300 // 20 and text.count("tcr0c0") == parts and text.count("tcr0c299") == 1
    assert text.count("tah0") >= 2                  # 20 columns do not fit either
    assert text.count("長語セル") == 1                 # two columns fit: one table


@needs("lualatex", "pdftotext")
def test_verify_fails_a_real_pdf_whose_text_is_cut_off_by_its_page(wide_pdf, tmp_path):
    """The book's own PDF with its visible area halved: the text beyond is off the page."""
    path, _ = wide_pdf
    cut = tmp_path / "cut.pdf"
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            x0, y0, x1, y1 = (float(v) for v in page.mediabox)
            page.obj.CropBox = pikepdf.Array([x0, y0, (x0 + x1) / 2, y1])
        pdf.save(cut)
    check = OutputCheck("pdf")
    check_on_page(check, cut)
    assert check.problems and "text outside the page" in check.problems[0]
    assert not check.ok


@needs("pdftotext")
def test_verify_sees_text_that_pdftotext_drops_for_lying_off_the_page(tmp_path):
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    content = (b"BT /F1 12 Tf 20 150 Td (InsideWord) Tj ET "
               b"BT /F1 12 Tf 250 120 Td (HalfOutsideWord) Tj ET "
               b"BT /F1 12 Tf 400 100 Td (FarOutsideWord) Tj ET "
               b"BT /F1 12 Tf 20 -50 Td (BelowWord) Tj ET")
    resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, 300, 300], Resources=resources,
        Contents=pdf.make_stream(content))))
    path = tmp_path / "off.pdf"
    pdf.save(path)
    assert "FarOutsideWord" not in pdf_text(path)          # what a text-only check would miss
    assert sorted(w for _, w in words_off_page(path)) == ["BelowWord", "FarOutsideWord", "HalfOutsideWord"]
