"""The command line: `python build.py VERB ...` (click). The verbs are a contract: add, never break."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__
from .config import ConfigError, load_book
from .diagnostics import Code, Diagnostic, Diagnostics, Level, ZennbookError, internal_error
from .reporting import print_coverage, print_diagnostics, print_items
from .writers import ALL_FORMATS, FORMATS

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def book_options(command):
    command = click.option("--articles", "articles_dir", type=click.Path(path_type=Path, file_okay=False),
                           help="Build every *.md of DIR, sorted by name, as one book.")(command)
    command = click.option("--book", "book_path", type=click.Path(path_type=Path, dir_okay=False),
                           help="The book file (book.yaml, or a Zenn book's config.yaml). Default: ./book.yaml")(command)
    command = click.option("--no-license", is_flag=True,
                           help="Build a book that has no license block, on purpose.")(command)
    return command


def open_book(book_path, articles_dir, no_license, diagnostics):
    if book_path and articles_dir:
        raise click.UsageError("give --book or --articles, not both")
    try:
        return load_book(book_path, articles_dir, diagnostics, require_license=not no_license)
    except ConfigError:
        print_diagnostics(diagnostics)
        sys.exit(EXIT_CONTENT)


class Verbs(click.Group):
    """The verbs, with one last wall: an exception of ours that no stage caught becomes one
    `ERROR: internal error ... [internal]` line and exit 1 (with --debug, the traceback)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except ZennbookError as exc:
            if ctx.params.get("debug"):
                raise
            click.echo(str(exc.diagnostic()), err=True)
            sys.exit(EXIT_CONTENT)
        except Exception as exc:     # noqa: BLE001 -- the last wall: one line, not a traceback
            if ctx.params.get("debug"):
                raise
            click.echo(str(internal_error(ctx.invoked_subcommand or "zennbook", exc)), err=True)
            sys.exit(EXIT_CONTENT)


@click.group(cls=Verbs, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="zennbook")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error instead of one line.")
@click.pass_context
def main(ctx, debug):
    """Publish a folder of Zenn articles as a print PDF, an EPUB 3 and one offline HTML page."""
    ctx.obj = {"debug": debug}


def debugging() -> bool:
    return bool((click.get_current_context().obj or {}).get("debug"))


@main.command()
@book_options
@click.option("--format", "formats", type=click.Choice(ALL_FORMATS), multiple=True,
              help="Output format; repeat for several. Default: pdf, epub and html.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("dist"),
              show_default=True, help="Output folder (checked before anything is built).")
@click.option("--strict", is_flag=True, help="Warnings are errors: stop before writing anything.")
@click.option("--jobs", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Articles prepared, and LaTeX jobs run, in parallel.")
@click.option("--no-verify", is_flag=True, help="Skip checking the outputs after writing them.")
@click.option("--progress/--quiet", "show_progress", default=None,
              help="Show the stage and the article being worked on, on stderr. "
                   "Default: only when stderr is a terminal and CI is not set.")
def build(book_path, articles_dir, no_license, formats, out_dir, strict, jobs, no_verify, show_progress):
    """Build the book: OUT/<book-slug>.pdf, .epub and .html."""
    from .pipeline import Options, build as build_book
    from .progress import for_cli
    diagnostics = Diagnostics()
    book = open_book(book_path, articles_dir, no_license, diagnostics)
    diagnostics.silenced = book.silence
    progress = for_cli(show_progress)
    click.get_current_context().call_on_close(progress.done)   # a crash or Ctrl-C leaves no half line
    options = Options(formats=tuple(formats or FORMATS), out_dir=out_dir, strict=strict, jobs=jobs,
                      verify=not no_verify, progress=progress, debug=debugging())
    result = build_book(book, options, diagnostics)
    progress.done()
    print_build(result)
    sys.exit(result.exit_code)


def print_build(result) -> None:
    """What a build said and made: diagnostics, then what was written, then verify's table."""
    print_diagnostics(result.diagnostics)
    if result.stopped:
        click.echo(result.stopped, err=True)
        return
    for fmt, path in result.written.items():
        state = "up to date" if fmt in result.up_to_date else f"{result.timings[fmt]:.1f}s"
        click.echo(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB, {state})")
    if result.verified:
        print_coverage(result.coverage)
        ok = all(result.verified.values())
        click.echo(f"verify: {'ok' if ok else 'FAILED'} in {result.timings.get('verify', 0):.1f}s")


@main.command()
@book_options
@click.option("--strict", is_flag=True, help="Warnings count as errors.")
def check(book_path, articles_dir, no_license, strict):
    """Diagnostics only: read and check every article; exit 1 on errors."""
    from .pipeline import BuildContext, prepare
    diagnostics = Diagnostics()
    book = open_book(book_path, articles_dir, no_license, diagnostics)
    diagnostics.silenced = book.silence
    articles = prepare(book, BuildContext(diagnostics=diagnostics, debug=debugging()))
    repaired = sum(1 for d in diagnostics.items if d.code.value.startswith("normalize."))
    print_diagnostics(diagnostics)
    click.echo(f"{len(articles)} article(s) checked; {repaired} normalization repair(s)", err=True)
    sys.exit(EXIT_CONTENT if diagnostics.has_errors(strict) else EXIT_OK)


@main.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
def normalize(file):
    """Print FILE repaired and normalized (Zenn Markdown) on stdout; repairs on stderr."""
    from .article import MAX_ARTICLE_BYTES
    from .normalize import normalize as normalize_text
    from .safety.paths import Refused, read_regular
    try:
        data = read_regular(Path(os.path.realpath(file)), MAX_ARTICLE_BYTES)
    except Refused as exc:
        print_items([Diagnostic(Level.ERROR, exc.code or Code.ARTICLE_UNREADABLE, exc.message, str(file))])
        sys.exit(EXIT_CONTENT)
    result = normalize_text(data, str(file))
    sys.stdout.write(result.text)
    print_items(result.diagnostics)


@main.command()
@click.argument("file_or_slug")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("dist/proof"),
              show_default=True)
@book_options
def proof(file_or_slug, out_dir, book_path, articles_dir, no_license):
    """One article in the book's print layout, marked as a proof, with page images and a layout report."""
    from .proof import run_proof
    sys.exit(run_proof(file_or_slug, out_dir, book_path, articles_dir, no_license, debug=debugging()))


@main.command()
@book_options
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port to listen on (0: any free one).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on; anything but loopback lets others read the book.")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in the default browser.")
def serve(book_path, articles_dir, no_license, port, host, open_browser):
    """A live preview: the HTML page rebuilt on every save, with the book's diagnostics in it."""
    if book_path and articles_dir:
        raise click.UsageError("give --book or --articles, not both")
    from .serve import serve_book
    sys.exit(serve_book(book_path, articles_dir, no_license, host, port, open_browser, debug=debugging()))


@main.command()
@click.option("--version", "version", required=True, help="The release version, X.Y.Z.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("dist"),
              show_default=True)
@book_options
def release(version, out_dir, book_path, articles_dir, no_license):
    """Versioned artifacts: <slug>-X.Y.Z.pdf|.epub|.html|.reader.pdf, SHA256SUMS, manifest.json."""
    from .release import run_release
    sys.exit(run_release(version, out_dir, book_path, articles_dir, no_license, debug=debugging()))


@main.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path, file_okay=False), default=Path("dist"))
@book_options
def verify(directory, book_path, articles_dir, no_license):
    """Check built outputs: the license on every output and PDF page, nothing of the text lost."""
    import time
    from .pipeline import Options, verify_folder
    started = time.perf_counter()
    diagnostics = Diagnostics()
    book = open_book(book_path, articles_dir, no_license, diagnostics)
    result = verify_folder(book, directory, Options(debug=debugging()))
    print_coverage(result.coverage)
    print_items(result.diagnostics.items)
    if not result.verified:
        click.echo("no outputs found to verify", err=True)
    ok = bool(result.verified) and all(result.verified.values())
    click.echo(f"verify: {'ok' if ok else 'FAILED'} in {time.perf_counter() - started:.1f}s")
    sys.exit(EXIT_OK if ok else EXIT_CONTENT)
