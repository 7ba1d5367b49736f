"""Helpers for the EPUB tests (and bench/epub_bench.py): build a book through the pipeline's
own functions, run EPUBCheck, read an EPUB's parts, take the text runs of a source article.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import panflute as pf
from lxml import etree

REPO = Path(__file__).resolve().parents[3]
EPOCH = 1767225600                       # 2026-01-01T00:00:00Z, a fixed SOURCE_DATE_EPOCH
NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "m": "http://www.w3.org/1998/Math/MathML", "opf": "http://www.idpf.org/2007/opf",
      "dc": "http://purl.org/dc/elements/1.1/", "c": "urn:oasis:names:tc:opendocument:xmlns:container"}
LEFTOVER_MARKUP = (":::", "@[", "$$", "![[")
# pandoc adds VS15 after ↩ ↔ and the like so that they are not drawn as emoji.
VARIATION_SELECTORS = dict.fromkeys(map(ord, "\ufe0e\ufe0f"))


# -- building -----------------------------------------------------------------------------

@dataclass
class Built:
    book: object
    articles: list
    path: Path
    diagnostics: object


def build_epub(out_dir: Path, book_path: Path | None = None, articles_dir: Path | None = None,
               epoch: int = EPOCH, embed_fonts: bool | None = None) -> Built:
    """One EPUB through the pipeline's own stages (load, prepare, write), as `build` does."""
    from zennbook.config import load_book
    from zennbook.diagnostics import Diagnostics
    from zennbook.pipeline import BuildContext, prepare
    from zennbook.writers.epub import write_epub
    diagnostics = Diagnostics()
    book = load_book(book_path, articles_dir, diagnostics, cwd=REPO)
    context = BuildContext(diagnostics=diagnostics, epoch=epoch, cache_dir=REPO / ".zennbook-cache")
    articles = prepare(book, context)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{book.slug}.epub"
    write_epub(book, articles, path, context, embed_fonts=embed_fonts)
    return Built(book, articles, path, diagnostics)


# -- EPUBCheck ----------------------------------------------------------------------------

def epubcheck_command() -> list[str] | None:
    """EPUBCheck as a command: $EPUBCHECK_JAR, Debian's `epubcheck` (a jar on PATH), or its
    jar under /usr/share/java. None when it or java is missing."""
    java = shutil.which("java")
    candidates = [os.environ.get("EPUBCHECK_JAR"), shutil.which("epubcheck"), "/usr/share/java/epubcheck.jar"]
    for candidate in filter(None, candidates):
        path = Path(candidate).resolve()
        if path.is_file() and zipfile.is_zipfile(path):
            return [java, "-XX:TieredStopAtLevel=1", "-jar", str(path)] if java else None
        if path.is_file() and os.access(path, os.X_OK):
            return [str(path)]
    return None


@dataclass
class CheckResult:
    messages: list[dict]
    returncode: int
    output: str

    def count(self, severity: str) -> int:
        return sum(1 for m in self.messages if m.get("severity") == severity)

    def summary(self) -> str:
        lines = [f"{m.get('severity')} {m.get('ID')}: {m.get('message')} @ "
                 f"{[loc.get('path') for loc in m.get('locations', [])][:3]}" for m in self.messages]
        return "\n".join(lines[:40]) or self.output[-3000:]


def run_epubcheck(epub_path: Path, timeout: int = 900) -> CheckResult:
    command = epubcheck_command()
    if command is None:
        raise FileNotFoundError("EPUBCheck (or java) not installed")
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        proc = subprocess.run([*command, str(epub_path), "--json", str(report)], capture_output=True,
                              text=True, timeout=timeout, check=False)
        if not report.is_file():
            raise RuntimeError(f"EPUBCheck wrote no report (exit {proc.returncode}): {proc.stderr[-2000:]}")
        data = json.loads(report.read_text(encoding="utf-8"))
    messages = [m for m in data.get("messages", []) if m.get("severity") != "USAGE"]
    return CheckResult(messages, proc.returncode, proc.stdout + proc.stderr)


# -- reading an EPUB ----------------------------------------------------------------------

class Epub:
    """An EPUB's container, package document and XHTML documents, parsed."""

    def __init__(self, path: Path):
        self.path = path
        with zipfile.ZipFile(path) as archive:
            self.names = archive.namelist()
            self.files = {name: archive.read(name) for name in self.names}
        container = etree.fromstring(self.files["META-INF/container.xml"])
        self.opf_name = container.xpath("//c:rootfile/@full-path", namespaces=NS)[0]
        self.base = self.opf_name.rsplit("/", 1)[0] + "/" if "/" in self.opf_name else ""
        self.opf = etree.fromstring(self.files[self.opf_name])

    def manifest(self) -> dict[str, dict]:
        """id -> the item's attributes."""
        return {item.get("id"): dict(item.attrib) for item in self.opf.xpath("//opf:manifest/opf:item", namespaces=NS)}

    def spine(self) -> list[str]:
        """The spine's documents, as hrefs."""
        items = self.manifest()
        return [items[ref]["href"] for ref in self.opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=NS)]

    def document(self, href: str) -> etree._Element:
        return etree.fromstring(self.files[self.base + href])

    def metadata(self, name: str) -> list[str]:
        """dc:<name> values, or <meta property=name> values for names with a colon."""
        if ":" in name:
            return self.opf.xpath(f"//opf:metadata/opf:meta[@property='{name}']/text()", namespaces=NS)
        return self.opf.xpath(f"//opf:metadata/dc:{name}/text()", namespaces=NS)

    def chapters(self) -> list[str]:
        return [href for href in self.spine() if href.startswith("chapter-")]


def squash(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).translate(VARIATION_SELECTORS).split())


def emptied(root: etree._Element, xpath: str) -> etree._Element:
    """A copy of `root` with the elements `xpath` finds emptied (their tails kept)."""
    copy = etree.fromstring(etree.tostring(root))
    for elem in copy.xpath(xpath, namespaces=NS):
        tail = elem.tail
        elem.clear()
        elem.tail = tail
    return copy


def visible_text(root: etree._Element) -> str:
    """A document's text as a reader sees it: without MathML annotations (the TeX source)."""
    return "".join(emptied(root, "//m:annotation").itertext())


def prose_text(root: etree._Element) -> str:
    """Text outside code and math: where leftover source markup would show."""
    return "".join(emptied(root, "//x:code|//x:pre|//m:math").itertext())


# -- source runs --------------------------------------------------------------------------

BREAKS = (pf.Note, pf.Math, pf.LineBreak, pf.SoftBreak, pf.Image, pf.RawInline)


def inline_pieces(inlines) -> list[str]:
    """Text of inline content, split where outputs legitimately differ (notes, math, breaks,
    images), also inside emphasis and links."""
    pieces, current = [], []
    for item in inlines:
        if isinstance(item, BREAKS):
            pieces.append("".join(current))
            current = []
        elif isinstance(item, pf.Space):
            current.append(" ")
        elif isinstance(item, (pf.Str, pf.Code)):
            current.append(item.text)
        elif hasattr(item, "content"):
            inner = inline_pieces(item.content)
            current.append(inner[0])
            if len(inner) > 1:
                pieces.append("".join(current))
                pieces.extend(inner[1:-1])
                current = [inner[-1]]
    pieces.append("".join(current))
    return pieces


def source_runs(path: Path) -> tuple[list[str], str]:
    """An article file's text runs before any filter (paragraphs, headings, list items,
    table cells, code lines; not mermaid sources), and its own text outside code."""
    from zennbook.article import parse_article, read_article
    article = read_article(path, path.name)
    parse_article(article)
    runs, prose = [], []

    def visit(elem, doc):
        if isinstance(elem, pf.CodeBlock) and "mermaid" not in elem.classes:
            runs.extend(elem.text.split("\n"))
        elif isinstance(elem, (pf.Para, pf.Plain, pf.Header)):
            pieces = inline_pieces(elem.content)
            runs.extend(pieces)
            prose.extend(inline_pieces([i for i in elem.content if not isinstance(i, pf.Code)]))
    article.doc.walk(visit)
    return [r for r in runs if len(squash(r)) >= 2], "\n".join(prose)
