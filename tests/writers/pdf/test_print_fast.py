"""Print on demand without LaTeX: the presets table, the boxes, the volume split, the cover's
geometry, the config keys and the preflight on small PDFs made here."""
from __future__ import annotations

import zlib

import pikepdf
import pytest

from zennbook import config
from zennbook.config import PdfOptions, parse_pdf
from zennbook.diagnostics import Code, Diagnostics, Level
from zennbook.writers.pdf import presets
from zennbook.writers.pdf.presets import PRESETS, gutter_in, latex_options, layout_for, page_boxes
from zennbook.writers.pdf.printcover import SPINE_TEXT_IN, cover_geometry
from zennbook.writers.pdf.printset import output_name
from zennbook.writers.pdf.volumes import Chapter, front_estimate, split_volumes

IN = 72.0


# -- presets -----------------------------------------------------------------------------------------

def test_config_knows_exactly_the_presets_of_the_table():
    assert config.PDF_PRESETS == tuple(PRESETS)


@pytest.mark.parametrize("pages, inches", [(24, 0.375), (150, 0.375), (151, 0.5), (300, 0.5), (301, 0.625),
                                           (500, 0.625), (501, 0.75), (700, 0.75), (701, 0.875), (828, 0.875)])
def test_the_gutter_follows_kdps_table(pages, inches):
    assert gutter_in(PRESETS["kdp-6x9"], pages) == inches
    assert layout_for(PdfOptions(preset="kdp-6x9"), pages).gutter_mm == pytest.approx(inches * 25.4)


def test_presets_set_trim_bleed_and_marks_as_their_services_want():
    kdp, jp = layout_for(PdfOptions(preset="kdp-7x10")), layout_for(PdfOptions(preset="b5-jp"))
    assert kdp.trim_mm == pytest.approx((177.8, 254.0)) and kdp.bleed_mm == pytest.approx(3.175)
    assert not kdp.crop_marks and not kdp.bleed_inner
    assert jp.trim_mm == (182.0, 257.0) and jp.bleed_mm == 3.0 and jp.crop_marks and jp.bleed_inner
    options = latex_options(layout_for(PdfOptions(preset="kdp-6x9"), 400))
    assert options["paper"] == "{152.400mm,228.600mm}" and options["gutter"] == "15.875mm"
    assert options["show"] == "no"
    assert latex_options(layout_for(PdfOptions(preset="a5-jp")))["show"] == "{trimmarks,digital}"


def test_the_old_keys_keep_their_meaning_without_a_preset():
    assert not layout_for(PdfOptions()).trimmed
    legacy = layout_for(PdfOptions(bleed_mm=3.0))
    assert legacy.crop_marks and legacy.trim_mm is None and legacy.bleed_mm == 3.0


def test_kdp_pages_bleed_on_three_edges_and_japanese_pages_on_four():
    kdp = layout_for(PdfOptions(preset="kdp-6x9"))
    media = (0, 0, 8 * IN, 11 * IN)              # the trim plus an inch on every side, as LaTeX makes it
    recto, verso = page_boxes(media, kdp, recto=True), page_boxes(media, kdp, recto=False)
    assert recto["/TrimBox"] == pytest.approx((72, 72, 504, 720))
    assert recto["/BleedBox"] == pytest.approx((72, 63, 513, 729))        # no bleed at the spine (left)
    assert verso["/BleedBox"] == pytest.approx((63, 63, 504, 729))        # spine on the right
    assert recto["/MediaBox"] == recto["/BleedBox"]                       # 6.125 x 9.25 in, KDP's size
    jp = layout_for(PdfOptions(preset="a5-jp"))
    marks = (0, 0, 148 * presets.PT_PER_MM + 2 * IN, 210 * presets.PT_PER_MM + 2 * IN)
    boxes = page_boxes(marks, jp, recto=True)
    bleed = 3 * presets.PT_PER_MM
    assert boxes["/TrimBox"] == pytest.approx((IN, IN, marks[2] - IN, marks[3] - IN))
    assert boxes["/BleedBox"] == pytest.approx((IN - bleed, IN - bleed, marks[2] - IN + bleed, marks[3] - IN + bleed))
    assert boxes["/MediaBox"] == marks                                     # the marks stay on the sheet


def test_config_checks_the_print_keys_all_at_once():
    found = Diagnostics()
    options = parse_pdf({"preset": "lulu", "volume_pages": 10, "print_paper": "glossy"}, "book.yaml", found)
    assert [d.code for d in found.items] == [Code.CONFIG_CHOICE] * 3
    assert "kdp-6x9" in found.items[0].message and options.preset == "" and options.volume_pages == 0
    fine = Diagnostics()
    options = parse_pdf({"preset": "kdp-6x9", "volume_pages": 800, "print_paper": "cream"}, "book.yaml", fine)
    assert not fine.items
    assert (options.preset, options.volume_pages, options.print_paper, options.paper) == ("kdp-6x9", 800, "cream", "a5")
    assert parse_pdf({"preset": "b5-jp", "paper": "a4"}, "book.yaml", Diagnostics()).paper == "a4"


def test_the_template_gets_the_presets_paper_gutter_and_page(tmp_path):
    from zennbook.config import Book, Part
    from zennbook.pipeline import BuildContext
    from zennbook.writers import latex
    book = Book(title="t", slug="t", articles_dir=tmp_path, root_dir=tmp_path, parts=(Part("", ()),), license=None,
                pdf=PdfOptions(preset="kdp-6x9", gutter_pages=320, paper="a5"))
    tex = latex.book_document(book, [], [], BuildContext(diagnostics=Diagnostics(), epoch=0))
    assert "\\documentclass[paper={152.400mm,228.600mm},gutter=15.875mm," in tex
    assert "show=no,bleed_margin={3.175mm}]{jlreq-trimmarks}" in tex
    volume = {"number": 2, "count": 3, "first": 4, "last": 7, "first_title_tex": "四", "last_title_tex": "七"}
    tex = latex.book_document(book, [], [], BuildContext(diagnostics=Diagnostics(), epoch=0), volume=volume)
    assert "第2巻" in tex and "全3巻" in tex and "第4章 四" in tex and "第7章 七" in tex


# -- volumes -----------------------------------------------------------------------------------------

def chapters(*sizes, parts=()):
    return [Chapter(f"c{i}", size, i in parts) for i, size in enumerate(sizes)]


def test_volumes_are_balanced_not_greedy():
    split = split_volumes(chapters(*[40] * 41), 800, 0)        # 1,640 pages
    sizes = [sum(c.pages for c in v) for v in split.volumes]
    assert len(sizes) == 3 and max(sizes) - min(sizes) <= 40 and max(sizes) <= 800 - 1


def test_volumes_cut_at_part_boundaries_when_they_can():
    book = chapters(*[10] * 20, parts=(0, 9))              # parts of 9 and 11 chapters
    split = split_volumes(book, 150, 10)
    assert [v[0].slug for v in split.volumes] == ["c0", "c9"]      # 90 + 110 at the part, not 100 + 100
    lopsided = chapters(*[10] * 20, parts=(0, 4))              # 40 + 160 would not fit: not at the part
    assert [v[0].slug for v in split_volumes(lopsided, 150, 10).volumes] == ["c0", "c10"]


def test_every_chapter_is_in_exactly_one_volume_in_order():
    book = chapters(*[17, 3, 90, 44, 12, 61, 8, 70, 33, 25], parts=(0, 4, 8))
    split = split_volumes(book, 120, 10)
    assert [c for v in split.volumes for c in v] == book
    assert all(sum(c.pages for c in v) + front_estimate(10, len(v), len(book)) + 1 <= 120 for v in split.volumes)


def test_a_volume_is_planned_with_its_own_share_of_the_contents_not_the_whole_books():
    """The synthetic course: 114 chapters, 6,338 pages, a 102-page front matter (its contents)
    against 12-14 pages in each volume. Planned with the book's front matter it made 10
    volumes where 9 fit."""
    book = chapters(*[56] * 114, parts=(0, 20, 40, 60, 80, 100))
    split = split_volumes(book, 800, 102)
    assert len(split.volumes) == 9
    assert all(sum(c.pages for c in v) + front_estimate(102, len(v), 114) + 1 <= 800 for v in split.volumes)
    assert front_estimate(102, 114, 114) == 102 and 12 < front_estimate(102, 12, 114) < 30


def test_a_chapter_longer_than_a_volume_is_named_and_nothing_is_split():
    split = split_volumes(chapters(10, 900, 10), 800, 12)
    assert split.volumes == () and [c.slug for c in split.too_long] == ["c1"]


# -- covers ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("pages, paper, spine", [(120, "white", 0.27024), (600, "cream", 1.5), (60, "white", 0.13512)])
def test_the_spine_is_pages_times_the_papers_thickness(pages, paper, spine):
    geometry = cover_geometry("kdp-6x9", pages, paper)
    assert geometry.spine_in == pytest.approx(spine)
    assert geometry.size_in == pytest.approx((0.125 + 6 + spine + 6 + 0.125, 9.25))
    assert geometry.spine_text == (spine >= SPINE_TEXT_IN)


def test_the_cover_is_one_sheet_of_the_computed_size_with_its_boxes(tmp_path):
    from zennbook.config import Book, License, Part
    from zennbook.writers.pdf.printcover import write_cover
    book = Book(title="表紙の本", slug="c", articles_dir=tmp_path, root_dir=tmp_path, parts=(Part("", ()),),
                license=License("CC-BY-4.0", "https://x", "h", "2026", "n", (), "CC BY 4.0 · 表紙"),
                pdf=PdfOptions(preset="b5-jp", print_paper="cream"))
    geometry = write_cover(book, 200, 2, tmp_path / "cover.pdf")
    with pikepdf.open(tmp_path / "cover.pdf") as pdf:
        page = pdf.pages[0]
        width = float(page.mediabox[2])
        assert len(pdf.pages) == 1
        assert width == pytest.approx((2 * 182 / 25.4 + 200 * 0.0025 + 2 * 3 / 25.4) * IN, abs=0.01)
        trim = [float(v) for v in page.obj.TrimBox]
        assert trim[2] - trim[0] == pytest.approx((2 * 182 / 25.4 + 0.5) * IN, abs=0.01)
    assert geometry.spine_text


# -- the writer's names ------------------------------------------------------------------------------

def test_volumes_and_covers_of_an_earlier_build_go_others_stay(tmp_path):
    from zennbook.writers.pdf.printset import remove_stale
    names = ["book-vol1.pdf", "book-vol2.pdf", "book-vol2-cover.pdf", "book-cover.pdf", "book-1.2.3.pdf",
             "book-notes.pdf", "book.pdf", "other-vol1.pdf"]
    for name in names:
        (tmp_path / name).write_bytes(b"%PDF")
    remove_stale(tmp_path, "book", {tmp_path / "book-vol1.pdf"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book-1.2.3.pdf", "book-notes.pdf", "book-vol1.pdf",
                                                          "book.pdf", "other-vol1.pdf"]


def test_print_files_are_named_after_the_pdfs_final_name(tmp_path):
    assert output_name(tmp_path / "book.pdf") == "book"
    assert output_name(tmp_path / ".book-1.2.3.pdf.zennbook-ab12cd34.part") == "book-1.2.3"


# -- preflight ---------------------------------------------------------------------------------------

def small_pdf(path, boxes=True, type3=False, image_px=(300, 300), image_in=1.0):
    pdf = pikepdf.new()
    picture = pikepdf.Stream(pdf, zlib.compress(bytes(image_px[0] * image_px[1] * 3)))
    picture.Type, picture.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    picture.Width, picture.Height = image_px
    picture.ColorSpace, picture.BitsPerComponent, picture.Filter = pikepdf.Name.DeviceRGB, 8, pikepdf.Name.FlateDecode
    fonts = pikepdf.Dictionary()
    if type3:
        fonts.F1 = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type3,
                                                        BaseFont=pikepdf.Name("/Bitmap")))
    fonts.F2 = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                    BaseFont=pikepdf.Name.Helvetica))
    size = image_in * IN
    for _ in range(24):
        page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[9, 0, 450, 666],
                                  Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im=picture), Font=fonts),
                                  Contents=pikepdf.Stream(pdf, f"q {size} 0 0 {size} 50 50 cm /Im Do Q".encode()))
        pdf.pages.append(pikepdf.Page(page))
    if boxes:
        for index, page in enumerate(pdf.pages):
            found = page_boxes((0, 0, 450, 666), layout_for(PdfOptions(preset="kdp-6x9")), recto=index % 2 == 0)
            for key, box in found.items():
                page.obj[key] = pikepdf.Array(box)
    pdf.save(path)
    return path


def run_preflight(*paths):
    from zennbook.config import Book, Part
    from zennbook.writers.pdf.preflight import preflight
    book = Book(title="t", slug="t", articles_dir=paths[0].parent, root_dir=paths[0].parent, parts=(Part("", ()),),
                license=None, pdf=PdfOptions(preset="kdp-6x9"))
    return preflight(book, list(paths), {})


def test_preflight_names_each_problem(tmp_path):
    good = run_preflight(small_pdf(tmp_path / "good.pdf"))
    messages = [d.message for d in good.findings()]
    assert any("not embedded: /Helvetica" in m for m in messages)        # the base-14 font is not embedded
    assert not any("Box" in m or "dpi" in m or "pages" in m for m in messages)
    bad = run_preflight(small_pdf(tmp_path / "bad.pdf", boxes=False, type3=True, image_px=(150, 150)))
    messages = [d.message for d in bad.findings()]
    assert any("Type 3 font /Bitmap" in m for m in messages)
    assert sum("no TrimBox or BleedBox" in m for m in messages) == 24
    low = [d for d in bad.findings() if d.code == Code.PRINT_IMAGE_DPI]
    assert low and low[0].level == Level.WARNING and "150 dpi" in low[0].message and "150x150 px" in low[0].message
    assert low[0].message.startswith("an image of 150x150 px prints at 150 dpi on page 1 of bad.pdf")
    assert not bad.ok


def test_preflight_checks_the_page_count_against_the_service():
    from zennbook.writers.pdf.preflight import PrintCheck, check_pages
    check = PrintCheck()
    check_pages(check, 829, "big.pdf", PRESETS["kdp-6x9"])
    check_pages(check, 828, "fine.pdf", PRESETS["kdp-6x9"])
    check_pages(check, 10, "thin.pdf", PRESETS["kdp-6x9"])
    check_pages(check, 3000, "jp.pdf", PRESETS["b5-jp"])
    assert [d.path for d in check.findings()] == ["big.pdf", "thin.pdf"]


# -- links inside a chapter (the unit job's second pass) ---------------------------------------------

def test_a_unit_job_runs_again_when_it_defines_a_label_it_refers_to(tmp_path):
    from zennbook.writers.pdf.jobs import refers_to_its_own_labels
    aux = tmp_path / "book.aux"
    aux.write_text("\\newlabel{a-one--owari1}{{1.2}{10}{owari1}{section.1.2}{}}\n\\newlabel{ch:a-one}{{1}{3}}\n")
    log = "LaTeX Warning: Hyper reference `a-one--owari1' on page 2 undefined on input line 7.\n"
    assert refers_to_its_own_labels(log, aux)
    assert not refers_to_its_own_labels(log.replace("a-one--owari1", "b-two--x"), aux)   # another chapter's
    assert not refers_to_its_own_labels("no warnings\n", aux)
    assert not refers_to_its_own_labels(log, tmp_path / "missing.aux")
