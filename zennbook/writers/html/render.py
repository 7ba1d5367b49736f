"""The book's elements as HTML, shared by the single page and the EPUB's XHTML documents.

The filters gave the tree meaning (an admonition Div, a card with its URL, ...); this pass
decides how that meaning looks in HTML, using the stable hooks of the product doc:
aside.admonition.message|alert, details.admonition.details > summary, .card[data-url],
.embed.embed-<kind>[data-url], .code-filename, .diff-add/.diff-remove, figure.diagram.

Nothing an article says can run or fetch: the filters already show raw HTML as text; this
pass also drops event-handler and style attributes, keeps only http(s), mailto and in-book
link targets, and shows an image that is not inlined (remote, or not found) as a link.
"""
from __future__ import annotations

import re
from html import escape
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import panflute as pf

from ...filtering import walk
from ...provenance import DATA_LINE, is_anchor, source_line
from ...safety.markup import article_may_set
from ...safety.urls import link_target, safe_href
from ...pandoc import doc_to_format
from ..common import copy_doc, diff_kind, heading_shift
from .code import set_code_blocks

# (path) -> the URL the document uses for that file: a data URI, or a path inside the EPUB.
AssetUrl = Callable[[Path], str]
# (a relative href) -> where it leads in this document, or None: no link (the single page).
RelativeLinks = Callable[[str], "str | None"]
ALT_TEXT_MAX = 300
# pandoc's fallback for math texmath cannot convert: the TeX between $ or $$ in a span.
_MATH_FALLBACK = re.compile(r'<span class="math (inline|display)">\$\$?(.*?)\$?\$</span>', re.DOTALL)
_FRAGMENT_SAFE = frozenset("!$&'()*+,-./:;=?@_~")
# The macros Zenn's KaTeX predefines (zenn-embed-elements); texmath knows none of them.
ZENN_MACROS = ((re.compile(r"\\RR(?![A-Za-z])"), r"\\mathbb{R}"),)


def article_html(article, asset_url: AssetUrl, id_prefix: str, heading_links: bool = False,
                 relative_links: RelativeLinks | None = None, source_lines: bool = False,
                 code_cache=None) -> str:
    """One article's body as an HTML fragment: MathML, ids scoped by `id_prefix`.

    With `heading_links`, every heading with an id ends with an empty `a.heading-anchor`
    pointing to it (the single page shows it as a § on hover). `relative_links` decides
    where a relative link leads; without it relative links are kept (the EPUB resolves
    them across its chapter files). With `source_lines`, the blocks' anchors stay (empty
    `span[data-line]`) and each link says its line (`a[data-line]`), for the EPUB's own
    diagnostics; it removes them after. With `code_cache`, highlighted code blocks come from
    it (code.py): the same HTML, without highlighting again what did not change."""
    doc = copy_doc(article.doc)
    doc.source_lines = source_lines
    doc.asset_url = asset_url
    doc.relative_links = relative_links
    doc.id_prefix = id_prefix if heading_links else None
    doc = walk(doc, html_element, doc)
    args = ["--mathml", f"--id-prefix={id_prefix}", f"--shift-heading-level-by={heading_shift(doc)}",
            "--wrap=none", "--section-divs=false"]
    if code_cache is not None:
        doc = set_code_blocks(doc, args, code_cache, article.label)
    return math_fallback(doc_to_format(doc, "html5", args, label=article.label))


def html_element(elem, doc):
    if is_anchor(elem):             # a block's source line: not for readers
        return None if doc.source_lines else []
    scrub_attributes(elem)
    for kind, render in RENDERERS:
        if isinstance(elem, kind):
            return render(elem, doc)
    return None


def scrub_attributes(elem) -> None:
    """Drop what an article must not set on an element (pandoc passes attributes through),
    and the pipeline's own source line (for diagnostics, not for readers)."""
    attributes = getattr(elem, "attributes", None)
    if attributes:
        for key in [k for k in attributes if not article_may_set(k)]:
            del attributes[key]


def safe_url(url: str) -> str | None:
    """`url` as a reader will follow it when the URL policy allows it as a link, else None."""
    return safe_href(url)


def fragment_href(identifier: str) -> str:
    """`#identifier` as a valid URL: ASCII that a fragment may not hold is percent-encoded."""
    return "#" + "".join(c if c.isalnum() or c in _FRAGMENT_SAFE or ord(c) > 127
                         else "".join(f"%{b:02X}" for b in c.encode("utf-8")) for c in identifier)


def math_fallback(html: str) -> str:
    """Math pandoc could not turn into MathML: its TeX as code, not `$...$` on the page."""
    return _MATH_FALLBACK.sub(
        lambda m: f'<code class="math-tex math-{m.group(1)}">{m.group(2)}</code>', html)


def render_div(elem: pf.Div, doc):
    classes = set(elem.classes)
    if "admonition" in classes:
        return admonition(elem)
    if "card" in classes:
        return raw(card_html(elem))
    if "embed" in classes:
        return raw(embed_html(elem))
    if "diagram" in classes:
        return raw(diagram_html(elem, doc.asset_url))
    return None


def admonition(elem: pf.Div) -> list:
    kind = next((k for k in ("alert", "details", "message") if k in elem.classes), "message")
    if kind == "details":
        title = escape(elem.attributes.get("title", ""))
        opening = f'<details class="admonition details"><summary>{title}</summary><div class="admonition-body">'
        closing = "</div></details>"
    else:
        opening = f'<aside class="admonition {kind}"><div class="admonition-body">'
        closing = "</div></aside>"
    return [raw(opening), *elem.content, raw(closing)]


def card_html(elem: pf.Div) -> str:
    given = elem.attributes.get("url", "")
    url = safe_url(given)
    title = elem.attributes.get("title") or urlsplit(given).netloc or given
    description = elem.attributes.get("description", "")
    desc = f'<span class="card-description">{escape(description)}</span>' if description else ""
    inner = (f'<span class="card-title">{escape(title)}</span>{desc}'
             f'<span class="card-url">{escape(given)}</span>')
    if url is None:
        return f'<div class="card card-unsafe">{inner}</div>'
    return (f'<div class="card" data-url="{escape(url)}"><a class="card-link" href="{escape(url)}">'
            f'{inner}</a></div>')


def embed_html(elem: pf.Div) -> str:
    kind = elem.attributes.get("kind", "link")
    given = elem.attributes.get("url", "")
    url = safe_url(given)
    service = elem.attributes.get("service") or kind
    title = elem.attributes.get("title", "")
    label = f'<span class="embed-title">{escape(title)}</span>' if title else ""
    link = (f'<a class="embed-link" href="{escape(url)}">{escape(given)}</a>' if url is not None
            else f'<span class="embed-link">{escape(given)}</span>')
    data_url = f' data-url="{escape(url)}"' if url is not None else ""
    return (f'<div class="embed embed-{escape(kind)}"{data_url}>'
            f'<span class="embed-service">{escape(service)}</span>{label}{link}</div>')


def diagram_html(elem: pf.Div, asset_url: AssetUrl) -> str:
    source = pf.stringify(elem).strip()
    alt = " ".join(source.split())
    if len(alt) > ALT_TEXT_MAX:
        alt = alt[:ALT_TEXT_MAX - 1] + "…"
    src = asset_url(Path(elem.attributes["svg"]))
    return (f'<figure class="diagram"><img src="{escape(src)}" '
            f'alt="{escape("Mermaid diagram: " + alt)}" /></figure>')


def render_code(elem: pf.CodeBlock, doc):
    filename = elem.attributes.pop("filename", None)
    elem.attributes.pop("data-line", None)
    block = raw(diff_html(elem)) if "diff" in elem.classes else elem
    if not filename:
        return block
    label = raw(f'<div class="code-filename">{escape(filename)}</div>')
    return pf.Div(label, block, classes=["code-block"])


def diff_html(elem: pf.CodeBlock) -> str:
    lang = next((c for c in elem.classes if c != "diff"), "")
    rows = []
    for line in elem.text.split("\n"):
        kind = diff_kind(line)
        css = f' class="diff-{kind}"' if kind else ""
        rows.append(f"<span{css}>{escape(line)}</span>")
    lang_class = f" language-{escape(lang)}" if lang else ""
    return f'<pre class="diff{lang_class}"><code>' + "\n".join(rows) + "</code></pre>"


def render_image(elem: pf.Image, doc):
    resolved = elem.attributes.pop("resolved", None)
    elem.attributes.pop("data-line", None)
    if resolved:
        elem.url = doc.asset_url(Path(resolved))
        return None
    return not_inlined(elem)


def not_inlined(elem: pf.Image) -> pf.Span:
    """An image that is not part of the book (remote, or never found) is not fetched: its
    description and a link to it (when the link is safe) stand in its place."""
    words = list(elem.content) or [pf.Str(elem.url.rsplit("/", 1)[-1] or elem.url)]
    url = safe_url(elem.url)
    shown = [pf.Str("［画像］"), *words]
    if url is None or _inside_link(elem):
        return pf.Span(*shown, classes=["image-remote"])
    return pf.Span(pf.Link(*shown, url=url), classes=["image-remote"])


def _inside_link(elem) -> bool:
    parent = elem.parent
    while parent is not None:
        if isinstance(parent, pf.Link):
            return True
        parent = parent.parent
    return False


def render_link(elem: pf.Link, doc):
    target = link_target(elem.url)
    if target is not None and target.kind == "relative" and doc.relative_links is not None:
        href = doc.relative_links(target.url)
        target = link_target(href) if href is not None else None
    if target is None:
        return pf.Span(*elem.content, classes=["link-removed"])
    # An in-book target is an id as written (the heading_ids filter decoded it): encode
    # what a URL fragment may not hold; the browser decodes it again to find the id.
    elem.url = fragment_href(target.url[1:]) if target.kind == "fragment" else target.url
    line = source_line(elem) if doc.source_lines else None
    if line is not None:
        elem.attributes[DATA_LINE] = str(line)
    return None


def render_header(elem: pf.Header, doc):
    if not (getattr(doc, "id_prefix", None) is not None and elem.identifier):
        return None
    href = fragment_href(doc.id_prefix + elem.identifier)
    elem.content.append(pf.RawInline(
        f'<a class="heading-anchor" href="{escape(href)}" aria-label="この見出しへのリンク"></a>', "html"))
    return None


def render_math(elem: pf.Math, doc):
    for macro, expansion in ZENN_MACROS:
        elem.text = macro.sub(expansion, elem.text)
    return None


def render_equation(elem: pf.Span, doc):
    if "equation" not in elem.classes:
        return None
    label = elem.attributes.get("label", "")
    return pf.Span(*elem.content, pf.RawInline(f'<span class="eqno">({escape(label)})</span>', "html"),
                   classes=["equation"])


def raw(text: str) -> pf.RawBlock:
    return pf.RawBlock(text, format="html")


RENDERERS = (
    (pf.Div, render_div),
    (pf.CodeBlock, render_code),
    (pf.Image, render_image),
    (pf.Link, render_link),
    (pf.Header, render_header),
    (pf.Math, render_math),
    (pf.Span, render_equation),
)
