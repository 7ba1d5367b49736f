"""The runner. It reads like the pipeline diagram:

    load book -> per article: read + normalize -> Zenn text stage -> pandoc AST ->
    mermaid (one batch) -> filters -> (stop on errors) -> each writer -> verify
"""
from __future__ import annotations

import datetime as dt
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from filters import FILTERS

from . import __version__
from .article import Article, parse_article, read_article
from .config import Book
from .diagnostics import Code, Diagnostics
from .filtering import FilterContext, apply_filters
from .outputs import atomic_output, locked
from .verify import SourceText
from .writers import EXTENSIONS, writers


@dataclass
class BuildContext:
    """What the writers share: the build's date (reproducible), diagnostics, options."""
    diagnostics: Diagnostics
    epoch: int = field(default_factory=lambda: int(os.environ.get("SOURCE_DATE_EPOCH", time.time())))
    version: str = __version__
    cache_dir: Path | None = None
    pdf_report: dict = field(default_factory=dict)
    source: object = None        # verify.SourceText: the sources' text, taken before filters
    timings: dict = field(default_factory=dict)

    @property
    def date(self) -> str:
        return dt.datetime.fromtimestamp(self.epoch, dt.timezone.utc).strftime("%Y-%m-%d")


def article_label(path: Path) -> str:
    """Paths in diagnostics are relative to the working directory when they can be."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_articles(book: Book, diagnostics: Diagnostics, jobs: int = 2) -> list[Article]:
    """Read, normalize and parse every chapter; diagnostics collected, nothing raised for content."""
    paths = [book.articles_dir / f"{slug}.md" for slug in book.chapter_slugs]
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        articles = list(pool.map(lambda p: read_article(p, article_label(p)), paths))
        list(pool.map(parse_article, articles))
    for article in articles:
        diagnostics.extend(article.diagnostics)
    return [a for a in articles if a.doc is not None]


def render_mermaid(articles: list[Article], context: BuildContext) -> dict:
    """All diagrams of the book in one browser session, cached by content hash."""
    from filters.mermaid import mermaid_sources
    from .mermaid import render_diagrams
    sources = [s for a in articles for s in mermaid_sources(a.doc)]
    if not sources:
        return {}
    cache = (context.cache_dir or Path(".zennbook-cache")) / "mermaid"
    result = render_diagrams(sources, cache)
    if result.unavailable:
        context.diagnostics.warning(Code.MERMAID_UNAVAILABLE,
                                    f"diagrams shown as source: {result.unavailable}")
    return result.diagrams


def run_filters(book: Book, articles: list[Article], context: BuildContext, diagrams: dict) -> None:
    for article in articles:
        filter_context = FilterContext(
            path=article.label, slug=article.slug, diagnostics=context.diagnostics,
            article_dir=article.path.parent, root_dir=book.root_dir, book=book,
            cards=book.cards, diagrams=diagrams)
        article.doc = apply_filters(article.doc, filter_context, FILTERS)


def prepare(book: Book, context: BuildContext, jobs: int = 2) -> list[Article]:
    """Everything up to the writers: the book's articles as filtered ASTs."""
    started = time.perf_counter()
    articles = load_articles(book, context.diagnostics, jobs)
    context.timings["parse"] = time.perf_counter() - started
    context.source = SourceText()
    for article in articles:
        context.source.add_article(article, context.diagnostics.items)
    diagrams = render_mermaid(articles, context)
    context.timings["mermaid"] = time.perf_counter() - started - context.timings["parse"]
    run_filters(book, articles, context, diagrams)
    context.timings["prepare"] = time.perf_counter() - started
    return articles


def output_path(book: Book, out_dir: Path, fmt: str, version: str | None = None) -> Path:
    name = f"{book.slug}-{version}" if version else book.slug
    return out_dir / f"{name}{EXTENSIONS[fmt]}"


def write_outputs(book: Book, articles: list[Article], formats, out_dir: Path,
                  context: BuildContext, version: str | None = None) -> dict[str, Path]:
    """Each requested writer, each output renamed into place only when complete."""
    registry = writers()
    written = {}
    with locked(out_dir):
        for fmt in formats:
            final = output_path(book, out_dir, fmt, version)
            started = time.perf_counter()
            with atomic_output(final) as temporary:
                registry[fmt](book, articles, temporary, context)
            context.timings[fmt] = time.perf_counter() - started
            written[fmt] = final
    return written
