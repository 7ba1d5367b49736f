"""Which installed font draws each character of the book: a fallback chain per font role.

The book's faces are Noto CJK (serif for the body, sans for headings, mono for code). What
they lack goes, character by character, to the first installed font of the role's chain
that has it (coverage as zennbook.fonts read it from fontconfig):

    code:      monospace fonts first, then math and symbol fonts, then proportional ones
    body:      Noto Serif, math, symbols, DejaVu, ...     headings: Noto Sans, math, symbols, ...
    any role:  then any other installed font that has the character (none: a warning)

Emoji are not in the chains: the emoji font takes whole sequences (ZWJ, skin tones, flags,
keycaps, variation selectors), which zennbook.lua sets at LaTeX's node level. A character
goes to the emoji font when the emoji font has it and the role's face does not, or when the
text asks for emoji presentation (U+FE0F after it); U+FE0E asks for text, and gets a chain.

The result says, per role, which font supplies which characters, so that each font is cut
to exactly those (writers/fonts.py) and no two fonts of a chain compete for a character.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from ..fonts import InstalledFont, family_font, installed_fonts
from ..fonts import emoji_font as find_emoji_font

# Preferred fallbacks per chain, best first; installed ones are used, missing ones skipped.
FALLBACKS = {
    "serif": ("Noto Serif", "Noto Sans Math", "Noto Sans Symbols", "Noto Sans Symbols2", "DejaVu Serif",
              "DejaVu Sans", "Noto Sans", "STIX Two Math", "HanaMinA", "HanaMinB"),
    "sans": ("Noto Sans", "Noto Sans Math", "Noto Sans Symbols", "Noto Sans Symbols2", "DejaVu Sans",
             "STIX Two Math", "HanaMinA", "HanaMinB"),
    "mono": ("Noto Sans Mono", "DejaVu Sans Mono", "Noto Sans Math", "Noto Sans Symbols2", "Noto Sans Symbols",
             "DejaVu Sans", "Noto Sans", "STIX Two Math", "HanaMinA", "HanaMinB"),
}
CHAIN_FACE = {"serif": "serif", "sans": "sans", "mono": "mono"}   # the role face each chain extends
TEXT_SELECTOR, EMOJI_SELECTOR = "\ufe0e", "\ufe0f"
SELECTORS = frozenset(TEXT_SELECTOR + EMOJI_SELECTOR)
SKIN_TONES = frozenset(chr(c) for c in range(0x1F3FB, 0x1F400))


@dataclass
class Usage:
    """The characters a document sets, and how it asks for the emoji among them."""
    chars: set[str] = field(default_factory=set)
    as_emoji: set[str] = field(default_factory=set)     # followed by U+FE0F or a skin tone
    as_text: set[str] = field(default_factory=set)      # followed by U+FE0E

    def add(self, text: str) -> None:
        self.chars.update(text)
        for selector, target in ((EMOJI_SELECTOR, self.as_emoji), (TEXT_SELECTOR, self.as_text)):
            start = text.find(selector)
            while start > 0:
                target.add(text[start - 1])
                start = text.find(selector, start + 1)
        if self.chars & SKIN_TONES:
            self.as_emoji.update(text[i - 1] for i, ch in enumerate(text) if i and ch in SKIN_TONES)


@dataclass
class Chain:
    """The fonts after a role's face, each with the characters it supplies."""
    name: str
    fonts: list[tuple[InstalledFont, set[str]]] = field(default_factory=list)


@dataclass
class FontPlan:
    chains: dict[str, Chain]
    emoji_font: InstalledFont | None
    emoji: set[str]               # characters the emoji font is cut to
    not_japanese: set[str]        # characters luatexja must not set in the Japanese face
    uncovered: set[str]           # characters no installed font has


def plan_fonts(usage: Usage, faces: dict[str, InstalledFont]) -> FontPlan:
    """Each character to a font, per chain. `faces`: role -> the role's installed face."""
    emoji_font = find_emoji_font()
    drawn = {c for c in usage.chars if is_drawn(c)}
    emoji = {c for c in drawn if emoji_font and emoji_font.has(c)} | (SELECTORS & usage.chars)
    chains, uncovered = {}, set()
    for name, role in CHAIN_FACE.items():
        face = faces[role]
        wanted = sorted(c for c in drawn if not face.has(c) and not to_emoji(c, face, emoji_font, usage))
        chains[name], missing = resolve_chain(name, wanted)
        uncovered |= missing
    japanese = faces["serif"]
    not_japanese = {c for c in drawn if ord(c) > 0x7F and (not japanese.has(c) or c in usage.as_emoji
                                                           or to_emoji(c, japanese, emoji_font, usage))}
    return FontPlan(chains, emoji_font, emoji if emoji_font else set(), not_japanese, uncovered)


def is_drawn(char: str) -> bool:
    """A character a font must draw: not a control, not a variation selector (zennbook.lua
    takes those into an emoji sequence or drops them)."""
    return char not in SELECTORS and unicodedata.category(char) not in ("Cc", "Cs")


def to_emoji(char: str, face: InstalledFont, emoji_font: InstalledFont | None, usage: Usage) -> bool:
    """zennbook.lua's rule: the emoji font sets a character it has that the face lacks, or
    one the text asks to see as emoji; never ASCII, never one asked to be text."""
    if emoji_font is None or ord(char) < 0x80 or char in usage.as_text or not emoji_font.has(char):
        return False
    return not face.has(char) or char in usage.as_emoji


def resolve_chain(name: str, wanted: list[str]) -> tuple[Chain, set[str]]:
    candidates = chain_candidates(name)
    supplies: dict[InstalledFont, set[str]] = {}
    missing = set()
    for char in wanted:
        font = next((f for f in candidates if f.has(char)), None)
        if font is None:
            missing.add(char)
        else:
            supplies.setdefault(font, set()).add(char)
    chain = Chain(name, [(f, supplies[f]) for f in candidates if f in supplies])
    return chain, missing


def chain_candidates(name: str) -> list[InstalledFont]:
    """The preferred fonts in order, then every other text font (monospace first for code,
    regular before other styles)."""
    preferred = [f for f in (family_font(family) for family in FALLBACKS[name]) if f is not None]
    others = [f for f in installed_fonts() if not f.color and f not in preferred]
    others.sort(key=lambda f: (name == "mono" and not f.mono, f.style not in ("Regular", "Book")))
    return preferred + others
