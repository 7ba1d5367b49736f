"""Units: each chapter's job and cache key, cold builds batched into jobs per core, the table
of contents split back per unit, and the counters and parity a unit inherits from the ones before."""
from __future__ import annotations

import math
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ...cache import Cache, sha256
from ...diagnostics import Diagnostic, Diagnostics
from .. import latex
from ..templating import latex_environment
from .jobs import COUNTERS, JOB, JOB_TEX_BYTES, UNIT_TEMPLATE, Job, JobLog, Runner, read_job_log
from .split import BookTex, Segment

PART_STRETCH = 1.5          # a job may grow by half to take a part's opening chapter (group_units)

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
    with at most about JOB_TEX_BYTES each, a job not starting with a chapter that opens a
    part when the one before it can take it (`starts_anywhere`, within PART_STRETCH of the
    size). Not batched: one job per unit."""
    if not batch:
        return [[u] for u in units]
    total = sum(len(u.tex) for u in units)
    target = total / (workers * max(1, math.ceil(total / (workers * JOB_TEX_BYTES))))
    groups: list[list[Unit]] = []
    size = 0
    for unit in units:
        consecutive = groups and groups[-1][-1].segment.index == unit.segment.index - 1
        # A part's opening chapter may overfill a job by half, never more: a book whose every
        # chapter opens a part still gets jobs of bounded size (each job's memory).
        if consecutive and (size < target or (not starts_anywhere(unit) and size < PART_STRETCH * target)):
            groups[-1].append(unit)
            size += len(unit.tex)
        else:
            groups.append([unit])
            size = len(unit.tex)
    return balanced(groups, workers)


def starts_anywhere(unit: Unit) -> bool:
    """Whether a job may start with this chapter at no risk. One that opens a part has its
    part page set on an odd page: at the head of a job it is set as if it began the book,
    and compiled again when it lands on the other parity (the previous job's pages decide);
    after the chapter before it, in the same job, it is set where it lands."""
    return not unit.segment.has_part


def balanced(groups: list[list[Unit]], workers: int) -> list[list[Unit]]:
    """Split the largest groups until there is work for every worker: at the first chapter
    boundary at or past the middle of its LaTeX, before a chapter that `starts_anywhere` if
    there is one."""
    groups = [list(g) for g in groups]
    while len(groups) < workers:
        largest = max(groups, key=lambda g: sum(len(u.tex) for u in g))
        if len(largest) < 2:
            break
        total, before, cuts = sum(len(u.tex) for u in largest), 0, []
        for cut in range(1, len(largest)):
            before += len(largest[cut - 1].tex)
            cuts.append((not starts_anywhere(largest[cut]), before < total / 2, abs(before - total / 2), cut))
        cut = min(cuts)[-1]
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
