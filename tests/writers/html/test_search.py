"""Search in the single page, offline from file://: Japanese (bigrams), English words and
code identifiers, hits with their chapter and a snippet, a click that scrolls to the hit.
Debian's Chromium driven by Playwright (never a downloaded browser)."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, TEST_LICENSE, needs

from tests.writers.html.browser import PHONE, chromium_path, open_page
from tests.writers.html.test_html_page import NEWER_THAN_THE_CHECKER, nu_messages

pytestmark = pytest.mark.skipif(chromium_path() is None, reason="chromium not installed")

BOOK_YAML = """\
title: 検索の本
slug: search-book
language: ja
articles: articles
""" + TEST_LICENSE + """\
chapters: [01-one, 02-two, 03-three]
"""
FILLER = "\n\n".join(f"埋め草の段落その{i}です。読み進めるための文章が続きます。" for i in range(60))
ARTICLES = {
    "01-one": f"---\ntitle: 一つ目の章\n---\n\n## はじめに\n\nThe Pipeline reads articles.\n\n{FILLER}\n",
    "02-two": f"---\ntitle: 二つ目の章\n---\n\n## コード\n\n```python\ndef render_book_html(book):\n"
              f"    return document.getElementById(book)\n```\n\n{FILLER}\n",
    "03-three": f"---\ntitle: 三つ目の章\n---\n\n## 花\n\n{FILLER}\n\n庭にあじさいが咲きました。pipeline の話ではありません。\n\n"
                ":::details 折りたたみ\n奥にしまったひみつの言葉です。\n:::\n",
}


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("search-book")
    (folder / "articles").mkdir()
    (folder / "book.yaml").write_text(BOOK_YAML, encoding="utf-8")
    for slug, text in ARTICLES.items():
        (folder / "articles" / f"{slug}.md").write_text(text, encoding="utf-8")
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--format", "html", "--out", "dist"],
                          cwd=folder, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return folder / "dist" / "search-book.html"


def searched(browser, page: Path, query: str, viewport=None):
    watched = open_page(browser, page, **({"viewport": viewport} if viewport else {}))
    if viewport is PHONE:
        watched.page.click("#toc-open")
    watched.page.fill("#search-input", query)
    for _ in range(100):
        if watched.page.evaluate("document.querySelector('#search-status').textContent !== ''"):
            break
        watched.page.wait_for_timeout(50)
    return watched


def hits(watched) -> list[tuple[str, str]]:
    return watched.page.eval_on_selector_all(
        "#search-results li", "items => items.map(i => [i.querySelector('.search-chapter').textContent,"
                              " i.querySelector('.search-snippet').textContent])")


def in_view(watched, selector_js: str) -> bool:
    return watched.page.evaluate(f"""() => {{ const r = ({selector_js}).getBoundingClientRect();
        return r.top >= 0 && r.top < window.innerHeight && r.height > 0; }}""")


def test_japanese_word_of_chapter_three_only(browser, page):
    watched = searched(browser, page, "あじさい")
    found = hits(watched)
    assert found and all(chapter == "三つ目の章" for chapter, _ in found)
    assert "あじさい" in found[0][1]
    assert watched.page.inner_text("#search-results mark") == "あじさい"
    assert not in_view(watched, "document.querySelector('#search-results a').hash && "
                                "document.getElementById(document.querySelector('#search-results a').hash.slice(1))")
    watched.page.click("#search-results a")
    watched.page.wait_for_timeout(300)
    target = watched.page.evaluate("location.hash.slice(1)")
    assert target and in_view(watched, f"document.getElementById({target!r})")
    assert "あじさい" in watched.page.evaluate(f"document.getElementById({target!r}).textContent")
    assert watched.errors == [] and watched.foreign_requests() == []


def test_english_word_any_case_in_two_chapters(browser, page):
    found = hits(searched(browser, page, "pipeline"))
    assert {chapter for chapter, _ in found} == {"一つ目の章", "三つ目の章"}
    assert any("The Pipeline reads" in snippet for _, snippet in found)


@pytest.mark.parametrize("query", ["render_book_html", "render_bo", "book_html", "getElementById", "getElem", "element"])
def test_code_identifiers_whole_in_parts_and_by_prefix(browser, page, query):
    found = hits(searched(browser, page, query))
    assert [chapter for chapter, _ in found] == ["二つ目の章"], (query, found)


def test_nothing_found_is_said(browser, page):
    watched = searched(browser, page, "存在しない言葉")
    assert hits(watched) == []
    assert watched.page.inner_text("#search-status") == "見つかりません"


def test_a_hit_in_closed_details_opens_it_on_a_phone(browser, page):
    watched = searched(browser, page, "ひみつ", viewport=PHONE)
    assert [chapter for chapter, _ in hits(watched)] == ["三つ目の章"]
    assert not watched.page.evaluate("document.querySelector('details').open")
    watched.page.click("#search-results a")
    watched.page.wait_for_timeout(300)
    assert watched.page.evaluate("document.querySelector('details').open")
    target = watched.page.evaluate("location.hash.slice(1)")
    assert in_view(watched, f"document.getElementById({target!r})")


def test_index_is_built_only_when_the_box_is_used(browser, page):
    watched = open_page(browser, page)
    assert watched.page.is_visible("#search-input")                 # the script ran and showed the form
    watched.page.wait_for_timeout(300)
    assert watched.page.get_attribute("#book-search", "data-indexed") is None
    watched.page.focus("#search-input")
    assert int(watched.page.get_attribute("#book-search", "data-indexed")) > 180   # every paragraph


def test_the_only_script_is_ours_as_shipped(page):
    html = page.read_text(encoding="utf-8")
    assert len(re.findall(r"<script\b", html)) == 1
    shipped = (REPO / "templates" / "html" / "search.js").read_text(encoding="utf-8")
    assert f'<script id="zennbook-search">{shipped}</script>' in html


@needs("java")
def test_page_with_search_is_valid_for_the_nu_checker(page):
    messages = nu_messages(page)
    errors = [m for m in messages if m["type"] == "error" or m.get("subType") == "fatal"]
    assert not [m for m in errors if m["message"] not in NEWER_THAN_THE_CHECKER], errors
    assert not [m for m in messages if m["type"] not in ("error", "info")], messages
