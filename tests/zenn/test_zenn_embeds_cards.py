"""`@[name](arg)` lines and bare-URL lines (docs/zenn-syntax.md §5)."""
from __future__ import annotations

import panflute as pf
import pytest

from zenn_stage import codes, divs, parsed


@pytest.mark.parametrize("line, kind, url", [
    ("@[youtube](dQw4w9WgXcQ)", "youtube", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
    ("@[slideshare](key-1)", "slideshare", "https://www.slideshare.net/slideshow/embed_code/key/key-1"),
    ("@[speakerdeck](abc?slide=2)", "speakerdeck", "https://speakerdeck.com/player/abc?slide=2"),
    ("@[jsfiddle](https://jsfiddle.net/u/abc/)", "jsfiddle", "https://jsfiddle.net/u/abc/"),
    ("@[docswell](https://www.docswell.com/s/u/ID-slug)", "docswell", "https://www.docswell.com/s/u/ID-slug"),
    ("@[figma](https://www.figma.com/file/LKQ4FJ4ExAmPLEedbRp931/S)", "figma",
     "https://www.figma.com/file/LKQ4FJ4ExAmPLEedbRp931/S"),
    ("@[blueprintue](https://blueprintue.com/render/abc/)", "blueprintue", "https://blueprintue.com/render/abc/"),
    ("@[gist](https://gist.github.com/u/abc123?file=a.py)", "gist", "https://gist.github.com/u/abc123?file=a.py"),
    ("@[tweet](https://twitter.com/u/status/1)", "tweet", "https://twitter.com/u/status/1"),
])
def test_embed_kinds(line, kind, url):
    doc, out = parsed(line + "\n")
    (embed,) = divs(doc, "embed")
    assert (embed.attributes["kind"], embed.attributes["url"]) == (kind, url)
    assert codes(out) == []


def test_card_syntax_and_mermaid_one_liner():
    doc, _ = parsed("@[card](https://example.com/a)\n\n@[mermaid](graph TD; A-->B)\n")
    assert divs(doc, "card")[0].attributes["url"] == "https://example.com/a"
    (code,) = [b for b in doc.content if isinstance(b, pf.CodeBlock)]
    assert code.classes == ["mermaid"] and code.text == "graph TD; A-->B"


@pytest.mark.parametrize("line, code", [
    ("@[vimeo](https://vimeo.com/1)", "zenn.unknown-embed"),
    ("@[YouTube](dQw4w9WgXcQ)", "zenn.unknown-embed"),
    ("@[youtube](bad id!)", "zenn.invalid-embed"),
    ("@[card](not a url)", "zenn.invalid-embed"),
])
def test_unknown_or_invalid_embed_is_kept_as_text_with_file_and_line(line, code):
    doc, out = parsed("intro\n\n" + line + "\n")
    assert not divs(doc, "embed") and not divs(doc, "card")
    assert line in pf.stringify(doc)
    assert [(d.code.value, d.path, d.line) for d in out.diagnostics] == [(code, "t.md", 3)]


def test_text_after_an_embed_is_kept_with_a_warning():
    doc, out = parsed("@[youtube](dQw4w9WgXcQ) and more words\n")
    assert divs(doc, "embed") and "and more words" in pf.stringify(doc)
    assert codes(out) == ["zenn.trailing-text"]


def test_mid_line_embed_is_an_ordinary_link():
    doc, _ = parsed("see @[youtube](id)\n")
    assert not divs(doc, "embed")
    (link,) = [e for e in doc.content[0].content if isinstance(e, pf.Link)]
    assert link.url == "id"


def test_embed_interrupts_a_paragraph_and_works_in_a_list():
    doc, _ = parsed("text\n@[youtube](dQw4w9WgXcQ)\n\n- @[card](https://example.com)\n")
    assert isinstance(doc.content[1], pf.Div)
    assert isinstance(divs(doc, "card")[0].parent, pf.ListItem)


@pytest.mark.parametrize("text, url, kind", [
    ("https://example.com", "https://example.com", "card"),
    ("https://gist.github.com/u/abc", "https://gist.github.com/u/abc", "card"),
    ("https://github.com/o/r", "https://github.com/o/r", "card"),
    ("https://github.com/o/r/blob/main/a.py", "https://github.com/o/r/blob/main/a.py", "github"),
    ("https://youtu.be/dQw4w9WgXcQ", "https://youtu.be/dQw4w9WgXcQ", "youtube"),
    ("https://x.com/u/status/1", "https://x.com/u/status/1", "tweet"),
])
def test_bare_url_line_becomes_card_or_embed(text, url, kind):
    doc, _ = parsed(text + "\n")
    (div,) = [b for b in doc.content if isinstance(b, pf.Div)]
    assert div.attributes["url"] == url
    assert (div.attributes.get("kind") or "card") == kind


@pytest.mark.parametrize("text", [
    "> https://example.com", "- https://example.com", ":::message\nhttps://example.com\n:::",
    "x[^1]\n\n[^1]: https://example.com", "| a |\n|---|\n| https://example.com |",
    "<https://example.com>", "[https://example.com](https://example.com)", "**https://example.com**",
    "https://example.com.",
])
def test_no_card_where_zenn_makes_none(text):
    doc, _ = parsed(text + "\n")
    assert not divs(doc, "card") and not divs(doc, "embed")
    assert "https://example.com" in pf.stringify(doc)


def test_bad_bare_youtube_url_stays_a_link_with_a_warning():
    doc, out = parsed("https://youtu.be/short\n")
    assert not divs(doc, "embed") and "https://youtu.be/short" in pf.stringify(doc)
    assert codes(out) == ["zenn.invalid-embed"]
