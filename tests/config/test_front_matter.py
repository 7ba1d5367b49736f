"""Front matter: only the leading block is YAML; errors name the line."""
from __future__ import annotations

from zennbook.diagnostics import Code, Level
from zennbook.frontmatter import split_front_matter


def split(text: str):
    return split_front_matter(text.split("\n"), "a.md")


def test_leading_block_only():
    result = split("---\ntitle: \"T\"\nemoji: \"🚀\"\ntopics: [a]\npublished: true\n---\n\ntext\n\n---\nnot: yaml\n---\n")
    assert result.data["title"] == "T" and result.data["emoji"] == "🚀"
    assert result.body_start == 6
    assert not result.diagnostics


def test_no_front_matter():
    result = split("# Heading\n\n---\n")
    assert result.data == {} and result.body_start == 0


def test_invalid_yaml_names_the_line():
    result = split("---\ntitle: a: b\n---\nbody")
    (diagnostic,) = result.diagnostics
    assert diagnostic.level == Level.ERROR and diagnostic.code == Code.FRONTMATTER_SYNTAX
    assert diagnostic.line == 2
    assert result.body_start == 3, "the body still builds"


def test_not_a_mapping():
    result = split("---\n- a\n- b\n---\nbody")
    assert result.diagnostics[0].code == Code.FRONTMATTER_NOT_MAPPING


def test_unclosed_front_matter_is_text():
    result = split("---\ntitle: x\n\nbody text")
    assert result.body_start == 0
    assert result.diagnostics[0].code == Code.FRONTMATTER_SYNTAX


def test_jekyll_keys_kept_type_not_warned():
    result = split("---\nlayout: post\nlang: ja\ntitle: 学習マップ\ntype: note\n---\n")
    assert result.data["lang"] == "ja" and not result.diagnostics
