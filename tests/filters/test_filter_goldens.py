"""Golden cases per filter, as in pandoc's lua-filters: `cases/<filter>/<name>.md` in,
`cases/<filter>/<name>.native` out (the filtered AST as pandoc native, then the
diagnostics). `<name>.md` is Zenn Markdown and goes through the text stage first;
`<name>.pandoc.md` is read by pandoc as it is (for input the text stage never produces).
`<name>.yaml` may give `filters:` (the chain to run, default: the folder's filter) and
`cards:` (cards.yaml entries). The case's folder is its article and root folder.

    .venv/bin/python -m pytest tests/filters --update-goldens    rewrites the .native files
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from zennbook.filters import FILTERS
from zennbook.diagnostics import Diagnostics
from zennbook.filtering import FilterContext, apply_filters
from zennbook.pandoc import doc_to_json, markdown_to_doc, run_pandoc
from zennbook.zenn import rewrite

CASES = Path(__file__).resolve().parent / "cases"
BY_NAME = {action.__module__.rsplit(".", 1)[-1]: action for action in FILTERS}


def case_files() -> list[Path]:
    return sorted(CASES.glob("*/*.md"))


def options(source: Path) -> dict:
    extra = source.with_name(source.name.removesuffix(".md") + ".yaml")
    return yaml.safe_load(extra.read_text(encoding="utf-8")) if extra.exists() else {}


def render(source: Path) -> str:
    """The case's filtered AST as pandoc native, then its diagnostics, paths made relative."""
    text = source.read_text(encoding="utf-8")
    label = f"{source.parent.name}/{source.name}"
    diagnostics = Diagnostics()
    if not source.name.endswith(".pandoc.md"):
        rewritten = rewrite(text, list(range(1, text.count("\n") + 2)), label)
        text = rewritten.text
        diagnostics.extend(rewritten.diagnostics)
    extra = options(source)
    chain = tuple(BY_NAME[name] for name in extra.get("filters", [source.parent.name]))
    context = FilterContext(path=label, slug=source.stem, diagnostics=diagnostics,
                            article_dir=source.parent, root_dir=source.parent,
                            cards=extra.get("cards", {}))
    doc = apply_filters(markdown_to_doc(text, label), context, chain)
    doc.walk(lambda elem, _doc: hide_case_folder(elem, source.parent))
    native = run_pandoc(doc_to_json(doc), ["-f", "json", "-t", "native", "--columns=100"], label)
    notes = "".join(f"{d}\n" for d in diagnostics.items)
    out = native + ("-- diagnostics --\n" + notes if notes else "")
    return out.replace(str(source.parent), "<case-folder>")


def hide_case_folder(elem, folder: Path) -> None:
    """Absolute paths differ between checkouts; pandoc wraps native output by width, so the
    folder is replaced before pandoc prints, not after."""
    attributes = getattr(elem, "attributes", None)
    for name, value in (attributes or {}).items():
        if str(folder) in value:
            attributes[name] = value.replace(str(folder), "<case-folder>")


@pytest.mark.parametrize("source", case_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_golden(source: Path, request):
    expected_file = source.with_name(source.name.removesuffix(".md") + ".native")
    actual = render(source)
    if request.config.getoption("--update-goldens", default=False):
        expected_file.write_text(actual, encoding="utf-8")
    assert expected_file.exists(), f"no {expected_file.name}; run with --update-goldens and review it"
    assert actual == expected_file.read_text(encoding="utf-8")


def test_every_filter_of_mine_has_cases():
    folders = {p.name for p in CASES.iterdir() if p.is_dir() and any(p.glob("*.md"))}
    assert set(BY_NAME) - {"mermaid"} <= folders
