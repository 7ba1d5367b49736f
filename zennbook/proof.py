"""`build.py proof`: not built yet (issue 5). It says so and exits non-zero rather than pretend."""
from __future__ import annotations

import click


def run_proof(*_args) -> int:
    click.echo("build.py proof: not implemented yet (tracked in issue 5); nothing was done", err=True)
    return 2
