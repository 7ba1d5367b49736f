"""Every image a course uses, and every image that is not one.

One book, built in all three formats (the PDF too: images reach LaTeX): PNG, JPEG, GIF,
WebP, SVG, BMP and TIFF, and a PNG named `.jpg`, come out in every output (SVG as vector in
the PDF); a text file, garbage WebP, malformed SVG, truncated GIF and PNG, a BMP and a PNG
whose headers claim billions of pixels each get a located image.invalid warning and their
description as a visible placeholder, and the rest of the book is built.
"""
from __future__ import annotations

import base64
import io
import re
import struct
import subprocess
import zipfile

import pytest
from PIL import Image

from tests.conftest import needs
from tests.hostile.harness import HostileBook, reader_text
from zennbook import images

GOOD = ("png", "jpeg", "gif", "webp", "svg", "bmp", "tiff")
SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60">'
       b'<rect width="120" height="60" fill="#c33"/><script>alert(1)</script></svg>')


def encoded(fmt: str, size=(48, 32), **options) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(buffer, fmt, **options)
    return buffer.getvalue()


def animated_gif() -> bytes:
    buffer = io.BytesIO()
    frames = [Image.new("P", (24, 24), index) for index in range(3)]
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    return buffer.getvalue()


def good_images() -> dict[str, bytes]:
    return {"png": encoded("PNG"), "jpeg": encoded("JPEG"), "gif": animated_gif(), "webp": encoded("WEBP"),
            "svg": SVG, "bmp": encoded("BMP"), "tiff": encoded("TIFF")}


def reaching_svg(book: HostileBook) -> str:
    """A valid SVG that tries to pull files from outside the book into the drawing."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            f'xmlns:xi="http://www.w3.org/2001/XInclude" width="80" height="40">'
            f'<style>@import url("file://{book.outside}/canary.txt");</style>'
            f'<image href="file://{book.outside}/canary.png" width="8" height="8"/>'
            f'<image xlink:href="{book.outside}/canary.png" width="8" height="8"/>'
            f'<text x="1" y="20"><xi:include href="{book.outside}/canary.txt" parse="text"/></text>'
            f'<rect width="10" height="10" fill="url(file://{book.outside}/canary.txt#x)"/></svg>')


def lying_bmp() -> bytes:
    data = bytearray(encoded("BMP"))
    struct.pack_into("<ii", data, 18, 100_000, 100_000)        # claims 10^10 pixels
    return bytes(data)


def wide_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, "PNG")       # 48 KB, 400 million pixels
    return buffer.getvalue()


def bad_images() -> dict[str, bytes]:
    gif = animated_gif()
    return {"notes.txt": b"just words\n", "garbage.webp": b"RIFF\x10\x00\x00\x00WEBPVP8 garbage!",
            "broken.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><rect', "half.gif": gif[:len(gif) // 2],
            "half.png": encoded("PNG")[:-40], "bomb.bmp": lying_bmp(), "bomb.png": wide_png(),
            "page.svg": b"<?xml version='1.0'?><html><svg/></html>", "empty.png": b""}


# -- the image module on its own: every type, every bad case ---------------------------------

@pytest.mark.parametrize("kind", GOOD)
def test_every_type_is_read_by_content_and_converted_for_each_output(kind):
    data = good_images()[kind]
    assert images.probe(data).kind == kind
    latex, suffix = images.for_latex(data)
    assert suffix in (".png", ".jpg", ".pdf")
    assert suffix != ".pdf" or latex.startswith(b"%PDF")
    assert images.sniff(latex) in ("png", "jpeg") or latex.startswith(b"%PDF")
    epub_data, epub_suffix = images.for_epub(data)
    assert epub_suffix in (".png", ".jpg", ".gif", ".svg")
    html_data, mime = images.for_html(data)
    assert mime.startswith("image/") and mime not in ("image/bmp", "image/tiff")
    if kind == "svg":
        assert b"<script" not in epub_data and b"<script" not in html_data and suffix == ".pdf"


@pytest.mark.parametrize("name", sorted(bad_images()))
def test_a_bad_image_is_refused_with_a_reason_and_quickly(name):
    with pytest.raises(images.ImageInvalid) as refused:
        images.probe(bad_images()[name])
    assert str(refused.value)


def test_the_type_is_the_content_not_the_extension():
    assert images.sniff(encoded("PNG")) == "png"
    assert images.for_latex(encoded("PNG"))[1] == ".png"
    assert images.latex_suffix(encoded("JPEG")) == ".jpg"


# -- one book in all three formats ---------------------------------------------------------

def image_book(tmp_path) -> HostileBook:
    book = HostileBook(tmp_path)
    folder = book.root / "images"
    folder.mkdir()
    lines = ["---", "title: 画像の章", "---", ""]
    for kind, data in good_images().items():
        (folder / f"good.{kind}").write_bytes(data)
        lines += [f"![よい画像{kind}](/images/good.{kind})", ""]
    (folder / "reaching.svg").write_text(reaching_svg(book), encoding="utf-8")
    lines += ["![外を読むSVG](/images/reaching.svg)", ""]
    (folder / "really-a-png.jpg").write_bytes(encoded("PNG"))
    lines += ["![拡張子が嘘](/images/really-a-png.jpg)", ""]
    for name, data in bad_images().items():
        (folder / name).write_bytes(data)
        lines += [f"![壊れた画像{name}](/images/{name})", ""]
    book.article("bb-images.md", "\n".join(lines))
    return book


@needs("lualatex", "rsvg-convert", "pdftotext")
def test_a_book_of_good_and_bad_images_builds_in_every_format(tmp_path):
    book = image_book(tmp_path)
    result = book.build("html", "epub", "pdf")
    result.assert_clean()
    for name in bad_images():
        result.assert_located("bb-images.md", "image.invalid")
        assert re.search(rf"bb-images.md:\d+: WARNING: image /images/{re.escape(name)}: ", result.stderr), name
    for fmt in ("html", "epub", "pdf"):
        text = re.sub(r"\s+", "", reader_text(result.output(fmt)))   # LaTeX spaces kana from Latin
        for name in bad_images():
            assert f"壊れた画像{name}" in text, f"{name}'s placeholder missing from the {fmt}"
    html = result.output("html").read_bytes()
    for mime in ("image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"):
        assert f"data:{mime};base64,".encode() in html, mime
    assert b"alert(1)" not in html and b"alert(1)" not in decoded(html)
    with zipfile.ZipFile(result.output("epub")) as archive:
        kinds = {name.rsplit(".", 1)[-1] for name in archive.namelist() if name.startswith("EPUB/assets/")}
        svg = next(archive.read(n) for n in archive.namelist() if n.endswith(".svg") and "assets" in n)
    assert {"png", "jpg", "gif", "svg"} <= kinds and b"<script" not in svg
    assert vector_forms(result.output("pdf")) >= 1, "the SVG is not a vector form in the PDF"
    assert raster_images(result.output("pdf")) >= 7


def decoded(html: bytes) -> bytes:
    return b"".join(base64.b64decode(m) for m in re.findall(rb"base64,([A-Za-z0-9+/=]+)", html))


def vector_forms(pdf) -> int:
    """Form XObjects drawn by the PDF's pages: an SVG included as PDF is one."""
    import pikepdf
    with pikepdf.open(pdf) as document:
        return sum(1 for obj in document.objects if isinstance(obj, pikepdf.Stream)
                   and obj.get("/Subtype") == "/Form" and b"re" in obj.read_bytes())


def raster_images(pdf) -> int:
    out = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    return len(out.splitlines()) - 2


def test_an_image_over_7_5_mb_verifies(tmp_path):
    """verify read the HTML with libxml2's default limits: a 10 MB text node (a base64 image)
    stopped the parse there, and the license notice 'was missing'."""
    import os
    book = HostileBook(tmp_path)
    (book.root / "images").mkdir()
    noise = Image.frombytes("RGB", (2700, 2700), os.urandom(2700 * 2700 * 3))
    noise.save(book.root / "images" / "big.png", "PNG", compress_level=0)
    assert (book.root / "images" / "big.png").stat().st_size > 20 * 2**20
    book.article("bb-big.md", "---\ntitle: 大きな画像\n---\n\n![大きな画像](/images/big.png)\n\n最後の段落です。\n")
    result = book.build("html", "epub")
    result.assert_clean()
    assert result.returncode == 0, result.stderr[-3000:]
    assert "verify: ok" in result.proc.stdout
    assert "最後の段落です" in reader_text(result.output("html"))
