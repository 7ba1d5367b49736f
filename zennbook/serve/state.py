"""The preview's book, kept in memory: loaded and prepared once, then prepared again one
article at a time.

    start()           load the book -> `prepare` every chapter (the runner's stage; from the
                      caches when it can) -> the page rendered by the HTML writer
    refresh(paths)    the files that changed -> the chapters they concern -> `prepare` on a
                      book of just those chapters -> the page rendered again (every other
                      chapter's HTML comes from the cache held in memory)

An article that now has errors, or that a bug of ours stopped, keeps its last good render on
the page, marked stale, and its errors are shown until they are fixed. A book file that no
longer loads keeps the last good book. Nothing here runs a writer that writes a file: the
page lives in memory only.
"""
from __future__ import annotations

import copy
import dataclasses
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import panflute as pf

from ..article import Article
from ..cache import sha256
from ..config import ConfigError, Part, load_book
from ..diagnostics import Diagnostic, Diagnostics, Level, internal_error
from ..filtering import walk
from ..pipeline import BuildContext, article_label, prepare
from ..provenance import DATA_LINE, is_anchor, own_line
from ..writers.common import copy_doc, id_slug
from ..writers.html import render_book_html
from .memory import MemoryCache
from .overlay import inject_overlay

BOOK_FILES = (".yaml", ".yml")        # the book file, a folder's book.yaml, cards.yaml
SOURCE_LINE = "data-source-line"      # the preview keeps each block's source line under this name
# One chapter of the rendered page (html/book.html.j2). An article cannot close it early:
# its raw HTML is shown as text, so `</article>` in it is escaped.
CHAPTER_OPEN, CHAPTER_CLOSE = '<article class="chapter" id="{}"', "</article>"


@dataclass(frozen=True)
class BookArgs:
    """How the command line named the book."""
    book_path: Path | None = None
    articles_dir: Path | None = None
    no_license: bool = False


@dataclass(frozen=True)
class Update:
    """One refresh: the page's new version and the chapters that changed."""
    version: int
    chapters: list[str]
    slugs: list[str]
    seconds: float
    summary: str
    swap: bool          # only these chapters' HTML changed: a page can swap them in place


@dataclass
class Preview:
    args: BookArgs
    cache_dir: Path | None = None
    debug: bool = False
    book: object = None
    good: dict[str, Article] = field(default_factory=dict)        # slug -> its last good article
    said: dict[str, list[Diagnostic]] = field(default_factory=dict)   # slug -> its latest attempt's
    stale: set[str] = field(default_factory=set)                  # shown from the last good render
    config_said: list[Diagnostic] = field(default_factory=list)   # the book file's
    page_said: list[Diagnostic] = field(default_factory=list)     # the HTML page's (its writer's)
    page: bytes = b""
    state: bytes = b"{}"
    version: int = 0                  # one more on every refresh
    page_version: int = 0             # the refresh `page` is (or, when due, will be) made by
    page_due: bool = False            # chapters were swapped: the whole page is made next
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(18))

    def __post_init__(self):
        self.cache = MemoryCache(self.cache_dir)
        self.lock = threading.Lock()
        self.files: dict[str, set[str]] = {}      # a file an article embeds -> the slugs that embed it
        self.chapters: dict[str, bytes] = {}      # chapter id -> its <article> on the page

    # -- the two entry points -------------------------------------------------------------

    def start(self) -> Diagnostics:
        """The first build; its diagnostics. Raises ConfigError (the problems in
        `config_said`) when the book cannot be loaded at all."""
        with self.lock:
            if not self.reload_book():
                raise ConfigError("the book cannot be loaded")
            self.prepare_chapters(self.book.chapter_slugs)
            self.version += 1
            self.render()
            self.state = self.report_json()
            return self.all_diagnostics()

    def refresh(self, paths) -> Update | None:
        """The changed files' chapters prepared again; None when no changed file is part of
        the book. When only chapter bodies changed, only those chapters are rendered (the
        open pages swap them in) and the whole page is due (`finish_page`); otherwise the
        whole page is rendered now."""
        with self.lock:
            started = time.perf_counter()
            outline, book = self.outline(), self.book
            slugs = self.concerned({Path(p) for p in paths})
            if slugs is None:
                return None
            self.prepare_chapters(slugs)
            self.version += 1
            swap = bool(slugs) and self.book is book and self.outline() == outline and self.render_chapters(slugs)
            if not swap:
                self.render()
            self.state = self.report_json()
            said = Diagnostics(items=[d for s in slugs for d in self.said.get(s, [])])
            return Update(self.version, [chapter_id(s) for s in slugs], list(slugs),
                          time.perf_counter() - started, said.summary(), swap)

    def finish_page(self) -> None:
        """The whole page, when a swap left it due (every chapter's HTML is in memory by now).
        It is made outside the lock, so a save meanwhile is not held up; a page made from a
        book a save has changed since is dropped (the page stays due)."""
        with self.lock:
            if not self.page_due:
                return
            version, book = self.version, self.book
            articles = [self.good[s] for s in book.chapter_slugs if s in self.good]
        html, said = self.rendered(articles, book)
        with self.lock:
            if self.version != version or not self.page_due:
                return
            self.page_said = said
            if html is not None:
                self.page = inject_overlay(html, self.nonce, self.version).encode("utf-8")
            self.page_due = False
            self.state = self.report_json()

    # -- what a change concerns -------------------------------------------------------------

    def concerned(self, paths: set[Path]) -> list[str] | None:
        """The chapters to prepare again, in book order (all of them after a book file
        changed and loaded); None when no path concerns the book."""
        slugs = set()
        for path in paths:
            if path.suffix in BOOK_FILES:
                if self.reload_book():
                    return list(self.book.chapter_slugs)
                return []           # the last good book stays; its problems are shown
            slugs |= self.chapters_of(path)
        if not slugs:
            return None
        return [s for s in self.book.chapter_slugs if s in slugs]

    def chapters_of(self, path: Path) -> set[str]:
        if path.name.startswith((".", "#")):
            return set()            # an editor's lock, swap or backup file
        resolved = str(Path(os.path.realpath(path.parent)) / path.name)
        articles = Path(os.path.realpath(self.book.articles_dir))
        if path.suffix == ".md" and Path(resolved).parent == articles:
            if path.stem in self.book.chapter_slugs:
                return {path.stem}
            if self.args.articles_dir is not None and self.reload_book():   # a chapter came or went
                return set(self.book.chapter_slugs)
        return set(self.files.get(resolved, ()))

    def watched_folders(self) -> set[Path]:
        """The folders whose files make the book: the book file's, the articles', the images'."""
        folders = {Path(os.path.realpath(self.book.articles_dir))}
        if self.book.config_path is not None:
            folders.add(Path(os.path.realpath(self.book.config_path)).parent)
        folders |= {Path(f).parent for f in self.files}
        return {f for f in folders if f.is_dir()}

    # -- the pipeline's stages --------------------------------------------------------------

    def reload_book(self) -> bool:
        """The book file read again; False (and the last good book kept) when it cannot be."""
        diagnostics = Diagnostics()
        try:
            book = load_book(self.args.book_path, self.args.articles_dir, diagnostics,
                             require_license=not self.args.no_license)
        except ConfigError:
            self.config_said = diagnostics.items
            return False
        self.book, self.config_said = book, diagnostics.items
        self.cache.fit(len(book.chapter_slugs))
        self.good = {s: a for s, a in self.good.items() if s in book.chapter_slugs}
        return True

    def context(self) -> BuildContext:
        return BuildContext(diagnostics=Diagnostics(silenced=self.book.silence), cache=self.cache,
                            cache_dir=self.cache_dir, debug=self.debug)

    def prepare_chapters(self, slugs: list[str]) -> None:
        """`prepare` on a book of just these chapters (same folders, so the same cache keys)."""
        if not slugs:
            return
        subset = dataclasses.replace(self.book, parts=(Part("", tuple(slugs)),))
        context = self.context()
        prepared = {a.slug: a for a in prepare(subset, context)}
        for slug in slugs:
            label = article_label(self.book.articles_dir / f"{slug}.md")
            said = [d for d in context.diagnostics.items if d.path == label]
            self.said[slug] = said
            self.keep(slug, prepared.get(slug), any(d.level >= Level.ERROR for d in said))
        self.files = {}
        for slug, article in self.good.items():
            for name in article.files:
                self.files.setdefault(str(Path(name).resolve()), set()).add(slug)

    def keep(self, slug: str, article: Article | None, has_errors: bool) -> None:
        """The new render replaces the last good one unless it has errors (or none came)."""
        if (article is None or has_errors) and slug in self.good:
            self.stale.add(slug)
            return
        self.stale.discard(slug)
        if article is not None:
            self.good[slug] = article

    def outline(self) -> list[tuple]:
        """What the page shows outside the chapters' bodies (the table of contents)."""
        return [(s, a.title, a.emoji) for s, a in self.good.items() if s in self.book.chapter_slugs]

    def render(self) -> None:
        """The whole page from the good articles; when it cannot be rendered, the last page stays."""
        html, self.page_said = self.rendered([self.good[s] for s in self.book.chapter_slugs if s in self.good],
                                             self.book)
        if html is not None:
            self.page = inject_overlay(html, self.nonce, self.version).encode("utf-8")
        self.page_version, self.page_due = self.version, False

    def render_chapters(self, slugs: list[str]) -> bool:
        """Only these chapters, cut from a page that holds only them; False when that fails."""
        html, self.page_said = self.rendered([self.good[s] for s in slugs if s in self.good], self.book)
        if html is None:
            return False
        self.chapters = chapters_of_page(html, [chapter_id(s) for s in slugs])
        self.page_version, self.page_due = self.version, True
        return True

    def rendered(self, articles: list[Article], book) -> tuple[str | None, list[Diagnostic]]:
        """The HTML writer's page for these articles (the preview's copies) and what it said;
        no page, and the error for the panel, when a bug of ours stops it."""
        context = BuildContext(diagnostics=Diagnostics(silenced=book.silence), cache=self.cache,
                               cache_dir=self.cache_dir, debug=self.debug)
        try:
            html = render_book_html(book, [with_source_lines(a) for a in articles], context)
        except Exception as exc:      # noqa: BLE001 -- our bug: the last page stays, the error is shown
            if self.debug:
                raise
            return None, [internal_error("the HTML page", exc)]
        return html, context.diagnostics.items

    def report_json(self) -> bytes:
        return json.dumps(self.report(), ensure_ascii=False).encode("utf-8")

    # -- what the overlay shows ---------------------------------------------------------------

    def all_diagnostics(self) -> Diagnostics:
        items = [*self.config_said, *self.page_said, *(d for s in self.book.chapter_slugs for d in self.said.get(s, []))]
        return Diagnostics(items=items)

    def report(self) -> dict:
        """The overlay's data: diagnostics grouped by article, in book order."""
        groups = []
        if shown := visible([*self.config_said, *self.page_said]):
            groups.append({"label": str(self.book.config_path or "book"), "title": "", "chapter": "",
                           "stale": False, "items": shown})
        for slug in self.book.chapter_slugs:
            items = visible(self.said.get(slug, []))
            if items or slug in self.stale:
                article = self.good.get(slug)
                groups.append({"label": article_label(self.book.articles_dir / f"{slug}.md"),
                               "title": article.title if article else slug, "chapter": chapter_id(slug),
                               "stale": slug in self.stale, "items": items})
        every = self.all_diagnostics()
        return {"version": self.version, "errors": every.count(Level.ERROR),
                "warnings": every.count(Level.WARNING), "groups": groups}


def chapters_of_page(html: str, ids: list[str]) -> dict[str, bytes]:
    """Each chapter's `<article>` element, cut from the page (found, not parsed: the page is
    megabytes and a save needs one chapter)."""
    found = {}
    for identifier in ids:
        start = html.find(CHAPTER_OPEN.format(identifier))
        end = html.find(CHAPTER_CLOSE, start)
        if start >= 0 and end >= 0:
            found[identifier] = html[start:end + len(CHAPTER_CLOSE)].encode("utf-8")
    return found


def visible(items: list[Diagnostic]) -> list[dict]:
    """Errors and warnings, as the overlay lists them (INFO stays on the terminal's side)."""
    return [{"level": d.level.name, "code": d.code.value, "message": d.message, "line": d.line,
             "text": str(d)} for d in items if d.level >= Level.WARNING]


def chapter_id(slug: str) -> str:
    """The id the HTML writer gives the chapter (writers/html.py chapter_id)."""
    return f"ch-{id_slug(slug)}"


def with_source_lines(article: Article) -> Article:
    """The article for the preview page: each block keeps its source line (`data-source-line`:
    the writer drops `data-line`), and its HTML is cached under a key of its own, apart from
    the published page's."""
    preview = copy.copy(article)
    preview.cache_key = sha256("serve", article.cache_key) if article.cache_key else ""
    preview._doc, preview._load_doc = None, lambda: marked(copy_doc(article.doc))
    return preview


def marked(doc):
    """Each block's line as `data-source-line` on an element the page can show: a paragraph's
    (its anchor, see provenance) on a div around it, so that a clicked diagnostic's flash is
    seen; the anchor itself is dropped by the writer as on the published page."""
    def mark(elem, _doc):
        if isinstance(elem, (pf.Para, pf.Plain)) and (line := own_line(elem)) is not None:
            return pf.Div(elem, attributes={SOURCE_LINE: str(line)})
        attributes = getattr(elem, "attributes", None)
        if attributes and DATA_LINE in attributes and not is_anchor(elem):
            attributes[SOURCE_LINE] = attributes[DATA_LINE]
        return None
    walk(doc, mark, doc)
    return doc
