"""What makes two PDFs the same book: the comparison the unit-build tests and the PDF
benchmarks make between the unit build and the one-document build."""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from zennbook.writers.pdf.assemble import dest_name


@dataclass
class BookFacts:
    """What a reader gets from a PDF: its pages' text and labels, its outline, its links, its
    metadata. Two builds of a book must agree on all of it."""
    pages: int
    labels: list[str]
    text: list[str]                 # per page: pdftotext -raw, white space runs made one space
    outline: list[tuple[int, str, int | None]]     # (depth, title, page index)
    links: list[list[tuple]]        # per page: (rect, "goto", page index) or (rect, "uri", url)
    info: dict[str, str]


def book_facts(path: Path) -> BookFacts:
    import pikepdf
    proc = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          timeout=900, check=True)
    text = [" ".join(page.split()) for page in proc.stdout.decode("utf-8", "replace").split("\f")[:-1]]
    with pikepdf.open(path) as pdf:
        index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
        names = {}
        if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
            names = {str(k): v for k, v in pikepdf.NameTree(pdf.Root.Names.Dests).items()}

        def target(dest) -> int | None:
            if dest_name(dest) is not None:
                dest = names.get(dest_name(dest))
            if isinstance(dest, pikepdf.Dictionary):
                dest = dest.get("/D")
            if isinstance(dest, pikepdf.Array) and len(dest):
                return index.get(dest[0].objgen)
            return None

        outline = []
        with pdf.open_outline() as tree:
            def walk(items, depth):
                for item in items:
                    dest = item.destination
                    if dest is None and item.action is not None:
                        dest = item.action.get("/D")
                    outline.append((depth, item.title, target(dest)))
                    walk(item.children, depth + 1)
            walk(tree.root, 0)
        links = []
        for page in pdf.pages:
            found = []
            for annot in page.obj.get("/Annots", []):
                if annot.get("/Subtype") != "/Link":
                    continue
                rect = tuple(round(float(v), 1) for v in annot.Rect)
                action = annot.get("/A")
                if "/Dest" in annot:
                    found.append((rect, "goto", target(annot.Dest)))
                elif action is not None and action.get("/S") == "/GoTo":
                    found.append((rect, "goto", target(action.get("/D"))))
                elif action is not None and action.get("/S") == "/URI":
                    found.append((rect, "uri", str(action.get("/URI"))))
            links.append(sorted(found, key=repr))
        labels = [page.label for page in pdf.pages]
        info = {str(k): str(v) for k, v in pdf.docinfo.items()}
        count = len(pdf.pages)
    return BookFacts(count, labels, text, outline, links, info)


def differences(a: BookFacts, b: BookFacts, limit: int = 10) -> list[str]:
    """How two PDFs differ as books (empty: the same book)."""
    found = []
    if a.pages != b.pages:
        found.append(f"page count: {a.pages} != {b.pages}")
    if a.labels != b.labels:
        found.append(f"page labels differ: {a.labels[:8]}... != {b.labels[:8]}...")
    for number, (x, y) in enumerate(zip(a.text, b.text), start=1):
        if x != y:
            cut = next((i for i, (p, q) in enumerate(zip(x, y)) if p != q), min(len(x), len(y)))
            found.append(f"text of page {number} differs at {cut}: {x[max(0, cut - 30):cut + 40]!r} != "
                         f"{y[max(0, cut - 30):cut + 40]!r}")
    if a.outline != b.outline:
        extra = [o for o in a.outline if o not in b.outline][:3]
        missing = [o for o in b.outline if o not in a.outline][:3]
        found.append(f"outline differs: only in the first {extra}, only in the second {missing}")
    for number, (x, y) in enumerate(zip(a.links, b.links), start=1):
        if x != y:
            found.append(f"links of page {number} differ: {sorted(set(x) ^ set(y), key=repr)[:3]}")
    keys = {"/Title", "/Author", "/Subject", "/Keywords", "/Creator", "/CreationDate", "/ModDate"}
    info_a = {k: v for k, v in a.info.items() if k in keys}
    info_b = {k: v for k, v in b.info.items() if k in keys}
    if info_a != info_b:
        found.append(f"metadata differs: {info_a} != {info_b}")
    return found[:limit] + ([f"... and {len(found) - limit} more"] if len(found) > limit else [])
