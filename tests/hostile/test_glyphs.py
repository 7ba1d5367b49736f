"""Hostile text for the fonts: characters no font has, broken emoji sequences, stacked marks,
thousands of distinct rare characters. One PDF build (the class is the PDF's fonts).

Each must leave the book built, with no traceback; a character no installed font has is a
located warning naming its code point; everything a font does have is drawn and extracted.
"""
from __future__ import annotations

import random
import re
import subprocess
import unicodedata

import pytest

from tests.conftest import needs
from tests.hostile.harness import HostileBook
from tests.unicode.glyphs import character_no_font_has
from zennbook.verify import IGNORABLE
from zennbook.fonts import covering

pytestmark = needs("lualatex", "pdftotext", "fc-list")

NO_FONT = character_no_font_has()
# Plane 16's private use: no font maps it. (Plane 15's is where luaotfload keeps the glyphs a
# font has no code point for: U+F0000 there draws one of them. Left as it is.)
PRIVATE_USE = "\U0010fffd"
BROKEN_EMOJI = {
    "lone modifiers and joiners": "x\u200d\u200dy 🏽🏽 \u20e3 \ufe0f\ufe0f ‍👨",
    "an odd number of flags": "🇯🇵🇺 🇦",
    "tags without a flag": "\U000e0067\U000e0062\U000e007f",
    "a keycap without its base": "\ufe0f\u20e3 #\ufe0f 9\u20e3",
    "text presentation asked for": "☺\ufe0e ↔\ufe0e ©\ufe0e",
    "a joiner between kanji": "漢\u200d字",
}
ZALGO = "a" + "".join(chr(0x300 + n % 0x70) for n in range(120))


def rare_kanji(count: int, seed: int = 7) -> str:
    """`count` distinct characters of Extension B that some installed font covers."""
    fonts = covering("\U00020000")
    rng = random.Random(seed)
    codes = [c for c in range(0x20000, 0x2A6E0) if any(f.has(chr(c)) for f in fonts)]
    return "".join(chr(c) for c in sorted(rng.sample(codes, min(count, len(codes)))))


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    book = HostileBook(tmp_path_factory.mktemp("glyphs"))
    lines = [f"{name}: {text}\n" for name, text in BROKEN_EMOJI.items()]
    book.article("bb-glyphs.md", "---\ntitle: 壊れた文字\n---\n\n"
                 + "\n".join(lines)
                 + f"\nフォントのない文字 {NO_FONT} と私用領域 {PRIVATE_USE} です。\n"
                 + f"\n重なった結合文字 {ZALGO} です。\n"
                 + f"\n```text\n{NO_FONT} {''.join(BROKEN_EMOJI.values())}\n```\n")
    kanji = rare_kanji(3000)
    book.article("cc-rare.md", "---\ntitle: 珍しい漢字\n---\n\n" + "\n\n".join(
        f"{n}. {kanji[i:i + 50]}" for n, i in enumerate(range(0, len(kanji), 50), start=1)) + "\n")
    return book.build("pdf")


def test_the_book_builds_with_no_traceback_and_nothing_leaks(result):
    result.assert_clean()


def test_each_character_no_font_has_is_a_located_warning_naming_it(result):
    result.assert_located("bb-glyphs.md", "glyph.missing")
    for char in (NO_FONT, *PRIVATE_USE):
        code = f"U+{ord(char):04X}"
        assert re.search(rf"bb-glyphs\.md:\d+: WARNING: no installed font has {re.escape(code)} ", result.stderr), \
            f"{code} not reported:\n{result.stderr[-3000:]}"


def test_nothing_a_font_has_is_reported_missing(result):
    reported = set(re.findall(r"no installed font has U\+([0-9A-F]+)", result.stderr))
    assert reported == {f"{ord(c):04X}" for c in (NO_FONT, *PRIVATE_USE)}, result.stderr[-3000:]


def test_broken_sequences_and_rare_kanji_are_drawn_and_extracted(result):
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(result.output("pdf")), "-"],
                          capture_output=True, text=True, check=True).stdout
    flat = unicodedata.normalize("NFC", re.sub(r"\s+", "", text))
    kanji = rare_kanji(3000)
    assert sum(char in flat for char in kanji) == len(kanji)
    for name in ("an odd number of flags", "a joiner between kanji"):
        visible = re.sub("[\u200d\ufe0e\ufe0f\\s]", "", BROKEN_EMOJI[name])
        assert all(char in flat for char in visible), name
    # every mark with ink drawn (poppler orders stacked marks its own way, so as a set)
    assert set(unicodedata.normalize("NFD", ZALGO).translate(IGNORABLE)) <= set(unicodedata.normalize("NFD", flat))


def test_only_the_lines_with_a_character_no_font_has_or_stacked_marks_fail_verify(result):
    failed = set(re.findall(r"(\w+-\w+\.md):(\d+): ERROR: text missing", result.stderr))
    assert all(name == "bb-glyphs.md" for name, _ in failed), failed
