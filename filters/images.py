"""Local images: `/images/...` is found under the book's root (Zenn's rule), other relative
paths beside the article. A found image gets its absolute path in `resolved`; a missing one
(or a `data:` image, which Zenn removes) gets a warning and a visible placeholder carrying
its description, so that no words are lost:

    Span.image-missing[src]  where the image sat among other text
    Div.image-missing[src]   where it was alone in its paragraph, or a figure
Remote images (http, https) are left as they are.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import panflute as pf

from zennbook.diagnostics import Code

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


def resolve(src: str, article_dir: Path | None, root_dir: Path | None) -> Path | None | bool:
    """The file of a local image; None when it cannot be found; True for a remote image."""
    if src.startswith("data:"):
        return None
    if _SCHEME.match(src):
        return True
    path = unquote(urlsplit(src).path)
    base = root_dir if path.startswith("/") else article_dir
    if base is None:
        return True                         # nowhere to look: leave it to the writers
    found = (base / path.lstrip("/")).resolve()
    allowed = [b.resolve() for b in (root_dir, article_dir) if b is not None]
    inside = any(found == b or b in found.parents for b in allowed)
    return found if inside and found.is_file() else None


def _image(elem: pf.Image, doc):
    context = doc.context
    found = resolve(elem.url, context.article_dir, context.root_dir)
    if found is True:
        return None
    if found is not None:
        elem.attributes["resolved"] = str(found)
        return None
    why = "data: images are removed by Zenn" if elem.url.startswith("data:") else "not found"
    context.warn(Code.IMAGE_MISSING, f"image {_shown(elem.url)}: {why}", elem)
    return placeholder(elem)


def placeholder(elem: pf.Image) -> pf.Span:
    words = list(elem.content) or [pf.Str(_file_name(elem.url))]
    attributes = {"src": _shown(elem.url)}
    if "data-line" in elem.attributes:
        attributes["data-line"] = elem.attributes["data-line"]
    return pf.Span(*words, classes=[MISSING], attributes=attributes)


def _lone_placeholder(elem):
    spans = [c for c in elem.content if not isinstance(c, pf.Space)]
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
