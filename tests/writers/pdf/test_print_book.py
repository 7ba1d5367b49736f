"""The print set of a small book, built once for the module (LuaLaTeX): a 4-chapter, 2-part
book with the kdp-6x9 preset and `volume_pages: 40`, built by the runner as a release would
(`slug-1.2.3.pdf`); then its volumes, covers, per-chapter PDFs and preflight are read as a
printer and a reader would. A second build of the same book with a smaller limit finds a
chapter too long for any volume (its units come from the cache).
"""
from __future__ import annotations

import dataclasses
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from tests.conftest import needs
from zennbook.config import load_book
from zennbook.diagnostics import Code, Diagnostics, Level
from zennbook.pipeline import BuildContext, Options, build
from zennbook.release import chapter_pdfs, print_set
from zennbook.verify import squash
from zennbook.writers.pdf.chapters import chapter_ranges
from zennbook.writers.pdf.presets import PRESETS, PT_PER_MM
from zennbook.writers.pdf.printcover import cover_geometry
from zennbook.writers.pdf.printset import write_print_book

pytestmark = needs("lualatex", "pdftotext")

EPOCH = 1767225600
VERSION = "1.2.3"
LIMIT = 40
SIZES = {"a-one": 30, "b-two": 80, "c-three": 40, "d-four": 48}      # paragraphs: about 4 a page
TITLES = {"a-one": "一つ目の章", "b-two": "二つ目の章", "c-three": "三つ目の章", "d-four": "四つ目の章"}
LICENSE_SHORT = "CC BY 4.0 · © 2026 zennbook tests"
BOOK_YAML = f"""title: 印刷テスト本
slug: print-test
author: zennbook tests
version: {VERSION}
articles: articles
license:
  id: CC-BY-4.0
  url: https://creativecommons.org/licenses/by/4.0/
  holder: zennbook tests
  year: 2026
  notice: |
    この本は CC BY 4.0 の下で提供されます。
  short: "{LICENSE_SHORT}"
parts:
  - title: 前編
    chapters: [a-one, b-two]
  - title: 後編
    chapters: [c-three, d-four]
pdf:
  preset: kdp-6x9
  volume_pages: {LIMIT}
"""


def article(number: int, slug: str) -> str:
    body = "\n\n".join(f"第{number}章の{n}番目の段落です。" + "本を巻に分けるとき、部の切れ目で分けられるならそこで分け、"
                       "各巻の厚さはなるべく揃えます。" * 5 for n in range(1, SIZES[slug] + 1))
    image = "\n\n![小さな図](/images/small.png)\n" if slug == "c-three" else ""
    return (f"---\ntitle: \"{TITLES[slug]}\"\nemoji: \"📘\"\n---\n\n## はじめ{number}\n\n"
            f"[終わりの節へ](#owari{number})\n{image}\n{body}\n\n## owari{number}\n\n終わりの節です。\n")


@dataclass
class Built:
    folder: Path
    out: Path
    book: object
    articles: list
    result: object
    chapters: list[Path]
    volumes: list[Path]
    covers: list[Path]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    folder = tmp_path_factory.mktemp("printbook")
    (folder / "articles").mkdir()
    (folder / "images").mkdir()
    Image.new("RGB", (120, 90), (200, 60, 60)).save(folder / "images" / "small.png")
    for number, slug in enumerate(SIZES, start=1):
        (folder / "articles" / f"{slug}.md").write_text(article(number, slug), encoding="utf-8")
    (folder / "book.yaml").write_text(BOOK_YAML, encoding="utf-8")
    diagnostics = Diagnostics()
    book = load_book(folder / "book.yaml", None, diagnostics, cwd=folder)
    out = folder / "out"
    result = build(book, Options(formats=("pdf",), out_dir=out, version=VERSION, epoch=EPOCH,
                                 cache_dir=folder / ".cache"), diagnostics)
    written = dict(result.written)
    extra = print_set(book, VERSION, out, written)
    chapters = chapter_pdfs(out, written)
    volumes = [p for k, p in sorted(extra.items()) if re.fullmatch(r"pdf-vol\d+", k)]
    covers = [p for k, p in sorted(extra.items()) if k.endswith("-cover")]
    return Built(folder, out, book, result.articles, result, chapters, volumes, covers)


def pages_text(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[:-1]


def test_the_release_names_the_volumes_and_covers(built):
    assert [p.name for p in built.volumes] == ["print-test-1.2.3-vol1.pdf", "print-test-1.2.3-vol2.pdf"]
    assert [p.name for p in built.covers] == ["print-test-1.2.3-vol1-cover.pdf", "print-test-1.2.3-vol2-cover.pdf"]
    assert (built.out / "print-test-1.2.3.pdf").exists()


def test_every_chapter_is_in_exactly_one_volume_each_within_the_limit(built):
    found = []
    for volume in built.volumes:
        with pikepdf.open(volume) as pdf:
            found += [slug for slug, _, _ in chapter_ranges(pdf)]
            assert len(pdf.pages) <= LIMIT
    assert found == list(SIZES)
    # split at the part boundary: 前編 in volume 1, 後編 in volume 2
    assert "後編" not in "".join(pages_text(built.volumes[0])[4:])


def test_each_volume_is_a_complete_book(built):
    for number, volume in enumerate(built.volumes, start=1):
        pages = pages_text(volume)
        squashed = [squash(p) for p in pages]
        assert "印刷テスト本" in squashed[0] and f"第{number}巻" in squashed[0] and "全2巻" in squashed[0]
        assert any("著作権・ライセンス" in p and squash("この本は CC BY 4.0 の下で提供されます。") in p for p in squashed[:4])
        assert any("目次" in p for p in squashed[:6])
        assert all(squash(LICENSE_SHORT) in p for p in squashed), "the license line on every page"


def test_volumes_keep_chapter_numbers_and_restart_page_numbers(built):
    squashed = [squash(p) for p in pages_text(built.volumes[1])]
    assert "第3章" in squashed[0] and "第4章" in squashed[0]
    with pikepdf.open(built.volumes[1]) as pdf:
        labels = list(pdf.Root.PageLabels.Nums)
        start = chapter_ranges(pdf)[0][1]
        assert int(labels[-2]) == start and "/St" not in labels[-1]     # arabic from 1 at the first chapter
    assert any(re.search(r"\b第\s*3\s*章", p) for p in pages_text(built.volumes[1])[start:start + 3])


def test_the_volumes_reuse_the_books_chapter_units(built):
    out = built.folder / "again"
    context = BuildContext(diagnostics=Diagnostics(), epoch=EPOCH, cache_dir=built.folder / ".cache")
    out.mkdir()
    made = write_print_book(built.book, built.articles, out / "print-test.pdf", context)
    assert made.book.units_compiled == 0
    assert [b.units_compiled for _, b in made.volumes] == [0, 0]
    assert [b.pages for _, b in made.volumes] == [len(pikepdf.open(p).pages) for p in built.volumes]


def test_the_presets_boxes_on_every_page(built):
    preset = PRESETS["kdp-6x9"]
    trim_w, trim_h = (v * PT_PER_MM for v in preset.trim_mm)
    bleed = preset.bleed_mm * PT_PER_MM
    for path in [built.out / "print-test-1.2.3.pdf", *built.volumes]:
        with pikepdf.open(path) as pdf:
            for index, page in enumerate(pdf.pages):
                trim = [float(v) for v in page.obj.TrimBox]
                box = [float(v) for v in page.obj.BleedBox]
                media = [float(v) for v in page.mediabox]
                assert trim[2] - trim[0] == pytest.approx(trim_w, abs=0.01)
                assert trim[3] - trim[1] == pytest.approx(trim_h, abs=0.01)
                assert box[3] - box[1] == pytest.approx(trim_h + 2 * bleed, abs=0.01)
                assert box[2] - box[0] == pytest.approx(trim_w + bleed, abs=0.01)      # no bleed at the spine
                spine = trim[0] if index % 2 == 0 else trim[2]
                assert spine in (box[0], box[2]), f"{path.name} page {index + 1}: spine side bleeds"
                assert media == box                                                 # 6.125 x 9.25 in


def test_a_cover_per_volume_with_the_spine_of_its_page_count(built):
    for volume, cover in zip(built.volumes, built.covers):
        pages = len(pikepdf.open(volume).pages)
        expected = cover_geometry("kdp-6x9", pages, "white")
        with pikepdf.open(cover) as pdf:
            width = float(pdf.pages[0].mediabox[2])
            assert width == pytest.approx((12.25 + pages * 0.002252) * 72, abs=0.01)
            assert width == pytest.approx(expected.size_in[0] * 72, abs=0.01)
        assert not expected.spine_text                     # 40 pages: too thin for spine text (KDP)


def test_each_chapter_pdf_is_the_books_pages_for_it(built):
    book_pdf = built.out / "print-test-1.2.3.pdf"
    book_pages = pages_text(book_pdf)
    with pikepdf.open(book_pdf) as pdf:
        ranges = chapter_ranges(pdf)
    assert [p.name for p in built.chapters] == [f"{n:02d}-{s}.pdf" for n, s in enumerate(SIZES, start=1)]
    for path, (slug, start, end) in zip(built.chapters, ranges):
        assert pages_text(path) == book_pages[start:end], slug
        with pikepdf.open(path) as chapter:
            assert int(chapter.Root.PageLabels.Nums[1].St) == start - chapter_main_start(book_pdf) + 1
            with chapter.open_outline() as outline:
                assert any(TITLES[slug] in item.title for item in walk(outline.root))


def chapter_main_start(path: Path) -> int:
    with pikepdf.open(path) as pdf:
        return int(list(pdf.Root.PageLabels.Nums)[-2])


def walk(items):
    for item in items:
        yield item
        yield from walk(item.children)


def test_links_inside_a_chapter_pdf_lead_to_its_own_pages(built):
    seen = 0
    for path in built.chapters:
        with pikepdf.open(path) as pdf:
            own = {page.objgen for page in pdf.pages}
            for page in pdf.pages:
                for annot in page.obj.get("/Annots", []):
                    dest = annot.get("/Dest")
                    if dest is None and annot.get("/A") is not None and annot.A.get("/S") == "/GoTo":
                        dest = annot.A.D
                    if dest is not None:
                        assert isinstance(dest, pikepdf.Array) and dest[0].objgen in own
                        seen += 1
    assert seen >= len(SIZES)             # each chapter's link to its last section at least


def test_preflight_passes_the_print_set_and_warns_of_the_small_image(built):
    findings = [d for d in built.result.diagnostics.items if d.code in (Code.PRINT_PREFLIGHT, Code.PRINT_IMAGE_DPI)]
    assert not [d for d in findings if d.level >= Level.ERROR], findings
    low = [d for d in findings if d.code == Code.PRINT_IMAGE_DPI]
    assert low and all(d.path.endswith("c-three.md") for d in low)
    assert all(d.message.startswith("small.png prints at ") and "(120x90 px)" in d.message for d in low), low
    assert all(d.line == 11 for d in low), [d.line for d in low]     # the line of ![小さな図](/images/small.png)
    assert built.result.verified == {"pdf": True}


def test_preflight_finds_a_page_without_its_boxes(built, tmp_path):
    from zennbook.writers.pdf.preflight import preflight
    broken = tmp_path / "print-test.pdf"
    with pikepdf.open(built.volumes[0]) as pdf:
        del pdf.pages[3].obj["/TrimBox"]
        pdf.save(broken)
    errors = [d for d in preflight(built.book, [broken], {}).findings() if d.level >= Level.ERROR]
    assert [d.message for d in errors] == ["page 4: no TrimBox or BleedBox"]


def test_preflight_finds_a_volume_page_without_the_license_line(built, tmp_path):
    from zennbook.writers.pdf.preflight import preflight
    other = dataclasses.replace(built.book.license, short="CC BY 4.0 · another holder")
    book = dataclasses.replace(built.book, license=other)
    errors = [d.message for d in preflight(book, [built.volumes[1]], {}).findings() if d.level >= Level.ERROR]
    pages = len(pikepdf.open(built.volumes[1]).pages)
    assert errors == [f"license line missing on {pages} of {pages} pages: " + ", ".join(map(str, range(1, 11)))]


def test_a_chapter_longer_than_a_volume_is_an_error_naming_it(built, tmp_path):
    book = dataclasses.replace(built.book, pdf=dataclasses.replace(built.book.pdf, volume_pages=24))
    context = BuildContext(diagnostics=Diagnostics(), epoch=EPOCH, cache_dir=built.folder / ".cache")
    made = write_print_book(book, built.articles, tmp_path / "print-test.pdf", context)
    errors = [d for d in context.diagnostics.items if d.code == Code.PRINT_CHAPTER_TOO_LONG]
    assert [Path(d.path).name for d in errors] == ["b-two.md"] and "24" in errors[0].message
    assert made.volumes == [] and not list(tmp_path.glob("*-vol*.pdf"))
    assert (tmp_path / "print-test.pdf").exists()


def test_the_license_line_is_the_lowest_line_inside_the_trim(built):
    """The foot's license line is drawn for jlreq-trimmarks' page (an inch around the trim):
    cut down to the bleed, the page still has it under the text and the page number."""
    words = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">|<word xMin="([\d.]+)" yMin="([\d.]+)" '
                       r'xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
    bbox = subprocess.run(["pdftotext", "-bbox", str(built.volumes[0]), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages: list[list] = []
    for match in words.finditer(bbox):
        if match.group(1):
            pages.append([])
        else:
            pages[-1].append((float(match.group(4)), float(match.group(6)), match.group(7)))
    with pikepdf.open(built.volumes[0]) as pdf:
        for number, (page, found) in enumerate(zip(pdf.pages, pages), start=1):
            trim_bottom = float(page.mediabox[3]) - float(page.obj.TrimBox[1])     # from the top, as pdftotext
            license_top = max(top for top, _, text in found if text == "CC")
            others = [bottom for top, bottom, _ in found if top < license_top - 1]
            assert all(bottom <= license_top for bottom in others), f"page {number}: text under the license line"
            assert license_top < trim_bottom, f"page {number}: license line outside the trim"


def test_a_book_within_the_limit_is_one_book_with_its_cover(built, tmp_path):
    book = dataclasses.replace(built.book, pdf=dataclasses.replace(built.book.pdf, volume_pages=120))
    context = BuildContext(diagnostics=Diagnostics(), epoch=EPOCH, cache_dir=built.folder / ".cache")
    made = write_print_book(book, built.articles, tmp_path / "print-test.pdf", context)
    assert made.volumes == [] and [p.name for p in made.covers] == ["print-test-cover.pdf"]
    assert made.book.units_compiled == 0                      # the same gutter row: the book's units
