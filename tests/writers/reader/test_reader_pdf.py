"""The reader's PDF: tagged (PDF/UA-1), Japanese, with bookmarks, links, alt text, the
license on every page; read back with pdfinfo, pdftotext and pikepdf, never by bytes."""
from __future__ import annotations

import re
import subprocess

import pikepdf
import pytest

from tests.conftest import needs
from zennbook.mathsvg.tools import find_tools

from .conftest import built_book, write_book

pytestmark = needs("pdfinfo", "pdftotext")


def pdfinfo(path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


def pages_text(path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
                         capture_output=True, text=True, check=True).stdout
    return out.split("\f")[:-1]


def structure(pdf) -> list[pikepdf.Dictionary]:
    """Every structure element, depth first (the reading order)."""
    found = []

    def visit(node):
        if isinstance(node, pikepdf.Array):
            for kid in node:
                visit(kid)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            found.append(node)
            visit(node.get("/K"))
    visit(pdf.Root.StructTreeRoot.K)
    return found


def squashed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_tagged_japanese_with_title_shown(tiny):
    info = pdfinfo(tiny.pdf)
    assert info["Tagged"].strip() == "yes"
    assert info["Title"].strip() == "読むための本"
    with pikepdf.open(tiny.pdf) as pdf:
        assert str(pdf.Root.Lang) == "ja"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert pdf.Root.MarkInfo.Marked is True
        with pdf.open_metadata() as xmp:
            assert xmp.get("pdfuaid:part") == "1"
            assert "CC BY 4.0" in str(xmp.get("dc:rights"))


def test_structure_has_every_kind_in_reading_order(tiny):
    with pikepdf.open(tiny.pdf) as pdf:
        elements = structure(pdf)
        kinds = {str(e.S) for e in elements}
        assert {"/Document", "/H1", "/H2", "/H3", "/P", "/L", "/LI", "/Table", "/TR", "/TD", "/Figure",
                "/Link"} <= kinds
        figures = [e for e in elements if e.S == pikepdf.Name.Figure]
        assert figures and all(str(f.get("/Alt", "")).strip() for f in figures)
        assert "一つの点" in [str(f.Alt) for f in figures]
        assert "図（説明文なし）" in [str(f.Alt) for f in figures]
        # reading order: the title, each part's page, each chapter, in the book's order
        heading_pages = [page_index(pdf, e.Pg) for e in elements if e.S == pikepdf.Name.H1]
        assert heading_pages == sorted(heading_pages)
        assert heading_pages == bookmark_pages(pdf, depth=2)
        assert_parent_tree_consistent(pdf)


def page_index(pdf, page) -> int:
    return pdf.pages.index(pikepdf.Page(page))


def bookmark_pages(pdf, depth: int) -> list[int]:
    """The pages of the bookmarks down to `depth` (1: the top level), in outline order."""
    found = []

    def visit(items, level):
        for item in items:
            found.append(page_index(pdf, item.destination[0]))
            if level < depth:
                visit(item.children, level + 1)
    with pdf.open_outline() as outline:
        top = list(outline.root)
        visit(top[:1], depth)            # the title page: its own sections are h2
        visit(top[1:], 1)
    return found


def assert_parent_tree_consistent(pdf) -> None:
    """Every page's /StructParents and every annotation's /StructParent is a key of the
    parent tree, and every key is used once: what a join must keep."""
    keys = [int(k) for k in list(pdf.Root.StructTreeRoot.ParentTree.Nums)[0::2]]
    assert len(keys) == len(set(keys))
    used = []
    for page in pdf.pages:
        if "/StructParents" in page.obj:
            used.append(int(page.obj.StructParents))
        used += [int(a.StructParent) for a in page.obj.get("/Annots", []) if "/StructParent" in a]
    assert sorted(used) == sorted(keys)
    assert int(pdf.Root.StructTreeRoot.ParentTreeNextKey) > max(keys)


@pytest.mark.skipif(isinstance(find_tools(), str), reason=f"MathJax: {find_tools()}")
def test_math_is_a_figure_with_its_speech(tiny):
    with pikepdf.open(tiny.pdf) as pdf:
        alts = [str(e.get("/Alt", "")) for e in structure(pdf) if e.S == pikepdf.Name.Figure]
    assert "a over b" in alts
    assert any("x squared plus y squared equals 1" in alt for alt in alts)
    assert "\\frac" not in "".join(pages_text(tiny.pdf))


def test_bookmarks_part_chapter_section(tiny):
    with pikepdf.open(tiny.pdf) as pdf, pdf.open_outline() as outline:
        tree = {item.title: item for item in outline.root}
        assert "読むための本" in tree
        part_one, part_two = tree["第一部"], tree["第二部"]
        chapters = [c.title for c in part_one.children]
        assert chapters == ["📘 第一章の題", "🧮 第二章の題"]
        assert [c.title for c in part_two.children] == ["🧪 第三章の題"]
        sections = [s.title for s in part_one.children[0].children]
        assert "はじめの節" in sections
        assert "小さな節" in [s.title for s in part_one.children[0].children[0].children]


def test_links_inside_across_and_outside(tiny):
    with pikepdf.open(tiny.pdf) as pdf:
        names = dict(pikepdf.NameTree(pdf.Root.Names.Dests).items())
        jumps, uris = [], []
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", []):
                if "/Dest" in annot:
                    jumps.append(str(annot.Dest))
                elif "/A" in annot:
                    uris.append(str(annot.A.URI))
        assert jumps and all(name in names for name in jumps)
        assert "ch-03-third" in jumps            # the chapter-to-chapter link, and the contents
        assert "part-2" in jumps
        assert "https://example.com/page" in uris
        assert not [u for u in uris if not u.startswith(("https://", "http://", "mailto:"))]
        assert not [u for u in uris if "zennbook.invalid" in u]


def test_license_line_on_every_page_and_text_verified(tiny):
    pages = pages_text(tiny.pdf)
    assert len(pages) >= 6
    bare = [i for i, page in enumerate(pages, 1) if "CCBY4.0·©2026tester" not in squashed(page)]
    assert bare == []
    text = squashed("".join(pages))
    for words in ("ひまわり畑", "第二章の題", "第三章の本文です", "脚注の中身"):
        assert words in text
    assert "verify: ok" in tiny.stdout
    assert re.search(r"reader-pdf\s+100\.00%", tiny.stdout)


def test_japanese_lines_never_start_with_closing_marks(tiny):
    lines = [line.strip() for page in pages_text(tiny.pdf) for line in page.splitlines()]
    assert any("ひまわり畑" in line for line in lines)
    assert [line for line in lines if line and line[0] in "。、」）』"] == []


def test_code_wraps_inside_the_page(tiny):
    text = squashed("".join(pages_text(tiny.pdf)))
    assert "a_very_long_function_name_that_goes_on(argument_one,argument_two,argument_three,argument_four):" in text
    with pikepdf.open(tiny.pdf) as pdf:
        width = float(pdf.pages[0].mediabox[2])
    out = subprocess.run(["pdftotext", "-bbox", str(tiny.pdf), "-"], capture_output=True, text=True, check=True).stdout
    right_edges = [float(m) for m in re.findall(r'xMax="([\d.]+)"', out)]
    assert right_edges and max(right_edges) <= width


def test_phone_page_is_narrow(tmp_path):
    phone = built_book(write_book(tmp_path / "phone", page="phone"))
    with pikepdf.open(phone.pdf) as pdf:
        width, height = float(pdf.pages[0].mediabox[2]), float(pdf.pages[0].mediabox[3])
    assert width < 270 and height / width > 1.7        # 90 x 160 mm


def test_bad_page_choice_is_a_located_error(tmp_path):
    from .conftest import build_reader
    folder = write_book(tmp_path / "bad", page="poster")
    proc = build_reader(folder)
    assert proc.returncode == 1
    assert "'reader.page': expected one of tablet, phone; got 'poster' [config.choice]" in proc.stderr


def laid_out(folder) -> set[str]:
    return {p.name for p in (folder / ".zennbook-cache" / "reader-pdf").rglob("*.pdf")}


def test_one_article_edit_lays_out_one_chapter(tmp_path):
    folder = write_book(tmp_path / "edit")
    first = built_book(folder)
    before = laid_out(folder)
    assert len(before) == 6                    # front matter, two part pages, three chapters
    article = folder / "articles" / "02-second.md"
    article.write_text(article.read_text(encoding="utf-8") + "\n追記した一文です。\n", encoding="utf-8")
    second = built_book(folder)
    assert len(laid_out(folder) - before) == 1
    assert "追記した一文です" in squashed("".join(pages_text(second.pdf)))
    assert first.pdf == second.pdf
