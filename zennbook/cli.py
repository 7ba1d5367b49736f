"""The command line: `python build.py VERB ...` (click). The verbs are a contract: add, never break."""
from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import click

from . import __version__
from .config import ConfigError, load_book
from .diagnostics import Code, Diagnostics, Level
from .writers import FORMATS

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def book_options(command):
    command = click.option("--articles", "articles_dir", type=click.Path(path_type=Path, file_okay=False),
                           help="Build every *.md of DIR, sorted by name, as one book.")(command)
    command = click.option("--book", "book_path", type=click.Path(path_type=Path, dir_okay=False),
                           help="The book file (book.yaml, or a Zenn book's config.yaml). Default: ./book.yaml")(command)
    command = click.option("--no-license", is_flag=True,
                           help="Build a book that has no license block, on purpose.")(command)
    return command


def report(diagnostics: Diagnostics, quiet_info: bool = True) -> None:
    """Every diagnostic, then the count: `path:line: LEVEL: message [code]`."""
    for item in diagnostics.items:
        if quiet_info and item.level == Level.INFO:
            continue
        click.echo(str(item), err=True)
    click.echo(diagnostics.summary(), err=True)


def open_book(book_path, articles_dir, no_license, diagnostics):
    if book_path and articles_dir:
        raise click.UsageError("give --book or --articles, not both")
    try:
        return load_book(book_path, articles_dir, diagnostics, require_license=not no_license)
    except ConfigError:
        report(diagnostics)
        sys.exit(EXIT_CONTENT)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="zennbook")
def main():
    """Publish a folder of Zenn articles as a print PDF, an EPUB 3 and one offline HTML page."""


@main.command()
@book_options
@click.option("--format", "formats", type=click.Choice(FORMATS), multiple=True,
              help="Output format; repeat for several. Default: all three.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("dist"),
              show_default=True, help="Output folder (checked before anything is built).")
@click.option("--strict", is_flag=True, help="Warnings are errors: stop before writing anything.")
@click.option("--jobs", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Articles prepared in parallel.")
@click.option("--no-verify", is_flag=True, help="Skip checking the outputs after writing them.")
@click.option("--progress/--quiet", "show_progress", default=None,
              help="Show the stage and the article being worked on, on stderr. "
                   "Default: only when stderr is a terminal and CI is not set.")
def build(book_path, articles_dir, no_license, formats, out_dir, strict, jobs, no_verify, show_progress):
    """Build the book: OUT/<book-slug>.pdf, .epub and .html."""
    from .outputs import OutputLocked, OutputUnusable
    from .pandoc import PandocError
    from .pipeline import BuildContext, prepare, write_outputs
    from .progress import for_cli
    from .writers.latex import LatexError
    diagnostics = Diagnostics()
    book = open_book(book_path, articles_dir, no_license, diagnostics)
    diagnostics.silenced = book.silence
    usable_output_folder(out_dir, book, formats or FORMATS)
    progress = for_cli(show_progress)
    click.get_current_context().call_on_close(progress.done)   # a crash or Ctrl-C leaves no half line
    context = BuildContext(diagnostics=diagnostics, progress=progress)
    articles = prepare(book, context, jobs)
    if diagnostics.has_errors(strict) and (strict or not articles):
        report(diagnostics)
        click.echo("nothing written: fix the problems above" + (" (--strict)" if strict else ""), err=True)
        sys.exit(EXIT_CONTENT)
    try:
        written = write_outputs(book, articles, formats or FORMATS, out_dir, context)
    except OutputUnusable as exc:
        progress.done()
        report(diagnostics)
        unusable_output(out_dir, exc)
    except (LatexError, PandocError, OutputLocked) as exc:   # tool failures: short, with the log
        progress.done()
        report(diagnostics)
        code = Code.TOOL_MISSING if "not found" in str(exc) else Code.TOOL_FAILED
        click.echo(f"ERROR: {exc} [{code.value}]", err=True)
        click.echo(f"the previous outputs in {out_dir} are unchanged", err=True)
        sys.exit(EXIT_CONTENT)
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EROFS):
            raise
        progress.done()
        report(diagnostics)
        click.echo(f"ERROR: cannot write to {out_dir}: {exc.strerror}; the previous outputs are unchanged", err=True)
        sys.exit(EXIT_CONTENT)
    report(diagnostics)
    for fmt, path in written.items():
        state = "up to date" if fmt in context.up_to_date else f"{context.timings[fmt]:.1f}s"
        click.echo(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB, {state})")
    verified = no_verify or verify_written(book, articles, context, written)
    sys.exit(EXIT_CONTENT if diagnostics.has_errors() or not verified else EXIT_OK)


def usable_output_folder(out_dir: Path, book, formats, version: str | None = None) -> None:
    """Before any work: the output folder can take the outputs, else one error and exit 1."""
    from .outputs import OutputUnusable, check_output_folder
    from .pipeline import output_names
    try:
        check_output_folder(out_dir, output_names(book, formats, version))
    except OutputUnusable as exc:
        unusable_output(out_dir, exc)


def unusable_output(out_dir: Path, exc: Exception) -> None:
    from .diagnostics import Diagnostic
    click.echo(str(Diagnostic(Level.ERROR, Code.OUTPUT_UNUSABLE, f"{exc}; nothing written", str(out_dir))),
               err=True)
    sys.exit(EXIT_CONTENT)


def verify_written(book, articles, context, written) -> bool:
    """`build` checks what it wrote, as `verify` would, unless --no-verify. An output that was
    already up to date and verified is not read again."""
    import time
    from .pipeline import mark_verified, was_verified
    from .verify import print_report, verify_outputs
    started = time.perf_counter()
    out_dir = next(iter(written.values())).parent
    pending = {fmt: path for fmt, path in written.items()
               if not (fmt in context.up_to_date and was_verified(path))}
    if not pending:
        click.echo("verify: ok (outputs unchanged since they were verified)")
        return True
    context.progress.stage("verify")
    context.progress.step(", ".join(pending))
    checks = verify_outputs(book, out_dir, articles, context.source, pending)
    context.progress.done()
    ok = print_report(checks)
    if ok:
        mark_verified(list(pending.values()))
    click.echo(f"verify: {'ok' if ok else 'FAILED'} in {time.perf_counter() - started:.1f}s")
    return ok


@main.command()
@book_options
@click.option("--strict", is_flag=True, help="Warnings count as errors.")
def check(book_path, articles_dir, no_license, strict):
    """Diagnostics only: read and check every article; exit 1 on errors."""
    from .pipeline import BuildContext, prepare
    diagnostics = Diagnostics()
    book = open_book(book_path, articles_dir, no_license, diagnostics)
    diagnostics.silenced = book.silence
    articles = prepare(book, BuildContext(diagnostics=diagnostics))
    repaired = sum(1 for d in diagnostics.items if d.code.value.startswith("normalize."))
    report(diagnostics)
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
        from .diagnostics import Diagnostic
        click.echo(str(Diagnostic(Level.ERROR, exc.code or Code.ARTICLE_UNREADABLE, exc.message, str(file))), err=True)
        sys.exit(EXIT_CONTENT)
    result = normalize_text(data, str(file))
    sys.stdout.write(result.text)
    for item in result.diagnostics:
        click.echo(str(item), err=True)


@main.command()
@click.argument("file_or_slug")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("dist/proof"),
              show_default=True)
@book_options
def proof(file_or_slug, out_dir, book_path, articles_dir, no_license):
    """One article in the book's print layout, marked as a proof, with page images and a layout report."""
    from .proof import run_proof
    sys.exit(run_proof(file_or_slug, out_dir, book_path, articles_dir, no_license))


@main.command()
@click.option("--version", "version", required=True, help="The release version, X.Y.Z.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("dist"),
              show_default=True)
@book_options
def release(version, out_dir, book_path, articles_dir, no_license):
    """Versioned artifacts: <slug>-X.Y.Z.pdf|.epub|.html, SHA256SUMS, manifest.json."""
    from .release import run_release
    sys.exit(run_release(version, out_dir, book_path, articles_dir, no_license))


@main.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path, file_okay=False), default=Path("dist"))
@book_options
def verify(directory, book_path, articles_dir, no_license):
    """Check built outputs: the license on every output and PDF page, nothing of the text lost."""
    from .verify import run_verify
    sys.exit(run_verify(directory, book_path, articles_dir, no_license))
