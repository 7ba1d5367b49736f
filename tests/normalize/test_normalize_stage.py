"""The normalization stage as the pipeline calls it: API, decoding, provenance, seeds."""
from __future__ import annotations

import re

import yaml

from zennbook.diagnostics import Code, Diagnostic, Level
from zennbook.normalize import Normalized, normalize

MOJIBAKE_MARKERS = re.compile("ã|â€|ï¼|Ã|ç¬|å|æ|è|é")


def codes(result: Normalized) -> list[str]:
    return [diagnostic.code.value for diagnostic in result.diagnostics]


# --- API -------------------------------------------------------------------------------

def test_result_has_the_documented_shape():
    result = normalize("# 見出し\n\n本文\n".encode(), "a.md")
    assert isinstance(result, Normalized)
    assert result.text == "# 見出し\n\n本文\n"
    assert result.lines == [1, 2, 3, 4]
    assert result.diagnostics == []
    assert result.dialect == "zenn"


def test_str_and_bytes_give_the_same_result():
    text = "---\ntitle: \"題\"\n---\n\n本文\n"
    assert normalize(text, "a.md") == normalize(text.encode(), "a.md")


def test_empty_input():
    result = normalize(b"", "empty.md")
    assert (result.text, result.lines) == ("", [1])


# --- decoding and line ends ---------------------------------------------------------------

def test_bom_and_crlf_are_removed_and_lines_keep_their_numbers():
    result = normalize(b"\xef\xbb\xbf# \xe9\xa1\x8c\r\n\r\nline\r\n", "a.md")
    assert result.text == "# 題\n\nline\n"
    assert result.lines == [1, 2, 3, 4]


def test_cr_only_line_ends_count_as_lines():
    result = normalize(b"a\rb\rc", "a.md")
    assert (result.text, result.lines) == ("a\nb\nc", [1, 2, 3])


def test_utf16_with_bom_is_decoded():
    assert normalize("日本語\n".encode("utf-16"), "a.md").text == "日本語\n"


def test_shift_jis_is_decoded_with_a_warning():
    result = normalize("これは日本語の文章です。\n".encode("cp932"), "a.md")
    assert result.text == "これは日本語の文章です。\n"
    assert codes(result) == ["normalize.encoding"]


def test_undecodable_bytes_are_replaced_and_reported_at_their_line():
    result = normalize(b"ok\nbad \xff\xfe here\n", "a.md")
    assert "\ufffd" in result.text
    [diagnostic] = result.diagnostics
    assert (diagnostic.code, diagnostic.line) == (Code.NORMALIZE_ENCODING, 2)


# --- hygiene --------------------------------------------------------------------------------

def test_nfc():
    result = normalize("か\u3099ぎ\n", "a.md")
    assert result.text == "がぎ\n"
    assert codes(result) == ["normalize.unicode"]


def test_invisible_characters_are_removed_outside_code_only():
    text = "a\u200bb `c\u200bd`\n```\ne\u200bf\n```\n"
    result = normalize(text, "a.md")
    assert result.text == "ab `c\u200bd`\n```\ne\u200bf\n```\n"
    assert [(d.code, d.line) for d in result.diagnostics] == [(Code.NORMALIZE_INVISIBLE, 1)]


def test_zero_width_joiner_stays_inside_an_emoji_sequence():
    assert normalize("👩\u200d🔬 研究\n", "a.md").text == "👩\u200d🔬 研究\n"
    assert normalize("研\u200d究\n", "a.md").text == "研究\n"


def test_control_characters_are_removed_even_in_code():
    result = normalize("```\n\x1b[1mbold\x1b[0m\x07\n```\n", "a.md")
    assert result.text == "```\nbold\n```\n"
    assert codes(result) == ["normalize.control"]


def test_tab_in_list_indentation_is_one_level():
    result = normalize("- a\n\t- b\n\t\t- c\n    - d\n", "a.md")
    assert result.text == "- a\n    - b\n        - c\n    - d\n"
    assert [d.line for d in result.diagnostics] == [2, 3]


def test_tabs_outside_lists_and_in_code_stay():
    text = "text\n\n\tindented code\n\n```make\n- x\n\tcommand\n```\n"
    assert normalize(text, "a.md").text == text


def test_trailing_spaces_keep_a_hard_break_only():
    text = "one  \ntwo \nthree   \n\nfour  \n```\ncode  \n```\n"
    assert normalize(text, "a.md").text == "one  \ntwo\nthree\n\nfour\n```\ncode  \n```\n"


# --- front matter ------------------------------------------------------------------------------

def test_front_matter_with_an_unquoted_colon_is_quoted():
    text = "---\ntitle: 第1回: 概論\nemoji: 📖\n---\n本文\n"
    result = normalize(text, "a.md")
    data = yaml.safe_load(result.text.split("---\n")[1])
    assert data == {"title": "第1回: 概論", "emoji": "📖"}
    assert [(d.code, d.line) for d in result.diagnostics] == [(Code.NORMALIZE_FRONTMATTER, 2)]


def test_valid_front_matter_is_not_touched():
    text = "---\ntitle: '第1回: 概論'\ntopics: [a, b]\n---\n本文\n"
    assert normalize(text, "a.md").text == text


# --- dialects and provenance --------------------------------------------------------------------

def test_alert_lines_map_to_their_source_lines():
    text = "intro\n\n> [!WARNING]\n> 危険\n> です\n\nafter\n"
    result = normalize(text, "a.md")
    assert result.text == "intro\n\n:::message alert\n危険\nです\n:::\n\nafter\n"
    assert result.lines == [1, 2, 3, 4, 5, 5, 6, 7, 8]
    assert result.dialect == "github"


def test_math_fence_lines_map_to_the_fence():
    result = normalize("前\n```math\nx^2\n```\n後\n", "a.md")
    assert result.text == "前\n\n$$\nx^2\n$$\n\n後\n"
    assert result.lines == [1, 2, 2, 3, 4, 4, 5, 6]


def test_details_inside_an_original_message_widens_the_message():
    text = ":::message\n<details><summary>T</summary>\n\nbody\n</details>\n:::\n"
    result = normalize(text, "a.md")
    assert result.text == "::::message\n:::details T\n\nbody\n:::\n::::\n"
    assert result.lines == [1, 2, 3, 4, 5, 6, 7]


def test_a_details_tag_without_closer_is_text():
    text = "# タグ\n\n<details> は HTML のタグです。\n"
    assert normalize(text, "a.md").text == text


def test_wiki_links_are_text_in_a_zenn_article():
    text = "---\ntitle: \"t\"\nemoji: \"📝\"\ntopics: []\n---\n[[Page]]\n"
    result = normalize(text, "a.md")
    assert (result.text, result.dialect) == (text, "zenn")


def test_jekyll_front_matter_is_kept():
    text = "---\nlayout: post\ntitle: 題\nlang: ja\n---\n\n本文\n"
    result = normalize(text, "a.md")
    assert (result.text, result.dialect) == (text, "jekyll")


# --- mojibake ---------------------------------------------------------------------------------

SAMPLE = "---\ntitle: \"行列の基本\"\nemoji: \"🧮\"\n---\n\n## 行列とは\n\n行列は数を長方形に並べたものです。\n"


def test_lossless_mojibake_is_repaired_exactly():
    for damage in ("latin-1", "sloppy-windows-1252", "sloppy-windows-1250"):
        result = normalize(SAMPLE.encode("utf-8").decode(damage), "a.md")
        assert result.text == SAMPLE, damage


def test_double_encoded_mojibake_is_repaired_exactly():
    once = SAMPLE.encode("utf-8").decode("sloppy-windows-1252")
    twice = once.encode("utf-8").decode("sloppy-windows-1252")
    assert normalize(twice, "a.md").text == SAMPLE


def test_lossy_mojibake_names_lines_and_lost_bytes():
    damaged = SAMPLE.encode("utf-8").decode("cp1254", errors="ignore").replace("\xad", "")
    result = normalize(damaged, "a.md")
    assert result.text == SAMPLE
    repaired = [d for d in result.diagnostics if d.code is Code.NORMALIZE_MOJIBAKE]
    assert [d.line for d in repaired] == [2, 3, 6, 8]
    assert all(d.level is Level.WARNING and "cp1254" in d.message for d in repaired)
    assert "lost bytes restored" in repaired[-1].message


def test_partly_damaged_file_is_repaired_only_where_damaged():
    clean = "これは正しい日本語の文章です。\n" * 30
    damaged_line = "学習の準備をします。".encode().decode("cp1252", errors="ignore")
    result = normalize(clean + damaged_line + "\n", "a.md")
    assert result.text == clean + "学習の準備をします。\n"
    assert [d.line for d in result.diagnostics] == [31]


def test_mojibake_quoted_in_code_of_a_clean_article_stays():
    text = ("# 文字化けの例\n\nUTF-8 を Windows-1252 で読むと `ã‚ã‚‹` のようになります。\n\n"
            "```\nã“ã‚Œã¯ä¾‹ã§ã™\n```\n")
    assert normalize(text, "a.md").text == text


def test_correct_text_in_other_scripts_is_never_repaired():
    text = ("café, naïve, résumé — “quoted” · 50°C ± 2 × 3 … Straße, façade, Ångström\n"
            "Türkçe: çalışma, ığdır, şeker; Русский: её объём; Ελληνικά: αβγ θ μ σ\n"
            "日本語と — 記号…「括弧」（全角）！？ ¥100 ©2025 ®\n")
    assert normalize(text, "a.md").text == text


# --- seeds ---------------------------------------------------------------------------------------

def test_clean_seeds_000_and_003_pass_through_unchanged(seed_bytes):
    for prefix in ("000", "003"):
        data = seed_bytes(prefix)
        result = normalize(data, prefix)
        assert result.text == data.decode("utf-8"), prefix
        assert result.diagnostics == []
    assert normalize(seed_bytes("003"), "003").dialect == "jekyll"


def test_seed_002_changes_only_hygiene_and_obsidian_embeds(seed_bytes):
    original = seed_bytes("002").decode("utf-8").split("\n")
    result = normalize(seed_bytes("002"), "002")
    assert result.dialect == "obsidian"
    assert result.lines == list(range(1, len(original) + 1))
    for line, text in zip(result.lines, result.text.split("\n")):
        source = original[line - 1]
        if text == source.rstrip():
            continue
        assert "![[" in source or source.startswith("\t"), source
        embed = re.sub(r"!\[\[([^\]]+)\]\]", r"![\1](<\1>)", source.rstrip())
        assert text == embed.replace("\t", "    ", 1)


def test_seed_004_keeps_every_line_and_every_character(seed_bytes):
    original = seed_bytes("004").decode("utf-8")
    result = normalize(original, "004")
    assert result.dialect == "plain"
    shown = [line.replace("\\", "") for line in result.text.split("\n") if line]
    assert shown == [line for line in original.split("\n") if line]
    assert normalize(result.text, "004").text == result.text


def test_seed_001_is_repaired(seed_bytes):
    result = normalize(seed_bytes("001"), "001")
    body = result.text.split("\n")
    front = yaml.safe_load(result.text.split("---\n")[1])
    assert front["title"].startswith("第1回: 概論: 数式と論文の読み方")
    assert len(front["emoji"]) == 1 and ord(front["emoji"]) > 0x1F000
    assert not MOJIBAKE_MARKERS.search(result.text)
    assert body[10] == ("> **目標**: Python 環境を整え、LaTeX で数式を書けるようにし、"
                        "arXiv 論文を構造的に読む技術を身につける。")
    assert len(result.lines) == len(body) and result.lines[:3] == [1, 2, 3]
    assert sum(d.code is Code.NORMALIZE_MOJIBAKE for d in result.diagnostics) > 500
    assert all(isinstance(d, Diagnostic) and d.path == "001" and d.line
               for d in result.diagnostics)
