"""pandoc's peak memory on large paragraphs, code blocks and tables, as the Zenn text stage
hands them over: with the paragraph cut into parts of `inline.LINKS_PER_PART` links (now),
and whole (as before; LINKS_PER_PART set out of reach).

pandoc's commonmark reader needs memory growing with the square of the links in one
paragraph; code blocks, tables and plain text grow linearly. Peak RSS is read from the
pandoc process itself (wait4), one process per case.

    .venv/bin/python bench/pandoc_memory.py [--links 3000]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from zennbook.pandoc import READER_FORMAT, pandoc_path  # noqa: E402
from zennbook.zenn import inline, rewrite  # noqa: E402


def cases(links: int) -> dict[str, str]:
    return {
        f"{links} links in one paragraph": " ".join(f"[リンク{i}](https://example.com/page/{i})"
                                                  for i in range(links)) + "\n",
        "a 1 MB paragraph of text": ("あいうえおかきくけこ" * 10 + " words here. ") * 3300 + "\n",
        "a 50,000-line code block": "```python\n" + "".join(f"x{i} = {i}\n" for i in range(50_000)) + "```\n",
        "a 10,000-row table": "| a | b | c |\n|---|---|---|\n" + "".join(f"| r{i} | {i} | セル |\n"
                                                                   for i in range(10_000)),
    }


def peak_rss_mb(markdown: str) -> tuple[float, float]:
    """(peak RSS in MB, seconds) of one pandoc run reading `markdown`."""
    started = time.perf_counter()
    proc = subprocess.Popen([pandoc_path(), "-f", READER_FORMAT, "-t", "json"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    proc.stdin.write(markdown.encode("utf-8"))
    proc.stdin.close()
    _, _, usage = os.wait4(proc.pid, 0)
    return usage.ru_maxrss / 1024, time.perf_counter() - started


def stage(text: str) -> str:
    return rewrite(text, list(range(1, text.count("\n") + 2)), "bench.md").text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--links", type=int, default=3000)
    args = parser.parse_args()
    print(f"{'input':32} {'KB':>6} {'now: MB':>9} {'s':>5} {'whole: MB':>10} {'s':>5}")
    for name, text in cases(args.links).items():
        now = peak_rss_mb(stage(text))
        kept, inline.LINKS_PER_PART = inline.LINKS_PER_PART, 10 ** 9
        whole = peak_rss_mb(stage(text))
        inline.LINKS_PER_PART = kept
        print(f"{name:32} {len(text.encode()) / 1024:6.0f} {now[0]:9.0f} {now[1]:5.1f} "
              f"{whole[0]:10.0f} {whole[1]:5.1f}")


if __name__ == "__main__":
    main()
