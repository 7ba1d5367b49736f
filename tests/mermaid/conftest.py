"""Shared fixtures: one real render batch per test session (one Chromium start)."""
from __future__ import annotations

from pathlib import Path

import pytest

from zennbook.mermaid import render_diagrams
from zennbook.mermaid.tools import find_tools

from mermaid_samples import BROKEN, FLOWCHART_JA, SEQUENCE_JA


@pytest.fixture(scope="session")
def tools():
    found = find_tools()
    if isinstance(found, str):
        pytest.skip(f"mermaid renderer unavailable: {found}")
    return found


@pytest.fixture(scope="session")
def batch(tools, tmp_path_factory) -> tuple[Path, object]:
    """A good flowchart, a good sequence diagram and a broken one, in one batch."""
    cache = tmp_path_factory.mktemp("mermaid-cache")
    return cache, render_diagrams([FLOWCHART_JA, SEQUENCE_JA, BROKEN], cache, timeout_s=120)
