"""Highlighted code blocks, kept per block: syntax highlighting is most of pandoc's time on
a code-heavy article (1.2 s of 1.5 s on a 1,750-line chapter of the synthetic course), and an
edit to a paragraph changes no code block.

Each block is set by pandoc exactly as it is inside the article: it gets the id pandoc would
number it with (`cbN`, counted over the article's code blocks in order, its own id if it has
one), so its HTML depends on nothing around it. The blocks not yet known are set in one pandoc
run; the article is then handed to pandoc with its code blocks already set. A block pandoc
does not highlight (no language, or one it does not know) is set without the id: pandoc
numbers it without showing the number. It is kept too: a language pandoc does not know
costs a look through every syntax it has (0.9 s a run).
"""
from __future__ import annotations

import json
from html import escape

import panflute as pf

from ...cache import code_fingerprint, sha256
from ...filtering import walk
from ...pandoc import doc_to_format

KIND = "html-code"
CUT = "<!--zennbook-code-cut-->"
HIGHLIGHTED = '<div class="sourceCode"'
SOURCE_LINE, LINE_STAND_IN = "data-source-line", "zennbook-line"


def set_code_blocks(doc: pf.Doc, args: list[str], cache, label: str) -> pf.Doc:
    """`doc` with each code block as the raw HTML pandoc makes of it, from `cache` (one
    entry per article: block hash -> its HTML)."""
    numbered = numbered_blocks(doc)
    if not numbered:
        return doc
    apart = [line_apart(block) for block, _ in numbered]
    blocks = [(block, ident) for (block, _), (_, ident) in zip(apart, numbered)]
    lines = iter([line for _, line in apart])
    keys = [block_key(block, ident, args) for block, ident in blocks]
    entry = sha256(code_fingerprint(), KIND, label, " ".join(args))
    known = dict(cache.get(KIND, entry) or {})
    missing = [(key, block, ident) for key, (block, ident) in zip(keys, blocks) if key not in known]
    if missing:
        known.update(zip((key for key, _, _ in missing), set_apart(missing, args, label)))
    if missing or len(known) != len(set(keys)):
        cache.put(KIND, entry, {key: known[key] for key in keys})      # only the blocks the article has now
    html = iter(keys)

    def replace(elem, _doc):
        if not isinstance(elem, pf.CodeBlock):
            return None
        made, line = known[next(html)], next(lines)
        if line is not None:
            made = made.replace(f'{SOURCE_LINE}="{LINE_STAND_IN}"', f'{SOURCE_LINE}="{escape(line)}"', 1)
        return pf.RawBlock(made, format="html")
    return walk(doc, replace, doc)


def line_apart(block: pf.CodeBlock) -> tuple[pf.CodeBlock, str | None]:
    """The block with its source line (the preview's `data-source-line`) as a stand-in, and
    that line: a line added above moves every block below, and must not set them all again."""
    line = block.attributes.get(SOURCE_LINE)
    if line is None:
        return block, None
    attributes = {**block.attributes, SOURCE_LINE: LINE_STAND_IN}
    return pf.CodeBlock(block.text, identifier=block.identifier, classes=list(block.classes),
                        attributes=attributes), line


def numbered_blocks(doc: pf.Doc) -> list[tuple[pf.CodeBlock, str]]:
    """Every code block in document order, with the id pandoc's HTML writer gives it."""
    found, count = [], 0

    def visit(elem, _doc):
        nonlocal count
        if isinstance(elem, pf.CodeBlock):
            if not elem.identifier:
                count += 1
            found.append((elem, elem.identifier or f"cb{count}"))
    walk(doc, visit, doc)
    return found


def block_key(block: pf.CodeBlock, ident: str, args: list[str]) -> str:
    return sha256(json.dumps(block.to_json(), ensure_ascii=False), ident, " ".join(args))


def set_apart(missing: list[tuple[str, pf.CodeBlock, str]], args: list[str], label: str) -> list[str]:
    """The HTML of these blocks, set in one pandoc run, each with its id; a block pandoc did
    not highlight is set again without it (pandoc does not show the number it gave it)."""
    made = set_blocks([block.__class__(block.text, identifier=ident, classes=list(block.classes),
                                       attributes=dict(block.attributes)) for _, block, ident in missing],
                      args, label)
    plain = [i for i, html in enumerate(made) if not html.startswith(HIGHLIGHTED)]
    if plain:
        for i, html in zip(plain, set_blocks([missing[i][1] for i in plain], args, label)):
            made[i] = html
    return made


def set_blocks(blocks: list[pf.CodeBlock], args: list[str], label: str) -> list[str]:
    """Each block's HTML, from one pandoc run over all of them."""
    content = []
    for block in blocks:
        content += [block, pf.RawBlock(CUT, format="html")]
    out = doc_to_format(pf.Doc(*content), "html5", args, label=label)
    return [part.strip("\n") for part in out.split(CUT)][:len(blocks)]
