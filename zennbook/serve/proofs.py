"""`/proof/<slug>`: an article in the book's print layout, as page images held in memory.

A proof is made the first time its page is asked for, then again after each save of that
article, always in the background and one at a time (LaTeX is the slowest tool here and the
machine's cores serve the page too). It is `proof`'s own typesetting (zennbook/proof.py);
the page images are read into memory and the files they came from are removed.
"""
from __future__ import annotations

import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..diagnostics import Diagnostic, Diagnostics, ZennbookError, internal_error
from ..proof import PROOF_DPI, find_target, typeset

PDFTOPPM_TIMEOUT_S = 300


@dataclass
class Proof:
    """What the proof page shows: the pages, the layout report, the problems, and whether a
    newer proof is being made."""
    version: int = 0
    pages: list[bytes] = field(default_factory=list)
    layout: dict = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    building: bool = True
    seconds: float = 0.0


class Proofs:
    def __init__(self, preview, on_done: Callable[[str], None], debug: bool = False):
        self.preview, self.on_done, self.debug = preview, on_done, debug
        self.kept: dict[str, Proof] = {}
        self.waiting: set[str] = set()
        self.lock = threading.Lock()
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="proof")

    def ask(self, slug: str) -> Proof:
        """The article's proof as it is now; the first ask starts making it."""
        with self.lock:
            if slug not in self.kept:
                self.kept[slug] = Proof()
                self.schedule(slug)
            return self.kept[slug]

    def after_save(self, slugs) -> None:
        """Proofs someone asked for are made again when their article changed."""
        with self.lock:
            for slug in slugs:
                if slug in self.kept:
                    self.kept[slug].building = True
                    self.schedule(slug)

    def schedule(self, slug: str) -> None:
        if slug not in self.waiting:
            self.waiting.add(slug)
            self.worker.submit(self.make, slug)

    def make(self, slug: str) -> None:
        with self.lock:
            self.waiting.discard(slug)      # a save from now on asks for one more run
        started = time.perf_counter()
        pages, layout, said = typeset_pages(self.preview.book, slug, self.debug)
        with self.lock:
            previous = self.kept[slug]
            self.kept[slug] = Proof(version=previous.version + 1, pages=pages or previous.pages, layout=layout,
                                    diagnostics=said, building=slug in self.waiting,
                                    seconds=time.perf_counter() - started)
        self.on_done(slug)

    def close(self) -> None:
        self.worker.shutdown(wait=False, cancel_futures=True)


def typeset_pages(book, slug: str, debug: bool = False) -> tuple[list[bytes], dict, list[Diagnostic]]:
    """(page images, layout report, diagnostics); no pages when the article cannot be set."""
    diagnostics = Diagnostics(silenced=book.silence)
    target = find_target(book, slug)
    try:
        result = typeset(target, diagnostics, debug) if target else None
    except ZennbookError as exc:             # a tool failed or is missing: one line, with its log
        diagnostics.items.append(exc.diagnostic())
        result = None
    except Exception as exc:                 # noqa: BLE001 -- our bug: this proof fails, the preview goes on
        if debug:
            raise
        diagnostics.items.append(internal_error("the proof", exc))
        result = None
    if result is None:
        return [], {}, diagnostics.items
    return page_images(result["pdf"], diagnostics), result["layout"], diagnostics.items


def page_images(pdf: Path, diagnostics: Diagnostics) -> list[bytes]:
    with tempfile.TemporaryDirectory(prefix="zennbook-proof-") as folder:
        try:
            subprocess.run(["pdftoppm", "-r", str(PROOF_DPI), "-png", str(pdf), str(Path(folder) / "page")],
                           check=True, capture_output=True, timeout=PDFTOPPM_TIMEOUT_S)
        except (OSError, subprocess.SubprocessError) as exc:
            diagnostics.items.append(ZennbookError(f"pdftoppm could not make the page images: {exc}").diagnostic())
            return []
        return [p.read_bytes() for p in sorted(Path(folder).glob("page-*.png"), key=page_number)]


def page_number(path: Path) -> int:
    return int(path.stem.rsplit("-", 1)[1])
