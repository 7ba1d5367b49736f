"""The runner: `build(book, options) -> BuildResult`, the one orchestration every verb calls
(`build` and `release` call it whole; `check`, `verify` and `proof` call its named stages).
It reads like the pipeline diagram:

    load book (the caller: config.load_book)
    -> prepare: per article: read + normalize -> Zenn text stage -> pandoc AST ->
       mermaid (one batch) -> filters; each article's result cached by its inputs
    -> gate: with --strict any warning stops here; otherwise errors stop only a book
       with no article left to build
    -> write: each writer; an output whose inputs did not change is kept, and what its
       writer said then is said again
    -> verify: each output read as a reader would; the verdict is kept with the output, so
       an unchanged output is not read again

A failure of one article (a bug of ours) or of one writer (a tool, the disk, a bug) is a
located `[internal]` or `[tool.*]` error; the rest of the book goes on, and
`BuildResult.exit_code` is 1.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import errno
import io
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import panflute as pf

from .filters import FILTERS

from . import __version__
from .article import MAX_ARTICLE_BYTES, Article, parse_article, read_article
from .cache import Cache, code_fingerprint, file_sha256, sha256
from .config import Book
from .diagnostics import Code, Diagnostic, Diagnostics, Level, ZennbookError, internal_error
from .safety.sandbox import note_sandbox
from .filtering import FilterContext, apply_filters, walk
from .outputs import LOCK_NAME, atomic_output, check_output_folder, locked, remove_stale_parts
from .pandoc import doc_to_json
from .progress import Progress
from .safety.paths import Refused, read_inside, read_regular
from .verify import OutputCheck, Run, SourceText, verify_outputs
from .writers import ALL_FORMATS, EXTENSIONS, FORMATS, writers

DISK_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EROFS, errno.EFBIG)


@dataclass(frozen=True)
class Options:
    """Everything a verb asks of a build, in one frozen object."""
    formats: tuple[str, ...] = FORMATS
    out_dir: Path = Path("dist")
    strict: bool = False           # any warning stops the build before anything is written
    jobs: int = 2                  # articles prepared, and LaTeX jobs run, in parallel
    verify: bool = True
    version: str | None = None     # a release: output names carry the version
    epoch: int | None = None       # the build's date (SOURCE_DATE_EPOCH); None: now
    cache_dir: Path | None = None
    debug: bool = False            # an internal error is raised, with its traceback
    progress: Progress = field(default_factory=Progress, compare=False)


@dataclass
class BuildContext:
    """What the writers share: the build's date (reproducible), diagnostics, options."""
    diagnostics: Diagnostics
    epoch: int = field(default_factory=lambda: int(os.environ.get("SOURCE_DATE_EPOCH", time.time())))
    version: str = __version__
    cache_dir: Path | None = None
    jobs: int = 2                  # articles prepared at once; LaTeX jobs run at once
    source: SourceText = field(default_factory=SourceText)   # the sources' text, before filters
    timings: dict = field(default_factory=dict)
    cache: Cache | None = None
    progress: Progress = field(default_factory=Progress)   # stage and article on stderr; no-op by default
    debug: bool = False

    def __post_init__(self):
        self.cache = self.cache or Cache(self.cache_dir)

    @property
    def date(self) -> str:
        return dt.datetime.fromtimestamp(self.epoch, dt.timezone.utc).strftime("%Y-%m-%d")


@dataclass
class BuildResult:
    """What a build did: its diagnostics (the writers' and verify's included, replayed for
    outputs that were up to date), what it wrote, what it verified, how long each step took."""
    diagnostics: Diagnostics
    articles: list[Article] = field(default_factory=list)
    written: dict[str, Path] = field(default_factory=dict)
    up_to_date: set[str] = field(default_factory=set)
    timings: dict = field(default_factory=dict)
    coverage: list[dict] = field(default_factory=list)    # verify's rows, one per output
    verified: dict[str, bool] = field(default_factory=dict)
    stopped: str = ""                                     # why nothing was written

    @property
    def exit_code(self) -> int:
        failed = self.stopped or self.diagnostics.has_errors() or not all(self.verified.values())
        return 1 if failed else 0


def build(book: Book, options: Options, diagnostics: Diagnostics | None = None) -> BuildResult:
    """The whole pipeline for `book` (already loaded and checked by config.load_book)."""
    diagnostics = diagnostics if diagnostics is not None else Diagnostics(silenced=book.silence)
    context = context_for(options, diagnostics)
    result = BuildResult(diagnostics=diagnostics, timings=context.timings)
    check_output_folder(options.out_dir, output_names(book, options.formats, options.version))   # before any work
    result.articles = prepare(book, context)
    result.stopped = gate(diagnostics, result.articles, options.strict)
    if result.stopped:
        return result
    note_sandbox(diagnostics)             # after the gate: a machine without the jail is never --strict's failure
    write_outputs(book, result.articles, options.formats, options.out_dir, context, options.version, result)
    if options.verify and result.written:
        verify_written(book, result, context)
    return result


def context_for(options: Options, diagnostics: Diagnostics) -> BuildContext:
    epoch = options.epoch if options.epoch is not None else int(os.environ.get("SOURCE_DATE_EPOCH", time.time()))
    return BuildContext(diagnostics=diagnostics, epoch=epoch, cache_dir=options.cache_dir, jobs=options.jobs,
                        progress=options.progress, debug=options.debug)


def gate(diagnostics: Diagnostics, articles: list[Article], strict: bool) -> str:
    """Why the build stops before any writer runs ("" to go on)."""
    if diagnostics.has_errors(strict) and (strict or not articles):
        return "nothing written: fix the problems above" + (" (--strict)" if strict else "")
    return ""


# -- preparing ------------------------------------------------------------------------------

def article_label(path: Path) -> str:
    """Paths in diagnostics are relative to the working directory when they can be."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def book_fingerprint(book: Book) -> str:
    """The settings that change how an article is read and filtered."""
    return sha256(json.dumps(book.cards, sort_keys=True), str(book.root_dir.resolve()),
                  str(book.articles_dir.resolve()), book.math.under_text)


def article_key(path: Path, label: str, book: Book) -> str | None:
    """None when the file cannot be read as an article: read_article then says why."""
    try:
        data = read_inside(book.home, Path(os.path.abspath(path)), MAX_ARTICLE_BYTES)
    except Refused:
        return None
    return sha256(code_fingerprint(), book_fingerprint(book), label, data)


def guarded(stage: str, article: Article, work, debug: bool = False) -> bool:
    """One article's `stage`. An exception of ours becomes the article's `[internal]` error:
    the article is left out, the book goes on. False when it failed."""
    try:
        work(article)
        return True
    except Exception as exc:      # noqa: BLE001 -- any bug in a stage, reported and contained
        if debug:
            raise
        article.diagnostics.append(internal_error(stage, exc, article.label))
        article.usable, article.doc = False, None
        return False


def read_path(path: Path, book: Book, debug: bool = False) -> Article:
    """One file read (inside the book's folder only) and normalized; a bug of ours on it
    leaves an unusable article with its error."""
    read = Article(slug=path.stem, path=path, label=article_label(path))
    done: list[Article] = []
    guarded("reading and normalizing", read,
            lambda a: done.append(read_article(path, a.label, book.home)), debug)
    article = done[0] if done else read
    article.math_under_text = book.math.under_text
    return article


def parse_all(articles: list[Article], jobs: int, progress: Progress | None = None,
              debug: bool = False) -> list[Article]:
    progress = progress or Progress()
    progress.stage("parse", len(articles))

    def parse(article: Article) -> None:
        progress.step(article.label)
        guarded("the Zenn text stage", article, parse_article, debug)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        list(pool.map(parse, articles))
    return articles


def load_articles(book: Book, diagnostics: Diagnostics, jobs: int = 2) -> list[Article]:
    """Read, normalize and parse every chapter (no cache, no filters); diagnostics collected."""
    paths = [book.articles_dir / f"{slug}.md" for slug in book.chapter_slugs]
    articles = parse_all([read_path(p, book) for p in paths], jobs)
    for article in articles:
        diagnostics.extend(article.diagnostics)
    return [a for a in articles if a.parsed]


def render_mermaid(articles: list[Article], context: BuildContext) -> dict:
    """All diagrams of the book in one browser session, cached by content hash."""
    from .filters.mermaid import mermaid_sources
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


def filter_article(book: Book, article: Article, diagrams: dict) -> None:
    """The text verify will look for (taken before any filter runs), then the filters."""
    runs, expected = SourceText.of_article(article)
    run_filters(book, article, diagrams)
    article.verify_text = (runs, expected)
    article.files = files_used(article.doc)


def prepare(book: Book, context: BuildContext, jobs: int | None = None) -> list[Article]:
    """Everything up to the writers: the book's articles as filtered ASTs, cached per article."""
    jobs = jobs or context.jobs
    started = time.perf_counter()
    paths = [book.articles_dir / f"{slug}.md" for slug in book.chapter_slugs]
    keys = [article_key(p, article_label(p), book) for p in paths]
    cached = [restore_article(context.cache, k, p) if k else None for k, p in zip(keys, paths)]
    progress = context.progress
    unread = [p for p, c in zip(paths, cached) if c is None]
    fresh = parse_all([read_path(p, book, context.debug) for p in progress.track("read", unread, article_label)],
                      jobs, progress, context.debug)
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
            filtered = guarded("the filters", article, lambda a: filter_article(book, a, diagrams), context.debug)
            if filtered and key:
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


def output_key(book: Book, articles: list[Article], fmt: str, context: BuildContext) -> str:
    """Everything an output is made from; equal keys mean equal outputs (up to the build time)."""
    when = str(context.epoch) if "SOURCE_DATE_EPOCH" in os.environ else context.date
    return sha256(code_fingerprint(), repr(book), fmt, when,
                  *[a.cache_key or doc_to_json(a.doc) for a in articles])


def write_outputs(book: Book, articles: list[Article], formats, out_dir: Path,
                  context: BuildContext, version: str | None = None,
                  result: BuildResult | None = None) -> dict[str, Path]:
    """Each requested writer, each output renamed into place only when complete.

    An output whose inputs have not changed since it was written is left as it is, and what
    its writer said when it wrote it is said again: a no-change rebuild runs no tool at all
    and reports what the first build reported. A writer that fails (a tool, the disk, a bug
    of ours) leaves the previous output as it was and the other formats are still written.
    """
    result = result if result is not None else BuildResult(diagnostics=context.diagnostics)
    registry = writers()
    check_output_folder(out_dir, output_names(book, formats, version))
    with locked(out_dir):
        remove_stale_parts(out_dir)
        state = read_state(out_dir)
        formats = list(formats)
        context.progress.stage("write", len(formats))
        for fmt in formats:
            context.progress.step(fmt)
            final = output_path(book, out_dir, fmt, version)
            started = time.perf_counter()
            entry = write_one(registry[fmt], fmt, final, state.get(final.name, {}),
                              output_key(book, articles, fmt, context), book, articles, context)
            context.timings[fmt] = time.perf_counter() - started
            said = [Diagnostic.from_json(item) for item in entry.get("diagnostics", [])]
            context.diagnostics.extend(said)
            if entry.get("up_to_date"):
                result.up_to_date.add(fmt)
            if entry.get("failed"):
                if entry.get("stop"):
                    break
                continue
            state[final.name] = {k: v for k, v in entry.items() if k not in ("up_to_date",)}
            write_state(out_dir, state)
            result.written[fmt] = final
    context.progress.done()
    return result.written


def write_one(writer, fmt: str, final: Path, previous: dict, key: str, book, articles, context) -> dict:
    """One output: kept when up to date, else written by its writer with diagnostics of its
    own. Returns its state entry (`failed`: nothing was written)."""
    if previous.get("key") == key and previous.get("sha256") == file_sha256(final):
        return {**previous, "up_to_date": True}
    said = Diagnostics(silenced=context.diagnostics.silenced)
    try:
        with atomic_output(final) as temporary:
            writer(book, articles, temporary, dataclasses.replace(context, diagnostics=said))
    except ZennbookError as exc:          # a tool failed or is missing: short, with its log
        return failed_entry(said, exc.diagnostic(), f"the previous {final.name} is unchanged")
    except OSError as exc:
        if exc.errno not in DISK_ERRORS:
            return internal_entry(said, fmt, exc, context)
        problem = Diagnostic(Level.ERROR, Code.TOOL_FAILED,
                             f"cannot write to {final.parent}: {exc.strerror}; the previous outputs are unchanged")
        return {**failed_entry(said, problem), "stop": True}
    except Exception as exc:              # noqa: BLE001 -- our bug: this output fails, the others go on
        return internal_entry(said, fmt, exc, context)
    return {"key": key, "sha256": file_sha256(final), "diagnostics": [d.to_json() for d in said.items]}


def failed_entry(said: Diagnostics, problem: Diagnostic, note: str = "") -> dict:
    if note:
        problem = dataclasses.replace(problem, message=f"{problem.message}\n    ({note})")
    return {"failed": True, "diagnostics": [d.to_json() for d in [*said.items, problem]]}


def internal_entry(said: Diagnostics, fmt: str, exc: Exception, context: BuildContext) -> dict:
    if context.debug:
        raise exc
    return failed_entry(said, internal_error(f"the {fmt} writer", exc))


# -- verifying ----------------------------------------------------------------------------

def verify_written(book: Book, result: BuildResult, context: BuildContext) -> None:
    """Check each written output as a reader would. An output unchanged since it was checked
    is not read again: its result (ok or not, and why) is kept in the folder's state."""
    started = time.perf_counter()
    out_dir = next(iter(result.written.values())).parent
    state = read_state(out_dir)
    pending = {}
    for fmt, path in result.written.items():
        kept = kept_verdict(state, path)
        if kept is None:
            pending[fmt] = path
            continue
        result.verified[fmt] = kept["ok"]
        result.coverage.append({**kept["row"], "note": "unchanged since verified"})
        context.diagnostics.extend(Diagnostic.from_json(d) for d in kept["diagnostics"])
    if pending:
        context.progress.stage("verify")
        context.progress.step(", ".join(pending))
        checks = verify_outputs(book, out_dir, result.articles, context.source, pending)
        context.progress.done()
        record_checks(result, checks, pending, context)
    context.timings["verify"] = time.perf_counter() - started


def record_checks(result: BuildResult, checks: list[OutputCheck], paths: dict[str, Path],
                  context: BuildContext) -> None:
    """Verify's findings join the build's diagnostics; each verdict is kept with its output."""
    verdicts = {}
    for check in checks:
        findings = check.findings()
        context.diagnostics.extend(findings)
        result.verified[check.fmt] = check.ok
        result.coverage.append(check.row())
        verdicts[paths[check.fmt]] = {"ok": check.ok, "row": check.row(),
                                      "diagnostics": [d.to_json() for d in findings]}
    keep_verdicts(verdicts)


def kept_verdict(state: dict, path: Path) -> dict | None:
    entry = state.get(path.name, {})
    verdict = entry.get("verify")
    if verdict and entry.get("sha256") == file_sha256(path):
        return verdict
    return None


def keep_verdicts(verdicts: dict[Path, dict]) -> None:
    """Record each output's verdict, as the output is now: the next build that finds it up
    to date does not read it again. An output changed since it was written is not marked."""
    if not verdicts:
        return
    out_dir = next(iter(verdicts)).parent
    with locked(out_dir):
        state = read_state(out_dir)
        for path, verdict in verdicts.items():
            if path.name in state and state[path.name].get("sha256") == file_sha256(path):
                state[path.name]["verify"] = verdict
        write_state(out_dir, state)


def verify_folder(book: Book, out_dir: Path, options: Options,
                  diagnostics: Diagnostics | None = None) -> BuildResult:
    """`verify DIR`: the book prepared (from the caches when it can be), then its outputs in
    DIR checked, whatever built them."""
    diagnostics = diagnostics if diagnostics is not None else Diagnostics(silenced=book.silence)
    context = context_for(options, diagnostics)
    result = BuildResult(diagnostics=Diagnostics(silenced=book.silence), timings=context.timings)
    result.articles = prepare(book, context, options.jobs)
    context.diagnostics = result.diagnostics     # the articles' own warnings are build's business
    paths = {fmt: output_path(book, out_dir, fmt, options.version) for fmt in ALL_FORMATS}
    paths = {fmt: p for fmt, p in paths.items() if p.exists()}
    checks = verify_outputs(book, out_dir, result.articles, context.source, paths)
    record_checks(result, checks, paths, context)
    return result


def read_state(out_dir: Path) -> dict:
    try:
        return json.loads(read_regular(out_dir / STATE_FILE, STATE_MAX_BYTES).decode("utf-8"))
    except (Refused, ValueError):
        return {}


def write_state(out_dir: Path, state: dict) -> None:
    with atomic_output(out_dir / STATE_FILE) as temporary:
        temporary.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
