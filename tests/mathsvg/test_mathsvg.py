"""TeX -> SVG with a spoken label: MathJax 4 and its speech engine, run for real in node."""
from __future__ import annotations

from lxml import etree

import pytest

from zennbook.mathsvg import Formula, render_formulas, replace_formulas
from zennbook.mathsvg import render as render_module
from zennbook.mathsvg.svg import accessible_svg, formulas_in
from zennbook.mathsvg.tools import find_tools

SVG = "{http://www.w3.org/2000/svg}"
pytestmark = pytest.mark.skipif(isinstance(find_tools(), str), reason=f"MathJax: {find_tools()}")

FRACTION = Formula(r"\frac{a}{b} + \sqrt{x^2+1}", False)
DISPLAY = Formula(r"\mathcal{L}(\theta) = \mathbb{E}[\log p_\theta(x)] \quad \text{（下界）}", True)
BROKEN = Formula(r"\frac{a}{", False)
HOSTILE = Formula(r"\require{html}\href{javascript:alert(1)}{x}", False)


@pytest.fixture(scope="module")
def drawn(tmp_path_factory):
    cache = tmp_path_factory.mktemp("mathsvg")
    return cache, render_formulas([FRACTION, DISPLAY, BROKEN, HOSTILE, FRACTION], cache)


def test_formula_is_an_image_with_its_speech(drawn):
    _, result = drawn
    svg = etree.fromstring(result.drawn[FRACTION].svg.encode())
    assert svg.tag == f"{SVG}svg" and svg.get("role") == "img"
    speech = svg.get("aria-label")
    assert speech == result.drawn[FRACTION].speech == "a over b plus the square root of x squared plus 1"
    assert svg.find(f"{SVG}title").text == speech
    assert svg.findall(f".//{SVG}path")              # glyphs drawn as paths: no font needed


def test_inline_formula_is_one_piece_and_text_is_kept(drawn):
    _, result = drawn
    whole = etree.fromstring(result.drawn[FRACTION].svg.encode())
    assert float(whole.get("width").removesuffix("ex")) > 8       # a/b and the root, not a/b alone
    display = etree.fromstring(result.drawn[DISPLAY].svg.encode())
    assert "下界" in "".join(display.itertext())
    assert "script L" in display.get("aria-label")


def test_nothing_but_drawing_survives(drawn):
    _, result = drawn
    for item in result.drawn.values():
        root = etree.fromstring(item.svg.encode())
        names = {a for e in root.iter() for a in e.attrib}
        assert not [n for n in names if n.startswith("data-") or n.startswith("on") or "href" in n]
        assert {etree.QName(e).localname for e in root.iter()} <= {"svg", "g", "path", "rect", "title", "text",
                                                                   "line", "polyline", "polygon"}


def test_sanitizer_drops_script_links_and_styles():
    hostile = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
               'style="background:url(http://x)" onload="alert(1)"><script>alert(1)</script>'
               '<a xlink:href="javascript:alert(1)"><path d="M0 0" /></a><foreignObject><p>x</p></foreignObject>'
               '<g data-latex="x"><path d="M1 1" style="vertical-align: -0.5ex;" /></g></svg>')
    root = etree.fromstring(accessible_svg(hostile, "x").encode())
    text = etree.tostring(root, encoding="unicode")
    for bad in ("script", "onload", "javascript", "foreignObject", "url(", "data-latex", "<a"):
        assert bad not in text
    assert root.get("aria-label") == "x" and root.find(f"{SVG}title").text == "x"


def test_bad_and_hostile_tex_fail_and_are_cached(drawn, monkeypatch):
    cache, result = drawn
    assert "close brace" in result.errors[BROKEN].lower()
    assert "require" in result.errors[HOSTILE]
    assert HOSTILE not in result.drawn
    monkeypatch.setattr(render_module, "render_batch", lambda *a: pytest.fail("node started again"))
    again = render_formulas([FRACTION, DISPLAY, BROKEN, HOSTILE], cache)
    assert again.drawn == result.drawn and again.errors == result.errors


def test_unavailable_mathjax_is_said(monkeypatch, tmp_path):
    monkeypatch.setattr(render_module, "find_tools", lambda: "MathJax is not installed")
    result = render_formulas([FRACTION], tmp_path)
    assert result.unavailable == "MathJax is not installed" and not result.drawn


def test_mathml_found_and_replaced():
    html = ('<p>x <math display="inline" xmlns="http://www.w3.org/1998/Math/MathML"><semantics><mi>a</mi>'
            '<annotation encoding="application/x-tex">a &lt; b</annotation></semantics></math> y</p>'
            '<math display="block"><semantics><mi>c</mi><annotation encoding="application/x-tex">c</annotation>'
            '</semantics></math>')
    assert formulas_in(html) == [("a < b", False), ("c", True)]
    out = replace_formulas(html, lambda tex, display: None if tex == "c" else f"<svg>{len(tex)}</svg>")
    assert '<span class="math math-inline"><svg>5</svg></span>' in out
    assert '<annotation encoding="application/x-tex">c</annotation>' in out        # kept as MathML
