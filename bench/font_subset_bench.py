r"""Cutting a face to a book's characters with each subsetter the project could use: HarfBuzz
(uharfbuzz, what zennbook.fonts.subset uses) and fontTools (what the EPUB used before).

    .venv/bin/python bench/font_subset_bench.py [--family "Noto Sans CJK JP"] [--repeat 3] [DIR]

The characters are those of DIR's articles (default: the sample book's `articles/`) and
printable ASCII. Prints, per library, the best wall time of `--repeat` cuts and the size.
"""
from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))         # the checkout we are run from, not this file's

from zennbook.fonts import face, subset  # noqa: E402


def with_fonttools(found, text: str) -> bytes:
    """fontTools' subsetter as writers/epub/assets.py called it before zennbook.fonts."""
    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTFont
    font = TTFont(str(found.path), fontNumber=found.index, lazy=False)
    options = ft_subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out, reorderTables=True)
    return out.getvalue()


def best_of(repeat: int, cut) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        size = len(cut())
        times.append(time.perf_counter() - start)
    return min(times), size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", nargs="?", default="articles")
    parser.add_argument("--family", default="Noto Sans CJK JP")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    found = face(args.family)
    if found is None:
        sys.exit(f"{args.family} is not installed")
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(Path(args.folder).glob("*.md")))
    chars = sorted(set(text) | {chr(c) for c in range(0x20, 0x7F)})
    print(f"{found.path.name} face {found.index}: {len(chars)} characters, {found.path.stat().st_size:,} bytes")
    for name, cut in (("uharfbuzz", lambda: subset(found, chars)),
                      ("fontTools", lambda: with_fonttools(found, "".join(chars)))):
        seconds, size = best_of(args.repeat, cut)
        print(f"{name:10} {seconds * 1000:8.0f} ms  {size:>10,} bytes")


if __name__ == "__main__":
    main()
