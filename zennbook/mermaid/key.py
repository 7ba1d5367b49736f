"""What a rendered diagram depends on, as one content hash.

The key covers the normalized source, the renderer (mermaid's pinned version and our
render script) and the mermaid configuration, so changing any of them re-renders.
"""
from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path

SCRIPT = Path(__file__).with_name("render.mjs")
PAGE_SCRIPTS = tuple(Path(__file__).with_name(name) for name in ("pdfsvg.js", "page.js", "inert.js"))
INERT_SCRIPT = PAGE_SCRIPTS[-1]
# The Python side shapes the PDF too (its pictures' resolution, emoji as text).
PDF_MAKERS = tuple(Path(__file__).with_name(name) for name in ("pdf.py", "emojitext.py"))

# Real SVG text (no <foreignObject>, which rsvg-convert, EPUB readers and EPUBCheck do
# not handle), one font Chromium measures and cairo embeds, nothing fetched, stable ids.
# As on Zenn: securityLevel "strict" (labels' HTML escaped, `click` not bound). A diagram's
# own settings (`%%{init: ...}%%`, front matter) may change its theme and layout but none
# of the `secure` keys, at any depth: mermaid drops them from the diagram's config.
MERMAID_CONFIG = {
    "startOnLoad": False,
    "securityLevel": "strict",
    "theme": "default",
    "htmlLabels": False,
    "flowchart": {"htmlLabels": False},
    "fontFamily": '"Noto Sans CJK JP", sans-serif',
    "deterministicIds": True,
    "secure": ["secure", "securityLevel", "startOnLoad", "maxTextSize", "maxEdges",
               "suppressErrorRendering", "htmlLabels", "fontFamily", "altFontFamily",
               "themeCSS", "deterministicIds", "deterministicIDSeed", "dompurifyConfig",
               "arrowMarkerAbsolute", "legacyMathML", "forceLegacyMathML"],
}


def normalize_source(source: str) -> str:
    """Line ends unified, trailing spaces and blank edge lines dropped.

    Leading indentation is kept: mindmap diagrams use it for structure.
    """
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    text = "\n".join(line.rstrip() for line in lines)
    return text.strip("\n") + "\n"


def diagram_key(source: str) -> str:
    """sha256 of the normalized source + renderer version + config."""
    payload = "\n".join((renderer_version(), _config_json(), normalize_source(source)))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def svg_id(key: str) -> str:
    """The SVG's id: unique in a book, so many diagrams can share one HTML page."""
    return "mmd-" + key[:16]


@functools.lru_cache(maxsize=1)
def renderer_version() -> str:
    """mermaid's locked version and a hash of our scripts and PDF makers (they shape the output)."""
    scripts = hashlib.sha256()
    for script in (SCRIPT, *PAGE_SCRIPTS, *PDF_MAKERS):
        scripts.update(script.read_bytes() if script.exists() else b"none")
    return f"mermaid-{_mermaid_version()}/render-{scripts.hexdigest()[:12]}"


def _mermaid_version() -> str:
    """The version of the mermaid that renders (the installed one: it shapes the output)."""
    from ..nodejs import find_node_modules
    modules = find_node_modules("mermaid/package.json")
    try:
        return json.loads((modules / "mermaid" / "package.json").read_text(encoding="utf-8"))["version"]
    except (OSError, TypeError, ValueError, KeyError):
        return "unknown"


def _config_json() -> str:
    return json.dumps(MERMAID_CONFIG, sort_keys=True, ensure_ascii=False)
