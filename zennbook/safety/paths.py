"""Paths named by untrusted input, resolved and kept inside the book's folder.

A course is often someone else's repository: book.yaml, a Zenn config.yaml, an article's
image or a symlink in the articles folder may all name a file elsewhere on the disk. Every
reader asks this module, so the rule lives in one place:

- a path is resolved (symlinks, `..`) before anything is opened, and must land inside the
  book's folder; a symlink that stays inside is fine;
- no hidden file or folder (a name starting with `.`) is read, as named or as resolved;
- only regular files are opened: a FIFO, device, socket or directory is refused without
  blocking (O_NONBLOCK), and the final component is opened with O_NOFOLLOW;
- a file is read up to a size limit.

A refusal is an exception carrying the reason; callers turn it into a located diagnostic.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from ..diagnostics import Code
from .chars import printable

READ_CHUNK = 1 << 20


class Refused(Exception):
    """A path we do not read; `reason` is one of REASONS."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message

    @property
    def code(self) -> Code | None:
        """The input.* code of the refusal; None for a missing or oversized file, whose
        code depends on what the file was for."""
        return REASON_CODES.get(self.reason)


REASON_CODES = {"outside": Code.INPUT_OUTSIDE, "hidden": Code.INPUT_HIDDEN,
                "not-regular": Code.INPUT_NOT_REGULAR, "unreadable": Code.INPUT_NOT_REGULAR,
                "name": Code.INPUT_NAME}
FILE_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
              (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
              (stat.S_ISBLK, "a block device"), (stat.S_ISLNK, "a symbolic link"))


def shown(path: Path | str) -> str:
    """A path as a message may print it: on one line, controls escaped."""
    return printable(str(path))


def is_inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def hidden_part(parts) -> str | None:
    """The first component that hides a file (`.env`, `.git`), if any."""
    return next((p for p in parts if p.startswith(".") and p not in (".", "..")), None)


def book_folder(path: Path) -> Path:
    """The book's folder, resolved once: every containment check compares with it."""
    return Path(os.path.realpath(path))


def resolve_inside(folder: Path, path: Path) -> Path:
    """`path` resolved; Refused when it lands outside `folder` or anywhere hidden.

    `folder` must already be resolved (book_folder). The name as written is checked for
    hidden components too, so that `a/../.env` is refused even before it is resolved.
    """
    if "\x00" in str(path):
        raise Refused("name", "the path holds a NUL character")
    written = Path(os.path.normpath(folder / path))
    if is_inside(written, folder) and (part := hidden_part(written.relative_to(folder).parts)):
        raise Refused("hidden", f"'{shown(part)}' is hidden; hidden files and folders are never read")
    resolved = Path(os.path.realpath(folder / path))
    if not is_inside(resolved, folder):
        raise Refused("outside", f"outside the book's folder {shown(folder)}; only files inside "
                                 "it are read (copy the file into the book)")
    if part := hidden_part(resolved.relative_to(folder).parts):
        raise Refused("hidden", f"leads to '{shown(part)}', which is hidden; hidden files and "
                                "folders are never read")
    return resolved


def file_kind(mode: int) -> str:
    return next((name for test, name in FILE_KINDS if test(mode)), "not a regular file")


def regular_stat(path: Path) -> os.stat_result:
    """lstat of an already resolved path; Refused unless it is a regular file."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        raise Refused("missing", "not found") from None
    except OSError as exc:
        raise Refused("unreadable", f"cannot read it: {exc.strerror}") from None
    if not stat.S_ISREG(status.st_mode):
        raise Refused("not-regular", f"{file_kind(status.st_mode)}; only regular files are read")
    return status


def check_file(folder: Path, path: Path) -> Path:
    """The resolved path of a regular file inside `folder` (Refused otherwise)."""
    resolved = resolve_inside(folder, path)
    regular_stat(resolved)
    return resolved


def check_dir(folder: Path, path: Path) -> Path:
    """The resolved path of a directory inside `folder` (Refused otherwise)."""
    resolved = resolve_inside(folder, path)
    if not resolved.exists():
        raise Refused("missing", "not found")
    if not resolved.is_dir():
        raise Refused("not-regular", "not a folder")
    return resolved


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at `path` (already resolved), at most `limit` of them.

    Opened without following a symlink and without blocking, then checked again on the open
    descriptor, so a file swapped for a FIFO or a link after the check is still refused.
    """
    regular_stat(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise Refused("unreadable", f"cannot read it: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode):
            raise Refused("not-regular", f"{file_kind(status.st_mode)}; only regular files are read")
        if status.st_size > limit:
            raise Refused("too-large", too_large(status.st_size, limit))
        try:
            data = handle.read(limit + 1)
        except OSError as exc:
            raise Refused("unreadable", f"cannot read it: {exc.strerror}") from None
    if len(data) > limit:
        raise Refused("too-large", too_large(len(data), limit))
    return data


def read_inside(folder: Path, path: Path, limit: int) -> bytes:
    """The one way to read a file the book names: resolved, inside, regular, bounded."""
    return read_regular(resolve_inside(folder, path), limit)


def too_large(size: int, limit: int) -> str:
    return f"{size / 2**20:.1f} MB is over the {limit / 2**20:.0f} MB limit"


def unsafe_name(name: str) -> bool:
    """A file name that cannot stand in a diagnostic, an id or a title as it is: a control
    character, a line break, a bidi override or an undecodable byte (a lone surrogate)."""
    return printable(name) != name
