"""What the sandbox costs: the sample book's PDF built cold, with and without the jail.

    .venv/bin/python bench/sandbox_bench.py [--book book.yaml] [--runs 1]

Each variant builds the PDF into a fresh folder with an empty cache (every LuaLaTeX job,
pandoc call and diagram runs), and prints the wall-clock seconds and the CPU seconds of
the external tools (user + system of the child processes; through bwrap only bwrap's own
shows, as the jail's processes are reaped inside their namespace):

- unjailed: ZENNBOOK_SANDBOX=off (limits only);
- jailed: bubblewrap, with the font warm-up (the font-name database copied into each job's
  cache, the cut fonts compiled once for all jobs);
- jailed, no warm-up: each job rebuilds luaotfload's font-name database and compiles the
  cut fonts itself.

The load average is printed with each number: other processes share the machine.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from zennbook.config import load_book  # noqa: E402
from zennbook.diagnostics import Diagnostics  # noqa: E402
from zennbook.pipeline import Options, build  # noqa: E402
from zennbook.safety import sandbox  # noqa: E402
from zennbook.writers import texcache  # noqa: E402

EPOCH = 1767225600


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build_once(book_file: Path) -> tuple[float, float, int]:
    """Wall seconds, tools' CPU seconds, exit code of one cold PDF build."""
    with tempfile.TemporaryDirectory(prefix="zb-sandbox-bench-") as tmp:
        diagnostics = Diagnostics()
        book = load_book(book_file, None, diagnostics, cwd=book_file.parent)
        options = Options(formats=("pdf",), out_dir=Path(tmp) / "out", verify=False, epoch=EPOCH,
                          cache_dir=Path(tmp) / "cache")
        cpu, started = children_cpu(), time.perf_counter()
        result = build(book, options, diagnostics)
        for item in diagnostics.items:
            if item.code.value.startswith("tool."):
                print(f"    {item}")
        return time.perf_counter() - started, children_cpu() - cpu, result.exit_code


def variant(name: str, book_file: Path, runs: int) -> None:
    for run in range(1, runs + 1):
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        wall, cpu, code = build_once(book_file)
        print(f"{name:24} run {run}: {wall:6.1f} s wall, {cpu:6.1f} s tools' CPU, exit {code}  (load {load})",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--book", type=Path, default=REPO / "book.yaml")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    book_file = args.book.resolve()
    print(f"jail: {sandbox.sandbox_problem() or 'bubblewrap'}")
    os.environ[sandbox.SWITCH] = "off"
    variant("unjailed", book_file, args.runs)
    os.environ[sandbox.SWITCH] = "on"
    variant("jailed", book_file, args.runs)
    seed, warm = texcache.seed_font_cache, texcache.warm_font_cache
    texcache.seed_font_cache, texcache.warm_font_cache = (lambda job: None), (lambda fonts, run: None)
    try:
        variant("jailed, no warm-up", book_file, args.runs)
    finally:
        texcache.seed_font_cache, texcache.warm_font_cache = seed, warm


if __name__ == "__main__":
    main()
