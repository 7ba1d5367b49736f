"""pandoc AST filters, one concern per file, panflute-style: ``action(elem, doc)``.

Returning None keeps the element, an element replaces it, a list splices, [] deletes.
FILTERS is the chain, read in one place (zennbook.filtering.apply_filters), in order.
"""

from . import cards, embeds, figures, heading_ids, images, linkify, links, math_macros, mermaid, raw_html

FILTERS = (
    raw_html.raw_html,        # <br> -> LineBreak, other raw HTML -> visible text
    linkify.linkify,          # bare http(s) URLs -> Link (also in text made from raw HTML)
    heading_ids.heading_ids,  # Zenn-style heading ids; '#...' links decoded to match
    math_macros.math_macros,  # Zenn's KaTeX macros (\RR) written out for every writer
    figures.figures,          # image line + *caption* line -> Figure
    images.images,            # resolve local images; missing -> warning + placeholder
    cards.cards,              # Div.card: title/description from cards.yaml, fallback link
    embeds.embeds,            # Div.embed: service, lines/start, fallback link
    mermaid.action,           # CodeBlock.mermaid -> Div.diagram (rendered beforehand)
    links.links,              # the URL policy: a refused link keeps its text, with a warning
)
