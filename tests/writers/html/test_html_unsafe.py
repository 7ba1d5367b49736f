"""Raw HTML and URLs in articles are not trusted: books/unsafe tries script elements, event
handler attributes, javascript:/vbscript:/data: links (also hidden by tabs, newlines,
case, entities), remote images, styles that fetch, attribute blocks, front matter markup.
Built by the real CLI; nothing may run or be fetched, and none of the text may vanish.
"""
from __future__ import annotations

import re

import lxml.html

from tests.conftest import needs

from tests.writers.html.browser import chromium_path, launch, open_page

# What the browser's URL parser ignores before reading a scheme.
IGNORED_IN_URL = re.compile(r"[\x00-\x20]")
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data-url", "poster", "srcset", "xlink:href",
                  "background", "cite", "ping")


def tree(built):
    return lxml.html.fromstring(built.html.read_bytes())


def test_no_script_element_and_no_raw_script_tag(unsafe):
    """No script but the page's own search (templates/html/search.js), once, at the end."""
    raw = unsafe.html.read_text(encoding="utf-8")
    assert not tree(unsafe).xpath("//script[not(@id='zennbook-search')]")
    assert raw.lower().count("<script") == 1 and '<script id="zennbook-search">' in raw
    assert "&lt;script&gt;" in raw, "the script tags are shown as text"


def test_no_event_handler_attribute(unsafe):
    elements = list(tree(unsafe).iter())
    assert len(elements) > 50
    handlers = [(e.tag, name) for e in elements for name in e.attrib if name.lower().startswith("on")]
    assert not handlers


def test_no_url_with_a_scheme_that_runs_or_embeds(unsafe):
    found = []
    for element in tree(unsafe).iter():
        for name in URL_ATTRIBUTES:
            value = element.get(name)
            if value is None:
                continue
            scheme = IGNORED_IN_URL.sub("", value).lower().split(":", 1)[0]
            if scheme in ("javascript", "vbscript", "data", "file", "blob"):
                found.append((element.tag, name, value))
    assert not found
    links = [a.get("href") for a in tree(unsafe).iter("a") if a.get("href")]
    assert all(h.startswith(("#", "https://")) for h in links), links


def test_nothing_of_the_text_vanishes(unsafe):
    text = tree(unsafe).text_content()
    for shown in ('<script>alert("script-block")</script>', """onerror="alert('onerror')""",
                  "<a href=\"javascript:alert('raw-anchor')\">", "<iframe src=", "<svg onload=",
                  "[スクリプトのリンク](javascript:alert('md-link'))", "タブ入り", "改行入り",
                  "［画像］外の画像", "@[card](javascript:alert('card'))", """onclick="alert('span')""",
                  "<script>alert('code')</script>", r"\href{javascript:alert('math')}{x}",
                  "<script>alert('title')</script> の題", "<img src=x onerror=alert('emoji')>"):
        assert shown in text, shown


@needs("chromium")
def test_nothing_runs_in_a_browser(unsafe):
    from playwright.sync_api import sync_playwright
    assert chromium_path()
    with sync_playwright() as playwright:
        browser = launch(playwright)
        watched = open_page(browser, unsafe.html)
        page = watched.page
        for summary in page.locator("summary").all():
            summary.click()
        for element in page.locator("main a:visible, main span:visible, main code:visible").all():
            element.hover()
        page.wait_for_timeout(200)
        assert page.evaluate("[...document.scripts].map(s => s.id)") == ["zennbook-search"]
        browser.close()
    assert watched.dialogs == []
    assert watched.errors == []
    assert watched.foreign_requests() == [] and watched.blocked == []
