"""The node programs zennbook drives (mermaid, MathJax): where their packages are installed,
and one way to run a batch script that answers in JSON lines.

node_modules is not part of the Python package: `npm ci` puts it beside package.json, in a
checkout of this repository, or a user installs the packages wherever they like. Looked for,
in order: the folder named by ZENNBOOK_NODE_MODULES; a node_modules in the current folder or
one of its parents (as node itself resolves packages); one beside the source tree zennbook
was installed from in development mode (an editable install of a checkout).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

ENVIRONMENT = "ZENNBOOK_NODE_MODULES"
NPM_HINT = ("run `PUPPETEER_SKIP_DOWNLOAD=1 npm ci` at the repository root, or point "
            f"{ENVIRONMENT} at a node_modules that holds the packages")


def find_node_modules(*wanted: str) -> Path | None:
    """The first node_modules holding every file of `wanted` (paths inside node_modules)."""
    for candidate in candidates():
        if all((candidate / name).is_file() for name in wanted):
            return candidate
    return None


def candidates() -> list[Path]:
    found = []
    if os.environ.get(ENVIRONMENT):
        found.append(Path(os.environ[ENVIRONMENT]))
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        found += [folder / "node_modules" for folder in (start, *start.parents)]
    return list(dict.fromkeys(found))


def run_json_lines(command, log_path: Path, deadline_s: float,
                   on_message: Callable[[dict], None]) -> tuple[int | None, bool]:
    """Run a (jailed) batch script, handing each JSON line of its stdout to `on_message` as it
    comes; its stderr is the log. Its whole process group is killed past `deadline_s`.
    Returns (exit code, None when killed; killed)."""
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(command.argv, env=command.env, cwd=command.cwd, stdout=subprocess.PIPE,
                                stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
        killed = threading.Event()
        watchdog = threading.Timer(deadline_s, kill_group, (proc, killed))
        watchdog.start()
        try:
            for line in proc.stdout:
                if (message := json_line(line)) is not None:
                    on_message(message)
            proc.wait()
        finally:
            watchdog.cancel()
            if proc.poll() is None:
                kill_group(proc, killed)
                proc.wait()
            proc.stdout.close()
    return (None if killed.is_set() else proc.returncode), killed.is_set()


def kill_group(proc: subprocess.Popen, killed: threading.Event) -> None:
    killed.set()
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def json_line(line: bytes) -> dict | None:
    try:
        message = json.loads(line)
    except ValueError:
        return None              # a partial last line after a kill
    return message if isinstance(message, dict) else None


def log_tail(log_path: Path) -> str:
    """The log's last non-empty line, on one line (for a message)."""
    try:
        lines = [line for line in log_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except OSError:
        return "no log"
    return one_line(lines[-1]) if lines else "no output"


def one_line(text: str) -> str:
    return " ".join(str(text).split())[:300]
