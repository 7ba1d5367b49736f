"""The hostile corpus's harness: a small book next to files it must never reach.

    book = HostileBook(tmp_path)            tmp/outside/ holds canaries, tmp/book/ the book
    book.article("bb-evil.md", text)        one hostile article beside a good one
    result = book.build("html", "epub")     the real CLI, in its own process (a traceback shows)
    result.assert_clean()                   no traceback, no canary in any output, good article built
    result.assert_located("bb-evil.md", "input.outside")

A canary is a unique word in files outside the book (and in hidden files inside it). An
output leaks when the word is found anywhere in it: the raw bytes, every member of the EPUB
zip, every base64 `data:` URI of the HTML decoded, every PDF stream decompressed, and the
text pdftotext extracts.
"""
from __future__ import annotations

import base64
import io
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import REPO, TEST_LICENSE

CANARY = "ZBCANARY7f3a9c"           # in every file the build must not read
GOOD_WORDS = "良い章の本文はちゃんと残ります"
BOOK_YAML = "title: Hostile\nslug: hostile\n" + TEST_LICENSE
TIMEOUT_S = 600
DATA_URI = re.compile(rb"data:[\w/+.-]+;base64,([A-Za-z0-9+/=]+)")


def canary_png() -> bytes:
    """A real PNG whose text chunk carries the canary (an image that must not be embedded)."""
    from PIL import Image, PngImagePlugin
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", CANARY)
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()


class HostileBook:
    """tmp/outside/ (canaries), tmp/book/book.yaml, tmp/book/articles/aa-good.md."""

    def __init__(self, tmp_path: Path, book_yaml: str = BOOK_YAML):
        self.tmp = tmp_path
        self.outside = tmp_path / "outside"
        self.root = tmp_path / "book"
        self.articles = self.root / "articles"
        self.out = tmp_path / "out"
        self.outside.mkdir()
        self.articles.mkdir(parents=True)
        for name in ("canary.txt", ".env", "secret.md"):
            (self.outside / name).write_text(f"{CANARY} secret\n", encoding="utf-8")
        (self.outside / "canary.png").write_bytes(canary_png())
        (self.tmp / ".env").write_text(f"TOKEN={CANARY}\n", encoding="utf-8")   # beside the book
        (self.root / ".env").write_text(f"TOKEN={CANARY}\n", encoding="utf-8")  # hidden, inside
        (self.root / "book.yaml").write_text(book_yaml, encoding="utf-8")
        self.article("aa-good.md", f"---\ntitle: 良い章\n---\n\n{GOOD_WORDS}。\n")

    def article(self, name: str, text: str | bytes) -> Path:
        path = self.articles / name
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        return path

    def build(self, *formats: str, extra: tuple[str, ...] = (), book: Path | None = None,
              timeout: int = TIMEOUT_S) -> "BuildResult":
        args = [sys.executable, str(REPO / "build.py"), "build", "--book", str(book or self.root / "book.yaml"),
                "--out", str(self.out), *extra]
        for fmt in formats:
            args += ["--format", fmt]
        proc = subprocess.run(args, cwd=self.tmp, capture_output=True, text=True, timeout=timeout)
        return BuildResult(self, proc, formats)


@dataclass
class BuildResult:
    book: HostileBook
    proc: subprocess.CompletedProcess
    formats: tuple[str, ...]

    @property
    def stderr(self) -> str:
        return self.proc.stderr

    @property
    def returncode(self) -> int:
        return self.proc.returncode

    def outputs(self) -> list[Path]:
        if not self.book.out.exists():
            return []
        return [p for p in self.book.out.rglob("*") if p.is_file() and not p.name.startswith(".")]

    def output(self, fmt: str) -> Path:
        found = [p for p in self.outputs() if p.suffix == f".{fmt}"]
        assert found, f"no .{fmt} written; stderr:\n{self.stderr[-3000:]}"
        return found[0]

    def assert_no_traceback(self) -> None:
        assert "Traceback" not in self.stderr, self.stderr[-4000:]

    def assert_no_leak(self, canary: str = CANARY) -> None:
        for path in self.outputs():
            found = leaks(path, canary.encode())
            assert not found, f"{path.name} leaks the canary ({found})"

    def assert_located(self, file: str, code: str, level: str = "(?:WARNING|ERROR)") -> None:
        pattern = re.compile(rf"{re.escape(file)}(?::\d+)?: {level}: .*\[{re.escape(code)}\]")
        assert pattern.search(self.stderr), f"no located [{code}] for {file}:\n{self.stderr[-3000:]}"

    def assert_good_article_built(self) -> None:
        for fmt in self.formats:
            assert GOOD_WORDS in reader_text(self.output(fmt)), f"the good article is missing from the {fmt}"

    def assert_clean(self) -> None:
        """No traceback, no leak, the rest of the book built."""
        self.assert_no_traceback()
        self.assert_no_leak()
        self.assert_good_article_built()


def leaks(path: Path, needle: bytes) -> str:
    """Where `needle` occurs in the output at `path` ("" when nowhere)."""
    data = path.read_bytes()
    if needle in data:
        return "raw bytes"
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                member = archive.read(name)
                if needle in member or needle in decoded_data_uris(member):
                    return f"zip member {name}"
    if needle in decoded_data_uris(data):
        return "a base64 data: URI"
    if data.startswith(b"%PDF"):
        if needle in pdf_streams(path):
            return "a PDF stream"
        if needle.decode() in reader_text(path):
            return "the PDF's text"
    return ""


def decoded_data_uris(data: bytes) -> bytes:
    out = []
    for match in DATA_URI.finditer(data):
        try:
            out.append(base64.b64decode(match.group(1)))
        except ValueError:
            continue
    return b"\n".join(out)


def pdf_streams(path: Path) -> bytes:
    import pikepdf
    out = []
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    out.append(obj.read_bytes())
                except pikepdf.PdfError:
                    out.append(obj.read_raw_bytes())
    return b"\n".join(out)


def reader_text(path: Path) -> str:
    """The text a reader sees: pdftotext for a PDF, the XHTML text of an EPUB, the HTML's text."""
    import lxml.html
    parser = lxml.html.HTMLParser(huge_tree=True)    # outputs with images of many MB
    if path.suffix == ".pdf":
        return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                              text=True, check=True).stdout
    if path.suffix == ".epub":
        with zipfile.ZipFile(path) as archive:
            return "\n".join(lxml.html.fromstring(archive.read(n), parser=parser).text_content()
                             for n in archive.namelist() if n.endswith(".xhtml"))
    return lxml.html.fromstring(path.read_bytes(), parser=parser).text_content()
