"""Raw markup and attributes: what an article may put into our HTML and XHTML, decided once.

- Raw HTML is shown as its text, as Zenn does, except `<br>` (a line break) and a one-line
  comment (dropped): RAW_BR and RAW_COMMENT are the exact spellings (filters/raw_html.py).
- Attributes an article sets with pandoc's `{key=value}` never reach a document when they
  could run, fetch or point somewhere: event handlers, styles, URL-valued attributes,
  namespaces (`article_may_set`, used by the HTML writer for the page and the EPUB).
- An attribute that is not valid HTML on its element is kept as `data-*` (`valid_on`, the
  EPUB's XHTML must validate); a URL-valued one passes the URL policy or goes.
"""
from __future__ import annotations

import re

RAW_BR = re.compile(r"<br\s?/?>")                 # Zenn's exact spellings (md-br.ts), case-sensitive
RAW_COMMENT = re.compile(r"<!--[^\n]*?-->")

# Attributes an article may not set: event handlers, styles (which can fetch), URLs,
# namespaces, and the pipeline's own source lines (for diagnostics, not for readers).
_ARTICLE_FORBIDDEN = re.compile(
    r"^(on|style$|href$|src$|srcset$|srcdoc$|action$|formaction$|poster$|background$|ping$"
    r"|cite$|longdesc$|usemap$|manifest$|codebase$|data$|xlink:|xmlns|xml:base$|data-lines?$)", re.IGNORECASE)
# Attributes whose value a reader follows or fetches.
URL_ATTRIBUTES = frozenset({"href", "src", "cite", "srcset", "longdesc", "usemap", "poster",
                            "action", "formaction", "background", "ping", "manifest"})

GLOBAL_ATTRIBUTES = frozenset({
    "id", "class", "style", "title", "lang", "dir", "hidden", "role", "tabindex", "accesskey",
    "translate", "spellcheck", "contenteditable", "draggable", "xml:lang", "xmlns"})
ELEMENT_ATTRIBUTES = {
    "a": {"href", "hreflang", "rel", "type", "target", "download"},
    "img": {"src", "alt", "width", "height", "srcset", "sizes", "usemap", "ismap"},
    "ol": {"start", "reversed", "type"}, "li": {"value"},
    "td": {"colspan", "rowspan", "headers"}, "th": {"colspan", "rowspan", "headers", "scope", "abbr"},
    "col": {"span"}, "colgroup": {"span"}, "details": {"open"}, "time": {"datetime"},
    "blockquote": {"cite"}, "q": {"cite"}, "del": {"cite", "datetime"}, "ins": {"cite", "datetime"},
    "data": {"value"}, "abbr": set(), "bdo": set(),
}
CHECKED_ELEMENTS = frozenset({
    "span", "div", "p", "section", "figure", "figcaption", "pre", "code", "h1", "h2", "h3", "h4",
    "h5", "h6", "ul", "ol", "li", "blockquote", "table", "thead", "tbody", "tr", "td", "th", "col",
    "colgroup", "a", "img", "em", "strong", "del", "ins", "sup", "sub", "aside", "details", "summary",
    "q", "mark", "u", "s", "small", "cite", "kbd", "samp", "var", "abbr", "time", "hr", "br"})


def article_may_set(name: str) -> bool:
    """True for an attribute an article's `{key=value}` may carry into HTML."""
    return not _ARTICLE_FORBIDDEN.match(name)


def valid_on(tag: str, name: str) -> bool:
    """True when `name` is a valid HTML attribute of `tag` (data-*, aria-* and namespaced
    ones included)."""
    return (name.startswith(("data-", "aria-", "{")) or name in GLOBAL_ATTRIBUTES
            or name in ELEMENT_ATTRIBUTES.get(tag, ()))


def data_name(name: str) -> str:
    """The data-* name an attribute is kept under when it is not valid on its element."""
    return f"data-{re.sub(r'[^a-z0-9-]', '-', name.lower())}"
