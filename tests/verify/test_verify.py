"""verify fails when an output loses its license line, a paragraph, or keeps source markup.

Each test breaks one thing on purpose, through the real pipeline, and reads verify's report.
"""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import panflute as pf
import pytest

import zennbook.pipeline
from tests.conftest import REPO, cli_build, needs
from zennbook.writers import templating

ARTICLE = textwrap.dedent("""\
    ---
    title: 検証の章
    emoji: "🧪"
    ---

    ## 見出し

    最初の段落です。
    二行目もあります。

    消される段落はここです。

    :::message
    箱の中の文です。
    :::

    - 項目その一
    - 項目その二

    ```python:x.py
    print("コードの行")
    ```
    """)
LICENSE = textwrap.dedent("""\
    title: Verify Book
    slug: verify-book
    source_url: "https://example.com/{slug}"
    license:
      id: CC-BY-4.0
      url: https://creativecommons.org/licenses/by/4.0/
      holder: Tester
      year: 2026
      notice: Full notice text for the verify book.
      short: CC BY 4.0 Tester verify-line
    """)


@pytest.fixture
def book_dir(tmp_path):
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "verify-chapter.md").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "book.yaml").write_text(LICENSE, encoding="utf-8")
    return tmp_path


def build(book_dir: Path, *formats: str):
    return cli_build(book_dir / "book.yaml", book_dir / "out", *formats)


def drop_paragraph(elem, doc):
    if isinstance(elem, pf.Para) and "消される段落" in pf.stringify(elem):
        return []
    return None


def leave_colons(elem, doc):
    if isinstance(elem, pf.Div) and "admonition" in elem.classes:
        return [pf.Para(pf.Str(":::message")), *elem.content]
    return None


def test_clean_book_verifies(book_dir):
    result = build(book_dir, "html", "epub")
    assert result.exit_code == 0, result.output
    assert "verify: ok" in result.output
    assert "100.00%" in result.output


def test_a_filter_that_drops_a_paragraph_is_caught(book_dir, monkeypatch):
    monkeypatch.setattr(zennbook.pipeline, "FILTERS", (*zennbook.pipeline.FILTERS, drop_paragraph))
    result = build(book_dir, "html", "epub")
    assert result.exit_code == 1
    assert "verify: FAILED" in result.output
    assert "verify-chapter.md:11: ERROR: text missing from the html: '消される段落はここです。'" in result.output
    assert "text missing from the epub" in result.output


def test_markup_left_in_a_chapter_is_caught(book_dir, monkeypatch):
    monkeypatch.setattr(zennbook.pipeline, "FILTERS", (*zennbook.pipeline.FILTERS, leave_colons))
    result = build(book_dir, "html")
    assert result.exit_code == 1
    assert "html: ERROR: leftover source markup ':::'" in result.output


def test_markup_shown_as_code_is_not_leftover(book_dir):
    article = book_dir / "articles" / "verify-chapter.md"
    article.write_text(ARTICLE + "\n`:::details` と `@[card](url)` と `$$` はコードです。\n", encoding="utf-8")
    result = build(book_dir, "html")
    assert result.exit_code == 0, result.output


@needs("lualatex", "pdftotext")
def test_a_page_without_the_license_footer_is_caught(book_dir, monkeypatch, tmp_path):
    """The .sty with the footer hook switched off on the third sheet (the table of contents,
    where no other text carries the license line): verify names that page."""
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    sty = templates / "latex" / "zennbook.sty"
    text = sty.read_text(encoding="utf-8")
    hook = "\\AddToHook{shipout/foreground}{%"
    assert hook in text
    sty.write_text(text.replace(hook, hook + "\n  \\ifnum\\ReadonlyShipoutCounter=3 \\else") .replace(
        "\\zblicenseline}}}", "\\zblicenseline}}\\fi}"), encoding="utf-8")
    monkeypatch.setattr(templating, "TEMPLATES_DIR", templates)
    templating.latex_environment.cache_clear()
    try:
        result = build(book_dir, "pdf")
    finally:
        templating.latex_environment.cache_clear()
    assert result.exit_code == 1, result.output
    assert "license line missing on 1 of" in result.output
    assert "pages: 3" in result.output


def test_a_paragraph_split_by_a_page_turn_is_found():
    from zennbook.verify import find_split, squash
    page_turn = "前の段落。これは長い段落の前半で\nCC BY 4.0 Tester verify-line\n12\n第1章 見出し\n後半がここに続きます。"
    haystack = squash(page_turn)
    assert find_split(haystack, squash("これは長い段落の前半で後半がここに続きます。")) == haystack.index("これは")
    assert find_split(haystack, squash("これは長い段落の前半で別の後半です。")) == -1


def test_outputs_verified_by_the_verify_command_are_not_read_again_by_a_build(book_dir):
    """`verify` records what it checked: the next no-change build skips reading those outputs,
    and an output changed after it was verified is checked again."""
    from click.testing import CliRunner

    from zennbook.cli import main
    first = cli_build(book_dir / "book.yaml", book_dir / "out", "html", extra=("--no-verify",))
    assert first.exit_code == 0, first.output
    checked = CliRunner().invoke(main, ["verify", str(book_dir / "out"), "--book", str(book_dir / "book.yaml")])
    assert checked.exit_code == 0 and "verify: ok" in checked.output, checked.output
    again = build(book_dir, "html")
    assert "up to date" in again.output and "unchanged since verified" in again.output
    page = book_dir / "out" / "verify-book.html"
    page.write_bytes(page.read_bytes() + b"\n")        # changed behind the build's back
    third = build(book_dir, "html")
    assert "unchanged since verified" not in third.output


def test_each_run_is_reported_at_its_own_source_line(tmp_path):
    """Runs are looked up from where the last one was found: the same sentence written twice
    is reported at each of its lines, not twice at the first."""
    from zennbook.article import parse_article, read_article
    from zennbook.verify import source_runs
    path = tmp_path / "twice.md"
    path.write_text("---\ntitle: t\n---\n\n同じ文がここにあります。\n\n別の段落です。\n\n同じ文がここにあります。\n",
                    encoding="utf-8")
    article = read_article(path, "twice.md")
    parse_article(article)
    assert [(run.text, run.line) for run in source_runs(article)] == [
        ("同じ文がここにあります。", 5), ("別の段落です。", 7), ("同じ文がここにあります。", 9)]
