"""Every link target an article gives (inline, reference, autolink, linkified, a card's or an
embed's URL, a remote image) is decided by the one URL policy (zennbook.safety.urls). A
refused link keeps its text, without the link, in every format, and gets one warning per URL
per article; the writers ask the same policy again before they write any link."""
from __future__ import annotations

import panflute as pf

from zennbook.diagnostics import Code
from zennbook.safety.urls import Refusal, Target, decide

_SHOWN = 80


def links(elem, doc):
    if isinstance(elem, pf.Link):
        return _link(elem, doc)
    if isinstance(elem, pf.Image) and _remote(elem.url):
        _check(elem.url, elem, doc)
        return None
    if isinstance(elem, pf.Div) and ({"card", "embed"} & set(elem.classes)):
        _check(elem.attributes.get("url", ""), elem, doc)
    return None


def _link(elem: pf.Link, doc):
    decision = _check(elem.url, elem, doc)
    if isinstance(decision, Target):
        elem.url = decision.url
        return None
    return pf.Span(*elem.content, classes=["link-removed"])


def _remote(url: str) -> bool:
    """A URL the images filter leaves alone (it reports data: images itself)."""
    return not url.startswith("data:") and (":" in url.split("/", 1)[0] or url.startswith(("//", "\\\\")))


def _check(url: str, elem, doc) -> Target | Refusal:
    decision = decide(url)
    if isinstance(decision, Refusal):
        _warn_once(url, decision, elem, doc)
    return decision


def _warn_once(url: str, refusal: Refusal, elem, doc) -> None:
    seen = doc.__dict__.setdefault("zb_refused_urls", set())
    if url in seen:
        return
    seen.add(url)
    shown = url if len(url) <= _SHOWN else url[:_SHOWN - 1] + "…"
    doc.context.reporter.warn(Code.LINK_UNSAFE, f"link to {shown!r} removed, its text kept: {refusal.reason}", elem=elem)
