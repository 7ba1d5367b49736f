"""The synthetic course built as a reader gets it: every format, then what the build said.

    .venv/bin/python bench/course_check.py [--lines 200000] [--keep DIR]

Makes the course (bench/corpus.py: 114 articles at the default size, with the features of a
real course: KaTeX-only math, `$$` under a text line, mathematical letters and box drawing in
code, emoji in table cells, long identifiers and URLs), builds the PDF, the EPUB and the HTML
with verify in one `build.py build` run, and prints the counts issue 17 asks for: LaTeX errors,
missing glyphs, overfull boxes over 1 pt, and verify's coverage of each output; then every
other diagnostic code with its count.
"""
from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.corpus import make_corpus  # noqa: E402

CODE = re.compile(r": (ERROR|WARNING): .*\[([a-z.-]+)\]$")
COVERAGE = re.compile(r"^(pdf|epub|html)\s+([\d.]+)%\s+(\d+)/(\d+)", re.M)
OVERFULL = re.compile(r"runs ([\d.]+)pt past the margin")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--keep", type=Path, help="work folder (kept); default: a temporary one")
    args = parser.parse_args()
    work = (args.keep or Path(tempfile.mkdtemp(prefix="course-check-"))).resolve()
    counts = make_corpus(work, args.lines, 0)
    print(f"course: {counts.get('articles', '?')} articles, {args.lines} lines, in {work}")
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--articles", ".", "--out", "dist"], cwd=work,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - started
    (work / "build.log").write_text(proc.stdout + "\n" + proc.stderr, encoding="utf-8")
    codes = collections.Counter(m.group(2) for line in proc.stderr.splitlines() if (m := CODE.search(line)))
    overfull = [float(m.group(1)) for line in proc.stderr.splitlines()
                if "[layout.overfull]" in line and (m := OVERFULL.search(line))]
    print(f"build: exit {proc.returncode} in {seconds:.0f}s")
    print(f"LaTeX errors: {codes['latex.error']}; missing glyphs: {codes['glyph.missing']}; "
          f"overfull boxes over 1 pt: {sum(1 for p in overfull if p > 1.0)}")
    for fmt, percent, found, total in COVERAGE.findall(proc.stdout):
        print(f"verify {fmt}: {percent}% ({found}/{total})")
    for code, count in sorted(codes.items()):
        print(f"  {code}: {count}")
    print(proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "(no output)")


if __name__ == "__main__":
    main()
