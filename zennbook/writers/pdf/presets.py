"""Print services as data: one row per `pdf.preset`, and the page layout a book gets from it.

A row says what the service publishes: the trim size, the bleed, whether it wants crop marks,
which edges bleed (KDP: top, bottom and the fore-edge, never the spine side; Japanese
printers: all four), the gutter table (inner margin by page count), the page-count limits of
a perfect-bound book and the paper thickness for the cover's spine. Nothing here is code per
service: `layout_for` reads the row, and the LaTeX template, the assembly (TrimBox/BleedBox),
the covers and the preflight read the layout.

Sources: KDP's "Set trim size, bleed, and margins" (gutter table, 0.125 in bleed, 24-828
pages, white 0.002252 in/page, cream 0.0025 in/page); Japanese printers quote B5/A5 with
3 mm bleed and trim marks (トンボ) and publish no gutter table: they get KDP's, which only grows
with the page count, and no page limit (they quote perfect binding by the page).
"""
from __future__ import annotations

from dataclasses import dataclass

MM_PER_IN = 25.4
PT_PER_MM = 72 / MM_PER_IN

# KDP's gutter table: (last page count of the row, inner margin in inches).
KDP_GUTTER_IN = ((150, 0.375), (300, 0.5), (500, 0.625), (700, 0.75), (828, 0.875))


@dataclass(frozen=True)
class Preset:
    name: str
    trim_mm: tuple[float, float]            # width, height of the cut page
    bleed_mm: float
    crop_marks: bool
    bleed_inner: bool                       # does the spine-side edge bleed too
    gutter_in: tuple[tuple[int, float], ...]
    min_pages: int
    max_pages: int | None                   # the service's perfect-binding limit (None: none published)
    paper_in: dict                          # paper -> thickness per page (inches), for the spine
    text_paper: str                         # the jlreq paper whose line length tables are laid out for


PRESETS = {p.name: p for p in (
    Preset("kdp-6x9", (6 * MM_PER_IN, 9 * MM_PER_IN), 0.125 * MM_PER_IN, False, False, KDP_GUTTER_IN,
           24, 828, {"white": 0.002252, "cream": 0.0025}, "a5"),
    Preset("kdp-7x10", (7 * MM_PER_IN, 10 * MM_PER_IN), 0.125 * MM_PER_IN, False, False, KDP_GUTTER_IN,
           24, 828, {"white": 0.002252, "cream": 0.0025}, "b5"),
    Preset("b5-jp", (182.0, 257.0), 3.0, True, True, KDP_GUTTER_IN,
           4, None, {"white": 0.002252, "cream": 0.0025}, "b5"),
    Preset("a5-jp", (148.0, 210.0), 3.0, True, True, KDP_GUTTER_IN,
           4, None, {"white": 0.002252, "cream": 0.0025}, "a5"),
)}


@dataclass(frozen=True)
class Layout:
    """What LaTeX and the assembly need of a page: the trim, the bleed, the marks, the gutter."""
    preset: str                             # "" without a preset
    trim_mm: tuple[float, float] | None     # None: the class's own paper
    bleed_mm: float
    crop_marks: bool
    bleed_inner: bool
    gutter_mm: float | None                 # None: the class's own inner margin

    @property
    def trimmed(self) -> bool:
        """Does the page carry a trim (and so TrimBox and BleedBox)?"""
        return self.crop_marks or self.bleed_mm > 0


def gutter_in(preset: Preset, pages: int) -> float:
    """The inner margin for a book of `pages` pages (the last row beyond the table's end)."""
    for last, inches in preset.gutter_in:
        if pages <= last:
            return inches
    return preset.gutter_in[-1][1]


def layout_for(pdf, pages: int = 0) -> Layout:
    """The layout of `pdf` (PdfOptions) for a book of `pages` pages. Without a preset the
    existing keys decide, as before: crop marks when asked for or when there is a bleed."""
    preset = PRESETS.get(pdf.preset)
    if preset is None:
        return Layout("", None, pdf.bleed_mm, bool(pdf.crop_marks or pdf.bleed_mm > 0), True, None)
    return Layout(preset.name, preset.trim_mm, preset.bleed_mm, preset.crop_marks, preset.bleed_inner,
                  gutter_in(preset, pages) * MM_PER_IN)


def latex_options(layout: Layout) -> dict:
    """The template's values: jlreq's paper and gutter, jlreq-trimmarks' marks. The page is
    always jlreq-trimmarks' own (the trim plus an inch on every side: zennbook.sty places the
    license line for that page); without crop marks the assembly cuts the media down to the
    bleed (and the spine-side bleed away when the service wants none there)."""
    paper = f"{{{layout.trim_mm[0]:.3f}mm,{layout.trim_mm[1]:.3f}mm}}" if layout.trim_mm else ""
    return {"marks": layout.trimmed, "bleed_mm": f"{layout.bleed_mm:g}",
            "show": "{trimmarks,digital}" if layout.crop_marks else "no",
            "paper": paper, "gutter": f"{layout.gutter_mm:.3f}mm" if layout.gutter_mm else ""}


# -- the boxes on every page ----------------------------------------------------------------------

def page_boxes(media: tuple[float, float, float, float], layout: Layout, recto: bool) -> dict:
    """TrimBox, BleedBox and MediaBox (PDF points) of a page whose trim is centred on `media`
    (jlreq-trimmarks centres it). Without crop marks the media is the BleedBox; a service
    without spine-side bleed has none there (left on a recto, right on a verso)."""
    x0, y0, x1, y1 = media
    width, height = trim_pt(layout, media)
    left, bottom = (x0 + x1 - width) / 2, (y0 + y1 - height) / 2
    trim = (left, bottom, left + width, bottom + height)
    bleed = layout.bleed_mm * PT_PER_MM
    box = [max(x0, trim[0] - bleed), max(y0, trim[1] - bleed), min(x1, trim[2] + bleed), min(y1, trim[3] + bleed)]
    if not layout.bleed_inner:
        box[0 if recto else 2] = trim[0 if recto else 2]
    media_box = media if layout.crop_marks else tuple(box)
    return {"/TrimBox": trim, "/BleedBox": tuple(box), "/MediaBox": tuple(media_box)}


def trim_pt(layout: Layout, media) -> tuple[float, float]:
    """The trim size in points: the preset's, else the media less the inch jlreq-trimmarks
    adds on each side."""
    if layout.trim_mm:
        return layout.trim_mm[0] * PT_PER_MM, layout.trim_mm[1] * PT_PER_MM
    return media[2] - media[0] - 144.0, media[3] - media[1] - 144.0
