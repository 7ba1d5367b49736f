"""An EPUB that embeds its fonts embeds the PDF's fallbacks too: each cut to the characters it
supplies and named for exactly those by unicode-range, so a reader without them draws 𝒩."""
from __future__ import annotations

import io
import re

import pytest

from tests.conftest import needs
from tests.writers.epub.epubtools import Epub, build_epub, epubcheck_command, run_epubcheck

pytestmark = needs("fc-list")
TEXT = "正規分布 𝒩(μ, σ²) と x₁、ギリシャ文字 ᾆ、丸数字 ➊、記号 ⟶ ⊗。"


@pytest.fixture(scope="module")
def epub(tmp_path_factory):
    root = tmp_path_factory.mktemp("epubfonts")
    (root / "src").mkdir()
    (root / "src" / "01-a.md").write_text(f"---\ntitle: 記号\n---\n\n{TEXT}\n", encoding="utf-8")
    return build_epub(root / "out", articles_dir=root / "src", embed_fonts=True).path


def test_each_fallback_is_named_by_unicode_range_and_covers_its_characters(epub):
    from fontTools.ttLib import TTFont
    book = Epub(epub)
    css = book.files[book.base + "style/book.css"].decode("utf-8")
    faces = re.findall(r'@font-face \{ font-family: "ZennbookSans"; src: url\("\.\./([^"]+)"\); '
                       r'unicode-range: ([^;]+); \}', css)
    assert faces, css[:2000]
    named = set()
    for name, ranges in faces:
        chars = {chr(int(code, 16)) for code in re.findall(r"U\+([0-9A-F]+)", ranges)}
        cmap = TTFont(io.BytesIO(book.files[book.base + name])).getBestCmap()
        assert all(ord(c) in cmap for c in chars), name
        named |= chars
    assert {"𝒩", "ᾆ"} <= named


@pytest.mark.skipif(epubcheck_command() is None, reason="EPUBCheck not installed")
def test_epubcheck_accepts_the_embedded_fallbacks(epub):
    result = run_epubcheck(epub)
    assert result.count("ERROR") + result.count("FATAL") == 0, result.summary()
