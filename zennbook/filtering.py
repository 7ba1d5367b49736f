"""Runs the filter chain over one article's AST.

Filters live in the top-level ``filters/`` package, one concern per file, with panflute's
``action(elem, doc)`` signature. Their shared state is ``doc.context`` (a FilterContext):
the article's path and source lines for diagnostics, the book, and the diagnostics collector.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import panflute as pf

from .diagnostics import Code, Diagnostics, Level


@dataclass
class FilterContext:
    path: str                              # article path as shown in diagnostics
    slug: str                              # article slug: scopes ids and footnotes
    diagnostics: Diagnostics
    article_dir: Path | None = None        # folder of the article file (relative images)
    root_dir: Path | None = None           # Zenn repository root (/images/... paths)
    book: Any = None                       # the Book model, when there is one
    cards: dict = field(default_factory=dict)      # URL -> {title, description}
    diagrams: dict = field(default_factory=dict)   # mermaid source hash -> rendered files

    def report(self, level: Level, code: Code, message: str, elem: pf.Element | None = None,
               line: int | None = None) -> None:
        self.diagnostics.add(level, code, message, self.path, line or source_line(elem))

    def warn(self, code: Code, message: str, elem: pf.Element | None = None,
             line: int | None = None) -> None:
        self.report(Level.WARNING, code, message, elem, line)


def source_line(elem: pf.Element | None) -> int | None:
    """The source line of `elem` or its nearest ancestor carrying `data-line`."""
    while elem is not None:
        attrs = getattr(elem, "attributes", None)
        if attrs and "data-line" in attrs:
            try:
                return int(attrs["data-line"])
            except ValueError:
                return None
        elem = elem.parent
    return None


def apply_filters(doc: pf.Doc, context: FilterContext, filters) -> pf.Doc:
    """Run each filter of `filters` over `doc` in order; each sees the previous one's tree."""
    doc.context = context
    for action in filters:
        doc = doc.walk(action, doc)
    return doc
