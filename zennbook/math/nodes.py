"""The parse tree of a formula. The emitter writes LaTeX from these, never from the source."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Char:
    """A character of math (never one of TeX's special characters)."""
    text: str


@dataclass
class TextChar:
    """A character in text mode; the emitter escapes TeX's special characters."""
    text: str


@dataclass
class Symbol:
    """A control symbol such as \\, or \\{ (its one character, without the backslash)."""
    char: str


@dataclass
class Group:
    items: list


@dataclass
class Text:
    """A text-mode argument or group: TextChar, Symbol, Command, Text and Math items."""
    items: list


@dataclass
class Math:
    """Math inside text: `\\text{if $x$}`."""
    items: list


@dataclass
class Raw:
    """A checked literal: a dimension, a colour, a column specification."""
    text: str


@dataclass
class Delimiter:
    """`(`, `.` or a delimiter's command name (as `\\langle`)."""
    text: str


@dataclass
class Command:
    name: str
    star: bool = False
    options: list = field(default_factory=list)
    args: list = field(default_factory=list)
    text_mode: bool = False
    suffix: str = ""          # \mkern3mu: the dimension that follows without braces


@dataclass
class Script:
    kind: str                 # "^" or "_"
    arg: object
    prime: bool = False       # x': more primes and one ^ may still join it


@dataclass
class LeftRight:
    left: Delimiter
    items: list
    right: Delimiter


@dataclass
class Environment:
    name: str
    args: list
    option: Raw | None
    body: list


@dataclass
class Align:
    """`&`."""


@dataclass
class Newline:
    """`\\\\`, `\\newline` or `\\cr`, with the optional extra space of `\\\\[2pt]`."""
    space: str = ""


@dataclass
class Infix:
    """`\\over`, `\\choose`, ... until the end of its group (turned into a command there)."""
    name: str
    size: str = ""
