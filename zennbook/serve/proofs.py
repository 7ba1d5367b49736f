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

After a save, the pages up to a little past the edit are typeset beside the whole proof and
shown first (firstpages.py): they are the whole proof's pages exactly, and the pages after
them stay the last proof's until the whole proof comes.
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
from .firstpages import FIRST, cut_chapter, shipped_pages, write_first_pages
from .warmtex import WarmLatex, font_settings

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
    exact: int | None = None             # first pages only: the pages of `pdf` that are new ...
    rest: Proof | None = None            # ... and the proof the pages after them are drawn from

    @property
    def pages(self) -> int:
        return len(self.sizes)

    def owner(self, number: int) -> Proof:
        """The proof whose PDF has page `number` of this one."""
        proof = self
        while proof.exact is not None and number > proof.exact and proof.rest is not None:
            proof = proof.rest
        return proof

    def files(self) -> set[Path]:
        return ({self.pdf} if self.pdf else set()) | (self.rest.files() if self.rest else set())


class Proofs:
    def __init__(self, preview, on_done: Callable[[str], None], debug: bool = False,
                 the_rest_after_s: float | None = THE_REST_AFTER_S, warm_ahead: bool = True,
                 first_pages: bool = True):
        """`the_rest_after_s` None: only the pages asked for are drawn. `warm_ahead`: after
        each proof, its next LuaLaTeX runs are started, their preamble loaded (warmtex.py).
        `first_pages`: after a save, the pages up to the edit are set and shown first."""
        self.preview, self.on_done, self.debug = preview, on_done, debug
        self.the_rest_after_s, self.first_pages = the_rest_after_s, first_pages
        self.kept: dict[str, Proof] = {}
        self.chapters: dict[str, tuple[str, str]] = {}    # each proof's chapter LaTeX and fonts, as last set
        self.serial = 0
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
        started = time.perf_counter()

        def compile(build_dir: Path, job: str, *args, **kwargs):
            return self.compile_with_first_pages(slug, started, build_dir, job, *args, **kwargs)
        pdf, layout, said, build_dir = typeset_pdf(self.preview.book, slug, self.kept_pdf(slug),
                                                   self.preview.characters(), compile, self.debug)
        sizes = page_sizes(pdf, said) if pdf else []
        with self.lock:
            previous = self.kept[slug]
            made = Proof(version=previous.version + 1, pdf=pdf, sizes=sizes, layout=layout, diagnostics=said,
                         building=slug in self.waiting, seconds=time.perf_counter() - started)
            if not sizes:           # no pages: the last ones stay, with the problems
                made.pdf, made.sizes, made.images = previous.pdf, previous.sizes, previous.images
                made.exact, made.rest = previous.exact, previous.rest
            self.kept[slug] = made
        for file in previous.files() - made.files():
            file.unlink(missing_ok=True)
        self.on_done(slug)
        if build_dir is not None and self.warm_ahead:        # the next save's runs, their preamble loaded
            self.warm.start(build_dir, JOB, int(time.time()))
            if self.first_pages:
                self.warm.start(build_dir, FIRST, int(time.time()), like=JOB)
        if sizes and self.the_rest_after_s is not None:
            time.sleep(self.the_rest_after_s)
            self.draw_the_rest(slug, made.version)

    def kept_pdf(self, slug: str) -> Path:
        with self.lock:
            self.serial += 1
            return self.folder / f"{slug}-{self.serial}.pdf"

    def compile_with_first_pages(self, slug: str, started: float, build_dir: Path, job: str, *args, **kwargs):
        """proof.py's compile of the whole proof; beside it, when the chapter changed early
        enough, the first pages' run (shown as soon as it is done, before the whole proof)."""
        chapter = build_dir / "chapters" / f"{slug}.tex"
        new = chapter.read_text(encoding="utf-8") if chapter.exists() else ""
        fonts = font_settings(build_dir)
        last, last_fonts = self.chapters.get(slug, ("", None))
        self.chapters[slug] = (new, fonts)
        # Not when the font cut changed: both runs would compile the new cut into the same cache.
        cut = cut_chapter(last, new) if self.first_pages and fonts == last_fonts else None
        beside = None
        if cut is not None and write_first_pages(build_dir, slug, cut, job):
            beside = threading.Thread(target=self.make_first_pages, args=(slug, started, build_dir, kwargs.get("epoch")),
                                      name="proof-first", daemon=True)
            beside.start()
        try:
            return self.warm.compile(build_dir, job, *args, **kwargs)
        finally:
            if beside is not None:
                beside.join()       # the first pages are shown before the whole proof, never after

    def make_first_pages(self, slug: str, started: float, build_dir: Path, epoch: int | None) -> None:
        try:
            log, _ = self.warm.compile(build_dir, FIRST, max_passes=1, settle_toc=False, epoch=epoch)
        except Exception:            # noqa: BLE001 -- the whole proof, set beside, says what went wrong
            return
        shipped, made = shipped_pages(log), build_dir / f"{FIRST}.pdf"
        if not shipped or not made.exists():
            return
        keep = self.kept_pdf(slug)
        shutil.copyfile(made, keep)
        sizes = page_sizes(keep, [])[:shipped]
        with self.lock:
            last = self.kept[slug]
            if len(sizes) == shipped and last.pages:
                self.kept[slug] = Proof(version=last.version + 1, pdf=keep, sizes=sizes + last.sizes[shipped:],
                                        layout=last.layout, diagnostics=last.diagnostics, building=True,
                                        seconds=time.perf_counter() - started, exact=shipped, rest=last)
                keep = None
        if keep is not None:
            keep.unlink(missing_ok=True)
            return
        self.on_done(slug)

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
            owner = proof.owner(number)
            if number in owner.images:
                return owner.images[number]
        png = draw_page(owner.pdf, number, self.folder)
        with self.lock:
            if png is not None:
                owner.images.setdefault(number, png)
            elif proof is self.kept[slug] and not any(d.message.startswith(NO_IMAGE) for d in proof.diagnostics):
                proof.diagnostics.append(ZennbookError(f"{NO_IMAGE} (pdftoppm, page {number})").diagnostic())
            return owner.images.get(number)

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


def page_sizes(pdf: Path, said: list[Diagnostic]) -> list[tuple[int, int]]:
    """Each page's image size at the proof's resolution (the page reserves it before its image
    comes); none, with the problem in `said`, when the PDF cannot be read."""
    import pikepdf
    try:
        with pikepdf.open(pdf) as document:
            boxes = [[float(v) for v in page.mediabox] for page in document.pages]
    except pikepdf.PdfError as exc:
        said.append(ZennbookError(f"the proof's PDF cannot be read: {exc}").diagnostic())
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
