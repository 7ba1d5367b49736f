"""The book's elements as HTML, shared by the single page and the EPUB's XHTML documents.

The filters gave the tree meaning (an admonition Div, a card with its URL, ...); this pass
decides how that meaning looks in HTML, using the stable hooks of the product doc:
aside.admonition.message|alert, details.admonition.details > summary, .card[data-url],
.embed.embed-<kind>[data-url], .code-filename, .diff-add/.diff-remove, figure.diagram.
"""
from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Callable

import panflute as pf

from ..pandoc import doc_to_format
from .common import copy_doc, diff_kind, heading_shift

# (path) -> the URL the document uses for that file: a data URI, or a path inside the EPUB.
AssetUrl = Callable[[Path], str]
ALT_TEXT_MAX = 300


def article_html(article, asset_url: AssetUrl, id_prefix: str) -> str:
    """One article's body as an HTML fragment: MathML, ids scoped by `id_prefix`."""
    doc = copy_doc(article.doc)
    doc.asset_url = asset_url
    doc = doc.walk(html_element, doc)
    args = ["--mathml", f"--id-prefix={id_prefix}", f"--shift-heading-level-by={heading_shift(doc)}",
            "--wrap=none", "--section-divs=false"]
    return doc_to_format(doc, "html5", args, label=article.label)


def html_element(elem, doc):
    for kind, render in RENDERERS:
        if isinstance(elem, kind):
            return render(elem, doc)
    return None


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
    url = elem.attributes.get("url", "")
    title = elem.attributes.get("title") or url
    description = elem.attributes.get("description", "")
    desc = f'<span class="card-description">{escape(description)}</span>' if description else ""
    return (f'<div class="card" data-url="{escape(url)}"><a class="card-link" href="{escape(url)}">'
            f'<span class="card-title">{escape(title)}</span>{desc}'
            f'<span class="card-url">{escape(url)}</span></a></div>')


def embed_html(elem: pf.Div) -> str:
    kind = elem.attributes.get("kind", "link")
    url = elem.attributes.get("url", "")
    service = elem.attributes.get("service") or kind
    title = elem.attributes.get("title", "")
    label = f'<span class="embed-title">{escape(title)}</span>' if title else ""
    return (f'<div class="embed embed-{escape(kind)}" data-url="{escape(url)}">'
            f'<span class="embed-service">{escape(service)}</span>{label}'
            f'<a class="embed-link" href="{escape(url)}">{escape(url)}</a></div>')


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
    (pf.Span, render_equation),
)
