"""LuaLaTeX jobs: what one job compiles, the runner that compiles it in its own folder under
the cache (one at a time per worker, `--jobs`), and what its log says of each page."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ...cache import sha256
from ...fonts import font_files
from .. import latex

VERSION = "2"                       # bump when the cache entries' meaning changes (keys hash the LaTeX itself)
JOB = "book"                        # every job is named as the monolithic one (\jobname is printed by some packages)
UNIT_TEMPLATE = "latex/unit.tex.j2"
STYLE = "latex/zennbook.sty"
MAIN_NUMBERING = "arabic"           # \mainmatter's page numbers; the page label style below must agree
MAIN_PAGE_LABEL = {"/S": "/D"}
COUNTERS = ("footnote", "mpfootnote", "equation", "figure", "table")   # the numbers a reader sees
# A cold build's chapters are batched into jobs of about this much LaTeX (4 or 5 chapters of
# the model course). LuaTeX's memory grows with a job's pages (measured: one chapter 0.75 GB,
# 15 chapters 2.1 GB) and two jobs run at once, so batches stay small; each costs a start.
JOB_TEX_BYTES = 400_000
STAMPS_PER_JOB = 1500
LONGTABLE_RERUN = re.compile(r"Package longtable Warning: (?:Table|Column) widths have changed")
MAX_ROUNDS = 6


# -- jobs ------------------------------------------------------------------------------------------

@dataclass
class Page:
    """One shipped page, as book.zbpages describes it. `deps` and `hashes` hold, for the odd
    head, odd foot, even head and even foot (in that order), what it reads ("p": the page
    number, "m": the marks) and a hash of its definition."""
    counter: int
    style: str
    own_marks: bool
    deps: list[str]
    hashes: list[str]
    first: str                      # the page's first and last marks (TeX token text)
    last: str
    layer: str

    def dump(self) -> list:
        return [self.counter, self.style, self.own_marks, self.deps, self.hashes,
                self.first, self.last, self.layer]

    @staticmethod
    def slot(number: int, layer: str) -> int:
        return (0 if number % 2 else 2) + (0 if layer == "h" else 1)


@dataclass
class JobLog:
    pages: list[Page]                               # in PDF order
    unit_pages: dict[int, list[int]]                # unit index -> positions in `pages`
    unit_counters: dict[int, dict[str, int]]
    unit_start: dict[int, int] = field(default_factory=dict)     # the page counter it started at
    unit_parity: set[int] = field(default_factory=set)            # units whose pages depend on it
    geometry: tuple[str, str, str, str] = ("", "", "", "")
    resets: dict[str, list[str]] = field(default_factory=dict)


def hex_text(field_text: str) -> str:
    return bytes.fromhex(field_text[1:]).decode("utf-8")


def read_job_log(path: Path) -> JobLog:
    log = JobLog([], {}, {})
    unit = None
    for line in path.read_text(encoding="utf-8").splitlines():
        words = line.split()
        if not words:
            continue
        if words[0] == "page" and len(words) == 15:
            counter, style, own = words[1:4]
            log.pages.append(Page(int(counter), style, int(own) > 0, words[4:8], words[8:12],
                                  hex_text(words[12]), hex_text(words[13]), words[14]))
            if unit is not None:
                log.unit_pages[unit].append(len(log.pages) - 1)
        elif words[0] == "unit" and words[2] == "begin":
            unit = int(words[1])
            log.unit_pages[unit] = []
            log.unit_start[unit] = int(words[3])
        elif words[0] == "parity":
            if unit is not None:
                log.unit_parity.add(unit)
        elif words[0] == "unit" and words[2] == "end":
            log.unit_counters[int(words[1])] = {k: int(v) for k, v in (w.split("=") for w in words[3:])}
            unit = None
        elif words[0] == "geometry":
            log.geometry = tuple(words[1:5])
        elif words[0] == "resets":
            log.resets[words[1]] = [w for w in (words[2] if len(words) > 2 else "").split(",") if w]
        else:
            raise ValueError(f"{path}: unexpected line {line!r}")
    return log


@dataclass
class Job:
    """One LuaLaTeX run: its folder, its document and the files beside it."""
    key: str
    kind: str                       # units | front | stamps
    tex: str
    files: dict[str, str] = field(default_factory=dict)     # relative name -> text
    label: str = ""

    def folder(self, root: Path) -> Path:
        return root / "jobs" / self.key


class Runner:
    """Runs jobs in their own folders; a folder that exists holds a finished job."""

    def __init__(self, root: Path, shared: Path, style: bytes):
        self.root = root
        self.shared = shared
        self.style = style
        self.timings: list[tuple[str, str, float, str]] = []     # kind, what, seconds, folder

    def run(self, job: Job) -> Path:
        final = job.folder(self.root)
        if (final / f"{JOB}.pdf").exists() and (final / f"{JOB}.zbpages").exists():
            return final
        final.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f"{job.key[:12]}.", dir=final.parent))
        started = time.perf_counter()
        try:
            self.prepare(work, job)
            self.compile(work)
        except latex.LatexError as exc:      # the folder is kept, under a name the message gives
            failed = final.with_name(final.name + ".failed")
            shutil.rmtree(failed, ignore_errors=True)
            os.replace(work, failed)
            raise latex.LatexError(f"{str(exc).replace(str(work), str(failed))}\n    (unit build: {job.label})",
                                   exc.code) from None
        self.timings.append((job.kind, job.label, time.perf_counter() - started, final.name))
        for junk in ("aux", "out"):
            (work / f"{JOB}.{junk}").unlink(missing_ok=True)
        try:
            os.replace(work, final)
        except OSError:                      # another build finished the same job first
            shutil.rmtree(work, ignore_errors=True)
        return final

    def prepare(self, work: Path, job: Job) -> None:
        (work / f"{JOB}.tex").write_text(job.tex, encoding="utf-8")
        (work / "zennbook.sty").write_bytes(self.style)
        for name, text in job.files.items():
            target = work / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        for name in ("assets", "qr", "fonts"):
            (self.shared / name).mkdir(parents=True, exist_ok=True)
            os.symlink(self.shared / name, work / name)
        for name in ("zbfonts.tex", "zennbook.lua"):     # the book's fonts and their Lua (writers/fonts.py)
            if (self.shared / name).exists():
                shutil.copyfile(self.shared / name, work / name)

    def compile(self, work: Path) -> None:
        log = work / f"{JOB}.log"
        shared = (self.shared,)          # the folder's links to the assets, QR codes and fonts lead there
        latex.compile_once(work, JOB, log, reads=shared)
        text = log.read_text(encoding="utf-8", errors="replace")
        if LONGTABLE_RERUN.search(text) or refers_to_its_own_labels(text, work / f"{JOB}.aux"):
            # longtable settles its column widths in a second pass; a link to a heading of the
            # same chapter (\hyperref[label]) is made only once the .aux has the label
            latex.compile_once(work, JOB, log, reads=shared)


UNDEFINED_REFERENCE = re.compile(r"(?:Hyper r|R)eference `([^']+)' on page \d+ undefined")
NEW_LABEL = re.compile(r"^\\newlabel\{([^}]+)\}", re.M)


def refers_to_its_own_labels(log_text: str, aux: Path) -> bool:
    """Did the job leave a reference undefined that its own .aux now defines?"""
    wanted = set(UNDEFINED_REFERENCE.findall(log_text))
    if not wanted or not aux.exists():
        return False
    return bool(wanted & set(NEW_LABEL.findall(aux.read_text(encoding="utf-8", errors="replace"))))


@lru_cache(maxsize=1)
def tools_fingerprint() -> str:
    """LuaLaTeX's version and the fonts it can load: a new TeX Live or font package changes output."""
    parts = []
    try:
        parts.append(subprocess.run(["lualatex", "--version"], capture_output=True, text=True,
                                    timeout=60).stdout.split("\n")[0])
    except (OSError, subprocess.SubprocessError):
        parts.append("lualatex missing")
    for name in font_files():
        try:
            stat = os.stat(name)
            parts.append(f"{name}:{stat.st_size}:{int(stat.st_mtime)}")
        except OSError:
            pass
    return sha256(*parts)
