"""`build.py release --version X.Y.Z`: versioned, reproducible artifacts.

    OUT/<slug>-X.Y.Z.pdf|.epub|.html|.reader.pdf, OUT/SHA256SUMS, OUT/manifest.json

Reproducible: with the same sources and SOURCE_DATE_EPOCH the bytes are identical. When
SOURCE_DATE_EPOCH is not set, the date of the last commit of the sources is used (then the
current time outside a git checkout), so a release rebuilt from the same commit matches.
That date is exported as SOURCE_DATE_EPOCH while the writers run, so every tool they start
(LuaLaTeX reads only the environment) stamps the same date.

Not reproducible by the tools alone, and where it is fixed:

- LuaTeX's trailer /ID is an MD5 of the time and of its working directory. The PDF writer
  joins its units with pikepdf, which derives the book's /ID from the content.
- segno writes the QR codes' PDFs with the clock's date, and LuaTeX would copy an included
  PDF's Info into the page (/PTEX.InfoDict): zennbook.sty tells it not to.
- the PDF writer's cached LaTeX jobs are keyed by their LaTeX, not by SOURCE_DATE_EPOCH:
  the writer dates the joined PDF (Info and XMP) by the build itself, not by a job.

The manifest holds nothing of the run: no durations, no absolute paths.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import click

from . import __version__
from .cache import PACKAGES, file_sha256
from .config import ConfigError, load_book
from .diagnostics import Diagnostics
from .outputs import atomic_output
from .pandoc import pandoc_version
from .reporting import print_coverage, print_diagnostics
from .writers import ALL_FORMATS

VERSION_PATTERN = re.compile(r"^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$")


def git(*args: str, cwd: Path) -> str | None:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def source_date_epoch(sources: Path) -> int | None:
    """SOURCE_DATE_EPOCH, else the date of the sources' last commit, else None.
    A value that is not a whole number raises ValueError."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        return int(os.environ["SOURCE_DATE_EPOCH"].strip())
    stamp = git("log", "-1", "--format=%ct", "--", ".", cwd=sources)
    return int(stamp) if stamp else None


@contextlib.contextmanager
def exported_epoch(epoch: int):
    """SOURCE_DATE_EPOCH=epoch in the environment for the duration (then as it was): the
    writers start tools (lualatex) that take the date from the environment only."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


def tool_versions() -> dict:
    versions = {"zennbook": __version__, "python": sys.version.split()[0], "pandoc": pandoc_version()}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    for tool, args in (("lualatex", ["--version"]), ("chromium", ["--version"])):
        try:
            out = subprocess.run([tool, *args], capture_output=True, text=True, timeout=30).stdout
            versions[tool] = out.splitlines()[0] if out else None
        except (OSError, subprocess.TimeoutExpired):
            versions[tool] = None
    return versions


def pdf_page_count(path: Path) -> int | None:
    try:
        out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"^Pages:\s+(\d+)", out, re.M)
    return int(match.group(1)) if match else None


def book_relative(book, path: Path) -> str:
    """`path` relative to the book's root (POSIX), whatever the working directory was; its
    name alone when it is outside the root. Never an absolute path."""
    try:
        return path.resolve().relative_to(Path(book.root_dir).resolve()).as_posix()
    except ValueError:
        return path.name


def manifest(book, version: str, articles, written: dict, epoch: int) -> dict:
    return {
        "book": {"title": book.title, "slug": book.slug, "version": version, "language": book.language,
                 "license": book.license.id if book.license else None},
        "source_date_epoch": epoch,
        "source_commit": git("rev-parse", "HEAD", cwd=book.articles_dir),
        "tools": tool_versions(),
        "articles": [{"slug": a.slug, "title": a.title, "file": book_relative(book, a.path),
                      "sha256": file_sha256(a.path)} for a in articles],
        "outputs": {fmt: {"file": path.name, "bytes": path.stat().st_size, "sha256": file_sha256(path),
                          **({"pages": pdf_page_count(path)} if fmt.startswith("pdf") or fmt == "reader-pdf" else {})}
                    for fmt, path in sorted(written.items())},
    }


def print_set(book, version: str, out_dir: Path, written: dict) -> dict:
    """The volumes and covers the PDF writer wrote beside the release's PDF
    (`<slug>-X.Y.Z-vol1.pdf`, `...-vol1-cover.pdf`, `...-cover.pdf`), keyed for the manifest."""
    if "pdf" not in written:
        return {}
    stem = f"{book.slug}-{version}-"
    return {f"pdf-{p.name[len(stem):-4]}": p for p in sorted(out_dir.glob(f"{stem}*.pdf"))
            if re.fullmatch(r"vol\d+(-cover)?|cover", p.name[len(stem):-4])}


def chapter_pdfs(out_dir: Path, written: dict) -> list[Path]:
    """`chapters/<NN>-<slug>.pdf`, cut from the release's PDF (writers/pdf/chapters.py)."""
    from .writers.pdf.chapters import write_chapter_pdfs
    return write_chapter_pdfs(written["pdf"], out_dir / "chapters") if "pdf" in written else []


def write_sums(folder: Path, paths: list[Path]) -> None:
    if paths:
        with atomic_output(folder / "SHA256SUMS") as temporary:
            temporary.write_text("".join(f"{file_sha256(p)}  {p.name}\n" for p in paths), encoding="utf-8")


def write_release_files(out_dir: Path, written: dict, data: dict) -> None:
    sums = "".join(f"{file_sha256(p)}  {p.name}\n" for _, p in sorted(written.items()))
    with atomic_output(out_dir / "SHA256SUMS") as temporary:
        temporary.write_text(sums, encoding="utf-8")
    with atomic_output(out_dir / "manifest.json") as temporary:
        temporary.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def run_release(version: str, out_dir: Path, book_path, articles_dir, no_license, debug: bool = False) -> int:
    """The book built by the runner under the release's date, verified, then SHA256SUMS and
    the manifest; nothing of the release is written when the build or its verify fails."""
    from .pipeline import Options, build
    if not VERSION_PATTERN.match(version):
        click.echo(f"release: --version must look like X.Y.Z; got {version!r}", err=True)
        return 2
    diagnostics = Diagnostics()
    try:
        book = load_book(book_path, articles_dir, diagnostics, require_license=not no_license)
    except ConfigError:
        print_diagnostics(diagnostics)
        return 1
    diagnostics.silenced = book.silence
    try:
        epoch = source_date_epoch(book.articles_dir)
    except ValueError:
        click.echo(f"release: SOURCE_DATE_EPOCH must be a whole number of seconds; "
                   f"got {os.environ.get('SOURCE_DATE_EPOCH')!r}", err=True)
        return 2
    if epoch is None:
        epoch = int(time.time())
    with exported_epoch(epoch):
        options = Options(formats=ALL_FORMATS, out_dir=out_dir, version=version, epoch=epoch, debug=debug)
        result = build(book, options, diagnostics)
        print_diagnostics(diagnostics)
        print_coverage(result.coverage)
        if result.exit_code:
            click.echo("release: not made; fix the problems above (SHA256SUMS and manifest.json not written)",
                       err=True)
            return 1
        written = {**result.written, **print_set(book, version, out_dir, result.written)}
        chapters = chapter_pdfs(out_dir, result.written)
        data = manifest(book, version, result.articles, written, epoch)
        data["chapters"] = [{"file": f"chapters/{p.name}", "sha256": file_sha256(p)} for p in chapters]
        write_release_files(out_dir, written, data)
        write_sums(out_dir / "chapters", chapters)
    for path in [*written.values(), *chapters, out_dir / "SHA256SUMS", out_dir / "manifest.json"]:
        click.echo(f"released {path}")
    return 0
