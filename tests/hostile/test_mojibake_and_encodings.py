"""Hostile text encodings, built for real: UTF-16/32 articles (with and without a byte order
mark), an article damaged twice, correct text that looks like mojibake, and binary behind a
byte order mark. One book, HTML and EPUB (nothing here concerns the PDF's typesetting)."""
from __future__ import annotations

import codecs

import pytest

from tests.hostile.harness import HostileBook, reader_text

TWICE_DAMAGED = "行列の積は、左の行の成分と右の列の成分を掛けて足したものです。"
LATIN_ROW = "| 極性表面積 | ≤140 Å² |"


def article(title: str, body: str) -> str:
    return f"---\ntitle: \"{title}\"\n---\n\n{body}\n"


def damaged_twice(text: str) -> str:
    once = text.encode("utf-8").decode("cp1252", errors="replace")
    return once.encode("utf-8").decode("cp1252", errors="replace")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    book = HostileBook(tmp_path_factory.mktemp("encodings"))
    book.article("bb-utf16.md", article("UTF-16 の章", "リトルエンディアンの本文です。").encode("utf-16"))
    book.article("bc-utf16be.md", codecs.BOM_UTF16_BE
                 + article("UTF-16BE の章", "ビッグエンディアンの本文です。").encode("utf-16-be"))
    book.article("bd-utf32.md", article("UTF-32 の章", "四バイトの本文です。").encode("utf-32"))
    book.article("be-nobom.md", article("BOM なしの章", "印のない本文です。").encode("utf-16-le"))
    book.article("bf-twice.md", damaged_twice(article("二度壊れた章", TWICE_DAMAGED * 3)))
    book.article("bg-latin.md", article("単位の章", f"| 量 | 値 |\n|---|---|\n{LATIN_ROW}\n\n"
                                        "Schrödinger と Ørsted、São Paulo で 25 °C ± 2。"))
    book.article("bh-binary.md", b"\xff\xfe" + bytes(range(256)) * 8)
    return book, book.build("html", "epub")


def test_the_book_builds_and_leaks_nothing(built):
    _, result = built
    result.assert_clean()
    assert result.returncode == 1                    # the binary article is an error


@pytest.mark.parametrize("name", ["bb-utf16.md", "bc-utf16be.md", "bd-utf32.md", "be-nobom.md"])
def test_wide_articles_are_converted_and_say_so(built, name):
    _, result = built
    result.assert_located(name, "normalize.encoding", level="WARNING")
    assert f"{name}: ERROR" not in result.stderr


def test_binary_behind_a_byte_order_mark_is_still_binary(built):
    _, result = built
    result.assert_located("bh-binary.md", "article.binary", level="ERROR")


@pytest.mark.parametrize("fmt", ["html", "epub"])
def test_every_text_arrives_as_written(built, fmt):
    _, result = built
    text = reader_text(result.output(fmt))
    for words in ("リトルエンディアンの本文です", "ビッグエンディアンの本文です", "四バイトの本文です",
                  "印のない本文です", TWICE_DAMAGED, "≤140 Å²", "Schrödinger と Ørsted、São Paulo"):
        assert words in text, words
    assert "Ų" not in text


def test_the_twice_damaged_article_is_repaired_on_evidence_and_the_units_left_alone(built):
    _, result = built
    result.assert_located("bf-twice.md", "normalize.mojibake")
    assert "bg-latin.md" not in result.stderr
