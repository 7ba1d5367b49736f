"""Assembly with pikepdf: front pages, then every unit page with its stamps, links rebuilt across
units, the outline, page labels, metadata and XMP; saved with a content-derived /ID."""
from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from ...cache import Cache
from ...safety.pdf import remove_unsafe_actions
from .fontshare import cut_font_programs, share_font_programs
from .front import anchor_prefix
from .jobs import JOB, MAIN_PAGE_LABEL
from .presets import layout_for, page_boxes
from .store import lookup

# -- assembly ----------------------------------------------------------------------------------------

@dataclass
class Node:
    """An outline item of a job's PDF, read once."""
    title: str
    target: object                  # a destination name, or None
    closed: bool
    position: int | None            # the page (index in the job's PDF) it leads to
    children: list["Node"]


class Sources:
    """The jobs' PDFs, opened once each, with their named destinations and outlines."""

    def __init__(self, root: Path):
        self.root = root
        self.pdfs: dict[str, object] = {}
        self.names: dict[str, dict] = {}
        self.index: dict[str, dict] = {}
        self.outlines: dict[str, list[Node]] = {}

    def pdf(self, job: str):
        import pikepdf
        if job not in self.pdfs:
            self.pdfs[job] = pikepdf.open(self.root / "jobs" / job / f"{JOB}.pdf")
        return self.pdfs[job]

    def dests(self, job: str) -> dict:
        """Destination name -> (page index in the job's PDF, the view after the page)."""
        import pikepdf
        if job not in self.names:
            pdf = self.pdf(job)
            index = self.page_index(job)
            found = {}
            names = pdf.Root.get("/Names")
            items = list(pikepdf.NameTree(names.Dests).items()) if names is not None and "/Dests" in names else []
            if "/Dests" in pdf.Root:
                items += [(str(k)[1:], v) for k, v in pdf.Root.Dests.items()]
            for name, value in items:
                array = value.get("/D") if isinstance(value, pikepdf.Dictionary) else value
                if isinstance(array, pikepdf.Array) and len(array) and array[0].objgen in index:
                    found[str(name)] = (index[array[0].objgen], list(array[1:]))
            self.names[job] = found
        return self.names[job]

    def page_index(self, job: str) -> dict:
        if job not in self.index:
            self.index[job] = {page.obj.objgen: i for i, page in enumerate(self.pdf(job).pages)}
        return self.index[job]

    def outline(self, job: str) -> list[Node]:
        if job not in self.outlines:
            with self.pdf(job).open_outline() as outline:
                self.outlines[job] = [self.node(job, item) for item in outline.root]
        return self.outlines[job]

    def node(self, job: str, item) -> Node:
        target = item.destination
        if target is None and item.action is not None and item.action.get("/S") == "/GoTo":
            target = item.action.get("/D")
        name = dest_name(target)
        position = self.dests(job).get(name, (None,))[0] if name else None
        return Node(item.title, name, item.is_closed, position, [self.node(job, c) for c in item.children])


def dest_name(target) -> str | None:
    """The name of a named destination (a string, or a PDF name), else None."""
    import pikepdf
    if isinstance(target, pikepdf.Name):
        return str(target)[1:]
    if isinstance(target, (pikepdf.String, str)):
        return str(target)
    return None


def assemble(out_path: Path, root: Path, front: dict, entries: list[dict],
             stamp_keys: list[tuple[str, str]], book, store: Cache, epoch: int,
             slugs: list[str] = ()) -> None:
    """Front pages, unit pages with their stamps, then links, outline, labels and metadata;
    the print boxes on every page; a named destination at each chapter's first page."""
    import pikepdf
    sources = Sources(root)
    pdf = pikepdf.new()
    placed: dict[tuple[str, int], int] = {}
    origin: list[str] = []
    for job, positions in [(front["job"], range(len(front["pages"])))] + \
            [(e["job"], e["positions"]) for e in entries]:
        source = sources.pdf(job)
        for offset, position in enumerate(positions):
            placed[(job, position)] = len(pdf.pages) + offset
            origin.append(job)
        with warnings.catch_warnings():     # named destinations are made explicit below
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning if hasattr(pikepdf, "PageCopyWarning")
                                  else UserWarning)
            pdf.pages.extend([source.pages[p] for p in positions])
    front_count = len(front["pages"])
    lay_stamps(pdf, sources, store, stamp_keys, front_count)
    prefixes = {anchor_prefix(i): e["job"] for i, e in enumerate(entries, start=1)}
    link_pages(pdf, sources, placed, origin, prefixes)
    build_outline(pdf, sources, placed, front, entries)
    label_pages(pdf, sources.pdf(front["job"]), front_count)
    copy_metadata(pdf, sources, front, entries, epoch)
    mark_chapters(pdf, front_count, entries, slugs)
    set_print_boxes(pdf, layout_for(book.pdf, book.pdf.gutter_pages))
    remove_unsafe_actions(pdf)            # the second wall: the LaTeX writer links only what is allowed
    share_font_programs(pdf)
    cut_font_programs(pdf, root / "shared" / "fonts")
    pdf.save(out_path, deterministic_id=True, linearize=False,
             object_stream_mode=pikepdf.ObjectStreamMode.generate)
    for opened in sources.pdfs.values():
        opened.close()


def mark_chapters(pdf, front_count: int, entries: list[dict], slugs: list[str]) -> None:
    """`zb-chapter-<slug>`: the first page of each chapter's unit (its part page first, when it
    opens a part), as a named destination: `book.pdf#zb-chapter-<slug>` opens it, and the
    per-chapter PDFs are cut along them (chapters.py)."""
    import pikepdf
    if not slugs:
        return
    tree = pikepdf.NameTree.new(pdf)
    start = front_count
    for slug, entry in zip(slugs, entries):
        tree[chapter_destination(slug)] = pikepdf.Array([pdf.pages[start].obj, pikepdf.Name.Fit])
        start += len(entry["positions"])
    pdf.Root.Names = pikepdf.Dictionary(Dests=tree.obj)


def chapter_destination(slug: str) -> str:
    return f"zb-chapter-{slug}"


def set_print_boxes(pdf, layout) -> None:
    """TrimBox and BleedBox on every page when the book has a trim (a preset, crop marks or a
    bleed); the media cut at the trim on the spine side when the service wants no bleed there."""
    import pikepdf
    if not layout.trimmed:
        return
    for index, page in enumerate(pdf.pages):
        media = tuple(float(v) for v in page.mediabox)
        for key, box in page_boxes(media, layout, recto=index % 2 == 0).items():
            page.obj[key] = pikepdf.Array([round(v, 3) for v in box])


def lay_stamps(pdf, sources: Sources, store: Cache, stamp_keys, front_count: int) -> None:
    """Each main page gets its head stamp drawn before its content and its foot stamp after
    it: the order a monolithic page has (head, body, foot, license line), so text extraction
    reads them in the same order. Resource names are fixed (pikepdf's overlays pick random
    ones, and the bytes must not change from build to build)."""
    import pikepdf
    forms: dict[str, object] = {}

    def form(key: str):
        if key not in forms:
            entry = lookup(store, "stamp", key)
            if entry is None:
                raise RuntimeError(f"pdfunits: stamp {key[:12]} is not in the cache")
            page = sources.pdf(entry["job"]).pages[entry["position"]]
            forms[key] = (pdf.copy_foreign(page.as_form_xobject()), list(page.mediabox))
        return forms[key]

    for offset, (head, foot) in enumerate(stamp_keys):
        page = pdf.pages[front_count + offset]
        (head_form, head_box), (foot_form, foot_box) = form(head), form(foot)
        if head_box != list(page.mediabox) or foot_box != list(page.mediabox):
            raise RuntimeError(f"pdfunits: page {front_count + offset + 1} and its stamps differ in size")
        resources = pikepdf.Dictionary(page.obj.get("/Resources", pikepdf.Dictionary()))
        xobjects = pikepdf.Dictionary(resources.get("/XObject", pikepdf.Dictionary()))
        head_name, foot_name = free_name(xobjects, "/zbHead"), free_name(xobjects, "/zbFoot")
        xobjects[head_name], xobjects[foot_name] = head_form, foot_form
        resources.XObject = xobjects
        page.obj.Resources = resources
        page.contents_add(pikepdf.Stream(pdf, f"q {head_name} Do Q\nq\n".encode()), prepend=True)
        page.contents_add(pikepdf.Stream(pdf, f"\nQ\nq {foot_name} Do Q\n".encode()))


def free_name(names, wanted: str) -> str:
    name, number = wanted, 1
    while name in names:
        name, number = f"{wanted}{number}", number + 1
    return name


def resolve(sources: Sources, placed: dict, job: str, target, prefixes: dict):
    """A named destination of `job` as (page index in the joined PDF, view), or None. Names
    with a job's prefix (the front matter's table of contents) are that job's."""
    name = dest_name(target)
    if name is None:
        return None
    for prefix, other in prefixes.items():
        if name.startswith(prefix):
            job, name = other, name[len(prefix):]
            break
    found = sources.dests(job).get(name)
    if found is None or (job, found[0]) not in placed:
        return None
    return placed[(job, found[0])], found[1]


def explicit(pdf, where: tuple[int, list]):
    import pikepdf
    index, view = where
    return pikepdf.Array([pdf.pages[index].obj, *view])


def link_pages(pdf, sources: Sources, placed: dict, origin: list[str], prefixes: dict) -> None:
    """Internal links point at pages of the joined PDF (named destinations of each job become
    explicit ones: names repeat from job to job)."""
    import pikepdf
    for index, page in enumerate(pdf.pages):
        for annot in page.obj.get("/Annots", []):
            if annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            if "/Dest" in annot:
                where = resolve(sources, placed, origin[index], annot.Dest, prefixes)
                if where is not None:
                    annot.Dest = explicit(pdf, where)
            elif action is not None and action.get("/S") == "/GoTo":
                where = resolve(sources, placed, origin[index], action.get("/D"), prefixes)
                if where is not None:
                    annot.A = pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=explicit(pdf, where))


def build_outline(pdf, sources: Sources, placed: dict, front: dict, entries: list[dict]) -> None:
    """The front matter's bookmarks, then each unit's: its part (a new top-level item that
    the chapters after it go under) and its chapters with their sections."""
    import pikepdf

    def item(job: str, node: Node, children: bool = True):
        where = placed.get((job, node.position)) if node.position is not None else None
        view = sources.dests(job).get(node.target, (None, []))[1] if node.target else []
        made = pikepdf.OutlineItem(node.title, explicit(pdf, (where, view)) if where is not None else None)
        made.is_closed = node.closed
        if children:
            made.children.extend(item(job, child) for child in node.children)
        return made

    with pdf.open_outline(strict=False) as outline:
        outline.root.clear()
        outline.root.extend(item(front["job"], node) for node in sources.outline(front["job"]))
        container = outline.root
        for entry in entries:
            part, roots = unit_outline(sources.outline(entry["job"]), entry)
            if part is not None:
                container = item(entry["job"], part, children=False)
                outline.root.append(container)
                container = container.children
            container.extend(item(entry["job"], node) for node in roots)


def unit_outline(nodes: list[Node], entry: dict) -> tuple[Node | None, list[Node]]:
    """The unit's part item (its first item: the part page comes first) and its other
    top-most items. A job's own nesting is not trusted for parts: in a job that starts with a
    chapter, the bookmark package may nest the next part under that chapter."""
    mine = set(entry["positions"])
    part: Node | None = None
    roots: list[Node] = []

    def visit(node: Node) -> None:
        nonlocal part
        if node.position in mine and entry["has_part"] and part is None:
            part = node
            for child in node.children:
                visit(child)
        elif node.position in mine:
            roots.append(node)
        else:
            for child in node.children:
                visit(child)

    for node in nodes:
        visit(node)
    return part, roots


def label_pages(pdf, front_pdf, front_count: int) -> None:
    """The front matter's page labels (roman), then arabic from 1, as \\mainmatter numbers."""
    import pikepdf
    nums = []
    labels = front_pdf.Root.get("/PageLabels")
    if labels is not None and "/Nums" in labels:
        values = list(labels.Nums)
        for start, style in zip(values[0::2], values[1::2]):
            if int(start) < front_count:
                nums += [int(start), foreign(pdf, front_pdf, style)]
    nums += [front_count, pikepdf.Dictionary({k: pikepdf.Name(v) for k, v in MAIN_PAGE_LABEL.items()})]
    pdf.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array(nums))


def foreign(pdf, source, value):
    """`value` of the PDF `source` as an object of `pdf`."""
    import pikepdf
    if isinstance(value, (pikepdf.Dictionary, pikepdf.Array)):
        return pdf.copy_foreign(value if value.is_indirect else source.make_indirect(value))
    return value


def copy_metadata(pdf, sources: Sources, front: dict, entries: list[dict], epoch: int) -> None:
    """Title, author, subject, keywords, license: the front matter job's (the same preamble as
    every job); its XMP gets the book's page count and the fonts of every job. The dates are
    the build's: the front matter job may come from the cache of an earlier build."""
    import pikepdf
    front_pdf = sources.pdf(front["job"])
    pdf.trailer.Info = pdf.copy_foreign(front_pdf.trailer.Info)
    for key in ("/CreationDate", "/ModDate"):
        pdf.trailer.Info[key] = pikepdf.String(pdf_date(epoch))
    for key in ("/PageMode", "/ViewerPreferences", "/Lang"):
        if key in front_pdf.Root:
            pdf.Root[key] = foreign(pdf, front_pdf, front_pdf.Root[key])
    action = front_pdf.Root.get("/OpenAction")
    if isinstance(action, pikepdf.Dictionary) and isinstance(action.get("/D"), pikepdf.Array):
        view = list(action.D[1:])
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.GoTo, D=explicit(pdf, (0, view)))
    if "/Metadata" in front_pdf.Root:
        jobs = [front["job"], *dict.fromkeys(e["job"] for e in entries)]
        others = [bytes(sources.pdf(j).Root.Metadata.read_bytes()) for j in jobs[1:]
                  if "/Metadata" in sources.pdf(j).Root]
        xmp = book_xmp(bytes(front_pdf.Root.Metadata.read_bytes()), others, len(pdf.pages), epoch)
        stream = pikepdf.Stream(pdf, xmp)
        stream.Type, stream.Subtype = pikepdf.Name.Metadata, pikepdf.Name.XML
        pdf.Root.Metadata = pdf.make_indirect(stream)


XMP_DATES = tuple("{http://ns.adobe.com/xap/1.0/}" + name for name in ("CreateDate", "ModifyDate", "MetadataDate"))
XMP_NS = {"prism": "http://prismstandard.org/namespaces/basic/3.0/",
          "xmpTPg": "http://ns.adobe.com/xap/1.0/t/pg/",
          "stFnt": "http://ns.adobe.com/xap/1.0/sType/Font#",
          "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}


def pdf_date(epoch: int) -> str:
    return "D:" + time.strftime("%Y%m%d%H%M%S", time.gmtime(epoch)) + "Z"


def book_xmp(front: bytes, others: list[bytes], pages: int, epoch: int) -> bytes:
    """hyperxmp's packet of the front matter job, with the joined PDF's page count, without
    its byte count (of no file we write), with the build's dates and the fonts every job used."""
    from lxml import etree
    head, _, rest = front.partition(b"<x:xmpmeta")
    body, _, tail = rest.rpartition(b"</x:xmpmeta>")
    tree = etree.fromstring(b"<x:xmpmeta" + body + b"</x:xmpmeta>")
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
    for element in tree.iter():
        for name in XMP_DATES:
            if element.tag == name:
                element.text = when
            if name in element.attrib:
                element.set(name, when)
    for count in tree.iterfind(".//prism:pageCount", XMP_NS):
        count.text = str(pages)
    for size in list(tree.iterfind(".//prism:byteCount", XMP_NS)):
        size.getparent().remove(size)
    bag = tree.find(".//xmpTPg:Fonts/rdf:Bag", XMP_NS)
    if bag is not None:
        known = {font_name(li) for li in bag}
        for other in others:
            start, end = other.find(b"<x:xmpmeta"), other.rfind(b"</x:xmpmeta>")
            if start < 0 or end < 0:
                continue
            for li in etree.fromstring(other[start:end + len(b"</x:xmpmeta>")]).iterfind(
                    ".//xmpTPg:Fonts/rdf:Bag/rdf:li", XMP_NS):
                if font_name(li) not in known:
                    known.add(font_name(li))
                    bag.append(li)
    return head + etree.tostring(tree, encoding="utf-8") + tail


def font_name(li) -> str:
    found = li.find("stFnt:fontName", XMP_NS)
    return found.text if found is not None else etree_text(li)


def etree_text(element) -> str:
    return "".join(element.itertext())
