"""Golden cases: cases/<name>.input.md normalized must equal cases/<name>.expected.md.

`pytest --update-goldens` rewrites the expected files; review their diff like code.
Each case is also checked for idempotence and for one source line per output line.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from zennbook.normalize import normalize

CASES = Path(__file__).resolve().parent / "cases"
INPUTS = sorted(CASES.glob("*.input.md"))


def expected_path(source: Path) -> Path:
    return source.with_name(source.name.replace(".input.md", ".expected.md"))


@pytest.mark.parametrize("source", INPUTS, ids=[p.name.split(".")[0] for p in INPUTS])
def test_golden_case(source: Path, request):
    result = normalize(source.read_bytes(), source.name)
    expected = expected_path(source)
    if request.config.getoption("--update-goldens", default=False):
        expected.write_text(result.text, encoding="utf-8", newline="\n")
    assert expected.exists(), f"no expected file; run pytest --update-goldens and review {expected.name}"
    assert result.text == expected.read_text(encoding="utf-8")
    assert len(result.lines) == len(result.text.split("\n"))
    assert normalize(result.text, source.name).text == result.text


def test_there_are_golden_cases():
    assert len(INPUTS) >= 10
