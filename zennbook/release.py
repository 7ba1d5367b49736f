"""`build.py release`: not built yet (issue 9). It says so and exits non-zero rather than pretend."""
from __future__ import annotations

import click


def run_release(*_args) -> int:
    click.echo("build.py release: not implemented yet (tracked in issue 9); nothing was done", err=True)
    return 2
