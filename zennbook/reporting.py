"""The one place diagnostics and verify's coverage are printed (stderr for problems,
stdout for what was made), whichever verb produced them."""
from __future__ import annotations

import click

from .diagnostics import Diagnostics, Level


def print_diagnostics(diagnostics: Diagnostics, show_info: bool = False) -> None:
    """Every diagnostic, then the count: `path:line: LEVEL: message [code]`."""
    for item in diagnostics.items:
        if item.level == Level.INFO and not show_info:
            continue
        click.echo(str(item), err=True)
    click.echo(diagnostics.summary(), err=True)


def print_coverage(rows: list[dict]) -> None:
    """verify's table: one row per output (fmt, coverage, runs found/total, problems, state)."""
    if not rows:
        return
    click.echo(f"{'output':<6} {'coverage':>9} {'runs':>12}  problems")
    for row in rows:
        note = f"  ({row['note']})" if row.get("note") else ""
        click.echo(f"{row['fmt']:<6} {row['coverage']:>8.2%} {row['found']:>5}/{row['total']:<6}  "
                   f"{row['problems'] or '-'}{note}")
