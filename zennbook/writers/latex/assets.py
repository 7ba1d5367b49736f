"""What the LaTeX of an article uses besides its text: escaping helpers for code and URLs,
and the files (images, diagrams, QR codes) copied into the job folder, named by content."""
from __future__ import annotations

import hashlib
import re
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import panflute as pf
import segno

from ... import images
from ...diagnostics import ZennbookError
from ...pandoc import pandoc_path
from ..templating import tex_escape

MAX_PASSES = 4
PAPER_OPTIONS = {"b5": "b5j", "a5": "a5", "a4": "a4"}
# jlreq's text width for each paper at 10pt (measured: \the\textwidth), for table layout.
TEXT_WIDTH_PT = {"b5": 380.0, "a5": 310.0, "a4": 440.0}
OVERFULL_LIMIT_PT = 1.0
PX_PT = 0.75            # pandoc reads a bare image width as CSS pixels, 96 per inch
QR_MAX = 1000           # longer URLs get no QR code: no phone would read it off the page
REMOTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^[/\\]{2}")
VERBATIM_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}"}

# Zenn fence names that are not skylighting's own names.
CODE_ALIASES = {
    "js": "javascript", "mjs": "javascript", "cjs": "javascript", "jsx": "javascriptreact",
    "ts": "typescript", "tsx": "typescript", "sh": "bash", "shell": "bash", "console": "bash",
    "shellsession": "bash", "py": "python", "python3": "python", "rb": "ruby", "rs": "rust",
    "yml": "yaml", "jl": "julia", "ex": "elixir", "exs": "elixir", "md": "markdown",
    "tex": "latex", "hs": "haskell", "kt": "kotlin", "c++": "cpp", "golang": "go",
    "ps1": "powershell", "jsonc": "json", "json5": "json", "proto": "protobuf", "tf": "terraform",
    "ml": "ocaml", "clj": "clojure", "erl": "erlang", "htm": "html", "docker": "dockerfile",
    "csharp": "cs", "objc": "objectivec", "vim": "default",
}


class LatexError(ZennbookError):
    """lualatex failed; the message names the log and quotes its last lines."""


def verbatim_escape(text: str) -> str:
    return "".join(VERBATIM_SPECIALS.get(ch, ch) for ch in text)


def url_latex(url: str) -> str:
    """A URL typeset as escaped text with break points: it can never run anything."""
    return tex_escape(url).replace("/", "/\\allowbreak{}")


def breakable_code(text: str) -> str:
    """Inline code escaped, with \\zbbreak after punctuation and inside very long words.
    Never after '-': a line ending in '-' reads as a hyphenated word."""
    out = []
    for token in re.findall(r"[A-Za-z0-9]{1,12}|.", text, flags=re.S):
        out.append(tex_escape(token))
        if token in "/._=,:;&?)]}>|@" or len(token) == 12:
            out.append(r"\zbbreak{}")
    return "".join(out)


def breakable_text(text: str) -> str:
    """Text escaped for LaTeX, with places to wrap inside long Latin runs (paths, code)."""
    out = []
    for index, part in enumerate(re.split(r"([\x21-\x7e]{10,})", text)):
        out.append(breakable_code(part) if index % 2 else tex_escape(part))
    return "".join(out)


@dataclass
class LatexAssets:
    """Files LaTeX may read, copied into its build folder under content-hash names."""
    build_dir: Path
    copied: dict[str, str] = field(default_factory=dict)

    def add(self, source: Path) -> str:
        """The file LaTeX includes for an image or diagram, by its content: PNG and JPEG as
        they are, SVG as a vector PDF, GIF's first frame and other types as PNG. Named by
        the source's hash: a file already converted in the build folder is not made again."""
        key = str(source)
        if key not in self.copied:
            self.copied[key] = self.converted(images.read_or_broken(source))
        return self.copied[key]

    def converted(self, data: bytes) -> str:
        name = f"assets/{hashlib.sha256(data).hexdigest()[:16]}{images.latex_suffix(data)}"
        target = self.build_dir / name
        if not target.exists():
            try:
                out = images.for_latex(data)[0]
            except images.ImageInvalid:      # changed on disk since the filters checked it
                return self.converted(images.BROKEN_PNG)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(out)
        return name

    def qr(self, url: str) -> str:
        name = f"qr/{hashlib.sha256(url.encode()).hexdigest()[:16]}.pdf"
        target = self.build_dir / name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            segno.make(url, error="m").save(str(target), kind="pdf", border=1, scale=2)
        return name


@lru_cache(maxsize=1)
def highlight_languages() -> frozenset[str]:
    out = subprocess.run([pandoc_path(), "--list-highlight-languages"], capture_output=True,
                         text=True, check=True).stdout
    return frozenset(out.split())


def raw(text: str) -> pf.RawBlock:
    return pf.RawBlock(text, format="latex")


def raw_inline(text: str) -> pf.RawInline:
    return pf.RawInline(text, format="latex")
