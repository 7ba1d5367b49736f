"""The HTML and EPUB stylesheets name the PDF's fallback chains, in the same order.

fontchains.FALLBACKS is where the PDF's chains are chosen from; a browser falls back the
same way, character by character along `font-family`. The emoji font comes right after the
role's Japanese face, as in the PDF (it takes what the face lacks)."""
from __future__ import annotations

import re

import pytest

from zennbook.fonts import EMOJI_FAMILY
from zennbook.writers import fontchains
from zennbook.writers.templating import template_path


def families(css: str, selector: str) -> list[str]:
    """The font-family list of the first rule for `selector` (or of a custom property)."""
    if selector.startswith("--"):
        found = re.search(rf"{re.escape(selector)}:\s*([^;]+);", css)
    else:
        found = re.search(rf"(?:^|\n){re.escape(selector)}\s*\{{[^}}]*?font-family:\s*([^;]+);", css)
    assert found, f"no font-family for {selector}"
    return [name.strip().strip('"') for name in found.group(1).split(",")]


CASES = [("html/book.css", "body", "sans"), ("html/book.css", "--mono", "mono"),
         ("epub/book.css", "body", "sans"), ("epub/book.css", "code, pre, kbd, samp, .code-filename", "mono")]


@pytest.mark.parametrize(("stylesheet", "selector", "chain"), CASES)
def test_the_stylesheet_names_the_pdfs_chain_in_order(stylesheet, selector, chain):
    names = families(template_path(stylesheet).read_text(encoding="utf-8"), selector)
    face = {"sans": "Noto Sans CJK JP", "mono": "Noto Sans Mono CJK JP"}[chain]
    wanted = [face, EMOJI_FAMILY, *fontchains.FALLBACKS[chain]]
    positions = [names.index(family) if family in names else -1 for family in wanted]
    assert -1 not in positions, [f for f, p in zip(wanted, positions) if p < 0]
    assert positions == sorted(positions), names
    assert names[-1] in ("sans-serif", "monospace")
