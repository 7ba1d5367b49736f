"""Running LuaLaTeX: in the jail, without shell escape, with paranoid file access, until the
table of contents settles; the log's tail when it fails."""
from __future__ import annotations

import os
import re
from pathlib import Path

from ...diagnostics import Code
from ...safety import sandbox
from .. import texcache
from .assets import MAX_PASSES, LatexError
from .log import ERROR_LINE, REFERENCE, TexSources


def latex_env(epoch: int | None = None, job: Path | None = None, warm: Path | None = None) -> dict:
    """LuaLaTeX's own settings (the sandbox adds PATH, LANG and HOME, and nothing else of
    ours): paranoid file access, no shell, the build's date (`epoch`; else SOURCE_DATE_EPOCH,
    else 0: a job cached across builds carries no date of its own), the font caches."""
    date = str(epoch) if epoch is not None else os.environ.get("SOURCE_DATE_EPOCH", "0")
    return {"openin_any": "p", "openout_any": "p", "shell_escape": "f",
            "SOURCE_DATE_EPOCH": date, "FORCE_SOURCE_DATE": "1",
            # one log line per message, so that file names and box contents are not cut
            "max_print_line": "100000", "error_line": "254", "half_error_line": "238",
            **texcache.font_cache_env(job, warm)}


def lualatex_command(job: str) -> list[str]:
    # No --halt-on-error: an error in one formula or table is reported with its article
    # line and the rest of the book is still set; only a fatal error leaves no PDF.
    return ["lualatex", "--interaction=nonstopmode", "--no-shell-escape", "--file-line-error",
            f"--jobname={job}", f"{job}.tex"]


RERUN = re.compile(r"Rerun to get|may have changed\. Rerun|Rerun LaTeX")


def run_lualatex(build_dir: Path, job: str = "book", max_passes: int = MAX_PASSES,
                 settle_toc: bool = True, epoch: int | None = None) -> tuple[Path, int]:
    """Compile until the table of contents and the references settle; return the log and
    the number of passes. A pass is repeated only for what changes the output."""
    previous_toc = None
    log = build_dir / f"{job}.log"
    for passes in range(1, max_passes + 1):
        compile_once(build_dir, job, log, epoch)
        toc_file = build_dir / f"{job}.toc"
        toc = toc_file.read_bytes() if toc_file.exists() else b""
        if passes == max_passes or not needs_rerun(log, settle_toc and toc != previous_toc):
            break
        previous_toc = toc
    return log, passes


def needs_rerun(log: Path, toc_changed: bool) -> bool:
    """Another pass helps when the TOC changed, or when references are unresolved because
    their labels were new (LaTeX says so); not for labels nothing refers to."""
    text = log.read_text(encoding="utf-8", errors="replace")
    return toc_changed or bool(RERUN.search(text) and REFERENCE.search(text))


def compile_once(build_dir: Path, job: str, log: Path, epoch: int | None = None,
                 reads: tuple[Path, ...] = ()) -> None:
    """One LuaLaTeX pass in the sandbox: `build_dir` the only folder it may write, `reads`
    what it may read besides the TeX trees and fonts (the unit builds' shared assets)."""
    (build_dir / f"{job}.pdf").unlink(missing_ok=True)
    try:
        warm = texcache.warm_font_cache(build_dir / "fonts", run_lualatex_jailed)
        proc = run_lualatex_jailed(build_dir, job, epoch, (*reads, *([warm] if warm else [])), warm)
    except FileNotFoundError as exc:
        raise LatexError("lualatex: not found; install TeX Live (see the README's set-up command)",
                         Code.TOOL_MISSING) from exc
    except sandbox.LimitHit as exc:
        raise LatexError(f"{exc} on {build_dir / (job + '.tex')}; log: {log}", Code.TOOL_LIMIT) from None
    if lua_out_of_memory(log):
        raise LatexError(f"{sandbox.memory_hit('lualatex', sandbox.limits_for('lualatex'))} "
                         f"on {build_dir / (job + '.tex')}; log: {log}", Code.TOOL_LIMIT)
    if not (build_dir / f"{job}.pdf").exists():
        raise LatexError(f"lualatex: failed on {build_dir / (job + '.tex')} (exit {proc.returncode}); "
                         f"log: {log}\n" + log_tail(log, build_dir))


def run_lualatex_jailed(folder: Path, job: str, epoch: int | None = None, reads: tuple[Path, ...] = (),
                       warm: Path | None = None) -> sandbox.Finished:
    """LuaLaTeX on folder/job.tex in the sandbox, its font-name database seeded."""
    texcache.seed_font_cache(folder)
    return sandbox.run("lualatex", lualatex_command(job), job=folder, reads=[*texcache.tex_reads(), *reads],
                       env=latex_env(epoch, folder, warm))


# LuaTeX's own words when Lua code meets the memory limit (`./x.tex:4: error:  (lua): not
# enough memory`); only on an error line, as an article's text may say the same words.
LUA_OUT_OF_MEMORY = re.compile(r"^(?:!|\S+:\d+:)[^\n]*\berror\b[^\n]*not enough memory", re.M)


def lua_out_of_memory(log: Path) -> bool:
    """Lua code stopped by the memory limit: LuaTeX ends with an error, not a signal."""
    try:
        return bool(LUA_OUT_OF_MEMORY.search(log.read_text(encoding="utf-8", errors="replace")))
    except OSError:
        return False


def log_tail(log: Path, build_dir: Path | None = None, lines: int = 15) -> str:
    if not log.exists():
        return "(no log)"
    text = log.read_text(encoding="utf-8", errors="replace").splitlines()
    errors = [i for i, line in enumerate(text) if line.startswith("!") or ERROR_LINE.match(line)]
    start = errors[0] if errors else max(0, len(text) - lines)
    where = ""
    if errors and build_dir is not None and (found := ERROR_LINE.match(text[errors[0]])):
        slug, line = TexSources(build_dir).locate(found.group(1), int(found.group(2)))
        where = f"    (in article {slug}, source line {line})\n" if slug else ""
    return where + "\n".join("    " + line for line in text[start:start + lines])
