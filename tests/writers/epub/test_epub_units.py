"""The EPUB writer's pieces on their own: SVG cleaning, XHTML fix-ups, link resolution,
accessibility claims, the reproducible zip, the cover's line breaking, font subsets."""
from __future__ import annotations

import datetime as dt
import zipfile
from types import SimpleNamespace

import lxml.html
import pytest
from lxml import etree

from zennbook.writers.epub import (
    assets as epub_assets,
    book as epub_book,
    chapters as epub_chapters,
    fixups as epub_fixups,
    links as epub_links,
    xhtml as epub_xhtml,
)
from zennbook.writers.cover import wrap

SVG = "http://www.w3.org/2000/svg"


def svg(body: str, root_attributes: str = 'role="graphics-document document"') -> etree._Element:
    data = f'<svg xmlns="{SVG}" width="10" height="10" {root_attributes}>{body}</svg>'.encode()
    return etree.fromstring(epub_assets.clean_svg(data))


def q(name: str) -> str:
    return f"{{{SVG}}}{name}"


# -- SVG ----------------------------------------------------------------------------------

def test_svg_rect_without_size_gets_zero_size():
    rect = svg('<rect x="1" y="2" class="k"/>').find(q("rect"))
    assert (rect.get("width"), rect.get("height"), rect.get("x"), rect.get("class")) == ("0", "0", "1", "k")


def test_svg_attributes_an_element_does_not_have_are_dropped():
    root = svg('<rect width="1" height="1" name="LuaLaTeX" data-id="x" font-size="3" fill="red"/>'
               '<circle r="7" width="14" height="14"/><text font-size="3" x="1">t</text>')
    rect, circle, text = root.find(q("rect")), root.find(q("circle")), root.find(q("text"))
    assert dict(rect.attrib) == {"width": "1", "height": "1", "fill": "red"}
    assert dict(circle.attrib) == {"r": "7"}
    assert text.get("font-size") == "3"


def test_svg_values_a_renderer_ignores_are_dropped():
    text = svg('<text x="1" font-weight="" font-style="normal" text-anchor="center">t</text>').find(q("text"))
    assert dict(text.attrib) == {"x": "1", "font-style": "normal"}


def test_svg_root_role_is_one_svg11_allows():
    assert svg("<g/>").get("role") == "img"


def test_svg_duplicate_ids_keep_the_first():
    root = svg('<g id="a"><path id="a" d="M0 0"/></g><rect id="b" width="1" height="1"/>')
    assert [e.get("id") for e in root.iter() if e.get("id")] == ["a", "b"]
    assert root.find(f".//{q('path')}").get("id") is None


def test_svg_plain_href_becomes_xlink_href():
    use = svg('<use href="#x"/>').find(q("use"))
    assert use.get("{http://www.w3.org/1999/xlink}href") == "#x" and use.get("href") is None


def test_svg_animation_is_switched_off():
    root = svg("<style>@keyframes dash{to{stroke-dashoffset:0}} .e{animation:dash 1s}</style><g/>")
    assert "animation:none" in root.find(q("style")).text


def test_svg_unknown_elements_are_left_as_they_are():
    root = svg('<filter id="f"><feGaussianBlur stdDeviation="2" result="blur" odd="1"/></filter>')
    blur = root.find(f".//{q('feGaussianBlur')}")
    assert blur.get("odd") == "1" and blur.get("stdDeviation") == "2"


# -- XHTML fix-ups ------------------------------------------------------------------------

def html(text: str):
    return lxml.html.fragment_fromstring(text, create_parent="div")


NOTES = ('<p>a<a href="#s--fn1" class="footnote-ref" id="s--fnref1" role="doc-noteref"><sup>1</sup></a></p>'
         '<section id="s--footnotes" class="footnotes footnotes-end-of-document" role="doc-endnotes"><hr />'
         '<ol><li id="s--fn1"><p>one<br />two</p><p>three<a href="#s--fnref1" class="footnote-back" '
         'role="doc-backlink">↩︎</a></p></li><li id="s--fn2"><p>four<a href="#s--fnref2" '
         'class="footnote-back">↩︎</a></p></li></ol></section>')


def test_footnotes_become_numbered_asides():
    root = html(NOTES)
    epub_fixups.epub_footnotes(root)
    assert root.xpath("//a[@class='footnote-ref']")[0].get(epub_xhtml.PENDING_EPUB_TYPE) == "noteref"
    asides = root.xpath("//aside")
    assert [a.get("id") for a in asides] == ["s--fn1", "s--fn2"]
    assert all(a.get(epub_xhtml.PENDING_EPUB_TYPE) == "footnote" for a in asides)
    first = asides[0]
    number = first.xpath(".//a[@class='footnote-number']")[0]
    assert (number.text, number.get("href")) == ("1", "#s--fnref1")
    assert first.text_content().strip() == "1 onetwothree"
    assert not root.xpath("//a[@class='footnote-back']") and not root.xpath("//hr")
    assert asides[1].xpath("string(.//a[@class='footnote-number'])") == "2"


def test_details_are_open_and_math_has_alttext():
    root = html('<details class="admonition details"><summary>s</summary>x</details>'
                '<math><semantics><mi>x</mi><annotation encoding="application/x-tex">x^2 \n + 1</annotation></semantics></math>')
    epub_fixups.open_details(root)
    epub_fixups.math_alttext(root)
    assert root.find("details").get("open") == "open"
    assert root.find("math").get("alttext") == "x^2 + 1"


def test_attributes_not_valid_on_an_element_become_data():
    root = html('<p><span class="image-missing" src="a b.png" data-line="3">a</span>'
                '<a href="x" src="y">l</a><img src="i.png" alt="" /></p>')
    epub_fixups.attribute_hygiene(root)
    span, link, img = root.find(".//span"), root.find(".//a"), root.find(".//img")
    assert span.get("src") is None and span.get("data-src") == "a b.png" and span.get("data-line") == "3"
    assert link.get("href") == "x" and link.get("data-src") == "y"
    assert img.get("src") == "i.png"


def test_image_without_alt_gets_an_empty_one():
    root = html('<p><img src="a.png" /><img src="b.png" alt="b" /></p>')
    epub_fixups.image_alt(root)
    assert [i.get("alt") for i in root.iter("img")] == ["", "b"]


def test_task_list_checkboxes_become_characters():
    root = html('<ul><li><label><input type="checkbox" checked="" />done</label></li>'
                '<li><label><input type="checkbox" />open</label></li></ul>')
    epub_fixups.task_checkboxes(root)
    assert root.find("ul").get("class") == "task-list"
    assert [li.text_content() for li in root.iter("li")] == ["☒ done", "☐ open"]
    assert not root.xpath("//input")


def test_remote_images_become_links_with_a_warning():
    from zennbook.diagnostics import Diagnostics
    diagnostics = Diagnostics()
    # the line comes from the tree (html.render's anchors), not from a search of the text
    root = html('<p><span data-line="4"></span>![pic](https://example.com/p.png) in words</p>'
                '<p><span data-line="5"></span><img src="https://example.com/p.png" alt="pic" />after</p>')
    epub_chapters.remote_images(root, diagnostics.reporter("a.md"))
    link = root.find(".//a")
    assert (link.get("href"), link.text, link.tail) == ("https://example.com/p.png", "pic", "after")
    assert [(d.code.value, d.path, d.line) for d in diagnostics.items] == [("epub.remote-image", "a.md", 5)]


def test_copy_children_puts_xhtml_and_mathml_in_their_namespaces():
    target = etree.Element(f"{{{epub_xhtml.XHTML_NS}}}div", nsmap={None: epub_xhtml.XHTML_NS, "epub": epub_xhtml.EPUB_NS})
    root = html('<p>a<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math>b<!-- c -->d</p>')
    root.find("p").set(epub_xhtml.PENDING_EPUB_TYPE, "t")
    epub_xhtml.copy_children(root, target)
    text = etree.tostring(target, encoding="unicode")
    assert text == ('<div xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">'
                    '<p epub:type="t">a<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>x</mi></math>bd</p></div>')


# -- links --------------------------------------------------------------------------------

def chapter(slug: str, file_name: str, ids: set[str]):
    return epub_xhtml.Chapter(SimpleNamespace(slug=slug, label=f"{slug}.md", body="", body_lines=[]), file_name,
                     etree.Element("html"), ids)


@pytest.mark.parametrize("href, expected", [
    ("#a--x", "#a--x"),
    ("#b--y", "chapter-002.xhtml#b--y"),
    ("#nowhere", None),
    ("https://zenn.dev/me/articles/b", "chapter-002.xhtml"),
    ("https://zenn.dev/me/articles/b#y", "chapter-002.xhtml#b--y"),
    ("https://zenn.dev/me/articles/b#zzz", "chapter-002.xhtml"),
    ("https://zenn.dev/someone-else/articles/b", "https://zenn.dev/someone-else/articles/b"),
    ("https://zenn.dev/me/articles/not-in-book", "https://zenn.dev/me/articles/not-in-book"),
    ("./b.md", "chapter-002.xhtml"),
    ("b", "chapter-002.xhtml"),
    ("/articles/b", "chapter-002.xhtml"),
    ("LICENSE", None),
    ("mailto:a@example.com", "mailto:a@example.com"),
])
def test_resolve_href(href, expected):
    own, other = chapter("a", "chapter-001.xhtml", {"a--x"}), chapter("b", "chapter-002.xhtml", {"b--y"})
    id_files = {"a--x": own.file_name, "b--y": other.file_name}
    book = SimpleNamespace(source_url="https://zenn.dev/me/articles/{slug}")
    patterns = epub_links.article_patterns(book)
    assert epub_links.resolve_href(href, own, id_files, {"a": own.file_name, "b": other.file_name}, patterns) == expected


def test_without_source_url_any_zenn_article_url_of_a_chapter_slug_is_that_chapter():
    patterns = epub_links.article_patterns(SimpleNamespace(source_url=""))
    own = chapter("a", "chapter-001.xhtml", set())
    assert epub_links.resolve_href("https://zenn.dev/anyone/articles/b", own, {}, {"b": "chapter-002.xhtml"},
                          patterns) == "chapter-002.xhtml"


# -- accessibility ------------------------------------------------------------------------

def claims(**facts) -> dict:
    found: dict[str, list[str]] = {}
    for key, value in epub_book.accessibility(epub_book.ContentFacts(**facts)):
        found.setdefault(key, []).append(value)
    return found


def test_alt_text_is_claimed_only_when_every_image_has_it():
    every = claims(images=3, images_with_alt=3, math=0, diagrams=1)
    some = claims(images=3, images_with_alt=2, math=0, diagrams=1)
    assert "alternativeText" in every["schema:accessibilityFeature"]
    assert every["schema:accessModeSufficient"] == ["textual,visual", "textual"]
    assert "alternativeText" not in some["schema:accessibilityFeature"]
    assert some["schema:accessModeSufficient"] == ["textual,visual"]
    assert "1 without alternative text" in some["schema:accessibilitySummary"][0]


def test_mathml_is_claimed_only_with_math():
    assert "MathML" not in claims(images=0, images_with_alt=0, math=0, diagrams=0)["schema:accessibilityFeature"]
    assert "MathML" in claims(images=0, images_with_alt=0, math=2, diagrams=0)["schema:accessibilityFeature"]


def test_no_images_no_alt_text_claim():
    assert "alternativeText" not in claims(images=0, images_with_alt=0, math=0, diagrams=0)["schema:accessibilityFeature"]


# -- the zip ------------------------------------------------------------------------------

def test_repack_fixes_order_times_and_stores_mimetype(tmp_path):
    path = tmp_path / "b.epub"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("EPUB/z.xhtml", "z")
        z.writestr("mimetype", "application/epub+zip")
        z.writestr("META-INF/container.xml", "c")
        z.writestr("EPUB/a.xhtml", "a")
    when = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.timezone.utc)
    epub_book.repack_reproducibly(path, when)
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
    assert [i.filename for i in infos] == ["mimetype", "META-INF/container.xml", "EPUB/a.xhtml", "EPUB/z.xhtml"]
    assert {i.date_time for i in infos} == {(2026, 1, 1, 12, 0, 0)}
    assert infos[0].compress_type == zipfile.ZIP_STORED
    first = path.read_bytes()
    epub_book.repack_reproducibly(path, when)
    assert path.read_bytes() == first


def test_build_time_is_the_epoch_in_utc():
    assert epub_book.build_time(0).isoformat() == "1970-01-01T00:00:00+00:00"


# -- cover --------------------------------------------------------------------------------

class Monospace:
    """A font stand-in: every character one unit wide."""
    def getlength(self, text: str) -> float:
        return len(text)


def test_cover_title_wraps_by_width_without_breaking_japanese_rules():
    assert wrap("あいうえおかきくけこ", Monospace(), 5) == ["あいうえお", "かきくけこ"]
    assert wrap("あいうえ。かきく", Monospace(), 4) == ["あいうえ。", "かきく"]        # 。 stays on its line
    assert wrap("あいう「かきく」", Monospace(), 4) == ["あいう", "「かきく」"]          # 「 moves down
    assert wrap("本へ — zennbook サンプル", Monospace(), 9) == ["本へ —", "zennbook", "サンプル"]  # words stay whole
    assert wrap("abcdefghij", Monospace(), 4) == ["abcd", "efgh", "ij"]            # unless wider than a line


# -- fonts --------------------------------------------------------------------------------

def test_embedded_fonts_hold_the_text_and_ascii_only():
    from fontTools.ttLib import TTFont
    from zennbook.fonts import face
    if face("Noto Sans CJK JP") is None:
        pytest.skip("Noto Sans CJK JP not installed")
    import io
    assets = epub_assets.EpubAssets()
    rules = epub_assets.font_faces("本を書く", assets)
    assert rules.count("@font-face") == len(assets.files) == 3     # sans, sans bold, mono
    for data in assets.files.values():
        cmap = TTFont(io.BytesIO(data)).getBestCmap()
        assert all(ord(c) in cmap for c in "本を書くA~")
        assert ord("漢") not in cmap


def test_fonts_are_embedded_only_when_asked():
    assert epub_assets.wants_fonts(SimpleNamespace(), None) is False
    assert epub_assets.wants_fonts(SimpleNamespace(epub=SimpleNamespace(embed_fonts=True)), None) is True
    assert epub_assets.wants_fonts(SimpleNamespace(epub=SimpleNamespace(embed_fonts=True)), False) is False
