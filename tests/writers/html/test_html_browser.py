"""The single page in a real browser: Debian's Chromium driven by Playwright (never
`playwright install`), every request watched and anything but the file itself aborted.
One browser for the module; the books are built once per session (conftest.py).
"""
from __future__ import annotations

import re

import pytest

from tests.conftest import needs
from tests.writers.html.browser import DESKTOP, PHONE, open_page
from zennbook.pandoc import run_pandoc

pytestmark = needs("chromium")


@pytest.fixture
def opened(browser):
    pages = []

    def open_(path, **options):
        watched = open_page(browser, path, **options)
        pages.append(watched)
        return watched

    yield open_
    for watched in pages:
        watched.page.context.close()


def assert_clean(watched):
    assert watched.errors == []
    assert watched.foreign_requests() == [] and watched.blocked == []
    assert watched.dialogs == []
    resources = watched.page.evaluate(
        "performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith('data:'))")
    assert resources == []


def test_loads_offline_with_no_console_error_and_no_request(sample, edges, opened):
    for built in (sample, edges):
        for viewport in (DESKTOP, PHONE):
            watched = opened(built.html, viewport=viewport)
            assert watched.requests[0] == watched.url
            assert_clean(watched)


def test_details_open_and_close_on_click(sample, opened):
    page = opened(sample.html).page
    details = page.locator("details.admonition.details").first
    body = details.locator(":scope > .admonition-body")
    assert details.evaluate("d => d.open") is False and not body.is_visible()
    details.locator(":scope > summary").click()
    assert details.evaluate("d => d.open") is True and body.is_visible()
    assert body.bounding_box()["height"] > 10
    details.locator(":scope > summary").click()
    assert details.evaluate("d => d.open") is False and not body.is_visible()


def test_math_is_laid_out_as_mathml(sample, opened):
    page = opened(sample.html).page
    maths = page.locator("math")
    assert maths.count() > 10
    block = page.locator('math[display="block"]').first
    block.scroll_into_view_if_needed()
    box = block.bounding_box()
    assert box["width"] > 50 and box["height"] > 10
    assert block.evaluate("m => getComputedStyle(m).display") == "block math"
    # a fraction is stacked: the numerator's box ends above the denominator's
    stacked = page.evaluate("""() => [...document.querySelectorAll('mfrac')].map(f => {
        const [top, bottom] = [...f.children].map(c => c.getBoundingClientRect());
        return top.height > 0 && bottom.height > 0 && top.bottom <= bottom.top + 1; })""")
    assert stacked and all(stacked)


def test_toc_is_a_sidebar_on_desktop(sample, opened):
    page = opened(sample.html, viewport=DESKTOP).page
    toc, main = page.locator("#toc"), page.locator("main.book")
    assert toc.is_visible() and not page.locator("a.toc-open").is_visible()
    assert toc.evaluate("t => getComputedStyle(t).position") == "fixed"
    assert toc.bounding_box()["x"] == 0 and toc.bounding_box()["x"] + toc.bounding_box()["width"] <= main.bounding_box()["x"]
    chapters = toc.locator("li.toc-chapter a")
    assert chapters.count() == len(sample.sources) + 1               # + the license
    chapters.nth(2).click()
    page.wait_for_function("location.hash === '#ch-' + %r" % sample.sources[2].stem)
    banner = page.locator(".license-banner").bounding_box()
    assert banner["y"] + banner["height"] <= page.locator(f"#ch-{sample.sources[2].stem}").bounding_box()["y"] < 100
    assert toc.is_visible()


def test_toc_is_a_panel_on_a_phone(sample, opened):
    page = opened(sample.html, viewport=PHONE).page
    toc, button = page.locator("#toc"), page.locator("a.toc-open")
    assert not toc.is_visible() and button.is_visible()
    page.mouse.wheel(0, 3000)
    page.wait_for_function("scrollY > 1000")
    button.click()
    assert toc.is_visible() and toc.bounding_box()["width"] == PHONE["width"]
    scrolled = page.evaluate("scrollY")
    toc.locator("a.toc-close").click()
    assert not toc.is_visible() and page.evaluate("scrollY") == scrolled, "closing keeps the place"
    button.click()
    target = sample.sources[3].stem
    toc.locator(f'a[href="#ch-{target}"]').click()
    page.wait_for_function(f"location.hash === '#ch-{target}'")
    assert not toc.is_visible(), "following a link closes the panel"
    assert 0 <= page.locator(f"#ch-{target}").bounding_box()["y"] < 100


def test_no_horizontal_scrolling_on_a_phone(sample, edges, opened):
    for built in (sample, edges):
        page = opened(built.html, viewport=PHONE).page
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]


def test_heading_anchor_shows_on_hover_and_leads_to_its_heading(edges, opened):
    page = opened(edges.html).page
    heading = page.locator("main h2").first
    anchor = heading.locator("a.heading-anchor")
    assert float(anchor.evaluate("a => getComputedStyle(a).opacity")) == 0
    assert anchor.evaluate("a => getComputedStyle(a, '::before').content") == '"§"'
    heading.hover()
    page.wait_for_function("a => getComputedStyle(a).opacity === '1'", arg=anchor.element_handle())
    page.mouse.wheel(0, 2000)
    anchor.click()
    assert heading.evaluate("h => document.querySelector(':target') === h")
    banner = page.locator(".license-banner").bounding_box()
    assert banner["y"] + banner["height"] <= heading.bounding_box()["y"] < 120, \
        "not hidden under the sticky banner"


def skylighting_classes() -> set[str]:
    """Every token class pandoc's highlighter emits, read from pandoc's own stylesheets."""
    styles = run_pandoc("", ["--list-highlight-styles"], "styles").split()
    found = set()
    for style in styles:
        html = run_pandoc("```python\nx = 1\n```\n", ["-s", "-t", "html5", "--metadata", "title=t",
                                                       f"--highlight-style={style}"], style)
        found |= set(re.findall(r"code span\.([a-z]{2})\b", html))
    return found


CONTRAST = """([classes]) => {
    const pre = document.createElement('pre'), code = document.createElement('code');
    code.className = 'sourceCode'; pre.appendChild(code);
    const plain = document.createElement('span'); plain.textContent = 'plain'; code.appendChild(plain);
    for (const c of classes) { const s = document.createElement('span'); s.className = c; s.textContent = c; code.appendChild(s); }
    document.querySelector('main').appendChild(pre);
    const rgb = v => v.match(/[\\d.]+/g).slice(0, 3).map(Number);
    const lum = ([r, g, b]) => [r, g, b].map(x => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; })
                                   .reduce((a, x, i) => a + x * [0.2126, 0.7152, 0.0722][i], 0);
    const ratio = (a, b) => { const [l1, l2] = [lum(a), lum(b)].sort((x, y) => y - x); return (l1 + 0.05) / (l2 + 0.05); };
    const background = rgb(getComputedStyle(pre).backgroundColor);
    const base = getComputedStyle(plain).color;
    const out = {};
    for (const s of code.querySelectorAll('span:not(:first-child)')) {
        const color = getComputedStyle(s).color;
        out[s.className] = [ratio(rgb(color), background), color !== base];
    }
    pre.remove();
    return [lum(background), out];
}"""


def test_themes_follow_the_system_and_every_token_class_is_coloured_and_readable(sample, opened):
    classes = sorted(skylighting_classes())
    assert len(classes) >= 29 and {"kw", "st", "co", "re", "op", "wa"} <= set(classes)
    backgrounds = {}
    for scheme in ("light", "dark"):
        page = opened(sample.html, color_scheme=scheme).page
        background, tokens = page.evaluate(CONTRAST, [classes])
        backgrounds[scheme] = background
        assert set(tokens) == set(classes)
        unreadable = {c: round(r, 2) for c, (r, _) in tokens.items() if r < 4.5}
        assert not unreadable, (scheme, unreadable)
        uncoloured = [c for c, (_, differs) in tokens.items() if not differs]
        assert not uncoloured, (scheme, uncoloured)
    assert backgrounds["light"] > 0.8 and backgrounds["dark"] < 0.05


def test_the_browser_supports_the_css_the_checker_does_not_know(sample, opened):
    """The three messages test_html_page allows: features this Chromium has, and uses here."""
    page = opened(sample.html).page
    assert page.evaluate("""() => [CSS.supports('content-visibility', 'auto'),
        CSS.supports('contain-intrinsic-size', 'auto 100px'), CSS.supports('selector(::details-content)')]""") == [True] * 3
    chapter = page.locator("article.chapter").last
    assert chapter.evaluate("c => getComputedStyle(c).contentVisibility") == "auto"
    assert chapter.evaluate("c => getComputedStyle(c).containIntrinsicHeight").startswith("auto ")


def test_print_shows_the_book_not_the_controls(sample, opened):
    page = opened(sample.html, color_scheme="dark", media="print").page
    style = page.evaluate("""() => {
        const s = q => getComputedStyle(document.querySelector(q));
        return {toc: s('#toc').display, button: s('a.toc-open').display,
                banner: s('.license-banner').position, background: s('body').backgroundColor,
                chapter: s('.part > .chapter:nth-of-type(2)').breakBefore,
                anchor: s('.heading-anchor').display}; }""")
    assert style == {"toc": "none", "button": "none", "banner": "static", "background": "rgb(255, 255, 255)",
                     "chapter": "page", "anchor": "none"}
    closed = page.locator("details.admonition.details").first
    assert closed.evaluate("d => d.open") is False
    assert closed.locator(":scope > .admonition-body").is_visible(), "details print open"
    assert page.locator("article.chapter").last.evaluate("c => getComputedStyle(c).contentVisibility") == "visible"


def test_screenshots_at_desktop_and_phone_width(sample, opened, tmp_path):
    from PIL import Image
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = opened(sample.html, viewport=viewport).page
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path))
        with Image.open(path) as image:
            assert image.size == (viewport["width"], viewport["height"])
            assert len(image.convert("RGB").getcolors(maxcolors=1 << 20)) > 100, "not a blank page"
