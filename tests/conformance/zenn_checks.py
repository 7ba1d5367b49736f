"""Checks of a conformance case's meaning on our AST, one function per kind of check.

A case's expectation is a list of one-key mappings, `{kind: params}`; `CHECKS[kind]`
asserts it on the Outcome of running the case through the text stage, pandoc and FILTERS.
"""
from __future__ import annotations

from dataclasses import dataclass

import panflute as pf

from zennbook.diagnostics import Diagnostic
from zennbook.zenn import Rewritten

KINDS = {
    "admonition": lambda e: isinstance(e, pf.Div) and "admonition" in e.classes,
    "card": lambda e: isinstance(e, pf.Div) and "card" in e.classes,
    "embed": lambda e: isinstance(e, pf.Div) and "embed" in e.classes,
    "math": lambda e: isinstance(e, pf.Math),
    "image": lambda e: isinstance(e, pf.Image),
    "link": lambda e: isinstance(e, pf.Link),
    "raw": lambda e: isinstance(e, (pf.RawInline, pf.RawBlock)),
    "footnote": lambda e: isinstance(e, pf.Note),
    "figure": lambda e: isinstance(e, pf.Figure),
    "code": lambda e: isinstance(e, (pf.Code, pf.CodeBlock)),
    "linebreak": lambda e: isinstance(e, pf.LineBreak),
    "list": lambda e: isinstance(e, (pf.BulletList, pf.OrderedList)),
}


@dataclass
class Outcome:
    doc: pf.Doc
    rewritten: Rewritten
    diagnostics: list[Diagnostic]


def find(doc: pf.Doc, kind: str) -> list[pf.Element]:
    test = KINDS[kind] if kind in KINDS else (lambda e: type(e).__name__ == kind)
    found: list[pf.Element] = []
    doc.walk(lambda e, d: found.append(e) if test(e) else None)
    return found


def text(elem) -> str:
    return pf.stringify(elem).strip()


def admonition_kind(elem) -> str | None:
    return next((k for k in ("details", "message", "alert") if k in elem.classes), None)


def enclosing_admonition(elem) -> str | None:
    parent = elem.parent
    while parent is not None:
        if KINDS["admonition"](parent):
            return admonition_kind(parent)
        parent = parent.parent
    return None


def _one(candidates: list, what: str, params: dict) -> pf.Element:
    assert candidates, f"no {what} matching {params}"
    return candidates[0]


def check_admonition(out: Outcome, p: dict) -> None:
    found = [e for e in find(out.doc, "admonition") if admonition_kind(e) == p["kind"]
             and ("title" not in p or e.attributes.get("title") == p["title"])
             and p.get("text", "") in text(e)
             and ("inside" not in p or enclosing_admonition(e) == p["inside"])]
    _one(found, "admonition", p)


def check_card(out: Outcome, p: dict) -> None:
    found = [e for e in find(out.doc, "card") if e.attributes.get("url") == p["url"]
             and ("inside" not in p or enclosing_admonition(e) == p["inside"])]
    _one(found, "card", p)


def check_cards(out: Outcome, urls: list) -> None:
    assert [e.attributes.get("url") for e in find(out.doc, "card")] == urls


def check_embed(out: Outcome, p: dict) -> None:
    found = [e for e in find(out.doc, "embed") if e.attributes.get("kind") == p["kind"]
             and all(e.attributes.get(k) == str(v) for k, v in p.items()
                     if k in ("url", "lines", "start", "service"))
             and p.get("url_contains", "") in e.attributes.get("url", "")]
    _one(found, "embed", p)


def check_none(out: Outcome, kinds: list) -> None:
    for kind in kinds:
        assert not find(out.doc, kind), f"unexpected {kind}: {find(out.doc, kind)[:2]}"


def check_code(out: Outcome, p: dict) -> None:
    found = [e for e in find(out.doc, "CodeBlock") if e.classes == p["classes"]
             and e.attributes.get("filename") == p.get("filename")
             and ("text" not in p or e.text == p["text"])
             and p.get("text_contains", "") in e.text
             and ("inside" not in p or enclosing_admonition(e) == p["inside"])]
    _one(found, "code block", p)


def check_inline_code(out: Outcome, value: str) -> None:
    assert value in [e.text for e in find(out.doc, "Code")]


def check_math(out: Outcome, p: dict) -> None:
    mode = {"inline": "InlineMath", "display": "DisplayMath"}[p["mode"]]
    found = [e for e in find(out.doc, "math") if e.format == mode
             and ("tex" not in p or e.text.strip() == p["tex"])
             and p.get("tex_contains", "") in e.text
             and ("inside" not in p or enclosing_admonition(e) == p["inside"])]
    _one(found, "math", p)


def check_maths(out: Outcome, texs: list) -> None:
    assert [e.text for e in find(out.doc, "math") if e.format == "InlineMath"] == texs


def check_equation(out: Outcome, p: dict) -> None:
    spans = [e for e in find(out.doc, "Span") if "equation" in e.classes
             and e.attributes.get("label") == str(p["label"])]
    span = _one(spans, "numbered equation", p)
    maths = [m for m in span.content if isinstance(m, pf.Math) and m.format == "DisplayMath"]
    assert maths and maths[0].text.strip() == p["tex"]


def check_footnotes(out: Outcome, texts: list) -> None:
    assert [text(note) for note in find(out.doc, "footnote")] == texts


def check_note_math(out: Outcome, tex: str) -> None:
    assert any(m.text == tex for note in find(out.doc, "footnote") for m in find_in(note, pf.Math))


def find_in(elem, kind) -> list:
    found: list = []
    elem.walk(lambda e, d: found.append(e) if isinstance(e, kind) else None)
    return found


def check_image(out: Outcome, p: dict) -> None:
    found = [e for e in find(out.doc, "image") if e.url == p.get("src", e.url)
             and all(e.attributes.get(k) == (None if p[k] is None else str(p[k]))
                     for k in ("width", "height") if k in p)
             and ("alt" not in p or text(e) == p["alt"])
             and ("title" not in p or e.title == p["title"])
             and ("inside" not in p or isinstance(e.parent, getattr(pf, p["inside"])))]
    _one(found, "image", p)


def check_images(out: Outcome, count: int) -> None:
    assert len(find(out.doc, "image")) == count


def check_link(out: Outcome, p: dict) -> None:
    found = [e for e in find(out.doc, "link") if e.url == p["url"]
             and ("text" not in p or text(e) == p["text"])
             and ("inside" not in p or enclosing_admonition(e) == p["inside"])]
    _one(found, "link", p)


def check_links(out: Outcome, urls: list) -> None:
    assert [e.url for e in find(out.doc, "link")] == urls


def check_text(out: Outcome, value: str) -> None:
    assert value in pf.stringify(out.doc), f"{value!r} not in {pf.stringify(out.doc)!r}"


def check_not_text(out: Outcome, value: str) -> None:
    assert value not in pf.stringify(out.doc)


def check_lines(out: Outcome, lines: list) -> None:
    """The first paragraph's lines, split at its line breaks."""
    para = _one(find(out.doc, "Para") + find(out.doc, "Plain"), "paragraph", {})
    found, current = [], []
    for item in para.content:
        if isinstance(item, pf.LineBreak):
            found.append(current)
            current = []
        else:
            current.append(item)
    found.append(current)
    assert ["".join(pf.stringify(i) for i in line) for line in found] == lines


def check_heading(out: Outcome, p: dict) -> None:
    found = [e for e in find(out.doc, "Header") if e.level == p["level"]
             and e.identifier == p["id"] and text(e) == p["text"]]
    _one(found, "heading", p)


def check_list(out: Outcome, p: dict) -> None:
    kind = "OrderedList" if p.get("ordered") else "BulletList"
    found = [e for e in find(out.doc, kind) if len(e.content) == p["items"]]
    _one(found, kind, p)


def check_table(out: Outcome, p: dict) -> None:
    table = _one(find(out.doc, "Table"), "table", p)
    rows = [r for part in [table.head, *table.content] for r in part.content]
    assert len(rows) == p["rows"] and all(len(r.content) == p["cols"] for r in rows)


def check_within(out: Outcome, p: dict) -> None:
    """An element of kind `inner` inside one of kind `outer`."""
    assert any(find_in(outer, getattr(pf, p["inner"])) for outer in find(out.doc, p["outer"]))


def check_element(out: Outcome, p: dict) -> None:
    found = [e for e in find(out.doc, p["type"]) if p.get("text", "") in text(e)]
    _one(found, p["type"], p)


def check_placeholder(out: Outcome, p: dict) -> None:
    found = [e for e in find(out.doc, "Div") if "image-missing" in e.classes
             and p.get("text", "") in text(e)]
    _one(found, "image placeholder", p)


def check_figure(out: Outcome, p: dict) -> None:
    figure = _one(find(out.doc, "figure"), "figure", p)
    assert text(figure.caption) == p["caption"]
    image = _one(find_in(figure, pf.Image), "image in figure", p)
    assert image.attributes.get("width") == str(p["width"])


def check_warning(out: Outcome, code: str) -> None:
    codes = [d.code.value for d in out.diagnostics]
    assert code in codes, f"no {code} warning in {codes}"


def check_no_warnings(out: Outcome, _: object) -> None:
    found = [str(d) for d in out.diagnostics if d.code.value != "mermaid.unavailable"]
    assert not found, found


def check_source_line(out: Outcome, p: dict) -> None:
    """The rewritten line that holds `text` comes from source line `line` (1-based)."""
    lines = out.rewritten.text.split("\n")
    index = next(k for k, line in enumerate(lines) if p["text"] in line)
    assert out.rewritten.lines[index] == p["line"]


def check_data_line(out: Outcome, p: dict) -> None:
    found = [e for e in find(out.doc, p["type"]) if getattr(e, "attributes", {}).get("data-line") == str(p["line"])]
    _one(found, f"{p['type']} with data-line", p)


CHECKS = {name[len("check_"):]: fn for name, fn in globals().items() if name.startswith("check_")}
