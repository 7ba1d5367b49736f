"""The unit build: plan, compile the units until counters and parity settle, the front matter
and stamps, then assembly (`build_pdf_units`; printset.py calls it for the book and each volume)."""
from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ...cache import Cache, sha256
from ...diagnostics import Diagnostic, Diagnostics
from .. import fonts, latex
from ..fonts import document_characters, install_fonts
from ..templating import template_path
from .assemble import assemble
from .front import front_job, merged_toc
from .jobs import (
    JOB,
    MAX_ROUNDS,
    STYLE,
    UNIT_TEMPLATE,
    VERSION,
    Page,
    Runner,
    read_job_log,
    tools_fingerprint,
)
from .split import article_tex, book_tex, split_book_tex
from .stamps import Stamp, stamp_jobs, stamps_for, store_stamps
from .store import Store, collect_garbage, lookup
from .units import (
    Plan,
    Unit,
    carried_counters,
    compile_units,
    group_units,
    parity_sensitive,
    render_job,
    unit_key,
)

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


def build_pdf_units(book, articles, out_path: Path, context, batch: bool = True,
                    volume: dict | None = None) -> UnitBuild:
    """One book (or, with `volume`, one volume of a set: its chapters numbered as in the whole
    book, its own front matter) built in units and assembled at `out_path`."""
    stats = UnitBuild()
    clock = time.perf_counter()
    root = (context.cache.root / "pdfunits").resolve()
    store = Store(root)
    shared = root / "shared"
    workers = workers_for(context)
    plan = make_plan(book, articles, context, store, shared, workers, volume)
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
    assemble(out_path, root, front, entries, stamps, book, store, context.epoch,
             [segment.slug for segment in plan.book_tex.segments])
    stats.seconds["assemble"] = time.perf_counter() - clock
    stats.jobs = runner.timings
    stats.pages = stats.front_pages + sum(counts)
    used = {front["job"], *(e["job"] for e in entries),
            *(lookup(store, "stamp", key)["job"] for pair in stamps for key in pair)}
    record = f"{book.slug}-{sha256(str(out_path.resolve().parent))[:12]}" + (f"-vol{volume['number']}" if volume else "")
    stats.collected = collect_garbage(root, record, used)
    report_findings(plan, entries, front, context)
    context.timings.update({f"pdf.{k}": v for k, v in stats.seconds.items()})
    return stats


def make_plan(book, articles, context, store: Cache, shared: Path, workers: int,
              volume: dict | None = None) -> Plan:
    text = book_tex(book, articles, context, volume)
    tex = split_book_tex(text)
    if volume:
        number_as_in_the_book(tex, volume)
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


def number_as_in_the_book(tex, volume: dict) -> None:
    """A volume's chapters and parts keep the numbers they have in the whole book, so that
    their units (keyed by their LaTeX and starting state) are the book's, reused from the cache."""
    for segment in tex.segments:
        segment.index += volume["chapters_before"]
        segment.parts_before += volume["parts_before"]


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
    # What the units inherited last time, for this run of chapters: a volume of a print set
    # shares the book's preamble, but its chapters start elsewhere (its own parities).
    guessed = sha256("inherited", plan.base, *[f"{s.index}\0{s.slug}" for s in plan.book_tex.segments])
    guesses = store.get("inherited", guessed) or {}
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
            store.put("inherited", guessed, {u.segment.slug: {"counters": u.counters, "parity": u.parity}
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
