"""Why a formula cannot reach LaTeX as math: the kind decides the diagnostic code."""
from __future__ import annotations


class MathProblem(Exception):
    """kind: "unsafe" (not a KaTeX command, or one that could act on TeX itself),
    "unsupported" (KaTeX draws it, print cannot), "invalid" (not a formula KaTeX or LaTeX reads)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.message = message
