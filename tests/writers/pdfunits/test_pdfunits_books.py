"""The unit-built PDF is the book the monolithic LaTeX writer makes.

One module-wide scenario on a copy of the sample book (5 chapters, 2 parts): a cold unit
build (chapters batched into one job per core), then an edit that adds pages to the last
chapter of part I (so part II moves, and lands on the other parity when the page count
changes by an odd number), an incremental build, and the monolithic build of the edited
book (`latex.write_pdf`, two or three LuaLaTeX passes). Both PDFs are compared as a reader
sees them: page count, page labels, the text of every page (the table of contents, running
heads, page numbers and license line included), the outline with its pages, the links and
where they lead, the metadata, and every page rendered to pixels. Then a no-change build
must compile nothing and write the same bytes.
"""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO, needs
from zennbook.config import load_book
from zennbook.diagnostics import Diagnostics
from zennbook.pipeline import BuildContext, prepare
from zennbook.verify import squash
from zennbook.writers import latex
from tests.writers.pdfunits.facts import book_facts, differences
from zennbook.writers.pdf import UnitBuild, build_pdf_units, workers_for

pytestmark = needs("lualatex", "pdftotext")

EPOCH = 1767225600                       # 2026-01-01T00:00:00Z
EDITED = "03-boxes-and-cards"            # the last chapter of part I
ADDED = "\n## 追記：長い節\n\n" + "\n\n".join(
    f"{n}番目の段落です。本を単位ごとに組むと、一つの記事を直したときに、その章だけを組み直せば済みます。"
    "ページ数が変われば後ろの章のページ番号と目次が変わり、部の扉が奇数ページに来るよう白ページが入ったり消えたりします。"
    for n in range(1, 19)) + "\n"


@dataclass
class Scenario:
    folder: Path
    cold: UnitBuild
    warm: UnitBuild
    again: UnitBuild
    cold_pages: int
    units_pdf: Path
    again_pdf: Path
    mono_pdf: Path
    book: object


def load(folder: Path):
    diagnostics = Diagnostics()
    book = load_book(folder / "book.yaml", None, diagnostics, cwd=folder)
    context = BuildContext(diagnostics=diagnostics, epoch=EPOCH, cache_dir=folder / ".cache")
    return book, prepare(book, context), context


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Scenario:
    folder = tmp_path_factory.mktemp("unitbook")
    for name in ("articles", "images"):
        shutil.copytree(REPO / name, folder / name)
    for name in ("book.yaml", "cards.yaml"):
        shutil.copyfile(REPO / name, folder / name)
    book, articles, context = load(folder)
    cold = build_pdf_units(book, articles, folder / "cold.pdf", context)
    cold_pages = len(book_facts(folder / "cold.pdf").text)

    article = folder / "articles" / f"{EDITED}.md"
    article.write_text(article.read_text(encoding="utf-8") + ADDED, encoding="utf-8")
    book, articles, context = load(folder)
    warm = build_pdf_units(book, articles, folder / "units.pdf", context)
    mono_context = BuildContext(diagnostics=Diagnostics(), epoch=EPOCH, cache_dir=folder / ".cache")
    latex.write_pdf(book, articles, folder / "mono.pdf", mono_context)

    book, articles, context = load(folder)
    again = build_pdf_units(book, articles, folder / "again.pdf", context)
    return Scenario(folder, cold, warm, again, cold_pages, folder / "units.pdf", folder / "again.pdf",
                    folder / "mono.pdf", book)


def test_the_edited_book_is_the_monolithic_book(scenario):
    units, mono = book_facts(scenario.units_pdf), book_facts(scenario.mono_pdf)
    assert differences(units, mono) == []
    assert scenario.warm.unit_pages[EDITED] > scenario.cold.unit_pages[EDITED]    # the edit added pages
    assert len(units.outline) >= 2 + len(scenario.book.chapter_slugs)   # parts, chapters, sections
    assert any(link[1] == "goto" for page in units.links for link in page)   # internal links kept


@needs("pdftoppm")
def test_every_page_renders_to_the_same_pixels(scenario, tmp_path):
    """Stronger than text: the stamps sit exactly where the monolithic heads and feet are,
    and the chapters' pages are set exactly as in the monolithic document."""
    from PIL import Image, ImageChops
    for name, pdf in (("u", scenario.units_pdf), ("m", scenario.mono_pdf)):
        subprocess.run(["pdftoppm", "-r", "40", str(pdf), str(tmp_path / name)], check=True, timeout=600)
    units, mono = sorted(tmp_path.glob("u-*")), sorted(tmp_path.glob("m-*"))
    assert len(units) == len(mono) > 20
    different = [a.name for a, b in zip(units, mono)
                 if ImageChops.difference(Image.open(a), Image.open(b)).getbbox() is not None]
    assert different == []


def test_every_page_carries_the_license_line_and_main_pages_their_number(scenario):
    facts = book_facts(scenario.units_pdf)
    short = squash(scenario.book.license.short)
    assert all(squash(text).endswith(short) for text in facts.text)
    first_main = facts.labels.index("1")
    numbered = 0
    for label, text in zip(facts.labels[first_main:], facts.text[first_main:]):
        assert label.isdigit()
        if squash(text).endswith(squash(label) + short):
            numbered += 1
        else:       # a part's title page, or the empty page jlreq puts before it: no head, no number
            assert squash(text) == short or (text.startswith("第") and "部" in text[:6]), (label, text[:80])
    assert numbered >= len(facts.labels[first_main:]) - 2 * 2


def test_a_cold_build_compiles_every_chapter_in_one_job_per_core(scenario):
    cold = scenario.cold
    unit_jobs = [job for job in cold.jobs if job[0] == "units"]
    assert cold.units_compiled >= cold.units == len(scenario.book.chapter_slugs)
    assert len(unit_jobs) >= min(2, workers_for(BuildContext(diagnostics=Diagnostics())))
    assert cold.front_compiled and cold.stamps_compiled == cold.stamps


def test_the_edit_recompiled_the_chapter_and_what_moved_only(scenario):
    warm = scenario.warm
    recompiled = {job[1] for job in warm.jobs if job[0] == "units"}
    assert EDITED in recompiled
    assert recompiled <= {EDITED, "04-diagrams-and-media"}      # part II's unit, if its parity flipped
    parity_flipped = (warm.unit_pages[EDITED] - scenario.cold.unit_pages[EDITED]) % 2 == 1
    assert ("04-diagrams-and-media" in recompiled) == parity_flipped
    assert warm.front_compiled                                  # page numbers in the TOC moved
    assert warm.stamps_compiled < warm.stamps                   # most heads and feet were reused


def test_a_rebuild_without_changes_compiles_nothing_and_writes_the_same_bytes(scenario):
    again = scenario.again
    assert (again.units_compiled, again.stamps_compiled, again.front_compiled) == (0, 0, False)
    assert again.jobs == []
    assert scenario.again_pdf.read_bytes() == scenario.units_pdf.read_bytes()
