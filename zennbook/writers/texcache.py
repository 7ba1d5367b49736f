"""LuaLaTeX's view of the TeX installation from inside the sandbox (safety/sandbox.py).

A jailed job sees the TeX trees, the fonts and the font caches set-up built read-only, and
writes only its own folder. luaotfload writes to the first cache it can write, and looks
for its font-name database only there, so each job gets a cache in its folder
(.texmf-cache), seeded with a copy of that database; the cut fonts every unit job shares
are compiled once per build into a cache beside them (warm_font_cache), read by the jobs.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from ..safety import sandbox

JOB_CACHE = ".texmf-cache"
FONT_NAMES = "luatex-cache/generic/names"


def font_cache_env(job: Path | None, warm: Path | None = None) -> dict:
    """Where luaotfload keeps compiled fonts, in order: the job's own cache (the first
    writable one: all a job writes stays in its folder, see seed_font_cache), the build's
    cut fonts compiled once (`warm`: see warm_font_cache), then the caches set-up built.
    luaotfload tries only the first copy it finds, and the shared caches hold stale copies
    of earlier cuts under the same names, so they come last."""
    caches = [str(path) for path in (job and job / JOB_CACHE, warm) if path] + host_font_caches()
    return {"TEXMFCACHE": ":".join(caches), "TEXMFVAR": tex_var("TEXMFVAR")}


def host_font_caches() -> list[str]:
    return [part for part in tex_var("TEXMFCACHE").split(":") if part]


def seed_font_cache(job: Path) -> None:
    """luaotfload looks for its font-name database only in the cache it can write, which in
    the jail is the job's own: a copy of the one set-up built (~100 KB) spares every job a
    rebuild. A copy, not a link: the job may write to its cache."""
    target = job / JOB_CACHE / FONT_NAMES
    if target.is_dir():
        return
    for cache in host_font_caches():
        names = Path(cache) / FONT_NAMES
        if (names / "luaotfload-names.luc.gz").is_file() or (names / "luaotfload-names.lua.gz").is_file():
            target.mkdir(parents=True)
            for database in names.glob("luaotfload-names.lu[ac].gz"):
                shutil.copyfile(database, target / database.name)
            return


def tex_var(name: str) -> str:
    """A kpathsea variable as the user's own TeX sees it (outside the jail, their HOME)."""
    try:
        return kpathsea_value(name)
    except (OSError, subprocess.SubprocessError):
        return ""                   # no TeX here (not remembered: it may be installed later)


@lru_cache(maxsize=None)
def kpathsea_value(name: str) -> str:
    return subprocess.run(["kpsewhich", f"-var-value={name}"], capture_output=True, text=True,
                          timeout=60, check=True).stdout.strip()


# The TeX Live trees LuaLaTeX reads (those outside /usr, which every jail shows) and the fonts.
TEX_TREES = ("TEXMFROOT", "TEXMFDIST", "TEXMFLOCAL", "TEXMFSYSCONFIG", "TEXMFSYSVAR",
             "TEXMFCONFIG", "TEXMFVAR", "TEXMFHOME")
FONT_FOLDERS = ("/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts", "~/.cache/fontconfig")


def tex_reads() -> list[Path]:
    """What the jail shows LuaLaTeX read-only besides the system: the TeX trees, the font
    caches and databases, the user's fonts."""
    named = [part for name in TEX_TREES for part in tex_var(name).split(":") if part]
    named += host_font_caches() + [os.path.expanduser(f) for f in FONT_FOLDERS]
    return [Path(part) for part in named if part and not part.startswith("!")]


COMPILED_FONTS = "luatex-cache/generic/fonts/otl"
FONT_SUFFIXES = (".otf", ".ttf")


WARM_DOCUMENT = r"""\documentclass{article}
\begin{document}
%s
\end{document}
"""


def warm_font_cache(fonts: Path, run: Callable[..., object]) -> Path | None:
    """The cut fonts of `fonts` compiled by luaotfload once for every job that uses them
    (the cache a job writes is its own, so each unit would compile them again): one LuaLaTeX
    run on a document of ours that only loads them, into a cache beside the fonts that the
    jobs then read (`run(folder, job, reads=...)` runs LuaLaTeX in the sandbox). None when
    there are no fonts."""
    if not fonts.is_dir():
        return None
    fonts = fonts.resolve()
    warm = fonts.parent / "font-cache"
    warm.mkdir(exist_ok=True)
    with open(warm / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)         # the unit jobs run in parallel; one warms
        missing = uncompiled(fonts, warm / JOB_CACHE / COMPILED_FONTS)
        if missing:      # loaded as the jobs load them: [fonts/NAME], paranoid TeX reads no absolute path
            if not (warm / "fonts").is_symlink():
                os.symlink(fonts, warm / "fonts")
            loads = "\n".join(rf"\font\zbwarm={{[fonts/{font.name}]:mode=node;}}" for font in missing)
            (warm / "warm.tex").write_text(WARM_DOCUMENT % loads, encoding="utf-8")
            try:
                run(warm, "warm", reads=(fonts,))
            except sandbox.LimitHit:
                pass                              # the jobs compile the fonts themselves then
    return warm / JOB_CACHE


def uncompiled(fonts: Path, compiled: Path) -> list[Path]:
    """The fonts with no compiled form yet; the compiled forms of fonts gone are removed."""
    wanted = {font.stem.lower(): font for font in sorted(fonts.iterdir()) if font.suffix.lower() in FONT_SUFFIXES}
    if compiled.is_dir():
        for entry in compiled.iterdir():
            if entry.stem not in wanted:
                entry.unlink(missing_ok=True)
    return [font for stem, font in wanted.items() if not (compiled / f"{stem}.luc").is_file()]
