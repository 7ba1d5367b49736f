"""Stamps: running heads, page numbers and the license line, set by the book's own page styles
in small jobs, one stamp page per distinct head or foot, cached by exactly what each reads."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...cache import Cache, sha256
from .. import latex
from .jobs import JOB, MAIN_NUMBERING, STAMPS_PER_JOB, Job, Page, read_job_log
from .units import Plan, render_job

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
