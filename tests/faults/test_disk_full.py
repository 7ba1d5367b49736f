"""The disk fills up while an output is written: a short message, the previous output kept.

Uses a small tmpfs as the output folder (needs root and mount; skipped otherwise)."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from tests.conftest import TEST_LICENSE, cli_build

BOOK = "title: Full\nslug: full\n" + TEST_LICENSE


@pytest.fixture
def small_disk(tmp_path):
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount a small tmpfs")
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=160k", "tmpfs", str(mount_point)],
                          capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount tmpfs: {proc.stderr.decode().strip()}")
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=False)


def test_disk_full_keeps_the_previous_output(tmp_path, small_disk):
    articles = tmp_path / "articles"
    articles.mkdir()
    article = articles / "full-chapter.md"
    article.write_text("---\ntitle: 小さい\n---\n\n短い本文です。\n", encoding="utf-8")
    (tmp_path / "book.yaml").write_text(BOOK, encoding="utf-8")
    assert cli_build(tmp_path / "book.yaml", small_disk, "html").exit_code == 0
    before = (small_disk / "full.html").read_bytes()

    article.write_text("---\ntitle: 大きい\n---\n\n" + "とても長い本文です。\n\n" * 8000, encoding="utf-8")
    result = cli_build(tmp_path / "book.yaml", small_disk, "html")
    assert result.exit_code == 1
    assert "No space left on device" in result.output and "previous outputs are unchanged" in result.output
    assert (small_disk / "full.html").read_bytes() == before
    assert not list(small_disk.glob(".*.part")), "the partial file is removed"
