"""A generated cover: the title and author set on a plain background (no network, no assets).

Text is set in the system's Noto Sans CJK JP (Debian fonts-noto-cjk, found by
zennbook.fonts), wrapped by measured width with Japanese line-break rules (no line starts with
closing punctuation or small kana, none ends with an opening bracket).
"""
from __future__ import annotations

import io
import re

from PIL import Image, ImageDraw, ImageFont

from ..fonts import face

COVER_FAMILY = "Noto Sans CJK JP"
COVER_SIZE = (1400, 2000)      # 1:1.43, the shape of a B5/A5 book
MARGIN = 160
BACKGROUND, FRAME, WHITE, PALE = (28, 43, 64), (212, 175, 55), (255, 255, 255), (220, 226, 235)
NO_LINE_START = set("、。，．,.)）]］}｝」』】〉》〕’”・：；:;!?！？ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々〻ゝゞヽヾ")
NO_LINE_END = set("(（[［{｛「『【〈《〔‘“")


def font(size: int, bold: bool = True):
    found = face(COVER_FAMILY, "Bold" if bold else "Regular")
    if found is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(str(found.path), size, index=found.index)


def units(text: str) -> list[str]:
    """What a line may not be broken inside: a run of Latin letters and digits (a word),
    otherwise single characters (Japanese breaks between any two)."""
    return re.findall(r"[A-Za-z0-9_.\-/:]+|.", text)


def wrap(text: str, face, width: float) -> list[str]:
    """Lines of `text` no wider than `width`, broken between words or Japanese characters,
    never before closing punctuation or after an opening bracket (a word wider than a line
    is broken anyway)."""
    lines, current = [], ""
    for unit in units(text):
        if face.getlength(unit) > width:
            unit_lines = wrap_characters(current + unit, face, width)
            lines, current = lines + unit_lines[:-1], unit_lines[-1]
            continue
        if current and face.getlength(current + unit) > width and unit[0] not in NO_LINE_START:
            carry = current[-1] if current[-1] in NO_LINE_END else ""
            lines.append(current[:len(current) - len(carry)])
            current = carry
        current += unit
    return [line.strip() for line in [*lines, current] if line.strip()]


def wrap_characters(text: str, face, width: float) -> list[str]:
    lines, current = [], ""
    for char in text:
        if current and face.getlength(current + char) > width:
            lines.append(current)
            current = ""
        current += char
    return [*lines, current]


def draw_lines(draw, lines: list[str], face, y: int, step: int, fill) -> int:
    for line in lines:
        draw.text((COVER_SIZE[0] // 2, y), line, font=face, fill=fill, anchor="ma")
        y += step
    return y


def render_cover(book) -> bytes:
    """The cover as PNG bytes; the same book gives the same bytes."""
    image = Image.new("RGB", COVER_SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((80, 80, COVER_SIZE[0] - 80, COVER_SIZE[1] - 80), outline=FRAME, width=6)
    width = COVER_SIZE[0] - 2 * MARGIN
    title_face, sub_face = font(96), font(48, bold=False)
    y = draw_lines(draw, wrap(book.title, title_face, width), title_face, 420, 130, WHITE)
    if book.subtitle:
        draw_lines(draw, wrap(book.subtitle, sub_face, width), sub_face, y + 60, 70, PALE)
    if book.author:
        draw.text((COVER_SIZE[0] // 2, COVER_SIZE[1] - 330), book.author, font=font(56, bold=False),
                  fill=WHITE, anchor="ma")
    if book.license:
        draw.text((COVER_SIZE[0] // 2, COVER_SIZE[1] - 200), book.license.id, font=font(36, bold=False),
                  fill=FRAME, anchor="ma")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
