"""firstpages.cut_chapter: where a save's chapter is cut for its first pages (no LaTeX run:
the chapter is the LaTeX writer's own output, the golden case of boxes, many times over)."""
from __future__ import annotations

import re
from pathlib import Path

from zennbook.serve.firstpages import MARGIN_CHARS, MARGIN_LINES, SHIPPED_NOTE, cut_chapter, shipped_pages
from zennbook.writers.latex.lines import TOP_BLOCK

BOXES = (Path(__file__).resolve().parents[1] / "writers" / "latex" / "cases" / "boxes.tex").read_text(encoding="utf-8")
CHAPTER = "\n".join(BOXES.split("-- diagnostics --")[0] for _ in range(40))


def changed_at(text: str, index: int) -> str:
    lines = text.split("\n")
    target = next(i for i in range(index, len(lines)) if lines[i] and not lines[i].startswith(("%", "\\")))
    lines[target] += "（編集）"
    return "\n".join(lines)


def balanced(tex: str) -> bool:
    return len(re.findall(r"\\begin\{", tex)) == len(re.findall(r"\\end\{", tex))


def test_no_earlier_chapter_or_no_change_gives_no_first_pages():
    assert cut_chapter("", CHAPTER) is None
    assert cut_chapter(CHAPTER, CHAPTER) is None


def test_an_early_change_is_cut_at_a_block_of_the_chapter_itself_past_the_margin():
    new = changed_at(CHAPTER, 5)
    cut = cut_chapter(CHAPTER, new)
    assert cut is not None and cut.endswith(SHIPPED_NOTE)
    kept = cut.removesuffix(SHIPPED_NOTE)
    assert new.startswith(kept) and new[len(kept):].startswith(TOP_BLOCK)     # cut right before a block of its own
    assert balanced(kept), "the cut falls inside a box"
    first = next(i for i, (a, b) in enumerate(zip(CHAPTER.split("\n"), new.split("\n"))) if a != b)
    after = kept.split("\n")[first:]
    assert len(after) >= MARGIN_LINES and len("\n".join(after)) >= MARGIN_CHARS


def test_a_change_late_in_the_chapter_gives_no_first_pages():
    assert cut_chapter(CHAPTER, changed_at(CHAPTER, len(CHAPTER.split("\n")) * 7 // 10)) is None


def test_the_pages_shipped_are_read_from_the_log(tmp_path):
    log = tmp_path / "proof-first.log"
    log.write_text("[1] [2]\nzb:shipped=2 [3]\n", encoding="utf-8")
    assert shipped_pages(log) == 2
    log.write_text("no note\n", encoding="utf-8")
    assert shipped_pages(log) == 0 and shipped_pages(tmp_path / "missing.log") == 0


def test_a_code_line_that_reads_like_the_marker_is_never_a_cut():
    """An article's code is set verbatim: a line of it may read `%zb:top` (its backslashes,
    never its percent signs, are escaped), so the cut must not fall inside code."""
    code = "\\begin{Shaded}\n\\begin{Highlighting}[]\n" + f"{TOP_BLOCK}\n%zb:line=1\n" * 400 + \
           "\\end{Highlighting}\n\\end{Shaded}"
    chapter = f"{TOP_BLOCK}\n%zb:line=1\n\n本文。\n\n{TOP_BLOCK}\n%zb:line=2\n\n{code}\n\n" + \
              "\n".join(f"{TOP_BLOCK}\n%zb:line={n}\n\n段落{n}。\n" for n in range(3, 900))
    cut = cut_chapter(changed_at(chapter, 0), chapter)
    kept = cut.removesuffix(SHIPPED_NOTE)
    assert kept.count("\\begin{Highlighting}") == kept.count("\\end{Highlighting}") == 1
