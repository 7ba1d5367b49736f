"""The HTML render pass (zennbook/writers/html/render.py), shared by the page and the EPUB.

Golden cases: `cases/<name>.md` (Zenn Markdown) goes through the real stages (read and
normalize, Zenn text stage, pandoc, the filter chain) and `article_html` with heading links;
`cases/<name>.html` is the expected fragment. Images resolve under books/edges.

    .venv/bin/python -m pytest tests/writers/html --update-goldens    rewrites the .html files
"""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import lxml.html
import panflute as pf
import pytest

from zennbook.filters import FILTERS
from zennbook.article import parse_article, read_article
from zennbook.diagnostics import Diagnostics
from zennbook.filtering import FilterContext, apply_filters
from zennbook.writers.html.render import article_html, fragment_href, safe_url

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
IMAGES_ROOT = HERE / "books" / "edges"


def asset_name(path: Path) -> str:
    return f"asset:{path.name}"


def render_case(source: Path) -> str:
    article = read_article(source, f"cases/{source.name}")
    parse_article(article)
    context = FilterContext(path=article.label, slug=article.slug, diagnostics=Diagnostics(),
                            article_dir=source.parent, root_dir=IMAGES_ROOT)
    article.doc = apply_filters(article.doc, context, FILTERS)
    return article_html(article, asset_name, f"{article.slug}--", heading_links=True)


@pytest.mark.parametrize("source", sorted(CASES.glob("*.md")), ids=lambda p: p.stem)
def test_golden(source: Path, request):
    expected = source.with_suffix(".html")
    actual = render_case(source)
    if request.config.getoption("--update-goldens", default=False):
        expected.write_text(actual, encoding="utf-8")
    assert expected.exists(), f"no {expected.name}; run with --update-goldens and review it"
    assert actual == expected.read_text(encoding="utf-8")


@pytest.mark.parametrize("url, expected", [
    ("https://example.com/a?b=c", "https://example.com/a?b=c"),
    ("HTTP://EXAMPLE.COM", "HTTP://EXAMPLE.COM"),
    ("mailto:a@example.com", "mailto:a@example.com"),
    ("#見出し", "#見出し"),
    ("images/x.png", "images/x.png"),
    ("", ""),
    ("javascript:alert(1)", None),
    ("JaVaScRiPt:alert(1)", None),
    ("  javascript:alert(1)", None),
    ("\x01javascript:alert(1)", None),
    ("jav\tascript:alert(1)", None),
    ("java\nscript:alert(1)", None),
    ("java\rscript:alert(1)", None),
    ("vbscript:msgbox(1)", None),
    ("data:text/html;base64,PHNjcmlwdD4=", None),
    ("file:///etc/passwd", None),
    ("https://exa\tmple.com/", "https://example.com/"),
])
def test_safe_url(url, expected):
    assert safe_url(url) == expected


def test_fragment_href_is_a_valid_url_that_finds_the_id():
    identifier = '100%-&-"引用"-#記号-<b>-[x]-{y}-`z`-|'
    href = fragment_href(identifier)
    assert href == "#100%25-&-%22引用%22-%23記号-%3Cb%3E-%5Bx%5D-%7By%7D-%60z%60-%7C"
    from urllib.parse import unquote
    assert unquote(href[1:]) == identifier


def fake_article(*blocks) -> SimpleNamespace:
    return SimpleNamespace(doc=pf.Doc(*blocks), label="<test>")


def fragment(article, heading_links=False) -> lxml.html.HtmlElement:
    html = article_html(article, asset_name, "t--", heading_links=heading_links)
    return lxml.html.fragment_fromstring(html, create_parent="div")


def test_attributes_an_article_must_not_set_are_dropped():
    """pandoc passes any attribute through; the filters never should, but if one did."""
    unsafe = {"onclick": "alert(1)", "OnMouseOver": "alert(2)", "style": "background:url(http://x/)",
              "href": "javascript:alert(3)", "src": "http://x/y.png", "srcdoc": "<script>", "data-ok": "1"}
    root = fragment(fake_article(
        pf.Para(pf.Span(pf.Str("span"), attributes=dict(unsafe)),
                pf.Code("code", attributes=dict(unsafe))),
        pf.Div(pf.Para(pf.Str("div")), attributes=dict(unsafe)),
        pf.CodeBlock("x = 1", classes=["python"], attributes=dict(unsafe)),
        pf.Header(pf.Str("h"), level=2, identifier="h", attributes=dict(unsafe))))
    elements = list(root.iter())
    assert len(elements) > 5
    for element in elements:
        for name in element.attrib:
            assert not name.lower().startswith("on"), (element.tag, name)
            assert name.lower() not in ("style", "srcdoc"), (element.tag, name)
            assert element.get(name) not in ("javascript:alert(3)", "http://x/y.png")
    assert root.xpath('//*[@data-ok="1"]'), "harmless attributes stay"


def test_unsafe_link_becomes_its_text_and_safe_link_stays():
    root = fragment(fake_article(pf.Para(
        pf.Link(pf.Str("bad"), url="java\tscript:alert(1)"),
        pf.Link(pf.Str("good"), url="https://example.com/"))))
    assert [a.get("href") for a in root.iter("a")] == ["https://example.com/"]
    assert root.xpath('//span[@class="link-removed"]')[0].text_content() == "bad"


def test_image_not_in_the_book_is_never_fetched():
    root = fragment(fake_article(pf.Para(
        pf.Image(pf.Str("remote"), url="https://example.com/a.png"),
        pf.Image(pf.Str("script"), url="javascript:alert(1)"),
        pf.Link(pf.Image(pf.Str("nested"), url="https://example.com/b.png"), url="https://example.com/"))))
    assert not list(root.iter("img"))
    assert [a.get("href") for a in root.iter("a")] == ["https://example.com/a.png", "https://example.com/"]
    assert "［画像］remote" in root.text_content() and "［画像］script" in root.text_content()
    assert not root.xpath("//a//a"), "no link inside a link"


def test_unsafe_card_and_embed_have_no_link():
    root = fragment(fake_article(
        pf.Div(classes=["card"], attributes={"url": "javascript:alert(1)"}),
        pf.Div(classes=["embed"], attributes={"kind": "youtube", "url": "javascript:alert(2)"}),
        pf.Div(classes=["card"], attributes={"url": "https://example.com/"})))
    assert [a.get("href") for a in root.iter("a")] == ["https://example.com/"]
    assert [e.get("data-url") for e in root.xpath("//*[@data-url]")] == ["https://example.com/"]
    assert "javascript:alert(2)" in root.text_content(), "the URL stays visible as text"


def test_heading_links_only_when_asked():
    article = fake_article(pf.Header(pf.Str("見出し"), level=2, identifier="見出し"),
                           pf.Header(pf.Str("五"), level=5))
    assert not fragment(article).xpath('//a[@class="heading-anchor"]')
    anchors = fragment(article, heading_links=True).xpath('//a[@class="heading-anchor"]')
    assert [(a.getparent().get("id"), a.get("href")) for a in anchors] == [("t--見出し", "#t--見出し")]


def test_math_pandoc_cannot_convert_is_shown_as_tex_code():
    root = fragment(fake_article(pf.Para(pf.Math(r"\htmlId{x}{y}", format="InlineMath"),
                                         pf.Math(r"\frac{1}{2}", format="DisplayMath"))))
    assert root.xpath('//code[@class="math-tex math-inline"]')[0].text == r"\htmlId{x}{y}"
    assert len(root.xpath("//math")) == 1
    assert "$" not in root.text_content()


def test_article_doc_is_not_changed():
    """The EPUB writer renders the same article after the page: the pass works on a copy."""
    article = fake_article(pf.Para(pf.Link(pf.Str("x"), url="javascript:alert(1)")))
    before = pf.stringify(article.doc), article.doc.content[0].content[0].url
    fragment(article, heading_links=True)
    assert (pf.stringify(article.doc), article.doc.content[0].content[0].url) == before
