"""External tools that are missing, crash or hang: a short error naming the tool, and the
previous outputs stay as they were."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import zennbook.pandoc
from tests.conftest import TEST_LICENSE, cli_build

BOOK = "title: Tools\nslug: tools\n" + TEST_LICENSE


@pytest.fixture
def book_dir(tmp_path):
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "tool-chapter.md").write_text("---\ntitle: 道具\n---\n\n本文です。\n", encoding="utf-8")
    (tmp_path / "book.yaml").write_text(BOOK, encoding="utf-8")
    return tmp_path


def fake_tool(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body + "\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def build(book_dir: Path, *formats: str):
    return cli_build(book_dir / "book.yaml", book_dir / "out", *formats)


def test_pandoc_crash_names_the_tool_and_keeps_outputs(book_dir, monkeypatch):
    assert build(book_dir, "html").exit_code == 0
    before = (book_dir / "out" / "tools.html").read_bytes()
    crash = fake_tool(book_dir, "pandoc", "echo 'pandoc: segmentation fault (simulated)' >&2; exit 139")
    monkeypatch.setattr(zennbook.pandoc, "pandoc_path", lambda: str(crash))
    (book_dir / "articles" / "tool-chapter.md").write_text("---\ntitle: 道具\n---\n\n変更。\n", encoding="utf-8")
    result = build(book_dir, "html")
    assert result.exit_code == 1
    assert "pandoc: failed on" in result.output and "segmentation fault (simulated)" in result.output
    assert "[tool.failed]" in result.output
    assert (book_dir / "out" / "tools.html").read_bytes() == before


def test_pandoc_missing(book_dir, monkeypatch):
    monkeypatch.setattr(zennbook.pandoc, "pandoc_path", lambda: str(book_dir / "no-such-pandoc"))
    result = build(book_dir, "html")
    assert result.exit_code == 1
    assert "pandoc: not found" in result.output and "[tool.missing]" in result.output


def test_pandoc_hang_hits_the_time_limit(book_dir, monkeypatch):
    hang = fake_tool(book_dir, "pandoc", "sleep 30")
    monkeypatch.setattr(zennbook.pandoc, "pandoc_path", lambda: str(hang))
    monkeypatch.setenv("ZENNBOOK_LIMITS", "pandoc.wall_s=1")
    result = build(book_dir, "html")
    assert result.exit_code == 1
    assert "pandoc: stopped by its time limit (1 s)" in result.output and "[tool.limit]" in result.output


def test_lualatex_missing(book_dir, monkeypatch):
    monkeypatch.setenv("PATH", str(book_dir / "empty-path") + os.pathsep + "/nonexistent")
    result = build(book_dir, "pdf")
    assert result.exit_code == 1
    assert "lualatex: not found" in result.output and "[tool.missing]" in result.output
    assert not list((book_dir / "out").glob("*.pdf")), "no half-written PDF"
