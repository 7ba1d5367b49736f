"""Finds the external tools the renderer needs, or says in one line what is missing."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from .key import REPO_ROOT
from .pdf import SvgToPdf

NPM_HINT = "run `PUPPETEER_SKIP_DOWNLOAD=1 npm ci` at the repository root"


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
    """The repository's node_modules (where `npm ci` puts it), else the current folder's."""
    for root in (REPO_ROOT, Path.cwd()):
        modules = root / "node_modules"
        if _complete(modules):
            return modules
    return None


def _complete(modules: Path) -> bool:
    return ((modules / "puppeteer" / "package.json").is_file()
            and (modules / "mermaid" / "dist" / "mermaid.min.js").is_file())


def mmdc_path() -> Path | None:
    """mermaid-cli's own command, for comparisons (the benchmark)."""
    modules = find_node_modules()
    mmdc = modules / ".bin" / "mmdc" if modules else None
    return mmdc if mmdc and mmdc.exists() else None
