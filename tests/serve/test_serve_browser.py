"""The preview in a real browser (Debian's Chromium, Playwright; never `playwright install`):
an edit on disk reloads the page by itself, a broken front matter shows its located error
while the rest of the book stays, the fix takes the error away."""
from __future__ import annotations

import pytest

from tests.conftest import needs
from tests.serve.conftest import ARTICLES
from tests.writers.html.browser import DESKTOP, launch

pytestmark = needs("chromium")
WAIT_MS = 30_000


@pytest.fixture
def page(served):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(viewport=DESKTOP, service_workers="block")
        opened = context.new_page()
        opened.set_default_timeout(WAIT_MS)
        problems = []
        opened.on("pageerror", lambda error: problems.append(str(error)))
        opened.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        opened.goto(served.url, wait_until="load")
        opened.problems = problems
        yield opened
        browser.close()


def chapter_text(page, chapter: str) -> str:
    return page.locator(f"#{chapter}").inner_text()


def test_a_save_reloads_the_page_with_the_new_text(served, page):
    assert "Original first paragraph." in chapter_text(page, "ch-one")
    article = served.folder / "articles" / "one.md"
    article.write_text(ARTICLES["one"].replace("Original first paragraph.", "Edited on disk."), encoding="utf-8")
    page.wait_for_function("() => document.getElementById('ch-one').textContent.includes('Edited on disk.')")
    assert "Original first paragraph." not in chapter_text(page, "ch-one")
    assert page.problems == []


def test_a_broken_front_matter_is_shown_located_and_the_book_stays(served, page):
    article = served.folder / "articles" / "two.md"
    article.write_text(ARTICLES["two"].replace('title: "第二章"', "title: [第二章"), encoding="utf-8")
    item = page.locator("#zb-panel .zb-item.zb-error")
    item.first.wait_for()
    where = item.first.locator(".zb-where").inner_text()
    assert where.endswith("articles/two.md:2")
    assert "frontmatter.syntax" in item.first.inner_text()
    # the last good render of the broken chapter stays, and so does the rest of the book
    assert "The second chapter stays as it is." in chapter_text(page, "ch-two")
    assert "Original first paragraph." in chapter_text(page, "ch-one")
    assert "zb-stale-chapter" in page.locator("#ch-two").get_attribute("class")
    assert "1 error(s)" in page.locator("#zb-badge").inner_text()

    article.write_text(ARTICLES["two"], encoding="utf-8")
    page.wait_for_function("() => document.getElementById('zb-badge').textContent.startsWith('0 error(s)')")
    assert page.locator("#zb-panel .zb-item.zb-error").count() == 0
    assert "zb-stale-chapter" not in (page.locator("#ch-two").get_attribute("class") or "")
    assert page.problems == []


def test_clicking_a_diagnostic_shows_the_element_of_its_line(served, page):
    article = served.folder / "articles" / "one.md"
    broken = ARTICLES["one"] + "\n## 埋め込み\n\n@[vimeo](https://example.com/v/1)\n"
    article.write_text(broken, encoding="utf-8")
    item = page.locator("#zb-panel .zb-item.zb-warning")
    item.first.wait_for(state="attached")       # warnings only: the panel opens from the badge
    page.locator("#zb-badge").click()
    item.first.click()
    flashed = page.locator(".zb-flash")
    flashed.wait_for()
    said = int(item.first.locator(".zb-where").inner_text().rsplit(":", 1)[1])
    nearest = page.evaluate("""line => Math.max(...[...document.querySelectorAll('#ch-one [data-source-line]')]
        .map(n => +n.dataset.sourceLine).filter(n => n <= line))""", said)
    shown_line = flashed.evaluate("""node => node.dataset.sourceLine
        ?? node.querySelector(':scope > span[data-source-line]:empty').dataset.sourceLine""")
    assert int(shown_line) == nearest            # its own line, or its paragraph's anchor's
    assert said - 2 <= nearest <= said           # the heading just above the embed, or the embed
    assert flashed.evaluate("node => node.closest('article').id") == "ch-one"


def test_the_page_keeps_its_place_in_the_edited_chapter(served, page):
    long_one = ARTICLES["one"] + "".join(f"\n## 節 {i}\n\n{'本文。' * 80}\n" for i in range(30))
    article = served.folder / "articles" / "one.md"
    article.write_text(long_one, encoding="utf-8")
    page.wait_for_function("() => document.getElementById('ch-one').textContent.includes('節 29')")
    page.locator("#ch-one h2", has_text="節 20").scroll_into_view_if_needed()
    page.evaluate("() => window.scrollBy(0, -5)")
    before = page.evaluate("() => document.getElementById('ch-one').getBoundingClientRect().top")
    article.write_text(long_one.replace("節 0", "節 ゼロ"), encoding="utf-8")
    page.wait_for_function("() => document.getElementById('ch-one').textContent.includes('節 ゼロ')")
    page.wait_for_timeout(300)
    after = page.evaluate("() => document.getElementById('ch-one').getBoundingClientRect().top")
    assert before < -1000 and abs(after - before) < 50


def test_a_body_edit_swaps_the_chapter_in_place_and_a_new_title_swaps_the_contents_too(served, page):
    page.evaluate("() => { window.notReloaded = true; window.searchBox = document.getElementById('search-input'); }")
    article = served.folder / "articles" / "one.md"
    article.write_text(ARTICLES["one"].replace("Original first paragraph.", "Swapped in."), encoding="utf-8")
    page.wait_for_function("() => document.getElementById('ch-one').textContent.includes('Swapped in.')")
    assert page.evaluate("() => window.notReloaded === true")       # only the chapter was replaced
    assert page.locator("#ch-one [data-source-line]").count() > 0

    article.write_text(ARTICLES["one"].replace("第一章", "改題"), encoding="utf-8")
    page.wait_for_function("() => document.querySelector('.book-toc').textContent.includes('改題')")
    assert page.locator("#ch-one h1").inner_text().startswith("📘 改題")
    # the contents' list swapped, no reload; the search form around it (and its handlers) kept
    assert page.evaluate("() => window.notReloaded === true && document.getElementById('search-input') === window.searchBox")
    assert page.problems == []
