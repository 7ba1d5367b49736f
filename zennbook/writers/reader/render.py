"""Each unit's HTML laid out by WeasyPrint as a tagged PDF/UA-1, cached by the HTML's hash.

WeasyPrint is pure Python and CPU-bound, and its memory grows with the document: units
are laid out in worker processes (one per job), in rounds of a few units per worker, each
round in fresh processes, so no process keeps a whole book's memory. (Not the executor's own
`max_tasks_per_child`: on Python 3.11-3.13 it stops replacing a retired worker when tasks
are queued and the build hangs, CPython gh-115634.) Only data: URIs are fetched (images are inlined by
units.py); anything else an article managed to name is refused.
"""
from __future__ import annotations

import multiprocessing
import os
import tempfile
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from importlib import metadata
from pathlib import Path

from ...cache import code_fingerprint, sha256
from ...diagnostics import ZennbookError

PDF_VARIANT = "pdf/ua-1"
CACHE_KIND = "reader-pdf"
UNITS_PER_WORKER = 8          # then the worker process is replaced: its memory returned


def weasyprint_version() -> str:
    try:
        return metadata.version("weasyprint")
    except metadata.PackageNotFoundError:
        raise ZennbookError("weasyprint is not installed: pip install weasyprint "
                            "(the reader's PDF is made with it)") from None


def unit_key(html: str) -> str:
    return sha256(code_fingerprint(), weasyprint_version(), PDF_VARIANT, html)


def lay_out(html: str) -> bytes:
    """One unit as PDF bytes (runs in a worker process)."""
    import weasyprint
    fetcher = weasyprint.URLFetcher(allowed_protocols=("data",))
    return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf(pdf_variant=PDF_VARIANT)


def cached_path(cache_root: Path, key: str) -> Path:
    return cache_root / CACHE_KIND / key[:2] / f"{key}.pdf"


def render_units(documents: list[str], cache_root: Path, jobs: int) -> list[Path]:
    """Each document's PDF, from the cache or laid out (several at once) and stored."""
    weasyprint_version()
    paths = [cached_path(cache_root, unit_key(html)) for html in documents]
    pending = {path: html for path, html in zip(paths, documents) if not path.is_file()}
    if pending:
        lay_out_all(pending, jobs)
    return paths


def lay_out_all(pending: dict[Path, str], jobs: int, per_worker: int = UNITS_PER_WORKER) -> None:
    workers = max(1, min(jobs, len(pending)))
    items = list(pending.items())
    size = workers * per_worker
    for start in range(0, len(items), size):
        lay_out_round(dict(items[start:start + size]), workers)


def lay_out_round(pending: dict[Path, str], workers: int) -> None:
    """One round in fresh worker processes, which end with it (and return their memory)."""
    spawn = multiprocessing.get_context("spawn")     # the build runs threads: never fork them
    try:
        with ProcessPoolExecutor(min(workers, len(pending)), mp_context=spawn) as pool:
            for path, pdf in zip(pending, pool.map(lay_out, pending.values())):
                store(path, pdf)
    except BrokenProcessPool as exc:
        raise ZennbookError(f"weasyprint: a layout process died ({exc}); out of memory?") from None


def store(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(name, path)
