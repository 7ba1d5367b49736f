"""Diagrams print as vectors: the PDF copy folds colour-only effects into the shapes' paint
(pdfsvg.js), and what stays a picture is drawn at print resolution (pdf.py).

Real renders (Chromium, mermaid, librsvg) of diagrams whose look has an effect: a timeline
(its events' `filter: brightness(120%)`), a gantt chart (sections and ticks faded with
opacity), a pie chart (slices
faded with opacity, each over its own stroke: kept as a group), a "neo" sequence diagram (actors filtered by an <feDropShadow>) and a "neo"
flowchart (nodes with a CSS drop-shadow(), a blur that stays a picture). Each PDF is compared
with Chromium's own picture of the diagram's SVG (svg_probe.mjs), at points inside shapes.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from zennbook.diagnostics import Code
from zennbook.mermaid import diagram_key, render_diagrams
from zennbook.mermaid import pdf as pdf_module
from zennbook.mermaid.key import PAGE_SCRIPTS

TIMELINE = """timeline
  title 学習の歩み
  section 基礎
    2020 : 線形代数 : 確率
    2021 : 機械学習
  section 応用
    2022 : 深層学習
"""
GANTT = """gantt
  title 開発計画
  dateFormat YYYY-MM-DD
  section 準備
    調査 :a1, 2024-01-01, 10d
    設計 :after a1, 7d
  section 実装
    開発 :2024-01-20, 14d
"""
SEQUENCE_NEO = """---
config:
  look: neo
---
sequenceDiagram
  利用者->>サーバ: 要求
  サーバ-->>利用者: 応答
"""
FLOWCHART_NEO = """---
config:
  look: neo
---
flowchart LR
  A[開始] --> B[学習を実行] --> C[終了]
"""
PIE = """pie
  "学習" : 3
  "推論" : 2
"""
DIAGRAMS = {"timeline": TIMELINE, "gantt": GANTT, "sequence-neo": SEQUENCE_NEO, "flowchart-neo": FLOWCHART_NEO,
            "pie": PIE}
LABELS = {"pie": ("学習", "推論"), "timeline": ("線形代数", "深層学習", "基礎"), "gantt": ("調査", "開発", "実装"),
          "sequence-neo": ("利用者", "サーバ", "要求"), "flowchart-neo": ("開始", "学習を実行")}
FOLDED = ("timeline", "gantt", "sequence-neo")     # no picture left in their PDF
PDFSVG = next(p for p in PAGE_SCRIPTS if p.name == "pdfsvg.js")
TOLERANCE = 4                                      # per channel, out of 255

needs_poppler = pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils missing")


@pytest.fixture(scope="module")
def printed(tools, tmp_path_factory):
    """The diagrams rendered in one batch, and Chromium's picture of each one's SVG."""
    cache = tmp_path_factory.mktemp("print")
    result = render_diagrams(list(DIAGRAMS.values()), cache, timeout_s=300)
    assert result.unavailable is None and not result.errors, result.errors
    diagrams = {name: result.diagrams[diagram_key(source)] for name, source in DIAGRAMS.items()}
    svgs = {name: {"file": str(d.svg), "png": str(cache / f"{name}.chromium.png")} for name, d in diagrams.items()}
    probed = probe(tools, cache, {"svgs": svgs})
    return {name: (diagrams[name], probed[name], svgs[name]["png"]) for name in DIAGRAMS}


def probe(tools, folder, job: dict) -> dict:
    jobfile = folder / "probe.json"
    jobfile.write_text(json.dumps({"modules": str(tools.modules), "chromium": tools.chromium, **job}),
                       encoding="utf-8")
    script = Path(__file__).with_name("svg_probe.mjs")
    proc = subprocess.run([tools.node, str(script), str(jobfile)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def test_each_diagram_has_the_effect_it_is_here_for(printed):
    effects = {name: " ".join(info["effects"]) for name, (_, info, _) in printed.items()}
    assert "brightness(1.2)" in effects["timeline"]
    assert "/ 0.2" in effects["gantt"] and "/ 0.8" in effects["gantt"]
    assert 'url("#drop-shadow")' in effects["sequence-neo"]
    assert "drop-shadow(rgb" in effects["flowchart-neo"]
    assert "path.pieCircle: none / 0.7" in effects["pie"]


def test_opacity_is_folded_where_shapes_do_not_overlap_and_kept_where_they_do(printed):
    with pikepdf.open(printed["gantt"][0].pdf) as gantt, pikepdf.open(printed["pie"][0].pdf) as pie:
        assert transparency_groups(gantt) == 0          # sections and ticks: apart
        assert transparency_groups(pie) >= 2            # a slice's stroke lies on its fill


@pytest.mark.parametrize("name", FOLDED)
def test_folded_effects_leave_no_picture_in_the_pdf(printed, name):
    diagram, _, _ = printed[name]
    with pikepdf.open(diagram.pdf) as pdf:
        assert image_xobjects(pdf.pages[0].obj.get("/Resources")) == [], name


def test_a_picture_that_stays_prints_at_300_dpi_where_the_book_places_it_largest(printed):
    diagram, _, _ = printed["flowchart-neo"]            # its drop-shadow() blur stays a picture
    placed = largest_placement(diagram.width_pt, diagram.height_pt)
    with pikepdf.open(diagram.pdf) as pdf:
        found = drawn_images(pdf.pages[0].obj)
        assert len(found) == len(image_xobjects(pdf.pages[0].obj.get("/Resources")))
    assert found
    for pixels, size_pt in found:
        dpi = pixels[0] / (size_pt[0] * placed / 72)
        assert dpi >= 300, (pixels, size_pt, placed)


@needs_poppler
@pytest.mark.parametrize("name", list(DIAGRAMS))
def test_the_pdf_has_chromiums_colours_inside_the_shapes(printed, name, tmp_path):
    diagram, info, screenshot = printed[name]
    assert len(info["points"]) >= 2, info        # else the test would compare nothing
    chromium = Image.open(screenshot).convert("RGB")
    ours = rasterise(diagram.pdf, chromium.size, tmp_path)
    for x, y, tag in info["points"]:
        want, got = chromium.getpixel((x, y)), ours.getpixel((x, y))
        assert max(abs(a - b) for a, b in zip(want, got)) <= TOLERANCE, (name, tag, (x, y), want, got)


@needs_poppler
@pytest.mark.parametrize("name", list(DIAGRAMS))
def test_the_pdf_keeps_its_labels_as_text(printed, name):
    diagram, _, _ = printed[name]
    text = subprocess.run(["pdftotext", str(diagram.pdf), "-"], capture_output=True, text=True).stdout
    for label in LABELS[name]:
        assert label in text, (name, label)


def test_preflight_finds_no_low_resolution_picture_in_a_kdp_book(printed, tmp_path):
    """The diagrams placed as \\zbdiagram places them on a kdp-6x9 page (the preset's line
    width, a5's), then preflight; the flowchart drawn from its plain SVG (not marked by
    pdfsvg.js: pictures at one pixel per point, as before) is caught (so the check can fail)."""
    from zennbook.writers.latex import TEXT_WIDTH_PT
    from zennbook.writers.pdf.presets import PRESETS
    line_pt = TEXT_WIDTH_PT[PRESETS["kdp-6x9"].text_paper]
    diagrams = [diagram.pdf for diagram, _, _ in printed.values()]
    assert dpi_warnings(book_of(diagrams, line_pt, tmp_path / "book.pdf")) == []
    before = tmp_path / "before.pdf"
    flowchart, _, _ = printed["flowchart-neo"]
    pdf_module.SvgToPdf().convert(flowchart.svg, before)     # Chromium's SVG: no mark, no scale
    assert dpi_warnings(book_of([before], line_pt, tmp_path / "before-book.pdf"))


def test_the_largest_placement_is_the_writers_widest_line_and_tallest_paper():
    from zennbook.writers.latex import TEXT_WIDTH_PT
    from zennbook.writers.pdf.presets import PRESETS, PT_PER_MM
    assert pdf_module.WIDEST_LINE_PT == max(TEXT_WIDTH_PT.values())
    papers_mm = {"a4": 297, "b5": 257, "a5": 210}      # jlreq's a4, b5j, a5
    assert set(papers_mm) == set(TEXT_WIDTH_PT)
    tallest = max([*papers_mm.values(), *(p.trim_mm[1] for p in PRESETS.values())]) * PT_PER_MM
    assert pdf_module.TALLEST_PAGE_PT == pytest.approx(tallest)


def test_picture_scale_reaches_300_dpi_at_the_largest_placement():
    for width, height in ((100, 50), (440, 200), (50, 800), (2000, 300)):
        scale = pdf_module.picture_scale(width, height)
        assert scale >= 1
        assert 72 * scale / largest_placement(width, height) >= 300 - 1e-9 or scale == 1
    assert pdf_module.picture_scale(2000, 300) == 1      # placed smaller than drawn


# -- helpers --------------------------------------------------------------------------------------

def largest_placement(width_pt: float, height_pt: float) -> float:
    return min(pdf_module.WIDEST_LINE_PT / width_pt, pdf_module.TALLEST_PAGE_PT / height_pt)


def image_xobjects(resources, depth: int = 0) -> list:
    """Every image XObject in `resources` and in the resources of its forms, drawn or not."""
    found = []
    for xobject in (resources.get("/XObject") or {}).values() if resources is not None else ():
        if xobject.get("/Subtype") == "/Image":
            found.append((int(xobject.Width), int(xobject.Height)))
        elif xobject.get("/Subtype") == "/Form" and depth < 8:
            found += image_xobjects(xobject.get("/Resources"), depth + 1)
    return found


def transparency_groups(pdf) -> int:
    return sum(1 for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Form"
               and o.get("/Group") is not None and o.Group.get("/S") == "/Transparency")


def drawn_images(page) -> list:
    """((width px, height px), (width pt, height pt)) of each image the page draws."""
    from zennbook.writers.pdf.preflight import placed_images
    return [(pixels, size) for _, pixels, size in placed_images(page)]


def rasterise(pdf, size, tmp_path) -> Image.Image:
    out = tmp_path / "page"
    subprocess.run(["pdftoppm", "-png", "-singlefile", "-scale-to-x", str(size[0]), "-scale-to-y", str(size[1]),
                    str(pdf), str(out)], check=True)
    return Image.open(f"{out}.png").convert("RGB")


def book_of(diagrams, line_pt: float, path):
    """A kdp-6x9 page per diagram, the diagram `line_pt` wide on it (as \\zbdiagram sets it)."""
    from zennbook.writers.pdf.presets import layout_for, page_boxes
    from zennbook.config import PdfOptions
    book = pikepdf.new()
    for index, diagram in enumerate(diagrams):
        with pikepdf.open(diagram) as source:
            form = book.copy_foreign(source.pages[0].as_form_xobject())
            width = float(source.pages[0].mediabox[2]) - float(source.pages[0].mediabox[0])
        scale = line_pt / width
        page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 450, 666],
                                  Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(D=form)),
                                  Contents=pikepdf.Stream(book, f"q {scale} 0 0 {scale} 50 50 cm /D Do Q".encode()))
        book.pages.append(pikepdf.Page(page))
        boxes = page_boxes((0, 0, 450, 666), layout_for(PdfOptions(preset="kdp-6x9")), recto=index % 2 == 0)
        for key, box in boxes.items():
            book.pages[-1].obj[key] = pikepdf.Array(box)
    book.save(path)
    return path


def dpi_warnings(path) -> list:
    from zennbook.config import Book, Part, PdfOptions
    from zennbook.writers.pdf.preflight import preflight
    book = Book(title="t", slug="t", articles_dir=path.parent, root_dir=path.parent, parts=(Part("", ()),),
                license=None, pdf=PdfOptions(preset="kdp-6x9"))
    return [d.message for d in preflight(book, [path], {}).findings() if d.code == Code.PRINT_IMAGE_DPI]


# -- every colour function pdfsvg.js folds, on hand-written SVG ----------------------------------
# (mermaid itself uses only brightness(); a diagram's own CSS cannot add others, but the
# fold must be right for each function it claims.)

EFFECTS_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="520" height="160" viewBox="0 0 520 160">
<defs><marker id="end" markerWidth="40" markerHeight="40" refX="0" refY="20" markerUnits="userSpaceOnUse">
  <rect width="40" height="40" fill="#000" style="opacity: 0.5"/></marker></defs>
<line x1="20" y1="130" x2="300" y2="130" stroke="#000" stroke-width="2" marker-end="url(#end)"/>
<g style="filter: grayscale(60%) contrast(1.2)"><rect x="10" y="10" width="80" height="80" fill="#3a7bd5"/></g>
<g style="filter: saturate(1.6) brightness(0.9)"><rect x="110" y="10" width="80" height="80" fill="#c06040"/></g>
<g style="filter: sepia(0.7) invert(0.2)"><rect x="210" y="10" width="80" height="80" fill="#40a060"/></g>
<g style="opacity: 0.5; filter: brightness(1.3)"><rect x="310" y="10" width="35" height="80" fill="#8040c0"/>
  <g style="opacity: 0.6"><rect x="355" y="10" width="35" height="80" fill="#208080"/></g></g>
<g style="opacity: 0.5"><rect x="410" y="10" width="60" height="80" fill="#d04080"/>
  <rect x="440" y="30" width="60" height="40" fill="#2060d0"/></g>
</svg>"""


@needs_poppler
def test_each_colour_function_and_opacity_fold_as_chromium_draws_them(tools, tmp_path):
    source = tmp_path / "effects.svg"
    source.write_text(EFFECTS_SVG, encoding="utf-8")
    copy, pdf = tmp_path / "effects.pdf.svg", tmp_path / "effects.pdf"
    info = probe(tools, tmp_path, {"svgs": {"effects": {"file": str(source), "png": str(tmp_path / "chromium.png")}},
                                   "pdfsvg": str(PDFSVG), "forpdf": {"effects": {"file": str(source), "out": str(copy)}}})
    pdf_module.SvgToPdf().convert(copy, pdf)
    with pikepdf.open(pdf) as made:
        assert image_xobjects(made.pages[0].obj.get("/Resources")) == []
        assert transparency_groups(made) == 2            # the overlapping rects; the marker (kept)
    points = info["effects"]["points"] + [[320, 120, "marker"]]     # its faded square: left as it is
    assert len(points) >= 8, points
    chromium = Image.open(tmp_path / "chromium.png").convert("RGB")
    ours = rasterise(pdf, chromium.size, tmp_path)
    for x, y, _ in points:
        want, got = chromium.getpixel((x, y)), ours.getpixel((x, y))
        assert max(abs(a - b) for a, b in zip(want, got)) <= TOLERANCE, ((x, y), want, got)


SHADOWS_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="300" height="120" viewBox="0 0 300 120">
<defs><filter id="soft" width="150%" height="150%"><feDropShadow dx="4" dy="4" stdDeviation="3"
  flood-color="#000" flood-opacity="0.4"/></filter>
<filter id="hard" width="150%" height="150%"><feDropShadow dx="6" dy="6" stdDeviation="0"
  flood-color="#204080" flood-opacity="0.5"/></filter></defs>
<rect x="20" y="20" width="100" height="70" fill="#e0a030" stroke="#604010" filter="url(#soft)"/>
<rect x="160" y="20" width="100" height="70" fill="#30a0e0" filter="url(#hard)"/>
</svg>"""


@needs_poppler
def test_drop_shadows_are_drawn_and_a_hard_one_is_no_picture(tools, tmp_path):
    """librsvg 2.54 draws nothing of an element filtered by an <feDropShadow>: the PDF copy
    has the blurred one in SVG 1.1 primitives (a picture, at print resolution) and the hard
    one as the shape again, offset (vectors)."""
    source = tmp_path / "shadows.svg"
    source.write_text(SHADOWS_SVG, encoding="utf-8")
    copy, pdf = tmp_path / "shadows.pdf.svg", tmp_path / "shadows.pdf"
    info = probe(tools, tmp_path, {"svgs": {"shadows": {"file": str(source), "png": str(tmp_path / "chromium.png")}},
                                   "pdfsvg": str(PDFSVG), "forpdf": {"shadows": {"file": str(source), "out": str(copy)}}})
    assert "feDropShadow" not in copy.read_text(encoding="utf-8")
    pdf_module.SvgToPdf().convert(copy, pdf)
    chromium = Image.open(tmp_path / "chromium.png").convert("RGB")
    ours = rasterise(pdf, chromium.size, tmp_path)
    points = info["shadows"]["points"]
    assert len(points) == 2, points
    # inside each shape, and in each shadow where it shows (below the shape's right end)
    for x, y in [(x, y) for x, y, _ in points] + [(118, 93), (258, 93)]:
        want, got = chromium.getpixel((x, y)), ours.getpixel((x, y))
        assert max(abs(a - b) for a, b in zip(want, got)) <= 3 * TOLERANCE, ((x, y), want, got)
    with pikepdf.open(pdf) as made:
        found = drawn_images(made.pages[0].obj)
    assert len(found) == 1                              # the soft shadow's picture, nothing else
    placed = largest_placement(225, 90)
    assert found[0][0][0] / (found[0][1][0] * placed / 72) >= 300
