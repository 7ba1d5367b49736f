"""The chains by coverage (zennbook/writers/fontchains.py), over generated text: no LaTeX.

For any text: every character a role's face lacks goes to exactly one font of the role's
chain that has it, or to the emoji font, or is reported as covered by nothing, and then no
installed font has it. Code prefers monospace and math fonts to proportional ones.
"""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import needs
from zennbook.fonts import face, installed_fonts
from zennbook.writers import fontchains, fonts

pytestmark = needs("fc-list")
BLOCKS = [(0x370, 0x3FF), (0x1F00, 0x1FFF), (0x2070, 0x209F), (0x2100, 0x214F), (0x2190, 0x21FF),
          (0x2200, 0x22FF), (0x2500, 0x259F), (0x25A0, 0x27BF), (0x2900, 0x297F), (0x1D400, 0x1D7FF),
          (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x1F300, 0x1FAFF), (0x10000, 0x1047F), (0x0300, 0x036F)]
CHARS = st.one_of(*(st.integers(a, b) for a, b in BLOCKS)).map(chr).filter(
    lambda c: unicodedata.category(c) not in ("Cn", "Co", "Cs", "Cc"))


@pytest.fixture(scope="module")
def faces():
    return {role: face(*spec) for role, spec in fonts.FACES.items()}


def plan_for(text: str, faces):
    usage = fontchains.Usage()
    usage.add(text)
    return fontchains.plan_fonts(usage, faces)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(CHARS, min_size=1, max_size=40))
def test_every_character_has_one_font_that_draws_it_or_none_has_it(faces, chars):
    text = "".join(chars)
    plan = plan_for(text, faces)
    installed = installed_fonts()
    for name, chain in plan.chains.items():
        face = faces[fontchains.CHAIN_FACE[name]]
        supplied = [c for _, chars_ in chain.fonts for c in chars_]
        assert len(supplied) == len(set(supplied)), "a character in two fonts of one chain"
        for font, chars_ in chain.fonts:
            assert all(font.has(c) and not face.has(c) for c in chars_)
        for char in set(text):
            drawn = face.has(char) or char in supplied or (char in plan.emoji and ord(char) > 0x7F)
            assert drawn or char in plan.uncovered, (name, f"U+{ord(char):04X}")
    for char in plan.uncovered:
        assert not any(font.has(char) for font in installed)


def test_code_takes_monospace_and_math_fonts_before_proportional_ones(faces):
    plan = plan_for("𝒩 ∑ ᾆ x₁", faces)
    mono = [font.family for font, _ in plan.chains["mono"].fonts]
    assert mono[0] in ("Noto Sans Mono", "DejaVu Sans Mono")
    math = next(font for font, chars in plan.chains["mono"].fonts if "𝒩" in chars)
    assert math.family in ("Noto Sans Math", "STIX Two Math")


def test_emoji_presentation_goes_to_the_emoji_font_text_presentation_to_a_chain(faces):
    plan = plan_for("⭐ ❤️ ☺︎ 👨‍💻", faces)
    assert {"⭐", "❤", "👨", "💻", "\u200d", "\ufe0f"} <= plan.emoji
    assert "⭐" not in {c for _, chars in plan.chains["serif"].fonts for c in chars}
    assert "❤" in plan.not_japanese            # luatexja must leave it to the emoji font
    face = faces["serif"]
    if not face.has("☺"):                      # asked for as text: a text font of the chain
        assert "☺" in {c for _, chars in plan.chains["serif"].fonts for c in chars}


def test_a_character_the_japanese_face_lacks_is_not_set_as_japanese(faces):
    plan = plan_for("漢字と𝒩と𪜀", faces)
    assert {"𝒩", "𪜀"} <= plan.not_japanese and "漢" not in plan.not_japanese
