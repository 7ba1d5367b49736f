"""Files the chapters use (images, diagrams, font subsets), each stored once by content hash,
and the stylesheet that names the fonts."""
from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from ebooklib import epub

from ... import images
from ...fonts import face, subset
from ...safety.svg import EMPTY_SVG, SvgError, svg_for_epub
from ..templating import template_path
from .xhtml import CSS_HREF, FONT_DIR, XhtmlDocument

# -- assets -------------------------------------------------------------------------------

CORE_IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
                    ".jpeg": "image/jpeg", ".gif": "image/gif"}


class EpubAssets:
    """Files the chapters reference (images, diagrams), each stored once, named by content
    hash. SVG is cleaned for EPUB; other image types are converted to PNG. Thread-safe (the
    chapters are rendered in parallel); added to the book sorted by name, so the manifest's
    order does not depend on which thread came first."""

    def __init__(self):
        self.names: dict[Path, str] = {}
        self.files: dict[str, bytes] = {}
        self.lock = threading.Lock()

    def url(self, path: Path) -> str:
        path = Path(path).resolve()
        with self.lock:
            if path not in self.names:
                data, suffix = epub_image(images.read_or_broken(path))
                self.names[path] = self.add(data, suffix)
            return self.names[path]

    def reuse(self, recorded: list) -> bool:
        """A cached chapter's assets ([path, name] pairs), registered again: True when every
        file still gives the name the chapter's document uses. Otherwise nothing is added."""
        found = {}
        for given, name in recorded:
            path = Path(given)
            with self.lock:
                known = self.names.get(path)
            if known is None:
                try:
                    data, suffix = epub_image(images.read_image(path))
                except images.ImageInvalid:        # the chapter is made afresh, which reports it
                    return False
                known = self.name_for(data, suffix)
                found[path] = (known, data)
            if known != name:
                return False
        with self.lock:
            for path, (name, data) in found.items():
                self.names.setdefault(path, name)
                self.files[name] = data
        return True

    @staticmethod
    def name_for(data: bytes, suffix: str, folder: str = "assets") -> str:
        return f"{folder}/{hashlib.sha256(data).hexdigest()[:16]}{suffix}"

    def add(self, data: bytes, suffix: str, folder: str = "assets") -> str:
        name = self.name_for(data, suffix, folder)
        self.files[name] = data
        return name

    def add_to(self, ebook: epub.EpubBook) -> None:
        for name in sorted(self.files):
            suffix = Path(name).suffix
            ebook.add_item(epub.EpubItem(uid=name.replace("/", "-").replace(".", "-"), file_name=name,
                                         media_type=CORE_IMAGE_TYPES.get(suffix) or FONT_TYPES[suffix],
                                         content=self.files[name]))


def epub_image(data: bytes) -> tuple[bytes, str]:
    """An image as EPUB carries it, by its content: SVG sanitized and reduced to SVG 1.1,
    PNG, JPEG and GIF as they are, others as PNG."""
    try:
        data, suffix = images.for_epub(data)
    except images.ImageInvalid:
        data, suffix = images.BROKEN_PNG, ".png"
    return (clean_svg(data), suffix) if suffix == ".svg" else (data, suffix)


# -- SVG for EPUB -------------------------------------------------------------------------

def clean_svg(data: bytes) -> bytes:
    """An SVG reduced to drawing (the safety policy) that EPUBCheck's SVG 1.1 schema accepts;
    an empty one for an SVG that cannot be made safe (the images filter reported it)."""
    try:
        return svg_for_epub(data)
    except SvgError:
        return svg_for_epub(EMPTY_SVG)


# -- style and fonts ----------------------------------------------------------------------

FONT_TYPES = {".otf": "font/otf", ".ttf": "font/ttf", ".woff": "font/woff", ".woff2": "font/woff2"}


def wants_fonts(book, embed_fonts: bool | None) -> bool:
    """Fonts are not embedded unless asked: the argument, else book.yaml's `epub.embed_fonts`."""
    if embed_fonts is not None:
        return embed_fonts
    return bool(getattr(getattr(book, "epub", None), "embed_fonts", False))


def stylesheet(documents: list[XhtmlDocument], assets: EpubAssets, embed: bool) -> epub.EpubItem:
    css = template_path("epub/book.css").read_text(encoding="utf-8")
    if embed:
        css = font_faces("".join(t for d in documents for t in d.root.itertext()), assets) + css
    return epub.EpubItem(uid="style", file_name=CSS_HREF, media_type="text/css", content=css.encode("utf-8"))


EMBEDDED_FONTS = (("ZennbookSans", "Noto Sans CJK JP", "Regular", "normal"),
                  ("ZennbookSans", "Noto Sans CJK JP", "Bold", "bold"),
                  ("ZennbookMono", "Noto Sans Mono CJK JP", "Regular", "normal"))
ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F))     # printable ASCII in every cut, used or not


def font_faces(text: str, assets: EpubAssets) -> str:
    """@font-face rules for subsets (only the characters of `text`, every document's text) of
    the system's Noto CJK fonts, which the stylesheet then names first."""
    rules = []
    for family, installed, style, weight in EMBEDDED_FONTS:
        found = face(installed, style)
        if found is None:
            continue
        name = assets.add(subset(found, set(text + ALWAYS)), ".otf", folder=FONT_DIR)
        rules.append(f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
                     f'src: url("../{name}"); }}\n')
    return "".join(rules) + fallback_faces(text, assets)


FALLBACK_FAMILIES = {"sans": "ZennbookSans", "mono": "ZennbookMono"}


def fallback_faces(text: str, assets: EpubAssets) -> str:
    """@font-face rules for what Noto CJK lacks: the PDF's chains (writers/fontchains.py),
    each font cut to the characters it supplies and named, by unicode-range, for just those."""
    from ..fontchains import Usage, plan_fonts
    from ..fonts import FACES
    faces = {role: face(*FACES[role]) for role in ("serif", "sans", "mono")}
    if not all(faces.values()):
        return ""
    usage = Usage()
    usage.add(text)
    plan, rules = plan_fonts(usage, faces), []
    for chain, family in FALLBACK_FAMILIES.items():
        for font, chars in plan.chains[chain].fonts:
            suffix = ".otf" if font.path.suffix.lower() in (".otf", ".ttc", ".otc") else ".ttf"
            name = assets.add(subset(font, chars), suffix, folder=FONT_DIR)
            ranges = ",".join(f"U+{ord(c):X}" for c in sorted(chars))
            rules.append(f'@font-face {{ font-family: "{family}"; src: url("../{name}"); '
                         f'unicode-range: {ranges}; }}\n')
    return "".join(rules)
