"""render_diagrams: every mermaid source of a book, in one browser session, cached by hash.

Cache layout (all named by diagram_key): KEY.svg, KEY.pdf and KEY.json (sizes; written
last, so its presence means the entry is complete), or KEY.error.json for a source that
mermaid rejects (that is deterministic, so it is cached too; timeouts and crashes are not).
"""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..cache import write_json
from ..nodejs import log_tail, one_line, run_json_lines
from ..safety import sandbox
from .key import MERMAID_CONFIG, SCRIPT, diagram_key, normalize_source, svg_id
from .pdf import ConversionError
from .tools import Tools, find_tools

DIAGRAM_TIMEOUT_S = 30.0
CHROMIUM_READS = ("/etc/chromium", "/etc/chromium.d")   # the launcher script's settings
KILL_GRACE_S = 10.0              # past the batch deadline before we kill node ourselves
LOG_NAME = "render.log"


@dataclass(frozen=True)
class Diagram:
    svg: Path
    pdf: Path
    width_pt: float
    height_pt: float


@dataclass(frozen=True)
class Failure:
    """Why a diagram has no image; `unavailable` when no renderer could run at all."""
    message: str
    unavailable: bool = False


@dataclass
class RenderResult:
    diagrams: dict[str, Diagram] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    unavailable: str | None = None
    keys: tuple[str, ...] = ()   # every key asked for, in order of first appearance
    # What the rendering pages tried and were refused (loads, dialogs), and any sign of a
    # script having run; see render.mjs. Nothing reaches the outputs either way.
    refused: list[str] = field(default_factory=list)
    effects: list[str] = field(default_factory=list)

    def lookup(self) -> dict[str, Diagram | Failure]:
        """key -> Diagram or Failure, for `FilterContext.diagrams`."""
        table: dict[str, Diagram | Failure] = {k: Failure(v) for k, v in self.errors.items()}
        table.update(self.diagrams)
        if self.unavailable:
            for key in self.keys:
                table.setdefault(key, Failure(self.unavailable, unavailable=True))
        return table


def render_diagrams(sources: list[str], cache_dir: Path, timeout_s: float = 300) -> RenderResult:
    """Render each distinct source once; a fully cached batch starts no browser."""
    cache_dir = Path(cache_dir)
    wanted = {diagram_key(s): normalize_source(s) for s in sources}
    result = RenderResult(keys=tuple(wanted))
    pending = {k: src for k, src in wanted.items() if not _load_cached(cache_dir, k, result)}
    if not pending:
        return result
    tools = find_tools()
    if isinstance(tools, str):
        result.unavailable = tools
        return result
    cache_dir.mkdir(parents=True, exist_ok=True)
    _render_batch(pending, cache_dir, tools, timeout_s, result)
    return result


def _load_cached(cache_dir: Path, key: str, result: RenderResult) -> bool:
    meta, error = cache_dir / f"{key}.json", cache_dir / f"{key}.error.json"
    try:
        if meta.is_file():
            sizes = json.loads(meta.read_text(encoding="utf-8"))
            diagram = Diagram(cache_dir / f"{key}.svg", cache_dir / f"{key}.pdf",
                              sizes["width_pt"], sizes["height_pt"])
            if diagram.svg.is_file() and diagram.pdf.is_file():
                result.diagrams[key] = diagram
                return True
        elif error.is_file():
            result.errors[key] = json.loads(error.read_text(encoding="utf-8"))["error"]
            return True
    except (OSError, ValueError, KeyError):
        pass                     # a damaged entry is simply rendered again
    return False


def _render_batch(pending: dict[str, str], cache_dir: Path, tools: Tools,
                  timeout_s: float, result: RenderResult) -> None:
    log_path = cache_dir / LOG_NAME
    with tempfile.NamedTemporaryFile("w", suffix=".json", dir=cache_dir, delete=False,
                                     encoding="utf-8") as jobfile:
        json.dump(_job_spec(pending, cache_dir, tools, timeout_s), jobfile, ensure_ascii=False)
    by_id = {svg_id(k): k for k in pending}
    try:
        returncode, timed_out = _run_node(
            tools, Path(jobfile.name), log_path, timeout_s,
            lambda message: _take(message, by_id, cache_dir, tools, result, log_path))
    finally:
        os.unlink(jobfile.name)
    _report_missing(pending, result, returncode, timed_out, timeout_s, log_path)


def _job_spec(pending: dict[str, str], cache_dir: Path, tools: Tools, timeout_s: float) -> dict:
    jobs = [{"id": svg_id(k), "source": src, "svg": str((cache_dir / f"{k}.svg").absolute())}
            for k, src in pending.items()]
    return {"modules": str(tools.modules), "chromium": tools.chromium,
            "config": MERMAID_CONFIG, "workers": _workers(len(jobs)),
            "diagram_timeout_s": min(DIAGRAM_TIMEOUT_S, timeout_s),
            "batch_timeout_s": timeout_s, "jobs": jobs}


def _workers(n_jobs: int) -> int:
    # One mermaid page per core: rendering is CPU-bound in each page's renderer process,
    # and each page costs ~1.5 s to load mermaid, so small batches use fewer.
    return max(1, min(os.cpu_count() or 1, 4, (n_jobs + 9) // 10))


def _run_node(tools: Tools, jobfile: Path, log_path: Path, timeout_s: float,
              on_message: Callable[[dict], None]) -> tuple[int | None, bool]:
    """Run render.mjs, handling each stdout line (JSON) as it comes: PDFs are made while
    Chromium renders the next diagrams. Its stderr is the log. Killed past the deadline."""
    return run_json_lines(node_command(tools, jobfile), log_path, timeout_s + KILL_GRACE_S, on_message)


def node_command(tools: Tools, jobfile: Path) -> sandbox.Command:
    """render.mjs in the sandbox: it writes only the cache folder (the job file is there)
    and reads our scripts, the node packages and Chromium's settings. Chromium's own
    sandbox needs namespaces of its own, so it runs with --no-sandbox: the jail replaces it."""
    reads = [SCRIPT.parent, tools.modules, Path(tools.chromium), *map(Path, CHROMIUM_READS)]
    jobfile = jobfile.absolute()          # node starts in the cache folder, not in ours
    return sandbox.command("chromium", [tools.node, str(SCRIPT), str(jobfile)], job=jobfile.parent, reads=reads)


def _take(message: dict, by_id: dict[str, str], cache_dir: Path, tools: Tools,
          result: RenderResult, log_path: Path) -> None:
    if "fatal" in message:
        result.unavailable = f"chromium failed to start: {one_line(message['fatal'])} (log: {log_path})"
        return
    if message.get("done"):
        result.refused += message.get("refused", [])
        result.effects += message.get("effects", [])
        return
    key = by_id.get(message.get("id", ""))
    if key is None:
        return
    if not message.get("ok"):
        result.errors[key] = message["error"]
        if message.get("kind") == "syntax":
            write_json(cache_dir / f"{key}.error.json", {"error": message["error"]})
        return
    svg, pdf = cache_dir / f"{key}.svg", cache_dir / f"{key}.pdf"
    pdf_svg = cache_dir / f"{key}.pdf.svg"     # the same drawing with emoji as images
    try:
        width_pt, height_pt = tools.pdf.convert(pdf_svg if pdf_svg.is_file() else svg, pdf)
    except ConversionError as exc:
        result.errors[key] = str(exc)
        return
    finally:
        pdf_svg.unlink(missing_ok=True)
    sizes = {"width_pt": round(width_pt, 3), "height_pt": round(height_pt, 3)}
    write_json(cache_dir / f"{key}.json", sizes)
    result.diagrams[key] = Diagram(svg, pdf, **sizes)


def _report_missing(pending: dict[str, str], result: RenderResult, returncode: int | None,
                    timed_out: bool, timeout_s: float, log_path: Path) -> None:
    if result.unavailable:
        return
    missing = [k for k in pending if k not in result.diagrams and k not in result.errors]
    if not missing:
        return
    if timed_out or returncode == 3:
        why = f"not rendered: the diagram batch timed out after {timeout_s:g} s"
    else:
        why = f"not rendered: node render.mjs exited with {returncode}: {log_tail(log_path)} (log: {log_path})"
    for key in missing:
        result.errors[key] = why
