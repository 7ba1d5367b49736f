"""Progress of a long build on stderr: `stage  n/N  article`, one line redrawn in place.

The pipeline reports through `BuildContext.progress`; its default, `Progress`, does nothing,
so library callers and tests see no output and pay one method call per article. The CLI
chooses a `TerminalProgress` with `for_cli()`:

    automatic     on when stderr is a terminal and CI is not set; otherwise nothing at all
    --progress    on; on a terminal the line is redrawn in place, elsewhere (a log) one
                  line per stage and at most one more line every few seconds
    --quiet       off

Only stderr is written to, and the line is erased (`done()`) before anything else prints:
diagnostics and the `wrote ...` lines are never mixed with it.
"""
from __future__ import annotations

import os
import sys
import threading
import time
import unicodedata
from typing import Callable, Iterable, Iterator, TextIO, TypeVar

T = TypeVar("T")


class Progress:
    """The no-op default: every method is cheap and prints nothing."""

    def stage(self, name: str, total: int | None = None) -> None:
        """A new stage of `total` items (None: one step of unknown size; 0: nothing to show)."""

    def step(self, label: str = "") -> None:
        """The next item of the stage starts; `label` names it (an article, a format)."""

    def track(self, name: str, items: list[T], label: Callable[[T], str]) -> Iterable[T]:
        """`items`, as a stage of len(items) steps named by `label(item)`."""
        return items

    def done(self) -> None:
        """Erase the line; safe to call any number of times."""


class TerminalProgress(Progress):
    """Draws the progress line on `stream`: in place with `\\r` (a terminal), or as plain lines."""

    def __init__(self, stream: TextIO, inplace: bool = True, interval: float | None = None):
        self.stream = stream
        self.inplace = inplace
        self.interval = interval if interval is not None else (0.05 if inplace else 5.0)
        self.name = ""
        self.total: int | None = 0
        self.count = 0
        self.label = ""
        self.shown = 0            # display width of the line on screen (in place only)
        self.last_draw = 0.0
        self.new_stage = False
        self.lock = threading.Lock()

    def stage(self, name: str, total: int | None = None) -> None:
        with self.lock:
            self.name, self.total, self.count, self.label = name, total, 0, ""
            self.new_stage = True

    def step(self, label: str = "") -> None:
        with self.lock:
            if self.total == 0:
                return
            self.count += 1
            self.label = label
            now = time.monotonic()
            if self.new_stage or self.count == self.total or now - self.last_draw >= self.interval:
                self.new_stage = False
                self.last_draw = now
                self._draw(self.line())

    def track(self, name: str, items: list[T], label: Callable[[T], str]) -> Iterator[T]:
        self.stage(name, len(items))
        for item in items:
            self.step(label(item))
            yield item

    def done(self) -> None:
        with self.lock:
            if self.shown:
                self._write("\r" + " " * self.shown + "\r")
                self.shown = 0

    def line(self) -> str:
        if self.total is None:
            return f"{self.name:<8} {self.label}".rstrip()
        digits = len(str(self.total))
        return f"{self.name:<8} {self.count:>{digits}}/{self.total}  {self.label}".rstrip()

    def _draw(self, text: str) -> None:
        if not self.inplace:
            self._write(text + "\n")
            return
        text, width = fit(text, self.columns() - 1)     # the last column would wrap the line
        self._write("\r" + text + " " * max(0, self.shown - width))
        self.shown = width

    def columns(self) -> int:
        try:
            return os.get_terminal_size(self.stream.fileno()).columns or 80
        except (AttributeError, OSError, ValueError):
            return 80

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):     # a closed or broken stderr never fails the build
            pass


def width_of(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in "WF" else 0 if unicodedata.combining(char) else 1


def fit(text: str, columns: int) -> tuple[str, int]:
    """`text` cut to `columns` display columns (Japanese is two wide), and its width."""
    width = 0
    for i, char in enumerate(text):
        w = width_of(char)
        if width + w > columns:
            return text[:i], width
        width += w
    return text, width


def in_ci(environ=os.environ) -> bool:
    return environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def is_tty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def for_cli(wanted: bool | None, stream: TextIO | None = None, environ=os.environ) -> Progress:
    """The CLI's choice. wanted: True (--progress), False (--quiet), None (automatic)."""
    stream = stream if stream is not None else sys.stderr
    tty = is_tty(stream)
    if wanted is False or (wanted is None and (not tty or in_ci(environ))):
        return Progress()
    return TerminalProgress(stream, inplace=tty)
