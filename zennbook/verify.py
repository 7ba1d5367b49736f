"""`build.py verify`: not built yet (issue 8). It says so and exits non-zero rather than pretend."""
from __future__ import annotations

import click


def run_verify(*_args) -> int:
    click.echo("build.py verify: not implemented yet (tracked in issue 8); nothing was done", err=True)
    return 2
