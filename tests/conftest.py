"""Shared test options and helpers."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"
# The license block of the small test books (book.yaml, top level).
TEST_LICENSE = """\
license:
  id: CC-BY-4.0
  url: https://creativecommons.org/licenses/by/4.0/deed.ja
  holder: tester
  year: 2026
  notice: |
    本書は CC BY 4.0 の下で提供されます。
  short: "CC BY 4.0 · © 2026 tester"
"""


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="Rewrite expected files of golden tests; review the diff like code.")


@pytest.fixture
def update_goldens(request) -> bool:
    return request.config.getoption("--update-goldens")


def needs(*tools: str):
    """Skip unless every external tool is on PATH (the set-up script installs them)."""
    missing = [t for t in tools if shutil.which(t) is None]
    return pytest.mark.skipif(bool(missing), reason=f"not installed: {', '.join(missing)}")


def cli_build(book_file: Path, out: Path, *formats: str, extra: tuple[str, ...] = ()):
    """`build.py build` in this process (click's runner), for tests that patch the pipeline."""
    from click.testing import CliRunner

    from zennbook.cli import main
    args = ["build", "--book", str(book_file), "--out", str(out), *extra]
    for fmt in formats:
        args += ["--format", fmt]
    return CliRunner().invoke(main, args, catch_exceptions=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On CI (CI set) a skip is a failure: setup installs every tool and the shared folder is
    beside the clone, so a test that would skip there hides a missing install step."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("CI") and not hasattr(report, "wasxfail"):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped on CI, which must have everything installed: {reason}"
