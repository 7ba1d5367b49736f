"""The unit-built PDF's bookkeeping, without LaTeX: how book.tex is cut into units, what a
unit inherits from the ones before it, how TOC lines move, how stamps are keyed, how an
outline is taken apart. The books themselves are compared in test_pdfunits_books.py."""
from __future__ import annotations


import pytest

from tests.conftest import REPO
from zennbook.writers.pdf import (
    assemble as pdf_assemble,
    build as pdf_build,
    front as pdf_front,
    jobs as pdf_jobs,
    split as pdf_split,
    stamps as pdf_stamps,
    units as pdf_units,
)

BOOK_TEX = r"""\documentclass{jlreq}
\usepackage{zennbook}
\begin{document}
\frontmatter
\tableofcontents
\mainmatter
\part{基礎編}
%zb:article=one
\renewcommand{\zbchapterhead}{一}
\chapter{一}
\input{chapters/one.tex}
\par 原典: one
%zb:article=two
\chapter{二}
\input{chapters/two.tex}
\part{応用編}
%zb:article=three
\chapter{三}
\input{chapters/three.tex}
\end{document}
"""


def test_split_puts_each_part_page_with_the_chapter_after_it():
    tex = pdf_split.split_book_tex(BOOK_TEX)
    assert tex.preamble.startswith("\\documentclass") and "\\begin{document}" not in tex.preamble
    assert tex.front == "\\frontmatter\n\\tableofcontents\n"
    assert [s.slug for s in tex.segments] == ["one", "two", "three"]
    assert [(s.index, s.parts_before, s.has_part) for s in tex.segments] == [(1, 0, True), (2, 1, False),
                                                                           (3, 1, True)]
    assert tex.segments[0].text.startswith("\\part{基礎編}\n%zb:article=one\n\\renewcommand")
    assert tex.segments[0].text.rstrip().endswith("原典: one")
    assert tex.segments[1].text.startswith("%zb:article=two") and "\\part" not in tex.segments[1].text
    assert tex.segments[2].text.startswith("\\part{応用編}\n%zb:article=three")


def test_split_refuses_a_template_it_does_not_understand():
    with pytest.raises(ValueError):
        pdf_split.split_book_tex(BOOK_TEX.replace("\\mainmatter\n", ""))
    with pytest.raises(ValueError):
        pdf_split.split_book_tex(BOOK_TEX.replace("\\end{document}", "\\part{後書き}\n\\end{document}"))


def test_book_tex_is_what_the_latex_writer_renders(tmp_path):
    """pdfunits renders book.tex.j2 itself (render_book_tex would render every chapter);
    when latex.py changes what it gives the template, this fails."""
    from zennbook.config import load_book
    from zennbook.diagnostics import Diagnostics
    from zennbook.pipeline import BuildContext, prepare
    from zennbook.writers import latex
    diagnostics = Diagnostics()
    book = load_book(REPO / "book.yaml", None, diagnostics, cwd=REPO)
    context = BuildContext(diagnostics=diagnostics, epoch=1767225600, cache_dir=REPO / ".zennbook-cache")
    articles = prepare(book, context)
    assets = latex.LatexAssets(tmp_path)
    expected = latex.render_book_tex(book, articles, assets, Diagnostics(), context)
    assert pdf_split.book_tex(book, articles, context) == expected
    assert [s.slug for s in pdf_split.split_book_tex(expected).segments] == book.chapter_slugs


def test_toc_lines_go_to_the_unit_whose_pages_hold_them(tmp_path):
    toc = tmp_path / "book.toc"
    toc.write_text("\\contentsline {part}{\\numberline {第I部\\hspace *{1\\jlreq@gol }}基礎編}{5}{part.1}%\n"
                   "\\addvspace {10\\p@ }\n"
                   "\\contentsline {chapter}{\\numberline {第1章}一 {\\bfseries x}}{6}{chapter.1}%\n"
                   "\\contentsline {chapter}{\\numberline {第2章}二}{9}{chapter.2}%\n", encoding="utf-8")
    log = pdf_jobs.JobLog([page(c) for c in (5, 6, 7, 8, 9, 10)], {1: [0, 1, 2, 3], 2: [4, 5]}, {})
    units = [unit(1, "one"), unit(2, "two")]
    split = pdf_units.split_toc(toc, log, units)
    assert split[1][0] == "\\contentsline {part}{\\numberline {第I部\\hspace *{1\\jlreq@gol }}基礎編}{1}{part.1}%"
    assert split[1][1] == "\\addvspace {10\\p@ }"
    assert split[1][2].endswith("{2}{chapter.1}%") and "{\\bfseries x}" in split[1][2]
    assert split[2] == ["\\contentsline {chapter}{\\numberline {第2章}二}{1}{chapter.2}%"]
    entries = [{"job": "a" * 64, "toc": split[1]}, {"job": "b" * 64, "toc": split[2]}]
    merged = pdf_front.merged_toc(entries, [1, 5]).splitlines()
    assert merged[0].endswith("{1}{zbu1.part.1}%")
    assert merged[2].endswith("{2}{zbu1.chapter.1}%")
    assert merged[3].endswith("{5}{zbu2.chapter.2}%")


def test_a_toc_entry_on_a_page_no_unit_has_is_an_error(tmp_path):
    toc = tmp_path / "book.toc"
    toc.write_text("\\contentsline {chapter}{一}{42}{chapter.1}%\n", encoding="utf-8")
    log = pdf_jobs.JobLog([page(1)], {1: [0]}, {})
    with pytest.raises(ValueError):
        pdf_units.split_toc(toc, log, [unit(1, "one")])


def test_counters_carry_over_only_when_chapter_does_not_reset_them():
    resets = {"chapter": ["section", "footnote", "figure"], "section": ["subsection"], "part": []}
    previous = {"counters": {"footnote": 4, "figure": 2, "equation": 7, "table": 0}, "resets": resets}
    assert pdf_units.carried_counters(previous, unit(2, "two")) == {"equation": 7}
    assert pdf_units.carried_counters(None, unit(1, "one")) == {}
    previous["resets"] = {**resets, "part": ["equation"]}
    assert pdf_units.carried_counters(previous, unit(2, "two", has_part=True)) == {}


def test_a_part_unit_is_compiled_again_when_it_lands_on_the_other_parity():
    units = [unit(1, "one"), unit(2, "two", has_part=True), unit(3, "three")]
    entries = [entry(3), entry(4, parity_dependent=True, start="odd"), entry(2, start="odd")]
    # unit 2 starts on page 4: even; it was compiled starting odd and its pages depend on it
    assert pdf_build.inherit(units, entries) is True
    assert [u.parity for u in units] == ["any", "even", "any"]
    entries[1] = entry(5, parity_dependent=True, start="even")
    assert pdf_build.inherit(units, entries) is False          # settled; unit 3 depends on nothing


def test_unequal_margins_make_every_unit_parity_dependent():
    units = [unit(1, "one"), unit(2, "two")]
    entries = [entry(3, geometry=["10pt", "20pt", "0pt", "0pt"]), entry(2, geometry=["10pt", "20pt", "0pt", "0pt"])]
    assert pdf_build.inherit(units, entries) is True
    assert [u.parity for u in units] == ["any", "even"]


def test_stamp_keys_hold_only_what_a_head_or_foot_reads():
    base = "b"
    # odd head reads the marks, odd foot the page number; even ones the same
    p = pdf_jobs.Page(3, "headings", True, ["-m", "p-", "-m", "p-"], ["oh", "of", "eh", "ef"], "{A}{a}", "{A}{b}", "-")
    head7, foot7 = pdf_stamps.stamps_for(base, p, 7, "{A}{a}", "{A}{b}")
    head9, foot9 = pdf_stamps.stamps_for(base, p, 9, "{A}{a}", "{A}{b}")
    head8, foot8 = pdf_stamps.stamps_for(base, p, 8, "{A}{a}", "{A}{b}")
    assert head7.key == head9.key                 # same parity, same marks: one stamp
    assert head7.key != head8.key and head8.expect == "eh" and head7.expect == "oh"
    assert foot7.key != foot9.key                 # the number differs
    other_marks = pdf_stamps.stamps_for(base, p, 7, "{B}{a}", "{B}{b}")
    assert other_marks[0].key != head7.key and other_marks[1].key == foot7.key


def test_a_page_without_marks_of_its_own_inherits_the_last_mark_before_it():
    plan = pdf_units.Plan(pdf_split.BookTex("\\documentclass{jlreq}\n", "", []), "base", {}, {})
    pages = [pdf_jobs.Page(1, "empty", False, ["--"] * 4, ["e"] * 4, "", "", "-"),
             pdf_jobs.Page(2, "headings", True, ["-m", "p-"] * 2, ["h"] * 4, "{C1}{}", "{C1}{S1}", "-"),
             pdf_jobs.Page(3, "headings", False, ["-m", "p-"] * 2, ["h"] * 4, "", "", "-")]
    entries = [{"pages": [p.dump() for p in pages]}]
    pairs = pdf_build.main_stamps(plan, entries, [1], None)
    assert pairs[0][0] is not None and pairs[0][1] is not None    # an empty head and foot read nothing
    assert (pairs[2][0].first, pairs[2][0].last) == ("{C1}{S1}", "{C1}{S1}")
    marked = [pdf_jobs.Page(1, "headings", False, ["-m", "p-"] * 2, ["h"] * 4, "", "", "-")]
    pending = pdf_build.main_stamps(plan, [{"pages": [p.dump() for p in marked]}], [1], None)
    assert pending[0][0] is None and pending[0][1] is not None     # waits for the front matter
    known = pdf_build.main_stamps(plan, [{"pages": [p.dump() for p in marked]}], [1], "{目次}{目次}")
    assert known[0][0].first == "{目次}{目次}"


def test_units_are_batched_while_consecutive_then_split_for_every_core():
    units = [unit(i, f"u{i}", size=100) for i in (1, 2, 3, 5, 6)]
    groups = pdf_units.group_units(units, batch=True, workers=2)
    assert [[u.segment.index for u in g] for g in groups] == [[1, 2, 3], [5, 6]]
    many = [unit(i, f"u{i}", size=pdf_jobs.JOB_TEX_BYTES // 2) for i in range(1, 13)]
    sizes = [len(g) for g in pdf_units.group_units(many, batch=True, workers=2)]
    assert sizes == [2] * 6                      # 6 x JOB_TEX_BYTES of LaTeX: six jobs, three per core
    assert [[u.segment.index for u in g] for g in pdf_units.group_units(units, batch=False)] == [[1], [2], [3], [5], [6]]
    assert [[u.segment.index for u in g] for g in pdf_units.balanced(groups, 3)] == [[1, 2], [3], [5, 6]]
    assert len(pdf_units.balanced([[units[0]]], 2)) == 1


def test_unit_outline_takes_the_part_apart_from_its_chapters():
    node = pdf_assemble.Node
    tree = [node("第3章", "chapter.3", False, 0, [node("3.1", "section.3.1", False, 1, [])]),
            node("第II部", "part.2", False, 3, [
                node("第4章", "chapter.4", False, 4, [node("4.1", "section.4.1", False, 4, [])]),
                node("第5章", "chapter.5", False, 6, [])])]
    part, roots = pdf_assemble.unit_outline(tree, {"positions": [2, 3, 4, 5], "has_part": True})
    assert part.title == "第II部" and [r.title for r in roots] == ["第4章"]
    part, roots = pdf_assemble.unit_outline(tree, {"positions": [0, 1], "has_part": False})
    assert part is None and [r.title for r in roots] == ["第3章"]


def test_job_log_lines_are_read_back(tmp_path):
    first = "{第1章\\protect \\quad 一}{}".encode().hex()
    lines = ["resets chapter section,footnote,", "geometry -3.3pt -3.3pt 0pt 0pt", "unit 2 begin 1", "parity",
             f"page 1 headings 1 -m p- -m p- a b c d x{first} x{first} -", "unit 2 end footnote=3 table=0"]
    path = tmp_path / "book.zbpages"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    log = pdf_jobs.read_job_log(path)
    assert log.resets == {"chapter": ["section", "footnote"]}
    assert log.unit_pages == {2: [0]} and log.unit_start == {2: 1} and log.unit_parity == {2}
    assert log.pages[0].first == "{第1章\\protect \\quad 一}{}" and log.pages[0].hashes == ["a", "b", "c", "d"]
    assert log.unit_counters == {2: {"footnote": 3, "table": 0}}


def test_xmp_gets_the_page_count_every_jobs_fonts_and_the_builds_dates():
    def packet(count, fonts):
        items = "".join(f'<rdf:li rdf:parseType="Resource"><stFnt:fontName>{f}</stFnt:fontName></rdf:li>'
                        for f in fonts)
        return (f'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
                f'<rdf:RDF xmlns:rdf="{pdf_assemble.XMP_NS["rdf"]}"><rdf:Description xmlns:prism="{pdf_assemble.XMP_NS["prism"]}" '
                f'xmlns:xmpTPg="{pdf_assemble.XMP_NS["xmpTPg"]}" xmlns:stFnt="{pdf_assemble.XMP_NS["stFnt"]}" '
                f'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:MetadataDate="1970-01-01T00:00:00Z">'
                f'<xmp:CreateDate>1970-01-01T00:00:00Z</xmp:CreateDate><prism:pageCount>{count}</prism:pageCount><prism:byteCount>99</prism:byteCount>'
                f'<xmpTPg:Fonts><rdf:Bag>{items}</rdf:Bag></xmpTPg:Fonts></rdf:Description></rdf:RDF>'
                f'</x:xmpmeta><?xpacket end="w"?>').encode()
    merged = pdf_assemble.book_xmp(packet(4, ["Serif"]), [packet(30, ["Serif", "Mono"])], 34, 1767225600)
    assert b"1970" not in merged                    # a cached front matter job's dates are replaced
    assert b"<xmp:CreateDate>2026-01-01T00:00:00Z</xmp:CreateDate>" in merged
    assert b'xmp:MetadataDate="2026-01-01T00:00:00Z"' in merged
    assert b"<prism:pageCount>34</prism:pageCount>" in merged and b"byteCount" not in merged
    assert merged.count(b"<stFnt:fontName>Serif") == 1 and b"<stFnt:fontName>Mono" in merged
    assert merged.startswith(b"<?xpacket begin") and merged.endswith(b'<?xpacket end="w"?>')


# -- helpers ---------------------------------------------------------------------------------------

def page(counter: int) -> pdf_jobs.Page:
    return pdf_jobs.Page(counter, "headings", True, ["-m", "p-"] * 2, ["h"] * 4, "{x}{}", "{x}{}", "-")


def unit(index: int, slug: str, has_part: bool = False, size: int = 10) -> pdf_units.Unit:
    return pdf_units.Unit(pdf_split.Segment(index, slug, f"%zb:article={slug}\n", 0, has_part), "x" * size)


def entry(pages: int, parity_dependent: bool = False, start: str = "odd",
          geometry: list[str] | None = None) -> dict:
    return {"pages": [[0]] * pages, "counters": {}, "resets": {"chapter": ["footnote"]},
            "geometry": geometry or ["0pt", "0pt", "0pt", "0pt"], "parity_dependent": parity_dependent,
            "start_parity": start, "has_part": False}


def test_a_job_starts_with_a_chapter_that_opens_a_part_only_when_nothing_else_can():
    """A chapter that opens a part is set on an odd page: at the head of a job it would be
    compiled again whenever the jobs before it end on the other parity. The sample book's
    chapter 4 opens its second part; its LaTeX grew and a cold build compiled it twice."""
    units = [unit(1, "u1", has_part=True, size=100), unit(2, "u2", size=100), unit(3, "u3", size=100),
             unit(4, "u4", has_part=True, size=100), unit(5, "u5", size=100)]
    groups = pdf_units.group_units(units, batch=True, workers=2)
    assert [[u.segment.index for u in g] for g in groups] == [[1, 2, 3, 4], [5]]
    assert all(g[0].segment.index == 1 or not g[0].segment.has_part for g in groups)
    one = [[unit(1, "u1", size=100), unit(2, "u2", size=100), unit(3, "u3", has_part=True, size=100),
            unit(4, "u4", size=100)]]
    assert [[u.segment.index for u in g] for g in pdf_units.balanced(one, 2)] == [[1, 2, 3], [4]]
    every = [unit(i, f"u{i}", has_part=True, size=pdf_jobs.JOB_TEX_BYTES // 2) for i in range(1, 13)]
    assert max(len(g) for g in pdf_units.group_units(every, batch=True, workers=2)) <= 3   # jobs stay bounded
    parts = [[unit(1, "u1", size=100), unit(2, "u2", has_part=True, size=100), unit(3, "u3", has_part=True, size=100)]]
    assert [[u.segment.index for u in g] for g in pdf_units.balanced(parts, 2)] == [[1, 2], [3]]   # no choice: the middle
