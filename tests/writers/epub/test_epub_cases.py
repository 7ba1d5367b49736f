"""Golden cases for the EPUB writer: `cases/<name>.md` (a Zenn article) in, `cases/<name>.xhtml`
out: the chapter's body as it stands in the EPUB (after the XHTML fix-ups and link
resolution), then the diagnostics the writer added.

    .venv/bin/python -m pytest tests/writers/epub --update-goldens    rewrites the .xhtml files
"""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from zennbook.filters import FILTERS
from zennbook.article import parse_article, read_article
from zennbook.config import Book, License, Part
from zennbook.diagnostics import Diagnostics
from zennbook.filtering import FilterContext, apply_filters
from zennbook.writers.epub import (
    assets as epub_assets,
    chapters as epub_chapters,
    links as epub_links,
    xhtml as epub_xhtml,
)

CASES = Path(__file__).resolve().parent / "cases"
LICENSE = License(id="CC-BY-4.0", url="https://creativecommons.org/licenses/by/4.0/", holder="zennbook",
                  year="2026", notice="表示 4.0 国際", terms=(), short="CC BY 4.0")


def render(source: Path) -> str:
    article = read_article(source, source.name)
    parse_article(article)
    book = Book(title="cases", slug="cases", articles_dir=CASES, root_dir=CASES, license=LICENSE,
                parts=(Part("", (article.slug,)),), source_url="https://zenn.dev/zennbook/articles/{slug}")
    diagnostics = Diagnostics()
    context = FilterContext(path=article.label, slug=article.slug, diagnostics=diagnostics,
                            article_dir=CASES, root_dir=CASES, book=book)
    article.doc = apply_filters(article.doc, context, FILTERS)
    writer_notes = Diagnostics()
    chapters = epub_chapters.make_chapters(book, [article], epub_assets.EpubAssets(), writer_notes)
    epub_links.resolve_links(chapters, book, writer_notes)
    body = chapters[0].root.find(".//x:div[@class='chapter-body']", namespaces=epub_xhtml.X)
    out = etree.tostring(body, encoding="unicode") + "\n"
    notes = "".join(f"{d}\n" for d in writer_notes.items)
    return out + ("<!-- diagnostics\n" + notes + "-->\n" if notes else "")


@pytest.mark.parametrize("source", sorted(CASES.glob("*.md")), ids=lambda p: p.name)
def test_golden(source: Path, update_goldens):
    expected_file = source.with_suffix(".xhtml")
    actual = render(source)
    if update_goldens or not expected_file.exists():
        expected_file.write_text(actual, encoding="utf-8")
        if not update_goldens:
            pytest.fail(f"{expected_file.name} was missing and has been written; review it")
    assert actual == expected_file.read_text(encoding="utf-8")


@pytest.mark.parametrize("source", sorted(CASES.glob("*.md")), ids=lambda p: p.name)
def test_case_is_well_formed_xhtml_in_its_namespaces(source: Path):
    root = etree.fromstring(render(source).split("<!-- diagnostics")[0].encode("utf-8"))
    assert root.tag == f"{{{epub_xhtml.XHTML_NS}}}div"
    for elem in root.iter():
        if isinstance(elem.tag, str):
            assert etree.QName(elem).namespace in (epub_xhtml.XHTML_NS, epub_xhtml.MATHML_NS), elem.tag
