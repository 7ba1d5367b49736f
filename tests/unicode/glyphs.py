"""Characters chosen by what this machine's fonts cover, for the glyph tests."""
from __future__ import annotations

import unicodedata

from zennbook.fonts import installed_fonts

VISIBLE = ("Lo", "Lu", "Ll", "So", "Sm", "No")


def character_no_font_has(start: int = 0x10000) -> str:
    """The first visible, assigned character from `start` on that no installed font covers."""
    fonts = installed_fonts()
    for code in range(start, 0x30000):
        char = chr(code)
        if unicodedata.category(char) in VISIBLE and unicodedata.normalize("NFC", char) == char \
                and not any(font.has(char) for font in fonts):
            return char
    raise LookupError("every character has a font on this machine")
