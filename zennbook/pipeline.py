"""The runner. It reads like the pipeline diagram:

    load book -> per article: read + normalize -> Zenn text stage -> pandoc AST ->
    mermaid (one batch) -> filters -> (stop on errors) -> each writer -> verify

Each article's result (its filtered AST, its diagnostics and the text verify looks for) is
cached by a hash of its source, the book's settings and our code: a rebuild re-reads only
the articles that changed.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import panflute as pf

from filters import FILTERS

from . import __version__
from .article import MAX_ARTICLE_BYTES, Article, parse_article, read_article
from .cache import Cache, code_fingerprint, sha256
from .config import Book
from .diagnostics import Diagnostic, Diagnostics
from .filtering import FilterContext, apply_filters, walk
from .outputs import LOCK_NAME, atomic_output, check_output_folder, locked, remove_stale_parts
from .pandoc import doc_to_json
from .progress import Progress
from .safety.paths import Refused, read_inside, read_regular
from .verify import Run, SourceText
from .writers import EXTENSIONS, writers


@dataclass
class BuildContext:
    """What the writers share: the build's date (reproducible), diagnostics, options."""
    diagnostics: Diagnostics
    epoch: int = field(default_factory=lambda: int(os.environ.get("SOURCE_DATE_EPOCH", time.time())))
    version: str = __version__
    cache_dir: Path | None = None
    pdf_report: dict = field(default_factory=dict)
    source: SourceText = field(default_factory=SourceText)   # the sources' text, before filters
    timings: dict = field(default_factory=dict)
    cache: Cache | None = None
    up_to_date: set = field(default_factory=set)   # formats whose output was already current
    progress: Progress = field(default_factory=Progress)   # stage and article on stderr; no-op by default

    def __post_init__(self):
        self.cache = self.cache or Cache(self.cache_dir)

    @property
    def date(self) -> str:
        return dt.datetime.fromtimestamp(self.epoch, dt.timezone.utc).strftime("%Y-%m-%d")


def article_label(path: Path) -> str:
    """Paths in diagnostics are relative to the working directory when they can be."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def book_fingerprint(book: Book) -> str:
    """The settings that change how an article is read and filtered."""
    return sha256(json.dumps(book.cards, sort_keys=True), str(book.root_dir.resolve()),
                  str(book.articles_dir.resolve()))


def article_key(path: Path, label: str, book: Book) -> str | None:
    """None when the file cannot be read as an article: read_article then says why."""
    try:
        data = read_inside(book.home, Path(os.path.abspath(path)), MAX_ARTICLE_BYTES)
    except Refused:
        return None
    return sha256(code_fingerprint(), book_fingerprint(book), label, data)


def load_articles(book: Book, diagnostics: Diagnostics, jobs: int = 2) -> list[Article]:
    """Read, normalize and parse every chapter (no cache); diagnostics collected, never raised."""
    paths = [book.articles_dir / f"{slug}.md" for slug in book.chapter_slugs]
    articles = parse_all([read_path(p, book) for p in paths], jobs)
    for article in articles:
        diagnostics.extend(article.diagnostics)
    return [a for a in articles if a.parsed]


def read_path(path: Path, book: Book) -> Article:
    return read_article(path, article_label(path), book.home)


def parse_all(articles: list[Article], jobs: int, progress: Progress | None = None) -> list[Article]:
    progress = progress or Progress()
    progress.stage("parse", len(articles))

    def parse(article: Article) -> None:
        progress.step(article.label)
        parse_article(article)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        list(pool.map(parse, articles))
    return articles


def render_mermaid(articles: list[Article], context: BuildContext) -> dict:
    """All diagrams of the book in one browser session, cached by content hash."""
    from filters.mermaid import mermaid_sources
    from .mermaid import render_diagrams
    sources = [s for a in articles for s in mermaid_sources(a.doc)]
    if not sources:
        return {}
    context.progress.stage("diagrams")
    context.progress.step(f"{len(sources)} diagram(s)")
    result = render_diagrams(sources, context.cache.root / "mermaid")
    return result.lookup()


def run_filters(book: Book, article: Article, diagrams: dict) -> None:
    """The filter chain over one article; its diagnostics stay with the article (and its cache)."""
    collected = Diagnostics()
    filter_context = FilterContext(
        path=article.label, slug=article.slug, diagnostics=collected,
        article_dir=article.path.parent, root_dir=book.root_dir, book=book,
        cards=book.cards, diagrams=diagrams)
    article.doc = apply_filters(article.doc, filter_context, FILTERS)
    article.diagnostics.extend(collected.items)


def prepare(book: Book, context: BuildContext, jobs: int = 2) -> list[Article]:
    """Everything up to the writers: the book's articles as filtered ASTs, cached per article."""
    started = time.perf_counter()
    paths = [book.articles_dir / f"{slug}.md" for slug in book.chapter_slugs]
    keys = [article_key(p, article_label(p), book) for p in paths]
    cached = [restore_article(context.cache, k, p) if k else None for k, p in zip(keys, paths)]
    progress = context.progress
    unread = [p for p, c in zip(paths, cached) if c is None]
    fresh = parse_all([read_path(p, book) for p in progress.track("read", unread, article_label)], jobs, progress)
    parsed = [a for a in fresh if a.parsed]
    context.timings["parse"] = time.perf_counter() - started
    diagrams = render_mermaid(parsed, context)
    fresh_by_path = {a.path: a for a in fresh}
    articles = []
    progress.stage("filters", len(parsed))
    for key, path, hit in zip(keys, paths, cached):
        article = hit or fresh_by_path[path]
        article.cache_key = key or ""
        if hit is None and article.parsed:
            progress.step(article.label)
            runs, expected = SourceText.of_article(article)
            run_filters(book, article, diagrams)
            article.verify_text = (runs, expected)
            article.files = files_used(article.doc)
            if key:
                context.cache.put_json_text("ast", key, doc_to_json(article.doc))
                context.cache.put("article", key, dump_article(article))
        context.diagnostics.extend(article.diagnostics)
        if article.parsed:
            context.source.add(*article.verify_text)
            articles.append(article)
    context.timings["prepare"] = time.perf_counter() - started
    progress.done()
    return articles


# -- the article cache ------------------------------------------------------------------

def dump_article(article: Article) -> dict:
    runs, expected = article.verify_text
    return {
        "slug": article.slug, "label": article.label, "title": article.title, "emoji": article.emoji,
        "meta": json.loads(json.dumps(article.meta, default=str)), "lang": article.lang,
        "body": article.body, "body_lines": article.body_lines,
        "diagnostics": [d.to_json() for d in article.diagnostics],
        "runs": [[r.text, r.key, r.article, r.line] for r in runs], "expected": expected,
        "files": article.files,
    }


def restore_article(cache: Cache, key: str, path: Path) -> Article | None:
    data = cache.get("article", key)
    if data is None or not all(Path(f).exists() for f in data["files"]):
        return None
    article = Article(slug=data["slug"], path=path, label=data["label"], title=data["title"],
                      emoji=data["emoji"], meta=data["meta"], lang=data["lang"], body=data["body"],
                      body_lines=data["body_lines"])
    ast_path = cache.path("ast", key)
    if not ast_path.exists():
        return None
    article._load_doc = lambda: pf.load(io.StringIO(ast_path.read_text(encoding="utf-8")))
    article.diagnostics = [Diagnostic.from_json(item) for item in data["diagnostics"]]
    article.verify_text = ([Run(*r) for r in data["runs"]], data["expected"])
    article.files = data["files"]
    return article


def files_used(doc: pf.Doc) -> list[str]:
    """Files the filtered tree points at (images, diagrams): a cache entry is good only while they exist."""
    found = []

    def visit(elem, _doc):
        attributes = getattr(elem, "attributes", None) or {}
        found.extend(attributes[k] for k in ("resolved", "svg", "pdf") if k in attributes)
    walk(doc, visit, doc)
    return found


# -- writing ----------------------------------------------------------------------------

def output_path(book: Book, out_dir: Path, fmt: str, version: str | None = None) -> Path:
    name = f"{book.slug}-{version}" if version else book.slug
    return out_dir / f"{name}{EXTENSIONS[fmt]}"


def output_names(book: Book, formats, version: str | None = None) -> list[str]:
    """Every name a build may write in the output folder."""
    return [output_path(book, Path("."), fmt, version).name for fmt in formats] + [STATE_FILE, LOCK_NAME]


STATE_FILE = ".zennbook-state.json"
STATE_MAX_BYTES = 16 * 1024 * 1024
OUTPUT_MAX_BYTES = 8 * 1024 ** 3


def output_key(book: Book, articles: list[Article], fmt: str, context: BuildContext) -> str:
    """Everything an output is made from; equal keys mean equal outputs (up to the build time)."""
    when = str(context.epoch) if "SOURCE_DATE_EPOCH" in os.environ else context.date
    return sha256(code_fingerprint(), repr(book), fmt, when,
                  *[a.cache_key or doc_to_json(a.doc) for a in articles])


def file_sha256(path: Path) -> str:
    """The output's hash; "" when there is no regular file of that name."""
    try:
        return sha256(read_regular(path, OUTPUT_MAX_BYTES))
    except Refused:
        return ""


def write_outputs(book: Book, articles: list[Article], formats, out_dir: Path,
                  context: BuildContext, version: str | None = None) -> dict[str, Path]:
    """Each requested writer, each output renamed into place only when complete.

    An output whose inputs have not changed since it was written is left as it is: a
    no-change rebuild runs no tool at all.
    """
    registry = writers()
    written = {}
    check_output_folder(out_dir, output_names(book, formats, version))
    with locked(out_dir):
        remove_stale_parts(out_dir)
        state = read_state(out_dir)
        formats = list(formats)
        context.progress.stage("write", len(formats))
        for fmt in formats:
            context.progress.step(fmt)
            final = output_path(book, out_dir, fmt, version)
            key = output_key(book, articles, fmt, context)
            started = time.perf_counter()
            previous = state.get(final.name, {})
            if previous.get("key") == key and previous.get("sha256") == file_sha256(final):
                context.up_to_date.add(fmt)
            else:
                with atomic_output(final) as temporary:
                    registry[fmt](book, articles, temporary, context)
                state[final.name] = {"key": key, "sha256": file_sha256(final)}
                write_state(out_dir, state)
            context.timings[fmt] = time.perf_counter() - started
            written[fmt] = final
    context.progress.done()
    return written


def was_verified(path: Path) -> bool:
    entry = read_state(path.parent).get(path.name, {})
    return bool(entry.get("verified")) and entry.get("sha256") == file_sha256(path)


def mark_verified(paths: list[Path]) -> None:
    """Record that these outputs, as they are now, passed verify: a build that finds them up
    to date does not read them again. An output changed since it was written is not marked."""
    if not paths:
        return
    with locked(paths[0].parent):
        state = read_state(paths[0].parent)
        for path in paths:
            if path.name in state and state[path.name].get("sha256") == file_sha256(path):
                state[path.name]["verified"] = True
        write_state(paths[0].parent, state)


def read_state(out_dir: Path) -> dict:
    try:
        return json.loads(read_regular(out_dir / STATE_FILE, STATE_MAX_BYTES).decode("utf-8"))
    except (Refused, ValueError):
        return {}


def write_state(out_dir: Path, state: dict) -> None:
    with atomic_output(out_dir / STATE_FILE) as temporary:
        temporary.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
