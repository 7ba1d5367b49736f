"""filters/mermaid.py: mermaid code blocks become diagram Divs, or stay code with a warning.

No browser here: the filter only reads `doc.context.diagrams`. Golden cases live in
cases/: NAME.md (input), NAME.native (the filtered AST) and NAME.warnings. The part of
NAME before the first "-" says what the renderer produced for every diagram in the case:
rendered, failed, unavailable, or none (not in the table at all).
`pytest --update-goldens` rewrites the expected files.
"""
from __future__ import annotations

from pathlib import Path

import panflute as pf
import pytest

from zennbook.filters.mermaid import action, mermaid_sources
from zennbook.diagnostics import Code, Diagnostics
from zennbook.filtering import FilterContext, apply_filters
from zennbook.mermaid import Diagram, Failure, diagram_key
from zennbook.mermaid import key as key_module
from zennbook.pandoc import doc_to_format, markdown_to_doc

CASES = Path(__file__).with_name("cases")
SOURCE = "flowchart TD\n  A[開始] --> B[終了]"


def fake_diagram(key: str) -> Diagram:
    return Diagram(Path("cache") / f"{key}.svg", Path("cache") / f"{key}.pdf", 120.0, 80.5)


def run(doc: pf.Doc, table: dict) -> tuple[pf.Doc, Diagnostics]:
    diagnostics = Diagnostics()
    context = FilterContext(path="articles/a.md", slug="a", diagnostics=diagnostics, diagrams=table)
    return apply_filters(doc, context, [action]), diagnostics


def code(text: str = SOURCE, line: str | None = "12", classes=("mermaid",)) -> pf.CodeBlock:
    return pf.CodeBlock(text, classes=list(classes), attributes={"data-line": line} if line else {})


def test_rendered_block_becomes_a_diagram_div_keeping_the_source():
    key = diagram_key(SOURCE)
    doc, diagnostics = run(pf.Doc(code()), {key: fake_diagram(key)})
    div = doc.content[0]
    assert isinstance(div, pf.Div) and div.classes == ["diagram"]
    assert div.attributes == {"svg": f"cache/{key}.svg", "pdf": f"cache/{key}.pdf",
                              "key": key, "data-line": "12"}
    assert isinstance(div.content[0], pf.CodeBlock) and div.content[0].text == SOURCE
    assert diagnostics.items == []


def test_key_matches_whatever_the_source_whitespace():
    key = diagram_key(SOURCE)
    doc, _ = run(pf.Doc(code("\n" + SOURCE.replace("\n", "  \r\n") + "\n\n")), {key: fake_diagram(key)})
    assert doc.content[0].attributes["key"] == key


def test_failed_diagram_stays_code_with_mermaids_message_and_the_line():
    failure = Failure("Parse error on line 2:\n...A[\n----^\nExpecting 'SQE'")
    doc, diagnostics = run(pf.Doc(code()), {diagram_key(SOURCE): failure})
    assert isinstance(doc.content[0], pf.CodeBlock)
    [warning] = diagnostics.items
    # the fence is on line 12: the diagram's line 2 is the article's line 14, and is shown
    assert warning.code is Code.MERMAID_FAILED and warning.line == 14
    assert "line 2 of the diagram, `A[開始] --> B[終了]`: Parse error" in warning.message
    assert "\n" not in warning.message


def test_unavailable_renderer_keeps_code_and_warns_unavailable():
    failure = Failure("chromium not found on PATH (apt-get install chromium)", unavailable=True)
    doc, diagnostics = run(pf.Doc(code()), {diagram_key(SOURCE): failure})
    assert isinstance(doc.content[0], pf.CodeBlock)
    [warning] = diagnostics.items
    assert warning.code is Code.MERMAID_UNAVAILABLE and "chromium" in warning.message


def test_diagram_missing_from_the_table_warns_unavailable():
    _, diagnostics = run(pf.Doc(code()), {})
    assert [d.code for d in diagnostics.items] == [Code.MERMAID_UNAVAILABLE]


def test_line_comes_from_the_nearest_ancestor_when_the_block_has_none():
    key = diagram_key(SOURCE)
    doc = pf.Doc(pf.Div(code(line=None), attributes={"data-line": "40"}))
    doc, _ = run(doc, {key: fake_diagram(key)})
    assert doc.content[0].content[0].attributes["data-line"] == "40"


def test_other_code_blocks_are_not_touched():
    doc, diagnostics = run(pf.Doc(code(classes=("python",))), {})
    assert isinstance(doc.content[0], pf.CodeBlock) and diagnostics.items == []


def test_running_twice_does_not_nest_divs():
    key = diagram_key(SOURCE)
    doc, _ = run(pf.Doc(code()), {key: fake_diagram(key)})
    doc, _ = run(doc, {key: fake_diagram(key)})
    div = doc.content[0]
    assert isinstance(div.content[0], pf.CodeBlock)


def test_mermaid_sources_collects_every_block_in_order():
    doc = pf.Doc(code("graph TD\n  A-->B"), pf.BlockQuote(code("pie\n  \"x\" : 1")),
                 pf.Div(code("print(1)", classes=("python",)), code("sequenceDiagram\n  a->>b: c")))
    assert mermaid_sources(doc) == ["graph TD\n  A-->B", "pie\n  \"x\" : 1", "sequenceDiagram\n  a->>b: c"]


# golden cases ---------------------------------------------------------------------------

def table_for(mode: str, sources: list[str]) -> dict:
    keys = [diagram_key(s) for s in sources]
    if mode == "rendered":
        return {k: fake_diagram(k) for k in keys}
    if mode == "failed":
        return {k: Failure("Parse error on line 2:\n---^\nExpecting 'SQE', got 'EOF'") for k in keys}
    if mode == "unavailable":
        return {k: Failure("chromium not found on PATH (apt-get install chromium)", True) for k in keys}
    return {}


@pytest.mark.parametrize("case", sorted(CASES.glob("*.md")), ids=lambda p: p.stem)
def test_golden(case: Path, request, monkeypatch):
    # Keys in the goldens must not change whenever render.mjs or mermaid's version does.
    monkeypatch.setattr(key_module, "renderer_version", lambda: "golden")
    doc = markdown_to_doc(case.read_text(encoding="utf-8"), case.name)
    table = table_for(case.stem.split("-")[0], mermaid_sources(doc))
    doc, diagnostics = run(doc, table)
    got = {".native": doc_to_format(doc, "native"),
           ".warnings": "".join(f"{d}\n" for d in diagnostics.items)}
    for suffix, text in got.items():
        expected = case.with_suffix(suffix)
        if request.config.getoption("--update-goldens", default=False):
            expected.write_text(text, encoding="utf-8")
        assert text == expected.read_text(encoding="utf-8"), f"{expected.name} differs"


def test_a_one_line_diagrams_error_is_at_its_own_line():
    """`@[mermaid](...)` holds its diagram on its own line: mermaid's line 1 is that line,
    not the one after it (as after a fence)."""
    from zennbook.zenn import rewrite
    text = "前置き\n\n@[mermaid](flowchart TD; A[x --> B)\n"
    doc = markdown_to_doc(rewrite(text, [5, 6, 7, 8], "articles/a.md").text)
    block = next(b for b in doc.content if isinstance(b, pf.CodeBlock))
    failure = Failure("Parse error on line 1:\n...A[x --> B\n----^\nExpecting 'SQE'")
    _, diagnostics = run(doc, {diagram_key(block.text): failure})
    [warning] = diagnostics.items
    assert warning.code is Code.MERMAID_FAILED and warning.line == 7
