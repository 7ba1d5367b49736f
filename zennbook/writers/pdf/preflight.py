"""Preflight of the print set (run by `verify` when the book has a `pdf.preset`).

Checked, on the book PDF, each volume and each cover:
- every font embedded (FontFile, FontFile2 or FontFile3 in its descriptor, descendant fonts
  of Type 0 fonts included) and none of Type 3;
- TrimBox and BleedBox on every page; the TrimBox the preset's trim size (0.5 pt tolerance),
  the BleedBox the trim plus the preset's bleed on each edge that bleeds (on a cover: all
  four edges), inside the MediaBox;
- every image drawn on a page (directly or in a form) at 300 dpi or more at its printed size:
  below that, a warning naming the article (the chapter whose pages hold it), the page and
  the image's pixel size;
- the page count within the service's binding limits (books and volumes, not covers);
- the license's short line on every page of a book or volume (verify checks the one-file
  book's pages itself; a volume is read here).

Not checked: colour spaces and ink coverage, transparency, PDF/X conformance (no output
intent is written), fonts' licences, the spine text's distance from the folds, images inside
patterns or annotations' appearances.
"""
from __future__ import annotations

import re
import subprocess
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ...diagnostics import Code, Diagnostic, Level
from .presets import PRESETS, PT_PER_MM

MIN_DPI = 300
TOLERANCE_PT = 0.5


class PrintCheck:
    """Verify's row for the print set: its errors and warnings as located diagnostics."""

    def __init__(self, fmt: str = "print"):
        self.fmt = fmt
        self.items: list[Diagnostic] = []
        self.pages = 0

    def error(self, message: str, where: str) -> None:
        self.items.append(Diagnostic(Level.ERROR, Code.PRINT_PREFLIGHT, message, where))

    @property
    def ok(self) -> bool:
        return not any(d.level >= Level.ERROR for d in self.items)

    def findings(self) -> list[Diagnostic]:
        return list(self.items)

    def row(self) -> dict:
        return {"fmt": self.fmt, "coverage": 1.0, "found": 0, "total": 0,
                "problems": sum(d.level >= Level.ERROR for d in self.items)}


@dataclass(frozen=True)
class SourceImage:
    """An image an article shows: where, which file, its pixels (to know it on the page)."""
    article: str
    line: int | None
    name: str
    pixels: tuple[int, int]


def preflight(book, paths: list[Path], labels: dict[str, str],
              images: dict[str, list[SourceImage]] | None = None) -> PrintCheck:
    """`paths`: the print PDFs (a name ending in -cover.pdf is a cover); `labels`: slug ->
    article; `images`: slug -> the images its article shows (names a low-resolution image)."""
    import pikepdf
    check = PrintCheck()
    preset = PRESETS[book.pdf.preset]
    for path in paths:
        cover = path.name.endswith("-cover.pdf")
        with pikepdf.open(path) as pdf:
            check_fonts(check, pdf, path.name)
            check_boxes(check, pdf, path.name, preset, cover)
            if not cover:
                check_pages(check, len(pdf.pages), path.name, preset)
                check_license_line(check, book, path)
            check_images(check, pdf, path.name, labels, images or {})
    return check


def check_pages(check: PrintCheck, count: int, where: str, preset) -> None:
    if count < preset.min_pages or (preset.max_pages and count > preset.max_pages):
        check.error(f"{count} pages; {preset.name} binds {preset.min_pages} to {preset.max_pages or 'any'}", where)


def check_license_line(check: PrintCheck, book, path: Path) -> None:
    if book.license is None:
        return
    proc = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, timeout=600)
    short = squashed(book.license.short)
    pages = proc.stdout.decode("utf-8", errors="replace").split("\f")[:-1]
    bare = [str(n) for n, text in enumerate(pages, start=1) if short not in squashed(text)]
    if proc.returncode == 0 and bare:
        check.error(f"license line missing on {len(bare)} of {len(pages)} pages: {', '.join(bare[:10])}", path.name)


def squashed(text: str) -> str:
    """Compared as verify compares: NFKC, no white space (a PDF breaks lines anywhere)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def fonts_of(pdf):
    """Every font dictionary the pages use (forms and Type 0 descendants included)."""
    seen = {}
    for page in pdf.pages:
        for resources in resource_dicts(page.obj.get("/Resources")):
            for font in (resources.get("/Font") or {}).values():
                seen[font.objgen if font.is_indirect else id(font)] = font
                for child in font.get("/DescendantFonts", []):
                    seen[child.objgen if child.is_indirect else id(child)] = child
    return list(seen.values())


def resource_dicts(resources, depth: int = 0):
    if resources is None or depth > 8:
        return
    yield resources
    for xobject in (resources.get("/XObject") or {}).values():
        if xobject.get("/Subtype") == "/Form":
            yield from resource_dicts(xobject.get("/Resources"), depth + 1)


def check_fonts(check: PrintCheck, pdf, where: str) -> None:
    for font in fonts_of(pdf):
        name = str(font.get("/BaseFont", "?"))
        if font.get("/Subtype") == "/Type3":
            check.error(f"Type 3 font {name}", where)
        elif font.get("/Subtype") != "/Type0":
            descriptor = font.get("/FontDescriptor")
            if descriptor is None or not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                check.error(f"font not embedded: {name}", where)


def check_boxes(check: PrintCheck, pdf, where: str, preset, cover: bool) -> None:
    bleed = preset.bleed_mm * PT_PER_MM
    for number, page in enumerate(pdf.pages, start=1):
        trim, bleed_box = page.obj.get("/TrimBox"), page.obj.get("/BleedBox")
        if trim is None or bleed_box is None:
            check.error(f"page {number}: no TrimBox or BleedBox", where)
            continue
        trim, bleed_box, media = ([float(v) for v in b] for b in (trim, bleed_box, page.mediabox))
        width, height = trim[2] - trim[0], trim[3] - trim[1]
        expected = (preset.trim_mm[0] * PT_PER_MM, preset.trim_mm[1] * PT_PER_MM)
        if not cover and (abs(width - expected[0]) > TOLERANCE_PT or abs(height - expected[1]) > TOLERANCE_PT):
            check.error(f"page {number}: TrimBox {width:.1f} x {height:.1f} pt, {preset.name} trims "
                        f"{expected[0]:.1f} x {expected[1]:.1f}", where)
        edges = bleed_edges(preset, recto=number % 2 == 1, cover=cover)
        for side, (inner, outer, sign) in enumerate(zip(trim, bleed_box, (-1, -1, 1, 1))):
            wanted = inner + sign * (bleed if edges[side] else 0)
            if abs(outer - wanted) > TOLERANCE_PT:
                check.error(f"page {number}: BleedBox is not the TrimBox with the {preset.name} bleed", where)
                break
        if any(b < m - TOLERANCE_PT for b, m in zip(bleed_box[:2], media[:2])) or \
                any(b > m + TOLERANCE_PT for b, m in zip(bleed_box[2:], media[2:])):
            check.error(f"page {number}: BleedBox outside the MediaBox", where)


def bleed_edges(preset, recto: bool, cover: bool) -> tuple[bool, bool, bool, bool]:
    """Which edges (left, bottom, right, top) bleed: every edge of a cover; a page's spine
    side only when the service bleeds it."""
    if cover or preset.bleed_inner:
        return (True, True, True, True)
    return (not recto, True, recto, True)


def check_images(check: PrintCheck, pdf, where: str, labels: dict[str, str],
                 images: dict[str, list[SourceImage]]) -> None:
    """A warning for each image below MIN_DPI at its printed size, at the article line that
    shows it when its chapter shows one image of those pixels (else at the article)."""
    from .chapters import chapter_ranges
    ranges = chapter_ranges(pdf)
    for number, page in enumerate(pdf.pages, start=1):
        for name, pixels, size_pt in placed_images(page.obj):
            dpi = min(pixels[0] / (size_pt[0] / 72), pixels[1] / (size_pt[1] / 72)) if min(size_pt) > 0 else MIN_DPI
            if dpi + 0.5 >= MIN_DPI:
                continue
            slug = next((s for s, a, b in ranges if a < number <= b), None)
            matches = [i for i in images.get(slug, []) if i.pixels == pixels]
            source = matches[0] if len(matches) == 1 else None
            shown = source.name if source else f"an image of {pixels[0]}x{pixels[1]} px"
            check.items.append(Diagnostic(
                Level.WARNING, Code.PRINT_IMAGE_DPI,
                f"{shown} prints at {dpi:.0f} dpi on page {number} of {where} ({pixels[0]}x{pixels[1]} px); "
                f"print wants {MIN_DPI}", labels.get(slug, where), source.line if source else None))


def source_images(article) -> list[SourceImage]:
    """The images an article shows (the image filter's `resolved` files), with their pixels."""
    import panflute as pf
    from PIL import Image
    found = []

    def visit(elem, _doc):
        if isinstance(elem, pf.Image) and elem.attributes.get("resolved"):
            try:
                with Image.open(elem.attributes["resolved"]) as image:
                    pixels = image.size
            except (OSError, ValueError):
                return
            line = elem.attributes.get("data-line")
            found.append(SourceImage(article.label, int(line) if line and line.isdigit() else None,
                                     Path(elem.url).name or Path(elem.attributes["resolved"]).name, pixels))

    if article.doc is not None:
        article.doc.walk(visit)
    return found


def placed_images(page, depth: int = 0, matrix=(1, 0, 0, 1, 0, 0)):
    """(name, (width px, height px), (width pt, height pt)) of each image the content draws."""
    import pikepdf
    resources = page.get("/Resources") or pikepdf.Dictionary()
    xobjects = resources.get("/XObject") or pikepdf.Dictionary()
    stack, current = [], matrix
    try:
        operations = pikepdf.parse_content_stream(page)
    except pikepdf.PdfError:
        return
    for operands, operator in operations:
        op = str(operator)
        if op == "q":
            stack.append(current)
        elif op == "Q" and stack:
            current = stack.pop()
        elif op == "cm":
            current = multiply([float(v) for v in operands], current)
        elif op == "Do" and str(operands[0]) in xobjects:
            xobject = xobjects[str(operands[0])]
            if xobject.get("/Subtype") == "/Image":
                width = (current[0] ** 2 + current[1] ** 2) ** 0.5
                height = (current[2] ** 2 + current[3] ** 2) ** 0.5
                yield str(operands[0]), (int(xobject.Width), int(xobject.Height)), (width, height)
            elif xobject.get("/Subtype") == "/Form" and depth < 4:
                inner = [float(v) for v in xobject.get("/Matrix", [1, 0, 0, 1, 0, 0])]
                yield from placed_images(xobject, depth + 1, multiply(inner, current))


def multiply(a, b):
    return (a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5])
