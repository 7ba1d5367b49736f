"""render_formulas: every formula of a book, in one node process, cached by content.

Cache layout (named by formula_key): KEY.json holding {"svg", "speech"}, or {"error"} for
TeX that MathJax rejects (deterministic, so cached too; a timeout or a crash is not).
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..cache import sha256, write_json
from ..nodejs import log_tail, run_json_lines
from ..safety import sandbox
from .svg import accessible_svg
from .tools import Tools, find_tools, mathjax_version

SCRIPT = Path(__file__).with_name("render.mjs")
SANITIZER = Path(__file__).with_name("svg.py")
FORMULA_TIMEOUT_S = 10.0
BATCH_BASE_S = 60.0              # MathJax and the speech engine load in ~1 s; the rest is slack
PER_FORMULA_S = 0.5
LOG_NAME = "render.log"
SPEECH_LOCALE = "en"             # the speech engine has no Japanese rules; English is read by every reader


@dataclass(frozen=True)
class Formula:
    tex: str
    display: bool


@dataclass(frozen=True)
class Drawn:
    svg: str                     # standalone SVG: role="img", aria-label and <title> with the speech
    speech: str


@dataclass
class RenderResult:
    drawn: dict[Formula, Drawn] = field(default_factory=dict)
    errors: dict[Formula, str] = field(default_factory=dict)
    unavailable: str | None = None


def formula_key(formula: Formula, version: str) -> str:
    """The formula, MathJax's version, and our code that draws and cleans it."""
    return sha256("mathsvg-1", SCRIPT.read_bytes(), SANITIZER.read_bytes(), version, SPEECH_LOCALE,
                  "display" if formula.display else "inline", formula.tex)


def render_formulas(formulas, cache_dir: Path) -> RenderResult:
    """Each distinct formula drawn once; a fully cached batch starts no node."""
    result = RenderResult()
    wanted = list(dict.fromkeys(formulas))
    if not wanted:
        return result
    tools = find_tools()
    if isinstance(tools, str):
        result.unavailable = tools
        return result
    cache_dir = Path(cache_dir)
    version = mathjax_version(tools.modules)
    keys = {f: formula_key(f, version) for f in wanted}
    pending = {k: f for f, k in keys.items() if not load_cached(cache_dir, k, f, result)}
    if pending:
        cache_dir.mkdir(parents=True, exist_ok=True)
        render_batch(pending, cache_dir, tools, result)
    return result


def load_cached(cache_dir: Path, key: str, formula: Formula, result: RenderResult) -> bool:
    try:
        entry = json.loads((cache_dir / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if "error" in entry:
        result.errors[formula] = entry["error"]
    else:
        result.drawn[formula] = Drawn(entry["svg"], entry["speech"])
    return True


def render_batch(pending: dict[str, Formula], cache_dir: Path, tools: Tools, result: RenderResult) -> None:
    ids = {f"f{index}": key for index, key in enumerate(pending)}
    spec = {"modules": str(tools.modules), "locale": SPEECH_LOCALE, "formula_timeout_s": FORMULA_TIMEOUT_S,
            "jobs": [{"id": i, "tex": pending[k].tex, "display": pending[k].display} for i, k in ids.items()]}
    timeout = BATCH_BASE_S + PER_FORMULA_S * len(pending)
    with tempfile.NamedTemporaryFile("w", suffix=".json", dir=cache_dir, delete=False, encoding="utf-8") as job:
        json.dump(spec, job, ensure_ascii=False)
    try:
        messages, why = run_node(tools, Path(job.name), cache_dir / LOG_NAME, timeout)
    finally:
        os.unlink(job.name)
    for message in messages:
        take(message, ids, pending, cache_dir, result)
    for key, formula in pending.items():
        if formula not in result.drawn and formula not in result.errors:
            result.errors[formula] = why or "not drawn: MathJax stopped before it"


def run_node(tools: Tools, job: Path, log_path: Path, timeout: float) -> tuple[list[dict], str]:
    """render.mjs run to the end, or killed (its whole process group) past `timeout`.
    Returns its messages and, when it did not finish, why."""
    messages = []
    returncode, killed = run_json_lines(node_command(tools, job, timeout), log_path, timeout, messages.append)
    fatal = next((m["fatal"] for m in messages if "fatal" in m), None)
    if killed:
        return messages, f"not drawn: the formula batch timed out after {timeout:g} s"
    if fatal or returncode:
        return messages, f"not drawn: node render.mjs failed: {fatal or log_tail(log_path)} (log: {log_path})"
    return messages, ""


def node_command(tools: Tools, job: Path, timeout: float) -> sandbox.Command:
    """render.mjs in the sandbox (as the mermaid renderer): it reads our script and the node
    packages, writes nothing but the cache folder the job file is in, reaches no network."""
    limits = sandbox.Limits(wall_s=timeout, cpu_s=int(timeout) + 60, memory_mb=4096, file_mb=64, processes=64)
    return sandbox.command("mathjax", [tools.node, str(SCRIPT), str(job)], job=job.parent,
                           reads=[SCRIPT.parent, tools.modules], limits=limits)


def take(message: dict, ids: dict[str, str], pending: dict[str, Formula], cache_dir: Path,
         result: RenderResult) -> None:
    key = ids.get(message.get("id", ""))
    if key is None:
        return
    formula = pending[key]
    if message.get("ok"):
        drawn = Drawn(accessible_svg(message["svg"], message["speech"]), message["speech"])
        result.drawn[formula] = drawn
        write_json(cache_dir / f"{key}.json", {"svg": drawn.svg, "speech": drawn.speech})
    else:
        result.errors[formula] = message.get("error", "rejected")
        if message.get("kind") == "tex":
            write_json(cache_dir / f"{key}.json", {"error": result.errors[formula]})
