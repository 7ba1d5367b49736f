"""The one place diagnostics and verify's coverage are printed (stderr for problems,
stdout for what was made), whichever verb produced them."""
from __future__ import annotations

import click

from collections.abc import Iterable

from .diagnostics import Code, Diagnostic, Diagnostics, Level


def print_diagnostics(diagnostics: Diagnostics, show_info: bool = False,
                      hidden: frozenset[Code] = frozenset()) -> None:
    """Every diagnostic (but INFO and `hidden` codes), then the count."""
    print_items(item for item in diagnostics.items
                if (show_info or item.level != Level.INFO) and item.code not in hidden)
    click.echo(diagnostics.summary(), err=True)


def print_items(items: Iterable[Diagnostic]) -> None:
    """Diagnostics as they are, one line each: `path:line: LEVEL: message [code]`."""
    for item in items:
        click.echo(str(item), err=True)


def print_coverage(rows: list[dict]) -> None:
    """verify's table: one row per output (fmt, coverage, runs found/total, problems, state)."""
    if not rows:
        return
    click.echo(f"{'output':<6} {'coverage':>9} {'runs':>12}  problems")
    for row in rows:
        note = f"  ({row['note']})" if row.get("note") else ""
        click.echo(f"{row['fmt']:<6} {row['coverage']:>8.2%} {row['found']:>5}/{row['total']:<6}  "
                   f"{row['problems'] or '-'}{note}")
