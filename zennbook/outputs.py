"""Writing outputs safely: a lock per output folder, temporary files renamed into place.

A failed or killed build never leaves a half-written file where a good one was: each
output is written beside its final name and renamed only when complete.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from pathlib import Path

from .diagnostics import ZennbookError

LOCK_NAME = ".zennbook.lock"


class OutputLocked(ZennbookError):
    """Another build holds the output folder (only when not waiting for it)."""


@contextlib.contextmanager
def locked(out_dir: Path, wait: bool = True):
    """One build at a time per output folder; a second one waits (or fails with wait=False)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / LOCK_NAME, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise OutputLocked(f"another build is writing to {out_dir}") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def atomic_output(final: Path):
    """Yield a temporary path beside `final`; rename it over `final` only on success."""
    fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, 0o644)
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)
