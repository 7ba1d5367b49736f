"""Finds node and MathJax, or says in one line what is missing."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from ..nodejs import NPM_HINT, find_node_modules

MATHJAX_FILES = ("@mathjax/src/package.json", "@mathjax/mathjax-newcm-font/package.json",
                 "speech-rule-engine/package.json")


@dataclass(frozen=True)
class Tools:
    node: str
    modules: Path          # the node_modules holding MathJax and its speech engine


def find_tools() -> Tools | str:
    node = shutil.which("node")
    if not node:
        return "node not found on PATH (install Node.js 20 or later)"
    modules = find_node_modules(*MATHJAX_FILES)
    if modules is None:
        return f"MathJax is not installed: no node_modules with @mathjax/src ({NPM_HINT})"
    return Tools(node=node, modules=modules)


def mathjax_version(modules: Path) -> str:
    import json
    return json.loads((modules / "@mathjax/src/package.json").read_text(encoding="utf-8"))["version"]
