"""Writing outputs safely: a usable output folder, a lock per folder, temporary files renamed
into place.

A failed or killed build never leaves a half-written file where a good one was: each
output is written beside its final name and renamed only when complete. The temporary
files have a name no one else uses (`.<output>.zennbook-XXXXXXXX.part`), so that cleaning
up after a killed build removes only ours.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import stat
import tempfile
from pathlib import Path

from .diagnostics import Code, Diagnostic, Level, ZennbookError
from .safety.paths import file_kind, shown

LOCK_NAME = ".zennbook.lock"
PART_INFIX = ".zennbook-"
PART_SUFFIX = ".part"
# mkstemp's random part: 8 characters of [a-z0-9_]
OUR_PART = re.compile(rf"^\..+{re.escape(PART_INFIX)}[a-z0-9_]{{8}}{re.escape(PART_SUFFIX)}$")
SYSTEM_TREES = (Path("/proc"), Path("/sys"), Path("/dev"))


class OutputLocked(ZennbookError):
    """Another build holds the output folder (only when not waiting for it)."""


class OutputUnusable(ZennbookError):
    """The output folder (or an output's name in it) cannot be written; nothing was."""

    code = Code.OUTPUT_UNUSABLE

    def __init__(self, message: str, where: Path | str | None = None):
        super().__init__(message)
        self.where = str(where) if where is not None else None

    def diagnostic(self, path: str | None = None) -> Diagnostic:
        return Diagnostic(Level.ERROR, self.code, f"{self}; nothing written", path or self.where)


def check_output_folder(out_dir: Path, names: list[str] = ()) -> None:
    """Raise OutputUnusable (located at `out_dir`) unless `out_dir` is (or can be made) a
    writable folder of ours, and each name in `names` is free or a regular file we may replace."""
    with located(out_dir):
        check_folder(Path(out_dir), names)


@contextlib.contextmanager
def located(out_dir: Path):
    try:
        yield
    except OutputUnusable as exc:
        exc.where = exc.where or str(out_dir)
        raise


def check_folder(out_dir: Path, names: list[str]) -> None:
    resolved = Path(os.path.realpath(out_dir))
    if any(resolved == tree or tree in resolved.parents for tree in SYSTEM_TREES):
        raise OutputUnusable(f"{shown(out_dir)} is under {shown(next(t for t in SYSTEM_TREES if t == resolved or t in resolved.parents))}, "
                             "a system folder; choose another --out")
    if out_dir.is_symlink():
        raise OutputUnusable(f"{shown(out_dir)} is a symbolic link; give the folder it points to as --out")
    existing = next((p for p in (out_dir, *out_dir.parents) if os.path.lexists(p)), None)
    if existing is not None and not existing.is_dir():
        raise OutputUnusable(f"{shown(existing)} is a file, not a folder; choose another --out")
    if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        raise OutputUnusable(f"{shown(existing)} is not writable")
    for name in names:
        target = out_dir / name
        if target.is_symlink() or (os.path.lexists(target) and not stat.S_ISREG(os.lstat(target).st_mode)):
            kind = "a symbolic link" if target.is_symlink() else file_kind(os.lstat(target).st_mode)
            raise OutputUnusable(f"{shown(target)} is {kind}; an output is written only over a "
                                 "regular file; move it away")


def make_folder(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise OutputUnusable(f"{shown(out_dir)}: a file stands in the way; choose another --out") from None
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EROFS, errno.EPERM):
            raise OutputUnusable(f"{shown(out_dir)}: {exc.strerror}") from None
        raise


@contextlib.contextmanager
def locked(out_dir: Path, wait: bool = True):
    """One build at a time per output folder; a second one waits (or fails with wait=False).
    The lock file is opened without following a symlink: a link there is an error."""
    with located(out_dir):
        make_folder(out_dir)
        fd = open_lock(out_dir / LOCK_NAME)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise OutputLocked(f"another build is writing to {out_dir}") from exc
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def open_lock(path: Path) -> int:
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputUnusable(f"{shown(path)} is a symbolic link; remove it") from None
        raise OutputUnusable(f"{shown(path)}: {exc.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        kind = file_kind(os.fstat(fd).st_mode)
        os.close(fd)
        raise OutputUnusable(f"{shown(path)} is {kind}; remove it")
    return fd


@contextlib.contextmanager
def atomic_output(final: Path):
    """Yield a temporary path beside `final`; rename it over `final` only on success."""
    fd, name = tempfile.mkstemp(prefix=f".{final.name}{PART_INFIX}", suffix=PART_SUFFIX, dir=final.parent)
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


def remove_stale_parts(out_dir: Path) -> None:
    """Partial files of a killed build: under the lock, no one else can be writing them.
    Only names this module makes are touched; a user's own `.x.part` stays."""
    for entry in os.scandir(out_dir):
        if OUR_PART.match(entry.name) and entry.is_file(follow_symlinks=False):
            Path(entry.path).unlink(missing_ok=True)
