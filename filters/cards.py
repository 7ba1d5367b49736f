"""Link cards: `Div.card[url]` gets the title and description the user wrote for its URL in
cards.yaml (`doc.context.cards`; nothing is ever fetched) and, inside, a plain link as the
fallback any writer can show."""
from __future__ import annotations

import panflute as pf

from ._text import text_inlines


def cards(elem, doc):
    if not (isinstance(elem, pf.Div) and "card" in elem.classes):
        return None
    url = elem.attributes.get("url", "")
    known = card_info(doc.context.cards, url)
    for key in ("title", "description"):
        if known.get(key):
            elem.attributes[key] = known[key]
    title = elem.attributes.get("title") or url
    elem.content = [pf.Para(pf.Link(*text_inlines(title), url=url))]
    return None


def card_info(cards: dict, url: str) -> dict:
    """cards.yaml's entry for `url` as {title, description}; a bare string is a title."""
    entry = cards.get(url) if cards else None
    if isinstance(entry, str):
        return {"title": entry}
    return {k: str(v) for k, v in (entry or {}).items() if k in ("title", "description") and v}
