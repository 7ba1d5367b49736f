"""`/proof/<slug>`: an article in the print layout, as page images made when they are looked at.

A proof is made the first time its page is asked for, then again as soon as that article is
saved (the preview's refresh is done first: the page comes before the print), always in the
background and one at a time (LaTeX is the slowest tool here and the machine's cores serve
the page too). It is `proof`'s own typesetting (zennbook/proof.py), in the folder it keeps
between runs: the .aux (one pass when no label moved), the cut fonts and luaotfload's cache
of them.

Page images are made lazily: the PDF is kept, and a page is drawn (pdftoppm, that page
only, at screen resolution) when a browser asks for it; the proof page asks for the pages in
view first. Once a proof is told, the pages nobody asked for are drawn too, in order, so
scrolling finds them ready. Until its new image is there a page shows the last one.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..diagnostics import Diagnostic, Diagnostics, ZennbookError, internal_error
from ..proof import JOB, PROOF_DPI, find_target, typeset
from .warmtex import WarmLatex

PDFTOPPM_TIMEOUT_S = 120
POINTS_PER_INCH = 72
NO_IMAGE = "the proof's page images could not be drawn"
THE_REST_AFTER_S = 1.0     # the pages in view are asked for first; the rest are drawn after this


@dataclass
class Proof:
    """What the proof page shows: the PDF's pages (drawn as they are asked for), the layout
    report, the problems, and whether a newer proof is being made."""
    version: int = 0
    pdf: Path | None = None
    sizes: list[tuple[int, int]] = field(default_factory=list)    # each page's image size, in pixels
    images: dict[int, bytes] = field(default_factory=dict)        # page number -> its PNG, once drawn
    layout: dict = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    building: bool = True
    seconds: float = 0.0

    @property
    def pages(self) -> int:
        return len(self.sizes)


class Proofs:
    def __init__(self, preview, on_done: Callable[[str], None], debug: bool = False,
                 the_rest_after_s: float | None = THE_REST_AFTER_S, warm_ahead: bool = True):
        """`the_rest_after_s` None: only the pages asked for are drawn. `warm_ahead`: after
        each proof, its next LuaLaTeX run is started, its preamble loaded (warmtex.py)."""
        self.preview, self.on_done, self.debug = preview, on_done, debug
        self.the_rest_after_s = the_rest_after_s
        self.kept: dict[str, Proof] = {}
        self.waiting: set[str] = set()
        self.lock = threading.Lock()
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="proof")
        self.warm, self.warm_ahead = WarmLatex(), warm_ahead
        self.folder = Path(tempfile.mkdtemp(prefix="zennbook-proofs-"))

    def ask(self, slug: str) -> Proof:
        """The article's proof as it is now; the first ask starts making it."""
        with self.lock:
            if slug not in self.kept:
                self.kept[slug] = Proof()
                self.schedule(slug)
            return self.kept[slug]

    def after_save(self, slugs) -> None:
        """Proofs someone asked for are made again at once when their article changed (their
        pages are told: they say a newer proof is coming)."""
        with self.lock:
            again = [slug for slug in slugs if slug in self.kept]
            for slug in again:
                self.kept[slug].building = True
                self.schedule(slug)
        for slug in again:
            self.on_done(slug)

    def schedule(self, slug: str) -> None:
        if slug not in self.waiting:
            self.waiting.add(slug)
            self.worker.submit(self.make, slug)

    def make(self, slug: str) -> None:
        with self.lock:
            self.waiting.discard(slug)      # a save from now on asks for one more run
            version = self.kept[slug].version + 1
        started = time.perf_counter()
        pdf, layout, said, build_dir = typeset_pdf(self.preview.book, slug, self.folder / f"{slug}-{version}.pdf",
                                                   self.preview.characters(), self.warm.compile, self.debug)
        sizes = page_sizes(pdf, said) if pdf else []
        with self.lock:
            previous = self.kept[slug]
            made = Proof(version=version, pdf=pdf, sizes=sizes, layout=layout, diagnostics=said,
                         building=slug in self.waiting, seconds=time.perf_counter() - started)
            if not sizes:           # no pages: the last ones stay, with the problems
                made.pdf, made.sizes, made.images = previous.pdf, previous.sizes, previous.images
            self.kept[slug] = made
        if previous.pdf is not None and previous.pdf != made.pdf:
            previous.pdf.unlink(missing_ok=True)
        self.on_done(slug)
        if build_dir is not None and self.warm_ahead:
            self.warm.start(build_dir, JOB, int(time.time()))    # the next save's run, its preamble loaded
        if sizes and self.the_rest_after_s is not None:
            time.sleep(self.the_rest_after_s)
            self.draw_the_rest(slug, version)

    def draw_the_rest(self, slug: str, version: int) -> None:
        """The pages nobody asked for yet, in order, while this is still the newest proof
        and no newer one is waiting to be made."""
        for number in range(1, self.kept[slug].pages + 1):
            if slug in self.waiting or self.kept[slug].version != version:
                return
            self.image(slug, number)

    def image(self, slug: str, number: int) -> bytes | None:
        """Page `number` of the article's latest proof as a PNG, drawn now if it is not yet;
        None when there is no such page."""
        with self.lock:
            proof = self.kept.get(slug)
            if proof is None or not 1 <= number <= proof.pages:
                return None
            if number in proof.images:
                return proof.images[number]
        png = draw_page(proof.pdf, number, self.folder)
        with self.lock:
            if png is not None:
                proof.images.setdefault(number, png)
            elif proof is self.kept[slug] and not any(d.message.startswith(NO_IMAGE) for d in proof.diagnostics):
                proof.diagnostics.append(ZennbookError(f"{NO_IMAGE} (pdftoppm, page {number})").diagnostic())
            return proof.images.get(number)

    def close(self) -> None:
        self.worker.shutdown(wait=False, cancel_futures=True)
        self.warm.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def typeset_pdf(book, slug: str, keep_as: Path, characters: set[str], compile, debug: bool = False
                ) -> tuple[Path | None, dict, list[Diagnostic], Path | None]:
    """(the PDF, kept as `keep_as`, the layout report, diagnostics, the proof's folder); no
    PDF when the article cannot be set. The fonts are cut to the book's `characters` too: a save seldom brings a
    character the book does not have, so the cut, and luaotfload's copy of it, stay."""
    diagnostics = Diagnostics(silenced=book.silence)
    target = find_target(book, slug)
    try:
        result = typeset(target, diagnostics, debug, characters, compile) if target else None
    except ZennbookError as exc:             # a tool failed or is missing: one line, with its log
        diagnostics.items.append(exc.diagnostic())
        result = None
    except Exception as exc:                 # noqa: BLE001 -- our bug: this proof fails, the preview goes on
        if debug:
            raise
        diagnostics.items.append(internal_error("the proof", exc))
        result = None
    if result is None:
        return None, {}, diagnostics.items, None
    shutil.copyfile(result["pdf"], keep_as)     # the next run writes over the one in the proof folder
    return keep_as, result["layout"], diagnostics.items, result["pdf"].parent


def page_sizes(pdf: Path, diagnostics: Diagnostics) -> list[tuple[int, int]]:
    """Each page's image size at the proof's resolution (the page reserves it before its image comes)."""
    import pikepdf
    try:
        with pikepdf.open(pdf) as document:
            boxes = [[float(v) for v in page.mediabox] for page in document.pages]
    except pikepdf.PdfError as exc:
        diagnostics.items.append(ZennbookError(f"the proof's PDF cannot be read: {exc}").diagnostic())
        return []
    scale = PROOF_DPI / POINTS_PER_INCH
    return [(round((x1 - x0) * scale), round((y1 - y0) * scale)) for x0, y0, x1, y1 in boxes]


def draw_page(pdf: Path, number: int, folder: Path) -> bytes | None:
    """One page as a PNG (pdftoppm, that page only); None when it cannot be drawn."""
    with tempfile.TemporaryDirectory(dir=folder) as out:
        try:
            subprocess.run(["pdftoppm", "-r", str(PROOF_DPI), "-png", "-f", str(number), "-l", str(number),
                            "-singlefile", str(pdf), str(Path(out) / "page")],
                           check=True, capture_output=True, timeout=PDFTOPPM_TIMEOUT_S)
        except (OSError, subprocess.SubprocessError):
            return None
        image = Path(out) / "page.png"
        return image.read_bytes() if image.exists() else None
