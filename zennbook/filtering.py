"""Runs the filter chain over one article's AST.

Filters live in the top-level ``filters/`` package, one concern per file, with panflute's
``action(elem, doc)`` signature. Their shared state is ``doc.context`` (a FilterContext):
the article's path, the book, and ``context.reporter``, which records a problem at the line
of the element it is found in (``reporter.warn(code, message, elem=elem)``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import panflute as pf

from .diagnostics import Diagnostics, Reporter
from .provenance import source_line

__all__ = ["FilterContext", "apply_filters", "source_line", "walk", "walk_items"]


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

    reporter: Reporter = field(init=False)

    def __post_init__(self) -> None:
        self.reporter = self.diagnostics.reporter(self.path)


def apply_filters(doc: pf.Doc, context: FilterContext, filters) -> pf.Doc:
    """Run each filter of `filters` over `doc` in order; each sees the previous one's tree."""
    doc.context = context
    for action in filters:
        doc = walk(doc, action, doc)
    return doc


def walk(elem: pf.Element, action, doc: pf.Doc | None = None):
    """panflute's ``elem.walk(action, doc)``, the same visits and the same result, without
    rebuilding every list of children on every walk.

    panflute builds each ListContainer anew after visiting it (a type check per child), which
    was most of a filter pass: on a 200,000-line book the nine filters spent ~60 s in it.
    Here a list is rebuilt only when an action replaced, removed or spliced one of its items.
    """
    for name in elem._children:
        child = getattr(elem, name)
        if isinstance(child, pf.ListContainer):
            walk_items(elem, name, child, action, doc)
        elif isinstance(child, pf.Element):
            altered = walk(child, action, doc)
            if altered is not child:
                setattr(elem, name, altered)
        elif isinstance(child, pf.DictContainer):
            setattr(elem, name, child.walk(action, doc))     # metadata: small, panflute's own walk
        elif child is not None:
            raise TypeError(type(child))
    altered = action(elem, doc)
    return elem if altered is None else altered


def walk_items(parent: pf.Element, name: str, items: pf.ListContainer, action, doc) -> None:
    """Visit a list by index, as panflute does (an action may change the list while it is
    walked), and set it again only if the visits changed what it holds."""
    results, index = [], 0
    while index < len(items.list):
        item = items[index]          # attaches parent, location and index, as panflute's walk
        altered = walk(item, action, doc)
        if type(altered) is list:
            results.extend(altered)
        else:
            results.append(altered)
        index += 1
    if len(results) != len(items.list) or any(a is not b for a, b in zip(results, items.list)):
        setattr(parent, name, results)
