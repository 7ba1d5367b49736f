"""A Unicode stress book, generated: whole blocks that technical Japanese writing uses.

Each block becomes one article, and every one of its units (a character, or an emoji
sequence) is set in five places: a heading, body text, a table cell, inline code and a code
block. The units come from `unicodedata` (assigned, printable code points of each block; a
fixed stride through the CJK extensions) and from Unicode's emoji test list, every
fully-qualified sequence (`/usr/share/unicode/emoji/emoji-test.txt`, Debian's unicode-data:
the Unicode version Debian's Noto Color Emoji is made for).

    python -m tests.unicode.stress DIR       writes DIR/book.yaml and DIR/articles/*.md
"""
from __future__ import annotations

import sys
import textwrap
import unicodedata
from dataclasses import dataclass
from pathlib import Path

EMOJI_TEST = Path("/usr/share/unicode/emoji/emoji-test.txt")
# (slug, name, first, last, stride): stride samples the large CJK blocks evenly
BLOCKS = (
    ("01-greek", "Greek and Coptic", 0x0370, 0x03FF, 1),
    ("02-combining", "Combining Diacritical Marks", 0x0300, 0x036F, 1),
    ("03-supsub", "Superscripts and Subscripts", 0x2070, 0x209F, 1),
    ("04-letterlike", "Letterlike Symbols", 0x2100, 0x214F, 1),
    ("05-arrows", "Arrows", 0x2190, 0x21FF, 1),
    ("06-operators", "Mathematical Operators", 0x2200, 0x22FF, 1),
    ("07-box", "Box Drawing", 0x2500, 0x257F, 1),
    ("08-block", "Block Elements", 0x2580, 0x259F, 1),
    ("09-geometric", "Geometric Shapes", 0x25A0, 0x25FF, 1),
    ("10-misc-symbols", "Miscellaneous Symbols", 0x2600, 0x26FF, 1),
    ("11-dingbats", "Dingbats", 0x2700, 0x27BF, 1),
    ("12-math-alnum", "Mathematical Alphanumeric Symbols", 0x1D400, 0x1D7FF, 1),
    ("13-cjk-ext-a", "CJK Unified Ideographs Extension A", 0x3400, 0x4DBF, 97),
    ("14-cjk-ext-b", "CJK Unified Ideographs Extension B", 0x20000, 0x2A6DF, 661),
    ("15-halfwidth-kana", "Halfwidth Katakana", 0xFF61, 0xFF9F, 1),
)
EMOJI_SLUG = "16-emoji"
PRINTABLE = ("L", "M", "N", "P", "S")
COMBINING_BASE = "\u25cc"        # ◌, the base Unicode's charts show combining marks on
PER_LINE = 24                    # units per heading, table row and code line
MARKER = "ZBSTART"               # the paragraph that opens each article (never in the TOC)
BOOK_YAML = textwrap.dedent("""\
    title: Unicode stress book
    slug: unicode-stress
    license:
      id: CC-BY-4.0
      url: https://creativecommons.org/licenses/by/4.0/
      holder: zennbook tests
      year: 2026
      notice: Generated test text.
      short: CC BY 4.0 zennbook tests
    """)


@dataclass
class Block:
    slug: str
    name: str
    units: list[str]


def block_units(first: int, last: int, stride: int) -> list[str]:
    """The block's assigned, printable characters; a combining mark on ◌."""
    units = []
    for code in range(first, last + 1, stride):
        char = chr(code)
        category = unicodedata.category(char)
        if category[0] not in PRINTABLE:
            continue
        unit = unicodedata.normalize("NFC", COMBINING_BASE + char if category[0] == "M" else char)
        if unit not in units:       # text reaches the writers in NFC (a few compose to others)
            units.append(unit)
    return units


def emoji_sequences(path: Path = EMOJI_TEST) -> list[str]:
    """Every fully-qualified sequence of Unicode's emoji test list."""
    sequences = []
    for line in path.read_text(encoding="utf-8").splitlines():
        fields, _, comment = line.partition("#")
        codes, _, status = fields.partition(";")
        if status.strip() == "fully-qualified":
            sequences.append("".join(chr(int(c, 16)) for c in codes.split()))
    return sequences


def blocks(emoji: bool = True) -> list[Block]:
    found = [Block(slug, name, block_units(first, last, stride)) for slug, name, first, last, stride in BLOCKS]
    if emoji and EMOJI_TEST.exists():
        found.append(Block(EMOJI_SLUG, "Emoji (fully-qualified sequences)", emoji_sequences()))
    return found


def is_emoji_block(block: Block) -> bool:
    return block.slug == EMOJI_SLUG


def lines_of(units: list[str]) -> list[list[str]]:
    return [units[i:i + PER_LINE] for i in range(0, len(units), PER_LINE)]


def markdown_text(units: list[str]) -> str:
    """Units for Markdown text: spaced, with the ASCII of keycaps (#, *) escaped."""
    return " ".join(u.replace("*", "\\*").replace("#", "\\#") if u[0] in "#*" else u for u in units)


def article(block: Block) -> str:
    """The block's units in headings, body text, a table, inline code and a code block: a
    marker paragraph first, then each line of units as a heading and as a paragraph."""
    rows = lines_of(block.units)
    parts = [f"---\ntitle: \"{block.name}\"\n---\n", f"{MARKER}{block.slug}\n"]
    for row in rows:
        parts += [f"## {markdown_text(row)}\n", f"{markdown_text(row)}\n"]
    parts.append("| 行 | 文字 |\n|---|---|\n" + "".join(f"| {n} | {markdown_text(row)} |\n"
                                                       for n, row in enumerate(rows, start=1)))
    parts.append("\n".join(f"`{' '.join(row)}`" for row in rows) + "\n")
    parts.append("```text\n" + "\n".join(" ".join(row) for row in rows) + "\n```\n")
    return "\n".join(parts)


def expected_runs(block: Block) -> list[list[str]]:
    """The units in the order a reader meets them: per line heading then paragraph; then the
    table's rows, the inline code, the code block."""
    rows = lines_of(block.units)
    return [unit for row in rows for unit in (row, row)] + rows + rows + rows


def write_book(folder: Path, emoji: bool = True) -> list[Block]:
    """The stress book in `folder`: book.yaml and one article per block."""
    found = blocks(emoji)
    (folder / "articles").mkdir(parents=True, exist_ok=True)
    (folder / "book.yaml").write_text(BOOK_YAML, encoding="utf-8")
    for block in found:
        (folder / "articles" / f"{block.slug}.md").write_text(article(block), encoding="utf-8")
    return found


if __name__ == "__main__":
    made = write_book(Path(sys.argv[1]))
    print(sum(len(b.units) for b in made), "units in", len(made), "articles")
