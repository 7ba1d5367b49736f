"""Books for the single-page HTML tests, each built once per session by the real CLI.

    sample   the repository's sample book (book.yaml)
    edges    books/edges: headings full of symbols, local/remote/missing images, GitHub syntax
    unsafe   books/unsafe: articles that try to run script or fetch things

and `browser`: Debian's Chromium, started once per test module (browser.py).
"""
from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO

BOOKS = Path(__file__).resolve().parent / "books"


@dataclass(frozen=True)
class Built:
    html: Path
    stderr: str
    sources: tuple[Path, ...]         # the book's article files, in book order


def build_html(out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--format", "html",
                           "--out", str(out), *args], cwd=REPO, capture_output=True, text=True,
                          timeout=600)


def built(out: Path, sources, *args: str) -> Built:
    proc = build_html(out, *args)
    assert proc.returncode == 0, proc.stderr[-3000:]
    pages = sorted(out.glob("*.html"))
    assert len(pages) == 1, pages
    return Built(pages[0], proc.stderr, tuple(sources))


@pytest.fixture(scope="session")
def sample(tmp_path_factory) -> Built:
    from zennbook.config import load_book
    book = load_book(REPO / "book.yaml", cwd=REPO)
    sources = [book.articles_dir / f"{slug}.md" for slug in book.chapter_slugs]
    return built(tmp_path_factory.mktemp("html-sample"), sources)


@pytest.fixture(scope="session")
def edges(tmp_path_factory) -> Built:
    folder = BOOKS / "edges"
    sources = [folder / "01-headings.md", folder / "02-media.md"]
    return built(tmp_path_factory.mktemp("html-edges"), sources, "--articles", str(folder))


@pytest.fixture(scope="session")
def unsafe(tmp_path_factory) -> Built:
    folder = BOOKS / "unsafe"
    return built(tmp_path_factory.mktemp("html-unsafe"), sorted(folder.glob("*.md")),
                 "--articles", str(folder))


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    from tests.writers.html.browser import launch
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()
