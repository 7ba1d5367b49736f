"""The preview's book, kept in memory: loaded and prepared once, then prepared again one
article at a time.

    start()           load the book -> `prepare` the first chapters (the runner's stage; from
                      the caches when it can) -> the page, the others standing in as "being
                      prepared" -> served at once
    fill(told)        the chapters start left, in batches that double (1, 2, 4, ...: a
                      mermaid or pandoc start is paid per batch, not per chapter), each batch
                      swapped into the page and told to the open pages
    refresh(paths)    the files that changed -> the chapters they concern -> `prepare` on a
                      book of just those chapters -> only those chapters rendered (a page of
                      just them, cut) and swapped into the page's pieces (pieces.py)

No save runs the template over the whole book: the page is held in pieces, and a save
replaces one. Only a change of the book file (the parts, their titles) renders it all.
Once every chapter is in, the page is exactly the one `start` would render from them all.

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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import panflute as pf

from ..article import Article
from ..cache import sha256
from ..config import ConfigError, Part, load_book
from ..diagnostics import Diagnostic, Diagnostics, Level, internal_error
from ..filtering import walk
from ..pipeline import BuildContext, article_label, prepare
from ..provenance import DATA_LINE, is_anchor
from ..writers.common import copy_doc, id_slug
from ..writers.html import chapter as chapter_entry, render_book_html, render_page
from .memory import MemoryCache
from .pieces import TOC, Pieces, cut

BOOK_FILES = (".yaml", ".yml")        # the book file, a folder's book.yaml, cards.yaml
SOURCE_LINE = "data-source-line"      # the preview keeps each block's source line under this name
FIRST_BATCH = 1                       # chapters prepared before the page is first served
SWAPS_KEPT = 256                      # a page that missed more than these reloads whole
PENDING_BODY = '<p class="zb-pending">この章は準備中です / this chapter is being prepared</p>'


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
    swap: bool          # only these chapters (and the contents, `toc`) changed: a page swaps them in place
    toc: bool = False
    stages: dict = field(default_factory=dict)     # seconds per stage, for the terminal and the bench

    def event(self, follow: bool = True) -> dict:
        """The `reload` event: `follow`, the page goes to the edited chapter (a save), or
        stays where its reader is (a chapter that came in while the book was filling)."""
        return {"version": self.version, "chapters": self.chapters, "swap": self.swap, "toc": self.toc,
                "follow": follow}


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
    state: bytes = b"{}"
    version: int = 0                  # one more on every refresh
    page_version: int = 0             # the refresh the page's pieces are (a page older than it reloads)
    nonce: str = field(default_factory=lambda: secrets.token_urlsafe(18))

    def __post_init__(self):
        self.cache = MemoryCache(self.cache_dir)
        self.lock = threading.Lock()
        self.files: dict[str, set[str]] = {}      # a file an article embeds -> the slugs that embed it
        self.pieces = Pieces()
        self.shown: list[str] = []                # the chapters the page has a piece for
        self.outline_shown: list[tuple] = []      # the contents the page shows
        self.swaps: list[Update] = []             # the swaps since the page was last rendered whole

    @property
    def page(self) -> bytes:
        return self.pieces.page(self.nonce, self.page_version)

    def page_now(self) -> bytes:
        """The page, its pieces all from one refresh."""
        with self.lock:
            return self.page

    def chapter(self, name: str) -> bytes | None:
        """One chapter's `<article>` (or the contents' list, `toc`) as the page has it now."""
        return self.pieces.get(name)

    def characters(self) -> set[str]:
        """Every character of the book's articles (the proofs' fonts are cut to them)."""
        with self.lock:
            articles = list(self.good.values())
        return set().union(*(a.body for a in articles))

    # -- the entry points ---------------------------------------------------------------

    def start(self, first: int | None = FIRST_BATCH) -> Diagnostics:
        """The first page: the first `first` chapters prepared (None: all), the others stand
        in until `fill`; the diagnostics so far. Raises ConfigError (the problems in
        `config_said`) when the book cannot be loaded at all."""
        with self.lock:
            if not self.reload_book():
                raise ConfigError("the book cannot be loaded")
            slugs = self.book.chapter_slugs
            self.prepare_chapters(slugs if first is None else slugs[:first])
            self.version += 1
            self.render()
            self.state = self.report_json()
            return self.all_diagnostics()

    def fill(self, told=lambda update: None, stopped: threading.Event | None = None) -> Diagnostics:
        """The chapters `start` left, in batches that double; each batch swapped in and
        `told`. Prepared outside the lock, so a save meanwhile is not held up (and a chapter
        a save prepared first is not prepared again). The diagnostics of the whole book."""
        size = max(1, FIRST_BATCH)
        while not (stopped and stopped.is_set()):
            with self.lock:
                book, batch = self.book, self.pending()[:size]
            if not batch:
                break
            started = time.perf_counter()
            prepared, context = self.prepared(book, batch)
            self.rendered(list(prepared.values()), book)     # their HTML into the cache, outside the lock too
            size *= 2
            with self.lock:
                batch = [s for s in batch if s not in self.said]     # a save may have come first
                if self.book is not book or not batch:
                    continue            # the book file changed meanwhile: it was rendered afresh
                self.take(batch, prepared, context)
                update = self.changed(batch, book, started)
            told(update)
        with self.lock:
            if set(self.shown) != set(self.good):       # a chapter that never came: the page as `build` has it
                self.version += 1
                self.render()
                self.state = self.report_json()
                told(Update(self.version, [], [], 0.0, "", False))
            return self.all_diagnostics()

    def pending(self) -> list[str]:
        """The chapters never prepared yet, in book order."""
        return [s for s in self.book.chapter_slugs if s not in self.said]

    def refresh(self, paths) -> Update | None:
        """The changed files' chapters prepared again; None when no changed file is part of
        the book. When only chapters changed, only they (and the contents, when a title
        changed) are rendered and swapped into the page; otherwise the whole page is."""
        with self.lock:
            started = time.perf_counter()
            book = self.book
            slugs = self.concerned({Path(p) for p in paths})
            if slugs is None:
                return None
            stages = {"concerned": time.perf_counter() - started}
            self.prepare_chapters(slugs)
            stages["prepare"] = time.perf_counter() - started - stages["concerned"]
            return self.changed(slugs, book, started, stages)

    def changed(self, slugs: list[str], book, started: float, stages: dict | None = None) -> Update:
        """The page after these chapters were prepared: swapped in when the parts are the
        same, rendered whole otherwise; the update the open pages are told."""
        stages = dict(stages or {})
        self.version += 1
        before = time.perf_counter()
        swapped = self.swap_in(slugs) if slugs and self.book is book else None
        if swapped is None:
            self.render()
        stages["render"] = time.perf_counter() - before
        self.state = self.report_json()
        said = Diagnostics(items=[d for s in slugs for d in self.said.get(s, [])])
        update = Update(self.version, [chapter_id(s) for s in slugs], list(slugs), time.perf_counter() - started,
                        said.summary(), swapped is not None, bool(swapped), stages)
        if update.swap:
            self.swaps = [*self.swaps[-(SWAPS_KEPT - 1):], update]
        return update

    def since(self, version: int) -> dict | None:
        """The `reload` event for a page made at `version` that missed what came after (it
        was loading): the chapters swapped since, when only swaps came; None: it is current;
        a whole reload when the page was rendered whole since, or too much came."""
        if version == self.page_version:
            return None
        missed = [u for u in self.swaps if u.version > version]
        if not missed or missed[0].version != version + 1:
            return {"version": self.page_version, "chapters": [], "swap": False}
        chapters = list(dict.fromkeys(c for u in missed for c in u.chapters))
        return {"version": self.page_version, "chapters": chapters, "swap": True,
                "toc": any(u.toc for u in missed), "follow": False}

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

    def prepared(self, book, slugs: list[str]) -> tuple[dict[str, Article], BuildContext]:
        """`prepare` on a book of just these chapters (same folders, so the same cache keys)."""
        subset = dataclasses.replace(book, parts=(Part("", tuple(slugs)),))
        context = BuildContext(diagnostics=Diagnostics(silenced=book.silence), cache=self.cache,
                               cache_dir=self.cache_dir, debug=self.debug)
        return {a.slug: a for a in prepare(subset, context)}, context

    def prepare_chapters(self, slugs: list[str]) -> None:
        if slugs:
            self.take(slugs, *self.prepared(self.book, slugs))

    def take(self, slugs: list[str], prepared: dict[str, Article], context: BuildContext) -> None:
        """What `prepared` made of these chapters: each one's diagnostics, its good render."""
        for slug in slugs:
            label = article_label(self.book.articles_dir / f"{slug}.md")
            said = [d for d in context.diagnostics.items if d.path == label]
            self.said[slug] = said
            self.keep(slug, prepared.get(slug), any(d.level >= Level.ERROR for d in said))
            for slugs_of_file in self.files.values():       # what it embedded before
                slugs_of_file.discard(slug)
            if slug in self.good:
                for name in self.good[slug].files:
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
        """What the contents show: each chapter's title and emoji (a pending one's slug)."""
        return [(s, self.good[s].title, self.good[s].emoji) if s in self.good else (s,)
                for s in self.book.chapter_slugs if s in self.good or s not in self.said]

    def entries(self, bodies: bool, context: BuildContext | None = None) -> dict[str, dict]:
        """The template's chapters: the good ones (with their bodies, or none: the contents
        only), and a stand-in for each chapter not prepared yet."""
        book, context = self.book, context or self.page_context()

        def entry(slug: str) -> dict | None:
            if slug in self.good:
                return chapter_entry(book, with_source_lines(self.good[slug]), context, None if bodies else "",
                                     code_cache=self.cache)
            return chapter_entry(book, stand_in(book, slug), body=PENDING_BODY) if slug not in self.said else None
        # a body not in the cache runs pandoc in its own process: side by side, as the writer does
        with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 2)) as pool:
            made = dict(zip(book.chapter_slugs, pool.map(entry, book.chapter_slugs)))
        return {slug: made_entry for slug, made_entry in made.items() if made_entry is not None}

    def page_context(self) -> BuildContext:
        return BuildContext(diagnostics=Diagnostics(silenced=self.book.silence), cache=self.cache,
                            cache_dir=self.cache_dir, debug=self.debug)

    def render(self) -> None:
        """The whole page, from the good articles and the stand-ins; when it cannot be
        rendered, the last page stays."""
        context = self.page_context()
        try:
            html = render_page(self.book, self.entries(True, context), context)
        except Exception as exc:      # noqa: BLE001 -- our bug: the last page stays, the error is shown
            if self.debug:
                raise
            self.page_said = [internal_error("the HTML page", exc)]
            return
        self.page_said = context.diagnostics.items
        self.shown = [s for s in self.book.chapter_slugs if s in self.good or s not in self.said]
        self.pieces = Pieces(html, [TOC, *(chapter_id(s) for s in self.shown)])
        self.outline_shown, self.page_version, self.swaps = self.outline(), self.version, []

    def swap_in(self, slugs: list[str]) -> bool | None:
        """Only these chapters rendered (a page of just them, cut) and swapped into the
        pieces, and the contents when a title changed; None when the page must be rendered
        whole (a chapter not on it, or our bug), else whether the contents changed."""
        html, said = self.rendered([self.good[s] for s in slugs if s in self.good], self.book)
        if html is None:
            return None
        found = cut(html, [chapter_id(s) for s in slugs if s in self.good])
        toc = self.outline() != self.outline_shown
        if toc:
            found[TOC] = cut(render_page(self.book, self.entries(bodies=False), self.page_context()), [TOC])[TOC]
        gone = any(s not in self.good for s in slugs if s in self.shown)     # a stand-in whose chapter failed
        if gone or not self.pieces.replace(found):
            return None
        self.page_said = said
        self.outline_shown, self.page_version = self.outline(), self.version
        return toc

    def rendered(self, articles: list[Article], book) -> tuple[str | None, list[Diagnostic]]:
        """The HTML writer's page for these articles (the preview's copies) and what it said;
        no page, and the error for the panel, when a bug of ours stops it."""
        context = self.page_context()
        try:
            html = render_book_html(book, [with_source_lines(a) for a in articles], context, code_cache=self.cache)
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
        """The overlay's data: diagnostics grouped by article, in book order, and how many
        chapters are still being prepared."""
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
                "warnings": every.count(Level.WARNING), "groups": groups,
                "pending": len(self.pending()), "chapters": len(self.book.chapter_slugs)}


def stand_in(book, slug: str) -> Article:
    """A chapter not prepared yet, as the contents and the page show it until it is."""
    return Article(slug=slug, path=book.articles_dir / f"{slug}.md", label=slug, title=slug)


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
    """Each block's line as `data-source-line` on the page: on the block's own element, or for
    a paragraph, list item or cell (no attributes in pandoc) on its anchor, kept as an empty
    span that the overlay's flash shows through its parent. The page stays the build's page
    but for these marks."""
    def mark(elem, _doc):
        attributes = getattr(elem, "attributes", None)
        if not attributes or DATA_LINE not in attributes:
            return None
        if is_anchor(elem):
            return pf.Span(attributes={SOURCE_LINE: attributes[DATA_LINE]})
        attributes[SOURCE_LINE] = attributes[DATA_LINE]
        return None
    walk(doc, mark, doc)
    return doc
