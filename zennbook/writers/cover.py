"""A generated cover: the title and author set on a plain background (no network, no assets)."""
from __future__ import annotations

import io
import subprocess
import textwrap
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

COVER_SIZE = (1400, 2000)      # 1:1.43, the shape of a B5/A5 book
TITLE_CHARS_PER_LINE = 12


@lru_cache(maxsize=None)
def japanese_font_path(bold: bool = True) -> str | None:
    """The system's Noto Sans CJK JP (Debian fonts-noto-cjk), found through fontconfig."""
    pattern = "Noto Sans CJK JP:style=Bold" if bold else "Noto Sans CJK JP"
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True,
                             text=True, timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out or None


def font(size: int, bold: bool = True):
    path = japanese_font_path(bold)
    return ImageFont.truetype(path, size) if path else ImageFont.load_default(size)


def render_cover(book) -> bytes:
    image = Image.new("RGB", COVER_SIZE, (28, 43, 64))
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, 80, COVER_SIZE[0] - 80, COVER_SIZE[1] - 80), outline=(212, 175, 55), width=6)
    y = 420
    for line in textwrap.wrap(book.title, TITLE_CHARS_PER_LINE) or [book.title]:
        draw.text((COVER_SIZE[0] // 2, y), line, font=font(96), fill=(255, 255, 255), anchor="ma")
        y += 130
    if book.subtitle:
        for line in textwrap.wrap(book.subtitle, 22):
            draw.text((COVER_SIZE[0] // 2, y + 40), line, font=font(48, bold=False), fill=(220, 226, 235), anchor="ma")
            y += 70
    if book.author:
        draw.text((COVER_SIZE[0] // 2, COVER_SIZE[1] - 330), book.author, font=font(56, bold=False),
                  fill=(255, 255, 255), anchor="ma")
    if book.license:
        draw.text((COVER_SIZE[0] // 2, COVER_SIZE[1] - 200), book.license.id, font=font(36, bold=False),
                  fill=(212, 175, 55), anchor="ma")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
