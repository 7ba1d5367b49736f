"""Images a course uses, read by what they are, checked, and converted for each output.

A file's content decides its type (magic bytes), never its extension: a PNG named `.jpg`
is a PNG. What we read: PNG, JPEG, GIF, WebP, SVG, and BMP and TIFF (converted to PNG).
An image that is truncated, lies about its type or is too large in pixels (a decompression
bomb) is refused by `probe` before any writer sees it.

    probe(data)       -> Probe(kind, width, height), or ImageInvalid
    for_latex(data)   -> (bytes, ".png" | ".jpg" | ".pdf")   GIF's first frame, SVG as vector PDF
    for_epub(data)    -> (bytes, ".png" | ".jpg" | ".gif" | ".svg")
    for_html(data)    -> (bytes, mime type)
"""
from __future__ import annotations

import hashlib
import io
import shutil
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree

from .safety import sandbox
from .safety.paths import Refused, read_regular

MAX_IMAGE_BYTES = 50 * 1024 * 1024
MAX_PIXELS = 40_000_000              # 8000 x 5000; Pillow's own bomb limit is 89 million
MAX_SIDE = 30_000                    # a 1 x 40,000,000 strip is no picture either
SVG_NS = "http://www.w3.org/2000/svg"

MIME = {"png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp",
        "svg": "image/svg+xml", "bmp": "image/bmp", "tiff": "image/tiff"}
PIL_FORMATS = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP", "bmp": "BMP", "tiff": "TIFF"}
MAGIC = ((b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF87a", "gif"),
         (b"GIF89a", "gif"), (b"BM", "bmp"), (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"))
# A 1x1 grey PNG: what a writer embeds if an image that passed probe() is unreadable by the
# time it is written (changed on disk), so that the output is still made.
BROKEN_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010800000000376ef9240000000a49444154"
    "789c63b80700008100805c3a8a0d0000000049454e44ae426082")


class ImageInvalid(Exception):
    """Not an image we can put in a book; the message says why, for the user."""


@dataclass(frozen=True)
class Probe:
    kind: str
    width: int
    height: int


def sniff(data: bytes) -> str | None:
    """The image type by content, or None."""
    for magic, kind in MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"<?xml", b"<svg", b"<!--", b"<!DOCTYPE")) and b"<svg" in head:
        return "svg"
    return None


def read_image(path: Path) -> bytes:
    """The bytes of an image file (already checked to be inside the book); ImageInvalid if
    it is too large or no longer a regular file."""
    try:
        return read_regular(path, MAX_IMAGE_BYTES)
    except Refused as exc:
        raise ImageInvalid(exc.message) from None


def probe(data: bytes) -> Probe:
    """The image's type and size, after decoding it whole once; ImageInvalid otherwise."""
    kind = sniff(data)
    if kind is None:
        raise ImageInvalid("not an image zennbook can read (PNG, JPEG, GIF, WebP, SVG, BMP, TIFF)")
    if kind == "svg":
        svg_root(data)
        sanitized_svg(data)              # an SVG the sanitizer refuses is refused here, located
        return Probe(kind, 0, 0)
    return probe_raster(data, kind)


def probe_raster(data: bytes, kind: str) -> Probe:
    from PIL import Image
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[PIL_FORMATS[kind]]) as image:
                width, height = image.size
                check_pixels(width, height)
                image.verify()                     # structure and checksums
            with Image.open(io.BytesIO(data), formats=[PIL_FORMATS[kind]]) as image:
                image.load()                       # every pixel of the first frame is there
    except ImageInvalid:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageInvalid(f"too many pixels, a decompression bomb? ({describe(exc)})") from None
    except Exception as exc:   # noqa: BLE001 - Pillow raises many types on hostile data
        raise ImageInvalid(f"a {kind.upper()} that cannot be decoded ({describe(exc)})") from None
    return Probe(kind, width, height)


def check_pixels(width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise ImageInvalid(f"an image of {width} x {height} pixels")
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
        raise ImageInvalid(f"{width} x {height} pixels is over the limit of {MAX_PIXELS:,} pixels "
                           f"({MAX_SIDE:,} on a side); scale the image down")


def describe(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]


def svg_root(data: bytes) -> etree._Element:
    """The parsed SVG (no entities, no network, no DTD); ImageInvalid if it is not one."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ImageInvalid(f"an SVG that is not well-formed XML ({describe(exc)})") from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise ImageInvalid(f"an XML file whose root is <{etree.QName(root).localname}>, not an SVG <svg>")
    return root


# -- conversions, each cached by content ----------------------------------------------------

def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def for_latex(data: bytes) -> tuple[bytes, str]:
    """What LuaLaTeX includes: PNG and JPEG as they are, SVG as a vector PDF, others as PNG
    (GIF: its first frame). A PDF is one of our own diagrams: as it is."""
    if data.startswith(b"%PDF"):
        return data, ".pdf"
    kind = probe(data).kind
    if kind in ("png", "jpeg"):
        return data, ".png" if kind == "png" else ".jpg"
    if kind == "svg":
        return svg_to_pdf(sanitized_svg(data)), ".pdf"
    return to_png(data), ".png"


def for_epub(data: bytes) -> tuple[bytes, str]:
    """What the EPUB carries: its core types as they are (SVG sanitized), others as PNG.
    WebP becomes PNG too: EPUB 3.2 readers (and EPUBCheck 4) do not know it."""
    kind = probe(data).kind
    if kind in ("png", "jpeg", "gif"):
        return data, {"png": ".png", "jpeg": ".jpg", "gif": ".gif"}[kind]
    if kind == "svg":
        return sanitized_svg(data), ".svg"
    return to_png(data), ".png"


def for_html(data: bytes) -> tuple[bytes, str]:
    """What the page inlines: what browsers show as it is (SVG sanitized), others as PNG."""
    kind = probe(data).kind
    if kind in ("png", "jpeg", "gif", "webp"):
        return data, MIME[kind]
    if kind == "svg":
        return sanitized_svg(data), MIME["svg"]
    return to_png(data), MIME["png"]


def sanitized_svg(data: bytes) -> bytes:
    """The SVG reduced to drawing (zennbook.safety.svg); ImageInvalid if it cannot be."""
    from .safety.svg import SvgError, sanitize_svg
    try:
        return _memo("svg", data, sanitize_svg)
    except SvgError as exc:
        raise ImageInvalid(f"an SVG that cannot be shown safely ({describe(exc)})") from None


def to_png(data: bytes) -> bytes:
    return _memo("png", data, _to_png)


def svg_to_pdf(data: bytes) -> bytes:
    return _memo("pdf", data, _svg_to_pdf)


_MEMO: dict[tuple[str, str], bytes] = {}


def _memo(kind: str, data: bytes, convert) -> bytes:
    """One conversion per content and kind in a build (an image used twice is converted once)."""
    key = (kind, digest(data))
    if key not in _MEMO:
        _MEMO[key] = convert(data)
    return _MEMO[key]


def _to_png(data: bytes) -> bytes:
    from PIL import Image
    with Image.open(io.BytesIO(data)) as image:
        image.seek(0)                                  # an animation's first frame
        mode = "RGBA" if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info else "RGB"
        out = io.BytesIO()
        image.convert(mode).save(out, format="PNG", optimize=True)
    return out.getvalue()


def _svg_to_pdf(data: bytes) -> bytes:
    tool = rsvg_convert()
    if tool is None:
        raise ImageInvalid("rsvg-convert is not installed (librsvg2-bin); run the set-up command")
    try:       # an SVG is untrusted: librsvg draws it in the sandbox, under its limits
        proc = sandbox.run("rsvg-convert", [tool, "--format", "pdf"], input=data)
    except sandbox.LimitHit as exc:
        raise ImageInvalid(f"{exc} on this SVG") from None
    if proc.returncode != 0 or not proc.stdout.startswith(b"%PDF"):
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()[:1]
        raise ImageInvalid(f"rsvg-convert cannot draw this SVG ({message[0][:120] if message else proc.returncode})")
    return proc.stdout


@lru_cache(maxsize=1)
def rsvg_convert() -> str | None:
    return shutil.which("rsvg-convert")


def read_or_broken(path: Path) -> bytes:
    """The image's bytes, or a grey placeholder PNG when the file is no longer an image we can
    read (it changed on disk after the filters checked it): the output is still made."""
    try:
        data = read_image(path)
        if not data.startswith(b"%PDF"):
            probe(data)
        return data
    except ImageInvalid:
        return BROKEN_PNG


def latex_suffix(data: bytes) -> str:
    """The file type for_latex makes of `data`."""
    if data.startswith(b"%PDF"):
        return ".pdf"
    return {"jpeg": ".jpg", "svg": ".pdf"}.get(sniff(data) or "png", ".png")
