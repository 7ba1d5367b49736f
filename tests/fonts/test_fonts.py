"""zennbook.fonts: the installed fonts located from one fontconfig listing, and cut by one
function, against what fontconfig itself and the cut fonts' own tables say."""
from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import needs
from zennbook import fonts
from zennbook.fonts import located

pytestmark = needs("fc-list", "fc-match")
ROOT = Path(__file__).resolve().parents[2]
SANS = "Noto Sans CJK JP"


def fc_match(pattern: str) -> tuple[Path, int]:
    out = subprocess.run(["fc-match", "-f", "%{file}|%{index}", pattern], capture_output=True, text=True,
                         check=True).stdout
    path, index = out.split("|")
    return Path(path), int(index)


@pytest.fixture
def sans():
    found = fonts.face(SANS)
    if found is None:
        pytest.skip(f"{SANS} not installed")
    return found


@pytest.mark.parametrize("style", ["Regular", "Bold"])
def test_a_face_is_the_one_fontconfig_matches(sans, style):
    found = fonts.face(SANS, style)
    assert (found.path, found.index) == fc_match(f"{SANS}:style={style}")
    assert SANS in found.families and style in found.styles


def test_a_family_not_installed_has_no_face():
    assert fonts.face("No Such Family Anywhere") is None


def test_fontconfig_is_asked_once_for_every_question(monkeypatch, sans):
    located.read_fontconfig.cache_clear()
    calls = []
    run = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda args, **kw: calls.append(args[0]) or run(args, **kw))
    fonts.face(SANS, "Bold"), fonts.covering("漢"), fonts.emoji_font(), fonts.font_files()
    fonts.installed_fonts(), fonts.family_font(SANS)
    assert calls == ["fc-list"]


def test_a_listing_made_while_fontconfig_was_hidden_is_not_kept(monkeypatch, tmp_path):
    """A build without fc-list on PATH (the faults tests do that) must not leave later builds
    of the same process without fonts."""
    located.read_fontconfig.cache_clear()
    monkeypatch.setenv("PATH", str(tmp_path))
    assert fonts.face(SANS) is None and fonts.font_files() == []
    monkeypatch.undo()
    assert fonts.font_files()


def test_the_faces_that_cover_a_character_have_it(sans):
    covering = fonts.covering("漢")
    assert (sans.path, sans.index) in {(f.path, f.index) for f in covering}
    assert all(f.has("漢") for f in covering)
    assert fonts.covering("\U0010FFFD") == []          # private use, plane 16: nobody's


def test_the_emoji_face_is_the_colour_one():
    emoji = fonts.emoji_font()
    if emoji is None:
        pytest.skip("Noto Color Emoji not installed")
    assert emoji.color and emoji.has("😀")
    assert emoji.path == fc_match(f"{fonts.EMOJI_FAMILY}:color=true")[0]


def test_every_font_file_is_listed_once_with_type1_and_bitmap_files():
    out = subprocess.run(["fc-list", "--format", "%{file}\n"], capture_output=True, text=True, check=True).stdout
    assert fonts.font_files() == sorted(set(filter(None, out.split("\n"))))
    assert {str(f.path) for f in fonts.installed_fonts()} <= set(fonts.font_files())


# -- subset ---------------------------------------------------------------------------------

def cut_font(data: bytes):
    from fontTools.ttLib import TTFont
    return TTFont(io.BytesIO(data))


def test_a_cut_has_the_characters_asked_for_and_no_others(sans):
    font = cut_font(fonts.subset(sans, "本を書くA"))
    assert {chr(c) for c in font.getBestCmap()} == set("本を書くA")
    assert font["maxp"].numGlyphs < 300


def test_a_cut_takes_text_characters_or_code_points_alike(sans):
    assert fonts.subset(sans, "あい") == fonts.subset(sans, {"い", "あ"}) == fonts.subset(sans, [0x3042, 0x3044])


def test_a_cut_keeps_the_layout_features_and_the_license_names(sans):
    font = cut_font(fonts.subset(sans, "あいう、。abc"))
    assert {"palt", "kern"} <= {r.FeatureTag for r in font["GPOS"].table.FeatureList.FeatureRecord}
    assert {"vert", "fwid"} <= {r.FeatureTag for r in font["GSUB"].table.FeatureList.FeatureRecord}
    assert font["name"].getDebugName(13)              # the license (SIL OFL)


def test_a_cut_of_a_cid_font_names_each_glyph_by_its_id(sans):
    """LuaTeX writes glyph ids where a PDF reader reads CIDs (zennbook.fonts.subset.identity_cids)."""
    top = cut_font(fonts.subset(sans, "正本")).get("CFF ")
    if top is None:
        pytest.skip(f"{SANS} is not a CFF font here")
    charset = top.cff[top.cff.fontNames[0]].charset
    assert charset == [".notdef", *("cid%05d" % gid for gid in range(1, len(charset)))]


def test_a_glyph_cut_keeps_glyph_ids(sans, tmp_path):
    path = tmp_path / "cut.otf"
    path.write_bytes(fonts.subset(sans, "正本あ"))
    kept = fonts.cut_to_glyphs(path, [2])
    assert cut_font(path.read_bytes())["maxp"].numGlyphs > 3
    assert kept is not None and kept.glyph_count == 3      # glyph 2 is still glyph 2, not renumbered 1


# -- one place ------------------------------------------------------------------------------

FONTCONFIG_CALL = re.compile(r"""["'](fc-list|fc-match)["']""")


def test_no_module_but_zennbook_fonts_asks_fontconfig():
    askers = [str(p.relative_to(ROOT)) for p in (ROOT / "zennbook").rglob("*.py")
              if FONTCONFIG_CALL.search(p.read_text(encoding="utf-8")) and p.relative_to(ROOT).parts[1] != "fonts"]
    assert askers == []


def test_no_module_but_zennbook_fonts_cuts_fonts():
    cutters = [str(p.relative_to(ROOT)) for p in (ROOT / "zennbook").rglob("*.py")
               if re.search(r"hb\.subset\(|fontTools import subset|Subsetter\(", p.read_text(encoding="utf-8"))
               and p.relative_to(ROOT).parts[1] != "fonts"]
    assert cutters == []


# -- the callers ----------------------------------------------------------------------------

@pytest.mark.parametrize("bold, style", [(True, "Bold"), (False, "Regular")])
def test_the_cover_sets_its_text_in_the_located_face(sans, bold, style):
    from zennbook.writers.cover import font
    assert font(40, bold=bold).getname() == (SANS, style)


def test_the_diagrams_emoji_text_is_made_from_the_located_emoji_face():
    from zennbook.mermaid.emojitext import source_font
    emoji = fonts.emoji_font()
    assert source_font() == (emoji.path if emoji else None)


def test_the_latex_tools_fingerprint_follows_the_font_files(monkeypatch):
    from zennbook.writers.pdf import jobs
    jobs.tools_fingerprint.cache_clear()
    before = jobs.tools_fingerprint()
    files = fonts.font_files()
    monkeypatch.setattr(jobs, "font_files", lambda: files[1:])
    jobs.tools_fingerprint.cache_clear()
    assert jobs.tools_fingerprint() != before
    jobs.tools_fingerprint.cache_clear()


def test_a_folder_cut_again_for_the_same_characters_keeps_its_font_files_untouched(tmp_path):
    """luaotfload compiles a font again when its file's time changes: a proof folder cut again
    for the same characters keeps the very files (same times); a new character replaces only
    the cuts it changes and leaves no earlier cut behind; a copy whose bytes were changed is
    replaced."""
    from zennbook.writers.fontchains import Usage
    from zennbook.writers.fonts import install_fonts
    build, cache = tmp_path / "proof", tmp_path / "cache"

    def cut(text: str) -> dict[str, int]:
        usage = Usage()
        usage.add(text)
        install_fonts(build, cache, usage)
        return {p.name: p.stat().st_mtime_ns for p in (build / "fonts").iterdir()}

    text = "校正の本文 Proof text"
    first = cut(text)
    assert first and cut(text) == first                                  # the same files, the same times
    again = cut(text + " 鑑")
    assert set(again) - set(first) and set(first) - set(again)          # new cuts in, the cuts they replace gone
    assert all(again[name] == first[name] for name in set(again) & set(first))     # the others untouched
    one = build / "fonts" / sorted(again)[0]
    good = one.read_bytes()
    one.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
    cut(text + " 鑑")
    assert one.read_bytes() == good
