"""Correct text is never "repaired": Latin-1 and Latin Extended letters, units, names,
typography, currency and math signs come back byte for byte, and without a warning."""
from __future__ import annotations

from pathlib import Path

import ftfy.bad_codecs  # noqa: F401  (registers sloppy-windows-125x)
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from zennbook.diagnostics import Code
from zennbook.normalize import normalize

CORPUS = Path(__file__).resolve().parent / "data" / "correct_latin_ja.md"
HEAD = "---\ntitle: \"t\"\n---\n"
BOUNDED = settings(max_examples=200, derandomize=True, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.too_slow])


def corpus_lines() -> list[str]:
    return [line for line in CORPUS.read_text(encoding="utf-8").split("\n") if line.strip()]


def test_the_corpus_comes_back_byte_for_byte():
    text = CORPUS.read_text(encoding="utf-8")
    result = normalize(text.encode("utf-8"), CORPUS.name)
    assert result.text == text
    assert result.diagnostics == []


@pytest.mark.parametrize("line", corpus_lines())
def test_each_line_of_the_corpus_alone_in_an_article_comes_back(line):
    result = normalize(HEAD + line, "a.md")
    assert result.text == HEAD + line
    assert result.diagnostics == []


# Pairs that are also what the bytes of another character look like in cp1252, in the
# places correct text puts them.
AMBIGUOUS = [
    "| 極性表面積 | ≤140 Å² |", "≤140 Å²", "| Å² | 140 |", "体積は 160 Å³ です。",
    "分子の表面積は ≤140 Å² が目安で、体積は 2.5 × 10³ Å³ です。",
    "行列 A×² と B÷³", "«ÉTÉ» と «ÇA»", "„Gruß“ と „Fuß”", "‘Café…’ と “Voilà…”",
    "‘Café…’ と ‘Thé…’ と ‘Gruß…’", "Hawaiʻi と Ê»", "IRMÃ… と JOÃ—", "UTF-8 の é は Ã© に化けます。",
    "「ï¿½」は U+FFFD を cp1252 で読んだものです。", "単位 Å², Å³, Å², Å³, Å², Å³, Å², Å³",
    # one character of mojibake quoted in prose: strong, but alone
    "「を」を cp1252 で読むと「ã‚’」になります。", "ダッシュ — は â€” に化けます。",
    # readings that need a byte to have been lost (cp1257: "ē”" + a lost byte is "生")
    "“Rīgā ir skaistē” un “Jūrmalā ir jūrē”", "“kõē”) £664 „Straße, “kõē”) 10294",
]


@pytest.mark.parametrize("text", AMBIGUOUS)
def test_one_isolated_pair_is_the_authors_text(text):
    for document in (text, HEAD + text + "\n", HEAD + "本文です。\n\n" + text + "\n\n終わり。\n"):
        result = normalize(document, "a.md")
        assert result.text == document
        assert not [d for d in result.diagnostics if d.code is Code.NORMALIZE_MOJIBAKE]


def test_two_real_mojibake_characters_in_a_line_are_repaired():
    assert normalize(HEAD + "温度は 25Â°C、誤差は Â±0.5 です。\n", "a.md").text \
        == HEAD + "温度は 25°C、誤差は ±0.5 です。\n"
    assert normalize(HEAD + "CafÃ© et crÃ¨me\n", "a.md").text == HEAD + "Café et crème\n"


def test_the_corpus_damaged_without_loss_comes_back_exactly():
    text = CORPUS.read_text(encoding="utf-8")
    for code_page in ("sloppy-windows-1252", "latin-1"):
        once = text.encode("utf-8").decode(code_page)
        assert normalize(once, "a.md").text == text, code_page
        assert normalize(once.encode("utf-8").decode(code_page), "a.md").text == text


# Realistic correct text: words of Latin letters (capitals first only), numbers with units,
# quotes and dashes around words, currency, Japanese between them.
LOWER = "abcdefghijklmnopqrstuvwxyzàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿßœšžłńśźżčřěőűāēīōū"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝŒŠŽŁŃŚŹŻČŘĚŐŰĀĒĪŌŪ"
NAMES = ["Schrödinger", "Ørsted", "São Paulo", "Ångström", "Poincaré", "Gödel", "Erdős",
         "Dvořák", "Łódź", "Kraków", "Zürich", "Malmö", "Reykjavík", "Curaçao", "Bogotá",
         "İstanbul", "Şişli", "Œuvre", "Æsir", "Þórr", "Ðakovo", "Ýmir", "Hawaiʻi", "O’Brien",
         "l’Hôpital", "SÃO PAULO", "JOÃO", "ÉCOLE", "CHÂTEAU", "STRAẞE", "Straße"]
UNITS = ["Å²", "Å³", "Å", "µm", "µm²", "m²", "m³", "cm³", "km²", "°C", "°F", "°", "‰", "%"]
JAPANESE_WORDS = ["日本語", "面積", "体積", "温度", "の", "は", "です", "。", "、", "単位", "表",
                  "行列", "確率", "「", "」", "（", "）"]
SIGNS = ["±", "×", "÷", "≤", "≥", "≈", "·", "•", "—", "–", "…", "¼", "½", "¾", "§", "¶", "©",
         "®", "™", "†", "‡", "′", "″"]
CURRENCY = ["€", "£", "¥", "₩", "$", "¢", "₹", "₽"]

word = st.builds(lambda first, rest: first + rest, st.sampled_from(UPPER + LOWER),
                 st.text(alphabet=LOWER, min_size=0, max_size=10))
number = st.integers(0, 100_000).map(str)
measure = st.builds(lambda sign, value, space, unit: f"{sign}{value}{space}{unit}",
                    st.sampled_from(["", "±", "≤", "≥", "~", "−"]), number,
                    st.sampled_from(["", " "]), st.sampled_from(UNITS))
money = st.builds(lambda sign, value, before: f"{sign}{value}" if before else f"{value} {sign}",
                  st.sampled_from(CURRENCY), number, st.booleans())
closing = st.sampled_from(["", "", "", "’", "”", "…", "…’", "…”", "”)", "’”", "—", "»", "™",
                           "®", ",", ".", "!", "?", ";", ":", "²", "³", "’s"])
opening = st.sampled_from(["", "", "", "“", "‘", "„", "«", "¿", "¡", "(", "—"])
quoted = st.builds(lambda before, inner, after: before + inner + after, opening,
                   word | st.sampled_from(NAMES), closing)
token = quoted | measure | money | st.sampled_from(NAMES + SIGNS + JAPANESE_WORDS) | number
line = st.lists(token, min_size=1, max_size=14).map(" ".join)
table_row = st.lists(token, min_size=1, max_size=4).map(lambda cells: "| " + " | ".join(cells)
                                                        + " |")
correct_text = st.lists(line | table_row, min_size=1, max_size=8).map("\n".join)


@BOUNDED
@given(correct_text)
@example("| Å² | 140 |\n‘Café…’ ‘Thé…’ «ÉTÉ» ×² Ê»")
@example("“kõē”) £664 „Straße, “kõē”) 10294")                   # cp1257, a byte lost: 生
@example("¾ ¡gūçôúlôhbčø³ Malmö ¡gūçôúlôhbčø³ Gödel”)")          # cp1257: 踳, a rare kanji
@example("„A. Údčrpåšrcèœ! 755 ₹ 10093 55954cm³ „A. Údčrpåšrcèœ!")  # cp1250: 厚, 菜
def test_generated_correct_text_is_returned_unchanged(text):
    document = HEAD + text + "\n"
    result = normalize(document, "a.md")
    assert result.text == document
    assert not [d for d in result.diagnostics if d.code in (Code.NORMALIZE_MOJIBAKE,
                                                            Code.NORMALIZE_LOST_BYTES)]
