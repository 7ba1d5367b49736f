"""The verb on the command line: its options, its usage errors, a book that cannot load, and
the files it reads declared as package data (the installed command has the verb too)."""
from __future__ import annotations

import subprocess
import tomllib

from click.testing import CliRunner

from tests.conftest import REPO
from tests.serve.conftest import serve_command
from zennbook.cli import main


def test_every_file_the_preview_reads_is_declared_package_data():
    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    data = set(declared["tool"]["setuptools"]["package-data"]["zennbook.serve"])
    shipped = {p.name for p in (REPO / "zennbook" / "serve").iterdir() if p.is_file() and p.suffix != ".py"}
    assert shipped and shipped <= data


def test_the_serve_verb_says_how_it_is_used():
    said = CliRunner().invoke(main, ["serve", "--help"])
    assert said.exit_code == 0
    for option in ("--book", "--articles", "--port", "--host", "--open"):
        assert option in said.output


def test_book_and_articles_together_are_a_usage_error(tmp_path):
    said = CliRunner().invoke(main, ["serve", "--book", str(tmp_path / "b.yaml"), "--articles", str(tmp_path)])
    assert said.exit_code == 2


def test_a_book_that_cannot_load_is_said_located_and_exits_1(tmp_path):
    (tmp_path / "book.yaml").write_text("title: No license\nchapters: [one]\n", encoding="utf-8")
    done = subprocess.run(serve_command("--book", str(tmp_path / "book.yaml"), "--port", "0"), cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "book.yaml: ERROR:" in done.stderr and "[config.license]" in done.stderr
    assert "Traceback" not in done.stderr and "serving" not in done.stdout
