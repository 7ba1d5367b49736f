"""DAISY Ace (`@daisy/ace`, axe-core in Debian's Chromium through puppeteer) on the sample
book's EPUB, and on the EPUB with `epub.math: svg`: no serious or critical violation."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.writers.epub.epubtools import build_epub
from zennbook.nodejs import find_node_modules

ACE = "@daisy/ace/bin/ace-puppeteer.js"
MODULES = find_node_modules(ACE)
pytestmark = pytest.mark.skipif(MODULES is None or not shutil.which("chromium") or not shutil.which("node"),
                                reason="DAISY Ace (npm @daisy/ace), node or chromium not installed")


def ace_violations(epub: Path, out: Path) -> list[dict]:
    """Ace's findings: [{document, impact, rule, what}]. The browser is Debian's Chromium."""
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": shutil.which("chromium") or "", "PUPPETEER_SKIP_DOWNLOAD": "1"}
    proc = subprocess.run(["node", str(MODULES / ACE), "--force", "--silent", "--outdir", str(out), str(epub)],
                          capture_output=True, text=True, timeout=600, env=env)
    report = out / "report.json"
    assert report.is_file(), proc.stdout[-2000:] + proc.stderr[-2000:]
    data = json.loads(report.read_text(encoding="utf-8"))
    found = []
    for document in data.get("assertions", []):
        for test in document.get("assertions", []):
            found.append({"document": document.get("earl:testSubject", {}).get("url"),
                          "impact": test["earl:test"]["earl:impact"], "rule": test["earl:test"]["dct:title"],
                          "what": test["earl:result"].get("dct:description", "")[:200]})
    return found


def serious(found: list[dict]) -> list[dict]:
    return [f for f in found if f["impact"] in ("serious", "critical")]


def test_sample_book_epub_has_no_serious_violation(tmp_path):
    built = build_epub(tmp_path / "epub", REPO / "book.yaml")
    found = ace_violations(built.path, tmp_path / "ace")
    assert serious(found) == [], serious(found)


def test_svg_math_epub_has_no_serious_violation(tmp_path):
    from tests.mathsvg.test_epub_svg_math import svg_math_book
    from zennbook.mathsvg.tools import find_tools
    if isinstance(find_tools(), str):
        pytest.skip(f"MathJax: {find_tools()}")
    built = build_epub(tmp_path / "epub", svg_math_book(tmp_path / "book", "svg"))
    found = ace_violations(built.path, tmp_path / "ace")
    assert serious(found) == [], serious(found)
