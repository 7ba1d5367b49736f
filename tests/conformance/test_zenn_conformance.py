"""Every case of shared/conformance/zenn_cases.yaml through our pipeline: the Zenn text
stage, pandoc, the FILTERS chain; then the case's meaning checked on the AST with the checks
listed for its id in zenn_expectations.yaml (data beside this test, not prose read at run
time). Run: .venv/bin/pytest tests/conformance -q
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from zennbook.filters import FILTERS
from zennbook.diagnostics import Diagnostics
from zennbook.filtering import FilterContext, apply_filters
from zennbook.pandoc import markdown_to_doc
from zennbook.zenn import rewrite

from zenn_checks import CHECKS, Outcome

HERE = Path(__file__).resolve().parent
CASES_FILE = Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "zenn_cases.yaml"
if not CASES_FILE.exists():
    pytest.skip("shared/conformance is not beside the repository", allow_module_level=True)

CASES = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
EXPECTATIONS = yaml.safe_load((HERE / "zenn_expectations.yaml").read_text(encoding="utf-8"))


def run_case(case: dict) -> Outcome:
    text = case["input"]
    path = f"{case['id']}.md"
    rewritten = rewrite(text, list(range(1, text.count("\n") + 2)), path)
    diagnostics = Diagnostics()
    context = FilterContext(path=path, slug=case["id"], diagnostics=diagnostics)
    doc = apply_filters(markdown_to_doc(rewritten.text, path), context, FILTERS)
    return Outcome(doc, rewritten, [*rewritten.diagnostics, *diagnostics.items])


def _outcome_or_error(case: dict):
    try:
        return run_case(case)
    except Exception as error:          # reported by the case's own test
        return error


@pytest.fixture(scope="module")
def outcomes() -> dict:
    """Every case run once; pandoc calls in parallel, as pandoc dominates the time."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        return dict(zip([c["id"] for c in CASES], pool.map(_outcome_or_error, CASES)))


def checks_of(case_id: str) -> list[dict]:
    spec = EXPECTATIONS.get(case_id)
    assert spec, f"no expectation for {case_id} in zenn_expectations.yaml"
    if isinstance(spec, dict):
        assert spec.get("differs"), f"{case_id}: a mapping must say why we differ"
        return spec["checks"]
    return spec


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_case(case, outcomes):
    outcome = outcomes[case["id"]]
    if isinstance(outcome, Exception):
        raise outcome
    for check in checks_of(case["id"]):
        (kind, params), = check.items()
        CHECKS[kind](outcome, params)


def test_every_expectation_names_a_case():
    assert set(EXPECTATIONS) - {c["id"] for c in CASES} == set()


def test_expected_differences_are_few_and_explained():
    differs = {k: v["differs"] for k, v in EXPECTATIONS.items() if isinstance(v, dict)}
    assert all(len(reason) > 40 for reason in differs.values())
    assert len(differs) < len(CASES) // 4
