"""One copy of each font program in the joined PDF: the units embed the same cut of each face,
and the assembly keeps one, cut again to the glyphs the whole book uses."""
from __future__ import annotations

import hashlib
from pathlib import Path

from ...fonts import cut_to_glyphs

FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


def share_font_programs(pdf) -> int:
    """Each font program once. Every job embeds the book's cut fonts whole (writers/fonts.py),
    so the units' copies of a face are the same bytes: all their descriptors are pointed at
    one of them, and the others, no longer referred to, are not written. Returns how many
    copies were dropped."""
    import pikepdf
    canonical: dict[bytes, object] = {}
    dropped = 0
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != "/FontDescriptor":
            continue
        for key in FONT_FILES:
            stream = obj.get(key)
            if not isinstance(stream, pikepdf.Stream):
                continue
            digest = hashlib.sha256(repr(sorted((str(k), str(v)) for k, v in stream.stream_dict.items()
                                                if k != "/Length")).encode() + stream.read_raw_bytes()).digest()
            first = canonical.setdefault(digest, stream)
            if first.objgen != stream.objgen:
                obj[key] = first
                dropped += 1
    return dropped


def cut_font_programs(pdf, cuts: Path) -> int:
    """Each shared CFF program cut down to the glyphs the whole book uses. The jobs embed the
    book's cuts whole (its characters, not what each face sets: a bold face is used in a few
    headings). The glyphs every job used are in its fonts' /W arrays, and the program is the
    cut's CFF table as it is, so HarfBuzz cuts that file again (zennbook.fonts.cut_to_glyphs),
    keeping glyph ids and with them the CIDs the pages use. A program that is no cut of this
    build stays whole. Returns how many programs were cut."""
    files = cff_tables(cuts)
    cut = 0
    for stream, cids in program_cids(pdf):
        source = files.get(hashlib.sha256(stream.read_bytes()).digest())
        table = cut_program(source, cids) if source is not None and cids is not None else b""
        if table:
            stream.write(table)
            cut += 1
    return cut


def program_cids(pdf) -> list[tuple[object, set[int] | None]]:
    """Each CFF font program of the PDF with the CIDs its fonts use (None: not known)."""
    import pikepdf
    programs, used = {}, {}
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Subtype") != "/CIDFontType0":
            continue
        stream = obj.get("/FontDescriptor", {}).get("/FontFile3")
        if isinstance(stream, pikepdf.Stream):
            programs[stream.objgen] = stream
            cids = used.setdefault(stream.objgen, {0})
            widths = obj.get("/W")
            used[stream.objgen] = None if widths is None or cids is None else cids | width_cids(widths)
    return [(stream, used[key]) for key, stream in programs.items()]


def cut_program(source: Path, cids: set[int]) -> bytes:
    """The CFF table of `source` (a CID-keyed cut) with only the glyphs of `cids`, every
    glyph keeping its id; b"" when `source` is not CID-keyed."""
    glyph_of = cid_glyphs(source)
    if not glyph_of:
        return b""
    font = cut_to_glyphs(source, (glyph_of[cid] for cid in cids & glyph_of.keys()))
    return font.reference_table("CFF ").data if font is not None else b""


def width_cids(widths) -> set[int]:
    """The CIDs a CIDFont's /W array gives widths for ([c [w ...]] and [first last w])."""
    import pikepdf
    items, cids, at = list(widths), set(), 0
    while at + 1 < len(items):
        first = int(items[at])
        if isinstance(items[at + 1], pikepdf.Array):
            cids.update(range(first, first + len(items[at + 1])))
            at += 2
        else:
            cids.update(range(first, int(items[at + 1]) + 1))
            at += 3
    return cids


def cid_glyphs(path: Path) -> dict[int, int]:
    """CID -> glyph id of a CID-keyed OpenType CFF font (its charset); {} for another font."""
    import io

    import uharfbuzz as hb
    from fontTools.cffLib import CFFFontSet
    fonts = CFFFontSet()
    fonts.decompile(io.BytesIO(hb.Face(hb.Blob.from_file_path(str(path))).reference_table("CFF ").data), None)
    top = fonts[fonts.fontNames[0]]
    if "ROS" not in top.rawDict:
        return {}
    charset = top.charset
    return {0 if name == ".notdef" else int(name[3:]): gid for gid, name in enumerate(charset)
            if name == ".notdef" or name.startswith("cid")}


def cff_tables(folder: Path) -> dict[bytes, Path]:
    """sha256 of each cut font's CFF table -> the cut (what LuaTeX embeds whole, verbatim)."""
    import uharfbuzz as hb
    found = {}
    for path in sorted(folder.glob("zb-*.otf")) if folder.is_dir() else []:
        table = hb.Face(hb.Blob.from_file_path(str(path))).reference_table("CFF ").data
        if table:
            found.setdefault(hashlib.sha256(table).digest(), path)
    return found
