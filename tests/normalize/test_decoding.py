"""UTF-16 and UTF-32 articles are decoded and say so; binary data is never taken for them."""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zennbook.diagnostics import Code, Level
from zennbook.normalize import normalize
from zennbook.normalize.decoding import wide_encoding

BOUNDED = settings(max_examples=200, derandomize=True, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.too_slow])
ARTICLE = ("---\ntitle: \"題名\"\nemoji: \"📘\"\n---\n\n# 見出し\n\n本文です。ASCII, Å², €10。\n"
           "- 項目 😀\n")
WITH_BOM = ["utf-16", "utf-16-le-bom", "utf-16-be-bom", "utf-32", "utf-32-be-bom"]
WITHOUT_BOM = ["utf-16-le", "utf-16-be"]


def encoded(text: str, encoding: str) -> bytes:
    if encoding.endswith("-bom"):
        codec = encoding[:-4]
        return "\ufeff".encode(codec) + text.encode(codec)
    return text.encode(encoding)


@pytest.mark.parametrize("encoding", WITH_BOM)
def test_with_a_byte_order_mark_it_is_converted_with_a_warning(encoding):
    result = normalize(encoded(ARTICLE, encoding), "a.md")
    assert result.text == ARTICLE
    [diagnostic] = result.diagnostics
    assert (diagnostic.code, diagnostic.level, diagnostic.line) == (Code.NORMALIZE_ENCODING,
                                                                    Level.WARNING, 1)
    assert "with a byte order mark" in diagnostic.message
    assert "converted to UTF-8" in diagnostic.message


@pytest.mark.parametrize("encoding", WITHOUT_BOM)
def test_without_a_byte_order_mark_it_is_converted_with_a_warning(encoding):
    result = normalize(encoded(ARTICLE, encoding), "a.md")
    assert result.text == ARTICLE
    [diagnostic] = result.diagnostics
    assert (diagnostic.code, diagnostic.level) == (Code.NORMALIZE_ENCODING, Level.WARNING)
    assert "without a byte order mark" in diagnostic.message


@pytest.mark.parametrize("encoding", WITH_BOM + WITHOUT_BOM)
def test_the_article_reader_does_not_take_it_for_binary(encoding):
    assert wide_encoding(encoded(ARTICLE, encoding)) is not None


def test_utf8_and_shift_jis_are_not_wide():
    for data in (ARTICLE.encode("utf-8"), ARTICLE.encode("utf-8-sig"),
                 "これは日本語の文章です。\n".encode("cp932")):
        assert wide_encoding(data) is None


def test_binary_is_not_wide_even_behind_a_byte_order_mark():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    for data in (png, b"\xff\xfe" + bytes(range(256)) * 4, b"\xfe\xff" + os.urandom(2048),
                 b"\x00" * 512, b"\xff\xfe\x00\x00" + os.urandom(4096)):
        assert wide_encoding(data) is None


def test_a_damaged_utf16_file_keeps_its_text_and_reports_the_damage():
    data = encoded("一行目\n二行目\n", "utf-16") + b"\x00"          # odd length
    result = normalize(data, "a.md")
    assert result.text.startswith("一行目\n二行目\n")
    assert [d.code for d in result.diagnostics] == [Code.NORMALIZE_ENCODING] * 2
    assert "replaced with U+FFFD" in result.diagnostics[1].message


text_with_lines = st.lists(st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]),
                                   min_size=1, max_size=30), min_size=2, max_size=8).map("\n".join)


@BOUNDED
@given(text_with_lines, st.sampled_from(["utf-16-le", "utf-16-be"]))
def test_if_utf16_without_bom_is_recognised_it_is_the_right_byte_order(text, encoding):
    found = wide_encoding(text.encode(encoding))
    assert found is None or found[0] == encoding


@BOUNDED
@given(st.binary(min_size=64, max_size=2048))
def test_random_bytes_are_never_utf16(data):
    assert wide_encoding(data) is None or wide_encoding(data)[2]   # only with a BOM, then text
