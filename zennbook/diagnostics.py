"""Diagnostics: every problem found in the input, with its place and a stable code.

The format follows Sphinx: ``path:line: LEVEL: message [code]``. Problems are collected
across all articles and reported together; errors stop the build before any writer runs.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

from .provenance import source_line
from .safety.chars import printable


class Level(enum.IntEnum):
    INFO = 0
    WARNING = 1
    ERROR = 2


class Code(str, enum.Enum):
    """Every diagnostic code, in one place. The README documents them."""

    # book.yaml / config.yaml
    CONFIG_SYNTAX = "config.syntax"
    CONFIG_UNKNOWN_KEY = "config.unknown-key"
    CONFIG_TYPE = "config.type"
    CONFIG_CHOICE = "config.choice"
    CONFIG_MISSING = "config.missing"
    CONFIG_CHAPTER = "config.chapter"
    CONFIG_LICENSE = "config.license"
    CONFIG_FORMAT = "config.format"
    CONFIG_URL = "config.url"
    # article files and front matter
    ARTICLE_UNREADABLE = "article.unreadable"
    ARTICLE_BINARY = "article.binary"
    ARTICLE_EMPTY = "article.empty"
    ARTICLE_TOO_LARGE = "article.too-large"
    # files the book names (articles, images, cards): kept inside the book
    INPUT_OUTSIDE = "input.outside"
    INPUT_HIDDEN = "input.hidden"
    INPUT_NOT_REGULAR = "input.not-regular"
    INPUT_NAME = "input.name"
    # content nested too deep or too large for the stages after the text stage: reshaped, kept
    INPUT_TOO_DEEP = "input.too-deep"
    INPUT_TOO_LARGE = "input.too-large"
    FRONTMATTER_SYNTAX = "frontmatter.syntax"
    FRONTMATTER_NOT_MAPPING = "frontmatter.not-mapping"
    FRONTMATTER_FIELD = "frontmatter.field"
    FRONTMATTER_NO_TITLE = "frontmatter.no-title"
    # normalize
    NORMALIZE_MOJIBAKE = "normalize.mojibake"
    NORMALIZE_LOST_BYTES = "normalize.lost-bytes"
    NORMALIZE_ENCODING = "normalize.encoding"
    NORMALIZE_INVISIBLE = "normalize.invisible"
    NORMALIZE_CONTROL = "normalize.control"
    NORMALIZE_TABS = "normalize.tabs"
    NORMALIZE_DIALECT = "normalize.dialect"
    NORMALIZE_UNICODE = "normalize.unicode"
    NORMALIZE_FRONTMATTER = "normalize.frontmatter"
    NORMALIZE_BIDI = "normalize.bidi"
    # Zenn text stage
    ZENN_UNKNOWN_EMBED = "zenn.unknown-embed"
    ZENN_INVALID_EMBED = "zenn.invalid-embed"
    ZENN_UNCLOSED_CONTAINER = "zenn.unclosed-container"
    ZENN_INVALID_CONTAINER = "zenn.invalid-container"
    ZENN_UNCLOSED_FENCE = "zenn.unclosed-fence"
    ZENN_TRAILING_TEXT = "zenn.trailing-text"
    ZENN_NESTED_FOOTNOTE = "zenn.nested-footnote"
    ZENN_DUPLICATE_FOOTNOTE = "zenn.duplicate-footnote"
    ZENN_UNUSED_FOOTNOTE = "zenn.unused-footnote"
    # filters
    IMAGE_MISSING = "image.missing"
    IMAGE_INVALID = "image.invalid"
    MATH_UNSAFE = "math.unsafe"
    MATH_INVALID = "math.invalid"
    MATH_UNSUPPORTED = "math.unsupported"
    MATH_DROPPED = "math.dropped"
    MERMAID_UNAVAILABLE = "mermaid.unavailable"
    MERMAID_FAILED = "mermaid.failed"
    RAW_HTML = "raw.html"
    LINK_UNSAFE = "link.unsafe"
    # writers and tools
    GLYPH_MISSING = "glyph.missing"
    LAYOUT_OVERFULL = "layout.overfull"
    LAYOUT_REFERENCE = "layout.reference"
    LAYOUT_MATH_WIDE = "layout.math-wide"
    MATH_UNDEFINED = "math.undefined"
    MATH_SVG_FAILED = "math.svg-failed"
    MATH_SVG_UNAVAILABLE = "math.svg-unavailable"
    LATEX_ERROR = "latex.error"
    TOOL_FAILED = "tool.failed"
    TOOL_MISSING = "tool.missing"
    TOOL_LIMIT = "tool.limit"
    TOOL_SANDBOX = "tool.sandbox"
    VERIFY_FAILED = "verify.failed"
    EPUB_LINK = "epub.link"
    EPUB_REMOTE_IMAGE = "epub.remote-image"
    OUTPUT_UNUSABLE = "output.unusable"
    # print on demand (writers/pdf: volumes, presets, preflight)
    PRINT_CHAPTER_TOO_LONG = "print.chapter-too-long"
    PRINT_VOLUME_TOO_LONG = "print.volume-too-long"
    PRINT_PREFLIGHT = "print.preflight"
    PRINT_IMAGE_DPI = "print.image-dpi"
    # our own bugs: one located line, the rest of the book still built
    INTERNAL = "internal"


@dataclass(frozen=True)
class Diagnostic:
    level: Level
    code: Code
    message: str
    path: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = printable(self.path or "")
        if self.path and self.line:
            where = f"{where}:{self.line}"
        prefix = f"{where}: " if where else ""
        message = printable(self.message, continuation_lines=True)
        return f"{prefix}{self.level.name}: {message} [{self.code.value}]"

    def to_json(self) -> list:
        """As the caches store it: [level, code, message, path, line]."""
        return [int(self.level), self.code.value, self.message, self.path, self.line]

    @classmethod
    def from_json(cls, data: list) -> "Diagnostic":
        level, code, message, path, line = data
        return cls(Level(level), Code(code), message, path, line)


class ZennbookError(Exception):
    """A failure the user can act on (a tool failed or is missing, the output folder is
    locked, the configuration is unusable): every verb prints it as one line and exits 1."""

    code = Code.TOOL_FAILED

    def __init__(self, message: str, code: Code | None = None):
        super().__init__(message)
        if code is not None:
            self.code = code

    def diagnostic(self, path: str | None = None) -> Diagnostic:
        return Diagnostic(Level.ERROR, self.code, str(self), path)


def internal_error(stage: str, exc: BaseException, path: str | None = None) -> Diagnostic:
    """An exception of ours in `stage`, as one located line: the rest of the book goes on."""
    what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return Diagnostic(Level.ERROR, Code.INTERNAL,
                      f"internal error in {stage}: {what[:300]} (run with --debug for the traceback)", path)


@dataclass
class Reporter:
    """What a stage reports about one file, each at its line: given as `line=`, or read from
    the tree element the problem is in (`elem=`, see provenance.source_line).

    Records into `items` (a list it may share with the collector it reports to); codes in
    `silenced` are dropped."""

    path: str | None
    items: list[Diagnostic] = field(default_factory=list)
    silenced: frozenset[str] = frozenset()

    def add(self, level: Level, code: Code, message: str, line: int | None = None, elem=None) -> None:
        if code.value in self.silenced:
            return
        if line is None and elem is not None:
            line = source_line(elem)
        self.items.append(Diagnostic(level, code, message, self.path, line))

    def error(self, code: Code, message: str, line: int | None = None, elem=None) -> None:
        self.add(Level.ERROR, code, message, line, elem)

    def warn(self, code: Code, message: str, line: int | None = None, elem=None) -> None:
        self.add(Level.WARNING, code, message, line, elem)

    def info(self, code: Code, message: str, line: int | None = None, elem=None) -> None:
        self.add(Level.INFO, code, message, line, elem)


@dataclass
class Diagnostics:
    """A collector. Stages add to it; the runner decides when to stop."""

    items: list[Diagnostic] = field(default_factory=list)
    silenced: frozenset[str] = frozenset()

    def add(self, level: Level, code: Code, message: str,
            path: str | None = None, line: int | None = None) -> None:
        if code.value in self.silenced:
            return
        self.items.append(Diagnostic(level, code, message, path, line))

    def error(self, code: Code, message: str, path: str | None = None, line: int | None = None) -> None:
        self.add(Level.ERROR, code, message, path, line)

    def warning(self, code: Code, message: str, path: str | None = None, line: int | None = None) -> None:
        self.add(Level.WARNING, code, message, path, line)

    def info(self, code: Code, message: str, path: str | None = None, line: int | None = None) -> None:
        self.add(Level.INFO, code, message, path, line)

    def reporter(self, path: str | None) -> Reporter:
        """A reporter for one file that records here."""
        return Reporter(path, self.items, self.silenced)

    def extend(self, others) -> None:
        for item in others:
            if item.code.value not in self.silenced:
                self.items.append(item)

    def count(self, level: Level) -> int:
        return sum(1 for d in self.items if d.level == level)

    def has_errors(self, strict: bool = False) -> bool:
        worst = Level.WARNING if strict else Level.ERROR
        return any(d.level >= worst for d in self.items)

    def summary(self) -> str:
        return (f"{self.count(Level.ERROR)} error(s), {self.count(Level.WARNING)} warning(s)")
