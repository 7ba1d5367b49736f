"""A print cover: back, spine and front on one sheet, the spine as thick as the book.

    width  = bleed + trim width (back) + spine + trim width (front) + bleed
    height = bleed + trim height + bleed
    spine  = pages x the paper's thickness per page (the preset's row: KDP white 0.002252 in,
             cream 0.0025 in)

The title (and the volume) go on the spine only when it is at least SPINE_TEXT_IN wide (KDP
allows no spine text on thinner books); the license's short line is on the back. The sheet
is drawn with Pillow at 300 dpi, as the EPUB cover is (writers/cover.py: same fonts and
colours), and placed on a PDF page of the exact size with its TrimBox (the whole cover
without the bleed) and BleedBox: a cover has no fonts to embed, and its one image prints at
300 dpi or more.
"""
from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

from ..cover import BACKGROUND, FRAME, PALE, WHITE, font, wrap
from .presets import MM_PER_IN, PRESETS

DPI = 300
SPINE_TEXT_IN = 0.25
PT_PER_IN = 72


@dataclass(frozen=True)
class CoverGeometry:
    trim_in: tuple[float, float]
    bleed_in: float
    spine_in: float

    @property
    def size_in(self) -> tuple[float, float]:
        return (2 * self.bleed_in + 2 * self.trim_in[0] + self.spine_in, 2 * self.bleed_in + self.trim_in[1])

    @property
    def spine_text(self) -> bool:
        return self.spine_in >= SPINE_TEXT_IN


def cover_geometry(preset_name: str, pages: int, paper: str = "white") -> CoverGeometry:
    preset = PRESETS[preset_name]
    return CoverGeometry((preset.trim_mm[0] / MM_PER_IN, preset.trim_mm[1] / MM_PER_IN),
                         preset.bleed_mm / MM_PER_IN, pages * preset.paper_in[paper])


def write_cover(book, pages: int, volume: int | None, out_path: Path) -> CoverGeometry:
    geometry = cover_geometry(book.pdf.preset, pages, book.pdf.print_paper)
    save_pdf(draw_cover(book, geometry, volume), geometry, out_path)
    return geometry


def px(inches: float) -> int:
    return math.ceil(inches * DPI)


def draw_cover(book, geometry: CoverGeometry, volume: int | None) -> Image.Image:
    width, height = px(geometry.size_in[0]), px(geometry.size_in[1])
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    bleed, panel = geometry.bleed_in * DPI, geometry.trim_in[0] * DPI
    spine_left = bleed + panel
    front_left = spine_left + geometry.spine_in * DPI
    draw_front(draw, book, volume, front_left, panel, height)
    draw_back(draw, book, bleed, panel, height)
    if geometry.spine_text:
        draw_spine(image, book, volume, spine_left, geometry.spine_in * DPI, height)
    return image


def draw_front(draw, book, volume, left: float, panel: float, height: int) -> None:
    inset = 0.5 * DPI
    draw.rectangle((left + inset * 0.6, inset, left + panel - inset * 0.6, height - inset), outline=FRAME, width=6)
    title_face, small = font(int(panel / 14)), font(int(panel / 28), bold=False)
    y = int(height * 0.25)
    for line in wrap(book.title, title_face, panel - 2 * inset):
        draw.text((left + panel / 2, y), line, font=title_face, fill=WHITE, anchor="ma")
        y += int(panel / 14 * 1.35)
    if book.subtitle:
        for line in wrap(book.subtitle, small, panel - 2 * inset):
            draw.text((left + panel / 2, y + 30), line, font=small, fill=PALE, anchor="ma")
            y += int(panel / 28 * 1.4)
    if volume:
        draw.text((left + panel / 2, y + 120), f"第{volume}巻", font=font(int(panel / 18)), fill=FRAME, anchor="ma")
    if book.author:
        draw.text((left + panel / 2, height - 1.3 * DPI), book.author, font=small, fill=WHITE, anchor="ma")


def draw_back(draw, book, left: float, panel: float, height: int) -> None:
    inset = 0.6 * DPI
    face = font(int(panel / 40), bold=False)
    y = int(height * 0.6)
    lines = wrap(book.license.short, face, panel - 2 * inset) if book.license else []
    for line in lines:
        draw.text((left + panel / 2, y), line, font=face, fill=PALE, anchor="ma")
        y += int(panel / 40 * 1.5)


def draw_spine(image: Image.Image, book, volume, left: float, width: float, height: int) -> None:
    """The title (and 第N巻) along the spine, read top to bottom, within its width less a
    margin on each side."""
    text = f"{book.title}　第{volume}巻" if volume else book.title
    size = max(8, int(width * 0.55))
    face = font(size)
    room = height - 1.0 * DPI
    while size > 8 and face.getlength(text) > room:
        size -= 2
        face = font(size)
    strip = Image.new("RGB", (int(room), int(width)), BACKGROUND)
    ImageDraw.Draw(strip).text((room / 2, width / 2), text, font=face, fill=WHITE, anchor="mm")
    image.paste(strip.rotate(-90, expand=True), (int(left), int(0.5 * DPI)))


def save_pdf(image: Image.Image, geometry: CoverGeometry, out_path: Path) -> None:
    """One page of the cover's exact size, the image over all of it, TrimBox and BleedBox."""
    import pikepdf
    width, height = (v * PT_PER_IN for v in geometry.size_in)
    bleed = geometry.bleed_in * PT_PER_IN
    pdf = pikepdf.new()
    picture = pikepdf.Stream(pdf, zlib.compress(image.tobytes(), 9))
    picture.Type, picture.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    picture.Width, picture.Height = image.size
    picture.ColorSpace, picture.BitsPerComponent = pikepdf.Name.DeviceRGB, 8
    picture.Filter = pikepdf.Name.FlateDecode
    content = pikepdf.Stream(pdf, f"q {width:.4f} 0 0 {height:.4f} 0 0 cm /Cover Do Q".encode())
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=box(0, 0, width, height),
                              BleedBox=box(0, 0, width, height),
                              TrimBox=box(bleed, bleed, width - bleed, height - bleed),
                              Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Cover=picture)),
                              Contents=content)
    pdf.pages.append(pikepdf.Page(page))
    pdf.save(out_path, deterministic_id=True)


def box(*values: float):
    import pikepdf
    return pikepdf.Array([round(v, 3) for v in values])
