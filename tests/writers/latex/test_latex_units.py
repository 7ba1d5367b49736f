"""The LaTeX writer's parts that need no LaTeX run (math: tests/math): table layout, text
helpers, and the log scanner (on logs written the way LuaTeX writes them)."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import panflute as pf
import pytest

from zennbook.config import PdfOptions
from zennbook.diagnostics import Code, Diagnostics
from zennbook.pandoc import markdown_to_doc
from zennbook.writers import latex
from zennbook.zenn import rewrite
from zennbook.writers.latex import (
    TexSources, breakable_code, log_events, needs_rerun, scan_log, shorten,
    table_layout, trim_options)


# -- tables -------------------------------------------------------------------------------------

def table(*rows: list[str]) -> pf.Table:
    lines = ["| " + " | ".join(r) + " |" for r in [rows[0], ["---"] * len(rows[0]), *rows[1:]]]
    return markdown_to_doc("\n".join(lines)).content[0]


def test_a_narrow_table_keeps_natural_columns():
    font, widths = table_layout(table(["記法", "章"], ["見出し", "1"]), 380.0)
    assert (font, widths) == ("\\small", None)


def test_a_wide_table_gets_wrapping_columns_that_share_the_line():
    wide = table(["種類", "説明"], ["YouTube", "動画の ID を書く方法と URL を一行に書く方法があり、どちらも同じ箱になる。" * 2])
    font, widths = table_layout(wide, 380.0)
    assert widths and abs(sum(widths) - 1) < 0.01
    assert widths[0] * (380 - 16) >= len("YouTube") * 4.5     # the unbreakable word fits


def test_a_table_too_wide_even_for_its_words_gets_smaller_type():
    font, widths = table_layout(table(*[["averyveryverylongidentifier"] * 8] * 2), 310.0)
    assert font == "\\footnotesize" and widths


# -- text ---------------------------------------------------------------------------------------

def test_inline_code_wraps_after_punctuation_never_after_a_hyphen():
    assert breakable_code("a/b.c") == r"a/\zbbreak{}b.\zbbreak{}c"
    assert breakable_code("01-getting-started") == "01-getting-started"
    assert r"\zbbreak{}" in breakable_code("x" * 30)
    assert breakable_code("{$}") == r"\{\$\}\zbbreak{}"


def test_running_head_titles_are_shortened_with_an_ellipsis():
    assert shorten("短い", 20) == "短い"
    long = shorten("生成AIをゼロから理解し最終的に作れるレベルに到達するためのステップ", 30)
    assert long.endswith("…") and latex.text_width(long) <= 30


def test_long_latin_runs_get_break_points_and_keep_their_text():
    pieces = latex.render_str(pf.Str(r"path/to/some/very/long/file_name.py"), None)
    assert "".join(p.text for p in pieces if isinstance(p, pf.Str)) == "path/to/some/very/long/file_name.py"
    assert any(isinstance(p, pf.RawInline) for p in pieces)
    assert latex.render_str(pf.Str("日本語の長い文はそのまま"), None) is None


def test_images_wider_than_the_line_are_fitted_to_it():
    doc = SimpleNamespace(line_pt=380.0, assets=None)
    wide, narrow = pf.Image(url="x.png", attributes={"width": "560"}), pf.Image(url="y.png", attributes={"width": "300"})
    latex.render_image(wide, doc), latex.render_image(narrow, doc)
    assert wide.attributes["width"] == "100%" and narrow.attributes["width"] == "300"


def test_trim_marks_come_with_a_bleed():
    assert trim_options(PdfOptions()) == {"marks": False, "bleed_mm": "0"}
    assert trim_options(PdfOptions(bleed_mm=3.0)) == {"marks": True, "bleed_mm": "3"}
    assert trim_options(PdfOptions(crop_marks=True))["marks"]


# -- the log ------------------------------------------------------------------------------------

CHAPTER = "\n".join([
    r"\section{x}",                      # 1
    "%zb:line=12",                       # 2
    "",                                  # 3
    "長い段落の一行目",                   # 4
    "%zb:line=20",                       # 5
    r"\begin{Shaded}",                   # 6
    r"\begin{Highlighting}[]",           # 7
    "code",                              # 8
    r"\end{Highlighting}",               # 9
    r"\end{Shaded}",                     # 10
    "%zb:line=30",                       # 11
    r"\zbdisplay{x}{x}{x}{}",            # 12
])
BOOK = "\n".join(["\\begin{document}", "%zb:article=intro", "\\chapter{x}", "\\input{chapters/intro.tex}"])
LOG = "\n".join([
    "This is LuaHBTeX (./book.tex (./zennbook.sty (Font) x) [1] (./chapters/intro.tex",
    "Overfull \\hbox (12.5pt too wide) in paragraph at lines 4--4",
    "[]|\\JY3/NotoSerifCJKJP(1)/m/n/10 長 |い |段 |落 (the box's own text ( opens nothing",
    "",
    "Overfull \\hbox (0.4pt too wide) in paragraph at lines 4--4",
    "[]x",
    "",
    "Overfull \\hbox (7.0pt too wide) in paragraph at lines 8--8",
    "[]code",
    "",
    "Missing character: There is no 𓀀 (U+13000) in font NotoSerifCJKJP:mode=node;!",
    "LaTeX Warning: Hyper reference `intro--nowhere' on page 1 undefined on input line 4.",
    "Package zennbook Warning: display math too wide by 20.1pt; scaled to 95% on input line 12.",
    "./chapters/intro.tex:12: Undefined control sequence.",
    "Overfull \\hbox (30.0pt too wide) has occurred while \\output is active",
    "[] |第 |章",
    "",
    ") [2]",
    "Overfull \\hbox (3.0pt too wide) in paragraph at lines 3--3",
    "[]x",
    "",
    ")",
])


@pytest.fixture
def build(tmp_path: Path) -> Path:
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "intro.tex").write_text(CHAPTER, encoding="utf-8")
    (tmp_path / "book.tex").write_text(BOOK, encoding="utf-8")
    (tmp_path / "book.log").write_text(LOG, encoding="utf-8")
    return tmp_path


def parsed_article(slug: str, body: str, first_line: int) -> SimpleNamespace:
    """An article as the writers get it: its tree from the Zenn stage and pandoc."""
    lines = list(range(first_line, first_line + body.count("\n") + 1))
    doc = markdown_to_doc(rewrite(body, lines, f"articles/{slug}.md").text)
    return SimpleNamespace(slug=slug, label=f"articles/{slug}.md", doc=doc)


# the paragraph starts at line 12 (the .tex's marker); its second line, 13, is too wide
ARTICLE = parsed_article("intro", "# x\n\n前の段落\n長い段落の一行目は長い\n𓀀", 10)


def test_the_file_stack_follows_the_log_through_chapters_and_back(build):
    files = [(e.kind, e.file) for e in log_events(LOG)]
    assert files[0] == ("overfull", "./chapters/intro.tex")
    assert files[-1] == ("overfull", "./book.tex")


def test_the_log_maps_to_article_lines_and_kinds(build):
    diagnostics = Diagnostics()
    report = scan_log(build / "book.log", [ARTICLE], diagnostics)
    overfull = [(o["kind"], o["path"], o["line"], o["pt"]) for o in report["overfull"]]
    assert ("text", "articles/intro.md", 13, 12.5) in overfull        # the exact source line
    assert ("code", "articles/intro.md", 21, 7.0) in overfull         # its code line: the one after the fence
    assert ("running head", "articles/intro.md", None, 30.0) in overfull
    assert ("text", "articles/intro.md", None, 3.0) in overfull        # the chapter title line
    assert not any(o["pt"] < 1 for o in report["overfull"])
    assert report["missing_glyphs"][0]["line"] == 14
    assert report["unresolved_references"] == [{"target": "intro--nowhere", "path": "articles/intro.md", "line": 12}]
    assert report["math"][0]["line"] == 30 and "scaled to 95%" in report["math"][0]["message"]
    assert report["errors"][0]["line"] == 30
    codes = {d.code for d in diagnostics.items}
    assert {Code.LAYOUT_OVERFULL, Code.GLYPH_MISSING, Code.LAYOUT_REFERENCE, Code.LAYOUT_MATH_WIDE,
            Code.LATEX_ERROR} <= codes


def test_markers_map_tex_lines_to_source_lines(build):
    sources = TexSources(build)
    assert sources.locate("./chapters/intro.tex", 4) == ("intro", 12)
    assert sources.locate("./chapters/intro.tex", 1) == ("intro", None)
    assert sources.locate("./book.tex", 3) == ("intro", None)
    assert sources.kind("./chapters/intro.tex", 8) == "code"
    assert sources.kind("./chapters/intro.tex", 12) == "math"


def test_a_rerun_is_only_for_what_changes_the_output(tmp_path):
    log = tmp_path / "x.log"
    log.write_text("LaTeX Warning: Label(s) may have changed. Rerun to get cross-references right.")
    assert not needs_rerun(log, toc_changed=False)
    assert needs_rerun(log, toc_changed=True)
    log.write_text(log.read_text() + "\nLaTeX Warning: Reference `a' on page 1 undefined on input line 3.")
    assert needs_rerun(log, toc_changed=False)
