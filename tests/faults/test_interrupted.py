"""A build killed halfway (SIGKILL) leaves the previous outputs intact and readable; two
builds into the same folder take turns (a lock)."""
from __future__ import annotations

import fcntl
import hashlib
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import lxml.html

from tests.conftest import REPO, TEST_LICENSE
from zennbook.outputs import LOCK_NAME

BOOK = "title: Killed\nslug: killed\n" + TEST_LICENSE


def make_book(tmp_path: Path, text: str) -> Path:
    (tmp_path / "articles").mkdir(exist_ok=True)
    body = "".join(f"## 節{i}\n\n{text}の段落{i}です。\n\n```python\nprint({i})\n```\n\n" for i in range(400))
    (tmp_path / "articles" / "only-chapter.md").write_text(f"---\ntitle: {text}\n---\n\n{body}", encoding="utf-8")
    (tmp_path / "book.yaml").write_text(BOOK, encoding="utf-8")
    return tmp_path


def start_build(book_dir: Path, *formats: str) -> subprocess.Popen:
    args = [sys.executable, str(REPO / "build.py"), "build", "--book", str(book_dir / "book.yaml"),
            "--out", str(book_dir / "out"), "--no-verify"]
    for fmt in formats:
        args += ["--format", fmt]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(args, cwd=book_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("killed.*")}


def test_sigkill_mid_write_keeps_previous_outputs(tmp_path):
    book_dir = make_book(tmp_path, "最初の版")
    first = start_build(book_dir, "html", "epub")
    assert first.wait(timeout=300) == 0, first.stdout.read().decode()[-2000:]
    before = digests(book_dir / "out")
    assert set(before) == {"killed.html", "killed.epub"}

    make_book(tmp_path, "二番目の版")
    second = start_build(book_dir, "html", "epub")
    deadline = time.monotonic() + 300
    while not list((book_dir / "out").glob(".killed.*.part")):     # a writer is writing
        assert second.poll() is None, "the build ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.killpg(second.pid, signal.SIGKILL)
    second.wait(timeout=30)

    assert digests(book_dir / "out") == before, "previous outputs unchanged"
    html = lxml.html.fromstring((book_dir / "out" / "killed.html").read_bytes())
    assert "最初の版の段落0です。" in html.text_content()
    with zipfile.ZipFile(book_dir / "out" / "killed.epub") as archive:
        assert archive.testzip() is None

    third = start_build(book_dir, "html", "epub")       # the next build cleans up and succeeds
    assert third.wait(timeout=300) == 0
    assert not list((book_dir / "out").glob(".*.part")), "stale partial files removed"
    assert "二番目の版" in (book_dir / "out" / "killed.html").read_text(encoding="utf-8")


def test_second_build_waits_for_the_lock(tmp_path):
    book_dir = make_book(tmp_path, "鍵")
    out = book_dir / "out"
    out.mkdir()
    with open(out / LOCK_NAME, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        waiting = start_build(book_dir, "html")
        time.sleep(3)
        assert waiting.poll() is None, "the build waits while another holds the folder"
        assert not (out / "killed.html").exists()
        fcntl.flock(handle, fcntl.LOCK_UN)
    assert waiting.wait(timeout=300) == 0
    assert (out / "killed.html").exists()
