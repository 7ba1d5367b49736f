"""A face cut down to some characters, with HarfBuzz's subsetter (uharfbuzz): the one way
fonts are cut, for LaTeX (writers/fonts.py, writers/pdf/fontshare.py) and for the EPUB
(writers/epub/assets.py).

HarfBuzz cuts Noto CJK in a fraction of the time fontTools' subsetter takes
(bench/font_subset_bench.py) and keeps every OpenType layout feature and name (kerning,
palt, the Japanese width forms, the SIL OFL's copyright and license)."""
from __future__ import annotations

import io
from collections.abc import Iterable


def subset(face, text_or_codepoints: str | Iterable[str] | Iterable[int]) -> bytes:
    """`face` (anything with .path and .index: an InstalledFont) cut to the characters given
    (a string, characters or code points), as an OpenType font's bytes."""
    import uharfbuzz as hb
    plan = hb.SubsetInput()
    for item in text_or_codepoints:
        plan.unicode_set.add(item if isinstance(item, int) else ord(item))
    for kind in (hb.SubsetInputSets.LAYOUT_FEATURE_TAG, hb.SubsetInputSets.NAME_ID,
                 hb.SubsetInputSets.NAME_LANG_ID):
        keep = plan.sets(kind)      # every feature and name: an emptied set, inverted, is "all"
        keep.clear()
        keep.invert()
    font = hb.subset(hb.Face(hb.Blob.from_file_path(str(face.path)), face.index), plan)
    if font is None:
        raise RuntimeError(f"HarfBuzz could not subset {face.path} (face {face.index})")
    return identity_cids(font.blob.data)


def cut_to_glyphs(path, glyphs: Iterable[int]):
    """The font of `path` with only `glyphs`, every glyph keeping its id (so a PDF's CIDs
    still name the same glyphs), without GSUB's closure: a HarfBuzz face, or None."""
    import uharfbuzz as hb
    plan = hb.SubsetInput()
    plan.flags = hb.SubsetFlags.RETAIN_GIDS
    plan.sets(hb.SubsetInputSets.LAYOUT_FEATURE_TAG).clear()     # no closure over GSUB
    for glyph in glyphs:
        plan.glyph_set.add(glyph)
    return hb.subset(hb.Face(hb.Blob.from_file_path(str(path))), plan)


def identity_cids(data: bytes) -> bytes:
    """A CID-keyed CFF font whose CIDs are its glyph ids. HarfBuzz's cut keeps Noto CJK's own
    CIDs (正 stays CID 22564 as glyph 1,000 of the cut); LuaTeX, embedding a font whole, writes
    glyph ids where a PDF reader reads CIDs, so every glyph of the page would be the wrong
    one. Only the CFF charset changes: every other table refers to glyphs by id."""
    from fontTools.ttLib import TTFont
    font = TTFont(io.BytesIO(data), lazy=True, recalcBBoxes=False, recalcTimestamp=False)
    if "CFF " not in font:
        return data
    top = font["CFF "].cff[font["CFF "].cff.fontNames[0]]
    names = ["cid%05d" % gid if gid else ".notdef" for gid in range(len(top.charset))]
    if "ROS" not in top.rawDict or list(top.charset) == names:
        return data
    strings = top.CharStrings
    strings.charStrings = {new: strings.charStrings[old] for old, new in zip(top.charset, names)}
    top.charset = names
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()
