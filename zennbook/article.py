"""One article: read, normalize, split front matter, Zenn text stage, pandoc AST.

Each article is parsed on its own, so its footnotes, heading ids and line numbers stay its own.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import panflute as pf

from .diagnostics import Code, Diagnostic, Level, Reporter
from .frontmatter import split_front_matter
from .normalize import normalize
from .normalize.decoding import wide_encoding
from .pandoc import PandocError, markdown_to_doc
from .safety.paths import Refused, read_inside
from .zenn import rewrite

MAX_ARTICLE_BYTES = 50 * 1024 * 1024     # beyond this the file is refused, not parsed
LARGE_ARTICLE_BYTES = 5 * 1024 * 1024    # beyond this a warning: Zenn itself stops at 50,000 chars
TITLE_MAX_CHARS = 70                     # Zenn's own limit on a title
HEADING_LINE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


@dataclass
class Article:
    slug: str
    path: Path
    label: str                      # the path as shown in diagnostics
    title: str = ""
    emoji: str = ""
    meta: dict = field(default_factory=dict)
    lang: str = ""
    body: str = ""                  # normalized Zenn markdown, without front matter
    body_lines: list[int] = field(default_factory=list)   # source line of each body line
    markdown: str = ""              # the Zenn text stage's output, pandoc markdown
    usable: bool = True             # False when the file could not be read as text at all
    verify_text: tuple = ((), {})   # (runs, expected markers) taken before the filters ran
    math_under_text: str = "math"    # book.yaml math.under_text: a `$$` block under a text line
    cache_key: str = ""             # hash of everything the article was made from
    files: list[str] = field(default_factory=list)   # files its tree embeds (images, diagrams)
    dialect: str = "zenn"           # what normalize recognised: zenn, github, obsidian, jekyll, plain
    diagnostics: list[Diagnostic] = field(default_factory=list)

    _doc: pf.Doc | None = field(default=None, repr=False)
    _load_doc: Callable[[], pf.Doc] | None = field(default=None, repr=False)   # from the cache, lazily

    @property
    def doc(self) -> pf.Doc | None:
        """The AST; a cached article loads it only when a writer needs it."""
        if self._doc is None and self._load_doc is not None:
            self._doc, self._load_doc = self._load_doc(), None
        return self._doc

    @doc.setter
    def doc(self, value: pf.Doc | None) -> None:
        self._doc, self._load_doc = value, None

    @property
    def parsed(self) -> bool:
        return self._doc is not None or self._load_doc is not None

    @property
    def reporter(self) -> Reporter:
        """Records into the article's own diagnostics, under its label."""
        return Reporter(self.label, self.diagnostics)


def read_article(path: Path, label: str, home: Path | None = None) -> Article:
    """Read and normalize one file into an Article (no pandoc yet). Never raises on bad input.

    `home` is the book's folder: the file is read only if it is a regular file inside it
    (the articles folder's by default)."""
    article = Article(slug=path.stem, path=path, label=label)
    data = read_bytes(article, home or path.parent)
    if data is None:
        article.usable = False
        return article
    normalized = normalize(data, label)
    article.diagnostics.extend(normalized.diagnostics)
    article.dialect = normalized.dialect
    lines = normalized.text.split("\n")
    front = split_front_matter(lines, label, lambda i: normalized.lines[i] if i < len(normalized.lines) else i + 1)
    article.diagnostics.extend(front.diagnostics)
    article.meta = front.data
    body = lines[front.body_start:]
    article.body_lines = normalized.lines[front.body_start:]
    body = take_title(article, body)
    article.body = "\n".join(body)
    if not article.body.strip():
        article.reporter.warn(Code.ARTICLE_EMPTY, "the article has no body text")
    return article


def read_bytes(article: Article, home: Path) -> bytes | None:
    try:
        data = read_inside(Path(os.path.realpath(home)), Path(os.path.abspath(article.path)),
                           MAX_ARTICLE_BYTES)
    except Refused as exc:
        if exc.reason == "too-large":
            article.reporter.error(Code.ARTICLE_TOO_LARGE, f"{exc.message}; split the article")
        else:
            article.reporter.add(Level.ERROR if exc.code is None else Level.WARNING,
                                 exc.code or Code.ARTICLE_UNREADABLE, f"not read: {exc.message}")
        return None
    if b"\x00" in data[:8192] and not wide_encoding(data):     # UTF-16/32 text has NULs too
        article.reporter.error(Code.ARTICLE_BINARY,
                               "this is not a text file (NUL bytes); move it out of the articles folder")
        return None
    if len(data) > LARGE_ARTICLE_BYTES:
        article.reporter.warn(Code.ARTICLE_TOO_LARGE,
                              f"{len(data) / 2**20:.1f} MB article; it builds, but consider splitting it")
    return data


def take_title(article: Article, body: list[str]) -> list[str]:
    """Title: front matter, else the first heading, else the first line of plain text, else the slug.

    A heading or plain-text line that opens the body and becomes the title leaves the body:
    it is printed as the title. A heading further down stays where it is.
    """
    meta = article.meta
    article.emoji = str(meta.get("emoji") or "")
    article.lang = str(meta.get("lang") or "")
    if meta.get("title"):
        article.title = str(meta["title"]).strip()
        return body
    first = next((i for i, line in enumerate(body) if line.strip()), None)
    heading = next(((i, m) for i, line in enumerate(body) if (m := HEADING_LINE.match(line))), None)
    if heading is not None:
        index, match = heading
        article.title = match.group(2).strip()
        how = "the first heading"
    elif first is not None and article.dialect == "plain":
        index = first
        article.title = body[first].strip()[:TITLE_MAX_CHARS * 2]
        how = "the first line"
    else:
        article.title = article.slug
        return body
    line = article.body_lines[index] if index < len(article.body_lines) else None
    article.reporter.info(Code.FRONTMATTER_NO_TITLE, f"no title in front matter; using {how}", line)
    if index != first:
        return body
    del article.body_lines[index]
    return body[:index] + body[index + 1:]


def parse_article(article: Article) -> None:
    """Zenn text stage, then pandoc: sets article.markdown and article.doc."""
    if article.parsed or not article.usable:
        return
    rewritten = rewrite(article.body, article.body_lines, article.label, article.math_under_text)
    article.diagnostics.extend(rewritten.diagnostics)
    article.markdown = rewritten.text
    try:
        article.doc = markdown_to_doc(rewritten.text, article.label)
    except PandocError as exc:      # the tool failed, not the article: say which and why
        article.reporter.error(exc.code, f"{exc}; the article is left out")
