"""The safety package against one table of hostile inputs, concern by concern.

Each row is something a cloned course can hold; each test asks the one function every writer
calls for that concern (zennbook.safety and zennbook.math) and checks the answer a reader
needs: refused, disarmed or kept inside. The end-to-end books in tests/hostile show the same
inputs reach no output; this file is the policy itself, one place to read what is refused.
"""
from __future__ import annotations

import os
from pathlib import Path

import pikepdf
import pytest
import yaml

from zennbook.math import MathProblem, to_latex
from zennbook.safety.chars import has_unshowable, printable, scrub
from zennbook.safety.markup import article_may_set, valid_on
from zennbook.safety.paths import Refused, book_folder, check_file, read_inside
from zennbook.safety.pdf import remove_unsafe_actions, unsafe_actions
from zennbook.safety.svg import UnsafeSvg, sanitize_svg
from zennbook.safety.urls import safe_href
from zennbook.safety.yamlload import load_yaml

# -- URLs: every format links through safe_href --------------------------------------------

HOSTILE_URLS = [
    "javascript:alert(1)", " JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "java\nscript:alert(1)",
    "&#106;avascript:alert(1)", "javascript&colon;alert(1)", "%6Aavascript:alert(1)",
    "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>", "file:///etc/passwd",
    "file://localhost/etc/shadow", "jar:http://x.example/a.jar!/", "view-source:http://x.example",
    "\x00javascript:alert(1)", "\u202ejavascript:alert(1)", "ｊａｖａｓｃｒｉｐｔ:alert(1)",
    "http://", "https://[::1", "http://exa mple.com/",
]


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_a_hostile_url_is_never_a_link(url):
    assert safe_href(url) is None


@pytest.mark.parametrize("url", ["https://example.com/a?b=c#d", "http://例え.jp/パス", "mailto:a@example.com"])
def test_an_ordinary_url_stays_a_link(url):
    assert safe_href(url)


# -- attributes an article sets with {key=value} ------------------------------------------

@pytest.mark.parametrize("name", ["onclick", "ONLOAD", "onmouseover", "style", "href", "src", "srcset",
                                  "srcdoc", "formaction", "xlink:href", "xmlns", "xml:base", "data-line"])
def test_an_attribute_that_could_run_or_fetch_is_never_set_by_an_article(name):
    assert not article_may_set(name)


def test_harmless_attributes_pass_and_invalid_ones_are_not_valid_html():
    assert article_may_set("id") and article_may_set("class") and article_may_set("data-x")
    assert not valid_on("span", "src") and valid_on("a", "href") and valid_on("span", "data-x")


# -- math: KaTeX's whitelist, nothing else reaches TeX ------------------------------------

HOSTILE_MATH = [
    r"\directlua{os.execute('id')}", r"\input{/etc/passwd}", r"\write18{rm -rf /}",
    r"\csname directlua\endcsname{x}", r"^^5cdirectlua{x}", r"\UseName{directlua}{x}",
    r"\catcode`\@=11", r"\immediate\openout1=x.tex", r"\def\x{\x}\x", r"\expandafter\x\y",
    r"\pagecolor{red}", r"\setcounter{page}{9}", r"\end{document}", r"\special{ps: x}",
]


@pytest.mark.parametrize("tex", HOSTILE_MATH)
def test_a_formula_that_could_act_in_tex_is_refused(tex):
    with pytest.raises(MathProblem):
        to_latex(tex, display=True)


def test_a_formula_katex_draws_is_written():
    assert r"\frac" in to_latex(r"\frac{a}{b} + \sum_{i=1}^n x_i", display=True).latex


# -- paths: only regular files inside the book -------------------------------------------

@pytest.fixture
def book(tmp_path):
    folder = tmp_path / "book"
    (folder / "images").mkdir(parents=True)
    (folder / "images" / "ok.png").write_bytes(b"png")
    (folder / ".env").write_text("SECRET=1")
    (tmp_path / "outside.txt").write_text("canary")
    (folder / "images" / "out.png").symlink_to(tmp_path / "outside.txt")
    (folder / "images" / "loop.png").symlink_to(folder / "images" / "loop.png")
    os.mkfifo(folder / "images" / "pipe.png")
    return book_folder(folder)


@pytest.mark.parametrize("path, reason", [
    ("../outside.txt", "outside"), ("/etc/passwd", "outside"), ("images/out.png", "outside"),
    ("images/../../outside.txt", "outside"), (".env", "hidden"), ("images/../.env", "hidden"),
    ("images/pipe.png", "not-regular"), ("images", "not-regular"), ("images/nul\x00.png", "name"),
    ("images/missing.png", "missing"),
])
def test_a_path_outside_hidden_or_not_a_regular_file_is_refused(book, path, reason):
    with pytest.raises(Refused) as refused:
        check_file(book, Path(path))
    assert refused.value.reason == reason


def test_a_symlink_loop_is_refused_and_a_regular_file_is_read(book):
    with pytest.raises(Refused):
        check_file(book, Path("images/loop.png"))
    assert read_inside(book, Path("images/ok.png"), 10) == b"png"
    with pytest.raises(Refused):
        read_inside(book, Path("images/ok.png"), 2)         # over the limit


# -- YAML: bounded, no tags, no alias bombs -----------------------------------------------

HOSTILE_YAML = [
    "a: !!python/object/apply:os.system ['id']",
    "a: &x [1]\nb: &y [*x, *x, *x, *x, *x, *x, *x, *x, *x]\nc: &z [*y, *y, *y, *y, *y, *y, *y, *y, *y]\n"
    "d: [*z, *z, *z, *z, *z, *z, *z, *z, *z]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]",
    "a: " + "[" * 5000 + "]" * 5000,
    "base: &b {x: 1}\nother:\n  <<: *b",
    "x: " + "y" * (5 * 1024 * 1024),
]


@pytest.mark.parametrize("text", HOSTILE_YAML, ids=["tag", "alias-bomb", "deep", "merge", "huge"])
def test_hostile_yaml_is_refused_not_expanded(text):
    with pytest.raises(yaml.YAMLError):
        load_yaml(text)


def test_a_terminal_escape_in_a_yaml_string_is_removed_whole():
    data, removed = load_yaml('title: "a\\x1b[2Jb\\x00c"')
    assert data == {"title": "abc"} and removed == 5


# -- characters: what a message or a page may print ---------------------------------------

@pytest.mark.parametrize("text", ["\x1b[31mred", "a\x00b", "bidi\u202eevil", "line\u2028sep", "\x9bcsi"])
def test_a_control_or_bidi_override_never_reaches_a_terminal_or_page(text):
    assert has_unshowable(text)
    assert not has_unshowable(printable(text))
    assert "\x1b" not in scrub(text)[0] and "\x00" not in scrub(text)[0]


# -- SVG: drawing only ----------------------------------------------------------------------

HOSTILE_SVG = [
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect width="1" height="1"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
    b'<a x:href="javascript:alert(1)"><rect width="1" height="1"/></a></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><iframe src="file:///etc/passwd"/>'
    b'</foreignObject><rect width="1" height="1"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(http://x.example/a.css);</style>'
    b'<rect width="1" height="1" style="fill:url(http://x.example/#a)"/></svg>',
]


@pytest.mark.parametrize("data", HOSTILE_SVG, ids=["script", "event", "js-link", "foreign", "css-fetch"])
def test_svg_keeps_drawing_and_loses_everything_else(data):
    cleaned = sanitize_svg(data).decode("utf-8").lower()
    for token in ("script", "onload", "javascript", "foreignobject", "iframe", "file:", "x.example", "root:"):
        assert token not in cleaned
    assert "<rect" in cleaned


def test_an_svg_declaring_entities_is_refused_whole():
    with pytest.raises(UnsafeSvg):
        sanitize_svg(b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                     b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>')


# -- PDF: no action but a web link ----------------------------------------------------------

def test_a_pdf_action_that_runs_or_launches_is_found_and_removed():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 10, 10],
        A=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("/bin/sh"))))]))
    assert len(unsafe_actions(pdf)) == 2
    remove_unsafe_actions(pdf)
    assert unsafe_actions(pdf) == []
