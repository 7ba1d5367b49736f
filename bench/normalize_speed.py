"""Speed of the normalization stage on a ~200,000-line corpus, and on damaged input.

The clean corpus repeats the sample book's articles (articles/*.md: Zenn Markdown with code
blocks, math, containers, a GitHub-dialect chapter) and the clean seeds 000/002/003 into
articles of about 1,700 lines, the size of a course article, until it has ~200,000 lines.
The damaged corpus is the same kind of text broken like seed 001 (cp1254, bytes lost),
which is the expensive path (lossy-byte recovery).

    .venv/bin/python bench/normalize_speed.py [--lines 200000]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from zennbook.normalize import normalize  # noqa: E402
from zennbook.normalize.japanese import lexicon  # noqa: E402

SEEDS = REPO / ".." / "shared" / "seeds"
ARTICLE_LINES = 1_700
DAMAGED_LINES = 20_000


def sources() -> list[str]:
    texts = [path.read_text(encoding="utf-8") for path in sorted((REPO / "articles").glob("*.md"))]
    for prefix in ("000", "002", "003"):
        texts += [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob(f"{prefix}_*.txt"))]
    if not texts:
        sys.exit("no articles/*.md and no seeds found")
    return texts


def corpus(texts: list[str], total_lines: int) -> list[str]:
    """Articles of about ARTICLE_LINES lines each: a whole source text, repeated."""
    articles, lines, index = [], 0, 0
    while lines < total_lines:
        parts, size = [], 0
        while size < ARTICLE_LINES:
            text = texts[index % len(texts)]
            index += 1
            parts.append(text if not parts else _body(text))
            size += text.count("\n") + 1
        articles.append("\n".join(parts))
        lines += size
    return articles


def _body(text: str) -> str:
    """The text without its front matter: only an article's first lines may hold one."""
    if text.startswith("---\n") and (end := text.find("\n---\n", 4)) != -1:
        return text[end + 5:]
    return text


def damaged(text: str) -> str:
    return text.encode("utf-8").decode("cp1254", errors="ignore").replace("\xad", "")


def run(articles: list[str]) -> tuple[int, float, float]:
    """(lines, wall seconds, CPU seconds): CPU time is what to compare on a busy machine."""
    lines = sum(article.count("\n") + 1 for article in articles)
    started, cpu = time.perf_counter(), time.process_time()
    for number, article in enumerate(articles):
        normalize(article, f"article-{number}.md")
    return lines, time.perf_counter() - started, time.process_time() - cpu


def show(label: str, lines: int, wall: float, cpu: float) -> None:
    print(f"{label:<15} {lines:>7} lines: wall {wall:6.2f} s, CPU {cpu:6.2f} s "
          f"= {lines / cpu:>9,.0f} lines per CPU second")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, default=200_000)
    total = parser.parse_args().lines
    texts = sources()

    show("clean corpus", *run(corpus(texts, total)))

    started = time.perf_counter()
    lexicon()
    print(f"lexicon load:   {time.perf_counter() - started:6.2f} s (once per process, "
          "only when a file needs lossy repair)")
    broken = [damaged(article) for article in corpus(texts, DAMAGED_LINES)]
    show("damaged corpus", *run(broken))
    print("(damaged: cp1254 with lost bytes, like seed 001)")


if __name__ == "__main__":
    main()
