"""The units' PDFs joined into one tagged PDF with pikepdf.

Each unit is a complete PDF/UA document from WeasyPrint; joining keeps what makes it
accessible:

- the structure trees: each unit's /Document element's children become children of one
  /Document, in unit order (the reading order); the parent trees are renumbered (a page's
  /StructParents, an annotation's /StructParent) and merged into one number tree;
- the named destinations (every id) merged, and CROSS_UNIT links turned into jumps to them;
- the bookmarks: each unit's own, chapters nested under their part;
- /Lang, /MarkInfo, /ViewerPreferences /DisplayDocTitle, the XMP metadata with the title,
  the language, the license and the PDF/UA identification, page labels 1, 2, ....

pikepdf copies objects across files with one map per source, so a page copied first and
the structure element naming it later point to the same copied page.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from .units import CROSS_UNIT


@dataclass
class Joined:
    """What the join gathers while it copies unit after unit."""
    pdf: pikepdf.Pdf
    document: Dictionary                    # the one /Document structure element
    parent_nums: list = field(default_factory=list)
    next_parent: int = 0
    dests: dict[str, object] = field(default_factory=dict)
    outline: list = field(default_factory=list)    # (part index or None, [OutlineItem])


def join_units(paths: list[Path], parts: list[int | None], out: Path, metadata: dict) -> None:
    """Join the unit PDFs at `paths` (their parts in `parts`, for the bookmarks) into `out`."""
    pdf = pikepdf.new()
    root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=root, K=Array()))
    root.K = Array([document])
    joined = Joined(pdf, document)
    for path, part in zip(paths, parts):
        with pikepdf.open(path) as unit:
            add_unit(joined, unit, part)
    root.ParentTree = pdf.make_indirect(Dictionary(Nums=Array(joined.parent_nums)))
    root.ParentTreeNextKey = joined.next_parent
    pdf.Root.StructTreeRoot = root
    finish(joined, metadata)
    pdf.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)


def add_unit(joined: Joined, unit: pikepdf.Pdf, part: int | None) -> None:
    pdf, first_page = joined.pdf, len(joined.pdf.pages)
    with warnings.catch_warnings():     # "named destinations not kept": add_unit copies them
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        pdf.pages.extend(unit.pages)
    offset = joined.next_parent
    highest = add_structure(joined, unit, offset)
    for page in pdf.pages[first_page:]:
        renumber_page(page, offset)
    joined.next_parent = offset + highest + 1
    for name, dest in named_dests(unit):
        joined.dests[name] = copy(pdf, unit, dest)
    joined.outline.append((part, copy_outline(pdf, unit)))


def add_structure(joined: Joined, unit: pikepdf.Pdf, offset: int) -> int:
    """The unit's structure under the book's /Document; its parent tree renumbered by
    `offset`. Returns its highest parent key (-1: none)."""
    tree = unit.Root.get("/StructTreeRoot")
    if tree is None:
        return -1
    for top in as_list(tree.get("/K")):
        kids = as_list(top.get("/K")) if top.get("/S") == Name.Document else [top]
        for kid in kids:
            copied = copy(joined.pdf, unit, kid)
            if isinstance(copied, Dictionary):
                copied.P = joined.document
            joined.document.K.append(copied)
    highest = -1
    for key, value in number_tree(tree.get("/ParentTree")):
        joined.parent_nums += [key + offset, copy(joined.pdf, unit, value)]
        highest = max(highest, key)
    return highest


def renumber_page(page: pikepdf.Page, offset: int) -> None:
    if "/StructParents" in page.obj:
        page.obj.StructParents = int(page.obj.StructParents) + offset
    for annot in page.obj.get("/Annots", []):
        if "/StructParent" in annot:
            annot.StructParent = int(annot.StructParent) + offset


def as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, Array) else [value]


def number_tree(node) -> list[tuple[int, object]]:
    """The (key, value) pairs of a PDF number tree, in order."""
    if node is None:
        return []
    pairs = []
    nums = node.get("/Nums")
    if nums is not None:
        pairs += [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums) - 1, 2)]
    for kid in node.get("/Kids", []):
        pairs += number_tree(kid)
    return pairs


def named_dests(unit: pikepdf.Pdf) -> list[tuple[str, object]]:
    names = unit.Root.get("/Names")
    if names is None or "/Dests" not in names:
        return []
    return [(str(k), v) for k, v in pikepdf.NameTree(names.Dests).items()]


def copy(pdf: pikepdf.Pdf, unit: pikepdf.Pdf, obj):
    """`obj` of `unit` copied into `pdf` (a direct array or dictionary made indirect first:
    pikepdf copies only indirect objects, and keeps one map per source for those)."""
    if isinstance(obj, (Array, Dictionary)) and not obj.is_indirect:
        obj = unit.make_indirect(obj)
    return pdf.copy_foreign(obj) if isinstance(obj, (Array, Dictionary)) else obj


def copy_outline(pdf: pikepdf.Pdf, unit: pikepdf.Pdf) -> list[pikepdf.OutlineItem]:
    with unit.open_outline() as outline:
        return [copy_item(pdf, unit, item) for item in outline.root]


def copy_item(pdf: pikepdf.Pdf, unit: pikepdf.Pdf, item: pikepdf.OutlineItem) -> pikepdf.OutlineItem:
    destination = item.destination
    if isinstance(destination, Array):
        destination = copy(pdf, unit, destination)
    copied = pikepdf.OutlineItem(item.title, destination)
    copied.children = [copy_item(pdf, unit, child) for child in item.children]
    return copied


# -- the whole document -------------------------------------------------------------------

def finish(joined: Joined, metadata: dict) -> None:
    pdf = joined.pdf
    names = pikepdf.NameTree.new(pdf)
    for name in sorted(joined.dests):
        names[name] = joined.dests[name]
    pdf.Root.Names = Dictionary(Dests=names.obj)
    resolve_cross_links(pdf, set(joined.dests))
    write_outline(pdf, joined.outline)
    pdf.Root.Lang = String(metadata["lang"])
    pdf.Root.MarkInfo = Dictionary(Marked=True)
    pdf.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    pdf.Root.PageMode = Name.UseOutlines
    pdf.Root.PageLabels = Dictionary(Nums=Array([0, Dictionary(S=Name.D)]))
    write_metadata(pdf, metadata)


def resolve_cross_links(pdf: pikepdf.Pdf, names: set[str]) -> None:
    """A CROSS_UNIT link becomes a jump to its named destination (every such link was made
    for an id that exists: units.cross_unit_links)."""
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", []):
            action = annot.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if not uri.startswith(CROSS_UNIT):
                continue
            target = unquote(uri[len(CROSS_UNIT):])
            del annot["/A"]
            if target in names:
                annot.Dest = String(target)


def write_outline(pdf: pikepdf.Pdf, units: list) -> None:
    """Bookmarks: the front matter's, each part's page with its chapters' inside."""
    with pdf.open_outline() as outline:
        current_part, holder = None, None
        for part, items in units:
            if part is not None and part != current_part and items:
                current_part, holder = part, items[0]
                outline.root.append(holder)
                holder.children.extend(items[1:])
            elif part is not None and holder is not None:
                holder.children.extend(items)
            else:
                current_part, holder = None, None
                outline.root.extend(items)


def write_metadata(pdf: pikepdf.Pdf, metadata: dict) -> None:
    pdf.docinfo.Title = metadata["title"]
    if metadata.get("author"):
        pdf.docinfo.Author = metadata["author"]
    if metadata.get("rights"):
        pdf.docinfo.Subject = metadata["rights"]
    pdf.docinfo.Producer = metadata["producer"]
    pdf.docinfo.CreationDate = pdf.docinfo.ModDate = metadata["date"].strftime("D:%Y%m%d%H%M%SZ")
    with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
        xmp.register_xml_namespace("http://www.aiim.org/pdfua/ns/id/", "pdfuaid")
        xmp["dc:title"] = metadata["title"]
        xmp["dc:language"] = [metadata["lang"]]
        if metadata.get("author"):
            xmp["dc:creator"] = [metadata["author"]]
        if metadata.get("rights"):
            xmp["dc:rights"] = metadata["rights"]
            xmp["xmpRights:Marked"] = "True"
        if metadata.get("license_url"):
            xmp["xmpRights:WebStatement"] = metadata["license_url"]
        xmp["pdf:Producer"] = metadata["producer"]
        xmp["xmp:CreateDate"] = xmp["xmp:ModifyDate"] = metadata["date"].isoformat()
        xmp["pdfuaid:part"] = "1"
