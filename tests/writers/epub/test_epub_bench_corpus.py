"""bench/corpus.py: the synthetic course has the real course's shape, scaled, is the same for
the same seed, and is made of our own words (no line of the shared seeds in it)."""
from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.writers.epub.epubtools import REPO

SEEDS = REPO.parent / "shared" / "seeds"


def load_corpus_module():
    spec = importlib.util.spec_from_file_location("corpus", REPO / "bench" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["corpus"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    module = load_corpus_module()
    folder = tmp_path_factory.mktemp("corpus")
    return module, folder, module.make_corpus(folder, lines=20_000, seed=3)


def test_counts_are_the_real_course_scaled(corpus):
    module, _, counts = corpus
    expected = module.scaled(20_000)
    assert counts["articles"] == expected["articles"] == 11
    assert abs(counts["lines"] - 20_000) <= 20_000 * 0.02
    for kind in ("message", "details", "card", "mermaid", "julia", "python", "rust", "elixir", "table", "rule"):
        assert counts[kind] == expected[kind], kind
    assert expected["math_lines"] <= counts["math_lines"] <= expected["math_lines"] * 1.15
    assert counts["footnote"] >= counts["articles"]


def test_footnotes_start_at_one_in_every_article(corpus):
    _, folder, _ = corpus
    for path in sorted(folder.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        if "[^" in text:
            assert "[^1]: " in text, path.name


def test_same_seed_same_bytes_other_seed_other_text(corpus, tmp_path):
    module, folder, _ = corpus
    module.make_corpus(tmp_path / "again", lines=20_000, seed=3)
    module.make_corpus(tmp_path / "other", lines=20_000, seed=4)
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(p.name for p in (tmp_path / "again").iterdir())
    assert all((folder / n).read_bytes() == (tmp_path / "again" / n).read_bytes() for n in names)
    first = "lecture-01-part1.md"
    assert (folder / first).read_bytes() != (tmp_path / "other" / first).read_bytes()


def test_no_seed_text_is_copied(corpus):
    if not SEEDS.is_dir():
        pytest.skip("shared seeds not present")
    _, folder, _ = corpus
    seed_lines = {line.strip() for p in SEEDS.glob("*.txt")
                  for line in p.read_text(encoding="utf-8", errors="replace").split("\n") if len(line.strip()) > 20}
    ours = {line.strip() for p in folder.glob("*.md") for line in p.read_text(encoding="utf-8").split("\n")}
    assert not seed_lines & ours
