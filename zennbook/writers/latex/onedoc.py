"""The one-document PDF build (`write_pdf`): what the unit build in writers/pdf/ is compared
with, and what `proof` uses."""
from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path

from ..fonts import install_fonts
from .assets import LatexAssets
from .document import render_book_tex
from .log import scan_log
from .run import run_lualatex

# -- writing the PDF ----------------------------------------------------------------------------

def latex_build_dir(book, context, out_dir: Path, kind: str = "latex") -> Path:
    """A build folder that outlives the run (its log is there to read when LaTeX fails), one
    per book and output folder: builds into other folders never share (or delete) it."""
    base = context.cache_dir or Path(".zennbook-cache")
    key = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:8]
    build_dir = (base / kind / f"{book.slug}-{key}").resolve()
    shutil.rmtree(build_dir, ignore_errors=True)
    build_dir.mkdir(parents=True)
    prune_build_dirs(build_dir)
    return build_dir


def prune_build_dirs(keep: Path, max_age_s: float = 86400) -> None:
    """Build folders of other output folders, untouched for a day, go (tests make many)."""
    now = time.time()
    for other in keep.parent.glob("*"):
        if other != keep and other.is_dir() and now - other.stat().st_mtime > max_age_s:
            shutil.rmtree(other, ignore_errors=True)


def write_pdf(book, articles, out_path: Path, context) -> None:
    build_dir = latex_build_dir(book, context, out_path.parent)
    assets = LatexAssets(build_dir)
    tex = render_book_tex(book, articles, assets, context.diagnostics, context)
    (build_dir / "book.tex").write_text(tex, encoding="utf-8")
    install_fonts(build_dir, context.cache.root)
    log, _ = run_lualatex(build_dir, epoch=context.epoch)
    scan_log(log, articles, context.diagnostics)
    safe_pdf_copy(build_dir / "book.pdf", out_path)


def safe_pdf_copy(source: Path, target: Path) -> None:
    """The PDF LuaLaTeX made, without any action that could run or fetch (the second wall)."""
    import pikepdf

    from ...safety.pdf import remove_unsafe_actions
    with pikepdf.open(source) as pdf:
        if not remove_unsafe_actions(pdf):
            shutil.copyfile(source, target)
            return
        pdf.save(target, deterministic_id=True)
