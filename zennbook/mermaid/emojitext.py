"""Emoji that stay text in the diagrams' PDF.

cairo draws a glyph of Noto Color Emoji (a bitmap font) as a small image: the emoji is
then neither sharp nor text (pdftotext, search and copy miss it). So, in this process
only, fontconfig is told that the emoji font is "Zennbook Emoji Text": Noto Color Emoji
itself with its bitmaps taken out. It has the same characters, ligatures (flags, ZWJ
sequences, keycaps) and advances, so librsvg lays out every label exactly as Chromium did,
and cairo embeds it as an ordinary TrueType subset whose ToUnicode map gives the emoji
back. Its glyphs are specks under the sharp image pdfsvg.js draws for each colour emoji.

Nothing else in this process draws text with fontconfig (LaTeX runs in its own process).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import hashlib
import os
import tempfile
from pathlib import Path

from ..fonts import EMOJI_FAMILY, emoji_font

FAMILY = "Zennbook Emoji Text"
SOURCE_FAMILY = EMOJI_FAMILY
BITMAP_TABLES = ("CBDT", "CBLC", "sbix", "COLR", "CPAL", "SVG ")
VERSION = "2"                    # of this builder: part of the built file's name

# The font claims colour, so that pango, which asks for a colour font for emoji, takes it
# before the real one; every request for the emoji font is answered with it.
FONTCONFIG_RULES = f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <match target="scan">
    <test name="family"><string>{FAMILY}</string></test>
    <edit name="color" mode="assign"><bool>true</bool></edit>
  </match>
  <match target="pattern">
    <test name="family"><string>emoji</string></test>
    <edit name="family" mode="prepend" binding="strong"><string>{FAMILY}</string></edit>
  </match>
  <match target="pattern">
    <test name="family"><string>{SOURCE_FAMILY}</string></test>
    <edit name="family" mode="prepend" binding="strong"><string>{FAMILY}</string></edit>
  </match>
</fontconfig>
"""


def source_font() -> Path | None:
    """The installed Noto Color Emoji (zennbook.fonts)."""
    found = emoji_font()
    return found.path if found is not None else None


def build(source: Path, target: Path) -> Path:
    """`source` without its bitmaps, named FAMILY, written (atomically) to `target`."""
    from fontTools.ttLib import TTFont, newTable
    font = TTFont(str(source))
    for tag in BITMAP_TABLES:
        if tag in font:
            del font[tag]
    order = font.getGlyphOrder()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, _speck_glyphs(font, order)
    font["glyf"], font["loca"] = glyf, newTable("loca")
    font["head"].indexToLocFormat = 0
    font["head"].created = font["head"].modified = 0
    _as_truetype_maxp(font["maxp"])
    _rename(font["name"])
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    font.save(str(tmp))
    tmp.replace(target)
    return target


def _speck_glyphs(font, order: list[str]) -> dict:
    """Each glyph a speck (1/1000 em square) in the middle of its advance, where the emoji
    image covers it: cairo skips a run of glyphs without any ink, and its text with it."""
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib.tables._g_l_y_f import Glyph
    unit, height = font["head"].unitsPerEm / 1000, font["hhea"].ascent * 0.4
    glyphs = {}
    for name in order:
        advance = font["hmtx"][name][0]
        if advance <= 0:
            glyphs[name] = Glyph()
            continue
        pen, x = TTGlyphPen(None), advance / 2
        pen.moveTo((x, height))
        pen.lineTo((x, height + unit))
        pen.lineTo((x + unit, height + unit))
        pen.lineTo((x + unit, height))
        pen.closePath()
        glyphs[name] = pen.glyph()
    return glyphs


def _as_truetype_maxp(maxp) -> None:
    maxp.tableVersion = 0x00010000
    for field in ("maxPoints", "maxContours", "maxCompositePoints", "maxCompositeContours",
                  "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions", "maxComponentElements",
                  "maxComponentDepth"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1


def _rename(name) -> None:
    for record_id in (1, 2, 3, 4, 6, 16, 17):
        name.removeNames(nameID=record_id)
    for record_id, text in ((1, FAMILY), (2, "Regular"), (3, FAMILY), (4, FAMILY),
                            (6, FAMILY.replace(" ", ""))):
        name.setName(text, record_id, 3, 1, 0x409)


def font_path(folder: Path, source: Path) -> Path:
    """Where the font built from `source` lives: named by the source's bytes and VERSION."""
    digest = hashlib.sha256(source.read_bytes() + VERSION.encode()).hexdigest()[:16]
    return folder / f"emoji-text-{digest}.ttf"


def font_dir() -> Path:
    """Built fonts are kept per user, outside any book: one build serves every build."""
    return Path(tempfile.gettempdir()) / f"zennbook-fonts-{os.getuid()}"


@functools.cache
def install() -> bool:
    """Build (once; kept in font_dir) and register the font, once per process. False when
    there is no Noto Color Emoji or no fontconfig: emoji then stay cairo's small images."""
    source = source_font()
    if source is None:
        return False
    try:
        font_dir().mkdir(parents=True, exist_ok=True)
        target = font_path(font_dir(), source)
        if not target.is_file():
            build(source, target)
        return _register(target)
    except (OSError, ImportError, ValueError, KeyError):
        return False


def _register(font: Path) -> bool:
    fc = ctypes.CDLL(ctypes.util.find_library("fontconfig") or "libfontconfig.so.1")
    fc.FcConfigGetCurrent.restype = ctypes.c_void_p
    fc.FcConfigParseAndLoadFromMemory.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    fc.FcConfigAppFontAddFile.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    config = fc.FcConfigGetCurrent()
    # The rules first: the "scan" rule applies when the font file is read.
    return bool(config and fc.FcConfigParseAndLoadFromMemory(config, FONTCONFIG_RULES.encode(), 1)
                and fc.FcConfigAppFontAddFile(config, str(font).encode()))
