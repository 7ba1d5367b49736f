"""The installed fonts: located once (fontconfig) and cut once (HarfBuzz), for every writer.

    fc-list, asked once per process -> InstalledFont (file, index, families, styles, spacing,
                                       colour, coverage)
    face(family, style)   the face of a family's style (the book's Noto CJK, the cover's)
    covering(char)        the faces that have a character (the fallback chains)
    emoji_font()          the colour emoji face (LaTeX's emoji, the diagrams' emoji text)
    font_files()          every font file fontconfig lists (the LaTeX tools' fingerprint)
    subset(face, text)    the face cut to some characters, as font bytes (LaTeX and EPUB)

Nothing here knows a format: writers/fontchains.py decides which face draws what,
writers/fonts.py and writers/epub/assets.py where the cuts go.
"""
from .located import (EMOJI_FAMILY, InstalledFont, covering, emoji_font, face, family_font, font_at,
                      font_files, installed_fonts)
from .subset import cut_to_glyphs, subset

__all__ = ["EMOJI_FAMILY", "InstalledFont", "covering", "cut_to_glyphs", "emoji_font", "face",
           "family_font", "font_at", "font_files", "installed_fonts", "subset"]
