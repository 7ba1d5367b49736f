"""The PDF's second wall: no action in a finished PDF may run, launch, fetch or submit.

The LaTeX writer writes only links the URL policy allows; this checks the assembled PDF
itself (pikepdf) and removes what should never be there, whatever put it there:

- actions of type Launch, JavaScript, GoToR, GoToE, SubmitForm, ImportData, ResetForm,
  Rendition, Sound, Movie, RichMediaExecute, SetOCGState, Trans, GoTo3DView, Named, Hide;
- a /JS key anywhere; additional actions (/AA) anywhere; /OpenAction other than a GoTo;
- document-level JavaScript and embedded files in the name tree;
- a URI action whose URI the URL policy does not allow as a web or mail link.

    unsafe_actions(pdf)  -> list of findings (for verify and the tests)
    remove_unsafe_actions(pdf) -> the same findings, after removing each from the document
"""
from __future__ import annotations

import pikepdf

from .urls import link_target

UNSAFE_ACTION_TYPES = frozenset({
    "/Launch", "/JavaScript", "/GoToR", "/GoToE", "/SubmitForm", "/ImportData", "/ResetForm",
    "/Rendition", "/Sound", "/Movie", "/RichMediaExecute", "/SetOCGState", "/Trans", "/GoTo3DView",
    "/Named", "/Hide"})
ROOT_NAME_TREES = ("/JavaScript", "/EmbeddedFiles")


def unsafe_actions(pdf: pikepdf.Pdf) -> list[str]:
    return _sweep(pdf, remove=False)


def remove_unsafe_actions(pdf: pikepdf.Pdf) -> list[str]:
    return _sweep(pdf, remove=True)


def _sweep(pdf: pikepdf.Pdf, remove: bool) -> list[str]:
    found = _root_findings(pdf, remove)
    for holder in _dictionaries(pdf):
        found += _dictionary_findings(holder, remove)
    return found


def _dictionaries(pdf: pikepdf.Pdf):
    """Every dictionary of the document that is or holds an action: the indirect ones, the
    page's annotations, and the actions written inside them (/A, /Next)."""
    holders = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Dictionary)]
    for page in pdf.pages:
        holders += [a for a in page.obj.get("/Annots", []) if isinstance(a, pikepdf.Dictionary)]
    seen = set()
    while holders:
        holder = holders.pop()
        if holder.objgen != (0, 0):          # direct objects cannot loop; indirect ones may
            if holder.objgen in seen:
                continue
            seen.add(holder.objgen)
        yield holder
        for name in ("/A", "/Next"):
            inner = holder.get(name)
            if isinstance(inner, pikepdf.Dictionary):
                holders.append(inner)
            elif isinstance(inner, pikepdf.Array):
                holders += [i for i in inner if isinstance(i, pikepdf.Dictionary)]


def _root_findings(pdf: pikepdf.Pdf, remove: bool) -> list[str]:
    found = []
    root = pdf.Root
    opening = root.get("/OpenAction")
    if isinstance(opening, pikepdf.Dictionary) and opening.get("/S") != "/GoTo":
        found.append(f"/OpenAction of type {opening.get('/S')}")
        if remove:
            del root["/OpenAction"]
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        for tree in ROOT_NAME_TREES:
            if tree in names:
                found.append(f"document-level {tree[1:]} in /Names")
                if remove:
                    del names[tree]
    return found


def _dictionary_findings(holder: pikepdf.Dictionary, remove: bool) -> list[str]:
    found = []
    for key in ("/AA", "/JS"):
        if key in holder:
            found.append(f"{key} in an object")
            if remove:
                del holder[key]
    kind = holder.get("/S")
    if kind is not None and str(kind) in UNSAFE_ACTION_TYPES:
        found.append(f"a {kind} action")
        if remove:
            _disarm(holder)
    elif kind == "/URI" and not _allowed_uri(holder.get("/URI")):
        found.append(f"a URI action to {str(holder.get('/URI'))[:80]!r}")
        if remove:
            _disarm(holder)
    return found


def _allowed_uri(value) -> bool:
    try:
        text = bytes(value).decode("utf-8", errors="replace") if isinstance(value, pikepdf.String) else str(value)
    except (TypeError, ValueError):
        return False
    target = link_target(text)
    return target is not None and target.kind in ("web", "mail")


def _disarm(action: pikepdf.Dictionary) -> None:
    """An action with nothing left: no type, no program, script, file or URI (viewers ignore
    an action they cannot read)."""
    for key in list(action.keys()):
        del action[key]
