"""Per-chapter PDFs cut from the book (no second LaTeX run): `chapters/<NN>-<slug>.pdf`.

A chapter's pages are the book's own pages from its `zb-chapter-<slug>` destination (set by
the assembly at its unit's first page: its part page first when it opens a part) to the next
chapter's, so they keep the book's page numbers (the page labels start where the book's do),
running heads and license line. Links whose target is inside the chapter are kept and point at
the chapter's pages; links to other chapters are removed (the text stays); web links are
kept. The outline is the book's items that lead inside the chapter, with their nesting.
"""
from __future__ import annotations

from pathlib import Path

from ...outputs import atomic_output
from .assemble import chapter_destination

PREFIX = chapter_destination("")


def chapter_ranges(pdf) -> list[tuple[str, int, int]]:
    """(slug, first page index, end page index) of every chapter, in page order."""
    import pikepdf
    names = pdf.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return []
    index = {page.objgen: i for i, page in enumerate(pdf.pages)}
    starts = sorted((index[value[0].objgen], str(name)[len(PREFIX):])
                    for name, value in pikepdf.NameTree(names.Dests).items()
                    if str(name).startswith(PREFIX) and isinstance(value, pikepdf.Array))
    ends = [s for s, _ in starts[1:]] + [len(pdf.pages)]
    return [(slug, start, end) for (start, slug), end in zip(starts, ends)]


def write_chapter_pdfs(book_pdf: Path, folder: Path) -> list[Path]:
    """One PDF per chapter of `book_pdf` in `folder`, numbered in book order."""
    import pikepdf
    with pikepdf.open(book_pdf) as pdf:
        ranges = chapter_ranges(pdf)
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for number, (slug, start, end) in enumerate(ranges, start=1):
        target = folder / f"{number:02d}-{slug}.pdf"
        with atomic_output(target) as temporary:
            cut_chapter(book_pdf, start, end, temporary)
        made.append(target)
    return made


def cut_chapter(book_pdf: Path, start: int, end: int, out_path: Path) -> None:
    import pikepdf
    with pikepdf.open(book_pdf) as pdf:
        kept = {pdf.pages[i].objgen for i in range(start, end)}
        outline = read_outline(pdf, kept)
        main_start = main_matter_start(pdf)
        for i in range(start, end):
            keep_inner_links(pdf.pages[i], kept)
        for i in reversed(range(len(pdf.pages))):
            if not start <= i < end:
                del pdf.pages[i]
        pdf.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array([0, pikepdf.Dictionary(
            S=pikepdf.Name.D, St=start - main_start + 1)]))
        for key in ("/Names", "/OpenAction"):
            if key in pdf.Root:
                del pdf.Root[key]
        write_outline(pdf, outline)
        pdf.save(out_path, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)


def main_matter_start(pdf) -> int:
    """The page index where the book's arabic numbers start (its last page label range)."""
    labels = pdf.Root.get("/PageLabels")
    if labels is None or "/Nums" not in labels:
        return 0
    return int(list(labels.Nums)[-2])


def target_page(annot):
    """The page object an internal link leads to (explicit destinations: the assembly makes
    every internal link one), else None."""
    import pikepdf
    dest = annot.get("/Dest")
    action = annot.get("/A")
    if dest is None and action is not None and action.get("/S") == "/GoTo":
        dest = action.get("/D")
    if isinstance(dest, pikepdf.Array) and len(dest) and isinstance(dest[0], pikepdf.Dictionary):
        return dest[0]
    return None


def keep_inner_links(page, kept: set) -> None:
    """Links into the chapter stay; internal links out of it go; web links stay."""
    import pikepdf
    annots = page.obj.get("/Annots")
    if annots is None:
        return
    survivors = []
    for annot in annots:
        internal = annot.get("/Dest") is not None or (annot.get("/A") is not None
                                                      and annot.A.get("/S") == "/GoTo")
        target = target_page(annot) if internal else None
        if internal and (target is None or target.objgen not in kept):
            continue
        survivors.append(annot)
    page.obj.Annots = pikepdf.Array(survivors)


def read_outline(pdf, kept: set) -> list:
    """[(title, destination, children)] of the book's items leading inside the chapter; an item
    leading elsewhere gives way to its children that lead inside."""
    with pdf.open_outline() as outline:
        return prune([node(item) for item in outline.root], kept)


def node(item) -> tuple:
    dest = item.destination
    if dest is None and item.action is not None and item.action.get("/S") == "/GoTo":
        dest = item.action.get("/D")
    return item.title, dest, [node(child) for child in item.children]


def prune(nodes: list, kept: set) -> list:
    import pikepdf
    found = []
    for title, dest, children in nodes:
        inner = prune(children, kept)
        if isinstance(dest, pikepdf.Array) and len(dest) and dest[0].objgen in kept:
            found.append((title, dest, inner))
        else:
            found.extend(inner)
    return found


def write_outline(pdf, nodes: list) -> None:
    import pikepdf

    def made(title, dest, children):
        item = pikepdf.OutlineItem(title, dest)
        item.children.extend(made(*child) for child in children)
        return item

    with pdf.open_outline(strict=False) as outline:
        outline.root.clear()
        outline.root.extend(made(*n) for n in nodes)
