"""The sandbox in whole builds: every external tool goes through bubblewrap and the book
still comes out in every format; a tool stopped by its limit fails its output alone, with a
located [tool.limit]; a machine without the jail builds with one [tool.sandbox] warning."""
from __future__ import annotations

import os
import re
import stat
import uuid
from pathlib import Path

import pytest

from tests.conftest import needs
from tests.hostile.harness import GOOD_WORDS, HostileBook, decoded_data_uris, reader_text
from zennbook.safety import sandbox

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60"><rect width="120" height="60" fill="#3a6"/></svg>'
pytestmark = needs("bwrap", "prlimit", "lualatex", "node", "chromium", "rsvg-convert")


def script(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def book_with_diagram_and_svg(tmp_path: Path) -> tuple[HostileBook, str]:
    """A new diagram label each run: the renderer must start, not answer from a cache."""
    book = HostileBook(tmp_path)
    (book.root / "images").mkdir()
    (book.root / "images" / "plain.svg").write_bytes(SVG)
    label = f"zb{uuid.uuid4().hex[:8]}"
    book.article("bb-tools.md", f"---\ntitle: 道具の章\n---\n\n図です。\n\n```mermaid\ngraph TD\n  A[{label}] --> B[終]\n```\n\n"
                                 "![絵](/images/plain.svg)\n")
    return book, label


@pytest.mark.skipif(sandbox.sandbox_problem() is not None, reason="no jail on this machine")
def test_every_tool_runs_jailed_and_the_book_builds_in_every_format(tmp_path, monkeypatch):
    calls = tmp_path / "bwrap-calls.txt"
    spy = script(tmp_path / "spy", "bwrap", f'echo "$@" >> {calls}\nexec {sandbox.shutil.which("bwrap")} "$@"')
    monkeypatch.setenv("PATH", f"{spy.parent}{os.pathsep}{os.environ['PATH']}")
    book, label = book_with_diagram_and_svg(tmp_path)
    result = book.build("pdf", "epub", "html")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "[tool.sandbox]" not in result.stderr
    result.assert_clean()
    for fmt in ("pdf", "epub", "html"):
        assert "図です" in reader_text(result.output(fmt))
    assert "[mermaid.failed]" not in result.stderr, result.stderr[-2000:]
    drawn = decoded_data_uris(result.output("html").read_bytes())
    assert b"<svg" in drawn and label.encode() in drawn, "the diagram was not drawn"
    cache = tmp_path / ".zennbook-cache" / "pdfunits"
    job_caches = list(cache.glob("jobs/*/.texmf-cache"))
    assert job_caches and not [font for job in job_caches for font in job.rglob("*.luc") if "otl" in font.parts], \
        "a unit job compiled a cut font itself: the build's warmed font cache was not read"
    assert list((cache / "shared" / "font-cache").rglob("*.luc"))
    jailed = calls.read_text(encoding="utf-8")
    for tool in ("pandoc", "render.mjs", "lualatex", "rsvg-convert"):
        assert re.search(rf"--unshare-all .* -- prlimit .* -- [^\n]*{re.escape(tool)}", jailed), f"{tool} ran unjailed"


def test_a_tool_stopped_by_its_limit_fails_its_output_alone(tmp_path, monkeypatch):
    monkeypatch.setenv(sandbox.LIMITS_ENV, "lualatex.cpu_s=1")      # no LuaLaTeX job can finish in 1 s
    book = HostileBook(tmp_path)
    result = book.build("pdf", "html")
    assert result.returncode == 1
    result.assert_no_traceback()
    assert re.search(r"ERROR: lualatex: stopped by its CPU time limit \(1 s\).*\[tool\.limit\]", result.stderr, re.S)
    assert "unit build: " in result.stderr and "aa-good" in result.stderr, "the message names the unit"
    assert GOOD_WORDS in reader_text(result.output("html"))
    assert not list(book.out.glob("*.pdf"))


@pytest.mark.parametrize("machine", ["no-namespaces", "opted-out"])
def test_without_the_jail_the_build_warns_once_and_succeeds(tmp_path, monkeypatch, machine):
    if machine == "no-namespaces":        # what bwrap says in a container that forbids user namespaces
        fake = script(tmp_path / "fake", "bwrap", 'echo "bwrap: No permissions to create new namespace" >&2; exit 1')
        monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    else:
        monkeypatch.setenv(sandbox.SWITCH, "off")
    book = HostileBook(tmp_path)
    result = book.build("epub", "html", extra=("--strict",))
    assert result.returncode == 0, result.stderr[-3000:]
    warnings = [line for line in result.stderr.splitlines() if "[tool.sandbox]" in line]
    assert len(warnings) == 1, result.stderr
    assert "WARNING" in warnings[0]
    assert ("No permissions" in warnings[0]) if machine == "no-namespaces" else ("ZENNBOOK_SANDBOX=off" in warnings[0])
    result.assert_clean()
