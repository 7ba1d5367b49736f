"""Where the node packages zennbook drives (mermaid-cli, KaTeX, ...) are installed.

node_modules is not part of the Python package: `npm ci` puts it beside package.json, in a
checkout of this repository, or a user installs the packages wherever they like. Looked for,
in order: the folder named by ZENNBOOK_NODE_MODULES; a node_modules in the current folder or
one of its parents (as node itself resolves packages); one beside the source tree zennbook
was installed from in development mode (an editable install of a checkout).
"""
from __future__ import annotations

import os
from pathlib import Path

ENVIRONMENT = "ZENNBOOK_NODE_MODULES"
NPM_HINT = ("run `PUPPETEER_SKIP_DOWNLOAD=1 npm ci` at the repository root, or point "
            f"{ENVIRONMENT} at a node_modules that holds the packages")


def find_node_modules(*wanted: str) -> Path | None:
    """The first node_modules holding every file of `wanted` (paths inside node_modules)."""
    for candidate in candidates():
        if all((candidate / name).is_file() for name in wanted):
            return candidate
    return None


def candidates() -> list[Path]:
    found = []
    if os.environ.get(ENVIRONMENT):
        found.append(Path(os.environ[ENVIRONMENT]))
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        found += [folder / "node_modules" for folder in (start, *start.parents)]
    return list(dict.fromkeys(found))
