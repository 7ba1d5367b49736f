"""Fonts cut to the document's characters set the same pages as the whole fonts, faster.

One small document in the book's preamble, compiled twice by LuaLaTeX: with the cut faces
zennbook writes, and with the installed Noto CJK (no zbfonts.tex: the style's own default). The pages must be the
same pixels (kerning, proportional punctuation, bold, code with Japanese all depend on the
OpenType features the cut must keep) and the same extracted text.
"""
from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.conftest import needs
from zennbook import fonts as installed
from zennbook.writers import fonts, latex
from zennbook.writers.templating import template_path

pytestmark = needs("lualatex", "pdftoppm", "pdftotext", "fc-list")

DOCUMENT = r"""\documentclass[paper=b5j,fontsize=10pt,book,openany,jafontsize=10pt]{jlreq}
\usepackage{zennbook}
\begin{document}
\chapter{数式とコードを書く：VAE を題材に}
この章では、生成モデルの基本である VAE（Variational Autoencoder）を題材に、KaTeX と AV WA To の組版を見ます。
「かぎ括弧」、（丸括弧）、句読点。\textbf{太字の日本語と Bold Latin}。\textsf{ゴシック体 Sans}。
\begin{verbatim}
let x = 1  # 日本語のコメント → 矢印
\end{verbatim}
全角数字１２３と半角数字 123、記号 ①②③ ★ ※ 〜。
\end{document}
"""


def compile_with(folder, cut: bool, cache_root):
    folder.mkdir()
    (folder / "book.tex").write_text(DOCUMENT, encoding="utf-8")
    shutil.copyfile(template_path("latex/zennbook.sty"), folder / "zennbook.sty")
    if cut:         # else no zbfonts.tex: zennbook.sty names the installed fonts
        names = fonts.install_fonts(folder, cache_root)
        assert set(names) == set(fonts.FACES), "the faces were not cut"
    latex.compile_once(folder, "book", folder / "book.log")
    return folder / "book.pdf"


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    root = tmp_path_factory.mktemp("fonts")
    return (compile_with(root / "cut", True, root / "cache"), compile_with(root / "whole", False, root / "cache"))


def test_cut_fonts_set_the_same_pixels_as_the_whole_fonts(pair, tmp_path):
    from PIL import Image, ImageChops
    images = []
    for name, pdf in zip(("cut", "whole"), pair):
        subprocess.run(["pdftoppm", "-r", "100", "-png", str(pdf), str(tmp_path / name)], check=True, timeout=120)
        images.append(sorted(tmp_path.glob(f"{name}-*.png")))
    assert len(images[0]) == len(images[1]) >= 1
    for a, b in zip(*images):
        assert ImageChops.difference(Image.open(a).convert("RGB"), Image.open(b).convert("RGB")).getbbox() is None


def test_cut_fonts_extract_the_same_text(pair):
    texts = [subprocess.run(["pdftotext", "-enc", "UTF-8", str(p), "-"], capture_output=True, text=True,
                            check=True).stdout for p in pair]
    assert texts[0] == texts[1] and "Variational" in texts[0]


def test_cut_fonts_keep_every_layout_feature_and_only_the_documents_glyphs(pair):
    from fontTools.ttLib import TTCollection, TTFont
    cut_dir = pair[0].parent / "fonts"
    serif = TTFont(next(cut_dir.glob("zb-serif-*.otf")))
    face = installed.face(*fonts.FACES["serif"])
    whole = TTCollection(str(face.path)).fonts[face.index]
    for table, needed in (("GPOS", {"kern", "palt", "halt"}), ("GSUB", {"locl", "fwid", "hwid", "pwid", "vert"})):
        features = {r.FeatureTag for r in serif[table].table.FeatureList.FeatureRecord}
        assert needed <= {r.FeatureTag for r in whole[table].table.FeatureList.FeatureRecord}
        assert needed <= features, f"{table} lost {needed - features}"
    assert serif["maxp"].numGlyphs < whole["maxp"].numGlyphs / 10


def test_a_cut_is_made_once_per_character_set(tmp_path):
    face = installed.face(*fonts.FACES["sans"])
    first = fonts.subset_face(face, set("あいうabc"), tmp_path)
    stamp = first.stat().st_mtime_ns
    assert fonts.subset_face(face, set("abcあいう"), tmp_path) == first and first.stat().st_mtime_ns == stamp
    assert fonts.subset_face(face, set("あいうabcd"), tmp_path) != first
