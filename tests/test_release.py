"""`build.py release`: two releases from clean caches give the same bytes; the dates are
SOURCE_DATE_EPOCH's; manifest.json describes the artifacts and nothing of the run.

A small book (two short Japanese articles: headings, code, inline math, an image, a link
card, whose QR code segno writes as a PDF with the clock's date), released
by the real CLI: twice from clean caches (different working directories, output folders
and path styles), then once more with another SOURCE_DATE_EPOCH (warm cache, same day).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import REPO, TEST_LICENSE, needs
from zennbook import __version__
from zennbook.release import book_relative, exported_epoch, source_date_epoch

EPOCH = 1767225600            # 2026-01-01T00:00:00Z
LATER = EPOCH + 3600          # the same day, an hour later: a date-only key would not see it
VERSION = "1.0.0"
SLUG = "repro-book"
NAMES = [f"{SLUG}-{VERSION}{ext}" for ext in (".epub", ".html", ".pdf", ".reader.pdf")]

BOOK_YAML = """\
title: 再現性テスト
slug: repro-book
author: テスト著者
language: ja
version: 0.1.0
articles: articles
source_url: "https://zenn.dev/tester/articles/{slug}"
""" + TEST_LICENSE + """\
chapters:
  - 01-first
  - 02-second
"""
ARTICLES = {
    "01-first": """\
---
title: "最初の記事"
emoji: "📘"
type: "tech"
topics: ["zenn", "test"]
published: true
---

## はじめに

これは再現性を確かめるための短い記事です。式 $E = mc^2$ を含みます。

https://zenn.dev/zenn/articles/markdown-guide

```python
def hello(name: str) -> str:
    return f"こんにちは、{name}"
```
""",
    "02-second": """\
---
title: "二つ目の記事"
emoji: "🔧"
type: "tech"
topics: ["pdf"]
published: true
---

## まとめ

二つ目の記事です。インライン数式 $\\sum_{i=1}^{n} i = \\frac{n(n+1)}{2}$ と画像を含みます。

![小さな図](/images/dot.png)

```js
console.log("日本語のコメント");
```
""",
}

built = needs("lualatex", "pdfinfo")


def make_book(folder: Path) -> Path:
    from PIL import Image
    (folder / "articles").mkdir(parents=True)
    (folder / "images").mkdir()
    (folder / "book.yaml").write_text(BOOK_YAML, encoding="utf-8")
    for slug, text in ARTICLES.items():
        (folder / "articles" / f"{slug}.md").write_text(text, encoding="utf-8")
    Image.new("RGB", (40, 20), (200, 30, 30)).save(folder / "images" / "dot.png")
    return folder


def release(cwd: Path, out: str, epoch: int, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    return subprocess.run([sys.executable, str(REPO / "build.py"), "release", "--version", VERSION,
                           "--out", out, *extra], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=1800)


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    """first: relative paths, cache first/.zennbook-cache. second: another copy, run from an
    empty folder with absolute paths, its own fresh cache. later: first's book and cache,
    an hour later."""
    root = tmp_path_factory.mktemp("release")
    first, second = make_book(root / "first"), make_book(root / "second")
    work = second / "work"
    work.mkdir()
    runs = {"first": (release(first, "out", EPOCH), first / "out"),
            "second": (release(work, str(second / "dist"), EPOCH, "--book", str(second / "book.yaml")),
                       second / "dist"),
            "later": (release(first, "later", LATER), first / "later")}
    for name, (proc, _) in runs.items():
        assert proc.returncode == 0, f"{name}: {proc.stderr[-3000:]}"
    assert (first / ".zennbook-cache").is_dir() and (work / ".zennbook-cache").is_dir()
    assert not (second / ".zennbook-cache").exists()
    return {"root": root, **{name: out for name, (_, out) in runs.items()}}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pdf_meta(path: Path) -> dict:
    import pikepdf
    with pikepdf.open(path) as pdf:
        xmp = pdf.open_metadata()
        return {"info": {k: str(v) for k, v in pdf.docinfo.items()},
                "xmp": {k: xmp.get(k) for k in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate")},
                "id": [bytes(i) for i in pdf.trailer.ID], "pages": len(pdf.pages)}


def epub_modified(path: Path) -> tuple[str, list]:
    with zipfile.ZipFile(path) as z:
        opf = z.read("EPUB/content.opf").decode("utf-8")
        modified = re.search(r'<meta property="dcterms:modified">([^<]*)</meta>', opf).group(1)
        return modified, [(i.filename, i.date_time, i.compress_type) for i in z.infolist()]


# -- two clean releases ----------------------------------------------------------------------

@built
def test_two_clean_releases_are_byte_identical(releases):
    first, second = releases["first"], releases["second"]
    assert (first / "SHA256SUMS").read_bytes() == (second / "SHA256SUMS").read_bytes()
    sums = (first / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert [line.split("  ")[1] for line in sums] == NAMES
    for line in sums:
        digest, name = line.split("  ")
        assert sha(first / name) == sha(second / name) == digest, name
    assert (first / "manifest.json").read_bytes() == (second / "manifest.json").read_bytes()


@built
def test_pdf_is_dated_by_source_date_epoch(releases):
    meta = pdf_meta(releases["first"] / NAMES[2])
    assert meta["info"]["/CreationDate"].startswith("D:20260101000000")
    assert meta["info"]["/ModDate"].startswith("D:20260101000000")
    for key, value in meta["xmp"].items():
        assert value is None or value.startswith("2026-01-01T00:00:00"), (key, value)
    assert meta["xmp"]["xmp:CreateDate"] is not None
    assert len(meta["id"]) == 2 and all(len(i) == 16 for i in meta["id"])


@built
def test_included_pdfs_bring_no_date_of_their_own(releases):
    """segno dates its QR code PDFs by the clock; LuaTeX is told not to copy an included PDF's
    Info into the book, so the only dates in the PDF are the build's."""
    import pikepdf
    with pikepdf.open(releases["first"] / NAMES[2]) as pdf:
        included = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and "/PTEX.PageNumber" in o]
        assert included, "the book has QR codes: LuaTeX included their PDFs"
        assert not [o for o in pdf.objects
                    if isinstance(o, (pikepdf.Dictionary, pikepdf.Stream)) and "/PTEX.InfoDict" in o]
        dates = {str(v) for o in pdf.objects if isinstance(o, pikepdf.Dictionary)
                 for k, v in o.items() if k in ("/CreationDate", "/ModDate")}
        assert dates <= {"D:20260101000000Z", "D:20260101000000+00'00'"}, dates


@built
def test_epub_entries_are_ordered_and_dated(releases):
    modified, entries = epub_modified(releases["first"] / NAMES[0])
    assert modified == "2026-01-01T00:00:00Z"
    assert entries[0][0] == "mimetype" and entries[0][2] == zipfile.ZIP_STORED
    assert {when for _, when, _ in entries} == {(2026, 1, 1, 0, 0, 0)}


@built
def test_html_shows_the_epoch_date(releases):
    assert "2026-01-01" in (releases["first"] / NAMES[1]).read_text(encoding="utf-8")


@built
def test_another_epoch_changes_the_dates(releases):
    first, later = releases["first"], releases["later"]
    meta = pdf_meta(later / NAMES[2])
    assert meta["info"]["/CreationDate"].startswith("D:20260101010000")
    assert meta["info"]["/ModDate"].startswith("D:20260101010000")
    assert meta["xmp"]["xmp:CreateDate"].startswith("2026-01-01T01:00:00")
    modified, entries = epub_modified(later / NAMES[0])
    assert modified == "2026-01-01T01:00:00Z"
    assert {when for _, when, _ in entries} == {(2026, 1, 1, 1, 0, 0)}
    assert json.loads((later / "manifest.json").read_text(encoding="utf-8"))["source_date_epoch"] == LATER
    for name in (NAMES[0], NAMES[2]):
        assert sha(first / name) != sha(later / name), name


# -- manifest.json --------------------------------------------------------------------------

def strings_and_keys(value, keys: list, strings: list) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            keys.append(key)
            strings_and_keys(item, keys, strings)
    elif isinstance(value, list):
        for item in value:
            strings_and_keys(item, keys, strings)
    elif isinstance(value, str):
        strings.append(value)


@built
def test_manifest_describes_the_release(releases):
    out, book = releases["first"], releases["first"].parent
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert data["book"] == {"title": "再現性テスト", "slug": SLUG, "version": VERSION,
                            "language": "ja", "license": "CC-BY-4.0"}
    assert data["source_date_epoch"] == EPOCH
    assert "source_commit" in data
    assert [a["slug"] for a in data["articles"]] == ["01-first", "02-second"]
    assert [a["title"] for a in data["articles"]] == ["最初の記事", "二つ目の記事"]
    for article in data["articles"]:
        assert article["file"] == f"articles/{article['slug']}.md"
        assert article["sha256"] == sha(book / article["file"])
    assert sorted(data["outputs"]) == ["epub", "html", "pdf", "reader-pdf"]
    for fmt, entry in data["outputs"].items():
        path = out / entry["file"]
        assert entry["file"] in NAMES
        assert entry["bytes"] == path.stat().st_size
        assert entry["sha256"] == sha(path)
    assert data["outputs"]["pdf"]["pages"] == pdf_meta(out / NAMES[2])["pages"]
    assert 1 <= data["outputs"]["pdf"]["pages"] <= 12
    assert data["outputs"]["reader-pdf"]["pages"] == pdf_meta(out / NAMES[3])["pages"] >= 4
    tools = data["tools"]
    assert tools["zennbook"] == __version__
    assert tools["python"] and tools["pandoc"] and tools["lualatex"]
    for package in ("panflute", "ebooklib", "Jinja2", "lxml", "Pillow", "fonttools", "uharfbuzz"):
        assert package in tools


@built
def test_manifest_holds_nothing_of_the_run(releases):
    """No durations, no absolute paths, no working directory: the same for any two runs."""
    text = (releases["first"] / "manifest.json").read_text(encoding="utf-8")
    keys, strings = [], []
    strings_and_keys(json.loads(text), keys, strings)
    assert not [k for k in keys if re.search(r"time|duration|seconds|elapsed|started|host|user|cwd|path",
                                             k, re.I)]
    assert not [s for s in strings if s.startswith(("/", "~")) or re.match(r"^[A-Za-z]:\\", s)]
    assert str(releases["root"]) not in text


# -- the parts, without LaTeX ------------------------------------------------------------------

def test_exported_epoch_sets_and_restores_the_environment(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    with exported_epoch(EPOCH):
        assert os.environ["SOURCE_DATE_EPOCH"] == str(EPOCH)
    assert "SOURCE_DATE_EPOCH" not in os.environ
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "5")
    with exported_epoch(EPOCH):
        assert os.environ["SOURCE_DATE_EPOCH"] == str(EPOCH)
    assert os.environ["SOURCE_DATE_EPOCH"] == "5"


def test_source_date_epoch_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", f" {EPOCH} ")
    assert source_date_epoch(tmp_path) == EPOCH
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "tomorrow")
    with pytest.raises(ValueError):
        source_date_epoch(tmp_path)


def test_a_bad_source_date_epoch_is_a_usage_error(monkeypatch, tmp_path):
    from zennbook.cli import main
    book = make_book(tmp_path / "book")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = CliRunner().invoke(main, ["release", "--version", VERSION, "--book", str(book / "book.yaml"),
                                       "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "SOURCE_DATE_EPOCH" in result.output
    assert not (tmp_path / "out" / "SHA256SUMS").exists()


def test_article_files_are_relative_to_the_book(tmp_path):
    class FakeBook:
        root_dir = tmp_path
    assert book_relative(FakeBook, tmp_path / "articles" / "a.md") == "articles/a.md"
    assert book_relative(FakeBook, Path("/elsewhere/b.md")) == "b.md"
