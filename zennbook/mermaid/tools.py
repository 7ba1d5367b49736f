"""Finds the external tools the renderer needs, or says in one line what is missing."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from ..nodejs import NPM_HINT, find_node_modules as find_modules
from .pdf import SvgToPdf

MERMAID_FILES = ("puppeteer/package.json", "mermaid/dist/mermaid.min.js")


@dataclass(frozen=True)
class Tools:
    node: str
    chromium: str
    modules: Path          # the node_modules holding puppeteer and mermaid
    pdf: SvgToPdf          # librsvg + cairo, loaded


def find_tools() -> Tools | str:
    """The tools, or why diagrams cannot be rendered (one line)."""
    node = shutil.which("node")
    if not node:
        return "node not found on PATH (install Node.js 20 or later)"
    chromium = shutil.which("chromium")
    if not chromium:
        return "chromium not found on PATH (apt-get install chromium)"
    modules = find_node_modules()
    if modules is None:
        return f"mermaid-cli is not installed: no node_modules with puppeteer and mermaid ({NPM_HINT})"
    try:
        pdf = SvgToPdf()
    except (OSError, AttributeError) as exc:
        return f"librsvg/cairo not usable ({exc}); apt-get install librsvg2-2 libcairo2"
    return Tools(node=node, chromium=chromium, modules=modules, pdf=pdf)


def find_node_modules() -> Path | None:
    """The node_modules holding puppeteer and mermaid (zennbook.nodejs says where it looks)."""
    return find_modules(*MERMAID_FILES)


def mmdc_path() -> Path | None:
    """mermaid-cli's own command, for comparisons (the benchmark)."""
    modules = find_node_modules()
    mmdc = modules / ".bin" / "mmdc" if modules else None
    return mmdc if mmdc and mmdc.exists() else None
