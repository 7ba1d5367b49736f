"""The Japanese fonts cut down to the characters a document uses, before LuaLaTeX loads them.

Noto CJK has 65,535 glyphs. luaotfload turns every glyph into Lua tables once per size and
script a document uses (the sample book loads about 85 such instances), which was half of
each LuaLaTeX run and most of its 4 GB of memory. HarfBuzz's subsetter (uharfbuzz) cuts each
face to the document's characters in milliseconds and keeps every OpenType layout feature
(kerning, palt, the Japanese width forms), so the pages are set exactly as with the whole
font: tests/writers/latex compares the pages as pixels.

    LaTeX source (+ the class's own words, + fixed ranges) -> charset
    charset + face file -> <cache>/fonts/<key>.otf  (made once per charset)
    -> <build>/fonts/zb-<role>-<key>.otf and zbfonts.tex, read by zennbook.sty

The file names carry the key because luaotfload caches a font's tables under its file name.
Without uharfbuzz or a face, nothing is cut and zennbook.sty names the installed fonts.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..cache import sha256

VERSION = "1"
# role -> (fontconfig family, style); zennbook.sty's font commands name the roles
FACES = {
    "serif": ("Noto Serif CJK JP", "Regular"),
    "serifbold": ("Noto Serif CJK JP", "Bold"),
    "sans": ("Noto Sans CJK JP", "Regular"),
    "sansbold": ("Noto Sans CJK JP", "Bold"),
    "mono": ("Noto Sans Mono CJK JP", "Regular"),
    "monobold": ("Noto Sans Mono CJK JP", "Bold"),
}
# Characters LaTeX may print that are in no source file we write: page numbers, the class's
# Japanese words (read from jlreq.cls below), punctuation jlreq and luatexja insert.
FIXED_RANGES = ((0x20, 0x7F), (0xA0, 0x100), (0x2000, 0x2070), (0x2190, 0x2200), (0x3000, 0x3100),
                (0xFF00, 0xFFF0))
CLASS_FILES = ("jlreq.cls",)


@dataclass(frozen=True)
class Face:
    path: Path
    index: int


FOUND: dict[tuple[str, str], Face] = {}


def find_face(family: str, style: str) -> Face | None:
    """The installed file and collection index of a family's style (fontconfig), or None.
    Only what was found is remembered: fc-list may be missing for a while (tests hide tools)."""
    if (family, style) not in FOUND:
        face = fontconfig_face(family, style)
        if face is None:
            return None
        FOUND[family, style] = face
    return FOUND[family, style]


def fontconfig_face(family: str, style: str) -> Face | None:
    try:
        out = subprocess.run(["fc-list", "-f", "%{file}|%{index}|%{style}\n", family],
                             capture_output=True, text=True, timeout=60, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    for line in out.splitlines():
        path, index, styles = (line.split("|") + ["", ""])[:3]
        if style in styles.split(","):
            return Face(Path(path), int(index or 0))
    return None


CLASS_CHARACTERS: dict[str, frozenset[str]] = {}


def fixed_characters() -> frozenset[str]:
    chars = {chr(c) for start, stop in FIXED_RANGES for c in range(start, stop)}
    for name in CLASS_FILES:
        chars |= class_characters(name)
    return frozenset(chars)


def class_characters(name: str) -> frozenset[str]:
    """The characters of a TeX Live file (the class's own words); remembered once found."""
    if name not in CLASS_CHARACTERS:
        try:
            found = subprocess.run(["kpsewhich", name], capture_output=True, text=True, timeout=60).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return frozenset()
        if not found:
            return frozenset()
        CLASS_CHARACTERS[name] = frozenset(Path(found).read_text(encoding="utf-8", errors="ignore"))
    return CLASS_CHARACTERS[name]


def folder_characters(build_dir: Path) -> set[str]:
    """Every character of the LaTeX a build folder holds (its document and chapters)."""
    paths = [*build_dir.glob("*.tex"), *build_dir.glob("chapters/*.tex"), *build_dir.glob("*.sty")]
    return document_characters(path.read_text(encoding="utf-8", errors="ignore") for path in paths)


def document_characters(texts) -> set[str]:
    """Every character of `texts`, with the fixed ones."""
    chars = set(fixed_characters())
    for text in texts:
        chars.update(text)
    return chars


def subset_face(face: Face, chars: set[str], store: Path) -> Path:
    """`face` cut to `chars`, made once and kept in `store` under a key of both."""
    stat = face.path.stat()
    key = sha256(VERSION, str(face.path), str(face.index), str(stat.st_size), str(stat.st_mtime_ns),
                 "".join(sorted(chars)))[:20]
    target = store / f"{key}.otf"
    if target.exists():
        return target
    import uharfbuzz as hb
    plan = hb.SubsetInput()
    for char in chars:
        plan.unicode_set.add(ord(char))
    for kind in (hb.SubsetInputSets.LAYOUT_FEATURE_TAG, hb.SubsetInputSets.NAME_ID,
                 hb.SubsetInputSets.NAME_LANG_ID):
        keep = plan.sets(kind)      # every feature and name: an emptied set, inverted, is "all"
        keep.clear()
        keep.invert()
    font = hb.subset(hb.Face(hb.Blob.from_file_path(str(face.path)), face.index), plan)
    if font is None:
        raise RuntimeError(f"HarfBuzz could not subset {face.path} (face {face.index})")
    store.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(font.blob.data)
    os.replace(partial, target)
    return target


def install_fonts(build_dir: Path, cache_root: Path, chars: set[str] | None = None) -> dict[str, str]:
    """Cut the faces to `chars` (default: the folder's own LaTeX) into build_dir/fonts and
    name them in build_dir/zbfonts.tex; return role -> file name. Without a cut, neither is
    left there and zennbook.sty names the installed fonts."""
    names = cut_fonts(build_dir, cache_root, folder_characters(build_dir) if chars is None else chars)
    settings = build_dir / "zbfonts.tex"
    if not names:
        settings.unlink(missing_ok=True)
        shutil.rmtree(build_dir / "fonts", ignore_errors=True)
        return {}
    lines = [r"\def\zbfontoptions{Path=fonts/,}", *(rf"\def\zbfont{role}{{{name}}}" for role, name in names.items())]
    settings.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return names


def cut_fonts(build_dir: Path, cache_root: Path, chars: set[str]) -> dict[str, str] | None:
    """The six faces cut to the build's characters, linked into build_dir/fonts; None when
    they cannot be (no uharfbuzz, a face not installed): the whole fonts are used then."""
    try:
        import uharfbuzz  # noqa: F401
    except ImportError:
        return None
    faces = {role: find_face(*spec) for role, spec in FACES.items()}
    if not all(faces.values()):
        return None
    fonts = build_dir / "fonts"
    shutil.rmtree(fonts, ignore_errors=True)
    fonts.mkdir(parents=True)
    names = {}
    for role, face in faces.items():
        cut = subset_face(face, chars, cache_root / "fonts")
        name = f"zb-{role}-{cut.stem}.otf"
        link_or_copy(cut, fonts / name)
        names[role] = name
    return names


def link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
