"""Embeds (`Div.embed[kind, url]`) as static cards: the service's name, a title when
cards.yaml knows the URL, what the URL says beyond the page (a GitHub line range, a YouTube
start time), and inside a plain link as the fallback any writer can show."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import panflute as pf

from zennbook.zenn.embeds import youtube_start

from ._text import text_inlines
from .cards import card_info

SERVICES = {
    "youtube": "YouTube", "tweet": "X (Twitter)", "gist": "GitHub Gist", "github": "GitHub",
    "codepen": "CodePen", "codesandbox": "CodeSandbox", "stackblitz": "StackBlitz",
    "jsfiddle": "JSFiddle", "slideshare": "SlideShare", "speakerdeck": "Speaker Deck",
    "docswell": "Docswell", "figma": "Figma", "blueprintue": "blueprintUE",
}
_GITHUB_LINES = re.compile(r"#L(\d+)(?:-L(\d+))?$")


def embeds(elem, doc):
    if not (isinstance(elem, pf.Div) and "embed" in elem.classes):
        return None
    kind, url = elem.attributes.get("kind", ""), elem.attributes.get("url", "")
    service = SERVICES.get(kind, kind)
    elem.attributes["service"] = service
    elem.attributes.update(details(kind, url))
    title = card_info(doc.context.cards, url).get("title")
    if title:
        elem.attributes["title"] = title
    elem.content = [pf.Para(*text_inlines(f"{service}: "),
                            pf.Link(*text_inlines(title or url), url=url))]
    return None


def details(kind: str, url: str) -> dict[str, str]:
    """Attributes a kind's URL carries: `lines` of a GitHub file, `start` of a video."""
    if kind == "github":
        lines = _GITHUB_LINES.search(url)
        if lines:
            return {"lines": "-".join(n for n in lines.groups() if n)}
    if kind == "youtube":
        given = (parse_qs(urlsplit(url).query).get("t") or [None])[0]
        start = youtube_start(given.replace("s", "", 1) if given else None)
        if start:
            return {"start": str(start)}
    return {}
