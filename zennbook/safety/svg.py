"""SVG reduced to drawing: no script, no event handlers, no references outside the image.

    sanitize_svg(data) -> bytes        raises InvalidSvg (not XML, not SVG) or UnsafeSvg (a DTD
                                       declaring entities: no entity is ever expanded)
    sanitize_svg_report(data)          the same, with what was removed (for a warning)

One sanitizer for every SVG a book shows: mermaid's diagrams and an article's SVG images,
in the single HTML page (a data: URI) and in the EPUB (a file, then reduced to SVG 1.1 by
the EPUB writer). It keeps an allow-list: SVG elements that draw (shapes, text, gradients,
patterns, markers, masks, filters), their attributes without event handlers, `href` only to
`#id` inside the image (and `<image>` a PNG, JPEG, GIF or WebP data: URI that decodes to an
image, re-encoded without its metadata), CSS without @import, @font-face or `url()` to
anything but `#id`. Everything else goes with its content: script, foreignObject (HTML),
animation (animate, set, animateMotion, animateTransform, discard), fonts, processing
instructions (xml-stylesheet), comments, elements and attributes of other namespaces.

An SVG with nothing to remove keeps its bytes' meaning: attributes and CSS are rewritten
only where something was dropped, so mermaid's diagrams draw exactly as before.
"""
from __future__ import annotations

import base64
import binascii
import io
import re

import tinycss2
from lxml import etree

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XLINK_HREF = f"{{{XLINK_NS}}}href"
MAX_RASTER_PIXELS = 40_000_000
# What stands in for an SVG that cannot be made safe (the images filter reports those first).
EMPTY_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'

DRAWING_ELEMENTS = frozenset("""
    svg g defs symbol use switch title desc a
    path rect circle ellipse line polyline polygon text tspan textPath
    linearGradient radialGradient stop pattern clipPath mask marker image style
    filter feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix
    feDiffuseLighting feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB
    feFuncG feFuncR feGaussianBlur feImage feMerge feMergeNode feMorphology feOffset
    fePointLight feSpecularLighting feSpotLight feTile feTurbulence
""".split())
RASTER_HREF_ELEMENTS = frozenset({"image", "feImage"})
KEPT_AT_RULES = frozenset({"media", "supports", "keyframes", "-webkit-keyframes"})
BAD_PROPERTIES = frozenset({"behavior", "-moz-binding", "-ms-behavior"})
BAD_FUNCTIONS = frozenset({"expression", "image", "image-set", "-webkit-image-set", "cross-fade",
                           "-webkit-cross-fade", "element", "-moz-element", "paint", "src"})
LOCAL_REFERENCE = re.compile(r"^#[^\s'\"()\\]+$")
RASTER_URI = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,([A-Za-z0-9+/=\s]+)$", re.I)
RASTER_FORMATS = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP"}


class SvgError(ValueError):
    """The SVG cannot be shown."""


class InvalidSvg(SvgError):
    """Not well-formed XML, or its root is not an SVG <svg>."""


class UnsafeSvg(SvgError):
    """An SVG that cannot be made safe: a DTD that declares entities (no expansion, ever)."""


def sanitize_svg(data: bytes) -> bytes:
    return sanitize_svg_report(data)[0]


def sanitize_svg_report(data: bytes) -> tuple[bytes, list[str]]:
    """The SVG reduced to drawing, and what was removed ("<script>", "onload", ...)."""
    root = parse_svg(data)
    removed: list[str] = []
    drop_foreign_nodes(root, removed)
    for elem in root.iter(etree.Element):
        clean_attributes(elem, removed)
        if etree.QName(elem).localname == "style" and elem.text:
            elem.text = clean_stylesheet(elem.text, removed)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True), sorted(set(removed))


def parse_svg(data: bytes) -> etree._Element:
    """The document's root, parsed without loading or expanding anything."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             dtd_validation=False, remove_comments=True, remove_pis=True)
    try:
        tree = etree.parse(io.BytesIO(data), parser)
    except etree.XMLSyntaxError as exc:
        raise InvalidSvg(f"not well-formed XML: {exc}") from None
    dtd = tree.docinfo.internalDTD
    if dtd is not None and (list(dtd.iterentities()) or list(dtd.iterelements())):
        raise UnsafeSvg("the SVG's DOCTYPE declares entities or elements (never expanded); remove the DOCTYPE")
    root = tree.getroot()
    if root.tag != f"{{{SVG_NS}}}svg":
        raise InvalidSvg(f"the root element is {root.tag!r}, not an SVG <svg>")
    return root


def drop_foreign_nodes(root: etree._Element, removed: list[str]) -> None:
    """Every node that does not draw goes, with everything inside it (entity references too)."""
    for elem in list(root.iter())[1:]:
        if isinstance(elem.tag, str) and is_drawing(elem):
            continue
        removed.append(node_name(elem))
        keep_tail(elem)
        elem.getparent().remove(elem)


def is_drawing(elem: etree._Element) -> bool:
    name = etree.QName(elem)
    return name.namespace == SVG_NS and name.localname in DRAWING_ELEMENTS


def node_name(elem) -> str:
    if not isinstance(elem.tag, str):
        return "<!ENTITY reference>" if isinstance(elem, etree._Entity) else "a non-element node"
    return f"<{etree.QName(elem).localname}>"


def keep_tail(elem: etree._Element) -> None:
    """Text after a removed element stays where it was."""
    if not elem.tail:
        return
    previous, parent = elem.getprevious(), elem.getparent()
    if previous is not None:
        previous.tail = (previous.tail or "") + elem.tail
    else:
        parent.text = (parent.text or "") + elem.tail


def clean_attributes(elem: etree._Element, removed: list[str]) -> None:
    local = etree.QName(elem).localname
    for name in list(elem.attrib):
        value = elem.attrib[name]
        kept = attribute_value(local, name, value)
        if kept is None:
            removed.append(etree.QName(name).localname if name.startswith("{") else name)
            del elem.attrib[name]
        elif kept != value:
            elem.set(name, kept)


def attribute_value(element: str, name: str, value: str) -> str | None:
    """The value to keep for an attribute, or None to drop it."""
    qname = etree.QName(name)
    if name in ("href", XLINK_HREF):
        return reference(element, value)
    if qname.namespace == XML_NS:
        return value if qname.localname in ("space", "lang") else None
    if qname.namespace is not None or name.lower().startswith("on"):
        return None
    if name == "style":
        return clean_declarations(value)
    if "(" in value or "\\" in value:
        return value if css_value_safe(tinycss2.parse_component_value_list(value)) else None
    return value


def reference(element: str, value: str) -> str | None:
    """An href: `#id` inside the image; in <image> a raster data: URI (re-encoded)."""
    value = value.strip()
    if LOCAL_REFERENCE.match(value):
        return value
    if element in RASTER_HREF_ELEMENTS:
        return raster_data_uri(value)
    return None


def raster_data_uri(value: str) -> str | None:
    """A PNG/JPEG/GIF/WebP data: URI whose bytes decode to that kind of image, as a PNG (or
    JPEG) written afresh: whatever else the bytes carried (text chunks, EXIF) is gone."""
    from PIL import Image
    match = RASTER_URI.match(value)
    if not match:
        return None
    try:
        raw = base64.b64decode(re.sub(r"\s", "", match.group(2)), validate=True)
        with Image.open(io.BytesIO(raw)) as image:
            if image.format != RASTER_FORMATS[match.group(1).lower()]:
                return None
            if image.width * image.height > MAX_RASTER_PIXELS:
                return None
            image.load()
            return encode_raster(image)
    except (binascii.Error, ValueError, OSError, Image.DecompressionBombError):
        return None


def encode_raster(image) -> str:
    out = io.BytesIO()
    if image.format == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=92)
        kind = "jpeg"
    else:
        image.convert("RGBA").save(out, "PNG", optimize=False)
        kind = "png"
    return f"data:image/{kind};base64,{base64.b64encode(out.getvalue()).decode('ascii')}"


# -- CSS ------------------------------------------------------------------------------------

def clean_stylesheet(css: str, removed: list[str]) -> str:
    """A <style>'s CSS without @import/@font-face/@namespace and without declarations that
    fetch; the text unchanged when nothing had to go."""
    rules = tinycss2.parse_stylesheet(css)
    kept, changed = filter_rules(rules, removed)
    return tinycss2.serialize(kept) if changed else css


def filter_rules(rules: list, removed: list[str]) -> tuple[list, bool]:
    """The rules that fetch nothing, and whether any rule or declaration had to go."""
    kept, changed = [], False
    for rule in rules:
        if rule.type == "at-rule":
            outcome = filter_at_rule(rule, removed)
            if outcome is None:
                changed = True
                continue
            changed = changed or outcome
        elif rule.type == "qualified-rule":
            body, rule_changed = filter_declarations(tinycss2.parse_declaration_list(rule.content), removed)
            if rule_changed:
                changed = True
                rule.content = tinycss2.parse_component_value_list(body)
        elif rule.type == "error":
            changed = True
            removed.append("unreadable CSS")
            continue
        kept.append(rule)
    return kept, changed


def filter_at_rule(rule, removed: list[str]) -> bool | None:
    """False: kept as it is; True: kept with rules removed inside; None: dropped."""
    if rule.lower_at_keyword not in KEPT_AT_RULES or not css_value_safe(rule.prelude):
        removed.append(f"@{rule.lower_at_keyword}")
        return None
    if rule.content is None:
        return False
    inner, changed = filter_rules(tinycss2.parse_rule_list(rule.content), removed)
    if changed:
        rule.content = tinycss2.parse_component_value_list(tinycss2.serialize(inner))
    return changed


def clean_declarations(text: str) -> str | None:
    """A style attribute's declarations that fetch nothing (None when none is left)."""
    removed: list[str] = []
    body, changed = filter_declarations(tinycss2.parse_declaration_list(text), removed)
    if not changed:
        return text
    return body if body.strip() else None


def filter_declarations(items: list, removed: list[str]) -> tuple[str, bool]:
    parts, changed = [], False
    for item in items:
        if item.type == "declaration":
            if item.lower_name in BAD_PROPERTIES or not css_value_safe(item.value):
                changed = True
                removed.append(f"CSS {item.lower_name}")
                continue
            important = " !important" if item.important else ""
            parts.append(f"{item.name}:{tinycss2.serialize(item.value).strip()}{important}")
        elif item.type in ("whitespace", "comment") or (item.type == "literal" and item.value == ";"):
            continue
        else:
            changed = True          # a nested rule, an at-rule or an error inside declarations
            removed.append("CSS rule inside declarations")
    text = ";".join(parts)
    return text, changed


def css_value_safe(tokens) -> bool:
    """No url() but to `#id`, no function that loads or runs anything, anywhere inside."""
    for token in tokens or ():
        kind = token.type
        if kind == "url" and not LOCAL_REFERENCE.match(token.value.strip()):
            return False
        if kind == "function":
            if token.lower_name == "url":
                arguments = [t for t in token.arguments if t.type not in ("whitespace", "comment")]
                if not (len(arguments) == 1 and arguments[0].type == "string"
                        and LOCAL_REFERENCE.match(arguments[0].value.strip())):
                    return False
            elif token.lower_name in BAD_FUNCTIONS:
                return False
            if not css_value_safe(token.arguments):
                return False
        if kind in ("() block", "[] block", "{} block") and not css_value_safe(token.content):
            return False
        if kind == "at-keyword" and token.lower_value == "import":
            return False
    return True


# -- SVG 1.1, for the EPUB ----------------------------------------------------------------
# EPUBCheck validates SVG against SVG 1.1; Mermaid writes SVG 2 habits: rects without
# width/height, `name` and `data-*` attributes, ARIA roles SVG 1.1 lacks, width/height on
# circles, mindmap ids used twice. Attributes an element does not have in SVG 1.1 have no
# effect on it, so dropping them changes nothing that is drawn.

CORE = {"id", "class", "style", "{http://www.w3.org/XML/1998/namespace}space",
        "{http://www.w3.org/XML/1998/namespace}lang", "requiredFeatures", "requiredExtensions",
        "systemLanguage", "focusable"}
PAINT = {"fill", "fill-opacity", "fill-rule", "stroke", "stroke-dasharray", "stroke-dashoffset",
         "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-opacity", "stroke-width",
         "color", "color-interpolation", "color-rendering", "opacity", "display", "visibility",
         "image-rendering", "shape-rendering", "text-rendering", "pointer-events", "cursor",
         "clip-path", "clip-rule", "mask", "filter"}
MARKERS = {"marker-start", "marker-mid", "marker-end"}
TEXT = {"font-family", "font-size", "font-size-adjust", "font-stretch", "font-style", "font-variant",
        "font-weight", "text-anchor", "dominant-baseline", "alignment-baseline", "baseline-shift",
        "letter-spacing", "word-spacing", "direction", "unicode-bidi", "writing-mode",
        "glyph-orientation-horizontal", "glyph-orientation-vertical", "kerning", "text-decoration"}
CONTAINER = PAINT | MARKERS | TEXT | {"overflow", "clip", "stop-color", "stop-opacity", "flood-color",
                                     "flood-opacity", "lighting-color", "color-interpolation-filters",
                                     "enable-background"}
HREF = XLINK_HREF
SHAPE = CORE | PAINT | {"transform"}
SVG_ATTRIBUTES = {
    "svg": CORE | CONTAINER | {"x", "y", "width", "height", "viewBox", "preserveAspectRatio", "version",
                               "baseProfile", "role", "aria-label", "aria-labelledby"},
    "g": CORE | CONTAINER | {"transform"},
    "defs": CORE | CONTAINER | {"transform"},
    "a": CORE | CONTAINER | {"transform", HREF, "target"},
    "switch": CORE | CONTAINER | {"transform"},
    "symbol": CORE | CONTAINER | {"viewBox", "preserveAspectRatio"},
    "marker": CORE | CONTAINER | {"viewBox", "preserveAspectRatio", "refX", "refY", "markerUnits",
                                  "markerWidth", "markerHeight", "orient"},
    "clipPath": CORE | CONTAINER | {"transform", "clipPathUnits"},
    "mask": CORE | CONTAINER | {"maskUnits", "maskContentUnits", "x", "y", "width", "height"},
    "pattern": CORE | CONTAINER | {"patternUnits", "patternContentUnits", "patternTransform", "x", "y",
                                   "width", "height", "viewBox", "preserveAspectRatio", HREF},
    "use": SHAPE | TEXT | {"x", "y", "width", "height", HREF},
    "image": SHAPE | {"x", "y", "width", "height", "preserveAspectRatio", HREF},
    "path": SHAPE | MARKERS | {"d", "pathLength"},
    "line": SHAPE | MARKERS | {"x1", "y1", "x2", "y2"},
    "polyline": SHAPE | MARKERS | {"points"},
    "polygon": SHAPE | MARKERS | {"points"},
    "rect": SHAPE | {"x", "y", "width", "height", "rx", "ry"},
    "circle": SHAPE | {"cx", "cy", "r"},
    "ellipse": SHAPE | {"cx", "cy", "rx", "ry"},
    "text": SHAPE | TEXT | {"x", "y", "dx", "dy", "rotate", "textLength", "lengthAdjust"},
    "tspan": CORE | PAINT | TEXT | {"x", "y", "dx", "dy", "rotate", "textLength", "lengthAdjust"},
    "textPath": CORE | PAINT | TEXT | {HREF, "method", "spacing", "startOffset", "textLength", "lengthAdjust"},
    "linearGradient": CORE | CONTAINER | {"gradientUnits", "gradientTransform", "x1", "y1", "x2", "y2",
                                          "spreadMethod", HREF},
    "radialGradient": CORE | CONTAINER | {"gradientUnits", "gradientTransform", "cx", "cy", "r", "fx", "fy",
                                          "spreadMethod", HREF},
    "stop": CORE | CONTAINER | {"offset"},
    "title": CORE, "desc": CORE, "style": {"id", "type", "media", "title"},
}
SVG_REQUIRED = {"rect": {"width": "0", "height": "0"}, "circle": {"r": "0"},
                "ellipse": {"rx": "0", "ry": "0"}, "path": {"d": "M0 0"},
                "polyline": {"points": "0 0"}, "polygon": {"points": "0 0"},
                "image": {"width": "0", "height": "0"}, "stop": {"offset": "0"}}
NO_ANIMATION = "\n*{animation:none!important;transition:none!important}\n"


def svg_for_epub(data: bytes) -> bytes:
    """The sanitized SVG that EPUBCheck's SVG 1.1 schema accepts and that draws the same,
    unanimated."""
    root = etree.fromstring(sanitize_svg(data), etree.XMLParser(resolve_entities=False, no_network=True,
                                                                huge_tree=True))
    seen: set[str] = set()
    for elem in root.iter(f"{{{SVG_NS}}}*"):
        name = etree.QName(elem).localname
        svg_href(elem)
        clean_svg_attributes(elem, SVG_ATTRIBUTES.get(name))
        for attribute, default in SVG_REQUIRED.get(name, {}).items():
            if elem.get(attribute) is None:
                elem.set(attribute, default)
        unique_id(elem, seen)
    root.set("role", "img")
    still(root)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


def svg_href(elem: etree._Element) -> None:
    """SVG 2's plain href is xlink:href in SVG 1.1."""
    if "href" in elem.attrib:
        elem.set(HREF, elem.attrib.pop("href"))


SVG_KEYWORDS = {
    "font-weight": {"normal", "bold", "bolder", "lighter", "inherit", *(f"{n}00" for n in range(1, 10))},
    "font-style": {"normal", "italic", "oblique", "inherit"},
    "text-anchor": {"start", "middle", "end", "inherit"},
    "fill-rule": {"nonzero", "evenodd", "inherit"}, "clip-rule": {"nonzero", "evenodd", "inherit"},
    "stroke-linecap": {"butt", "round", "square", "inherit"},
    "stroke-linejoin": {"miter", "round", "bevel", "inherit"},
    "visibility": {"visible", "hidden", "collapse", "inherit"},
}


def clean_svg_attributes(elem: etree._Element, allowed: set[str] | None) -> None:
    """Drop what SVG 1.1 does not have on this element, and values a renderer ignores
    anyway (empty, or not one of an attribute's keywords)."""
    for name in list(elem.attrib):
        value = elem.attrib[name].strip()
        keywords = SVG_KEYWORDS.get(name)
        if (allowed is not None and name not in allowed) or not value or (keywords and value not in keywords):
            del elem.attrib[name]


def unique_id(elem: etree._Element, seen: set[str]) -> None:
    ident = elem.get("id")
    if ident is None:
        return
    if ident in seen:
        del elem.attrib["id"]
    seen.add(ident)


def still(root: etree._Element) -> None:
    """No animation: the accessibility metadata says so (no motion hazard)."""
    style = root.find(f"{{{SVG_NS}}}style")
    if style is None:
        style = etree.Element(f"{{{SVG_NS}}}style")
        root.insert(0, style)
    style.text = (style.text or "") + NO_ANIMATION
