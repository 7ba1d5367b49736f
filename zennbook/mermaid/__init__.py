"""Mermaid diagrams rendered for real, offline: SVG for HTML/EPUB, vector PDF for LaTeX.

The pipeline collects every mermaid source of the book, calls render_diagrams once (one
Debian Chromium session for the whole batch, see render.mjs), and hands
``RenderResult.lookup()`` to the filters as ``FilterContext.diagrams``.
"""
from .errors import explain as explain_failure
from .key import MERMAID_CONFIG, diagram_key, normalize_source
from .render import Diagram, Failure, RenderResult, render_diagrams

__all__ = ["Diagram", "Failure", "MERMAID_CONFIG", "RenderResult", "diagram_key",
           "explain_failure", "normalize_source", "render_diagrams"]
