"""Properties of normalize, for any input: it never raises, it is idempotent, it keeps line
provenance in range, and it never changes valid clean Japanese.

Fixed seed and bounded examples so the suite stays fast and repeatable; a long run:
    HYPOTHESIS_PROFILE=long .venv/bin/pytest tests/normalize/test_normalize_properties.py
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from zennbook.normalize import normalize

LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"
BOUNDED = settings(max_examples=20_000 if LONG else 200, derandomize=True, deadline=None,
                   database=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces that reach every branch of the stage: dialect markers, mojibake, invisibles, fences.
FRAGMENTS = [
    "\n", "\r\n", "\r", "\t", "  ", " ", "---\n", "title: a: b\n", "> [!NOTE]\n", "> ",
    "> **Warning:** ", "<details>", "<summary>S</summary>", "</details>", "```math\n", "```\n",
    "~~~\n", "$$\n", ":::message\n", "::::details t\n", ":::\n", "[[", "]]", "![[a.png|30]]",
    "- ", "1. ", "# ", "`", "*", "\\", "$", "<", "ã", "‚", "ƒ", "€", "Ã", "©", "ğŸ", "æ–‡",
    "ç¬¬", "\u200b", "\u200d", "\ufeff", "\x07", "\x1b[0m", "\u00ad", "か\u3099", "日本語",
    "テスト", "。", "「", "」", "👨\u200d💻", "\u2028",
]
markdownish_text = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8),
                            max_size=40).map("".join)
any_text = st.text(max_size=200) | markdownish_text

JAPANESE = ("あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん"
            "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモラリルレロンー"
            "日本語文章学習機械深層生成数式論文読方実装環境構築開発行列変数関数確率統計")
PUNCTUATION = "、。「」（）！？・"
word = st.text(alphabet=JAPANESE + "0123456789ABCxyz", min_size=1, max_size=12)
sentence = st.lists(word | st.sampled_from(PUNCTUATION), min_size=1, max_size=12).map("".join)
paragraph = st.lists(sentence, min_size=1, max_size=4).map("\n".join)
heading = sentence.map(lambda text: "## " + text)
clean_japanese = st.lists(paragraph | heading, min_size=1, max_size=6).map("\n\n".join)


@BOUNDED
@given(any_text)
@example("\ufe0f\x800Â")                 # a variation selector first on a damaged line
def test_never_raises_and_lines_stay_in_range(text):
    result = normalize(text, "any.md")
    assert len(result.lines) == len(result.text.split("\n"))
    source_lines = len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    assert all(1 <= line <= source_lines for line in result.lines)


@BOUNDED
@given(any_text)
@example("×\x08²")                       # removing the control joined "×²" (not mojibake)
@example("\t¯0üÝ0\xa0Ýõ")               # plain-text no-break spaces joined a run
@example("<details>\n```math\n</details>")  # the closer was in code, then in $$ math
def test_idempotent(text):
    once = normalize(text, "any.md").text
    assert normalize(once, "any.md").text == once


@BOUNDED
@given(st.binary(max_size=200))
def test_never_raises_on_bytes(data):
    normalize(data, "any.md")


@BOUNDED
@given(clean_japanese)
def test_clean_japanese_is_never_changed(text):
    result = normalize(text, "clean.md")
    assert result.text == text
    assert result.diagnostics == []
