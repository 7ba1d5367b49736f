"""`pip install .` into a fresh virtual environment outside the checkout gives a `zennbook`
command that builds a book from any folder, in every format: the package carries its
filters and templates, and nothing is found through the checkout's path."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.conftest import REPO, TEST_LICENSE, needs

BOOK = "title: 持ち運べる本\nslug: portable\n" + TEST_LICENSE


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh venv with the project installed from the checkout (no editable link); its
    dependencies come from the test environment's site-packages through a .pth file, so the
    install needs only the build backend from the package index."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "zz-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    source = tmp_path_factory.mktemp("source") / "zennbook"      # a copy: the build leaves nothing in the checkout
    shutil.copytree(REPO, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", "node_modules", ".zennbook-cache", "dist", "build", "*.egg-info", "__pycache__"))
    proc = subprocess.run([str(venv / "bin" / "pip"), "install", "--no-deps", "-q", str(source)],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path_factory.mktemp("elsewhere"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return venv


def site_packages(venv: Path) -> Path:
    return next((venv / "lib").glob("python3*/site-packages"))


def test_the_package_carries_its_filters_and_templates_and_no_top_level_filters(installed):
    site = site_packages(installed)
    assert not (site / "filters").exists(), "a top-level 'filters' module in site-packages"
    assert (site / "zennbook" / "filters" / "images.py").is_file()
    assert (site / "zennbook" / "templates" / "latex" / "zennbook.sty").is_file()
    assert (site / "zennbook" / "templates" / "html" / "book.html.j2").is_file()
    assert not (site / "zennbook" / "filters").is_symlink()


@needs("lualatex", "pdftotext")
def test_the_installed_command_builds_a_book_in_another_folder_in_every_format(installed, tmp_path):
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "aa-chapter.md").write_text(
        "---\ntitle: 持ち運び\n---\n\nどこからでも作れる本の本文です。\n\n```python\nprint('hi')\n```\n",
        encoding="utf-8")
    (tmp_path / "book.yaml").write_text(BOOK, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    proc = subprocess.run([str(installed / "bin" / "zennbook"), "build", "--out", "out"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=900, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "verify: ok" in proc.stdout
    for suffix in (".pdf", ".epub", ".html"):
        assert (tmp_path / "out" / f"portable{suffix}").stat().st_size > 1000
    imported = subprocess.run([str(installed / "bin" / "python"), "-c", "import zennbook; print(zennbook.__file__)"],
                              cwd=tmp_path, capture_output=True, text=True, env=env)
    assert str(site_packages(installed)) in imported.stdout, "the test used the checkout, not the install"
