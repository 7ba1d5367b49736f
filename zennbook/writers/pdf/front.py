"""The front matter: its job, with the table of contents merged from the units' own lines."""
from __future__ import annotations

from ...cache import sha256
from .jobs import JOB, Job
from .units import Plan, render_job, toc_fields, toc_line

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
