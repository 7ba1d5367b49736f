"""Hostile mermaid diagrams in a book: links, callbacks, HTML in labels, config directives
and image shapes that point at files outside the book. Every output is built (the PDF too:
librsvg would embed an image it was allowed to read); none may carry a canary, the rest of
the book builds, and a diagram mermaid refuses is a located warning."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from tests.conftest import needs
from tests.hostile.harness import HostileBook, decoded_data_uris

# What an output must not hold in markup: a link out, a handler, a script, HTML.
OUT = re.compile(rb"""(?:href|src)\s*=\s*["'](?!#|data:image/(?:png|jpeg|gif|webp);)|\son[a-z]+\s*=|<script|"""
                 rb"""<foreignObject|@import|url\(\s*["']?(?:file|https?|javascript):""", re.I)


def hostile_article(outside: Path) -> str:
    txt, png = outside / "canary.txt", outside / "canary.png"
    diagrams = [
        f'flowchart LR\n  A[甲] --> B\n  click A "javascript:alert(1)" "tip"\n  click B href "file://{txt}"',
        f'flowchart LR\n  A["<img src=file://{png} onerror=alert(1)>"] --> B["<script>alert(1)</script>"]',
        '%%{init: {"securityLevel": "loose", "htmlLabels": true}}%%\nflowchart LR\n  A["<b>太字</b>"] --> B',
        f'%%{{init: {{"themeCSS": "@import url(file://{txt}); .node rect {{ fill: url(file://{png}) }}", '
        f'"fontFamily": "url(file://{txt})"}}}}%%\nflowchart LR\n  A[乙] --> B',
        f'flowchart LR\n  A@{{ img: "file://{png}", label: "画像" }}',
        f"sequenceDiagram\n  participant A\n  link A: x @ file://{txt}\n  A->>A: 自分へ",
        "flowchart LR\n  A[閉じていない --> B",
    ]
    body = "\n\n".join(f"図 {i} の前の段落。\n\n```mermaid\n{d}\n```" for i, d in enumerate(diagrams))
    return f"---\ntitle: 図の章\n---\n\n{body}\n\n最後の段落も残ります。\n"


@needs("lualatex", "chromium", "node")
def test_hostile_diagrams_leak_nothing_run_nothing_and_the_book_builds(tmp_path):
    book = HostileBook(tmp_path)
    book.article("bb-diagrams.md", hostile_article(book.outside))
    result = book.build("html", "epub", "pdf")
    result.assert_clean()
    result.assert_located("bb-diagrams.md", "mermaid.failed")
    for fmt in ("html", "epub"):
        parts = markup_of(result.output(fmt))
        assert sum(data.count(b"<svg") for _, data in parts) >= 5, f"the {fmt}'s diagrams were not found"
        for name, data in parts:
            found = OUT.search(data)
            assert not found, f"{fmt} {name}: {found.group(0)!r}"


def markup_of(path: Path) -> list[tuple[str, bytes]]:
    """The diagrams' SVG as the output holds them: EPUB members, the HTML's data: URIs."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return [(n, archive.read(n)) for n in archive.namelist() if n.endswith(".svg")]
    return [("data: URIs", decoded_data_uris(path.read_bytes()))]
