"""An image alone on its line with an `*emphasis*` line right after it is a figure with that
caption (Zenn's convention: one paragraph `<img><br><em>caption</em>`, styled by CSS)."""
from __future__ import annotations

import panflute as pf

from zennbook.provenance import anchor, own_line, without_anchors


def figures(elem, doc):
    if not isinstance(elem, pf.Para):
        return None
    lines = split_lines(elem.content)
    k = caption_at(lines)
    if k is None:
        return None
    image, caption = without_anchors(lines[k])[0], without_anchors(lines[k + 1])[0]
    after = _para(lines[k + 2:])
    image_line = own_line(image)
    if after and image_line is not None:      # its lines follow the image's and the caption's
        after[0].content.insert(0, anchor(image_line + 2))
    return [*_para(lines[:k]), figure(image, caption), *after]


def split_lines(inlines) -> list[list[pf.Inline]]:
    """The inlines of a paragraph cut at its line breaks, without spaces at the ends."""
    lines: list[list[pf.Inline]] = [[]]
    for item in inlines:
        if isinstance(item, (pf.LineBreak, pf.SoftBreak)):
            lines.append([])
        else:
            lines[-1].append(item)
    return [_trim(line) for line in lines]


def caption_at(lines: list[list[pf.Inline]]) -> int | None:
    """Index of the first image line followed by a line that is one emphasis."""
    for k in range(len(lines) - 1):
        image, caption = without_anchors(lines[k]), without_anchors(lines[k + 1])
        if len(image) == 1 and isinstance(image[0], pf.Image) \
                and len(caption) == 1 and isinstance(caption[0], pf.Emph):
            return k
    return None


def figure(image: pf.Image, caption: pf.Emph) -> pf.Figure:
    line = image.attributes.get("data-line")
    attributes = {"data-line": line} if line else {}
    return pf.Figure(pf.Plain(image), caption=pf.Caption(pf.Plain(*caption.content)),
                     attributes=attributes)


def _para(lines: list[list[pf.Inline]]) -> list[pf.Para]:
    inlines: list[pf.Inline] = []
    for line in lines:
        if inlines:
            inlines.append(pf.LineBreak())
        inlines.extend(line)
    return [pf.Para(*inlines)] if inlines else []


def _trim(line: list[pf.Inline]) -> list[pf.Inline]:
    while line and isinstance(line[0], pf.Space):
        line = line[1:]
    while line and isinstance(line[-1], pf.Space):
        line = line[:-1]
    return line
