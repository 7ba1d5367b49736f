"""SVG -> vector PDF with librsvg and cairo (Debian's librsvg2-2), called in-process.

Why not Chromium's page.pdf(): Skia writes Noto CJK (a CFF font) as Type 3, which
printers reject. cairo embeds CFF and TrueType subsets (pdffonts: "CID Type 0C").
Why in-process: rsvg-convert spends ~90 ms starting per file (fontconfig, libraries)
for ~9 ms of work; 300 diagrams would pay half a minute of CPU for nothing.
Colour emoji: see emojitext (text in the PDF) and pdfsvg.js (sharp images over it).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
from pathlib import Path

from . import emojitext

PX_TO_PT = 0.75                  # CSS px are 1/96 in, PDF points 1/72 in
CAIRO_PDF_METADATA_CREATE_DATE = 5


class _GError(ctypes.Structure):
    _fields_ = [("domain", ctypes.c_uint32), ("code", ctypes.c_int), ("message", ctypes.c_char_p)]


class _RsvgRectangle(ctypes.Structure):
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
             ctypes.POINTER(_RsvgRectangle), err_p)
        _sig(self.cairo.cairo_pdf_surface_create, vp, ctypes.c_char_p, ctypes.c_double, ctypes.c_double)
        _sig(self.cairo.cairo_pdf_surface_set_metadata, None, vp, ctypes.c_int, ctypes.c_char_p)
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
            self._draw(handle, tmp, width, height)
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

    def _draw(self, handle: int, target: Path, width: float, height: float) -> None:
        surface = self.cairo.cairo_pdf_surface_create(str(target).encode(),
                                                      width * PX_TO_PT, height * PX_TO_PT)
        # No creation date: the same diagram gives the same bytes (reproducible releases).
        self.cairo.cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, b"")
        cr = self.cairo.cairo_create(surface)
        self.cairo.cairo_scale(cr, PX_TO_PT, PX_TO_PT)
        error = ctypes.POINTER(_GError)()
        viewport = _RsvgRectangle(0, 0, width, height)
        ok = self.rsvg.rsvg_handle_render_document(handle, cr, ctypes.byref(viewport), ctypes.byref(error))
        self.cairo.cairo_destroy(cr)
        self.cairo.cairo_surface_finish(surface)
        status = self.cairo.cairo_surface_status(surface)
        self.cairo.cairo_surface_destroy(surface)
        if not ok or status != 0:
            target.unlink(missing_ok=True)
            why = self._message(error) if not ok else f"cairo status {status}"
            raise ConversionError(f"librsvg cannot draw {target.name}: {why}")

    def _message(self, error) -> str:
        if not error:
            return "unknown error"
        text = error.contents.message.decode("utf-8", "replace")
        self.glib.g_error_free(error)
        return text


def _sig(fn, restype, *argtypes) -> None:
    fn.restype, fn.argtypes = restype, list(argtypes)
