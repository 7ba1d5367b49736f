"""The print PDF built in units: a one-article edit recompiles one chapter, not the book.

    book.tex.j2 -> book.tex -> preamble | front matter | one segment per chapter (its part page too)
    each chapter ("unit")   -> LuaLaTeX, one pass, heads and feet left blank  -> cached by its LaTeX
    front matter + TOC      -> LuaLaTeX (the TOC merged from the units' own) -> cached by its LaTeX
    heads and feet          -> LuaLaTeX, one "stamp" page per distinct head / foot -> cached per stamp
    pikepdf: front pages, then every unit page with its head stamp under it and its foot stamp
             (page number, license line) over it; outline, links, page labels, metadata;
             saved with a content-derived /ID and no clock

Why this is the same book as `latex.write_pdf` (one document, two or three passes):

- a chapter starts on a new page (jlreq: `pagebreak=clearpage`), floats and footnotes are
  flushed before it and every counter a reader sees is reset by \\chapter, so a chapter's
  pages depend only on its own LaTeX, the preamble, its chapter and part numbers (which the
  unit is given) and, for a part's first chapter, the parity it starts at: jlreq sets a
  part's title page on an odd page and adds an empty page before it when needed. A unit
  says when its pages depended on the parity (or when odd and even pages have different
  margins); it is then compiled again at the parity it lands on, which becomes part of its
  key. The counters that number things (footnote, equation, figure, table) are checked
  after every build too: one that \\chapter does not reset is carried from the unit before.
- the page-dependent layer is not set by the unit: page numbers and running heads are set
  by the book's own page styles in separate jobs ("stamps"), with the page number the page
  has in the book and the marks it had in the unit (the last mark of the page before when
  a page has none of its own, as TeX does). Each unit records, for every page, its page
  style, hashes of the odd and even heads and feet it would have printed and whether they
  read the page number or the marks; a stamp is keyed by exactly what it reads (so after a
  page-count change most stamps are reused), and a stamp job checks that it set the same
  head and foot definitions the unit had.
- the table of contents is the monolithic one: the units' .toc lines, page numbers shifted
  to where each unit lands, read by the front matter's own \\tableofcontents.

A cold build batches consecutive chapters into one job per core (one font loading for many
chapters); an edit compiles the changed chapter alone. A chapter is set the same either way:
it starts from the same counters and on a fresh page, and its marks and parity are handled
as above. The output's bytes depend only on the cached pages, so two builds from a clean
cache are identical; an incremental build gives the same pages but not always the same bytes
as a cold one (a unit cached before the book's characters changed keeps its older font cut).

Fonts: every job loads the same fonts, cut once for the whole book's characters
(writers/fonts.py), and embeds them whole rather than cutting a subset of its own; the
assembly then keeps one copy of each font program (`share_font_programs`).

LaTeX runs as in latex.py: no shell escape, paranoid file access, SOURCE_DATE_EPOCH. Each job
runs in its own folder under the cache (`<cache>/pdfunits/jobs/<key>`), which keeps its log.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import tempfile
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..cache import Cache, sha256
from ..diagnostics import Diagnostic, Diagnostics
from ..pandoc import doc_to_json
from ..safety.pdf import remove_unsafe_actions
from . import latex
from . import fonts
from .fonts import document_characters, install_fonts
from .templating import latex_environment, template_path

VERSION = "1"                       # bump when the cache entries' meaning changes (keys hash the LaTeX itself)
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


# -- the book's LaTeX, cut into units -------------------------------------------------------------

@dataclass
class Segment:
    """One chapter's lines of book.tex, with the \\part line before it, if any."""
    index: int                      # 1-based position of the chapter in the book
    slug: str
    text: str
    parts_before: int               # \part commands in the segments before this one
    has_part: bool


@dataclass
class BookTex:
    preamble: str
    front: str
    segments: list[Segment]


def book_tex(book, articles, context) -> str:
    """book.tex as `latex.render_book_tex` renders it, without rendering every chapter.

    tests/writers/pdfunits/test_pdfunits_fast.py checks that both give the same text.
    """
    by_slug = {a.slug: a for a in articles}
    parts = [{"title": part.title,
              "chapters": [latex.chapter_entry(book, by_slug[s]) for s in part.chapters if s in by_slug]}
             for part in book.parts]
    return latex.book_document(book, articles, parts, context)


ARTICLE_LINE = re.compile(r"^%zb:article=(\S+)\s*$")


def split_book_tex(text: str) -> BookTex:
    """Preamble, front matter (up to \\mainmatter) and one segment per `%zb:article=` line;
    a \\part line belongs to the chapter after it."""
    preamble, found, rest = text.partition("\\begin{document}")
    body, ended, _ = rest.rpartition("\\end{document}")
    lines = body.split("\n")
    main = next((i for i, line in enumerate(lines) if line.strip() == "\\mainmatter"), None)
    if not found or not ended or main is None:
        raise ValueError("book.tex.j2 no longer has \\begin{document}, \\mainmatter and \\end{document}")
    found_segments: list[tuple[str, list[str], int, bool]] = []
    pending: list[str] = []
    current: list[str] | None = None
    parts = 0
    for line in lines[main + 1:]:
        article = ARTICLE_LINE.match(line)
        if article:
            has_part = any(p.startswith("\\part") for p in pending)
            current = [*pending, line]
            found_segments.append((article.group(1), current, parts, has_part))
            parts += has_part
            pending = []
        elif line.startswith("\\part") or current is None:
            pending.append(line)
            current = None
        else:
            current.append(line)
    if any(p.strip() for p in pending):
        raise ValueError(f"book.tex has lines after its last chapter: {pending!r}")
    segments = [Segment(i, slug, lines_text(text), before, has_part)
                for i, (slug, text, before, has_part) in enumerate(found_segments, start=1)]
    return BookTex(preamble.rstrip("\n") + "\n", lines_text(lines[:main]), segments)


def lines_text(lines: list[str]) -> str:
    return "\n".join(lines).strip("\n") + "\n"


# -- each article's LaTeX, cached ------------------------------------------------------------------

@dataclass
class RecordingAssets(latex.LatexAssets):
    """LatexAssets that also remembers the QR codes it made, so a cached chapter can remake them."""
    urls: list[str] = field(default_factory=list)

    def qr(self, url: str) -> str:
        self.urls.append(url)
        return super().qr(url)


def article_tex(article, book, store: Cache, shared: Path) -> dict:
    """{tex, assets, qr, diagnostics} of one article; recomputed when an image it shows changed."""
    key = sha256("tex", VERSION, article.cache_key or doc_to_json(article.doc), book.pdf.paper)
    entry = store.get("tex", key)
    if entry is not None and assets_ready(entry, shared):
        return entry
    collected = Diagnostics()
    assets = RecordingAssets(shared)
    tex = latex.article_latex(article, assets, collected, latex.TEXT_WIDTH_PT[book.pdf.paper])
    entry = {"tex": tex, "assets": dict(assets.copied), "qr": sorted(set(assets.urls)),
             "diagnostics": [d.to_json() for d in collected.items]}
    store.put("tex", key, entry)
    return entry


def assets_ready(entry: dict, shared: Path) -> bool:
    """The files a cached chapter names are there, and its images are the ones it was made from."""
    assets = RecordingAssets(shared)
    for source, name in entry["assets"].items():
        path = Path(source)
        if not path.exists():
            return False
        if hashlib.sha256(path.read_bytes()).hexdigest()[:16] != Path(name).stem:
            return False
        if not (shared / name).exists():
            assets.add(path)
    for url in entry["qr"]:
        assets.qr(url)
    return True


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
        if LONGTABLE_RERUN.search(log.read_text(encoding="utf-8", errors="replace")):
            latex.compile_once(work, JOB, log, reads=shared)     # longtable settles its column widths in a second pass


@lru_cache(maxsize=1)
def tools_fingerprint() -> str:
    """LuaLaTeX's version and the fonts it can load: a new TeX Live or font package changes output."""
    parts = []
    try:
        parts.append(subprocess.run(["lualatex", "--version"], capture_output=True, text=True,
                                    timeout=60).stdout.split("\n")[0])
    except (OSError, subprocess.SubprocessError):
        parts.append("lualatex missing")
    try:
        listing = subprocess.run(["fc-list", "--format", "%{file}\n"], capture_output=True, text=True,
                                 timeout=60).stdout.split("\n")
    except (OSError, subprocess.SubprocessError):
        listing = []
    for name in sorted(f for f in listing if f):
        try:
            stat = os.stat(name)
            parts.append(f"{name}:{stat.st_size}:{int(stat.st_mtime)}")
        except OSError:
            pass
    return sha256(*parts)


# -- units ----------------------------------------------------------------------------------------

@dataclass
class Unit:
    """A chapter to compile: what it is made of and where it starts."""
    segment: Segment
    tex: str                        # the article's LaTeX (chapters/<slug>.tex)
    parity: str = "any"             # odd | even | any
    counters: dict[str, int] = field(default_factory=dict)
    key: str = ""

    def counters_tex(self) -> str:
        return "".join(f"\\setcounter{{{k}}}{{{v}}}" for k, v in sorted(self.counters.items()))

    def template_values(self) -> dict:
        s = self.segment
        return {"index": s.index, "parts_before": s.parts_before, "chapters_before": s.index - 1,
                "parity": self.parity[0], "counters_tex": self.counters_tex(), "text": s.text}


@dataclass
class Plan:
    """What every job of a build shares."""
    book_tex: BookTex
    base: str                       # hash of zennbook.sty, the tools and VERSION
    articles: dict[str, object]
    article_tex: dict[str, dict]


def unit_key(plan: Plan, unit: Unit) -> str:
    """A hash of what LaTeX reads for this unit alone: its job's document (preamble, the
    instruments, the chapter's lines and starting state) and the chapter's LaTeX."""
    return sha256("unit", plan.base, render_job("units", plan.book_tex.preamble, units=[unit.template_values()]),
                  unit.tex)


def render_job(kind: str, preamble: str, **values) -> str:
    return latex_environment().get_template(UNIT_TEMPLATE).render(
        kind=kind, preamble=preamble, counters=",".join(COUNTERS), **values)


def units_job(plan: Plan, units: list[Unit]) -> Job:
    tex = render_job("units", plan.book_tex.preamble, units=[u.template_values() for u in units])
    files = {f"chapters/{u.segment.slug}.tex": u.tex for u in units}
    key = sha256("units-job", plan.base, tex, *[f"{n}\0{t}" for n, t in sorted(files.items())])
    label = ", ".join(u.segment.slug for u in units)
    return Job(key, "units", tex, files, label)


def group_units(units: list[Unit], batch: bool, workers: int = 2) -> list[list[Unit]]:
    """Jobs for the units to compile. Batched: consecutive chapters share a job (one font
    loading for many), in as many jobs of about equal LaTeX size as keep every core busy
    with at most about JOB_TEX_BYTES each. Not batched: one job per unit."""
    if not batch:
        return [[u] for u in units]
    total = sum(len(u.tex) for u in units)
    target = total / (workers * max(1, math.ceil(total / (workers * JOB_TEX_BYTES))))
    groups: list[list[Unit]] = []
    size = 0
    for unit in units:
        consecutive = groups and groups[-1][-1].segment.index == unit.segment.index - 1
        if consecutive and size < target:
            groups[-1].append(unit)
            size += len(unit.tex)
        else:
            groups.append([unit])
            size = len(unit.tex)
    return balanced(groups, workers)


def balanced(groups: list[list[Unit]], workers: int) -> list[list[Unit]]:
    """Split the largest groups until there is work for every worker."""
    groups = [list(g) for g in groups]
    while len(groups) < workers:
        largest = max(groups, key=lambda g: sum(len(u.tex) for u in g))
        if len(largest) < 2:
            break
        total, half, cut = sum(len(u.tex) for u in largest), 0, 1
        for cut, unit in enumerate(largest[:-1], start=1):
            half += len(unit.tex)
            if half >= total / 2:
                break
        position = groups.index(largest)
        groups[position:position + 1] = [largest[:cut], largest[cut:]]
    return groups


def unit_entry(plan: Plan, folder: Path, log: JobLog, unit: Unit, toc: list[str],
               diagnostics: list, report: dict) -> dict:
    positions = log.unit_pages.get(unit.segment.index)
    if not positions:
        raise latex.LatexError(f"lualatex: chapter {unit.segment.slug} produced no page; log: {folder / (JOB + '.log')}")
    pages = [log.pages[i] for i in positions]
    index = unit.segment.index
    return {"job": folder.name, "positions": positions, "pages": [p.dump() for p in pages],
            "counters": log.unit_counters.get(index, {}), "resets": log.resets,
            "geometry": list(log.geometry), "toc": toc, "diagnostics": diagnostics, "report": report,
            "has_part": unit.segment.has_part, "parity_dependent": index in log.unit_parity,
            "start_parity": "odd" if log.unit_start[index] % 2 else "even"}


def compile_units(plan: Plan, runner: Runner, store: Cache, groups: list[list[Unit]],
                  workers: int) -> None:
    """Compile the groups in parallel and store one entry per unit."""
    jobs = [units_job(plan, group) for group in groups]

    def work(pair):
        job, group = pair
        folder = runner.run(job)
        log = read_job_log(folder / f"{JOB}.zbpages")
        tocs = split_toc(folder / f"{JOB}.toc", log, group)
        found = Diagnostics()
        articles = [plan.articles[u.segment.slug] for u in group]
        report = latex.scan_log(folder / f"{JOB}.log", articles, found)
        shares = share_diagnostics(group, articles, found.items, report)
        for unit in group:
            diagnostics, part = shares[unit.segment.index]
            store.put("unit", unit.key, unit_entry(plan, folder, log, unit, tocs[unit.segment.index],
                                                   diagnostics, part))

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        list(pool.map(work, zip(jobs, groups)))


def share_diagnostics(group: list[Unit], articles, items: list[Diagnostic], report: dict) -> dict:
    """A job's log findings, each to the unit of the article it names (else the job's first unit)."""
    by_label = {a.label: u.segment.index for a, u in zip(articles, group)}
    first = group[0].segment.index
    shares = {u.segment.index: ([], {k: [] for k, v in report.items() if isinstance(v, list)}) for u in group}
    for item in items:
        shares[by_label.get(item.path, first)][0].append(item.to_json())
    for kind, entries in report.items():
        if isinstance(entries, list):
            for entry in entries:
                shares[by_label.get(entry.get("path"), first)][1][kind].append(entry)
    return shares


CONTENTSLINE = re.compile(r"^\\contentsline\s*")


def toc_fields(line: str) -> list[str] | None:
    """The four brace groups of a `\\contentsline {level}{title}{page}{anchor}%` line."""
    if not CONTENTSLINE.match(line):
        return None
    position = CONTENTSLINE.match(line).end()
    fields = []
    while len(fields) < 4:
        while position < len(line) and line[position] == " ":
            position += 1
        if position >= len(line) or line[position] != "{":
            return None
        depth, start = 0, position
        while position < len(line):
            char = line[position]
            if char == "\\":
                position += 2
                continue
            depth += {"{": 1, "}": -1}.get(char, 0)
            position += 1
            if depth == 0:
                break
        fields.append(line[start + 1:position - 1])
    return fields


def split_toc(path: Path, log: JobLog, group: list[Unit]) -> dict[int, list[str]]:
    """The job's .toc lines, each to the unit whose pages hold its page number; other lines
    (\\addvspace, ...) go with the entry that follows them. Page numbers become unit-local."""
    first_counter = {}
    owner = {}
    for unit in group:
        positions = log.unit_pages.get(unit.segment.index, [])
        if positions:
            first_counter[unit.segment.index] = log.pages[positions[0]].counter
        for position in positions:
            owner[str(log.pages[position].counter)] = unit.segment.index
    result = {u.segment.index: [] for u in group}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    pending: list[str] = []
    last = group[0].segment.index
    for line in lines:
        fields = toc_fields(line)
        if fields is None:
            pending.append(line)
            continue
        index = owner.get(fields[2])
        if index is None:
            raise ValueError(f"{path}: a TOC entry on page {fields[2]!r}, which no chapter of the job has")
        local = int(fields[2]) - first_counter[index] + 1
        result[index] += pending + [toc_line(fields, str(local), fields[3])]
        pending, last = [], index
    result[last] += pending
    return result


def toc_line(fields: list[str], page: str, anchor: str) -> str:
    return f"\\contentsline {{{fields[0]}}}{{{fields[1]}}}{{{page}}}{{{anchor}}}%"


# -- counters and parity: what a unit inherits from the units before it ----------------------------

def reset_closure(resets: dict[str, list[str]], root: str) -> set[str]:
    found, todo = set(), [root]
    while todo:
        for child in resets.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def carried_counters(previous: dict | None, unit: Unit) -> dict[str, int]:
    """Counters a unit starts with in the monolithic book that it would not set itself:
    those of COUNTERS that neither \\chapter nor (for a part's first chapter) \\part resets."""
    if previous is None:
        return {}
    resets = previous["resets"]
    cleared = reset_closure(resets, "chapter")
    if unit.segment.has_part:
        cleared |= reset_closure(resets, "part")
    return {k: v for k, v in previous["counters"].items() if k not in cleared and v}


def parity_sensitive(geometry: list[str]) -> bool:
    odd_margin, even_margin, odd_bleed, even_bleed = geometry
    return odd_margin != even_margin or odd_bleed != even_bleed


# -- the front matter ------------------------------------------------------------------------------

def anchor_prefix(index: int) -> str:
    """Destination names in the front matter's table of contents: the unit's position, then
    its job's own name (the same in every build of the unit, so an edit that moves no page
    leaves the table of contents as it was)."""
    return f"zbu{index}."


def merged_toc(entries: list[dict], starts: list[int]) -> str:
    """The units' TOC lines with book page numbers and anchors named after their unit."""
    lines = []
    for index, (entry, start) in enumerate(zip(entries, starts), start=1):
        prefix = anchor_prefix(index)
        for line in entry["toc"]:
            fields = toc_fields(line)
            if fields is None:
                lines.append(line)
            else:
                lines.append(toc_line(fields, str(start + int(fields[2]) - 1), prefix + fields[3]))
    return "\n".join(lines) + "\n"


def front_job(plan: Plan, toc: str) -> Job:
    tex = render_job("front", plan.book_tex.preamble, front=plan.book_tex.front)
    key = sha256("front-job", plan.base, tex, toc)
    return Job(key, "front", tex, {f"{JOB}.toc": toc}, "front matter")


# -- stamps: heads and feet ------------------------------------------------------------------------

@dataclass
class Stamp:
    layer: str                      # h | f
    style: str
    number: int
    numbering: str
    first: str
    last: str
    expect: str                     # the head or foot definition's hash, from the unit
    key: str = ""


def stamps_for(base: str, page: Page, number: int, first: str, last: str) -> tuple[Stamp, Stamp]:
    """The head and the foot a page gets at book page `number`, keyed by what they read."""
    made = []
    for layer in ("h", "f"):
        slot = Page.slot(number, layer)
        deps, expect = page.deps[slot], page.hashes[slot]
        stamp = Stamp(layer, page.style, number, MAIN_NUMBERING, first, last, expect)
        stamp.key = sha256("stamp", base, layer, page.style, expect, str(number % 2),
                           f"{MAIN_NUMBERING}:{number}" if "p" in deps else "",
                           f"{first}\0{last}" if "m" in deps else "")
        made.append(stamp)
    return made[0], made[1]


def stamp_jobs(plan: Plan, stamps: list[Stamp]) -> list[tuple[Job, list[Stamp]]]:
    jobs = []
    for start in range(0, len(stamps), STAMPS_PER_JOB):
        chunk = stamps[start:start + STAMPS_PER_JOB]
        tex = render_job("stamps", plan.book_tex.preamble, stamps=[vars(s) for s in chunk])
        jobs.append((Job(sha256("stamps-job", plan.base, tex), "stamps", tex, {}, f"{len(chunk)} stamps"), chunk))
    return jobs


def store_stamps(folder: Path, chunk: list[Stamp], store: Cache) -> None:
    log = read_job_log(folder / f"{JOB}.zbpages")
    if len(log.pages) != len(chunk):
        raise latex.LatexError(f"lualatex: {len(chunk)} stamps asked for, {len(log.pages)} pages made; "
                               f"log: {folder / (JOB + '.log')}")
    for position, (page, stamp) in enumerate(zip(log.pages, chunk)):
        if page.hashes[Page.slot(stamp.number, stamp.layer)] != stamp.expect:
            raise RuntimeError(f"stamp for page {stamp.number} ({stamp.layer}, style {stamp.style}) was set "
                               "with another head/foot than the chapter had: the page style changed inside "
                               f"the book, which the unit build does not reproduce; see {folder}")
        store.put("stamp", stamp.key, {"job": folder.name, "position": position})


# -- the cache: entries point at job folders --------------------------------------------------------

class Store(Cache):
    """The cache of one build, remembering what it read (a stamp is looked up several times)."""

    def __init__(self, root: Path):
        super().__init__(root)
        self.seen: dict[tuple[str, str], object] = {}

    def get(self, kind: str, key: str):
        if (kind, key) not in self.seen:
            self.seen[(kind, key)] = super().get(kind, key)
        return self.seen[(kind, key)]

    def put(self, kind: str, key: str, value) -> None:
        super().put(kind, key, value)
        self.seen[(kind, key)] = value


def lookup(store: Cache, kind: str, key: str) -> dict | None:
    """A cached entry whose job's PDF is still there (a collected job makes it a miss)."""
    entry = store.get(kind, key)
    if entry is None or not (store.root / "jobs" / entry["job"] / f"{JOB}.pdf").exists():
        return None
    return entry


def collect_garbage(root: Path, name: str, used: set[str], keep_seconds: float = 3600) -> int:
    """Record the jobs this output is made of; remove job folders no output is made of that
    are older than `keep_seconds` (a build running next to this one may have just made them)."""
    books = root / "books"
    books.mkdir(parents=True, exist_ok=True)
    record = books / f"{name}.json"
    fd, temporary = tempfile.mkstemp(dir=books, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(sorted(used), handle)
    os.replace(temporary, record)
    referenced: set[str] = set()
    for manifest in books.glob("*.json"):
        try:
            referenced.update(json.loads(manifest.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return 0                              # unreadable: collect nothing this time
    removed = 0
    now = time.time()
    for folder in (root / "jobs").iterdir() if (root / "jobs").exists() else ():
        if folder.name not in referenced and now - folder.stat().st_mtime > keep_seconds:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


# -- the build --------------------------------------------------------------------------------------

@dataclass
class UnitBuild:
    """What a build did, for the benchmark and the report."""
    units: int = 0
    units_compiled: int = 0
    jobs: list[tuple[str, str, float, str]] = field(default_factory=list)   # kind, what, seconds, folder
    stamps: int = 0
    stamps_compiled: int = 0
    front_compiled: bool = False
    pages: int = 0
    front_pages: int = 0
    unit_pages: dict[str, int] = field(default_factory=dict)     # slug -> pages of its unit
    rounds: int = 0
    collected: int = 0              # job folders removed: no output is made of them any more
    seconds: dict[str, float] = field(default_factory=dict)


def workers_for(context) -> int:
    return max(1, int(getattr(context, "jobs", 0) or min(2, os.cpu_count() or 1)))


def write_pdf_units(book, articles, out_path: Path, context) -> None:
    """The PDF writer: same signature as `latex.write_pdf`, same book, incremental."""
    build_pdf_units(book, articles, out_path, context)


def build_pdf_units(book, articles, out_path: Path, context, batch: bool = True) -> UnitBuild:
    stats = UnitBuild()
    clock = time.perf_counter()
    root = (context.cache.root / "pdfunits").resolve()
    store = Store(root)
    shared = root / "shared"
    workers = workers_for(context)
    plan = make_plan(book, articles, context, store, shared, workers)
    install_fonts(shared, context.cache.root, plan_characters(plan), embed_whole=True)
    runner = Runner(root, shared, template_path(STYLE).read_bytes())
    stats.seconds["latex-source"] = time.perf_counter() - clock

    clock = time.perf_counter()
    entries = settle_units(plan, runner, store, stats, workers, batch)
    stats.seconds["units"] = time.perf_counter() - clock

    clock = time.perf_counter()
    counts = [len(e["pages"]) for e in entries]
    stats.unit_pages = {s.slug: n for s, n in zip(plan.book_tex.segments, counts)}
    starts = [1 + sum(counts[:i]) for i in range(len(counts))]
    front, stamps = front_and_stamps(plan, runner, store, entries, starts, stats, workers)
    stats.seconds["front+stamps"] = time.perf_counter() - clock

    clock = time.perf_counter()
    assemble(out_path, root, front, entries, stamps, book, store, context.epoch)
    stats.seconds["assemble"] = time.perf_counter() - clock
    stats.jobs = runner.timings
    stats.pages = stats.front_pages + sum(counts)
    used = {front["job"], *(e["job"] for e in entries),
            *(lookup(store, "stamp", key)["job"] for pair in stamps for key in pair)}
    stats.collected = collect_garbage(root, f"{book.slug}-{sha256(str(out_path.resolve().parent))[:12]}", used)
    report_findings(plan, entries, front, context)
    context.timings.update({f"pdf.{k}": v for k, v in stats.seconds.items()})
    return stats


def make_plan(book, articles, context, store: Cache, shared: Path, workers: int) -> Plan:
    text = book_tex(book, articles, context)
    tex = split_book_tex(text)
    by_slug = {a.slug: a for a in articles}
    missing = [s.slug for s in tex.segments if s.slug not in by_slug]
    if missing:
        raise ValueError(f"book.tex names chapters that are not among the articles: {missing}")
    with ThreadPoolExecutor(max_workers=workers) as pool:
        sources = dict(zip([s.slug for s in tex.segments],
                           pool.map(lambda s: article_tex(by_slug[s.slug], book, store, shared), tex.segments)))
    for slug in sources:
        for item in sources[slug]["diagnostics"]:
            context.diagnostics.extend([Diagnostic.from_json(item)])
    base = sha256("base", VERSION, template_path(STYLE).read_bytes(), template_path(fonts.RUNTIME).read_bytes(),
                  tools_fingerprint())
    return Plan(tex, base, by_slug, sources)


def plan_characters(plan: Plan) -> fonts.Usage:
    """Every character any job of the book can set: one font cut serves all of them (a unit
    cached with an older cut is still right: a cut changes no glyph's metrics)."""
    tex = plan.book_tex
    return document_characters([tex.preamble, tex.front, *(s.text for s in tex.segments),
                                *(entry["tex"] for entry in plan.article_tex.values()),
                                template_path(STYLE).read_text(encoding="utf-8"),
                                template_path(UNIT_TEMPLATE).read_text(encoding="utf-8")])


def settle_units(plan: Plan, runner: Runner, store: Cache, stats: UnitBuild, workers: int,
                 batch: bool) -> list[dict]:
    """Compile the units whose entries are missing, again and again until every unit was
    compiled with what it inherits from the units before it: counters that \\chapter does
    not reset, and the parity it starts at when its pages depend on it (a part page)."""
    units = [Unit(s, plan.article_tex[s.slug]["tex"]) for s in plan.book_tex.segments]
    stats.units = len(units)
    guesses = store.get("inherited", plan.base) or {}
    for unit in units:
        guess = guesses.get(unit.segment.slug, {})
        unit.counters = guess.get("counters", {})
        unit.parity = guess.get("parity", "any")
    for rounds in range(1, MAX_ROUNDS + 1):
        stats.rounds = rounds
        for unit in units:
            unit.key = unit_key(plan, unit)
        missing = [u for u in units if lookup(store, "unit", u.key) is None]
        if missing:
            groups = group_units(missing, batch, workers)
            compile_units(plan, runner, store, groups, workers)
            stats.units_compiled += len(missing)
        entries = [lookup(store, "unit", u.key) for u in units]
        if not inherit(units, entries):
            store.put("inherited", plan.base, {u.segment.slug: {"counters": u.counters, "parity": u.parity}
                                               for u in units})
            return entries
    raise RuntimeError(f"pdfunits: the chapters' counters or parities did not settle in {MAX_ROUNDS} rounds")


def inherit(units: list[Unit], entries: list[dict]) -> bool:
    """Set what each unit inherits from the entries before it; True when a unit must be
    compiled again because it was compiled with something else."""
    changed = False
    start = 1
    previous = None
    for unit, entry in zip(units, entries):
        counters = carried_counters(previous, unit)
        if counters != unit.counters:
            unit.counters, changed = counters, True
        needed = "odd" if start % 2 else "even"
        dependent = entry["parity_dependent"] or parity_sensitive(entry["geometry"])
        if dependent and entry["start_parity"] != needed:
            unit.parity, changed = needed, True
        start += len(entry["pages"])
        previous = entry
    return changed


def front_and_stamps(plan: Plan, runner: Runner, store: Cache, entries: list[dict], starts: list[int],
                     stats: UnitBuild, workers: int) -> tuple[dict, list[tuple[str, str]]]:
    """The front matter job and the stamp jobs, in parallel; returns the front's entry and
    each main page's (head stamp key, foot stamp key)."""
    job = front_job(plan, merged_toc(entries, starts))
    front_entry = lookup(store, "front", job.key)
    pairs = main_stamps(plan, entries, starts, front_last_mark(front_entry))
    tasks: list = [("stamps", pair) for pair in stamp_jobs(plan, missing_stamps(pairs, store))]
    if front_entry is None:
        tasks.insert(0, ("front", job))
        stats.front_compiled = True

    def work(task):
        kind, value = task
        if kind == "front":
            folder = runner.run(value)
            log = read_job_log(folder / f"{JOB}.zbpages")
            found = Diagnostics()
            report = latex.scan_log(folder / f"{JOB}.log", [], found)
            store.put("front", value.key, {"job": folder.name, "pages": [p.dump() for p in log.pages],
                                           "diagnostics": [d.to_json() for d in found.items],
                                           "report": report})
        else:
            stamp_job, chunk = value
            store_stamps(runner.run(stamp_job), chunk, store)
        return len(value[1]) if kind == "stamps" else 0

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        stats.stamps_compiled = sum(pool.map(work, tasks))
    front_entry = lookup(store, "front", job.key)
    if any(head is None or foot is None for head, foot in pairs):
        # pages before the first unit's first mark read the front matter's last marks
        pairs = main_stamps(plan, entries, starts, front_last_mark(front_entry))
        late = missing_stamps(pairs, store)
        for stamp_job, chunk in stamp_jobs(plan, late):
            store_stamps(runner.run(stamp_job), chunk, store)
        stats.stamps_compiled += len(late)
    stats.stamps = len({s.key for pair in pairs for s in pair})
    stats.front_pages = len(front_entry["pages"])
    return front_entry, [(head.key, foot.key) for head, foot in pairs]


def front_last_mark(front_entry: dict | None) -> str | None:
    """The last mark of the front matter's last page (what the first main page inherits)."""
    if front_entry is None:
        return None
    last = ""
    for data in front_entry["pages"]:
        page = Page(*data)
        last = page.last if page.own_marks else last
    return last


def missing_stamps(pairs: list, store: Cache) -> list[Stamp]:
    found: dict[str, Stamp] = {}
    for pair in pairs:
        for stamp in pair:
            if stamp is not None and stamp.key not in found and lookup(store, "stamp", stamp.key) is None:
                found[stamp.key] = stamp
    return list(found.values())


def main_stamps(plan: Plan, entries: list[dict], starts: list[int],
                inherited: str | None) -> list[tuple[Stamp | None, Stamp | None]]:
    """Head and foot stamps of every main page. A page without marks of its own has as first
    and last marks the last mark of the page before it (TeX's \\topmark); before the first
    unit's first mark that is the front matter's (None: not known yet). A stamp that needs a
    mark not known yet is None."""
    pairs = []
    last = inherited
    base = sha256("stamps", plan.base, render_job("stamps", plan.book_tex.preamble, stamps=[]))
    for entry, start in zip(entries, starts):
        for offset, data in enumerate(entry["pages"]):
            page = Page(*data)
            first, last = (page.first, page.last) if page.own_marks else (last, last)
            number = start + offset
            head, foot = stamps_for(base, page, number, first or "", last or "")
            if first is None:
                head = None if "m" in page.deps[Page.slot(number, "h")] else head
                foot = None if "m" in page.deps[Page.slot(number, "f")] else foot
            pairs.append((head, foot))
    return pairs


def report_findings(plan: Plan, entries: list[dict], front: dict, context) -> None:
    """Every unit's log findings (kept with the unit, so reported on every build, as the
    monolithic writer does), in book order."""
    for source in [front, *entries]:
        context.diagnostics.extend(Diagnostic.from_json(item) for item in source["diagnostics"])


# -- assembly ----------------------------------------------------------------------------------------

@dataclass
class Node:
    """An outline item of a job's PDF, read once."""
    title: str
    target: object                  # a destination name, or None
    closed: bool
    position: int | None            # the page (index in the job's PDF) it leads to
    children: list["Node"]


class Sources:
    """The jobs' PDFs, opened once each, with their named destinations and outlines."""

    def __init__(self, root: Path):
        self.root = root
        self.pdfs: dict[str, object] = {}
        self.names: dict[str, dict] = {}
        self.index: dict[str, dict] = {}
        self.outlines: dict[str, list[Node]] = {}

    def pdf(self, job: str):
        import pikepdf
        if job not in self.pdfs:
            self.pdfs[job] = pikepdf.open(self.root / "jobs" / job / f"{JOB}.pdf")
        return self.pdfs[job]

    def dests(self, job: str) -> dict:
        """Destination name -> (page index in the job's PDF, the view after the page)."""
        import pikepdf
        if job not in self.names:
            pdf = self.pdf(job)
            index = self.page_index(job)
            found = {}
            names = pdf.Root.get("/Names")
            items = list(pikepdf.NameTree(names.Dests).items()) if names is not None and "/Dests" in names else []
            if "/Dests" in pdf.Root:
                items += [(str(k)[1:], v) for k, v in pdf.Root.Dests.items()]
            for name, value in items:
                array = value.get("/D") if isinstance(value, pikepdf.Dictionary) else value
                if isinstance(array, pikepdf.Array) and len(array) and array[0].objgen in index:
                    found[str(name)] = (index[array[0].objgen], list(array[1:]))
            self.names[job] = found
        return self.names[job]

    def page_index(self, job: str) -> dict:
        if job not in self.index:
            self.index[job] = {page.obj.objgen: i for i, page in enumerate(self.pdf(job).pages)}
        return self.index[job]

    def outline(self, job: str) -> list[Node]:
        if job not in self.outlines:
            with self.pdf(job).open_outline() as outline:
                self.outlines[job] = [self.node(job, item) for item in outline.root]
        return self.outlines[job]

    def node(self, job: str, item) -> Node:
        target = item.destination
        if target is None and item.action is not None and item.action.get("/S") == "/GoTo":
            target = item.action.get("/D")
        name = dest_name(target)
        position = self.dests(job).get(name, (None,))[0] if name else None
        return Node(item.title, name, item.is_closed, position, [self.node(job, c) for c in item.children])


def dest_name(target) -> str | None:
    """The name of a named destination (a string, or a PDF name), else None."""
    import pikepdf
    if isinstance(target, pikepdf.Name):
        return str(target)[1:]
    if isinstance(target, (pikepdf.String, str)):
        return str(target)
    return None


def assemble(out_path: Path, root: Path, front: dict, entries: list[dict],
             stamp_keys: list[tuple[str, str]], book, store: Cache, epoch: int) -> None:
    """Front pages, unit pages with their stamps, then links, outline, labels and metadata."""
    import pikepdf
    sources = Sources(root)
    pdf = pikepdf.new()
    placed: dict[tuple[str, int], int] = {}
    origin: list[str] = []
    for job, positions in [(front["job"], range(len(front["pages"])))] + \
            [(e["job"], e["positions"]) for e in entries]:
        source = sources.pdf(job)
        for offset, position in enumerate(positions):
            placed[(job, position)] = len(pdf.pages) + offset
            origin.append(job)
        with warnings.catch_warnings():     # named destinations are made explicit below
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning if hasattr(pikepdf, "PageCopyWarning")
                                  else UserWarning)
            pdf.pages.extend([source.pages[p] for p in positions])
    front_count = len(front["pages"])
    lay_stamps(pdf, sources, store, stamp_keys, front_count)
    prefixes = {anchor_prefix(i): e["job"] for i, e in enumerate(entries, start=1)}
    link_pages(pdf, sources, placed, origin, prefixes)
    build_outline(pdf, sources, placed, front, entries)
    label_pages(pdf, sources.pdf(front["job"]), front_count)
    copy_metadata(pdf, sources, front, entries, epoch)
    remove_unsafe_actions(pdf)            # the second wall: the LaTeX writer links only what is allowed
    share_font_programs(pdf)
    cut_font_programs(pdf, root / "shared" / "fonts")
    pdf.save(out_path, deterministic_id=True, linearize=False,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    for opened in sources.pdfs.values():
        opened.close()


FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


def share_font_programs(pdf) -> int:
    """Each font program once. Every job embeds the book's cut fonts whole (writers/fonts.py),
    so the units' copies of a face are the same bytes: all their descriptors are pointed at
    one of them, and the others, no longer referred to, are not written. Returns how many
    copies were dropped."""
    import pikepdf
    canonical: dict[bytes, object] = {}
    dropped = 0
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != "/FontDescriptor":
            continue
        for key in FONT_FILES:
            stream = obj.get(key)
            if not isinstance(stream, pikepdf.Stream):
                continue
            digest = hashlib.sha256(repr(sorted((str(k), str(v)) for k, v in stream.stream_dict.items()
                                                if k != "/Length")).encode() + stream.read_raw_bytes()).digest()
            first = canonical.setdefault(digest, stream)
            if first.objgen != stream.objgen:
                obj[key] = first
                dropped += 1
    return dropped


def cut_font_programs(pdf, cuts: Path) -> int:
    """Each shared CFF program cut down to the glyphs the whole book uses. The jobs embed the
    book's cuts whole (its characters, not what each face sets: a bold face is used in a few
    headings). The glyphs every job used are in its fonts' /W arrays, and the program is the
    cut's CFF table as it is, so HarfBuzz cuts that file again, keeping glyph ids and with
    them the CIDs the pages use. A program that is no cut of this build stays whole. Returns
    how many programs were cut."""
    files = cff_tables(cuts)
    cut = 0
    for stream, cids in program_cids(pdf):
        source = files.get(hashlib.sha256(stream.read_bytes()).digest())
        table = cut_program(source, cids) if source is not None and cids is not None else b""
        if table:
            stream.write(table)
            cut += 1
    return cut


def program_cids(pdf) -> list[tuple[object, set[int] | None]]:
    """Each CFF font program of the PDF with the CIDs its fonts use (None: not known)."""
    import pikepdf
    programs, used = {}, {}
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Subtype") != "/CIDFontType0":
            continue
        stream = obj.get("/FontDescriptor", {}).get("/FontFile3")
        if isinstance(stream, pikepdf.Stream):
            programs[stream.objgen] = stream
            cids = used.setdefault(stream.objgen, {0})
            widths = obj.get("/W")
            used[stream.objgen] = None if widths is None or cids is None else cids | width_cids(widths)
    return [(stream, used[key]) for key, stream in programs.items()]


def cut_program(source: Path, cids: set[int]) -> bytes:
    """The CFF table of `source` (a CID-keyed cut) with only the glyphs of `cids`, every
    glyph keeping its id; b"" when `source` is not CID-keyed."""
    import uharfbuzz as hb
    glyph_of = cid_glyphs(source)
    if not glyph_of:
        return b""
    plan = hb.SubsetInput()
    plan.flags = hb.SubsetFlags.RETAIN_GIDS
    plan.sets(hb.SubsetInputSets.LAYOUT_FEATURE_TAG).clear()     # no closure over GSUB
    for cid in cids & glyph_of.keys():
        plan.glyph_set.add(glyph_of[cid])
    font = hb.subset(hb.Face(hb.Blob.from_file_path(str(source))), plan)
    return font.reference_table("CFF ").data if font is not None else b""


def width_cids(widths) -> set[int]:
    """The CIDs a CIDFont's /W array gives widths for ([c [w ...]] and [first last w])."""
    import pikepdf
    items, cids, at = list(widths), set(), 0
    while at + 1 < len(items):
        first = int(items[at])
        if isinstance(items[at + 1], pikepdf.Array):
            cids.update(range(first, first + len(items[at + 1])))
            at += 2
        else:
            cids.update(range(first, int(items[at + 1]) + 1))
            at += 3
    return cids


def cid_glyphs(path: Path) -> dict[int, int]:
    """CID -> glyph id of a CID-keyed OpenType CFF font (its charset); {} for another font."""
    import io

    from fontTools.cffLib import CFFFontSet
    import uharfbuzz as hb
    fonts = CFFFontSet()
    fonts.decompile(io.BytesIO(hb.Face(hb.Blob.from_file_path(str(path))).reference_table("CFF ").data), None)
    top = fonts[fonts.fontNames[0]]
    if "ROS" not in top.rawDict:
        return {}
    charset = top.charset
    return {0 if name == ".notdef" else int(name[3:]): gid for gid, name in enumerate(charset)
            if name == ".notdef" or name.startswith("cid")}


def cff_tables(folder: Path) -> dict[bytes, Path]:
    """sha256 of each cut font's CFF table -> the cut (what LuaTeX embeds whole, verbatim)."""
    import uharfbuzz as hb
    found = {}
    for path in sorted(folder.glob("zb-*.otf")) if folder.is_dir() else []:
        table = hb.Face(hb.Blob.from_file_path(str(path))).reference_table("CFF ").data
        if table:
            found.setdefault(hashlib.sha256(table).digest(), path)
    return found


def lay_stamps(pdf, sources: Sources, store: Cache, stamp_keys, front_count: int) -> None:
    """Each main page gets its head stamp drawn before its content and its foot stamp after
    it: the order a monolithic page has (head, body, foot, license line), so text extraction
    reads them in the same order. Resource names are fixed (pikepdf's overlays pick random
    ones, and the bytes must not change from build to build)."""
    import pikepdf
    forms: dict[str, object] = {}

    def form(key: str):
        if key not in forms:
            entry = lookup(store, "stamp", key)
            if entry is None:
                raise RuntimeError(f"pdfunits: stamp {key[:12]} is not in the cache")
            page = sources.pdf(entry["job"]).pages[entry["position"]]
            forms[key] = (pdf.copy_foreign(page.as_form_xobject()), list(page.mediabox))
        return forms[key]

    for offset, (head, foot) in enumerate(stamp_keys):
        page = pdf.pages[front_count + offset]
        (head_form, head_box), (foot_form, foot_box) = form(head), form(foot)
        if head_box != list(page.mediabox) or foot_box != list(page.mediabox):
            raise RuntimeError(f"pdfunits: page {front_count + offset + 1} and its stamps differ in size")
        resources = pikepdf.Dictionary(page.obj.get("/Resources", pikepdf.Dictionary()))
        xobjects = pikepdf.Dictionary(resources.get("/XObject", pikepdf.Dictionary()))
        head_name, foot_name = free_name(xobjects, "/zbHead"), free_name(xobjects, "/zbFoot")
        xobjects[head_name], xobjects[foot_name] = head_form, foot_form
        resources.XObject = xobjects
        page.obj.Resources = resources
        page.contents_add(pikepdf.Stream(pdf, f"q {head_name} Do Q\nq\n".encode()), prepend=True)
        page.contents_add(pikepdf.Stream(pdf, f"\nQ\nq {foot_name} Do Q\n".encode()))


def free_name(names, wanted: str) -> str:
    name, number = wanted, 1
    while name in names:
        name, number = f"{wanted}{number}", number + 1
    return name


def resolve(sources: Sources, placed: dict, job: str, target, prefixes: dict):
    """A named destination of `job` as (page index in the joined PDF, view), or None. Names
    with a job's prefix (the front matter's table of contents) are that job's."""
    name = dest_name(target)
    if name is None:
        return None
    for prefix, other in prefixes.items():
        if name.startswith(prefix):
            job, name = other, name[len(prefix):]
            break
    found = sources.dests(job).get(name)
    if found is None or (job, found[0]) not in placed:
        return None
    return placed[(job, found[0])], found[1]


def explicit(pdf, where: tuple[int, list]):
    import pikepdf
    index, view = where
    return pikepdf.Array([pdf.pages[index].obj, *view])


def link_pages(pdf, sources: Sources, placed: dict, origin: list[str], prefixes: dict) -> None:
    """Internal links point at pages of the joined PDF (named destinations of each job become
    explicit ones: names repeat from job to job)."""
    import pikepdf
    for index, page in enumerate(pdf.pages):
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            if "/Dest" in annot:
                where = resolve(sources, placed, origin[index], annot.Dest, prefixes)
                if where is not None:
                    annot.Dest = explicit(pdf, where)
            elif action is not None and action.get("/S") == "/GoTo":
                where = resolve(sources, placed, origin[index], action.get("/D"), prefixes)
                if where is not None:
                    annot.A = pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=explicit(pdf, where))


def build_outline(pdf, sources: Sources, placed: dict, front: dict, entries: list[dict]) -> None:
    """The front matter's bookmarks, then each unit's: its part (a new top-level item that
    the chapters after it go under) and its chapters with their sections."""
    import pikepdf

    def item(job: str, node: Node, children: bool = True):
        where = placed.get((job, node.position)) if node.position is not None else None
        view = sources.dests(job).get(node.target, (None, []))[1] if node.target else []
        made = pikepdf.OutlineItem(node.title, explicit(pdf, (where, view)) if where is not None else None)
        made.is_closed = node.closed
        if children:
            made.children.extend(item(job, child) for child in node.children)
        return made

    with pdf.open_outline(strict=False) as outline:
        outline.root.clear()
        outline.root.extend(item(front["job"], node) for node in sources.outline(front["job"]))
        container = outline.root
        for entry in entries:
            part, roots = unit_outline(sources.outline(entry["job"]), entry)
            if part is not None:
                container = item(entry["job"], part, children=False)
                outline.root.append(container)
                container = container.children
            container.extend(item(entry["job"], node) for node in roots)


def unit_outline(nodes: list[Node], entry: dict) -> tuple[Node | None, list[Node]]:
    """The unit's part item (its first item: the part page comes first) and its other
    top-most items. A job's own nesting is not trusted for parts: in a job that starts with a
    chapter, the bookmark package may nest the next part under that chapter."""
    mine = set(entry["positions"])
    part: Node | None = None
    roots: list[Node] = []

    def visit(node: Node) -> None:
        nonlocal part
        if node.position in mine and entry["has_part"] and part is None:
            part = node
            for child in node.children:
                visit(child)
        elif node.position in mine:
            roots.append(node)
        else:
            for child in node.children:
                visit(child)

    for node in nodes:
        visit(node)
    return part, roots


def label_pages(pdf, front_pdf, front_count: int) -> None:
    """The front matter's page labels (roman), then arabic from 1, as \\mainmatter numbers."""
    import pikepdf
    nums = []
    labels = front_pdf.Root.get("/PageLabels")
    if labels is not None and "/Nums" in labels:
        values = list(labels.Nums)
        for start, style in zip(values[0::2], values[1::2]):
            if int(start) < front_count:
                nums += [int(start), foreign(pdf, front_pdf, style)]
    nums += [front_count, pikepdf.Dictionary({k: pikepdf.Name(v) for k, v in MAIN_PAGE_LABEL.items()})]
    pdf.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array(nums))


def foreign(pdf, source, value):
    """`value` of the PDF `source` as an object of `pdf`."""
    import pikepdf
    if isinstance(value, (pikepdf.Dictionary, pikepdf.Array)):
        return pdf.copy_foreign(value if value.is_indirect else source.make_indirect(value))
    return value


def copy_metadata(pdf, sources: Sources, front: dict, entries: list[dict], epoch: int) -> None:
    """Title, author, subject, keywords, license: the front matter job's (the same preamble as
    every job); its XMP gets the book's page count and the fonts of every job. The dates are
    the build's: the front matter job may come from the cache of an earlier build."""
    import pikepdf
    front_pdf = sources.pdf(front["job"])
    pdf.trailer.Info = pdf.copy_foreign(front_pdf.trailer.Info)
    for key in ("/CreationDate", "/ModDate"):
        pdf.trailer.Info[key] = pikepdf.String(pdf_date(epoch))
    for key in ("/PageMode", "/ViewerPreferences", "/Lang"):
        if key in front_pdf.Root:
            pdf.Root[key] = foreign(pdf, front_pdf, front_pdf.Root[key])
    action = front_pdf.Root.get("/OpenAction")
    if isinstance(action, pikepdf.Dictionary) and isinstance(action.get("/D"), pikepdf.Array):
        view = list(action.D[1:])
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=explicit(pdf, (0, view)))
    if "/Metadata" in front_pdf.Root:
        jobs = [front["job"], *dict.fromkeys(e["job"] for e in entries)]
        others = [bytes(sources.pdf(j).Root.Metadata.read_bytes()) for j in jobs[1:]
                  if "/Metadata" in sources.pdf(j).Root]
        xmp = book_xmp(bytes(front_pdf.Root.Metadata.read_bytes()), others, len(pdf.pages), epoch)
        stream = pikepdf.Stream(pdf, xmp)
        stream.Type, stream.Subtype = pikepdf.Name.Metadata, pikepdf.Name.XML
        pdf.Root.Metadata = pdf.make_indirect(stream)


XMP_DATES = tuple("{http://ns.adobe.com/xap/1.0/}" + name for name in ("CreateDate", "ModifyDate", "MetadataDate"))
XMP_NS = {"prism": "http://prismstandard.org/namespaces/basic/3.0/",
          "xmpTPg": "http://ns.adobe.com/xap/1.0/t/pg/",
          "stFnt": "http://ns.adobe.com/xap/1.0/sType/Font#",
          "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}


def pdf_date(epoch: int) -> str:
    return "D:" + time.strftime("%Y%m%d%H%M%S", time.gmtime(epoch)) + "Z"


def book_xmp(front: bytes, others: list[bytes], pages: int, epoch: int) -> bytes:
    """hyperxmp's packet of the front matter job, with the joined PDF's page count, without
    its byte count (of no file we write), with the build's dates and the fonts every job used."""
    from lxml import etree
    head, _, rest = front.partition(b"<x:xmpmeta")
    body, _, tail = rest.rpartition(b"</x:xmpmeta>")
    tree = etree.fromstring(b"<x:xmpmeta" + body + b"</x:xmpmeta>")
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
    for element in tree.iter():
        for name in XMP_DATES:
            if element.tag == name:
                element.text = when
            if name in element.attrib:
                element.set(name, when)
    for count in tree.iterfind(".//prism:pageCount", XMP_NS):
        count.text = str(pages)
    for size in list(tree.iterfind(".//prism:byteCount", XMP_NS)):
        size.getparent().remove(size)
    bag = tree.find(".//xmpTPg:Fonts/rdf:Bag", XMP_NS)
    if bag is not None:
        known = {font_name(li) for li in bag}
        for other in others:
            start, end = other.find(b"<x:xmpmeta"), other.rfind(b"</x:xmpmeta>")
            if start < 0 or end < 0:
                continue
            for li in etree.fromstring(other[start:end + len(b"</x:xmpmeta>")]).iterfind(
                    ".//xmpTPg:Fonts/rdf:Bag/rdf:li", XMP_NS):
                if font_name(li) not in known:
                    known.add(font_name(li))
                    bag.append(li)
    return head + etree.tostring(tree, encoding="utf-8") + tail


def font_name(li) -> str:
    found = li.find("stFnt:fontName", XMP_NS)
    return found.text if found is not None else etree_text(li)


def etree_text(element) -> str:
    return "".join(element.itertext())


# -- what makes two PDFs the same book (the tests and the benchmark compare with it) -----------------

@dataclass
class BookFacts:
    """What a reader gets from a PDF: its pages' text and labels, its outline, its links, its
    metadata. Two builds of a book must agree on all of it."""
    pages: int
    labels: list[str]
    text: list[str]                 # per page: pdftotext -raw, white space runs made one space
    outline: list[tuple[int, str, int | None]]     # (depth, title, page index)
    links: list[list[tuple]]        # per page: (rect, "goto", page index) or (rect, "uri", url)
    info: dict[str, str]


def book_facts(path: Path) -> BookFacts:
    import pikepdf
    proc = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          timeout=900, check=True)
    text = [" ".join(page.split()) for page in proc.stdout.decode("utf-8", "replace").split("\f")[:-1]]
    with pikepdf.open(path) as pdf:
        index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        names = {}
        if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
            names = {str(k): v for k, v in pikepdf.NameTree(pdf.Root.Names.Dests).items()}

        def target(dest) -> int | None:
            if dest_name(dest) is not None:
                dest = names.get(dest_name(dest))
            if isinstance(dest, pikepdf.Dictionary):
                dest = dest.get("/D")
            if isinstance(dest, pikepdf.Array) and len(dest):
                return index.get(dest[0].objgen)
            return None

        outline = []
        with pdf.open_outline() as tree:
            def walk(items, depth):
                for item in items:
                    dest = item.destination
                    if dest is None and item.action is not None:
                        dest = item.action.get("/D")
                    outline.append((depth, item.title, target(dest)))
                    walk(item.children, depth + 1)
            walk(tree.root, 0)
        links = []
        for page in pdf.pages:
            found = []
            for annot in page.obj.get("/Annots", []):
                if annot.get("/Subtype") != "/Link":
                    continue
                rect = tuple(round(float(v), 1) for v in annot.Rect)
                action = annot.get("/A")
                if "/Dest" in annot:
                    found.append((rect, "goto", target(annot.Dest)))
                elif action is not None and action.get("/S") == "/GoTo":
                    found.append((rect, "goto", target(action.get("/D"))))
                elif action is not None and action.get("/S") == "/URI":
                    found.append((rect, "uri", str(action.get("/URI"))))
            links.append(sorted(found, key=repr))
        labels = [page.label for page in pdf.pages]
        info = {str(k): str(v) for k, v in pdf.docinfo.items()}
        count = len(pdf.pages)
    return BookFacts(count, labels, text, outline, links, info)


def differences(a: BookFacts, b: BookFacts, limit: int = 10) -> list[str]:
    """How two PDFs differ as books (empty: the same book)."""
    found = []
    if a.pages != b.pages:
        found.append(f"page count: {a.pages} != {b.pages}")
    if a.labels != b.labels:
        found.append(f"page labels differ: {a.labels[:8]}... != {b.labels[:8]}...")
    for number, (x, y) in enumerate(zip(a.text, b.text), start=1):
        if x != y:
            cut = next((i for i, (p, q) in enumerate(zip(x, y)) if p != q), min(len(x), len(y)))
            found.append(f"text of page {number} differs at {cut}: {x[max(0, cut - 30):cut + 40]!r} != "
                         f"{y[max(0, cut - 30):cut + 40]!r}")
    if a.outline != b.outline:
        extra = [o for o in a.outline if o not in b.outline][:3]
        missing = [o for o in b.outline if o not in a.outline][:3]
        found.append(f"outline differs: only in the first {extra}, only in the second {missing}")
    for number, (x, y) in enumerate(zip(a.links, b.links), start=1):
        if x != y:
            found.append(f"links of page {number} differ: {sorted(set(x) ^ set(y), key=repr)[:3]}")
    keys = {"/Title", "/Author", "/Subject", "/Keywords", "/Creator", "/CreationDate", "/ModDate"}
    info_a = {k: v for k, v in a.info.items() if k in keys}
    info_b = {k: v for k, v in b.info.items() if k in keys}
    if info_a != info_b:
        found.append(f"metadata differs: {info_a} != {info_b}")
    return found[:limit] + ([f"... and {len(found) - limit} more"] if len(found) > limit else [])
