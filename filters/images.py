"""Local images: `/images/...` is found under the book's root (Zenn's rule), other relative
paths beside the article. Every local path goes through zennbook.safety.paths: it must be a
regular file inside the book's folder, not hidden; `file:` URLs are local paths too. The file
must then be an image we can read (zennbook.images.probe: type by content, decoded whole,
pixels capped). A good image gets its absolute path in `resolved`; any other gets a located
warning (image.missing, input.outside, input.hidden, input.not-regular, image.invalid) and
a visible placeholder carrying its description, so that no words are lost:

    Span.image-missing[src]  where the image sat among other text
    Div.image-missing[src]   where it was alone in its paragraph, or a figure
Remote images (http, https) are left as they are.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import panflute as pf

from zennbook.diagnostics import Code
from zennbook.images import ImageInvalid, probe, read_image
from zennbook.provenance import is_anchor
from zennbook.safety.paths import Refused, book_folder, check_file

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:|^//")
MISSING = "image-missing"


def images(elem, doc):
    if isinstance(elem, pf.Image):
        return _image(elem, doc)
    if isinstance(elem, (pf.Para, pf.Plain)):
        return _lone_placeholder(elem)
    if isinstance(elem, pf.Figure):
        return _missing_figure(elem)
    return None


def local_path(src: str) -> str | None:
    """The file path an image URL names, or None for a remote (or data:) image."""
    if src.startswith("data:"):
        return None
    if src.lower().startswith("file:"):
        return unquote(urlsplit(src).path) or "/"
    if _SCHEME.match(src):
        return None
    return unquote(urlsplit(src).path)


def resolve(src: str, article_dir: Path | None, root_dir: Path | None, home: Path) -> Path:
    """The checked file of a local image; Refused (reason "missing" when it is not there)."""
    path = local_path(src) or ""
    absolute = path.startswith("/") or src.lower().startswith("file:")
    if absolute and src.lower().startswith("file:"):
        named = Path(path)                  # file:///x is /x on the disk, wherever that is
    else:
        base = root_dir if absolute else article_dir
        named = Path(os.path.abspath(base or home)) / path.lstrip("/")
    return check_file(home, named)


def _home(context) -> Path:
    book = getattr(context, "book", None)
    if book is not None and hasattr(book, "home"):
        return book.home
    return book_folder(context.root_dir or context.article_dir or Path.cwd())


def _image(elem: pf.Image, doc):
    context = doc.context
    elem.attributes.pop("resolved", None)       # only this filter says which file an image is
    if local_path(elem.url) is None and not elem.url.startswith("data:"):
        return None                                        # remote: the writers decide
    if elem.url.startswith("data:"):
        context.reporter.warn(Code.IMAGE_MISSING, f"image {_shown(elem.url)}: data: images are removed by Zenn", elem=elem)
        return placeholder(elem)
    try:
        found = resolve(elem.url, context.article_dir, context.root_dir, _home(context))
        probe(read_image(found))
    except Refused as exc:
        code = exc.code or Code.IMAGE_MISSING
        why = "not found" if exc.reason == "missing" else exc.message
        context.reporter.warn(code, f"image {_shown(elem.url)}: {why}", elem=elem)
        return placeholder(elem)
    except ImageInvalid as exc:
        context.reporter.warn(Code.IMAGE_INVALID, f"image {_shown(elem.url)}: {exc}; shown as its description", elem=elem)
        return placeholder(elem)
    elem.attributes["resolved"] = str(found)
    return None


def placeholder(elem: pf.Image) -> pf.Span:
    words = list(elem.content) or [pf.Str(_file_name(elem.url))]
    attributes = {"src": _shown(elem.url)}
    if "data-line" in elem.attributes:
        attributes["data-line"] = elem.attributes["data-line"]
    return pf.Span(*words, classes=[MISSING], attributes=attributes)


def _lone_placeholder(elem):
    spans = [c for c in elem.content if not isinstance(c, pf.Space) and not is_anchor(c)]
    if len(spans) != 1 or not _is_placeholder(spans[0]):
        return None
    span = spans[0]
    return pf.Div(pf.Para(*span.content), classes=[MISSING], attributes=dict(span.attributes))


def _missing_figure(elem: pf.Figure):
    if len(elem.content) != 1 or not _is_placeholder(elem.content[0]):
        return None
    div = elem.content[0]
    caption = [pf.Para(*block.content) for block in elem.caption.content
               if isinstance(block, (pf.Plain, pf.Para))]
    return pf.Div(*div.content, *caption, classes=[MISSING], attributes=dict(div.attributes))


def _is_placeholder(elem) -> bool:
    return isinstance(elem, (pf.Span, pf.Div)) and MISSING in elem.classes


def _shown(url: str) -> str:
    return url if len(url) <= 80 else url[:40] + "…"


def _file_name(url: str) -> str:
    if url.startswith("data:"):
        return "data:"
    return unquote(urlsplit(url).path).rsplit("/", 1)[-1] or url
