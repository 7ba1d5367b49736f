"""The Unicode stress book (tests/unicode/stress.py) built in all three formats.

Every character of whole blocks (Greek, letterlike symbols, mathematical alphanumerics,
arrows, operators, box drawing, block elements, geometric shapes, miscellaneous symbols,
dingbats, super- and subscripts, combining marks, samples of CJK Extensions A and B,
half-width katakana) and every fully-qualified emoji sequence, each in a heading, body text,
a table cell, inline code and a code block:

- the build reports no missing glyph and its own verify passes, in all three formats;
- pdftotext gives every unit back, in reading order: the order of the page's content
  (`-raw`; the default mode guesses columns and puts a heading's lone last line first), the
  running heads and feet left out (they repeat a section's title). What extraction
  normalizes: white space (TeX's spaces are gaps, which pdftotext guesses) and
  default-ignorable characters outside emoji (U+034F COMBINING GRAPHEME JOINER has no ink,
  so nothing to extract; inside an emoji sequence U+200D and U+FE0F are kept, by the
  sequence's ActualText);
- every font is embedded and none is Type 3 (the colour emoji are images with text on them).
"""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import REPO, needs
from tests.unicode import stress

pytestmark = needs("lualatex", "pdftotext", "pdffonts")

IGNORABLE = re.compile("[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
                       "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]")
TIMEOUT_S = 1800


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("stress")
    blocks = stress.write_book(root / "book")
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--book", str(root / "book" / "book.yaml"),
                           "--out", str(root / "out")], cwd=root, capture_output=True, text=True,
                          timeout=TIMEOUT_S)
    return blocks, proc, root / "out"


def test_the_book_tries_every_block_and_every_emoji_sequence(built):
    blocks, _, _ = built
    units = {b.slug: len(b.units) for b in blocks}
    assert units["12-math-alnum"] > 990 and units["10-misc-symbols"] == 256
    assert units.get(stress.EMOJI_SLUG, 0) > 3000, "no emoji test list (Debian's unicode-data)"


def test_no_glyph_is_missing_and_verify_passes(built):
    _, proc, _ = built
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert "[glyph.missing]" not in proc.stderr, "\n".join(
        line for line in proc.stderr.splitlines() if "glyph.missing" in line)[:3000]
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = proc.stdout + proc.stderr
    for fmt in ("pdf", "epub", "html"):
        assert re.search(rf"^{fmt}\s+100\.00%", report, re.M), report[-3000:]
    assert "verify: ok" in report


def reader_order_misses(text: str, block) -> list[str]:
    """The units of `block` that pdftotext did not give back in reading order."""
    flat = re.sub(r"\s+", "", text)
    cursor = flat.find(stress.MARKER + block.slug)
    assert cursor >= 0, f"{block.slug}: its opening paragraph is not in the PDF's text"
    misses = []
    for run in stress.expected_runs(block):
        for unit in run:
            wanted = unit if stress.is_emoji_block(block) else IGNORABLE.sub("", unit)
            found = flat.find(wanted, cursor)
            if found < 0 or found - cursor > 4 * len(wanted) + 64:      # only table numbers between
                misses.append(unit)
            else:
                cursor = found + len(wanted)
    return misses


def body_text(pdf) -> str:
    """pdftotext -raw of the text block of every page: no running head, page number or
    license line (B5: the head ends at 11% of the page, the body at 87%)."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    crop = ["-x", "0", "-y", str(int(0.12 * height)), "-W", str(int(width)), "-H", str(int(0.76 * height))]
    return subprocess.run(["pdftotext", "-raw", *crop, "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def test_pdftotext_gives_every_unit_back_in_reading_order(built):
    blocks, _, out = built
    text = body_text(out / "unicode-stress.pdf")
    misses = {b.slug: reader_order_misses(text, b) for b in blocks}
    report = {slug: [f"U+{'+'.join(f'{ord(c):04X}' for c in u)} {u}" for u in found[:8]]
              for slug, found in misses.items() if found}
    assert not report, report


def test_every_font_is_embedded_and_none_is_type3(built):
    _, _, out = built
    listing = subprocess.run(["pdffonts", str(out / "unicode-stress.pdf")], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    assert listing and not [line for line in listing if "Type 3" in line]
    assert all(line.split()[-5] == "yes" for line in listing), "\n".join(listing)


TOFU_JS = """([units, families, missing]) => {
  const canvas = document.createElement('canvas');
  canvas.width = 96; canvas.height = 64;
  const g = canvas.getContext('2d', {willReadFrequently: true});
  const draw = (text, family) => {
    g.clearRect(0, 0, 96, 64); g.font = `40px ${family}`; g.fillText(text, 8, 48);
    return g.getImageData(0, 0, 96, 64).data.join(',');
  };
  const bad = [];
  for (const family of families) {
    const tofu = draw(missing, family);
    for (const unit of units) if (draw(unit, family) === tofu) bad.push(family.slice(0, 20) + ' ' + unit);
  }
  return bad;
}"""


@needs("chromium")
def test_the_html_page_draws_every_unit_in_its_own_fonts(built):
    """Each unit drawn with the page's own font chains (body text, code) in Debian's Chromium
    looks different from a character no installed font has (which is the missing-glyph box)."""
    from playwright.sync_api import sync_playwright

    from tests.unicode.glyphs import character_no_font_has
    from tests.writers.html.browser import launch, open_page
    blocks, _, out = built
    units = [u for b in blocks for u in b.units if not IGNORABLE.fullmatch(u[-1])]
    with sync_playwright() as playwright:
        browser = launch(playwright)
        watched = open_page(browser, out / "unicode-stress.html")
        families = watched.page.evaluate("""() => [getComputedStyle(document.body).fontFamily,
                                                   getComputedStyle(document.querySelector('pre code')).fontFamily]""")
        tofu = watched.page.evaluate(TOFU_JS, [units, families, character_no_font_has()])
        browser.close()
    assert not tofu, tofu[:20]
