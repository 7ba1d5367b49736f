"""Golden cases for the LaTeX writer's render pass: `cases/<name>.md` in, `cases/<name>.tex`
out (the chapter's LaTeX as pandoc writes it after the render pass, then the diagnostics).

`<name>.md` is Zenn Markdown and goes through the text stage and the filter chain first;
`<name>.pandoc.md` is read by pandoc as it is (input the text stage never lets through,
to test the writer's own defences). `<name>.yaml` may give `paper:` (b5, a5, a4).

    .venv/bin/python -m pytest tests/writers/latex --update-goldens    rewrites the .tex files
"""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from zennbook.filters import FILTERS
from zennbook.diagnostics import Diagnostics
from zennbook.filtering import FilterContext, apply_filters
from zennbook.pandoc import markdown_to_doc
from zennbook.writers.latex import TEXT_WIDTH_PT, LatexAssets, article_latex
from zennbook.zenn import rewrite

CASES = Path(__file__).resolve().parent / "cases"


def case_files() -> list[Path]:
    return sorted(CASES.glob("*.md"))


def options(source: Path) -> dict:
    extra = source.with_name(source.name.removesuffix(".md").removesuffix(".pandoc") + ".yaml")
    return yaml.safe_load(extra.read_text(encoding="utf-8")) if extra.exists() else {}


def render(source: Path, build_dir: Path) -> str:
    """The case's chapter LaTeX, then its diagnostics."""
    text = source.read_text(encoding="utf-8")
    label = f"cases/{source.name}"
    lines = list(range(1, text.count("\n") + 2))
    diagnostics = Diagnostics()
    markdown = text
    if not source.name.endswith(".pandoc.md"):
        rewritten = rewrite(text, lines, label)
        markdown = rewritten.text
        diagnostics.extend(rewritten.diagnostics)
    context = FilterContext(path=label, slug=source.stem.removesuffix(".pandoc"), diagnostics=diagnostics,
                            article_dir=CASES, root_dir=CASES)
    doc = apply_filters(markdown_to_doc(markdown, label), context, FILTERS)
    article = SimpleNamespace(doc=doc, slug=context.slug, label=label, body=text, body_lines=lines)
    paper = options(source).get("paper", "b5")
    tex = article_latex(article, LatexAssets(build_dir), diagnostics, TEXT_WIDTH_PT[paper])
    notes = "".join(f"{d}\n" for d in diagnostics.items)
    return tex + ("-- diagnostics --\n" + notes if notes else "")


@pytest.mark.parametrize("source", case_files(), ids=lambda p: p.name)
def test_golden(source: Path, tmp_path: Path, update_goldens: bool):
    expected_file = source.with_name(source.name.removesuffix(".md") + ".tex")
    actual = render(source, tmp_path)
    if update_goldens:
        expected_file.write_text(actual, encoding="utf-8")
    assert expected_file.exists(), f"no {expected_file.name}; run with --update-goldens and review it"
    assert actual == expected_file.read_text(encoding="utf-8")


def test_there_are_cases_for_every_construct():
    names = {p.name.split(".")[0] for p in case_files()}
    assert {"code", "math", "unsafe_math", "tables", "boxes", "text"} <= names
