"""Diagrams as a course writes them, generated (mermaid_forms): every one renders, and its
PDF keeps every label as text; the forms mermaid itself refuses become located warnings.

Rendered for real in one batch. ZENNBOOK_MERMAID_CORPUS=N renders N diagrams instead of
the default (3 of each kind).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from mermaid_forms import KINDS, LABELS, REFUSED, corpus
from tests.conftest import REPO, TEST_LICENSE
from zennbook.mermaid import diagram_key, explain_failure, render_diagrams
from zennbook.mermaid.errors import HINTS

SVG_NS = "{http://www.w3.org/2000/svg}"
COUNT = int(os.environ.get("ZENNBOOK_MERMAID_CORPUS", 3 * len(KINDS)))
EMOJI = re.compile(r"[\U0001F000-\U0001FAFF\u2600-\u27BF]")
needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")


@pytest.fixture(scope="module")
def forms() -> dict[str, str]:
    return corpus(seed=7, count=COUNT)


@pytest.fixture(scope="module")
def rendered(tools, forms, tmp_path_factory):
    cache = tmp_path_factory.mktemp("corpus")
    sources = [*forms.values(), *(source for source, _ in REFUSED.values())]
    return render_diagrams(sources, cache, timeout_s=900)


def test_the_corpus_combines_every_kind_label_and_edge(forms):
    by_kind = {kind: "\n".join(src for name, src in forms.items() if name.endswith(f"-{kind}"))
               for kind in KINDS}
    for kind, text in by_kind.items():
        if kind == "sankey":
            continue                 # ASCII only: mermaid's sankey refuses the rest
        for label in LABELS.values():
            written = label.text.replace('"', "#quot;")
            assert written in text or label.text in text, (kind, label)
    text = "\n".join(forms.values())
    for edge in ("-->|", "-- ", "-. ", "== ", "-.", "~~~", "<-->", "--o", "--x"):
        assert edge in text, edge


def test_every_generated_diagram_renders(forms, rendered):
    assert rendered.unavailable is None
    failed = {name: rendered.errors[diagram_key(src)] for name, src in forms.items()
              if diagram_key(src) not in rendered.diagrams}
    assert not failed, "\n\n".join(f"{name}: {why}\n{forms[name]}" for name, why in failed.items())


@needs_poppler
def test_the_pdf_keeps_every_label_as_text(forms, rendered):
    """pdftotext gives back every character the SVG draws as text (Japanese, subscripts,
    emoji included), nothing more: no label became a picture or fell outside the page."""
    for name, source in forms.items():
        diagram = rendered.diagrams[diagram_key(source)]
        drawn = Counter(c for c in svg_text(diagram.svg) if not c.isspace())
        extracted = Counter(c for c in pdftotext(diagram.pdf) if not c.isspace())
        assert drawn == extracted, (f"{name}: missing from the PDF {dict(drawn - extracted)}, "
                                    f"extra {dict(extracted - drawn)}\n{source}")


@needs_poppler
def test_the_pdf_embeds_every_font_and_none_is_type3(forms, rendered):
    for name, source in forms.items():
        rows = pdffonts(rendered.diagrams[diagram_key(source)].pdf)
        assert rows, name
        for row in rows:
            assert "Type 3" not in row and row.split()[-5] == "yes", (name, row)


@needs_poppler
def test_emoji_are_sharp_images_over_text_never_glyph_bitmaps(forms, rendered):
    """cairo draws a colour glyph as a bitmap of the label's size (15 px for 12 pt): every
    image in a diagram's PDF must be one of pdfsvg.js's (8 px per pt and more), and each
    diagram with an emoji label has them."""
    with_emoji = 0
    for name, source in forms.items():
        pdf = rendered.diagrams[diagram_key(source)].pdf
        sizes = pdf_image_sizes(pdf)
        assert all(min(w, h) >= 64 for w, h in sizes), (name, sizes)
        if EMOJI.search(svg_text(rendered.diagrams[diagram_key(source)].svg)):
            with_emoji += 1
            assert sizes, f"{name}: emoji labels but no emoji image"
    assert with_emoji >= 3


def test_forms_mermaid_refuses_fail_with_the_line_and_what_to_do(rendered):
    for name, (source, hint) in REFUSED.items():
        message = rendered.errors.get(diagram_key(source))
        assert message is not None, f"{name}: mermaid drew a form it should refuse"
        line, why = explain_failure(message, source)
        assert HINTS[hint] in why, (name, why)
        if hint != "kind":
            assert line == len(source.strip("\n").split("\n")), (name, line, why)
            assert f"line {line} of the diagram, `{source.split(chr(10))[line - 1].strip()}`" in why


def test_refused_forms_are_located_warnings_and_the_source_is_shown(tools, tmp_path):
    """Through the CLI: each warning names the article's line that mermaid refused, and the
    HTML shows the diagram's source as code; the rest of the book builds."""
    articles = tmp_path / "articles"
    articles.mkdir()
    text, expected = "---\ntitle: 図\n---\n\n本文の段落。\n", {}
    for name, (source, _) in REFUSED.items():
        fence = text.count("\n") + 2
        text += f"\n```mermaid\n{source}\n```\n\n{name} の後の段落。\n"
        expected[name] = fence + len(source.split("\n")) if REFUSED[name][1] != "kind" else fence
    (articles / "a.md").write_text(text, encoding="utf-8")
    (tmp_path / "book.yaml").write_text(BOOK_YAML, encoding="utf-8")
    proc = subprocess.run([str(REPO / ".venv/bin/python"), str(REPO / "build.py"), "build", "--book",
                           str(tmp_path / "book.yaml"), "--out", str(tmp_path / "out"), "--format", "html"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = sorted(int(m) for m in re.findall(r"a\.md:(\d+): WARNING: mermaid diagram shown as code", proc.stderr))
    assert lines == sorted(expected.values()), proc.stderr
    html = (tmp_path / "out" / "refused.html").read_text(encoding="utf-8")
    assert "配列 x[i]" in html and "sankey-beta" in html
    assert "sequence-semicolon の後の段落" in html


BOOK_YAML = """\
title: 拒否
slug: refused
""" + TEST_LICENSE


def svg_text(svg: Path) -> str:
    root = etree.parse(str(svg)).getroot()
    return "".join("".join(text.itertext()) for text in root.iter(f"{SVG_NS}text"))


def pdftotext(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def pdffonts(pdf: Path) -> list[str]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return out.splitlines()[2:]


def pdf_image_sizes(pdf: Path) -> list[tuple[int, int]]:
    out = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [(int(row.split()[3]), int(row.split()[4])) for row in out.splitlines()[2:]]
