"""The Japanese fonts cut down to the characters a document uses, before LuaLaTeX loads them.

Noto CJK has 65,535 glyphs. luaotfload turns every glyph into Lua tables once per size and
script a document uses (the sample book loads about 85 such instances), which was half of
each LuaLaTeX run and most of its 4 GB of memory. HarfBuzz's subsetter (zennbook.fonts.subset) cuts
each face to the document's characters in milliseconds and keeps every OpenType layout feature
(kerning, palt, the Japanese width forms), so the pages are set exactly as with the whole
font: tests/writers/latex compares the pages as pixels.

    LaTeX source (+ the class's own words, + fixed ranges) -> characters (Usage)
    characters -> a font for each one the faces lack (fontchains.py: chains by coverage)
    each face and fallback + its characters -> <cache>/fonts/<key>.otf  (made once per set)
    -> <build>/fonts/zb-<role>-<key>.otf, zbfonts.tex (read by zennbook.sty) and zennbook.lua

The fallbacks (a math font for 𝒩 in code, Noto Serif for Greek Extended, HanaMinB for rare
kanji, ...) are cut to exactly the characters they supply, the emoji font to the book's emoji.
The file names carry the key because luaotfload caches a font's tables under its file name.
Without uharfbuzz or a face, nothing is cut and zennbook.sty names the installed fonts.
"""
from __future__ import annotations

import filecmp
import shutil
import subprocess
from pathlib import Path

from ..cache import sha256, write_atomically
from ..fonts import InstalledFont, face, subset
from . import fontchains
from .fontchains import FontPlan, Usage
from .templating import template_path

VERSION = "3"
RUNTIME = "latex/zennbook.lua"      # the node-level half: emoji sequences, emoji as text
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


def folder_characters(build_dir: Path) -> Usage:
    """Every character of the LaTeX a build folder holds (its document and chapters)."""
    paths = [*build_dir.glob("*.tex"), *build_dir.glob("chapters/*.tex"), *build_dir.glob("*.sty")]
    return document_characters(path.read_text(encoding="utf-8", errors="ignore") for path in paths
                               if path.name != "zbfonts.tex")


def document_characters(texts) -> Usage:
    """Every character of `texts`, with the fixed ones."""
    usage = Usage(set(fixed_characters()))
    for text in texts:
        usage.add(text)
    return usage


def subset_face(face: InstalledFont, chars: set[str], store: Path) -> Path:
    """`face` cut to `chars`, made once and kept in `store` under a key of both."""
    stat = face.path.stat()
    key = sha256(VERSION, str(face.path), str(face.index), str(stat.st_size), str(stat.st_mtime_ns),
                 "".join(sorted(chars)))[:20]
    target = store / f"{key}{'.ttf' if face.path.suffix.lower() == '.ttf' else '.otf'}"
    if not target.exists():
        write_atomically(target, subset(face, chars))
    return target


def install_fonts(build_dir: Path, cache_root: Path, usage: Usage | None = None,
                  embed_whole: bool = False) -> dict[str, str]:
    """Cut the faces and their fallbacks to the characters of `usage` (default: the folder's
    own LaTeX) into build_dir/fonts, name them in build_dir/zbfonts.tex and put zennbook.lua
    beside it; return role -> file name of the faces. Without a cut, no zbfonts.tex is left
    there and zennbook.sty names the installed fonts. `embed_whole`: LuaTeX embeds the cuts
    as they are (jobs that share them then embed the same bytes) instead of subsetting."""
    build_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template_path(RUNTIME), build_dir / Path(RUNTIME).name)
    usage = folder_characters(build_dir) if usage is None else usage
    cut = cut_fonts(build_dir, cache_root, usage)
    settings = build_dir / "zbfonts.tex"
    if cut is None:
        settings.unlink(missing_ok=True)
        shutil.rmtree(build_dir / "fonts", ignore_errors=True)
        return {}
    names, plan, extra = cut
    settings.write_text(font_settings(names, plan, extra, embed_whole), encoding="utf-8")
    return names


def cut_fonts(build_dir: Path, cache_root: Path, usage: Usage):
    """The six faces cut to the build's characters and each fallback to what it supplies,
    linked into build_dir/fonts; None when they cannot be (no uharfbuzz, a face not
    installed): the whole fonts are used then."""
    try:
        import uharfbuzz  # noqa: F401
    except ImportError:
        return None
    faces = {role: face(*spec) for role, spec in FACES.items()}
    if not all(faces.values()):
        return None
    plan = fontchains.plan_fonts(usage, faces)
    fonts = build_dir / "fonts"
    fonts.mkdir(parents=True, exist_ok=True)
    store = cache_root / "fonts"
    names = {role: place(subset_face(found, usage.chars, store), f"zb-{role}", fonts) for role, found in faces.items()}
    extra = {"chains": {name: [place(subset_face(font, chars, store), f"zb-{name}-{number}", fonts)
                               for number, (font, chars) in enumerate(chain.fonts, start=1)]
                        for name, chain in plan.chains.items()}}
    if plan.emoji_font is not None and plan.emoji:
        extra["emoji"] = place(subset_face(plan.emoji_font, plan.emoji, store), "zb-emoji", fonts)
    placed = {*names.values(), *(n for files in extra["chains"].values() for n in files), extra.get("emoji")}
    for stale in fonts.iterdir():           # an earlier cut's files
        if stale.name in placed:
            continue
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale)
        else:
            stale.unlink()
    return names, plan, extra


def place(cut: Path, prefix: str, fonts: Path) -> str:
    """A copy, not a link, of the stored cut: a job folder is writable inside the jail, and a
    hard link would let a job change the cut every later build reads. A copy already there
    with the same bytes is left as it is: luaotfload compiles a font again when its file's
    time changes (1.5 s of a proof's run for the same cut, in a folder kept between runs)."""
    name = f"{prefix}-{cut.stem}{cut.suffix}"
    target = fonts / name
    if not (target.is_file() and not target.is_symlink() and filecmp.cmp(cut, target, shallow=False)):
        target.unlink(missing_ok=True)
        shutil.copyfile(cut, target)
    return name


def font_settings(names: dict[str, str], plan: FontPlan, extra: dict, embed_whole: bool = False) -> str:
    """zbfonts.tex: the faces, each role's fallback chain, the characters luatexja must leave
    to the Latin fonts (range 201) and zennbook.lua's emoji font."""
    lines = [r"\def\zbfontoptions{Path=fonts/,}", *(rf"\def\zbfont{role}{{{name}}}" for role, name in names.items())]
    for chain, files in extra["chains"].items():
        specs = ", ".join(f'"[fonts/{name}]:mode=node;"' for name in files)
        lines.append(rf'\directlua{{luaotfload.add_fallback("zb{chain}", {{{specs}}})}}')
        lines.append(rf"\def\zbfallback{chain}{{{'fallback=zb' + chain + ';' if files else ''}}}")
    ranges = char_ranges(plan.not_japanese) or '"1F000'     # not empty; non-Japanese already (range 200)
    lines.append(rf"\ltjdefcharrange{{201}}{{{ranges}}}")
    emoji = f'"[fonts/{extra["emoji"]}]:mode=harf;"' if "emoji" in extra else "nil"
    lines.append(rf'\directlua{{if zennbook then zennbook.configure{{emoji = {emoji}, '
                 rf'ghost = "[fonts/{names["serif"]}]", embed_whole = {str(embed_whole).lower()}, '
                 rf'emoji_chars = {{{lua_codes(plan.emoji)}}}}} end}}')
    return "\n".join(lines) + "\n"


def char_ranges(chars: set[str]) -> str:
    """luatexja's range syntax for `chars`: "2081-"2082,"1D4A9."""
    codes, spans = sorted(ord(c) for c in chars), []
    for code in codes:
        if spans and spans[-1][1] == code - 1:
            spans[-1][1] = code
        else:
            spans.append([code, code])
    return ",".join(f'"{a:X}' if a == b else f'"{a:X}-"{b:X}' for a, b in spans)


def lua_codes(chars: set[str]) -> str:
    return ",".join(f"[0x{ord(c):X}]=true" for c in sorted(chars))
