"""SVG -> vector PDF with librsvg and cairo (Debian's librsvg2-2), called in-process.

Why not Chromium's page.pdf(): Skia writes Noto CJK (a CFF font) as Type 3, which
printers reject. cairo embeds CFF and TrueType subsets (pdffonts: "CID Type 0C").
Why in-process: rsvg-convert spends ~90 ms starting per file (fontconfig, libraries)
for ~9 ms of work; 300 diagrams would pay half a minute of CPU for nothing.
Colour emoji: see emojitext (text in the PDF) and pdfsvg.js (sharp images over it).

What is still drawn as a picture (a blurred shadow: pdfsvg.js folds every effect that only
changes colours) is drawn at print resolution. librsvg draws a filtered group into a picture
of the whole diagram at one pixel per unit of the context matrix it reads, which does not
hold the surface's device scale: so the page gets a device scale of 1/`picture_scale` and
the context a matrix `picture_scale` times larger. The page, its vectors and its text are
what they were; a picture has the pixels that print at PRINT_DPI where the book places the
diagram largest (at most 1834 x 3508 px then: 440 x 842 pt at 300 dpi). Only for an SVG
that pdfsvg.js marked as keeping a filter: librsvg sets the text at that scale too, which
costs ~50% more time. (A recording
surface replayed onto the page would do the same but turns librsvg's text into outlines.)
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
from pathlib import Path

from . import emojitext

PX_TO_PT = 0.75                  # CSS px are 1/96 in, PDF points 1/72 in
CAIRO_PDF_METADATA_CREATE_DATE = 5
CAIRO_FALLBACK_DPI = 300         # cairo's default

PRINT_DPI = 300
# zennbook.sty's \zbdiagram sets a diagram \linewidth wide (up or down), then \pandocbounded
# shrinks it to \textheight if it is taller. So a diagram is never placed larger than the
# widest text block of a paper the book can have (the LaTeX writer's TEXT_WIDTH_PT: a4; a
# preset's is its a5 or b5 one) nor taller than the tallest such paper (a4, 297 mm; the text
# block is shorter still). tests/mermaid check these against the writer's tables (the writer
# is downstream of this package, which cannot import it).
WIDEST_LINE_PT = 440.0
TALLEST_PAGE_PT = 297 * 72 / 25.4
# pdfsvg.js marks the SVG that keeps a filter (the scale costs time: text is set at it too)
PICTURES_MARK = b"data-zennbook-pictures"
ROUNDING_MARGIN = 1.001          # cairo writes a picture's matrix to 6 digits or so


def picture_scale(width_pt: float, height_pt: float) -> float:
    """Device units per point that make a picture of the diagram PRINT_DPI at the largest
    size the book places it (never below one unit per point, the PDF's own)."""
    placed = min(WIDEST_LINE_PT / width_pt, TALLEST_PAGE_PT / height_pt)
    return max(1.0, PRINT_DPI / 72 * placed * ROUNDING_MARGIN)


class _GError(ctypes.Structure):
    _fields_ = [("domain", ctypes.c_uint32), ("code", ctypes.c_int), ("message", ctypes.c_char_p)]


class _Rectangle(ctypes.Structure):
    """librsvg's RsvgRectangle and cairo's cairo_rectangle_t alike."""
    _fields_ = [("x", ctypes.c_double), ("y", ctypes.c_double),
                ("width", ctypes.c_double), ("height", ctypes.c_double)]


class ConversionError(Exception):
    pass


def _load(name: str, soname: str) -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library(name) or soname)


class SvgToPdf:
    """One loaded librsvg/cairo, many conversions. Raises OSError when the libraries are missing.

    `emoji_text`: whether emoji are drawn as text (see emojitext); else cairo draws them as
    small images."""

    def __init__(self) -> None:
        self.emoji_text = emojitext.install()
        self.rsvg = _load("rsvg-2", "librsvg-2.so.2")
        self.cairo = _load("cairo", "libcairo.so.2")
        self.gobject = _load("gobject-2.0", "libgobject-2.0.so.0")
        self.glib = _load("glib-2.0", "libglib-2.0.so.0")
        self._declare()

    def _declare(self) -> None:
        vp, err_p = ctypes.c_void_p, ctypes.POINTER(ctypes.POINTER(_GError))
        dbl_p = ctypes.POINTER(ctypes.c_double)
        _sig(self.rsvg.rsvg_handle_new_from_file, vp, ctypes.c_char_p, err_p)
        _sig(self.rsvg.rsvg_handle_get_intrinsic_size_in_pixels, ctypes.c_int, vp, dbl_p, dbl_p)
        _sig(self.rsvg.rsvg_handle_render_document, ctypes.c_int, vp, vp,
             ctypes.POINTER(_Rectangle), err_p)
        _sig(self.cairo.cairo_pdf_surface_create, vp, ctypes.c_char_p, ctypes.c_double, ctypes.c_double)
        _sig(self.cairo.cairo_pdf_surface_set_metadata, None, vp, ctypes.c_int, ctypes.c_char_p)
        _sig(self.cairo.cairo_surface_set_fallback_resolution, None, vp, ctypes.c_double, ctypes.c_double)
        _sig(self.cairo.cairo_surface_set_device_scale, None, vp, ctypes.c_double, ctypes.c_double)
        _sig(self.cairo.cairo_create, vp, vp)
        _sig(self.cairo.cairo_scale, None, vp, ctypes.c_double, ctypes.c_double)
        _sig(self.cairo.cairo_destroy, None, vp)
        _sig(self.cairo.cairo_surface_finish, None, vp)
        _sig(self.cairo.cairo_surface_status, ctypes.c_int, vp)
        _sig(self.cairo.cairo_surface_destroy, None, vp)
        _sig(self.gobject.g_object_unref, None, vp)
        _sig(self.glib.g_error_free, None, ctypes.POINTER(_GError))

    def convert(self, svg: Path, pdf: Path) -> tuple[float, float]:
        """Write `pdf` (atomically), one page cropped to the SVG; returns its size in pt."""
        handle = self._open(svg)
        try:
            width, height = self._size(handle, svg)
            tmp = pdf.with_name(f"{pdf.name}.{os.getpid()}.tmp")
            self._draw(handle, tmp, width, height, PICTURES_MARK in svg.read_bytes())
            tmp.replace(pdf)
        finally:
            self.gobject.g_object_unref(handle)
        return width * PX_TO_PT, height * PX_TO_PT

    def _open(self, svg: Path) -> int:
        error = ctypes.POINTER(_GError)()
        handle = self.rsvg.rsvg_handle_new_from_file(str(svg).encode(), ctypes.byref(error))
        if not handle:
            raise ConversionError(f"librsvg cannot read {svg.name}: {self._message(error)}")
        return handle

    def _size(self, handle: int, svg: Path) -> tuple[float, float]:
        width, height = ctypes.c_double(), ctypes.c_double()
        if not self.rsvg.rsvg_handle_get_intrinsic_size_in_pixels(
                handle, ctypes.byref(width), ctypes.byref(height)) or width.value <= 0:
            raise ConversionError(f"{svg.name} has no absolute width and height")
        return width.value, height.value

    def _draw(self, handle: int, target: Path, width: float, height: float, pictures: bool) -> None:
        width_pt, height_pt = width * PX_TO_PT, height * PX_TO_PT
        scale = picture_scale(width_pt, height_pt) if pictures else 1.0
        surface = self._page(target, width_pt, height_pt, scale)
        cr = self.cairo.cairo_create(surface)
        self.cairo.cairo_scale(cr, PX_TO_PT * scale, PX_TO_PT * scale)
        error = ctypes.POINTER(_GError)()
        viewport = _Rectangle(0, 0, width, height)
        ok = self.rsvg.rsvg_handle_render_document(handle, cr, ctypes.byref(viewport), ctypes.byref(error))
        self.cairo.cairo_destroy(cr)
        self.cairo.cairo_surface_finish(surface)
        status = self.cairo.cairo_surface_status(surface)
        self.cairo.cairo_surface_destroy(surface)
        if not ok or status != 0:
            target.unlink(missing_ok=True)
            why = self._message(error) if not ok else f"cairo status {status}"
            raise ConversionError(f"librsvg cannot draw {target.name}: {why}")

    def _page(self, target: Path, width_pt: float, height_pt: float, scale: float) -> int:
        """The PDF surface of one page, its device scale 1/`scale`."""
        surface = self.cairo.cairo_pdf_surface_create(str(target).encode(), width_pt, height_pt)
        # No creation date: the same diagram gives the same bytes (reproducible releases).
        self.cairo.cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, b"")
        # librsvg sees a context `scale` times finer than the page's points (the device scale
        # is not in the matrix it reads) and sizes its pictures by it.
        self.cairo.cairo_surface_set_device_scale(surface, 1 / scale, 1 / scale)
        # What cairo itself cannot say in PDF it draws as a picture (in points, whatever the
        # device scale): at print resolution where placed largest, never below cairo's 300 dpi.
        fallback = max(CAIRO_FALLBACK_DPI, 72 * picture_scale(width_pt, height_pt))
        self.cairo.cairo_surface_set_fallback_resolution(surface, fallback, fallback)
        return surface

    def _message(self, error) -> str:
        if not error:
            return "unknown error"
        text = error.contents.message.decode("utf-8", "replace")
        self.glib.g_error_free(error)
        return text


def _sig(fn, restype, *argtypes) -> None:
    fn.restype, fn.argtypes = restype, list(argtypes)
