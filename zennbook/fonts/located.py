"""Every font fontconfig knows, from one `fc-list` call per process, and the questions the
writers ask of it. The listing is remembered only once it is not empty: a test may hide
fc-list for a while, and what it then finds must not stay with the process."""
from __future__ import annotations

import bisect
import functools
import subprocess
from dataclasses import dataclass
from pathlib import Path

EMOJI_FAMILY = "Noto Color Emoji"
LOADABLE = (".ttf", ".otf", ".ttc", ".otc")       # what LuaTeX, HarfBuzz and Pillow open
FIELDS = ("%{file}", "%{index}", "%{family}", "%{style}", "%{spacing}", "%{color}", "%{charset}")
FORMAT = "|".join(FIELDS) + "\n"


@dataclass(frozen=True)
class InstalledFont:
    """One face fontconfig lists, with the code points it covers as sorted ranges."""
    path: Path
    index: int
    families: tuple[str, ...]        # the first is the family's own name, others translations
    styles: tuple[str, ...]
    mono: bool
    color: bool
    starts: tuple[int, ...]
    stops: tuple[int, ...]

    @property
    def family(self) -> str:
        return self.families[0]

    @property
    def style(self) -> str:
        return self.styles[0]

    @property
    def loadable(self) -> bool:
        return self.path.suffix.lower() in LOADABLE

    def has(self, char: str) -> bool:
        code = ord(char)
        at = bisect.bisect_right(self.starts, code) - 1
        return at >= 0 and code <= self.stops[at]


def listing() -> tuple[InstalledFont, ...]:
    """Every face fontconfig lists (Type 1 and bitmap fonts too), in a stable order."""
    found = read_fontconfig()
    if not found:
        read_fontconfig.cache_clear()
    return found


@functools.cache
def read_fontconfig() -> tuple[InstalledFont, ...]:
    try:
        out = subprocess.run(["fc-list", "-f", FORMAT], capture_output=True, text=True, timeout=60,
                             check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ()
    found = (parse_font_line(line) for line in out.splitlines())
    # a stable order: fc-list's own varies between runs
    return tuple(sorted((f for f in found if f), key=lambda f: (f.family, f.style, str(f.path), f.index)))


def parse_font_line(line: str) -> InstalledFont | None:
    parts = line.split("|")
    if len(parts) != len(FIELDS) or not parts[0]:
        return None
    path, index, families, styles, spacing, color, charset = parts
    starts, stops = [], []
    for item in charset.split():
        first, _, last = item.partition("-")
        starts.append(int(first, 16))
        stops.append(int(last or first, 16))
    return InstalledFont(Path(path), int(index or 0), tuple(families.split(",")), tuple(styles.split(",")),
                         spacing in ("90", "100"), color == "True", tuple(starts), tuple(stops))


def installed_fonts() -> list[InstalledFont]:
    """The faces a font loader can open (OpenType and TrueType files and collections)."""
    return [f for f in listing() if f.loadable]


def face(family: str, style: str = "Regular") -> InstalledFont | None:
    """The face of `family` (any of its names, as fc-list matches) whose styles include `style`."""
    return next((f for f in installed_fonts() if family in f.families and style in f.styles), None)


def family_font(family: str) -> InstalledFont | None:
    """The family's regular face (or its first one)."""
    faces = [f for f in installed_fonts() if f.family == family]
    return next((f for f in faces if f.style in ("Regular", "Book")), faces[0] if faces else None)


def font_at(path: Path, index: int) -> InstalledFont | None:
    return next((f for f in installed_fonts() if f.path == path and f.index == index), None)


def covering(char: str) -> list[InstalledFont]:
    """The faces that have `char`."""
    return [f for f in installed_fonts() if f.has(char)]


def emoji_font() -> InstalledFont | None:
    """The colour emoji face (Noto Color Emoji), if installed."""
    return next((f for f in installed_fonts() if f.family == EMOJI_FAMILY and f.color), None)


def font_files() -> list[str]:
    """Every font file fontconfig lists, sorted, once each."""
    return sorted({str(f.path) for f in listing()})
