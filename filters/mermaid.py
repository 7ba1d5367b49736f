"""Mermaid code blocks become rendered diagrams; the source stays inside for alt text.

    ```mermaid            ->  Div.diagram {svg, pdf, key, data-line}
    graph TD; A-->B              CodeBlock.mermaid (unchanged)
    ```

The images were rendered before the filters ran (the pipeline passes every source of the
book, from `mermaid_sources`, to `zennbook.mermaid.render_diagrams` in one batch and puts
`RenderResult.lookup()` in `doc.context.diagrams`). Without an image the code block stays
as it is, with a warning: the book shows the source rather than losing the diagram.
"""
from __future__ import annotations

import panflute as pf

from zennbook.diagnostics import Code
from zennbook.filtering import source_line, walk
from zennbook.mermaid import Diagram, Failure, diagram_key, explain_failure
from zennbook.provenance import code_line


def action(elem, doc):
    if not _is_mermaid(elem) or _is_wrapped(elem):
        return None
    key = diagram_key(elem.text)
    found = doc.context.diagrams.get(key)
    if not isinstance(found, Diagram):
        _warn(doc, elem, found)
        return None
    attributes = {"svg": str(found.svg), "pdf": str(found.pdf), "key": key}
    line = source_line(elem)
    if line is not None:
        attributes["data-line"] = str(line)
    return pf.Div(elem, classes=["diagram"], attributes=attributes)


def mermaid_sources(doc: pf.Doc) -> list[str]:
    """Every mermaid source in `doc`, in document order (for one render batch per book)."""
    found: list[str] = []

    def collect(elem, _doc):
        if _is_mermaid(elem):
            found.append(elem.text)

    walk(doc, collect, doc)
    return found


def _is_mermaid(elem) -> bool:
    return isinstance(elem, pf.CodeBlock) and "mermaid" in elem.classes


def _is_wrapped(elem) -> bool:
    # Already inside its diagram Div: running the filter twice must not nest Divs.
    parent = elem.parent
    return isinstance(parent, pf.Div) and "diagram" in parent.classes


def _warn(doc, elem, failure: Failure | None) -> None:
    line = None
    if failure is None:
        code, why = Code.MERMAID_UNAVAILABLE, "not rendered in this build"
    elif failure.unavailable:
        code, why = Code.MERMAID_UNAVAILABLE, " ".join(failure.message.split())[:300]
    else:
        # mermaid's message spans lines (a caret under an excerpt): the line it means, shown.
        code = Code.MERMAID_FAILED
        offset, why = explain_failure(failure.message, elem.text)
        line = code_line(elem, offset - 1) if offset is not None else None
    doc.context.reporter.warn(code, f"mermaid diagram shown as code: {why}", line=line, elem=elem)
