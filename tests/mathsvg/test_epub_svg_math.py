"""`epub.math: svg`: the EPUB's formulas as SVG with a spoken label; EPUBCheck accepts it."""
from __future__ import annotations

import shutil

import pytest

from tests.conftest import REPO
from tests.writers.epub.epubtools import NS, Epub, build_epub, epubcheck_command, run_epubcheck
from zennbook.mathsvg.tools import find_tools

pytestmark = pytest.mark.skipif(isinstance(find_tools(), str), reason=f"MathJax: {find_tools()}")
SVG = {"svg": "http://www.w3.org/2000/svg"}


def svg_math_book(folder, math: str):
    """The sample book's math chapter alone, with `epub.math` set."""
    (folder / "articles").mkdir(parents=True)
    shutil.copy(REPO / "articles" / "02-math-and-code.md", folder / "articles")
    shutil.copytree(REPO / "images", folder / "images")
    text = (REPO / "book.yaml").read_text(encoding="utf-8")
    head = text.split("\nparts:")[0].replace("cards: cards.yaml\n", "")
    (folder / "book.yaml").write_text(f"{head}\nchapters: [02-math-and-code]\nepub:\n  math: {math}\n",
                                      encoding="utf-8")
    return folder / "book.yaml"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("epub-svg-math")
    return {math: build_epub(root / f"out-{math}", svg_math_book(root / math, math))
            for math in ("svg", "mathml")}


def test_formulas_are_svg_images_with_speech(built):
    epub = Epub(built["svg"].path)
    chapter = epub.document(epub.chapters()[0])
    drawings = chapter.xpath('//svg:svg[@class="math-svg"]', namespaces=SVG)
    assert len(drawings) >= 10
    for svg in drawings:
        assert svg.get("role") == "img" and svg.get("aria-label")
        assert svg.find("svg:title", SVG).text == svg.get("aria-label")
    assert not chapter.xpath("//m:math", namespaces=NS)
    item = next(i for i in epub.manifest().values() if i["href"] == epub.chapters()[0])
    assert "svg" in item["properties"].split()


def test_accessibility_metadata_says_described_math(built):
    svg, mathml = Epub(built["svg"].path), Epub(built["mathml"].path)
    assert "describedMath" in svg.metadata("schema:accessibilityFeature")
    assert "MathML" not in svg.metadata("schema:accessibilityFeature")
    assert "MathML" in mathml.metadata("schema:accessibilityFeature")
    assert mathml.document(mathml.chapters()[0]).xpath("//m:math", namespaces=NS)     # the default


@pytest.mark.skipif(epubcheck_command() is None, reason="EPUBCheck not installed")
def test_epubcheck_accepts_svg_math(built):
    result = run_epubcheck(built["svg"].path)
    assert result.count("ERROR") + result.count("FATAL") == 0, result.summary()
    assert result.count("WARNING") == 0, result.summary()
