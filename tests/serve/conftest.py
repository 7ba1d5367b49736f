"""A small book in a temporary folder, and `build.py serve` running on it as a real process
(port 0: any free port; the URL read from what it prints)."""
from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO

ARTICLES = {
    "one": "---\ntitle: \"第一章\"\nemoji: \"📘\"\n---\n\n## はじめに\n\nOriginal first paragraph.\n\n"
           ":::message\nA note box.\n:::\n\n## 続き\n\nAnother paragraph of the first chapter.\n",
    "two": "---\ntitle: \"第二章\"\n---\n\n## 二つ目\n\nThe second chapter stays as it is.\n",
}
STARTUP_TIMEOUT_S = 120


def write_book(folder: Path, articles: dict[str, str] = ARTICLES) -> Path:
    """`folder/articles/*.md` and a book.yaml naming them (with a license)."""
    (folder / "articles").mkdir(parents=True, exist_ok=True)
    for slug, text in articles.items():
        (folder / "articles" / f"{slug}.md").write_text(text, encoding="utf-8")
    chapters = "\n".join(f"  - {slug}" for slug in articles)
    (folder / "book.yaml").write_text(
        f"title: Serve test\nslug: serve-test\narticles: articles\nchapters:\n{chapters}\n"
        "license:\n  id: CC-BY-4.0\n  url: https://creativecommons.org/licenses/by/4.0/\n"
        "  holder: Test\n  year: 2024\n  notice: Test notice.\n  short: CC BY 4.0 Test\n",
        encoding="utf-8")
    return folder / "book.yaml"


@dataclass
class Served:
    process: subprocess.Popen
    url: str
    host: str
    port: int
    folder: Path

    def get(self, path: str, headers: dict | None = None) -> tuple[int, bytes]:
        """A raw request: the path goes out exactly as given (no client-side clean-up)."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            connection.putrequest("GET", path, skip_host=bool(headers and "Host" in headers),
                                  skip_accept_encoding=True)
            for name, value in (headers or {}).items():
                connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def stop(self) -> tuple[int, str]:
        """Ctrl-C, as an author would: (exit code, what it printed on stderr)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        return self.process.returncode, self.process.stderr.read()


def serve_command(*args: str) -> list[str]:
    return [sys.executable, str(REPO / "build.py"), "serve", *args]


def start_serve(folder: Path, *args: str) -> Served:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(serve_command(*args), cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        found = re.search(r"serving (http://([^/:]+):(\d+)/)", line)
        if found:
            return Served(process, found.group(1), found.group(2), int(found.group(3)), folder)
    process.kill()
    raise AssertionError(f"serve did not start: {process.stderr.read()}")


@pytest.fixture
def book(tmp_path) -> Path:
    return write_book(tmp_path)


@pytest.fixture
def served(book):
    running = start_serve(book.parent, "--book", str(book), "--port", "0")
    yield running
    running.stop()
