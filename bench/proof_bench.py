"""How fast is `build.py proof`? One sample article, proofed in the book's layout, timed next to
a plain LuaLaTeX run of the same article: pandoc's own standalone LaTeX (default template,
Noto CJK as its CJK font so that the Japanese is set at all), compiled once.

    .venv/bin/python bench/proof_bench.py [SLUG] [--runs N]

The proof is timed twice: cold (a new build folder: the first run may need a second LaTeX
pass for its references) and warm (the folder's .aux from the cold run is reused, as when an
author proofs the same chapter again). Wall time and CPU time (user + system, children
included) are both printed: on a busy machine the CPU time is the steadier number.
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pypandoc

REPO = Path(__file__).resolve().parents[1]


def timed(command: list[str], cwd: Path) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall seconds, CPU seconds of the children, the finished process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc


def proof_run(slug: str, out: Path, cache: Path) -> tuple[float, float, dict]:
    wall, cpu, proc = timed([sys.executable, str(REPO / "build.py"), "proof", slug, "--out", str(out)], cache)
    report = out / f"{slug}.layout.json"
    if not report.exists():
        raise SystemExit(f"proof failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}")
    return wall, cpu, json.loads(report.read_text(encoding="utf-8"))


def plain_run(slug: str, work: Path) -> tuple[float, float, float]:
    """pandoc's standalone LaTeX of the article, then one lualatex run: (pandoc s, wall s, CPU s)."""
    started = time.perf_counter()
    pypandoc.convert_file(str(REPO / "articles" / f"{slug}.md"), "latex", format="markdown",
                          outputfile=str(work / "plain.tex"),
                          extra_args=["--standalone", "-V", "CJKmainfont=Noto Serif CJK JP",
                                      "--resource-path", str(REPO)])
    pandoc_s = time.perf_counter() - started
    wall, cpu, proc = timed(["lualatex", "--interaction=nonstopmode", "plain.tex"], work)
    if not (work / "plain.pdf").exists():
        raise SystemExit(f"plain lualatex failed (exit {proc.returncode}); see {work / 'plain.log'}")
    return pandoc_s, wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("slug", nargs="?", default="02-math-and-code")
    parser.add_argument("--runs", type=int, default=1, help="warm proof runs to average")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="proof-bench-") as tmp:
        tmp = Path(tmp)
        cache = tmp / "cwd"                 # the proof's .zennbook-cache goes here, fresh
        cache.mkdir()
        shutil.copytree(REPO / "articles", cache / "articles")
        for name in ("book.yaml", "cards.yaml"):
            shutil.copy(REPO / name, cache / name)
        if (REPO / "images").is_dir():
            shutil.copytree(REPO / "images", cache / "images")
        cold = proof_run(args.slug, tmp / "out", cache)
        warm = [proof_run(args.slug, tmp / "out", cache) for _ in range(args.runs)]
        plain_dir = tmp / "plain"
        plain_dir.mkdir()
        pandoc_s, plain_wall, plain_cpu = plain_run(args.slug, plain_dir)
    report = cold[2]
    print(f"article: articles/{args.slug}.md, {report['pages']} page(s) in the proof")
    print(f"{'run':<34}{'wall s':>9}{'CPU s':>9}  notes")
    print(f"{'build.py proof (cold)':<34}{cold[0]:>9.1f}{cold[1]:>9.1f}  {report['latex_passes']} LaTeX pass(es), "
          f"{report['problems']} layout problem(s)")
    for number, (wall, cpu, again) in enumerate(warm, start=1):
        print(f"{f'build.py proof (warm {number})':<34}{wall:>9.1f}{cpu:>9.1f}  {again['latex_passes']} LaTeX pass(es)")
    print(f"{'pandoc -s + lualatex (plain)':<34}{pandoc_s + plain_wall:>9.1f}{plain_cpu:>9.1f}  "
          f"pandoc {pandoc_s:.1f}s; default template, no boxes, no highlighting rules, no emoji")


if __name__ == "__main__":
    main()
