"""A save's first pages: the proof's chapter cut a little after the first place its LaTeX
changed, typeset beside the whole proof, so that the edited page is shown as soon as it is
set rather than when the whole chapter is.

TeX sets pages in order and never goes back: a page it has shipped out is final, whatever
comes after it. So the pages a run of the cut chapter ships before the cut are the whole
proof's pages exactly (the same preamble, the same .aux, the same LaTeX up to there). The
page the cut falls on is not (it ends early) and is not shown. The cut is made where a block
of the chapter itself begins (`%zb:top`, writers/latex/render.py), at least MARGIN_LINES
lines and MARGIN_CHARS characters of LaTeX after the first changed line (about two pages of
code, and of prose), so that the edited page is full before it. Until the whole proof comes,
the pages after the first ones stay the last proof's (proofs.py).
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from ..writers.latex.lines import TOP_BLOCK, code_rows

FIRST = "proof-first"            # the job's name, beside the proof's
MARGIN_LINES = 80                # about two pages of code (one LaTeX line a printed line) ...
MARGIN_CHARS = 6000              # ... and of prose (a paragraph line of LaTeX prints several)
WORTH = 0.75                     # no first pages when the cut keeps more of the chapter than this
# Written where the cut chapter ends: how many pages TeX has shipped out by then.
SHIPPED_NOTE = '\\directlua{texio.write_nl("log", "zb:shipped=" .. status.total_pages)}\n'
SHIPPED = re.compile(r"^zb:shipped=(\d+)", re.MULTILINE)


def cut_chapter(old: str, new: str, lines: int = MARGIN_LINES, chars: int = MARGIN_CHARS) -> str | None:
    """The new chapter's LaTeX up to the first block of its own that starts `lines` lines and
    `chars` characters after the first line that differs from `old`, with the note of the
    pages shipped; None when there is no earlier chapter, no change, or the cut would keep
    most of it."""
    if not old or old == new:
        return None
    old_lines, new_lines = old.split("\n"), new.split("\n")
    first = next((i for i, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b),
                 min(len(old_lines), len(new_lines)))
    at, past, rows = None, 0, code_rows(new_lines)     # an article's code line may read like the marker
    for index, line in enumerate(new_lines):
        if index >= first + lines and past >= chars and line == TOP_BLOCK and rows[index] is None:
            at = index
            break
        past += len(line) + 1 if index >= first else 0
    if at is None or at > WORTH * len(new_lines):
        return None
    return "\n".join(new_lines[:at]) + "\n" + SHIPPED_NOTE


def write_first_pages(build_dir: Path, slug: str, cut: str, job: str) -> bool:
    """The first pages' job beside the proof's `job`: its document with the cut chapter in
    place of the chapter; False when the document does not read the chapter as expected."""
    chapter = f"\\input{{chapters/{slug}.tex}}"
    document = (build_dir / f"{job}.tex").read_text(encoding="utf-8")
    if document.count(chapter) != 1:
        return False
    (build_dir / "chapters" / f"{slug}.first.tex").write_text(cut, encoding="utf-8")
    if (build_dir / f"{job}.aux").exists():      # the references the whole proof's run reads
        shutil.copyfile(build_dir / f"{job}.aux", build_dir / f"{FIRST}.aux")
    (build_dir / f"{FIRST}.tex").write_text(document.replace(chapter, f"\\input{{chapters/{slug}.first.tex}}"),
                                            encoding="utf-8")
    return True


def shipped_pages(log: Path) -> int:
    """The pages the first pages' run shipped before the cut (0: none, or no note)."""
    try:
        found = SHIPPED.findall(log.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return 0
    return int(found[-1]) if found else 0
