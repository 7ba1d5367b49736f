"""Text damaged twice (or once, with U+FFFD) is repaired layer by layer, as well as text
damaged once: every pair of layers, on our own text and on generated Japanese."""
from __future__ import annotations

import difflib
import re
from pathlib import Path

import ftfy.bad_codecs  # noqa: F401  (registers sloppy-windows-125x)
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zennbook.diagnostics import Code
from zennbook.normalize import normalize
from zennbook.normalize.mojibake import STAND_IN

DATA = Path(__file__).resolve().parent / "data"
TUNING = (DATA / "tuning_ja.md").read_text(encoding="utf-8")
LEFTOVER_MOJIBAKE = re.compile("ã[\u0080-\u00bf\u0152-\u2122\ufffd]|Ã[\u0080-\u00bf\u0152-\u2122]"
                               "|â€|ï¿½|Â\ufffd")
BOUNDED = settings(max_examples=60, derandomize=True, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.too_slow])


def ignored(code_page):
    return lambda text: text.encode("utf-8").decode(code_page, errors="ignore")


def replaced(code_page):
    return lambda text: text.encode("utf-8").decode(code_page, errors="replace")


def twice(inner, outer):
    return lambda text: outer(inner(text))


LOSSLESS_LAYERS = {
    "sloppy-1252 twice": twice(replaced("sloppy-windows-1252"), replaced("sloppy-windows-1252")),
    "latin-1 then sloppy-1252": twice(replaced("latin-1"), replaced("sloppy-windows-1252")),
    "sloppy-1252 then latin-1": twice(replaced("sloppy-windows-1252"), replaced("latin-1")),
    "sloppy-1252 then sloppy-1254": twice(replaced("sloppy-windows-1252"),
                                          replaced("sloppy-windows-1254")),
    "sloppy-1250 then sloppy-1252": twice(replaced("sloppy-windows-1250"),
                                          replaced("sloppy-windows-1252")),
}
# (inner layer, outer layer or None)
LOSSY = {
    "cp1252 U+FFFD once": (replaced("cp1252"), None),
    "cp1254 U+FFFD once": (replaced("cp1254"), None),
    "cp1252 U+FFFD twice": (replaced("cp1252"), replaced("cp1252")),
    "cp1252 then cp1254, U+FFFD": (replaced("cp1252"), replaced("cp1254")),
    "cp1254 then cp1252, U+FFFD": (replaced("cp1254"), replaced("cp1252")),
    "latin-1 then cp1252 U+FFFD": (replaced("latin-1"), replaced("cp1252")),
    "cp1250 then cp1252, U+FFFD": (replaced("cp1250"), replaced("cp1252")),
    "cp1252 bytes dropped twice": (ignored("cp1252"), ignored("cp1252")),
    "cp1252 U+FFFD, then bytes dropped": (replaced("cp1252"), ignored("cp1252")),
}
LOSSY_LAYERS = {name: twice(inner, outer) if outer else inner
                for name, (inner, outer) in LOSSY.items()}


def accuracy(expected: str, actual: str) -> float:
    matcher = difflib.SequenceMatcher(None, expected, actual, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(expected)


@pytest.mark.parametrize("damage", LOSSLESS_LAYERS.values(), ids=LOSSLESS_LAYERS.keys())
def test_two_lossless_layers_come_back_exactly(damage):
    result = normalize(damage(TUNING), "a.md")
    assert result.text == normalize(TUNING, "a.md").text
    assert any(d.code is Code.NORMALIZE_MOJIBAKE for d in result.diagnostics)


@pytest.mark.parametrize("damage", LOSSY_LAYERS.values(), ids=LOSSY_LAYERS.keys())
def test_lossy_layers_come_back_like_one_lossy_layer(damage):
    result = normalize(damage(TUNING), "a.md").text
    assert accuracy(normalize(TUNING, "a.md").text, result) >= 0.99
    assert not LEFTOVER_MOJIBAKE.search(result)
    assert not STAND_IN.search(result)


def test_the_issue_case_recovers_every_character_of_a_sentence():
    text = "行列の積は、左の行の成分と右の列の成分を掛けて足したものです。\n"
    damaged = LOSSY_LAYERS["cp1252 U+FFFD twice"](text * 5)
    assert normalize(damaged, "a.md").text == text * 5


def test_a_replacement_character_nothing_explains_stays_visible_and_is_reported():
    damaged = replaced("cp1252")("これは日本語の文章です。\n" * 3) + "記号 \ufffd だけ\n"
    result = normalize(damaged, "a.md")
    assert result.text.split("\n")[:3] == ["これは日本語の文章です。"] * 3
    assert "\ufffd" in result.text.split("\n")[3]


def test_undecidable_characters_never_leak_as_stand_ins():
    # "Â" + U+FFFD is one of five C1 controls: decided only by the layer below, or at the end
    text = "Â\ufffd ã\ufffd‚ã‚‹ " * 4 + "\U0010fffd"
    result = normalize(text, "a.md")
    assert STAND_IN.findall(result.text) == ["\U0010fffd"]      # the author's own stays


JAPANESE = ("あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん"
            "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモラリルレロンー"
            "日本語文章学習機械深層生成数式論文読方実装環境構築開発行列変数関数確率統計")
sentence = st.text(alphabet=JAPANESE, min_size=8, max_size=30).map(lambda text: text + "。")
paragraph = st.lists(sentence, min_size=3, max_size=8).map("\n".join)


@BOUNDED
@given(paragraph, st.sampled_from(sorted(LOSSLESS_LAYERS)))
def test_generated_japanese_damaged_twice_without_loss_comes_back_exactly(text, layers):
    assert normalize(LOSSLESS_LAYERS[layers](text), "a.md").text == text


@BOUNDED
@given(paragraph, st.sampled_from(sorted(LOSSY)))
def test_generated_japanese_damaged_twice_comes_back_as_well_as_damaged_once(text, layers):
    inner, outer = LOSSY[layers]
    result = normalize(LOSSY_LAYERS[layers](text), "a.md").text
    assert not LEFTOVER_MOJIBAKE.search(result)
    assert not STAND_IN.search(result)
    # Random kana, no words: where bytes are lost, the model's guess is often a real word
    # ("ネット" for "チチチ"). Two layers must do as well as the lossier layer alone.
    alone = [normalize(layer(text), "a.md").text for layer in (inner, outer) if layer]
    assert accuracy(text, result) >= min(accuracy(text, once) for once in alone) - 0.02
