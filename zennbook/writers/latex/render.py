"""The render pass: the book's elements as LaTeX (boxes, cards, code, math through
zennbook.math, images, links, headings), then pandoc writes the article's LaTeX."""
from __future__ import annotations

import re
from pathlib import Path

import panflute as pf

from ...diagnostics import Code, Diagnostics
from ...filtering import walk
from ...math import MathProblem, math_names, to_latex
from ...provenance import is_anchor
from ...pandoc import doc_to_format
from ...safety.urls import link_target
from ..common import copy_doc, diff_kind, heading_shift
from ..templating import tex_escape
from .assets import (
    CODE_ALIASES,
    PX_PT,
    QR_MAX,
    REMOTE,
    TEXT_WIDTH_PT,
    LatexAssets,
    breakable_code,
    highlight_languages,
    raw,
    raw_inline,
    url_latex,
    verbatim_escape,
)
from .lines import TOP_BLOCK, assign_lines
from .tables import render_table, table_layouts

# -- the render pass: the book's elements as LaTeX ------------------------------------------

def article_latex(article, assets: LatexAssets, diagnostics: Diagnostics,
                  line_pt: float = TEXT_WIDTH_PT["b5"]) -> str:
    doc = copy_doc(article.doc)
    doc.assets, doc.slug, doc.label = assets, article.slug, article.label
    doc.reporter = diagnostics.reporter(article.label)
    doc.line_pt = line_pt
    doc.zb_lines = assign_lines(doc)
    doc.zb_tables = table_layouts(doc, line_pt)
    doc = walk(doc, latex_element, doc)
    args = ["--top-level-division=chapter", f"--shift-heading-level-by={heading_shift(doc)}",
            "--wrap=preserve"]
    # -smart: dashes and quotes stay the characters they are (not ---, ``), as Zenn prints them;
    # the fonts have no TeX ligatures to turn them back.
    return flush_code(doc_to_format(doc, "latex-smart", args, label=article.label))


def flush_code(tex: str) -> str:
    """Our code environments (plain code, diffs: raw blocks) back at the left margin: pandoc
    indents a list item's raw blocks, and Verbatim would print that indent before every
    code line. Its own highlighted code it writes flush already."""
    out, indent = [], None
    for line in tex.split("\n"):
        if indent is None and line.lstrip().startswith("\\begin{Highlighting}"):
            indent = line[:len(line) - len(line.lstrip())]
        elif indent is not None and line.lstrip().startswith("\\end{Highlighting}"):
            indent = None
        elif indent:
            line = line.removeprefix(indent)
        out.append(line)
    return "\n".join(out)


def latex_element(elem, doc):
    if is_anchor(elem):             # its line is in the block's marker (`with_line_marker`)
        return []
    result = None
    for kind, render in LATEX_RENDERERS:
        if isinstance(elem, kind):
            result = render(elem, doc)
            break
    return with_line_marker(elem, result, doc)


def with_line_marker(elem, result, doc):
    """Put `%zb:line=N` before a block whose source line is known (see `assign_lines`), and
    `%zb:top` before it when it is a block of the chapter itself (not inside a box or quote):
    the chapter's LaTeX may be cut there (the preview's first pages, serve/firstpages.py)."""
    line = doc.zb_lines.get(id(elem))
    if line is None:
        return result
    rendered = [elem] if result is None else result if isinstance(result, list) else [result]
    marker = f"%zb:line={line}"
    if isinstance(elem.parent, pf.Doc):
        marker = f"{TOP_BLOCK}\n{marker}"
    return [raw(marker), *rendered]


def render_div(elem: pf.Div, doc):
    classes = set(elem.classes)
    scope_identifier(elem, doc)
    if "admonition" in classes:
        if "details" in classes:
            title = tex_escape(elem.attributes.get("title", ""))
            return [raw(f"\\begin{{zbdetails}}{{{title}}}"), *elem.content, raw("\\end{zbdetails}")]
        kind = "zbalert" if "alert" in classes else "zbmessage"
        return [raw(f"\\begin{{{kind}}}"), *elem.content, raw(f"\\end{{{kind}}}")]
    if "card" in classes or "embed" in classes:
        return raw(card_latex(elem, doc))
    if "diagram" in classes and elem.attributes.get("pdf"):
        return raw(f"\\zbdiagram{{{doc.assets.add(Path(elem.attributes['pdf']))}}}")
    if "image-missing" in classes:
        return [raw("\\begin{zbimagemissing}"), *elem.content, raw("\\end{zbimagemissing}")]
    return None


def card_latex(elem: pf.Div, doc) -> str:
    url = elem.attributes.get("url", "")
    service = elem.attributes.get("service", "") if "embed" in elem.classes else ""
    title = elem.attributes.get("title", "")     # none known (cards.yaml): the URL alone
    target = link_target(url)
    qr = doc.assets.qr(target.url) if target and target.kind == "web" and len(target.url) <= QR_MAX else ""
    return (f"\\zbcard{{{tex_escape(service)}}}{{{tex_escape(title)}}}"
            f"{{{url_latex(url)}}}{{{qr}}}")


# -- code ---------------------------------------------------------------------------------------

def code_language(elem: pf.CodeBlock) -> str:
    lang = next((c for c in elem.classes if c != "diff"), "").lower()
    return CODE_ALIASES.get(lang, lang)


def render_code(elem: pf.CodeBlock, doc):
    filename = elem.attributes.get("filename")
    lang = code_language(elem)
    if "diff" in elem.classes:
        block = raw(diff_latex(elem.text))
    elif lang in highlight_languages():
        block = pf.CodeBlock(elem.text, classes=[lang])
    else:   # no grammar: still our wrapping, framed Verbatim, never plain `verbatim`
        block = raw(plain_code_latex(elem.text))
    if not filename:
        return block
    return [raw(f"\\zbcodefilename{{{tex_escape(filename)}}}"), block]


def plain_code_latex(text: str) -> str:
    body = "\n".join(verbatim_escape(line) for line in text.split("\n"))
    return "\\begin{Shaded}\n\\begin{Highlighting}[]\n" + body + "\n\\end{Highlighting}\n\\end{Shaded}"


def diff_latex(text: str) -> str:
    rows = []
    for line in text.split("\n"):
        kind = diff_kind(line)
        escaped = verbatim_escape(line)
        rows.append(f"\\zbdiff{kind}{{{escaped}}}" if kind else escaped)
    return "\\begin{Shaded}\n\\begin{Highlighting}[]\n" + "\n".join(rows) + "\n\\end{Highlighting}\n\\end{Shaded}"


def render_inline_code(elem: pf.Code, doc):
    if in_header(elem):     # pandoc's own form: it also puts the text into the bookmark
        return None
    return raw_inline(f"\\zbcode{{{breakable_code(elem.text)}}}")


def in_header(elem) -> bool:
    while elem is not None and not isinstance(elem, pf.Header):
        elem = elem.parent
    return elem is not None


LONG_LATIN = re.compile(r"[\x21-\x7e]{20,}")
BREAK_AFTER = re.compile(r"(?<=[/\\(){}\[\]=,._:;&?|])(?=.)")


def render_str(elem: pf.Str, doc):
    """Long Latin runs (paths, TeX shown as text, ...) get places to wrap: LaTeX has none."""
    if not LONG_LATIN.search(elem.text):
        return None
    pieces = []
    for index, part in enumerate(re.split(r"([\x21-\x7e]{20,})", elem.text)):
        chunks = BREAK_AFTER.split(part) if index % 2 else [part]
        for number, chunk in enumerate(c for c in chunks if c):
            if number:
                pieces.append(raw_inline("\\zbbreak{}"))
            pieces.append(pf.Str(chunk))
    return pieces


# -- math ---------------------------------------------------------------------------------------

def render_math(elem: pf.Math, doc):
    """A formula through the whitelist (zennbook.math), guarded by \\zbmath/\\zbdisplay; a
    formula the whitelist refuses is printed as its source with a located warning."""
    display = elem.format == "DisplayMath"
    line = block_line(elem, doc)
    source = breakable_code(re.sub(r"\s+", " ", elem.text.strip()))
    try:
        result = to_latex(elem.text, display)
    except MathProblem as problem:
        report_math_problem(problem, doc, line)
        return pf.Code(elem.text) if in_header(elem) else raw_inline(f"\\zbmathsource{{{source}}}")
    for note in result.notes:
        doc.reporter.warn(Code.MATH_DROPPED, f"math: {note} left out of print", line)
    if in_header(elem):         # pandoc writes it in \texorpdfstring, for the bookmark too
        elem.text = result.latex
        return None
    tex, names = result.latex, math_names(result.latex)   # a newline ends it below: no % reaches past it
    if display:
        tag = equation_label(elem) or result.tag
        return raw_inline(f"\\zbdisplay{{{names}}}{{{tex}\n}}{{{source}}}{{{tex_escape(tag)}}}")
    return raw_inline(f"\\zbmath{{{names}}}{{{tex}\n}}{{{source}}}")


MATH_PROBLEM_CODES = {"unsafe": Code.MATH_UNSAFE, "unsupported": Code.MATH_UNSUPPORTED,
                      "invalid": Code.MATH_INVALID}
MATH_PROBLEM_WORDS = {
    "unsafe": "which is not allowed in a book (only KaTeX's commands that cannot touch files, run "
              "code or change LaTeX are); printed as source",
    "unsupported": "which KaTeX draws but print cannot; printed as source",
    "invalid": "which neither KaTeX nor LaTeX can read; printed as source",
}


def report_math_problem(problem: MathProblem, doc, line: int | None) -> None:
    doc.reporter.warn(MATH_PROBLEM_CODES[problem.kind],
                      f"math uses {problem.message}, {MATH_PROBLEM_WORDS[problem.kind]}", line)


def equation_label(elem: pf.Math) -> str:
    """Zenn's `$$...$$ (1)` label of a display, if it has one (a `\\tag` is the parser's)."""
    parent = elem.parent
    if isinstance(parent, pf.Span) and "equation" in parent.classes and parent.attributes.get("label"):
        return parent.attributes["label"]
    return ""


def block_line(elem, doc) -> int | None:
    while elem is not None and id(elem) not in doc.zb_lines:
        elem = elem.parent
    return doc.zb_lines.get(id(elem))


# -- the rest -----------------------------------------------------------------------------------

def render_image(elem: pf.Image, doc):
    resolved = elem.attributes.pop("resolved", None)
    elem.attributes.pop("data-line", None)
    if resolved:
        elem.url = doc.assets.add(Path(resolved))
    elif REMOTE.match(elem.url):
        return remote_image(elem)
    width = re.fullmatch(r"(\d+(?:\.\d+)?)(px)?", elem.attributes.get("width", ""))
    if width and float(width.group(1)) * PX_PT > doc.line_pt:   # Zenn's =560x is screen pixels
        elem.attributes["width"] = "100%"
    return None


def remote_image(elem: pf.Image) -> pf.Span:
    """An image on the network is never fetched: its description, and a link to it when the
    URL policy allows one (LaTeX would otherwise look for a file of that name)."""
    words = list(elem.content) or [pf.Str(elem.url.rsplit("/", 1)[-1] or elem.url)]
    shown = [pf.Str("［画像］"), *words]
    target = link_target(elem.url)
    if target is None or target.kind != "web":
        return pf.Span(*shown)
    return pf.Span(pf.Link(*shown, url=target.url))


def render_span(elem: pf.Span, doc):
    scope_identifier(elem, doc)
    if "image-missing" in elem.classes:
        return [raw_inline("\\zbimagemissinginline{"), *elem.content, raw_inline("}")]
    return None


def scope_identifier(elem, doc):
    """Ids are per article: prefix them with the slug so a book of 100 articles has no clash."""
    if getattr(elem, "identifier", ""):
        elem.identifier = f"{doc.slug}--{elem.identifier}"
    return None


def render_header(elem: pf.Header, doc):
    return scope_identifier(elem, doc)


def render_link(elem: pf.Link, doc):
    """Only what the URL policy allows becomes a PDF link (hyperref makes a Launch, GoToR or
    JavaScript action of anything else); a relative link has no place in a PDF: its text."""
    target = link_target(elem.url)
    if target is None or target.kind == "relative":
        return pf.Span(*elem.content)
    elem.url = f"#{doc.slug}--{target.url[1:]}" if target.kind == "fragment" else target.url
    return None


LATEX_RENDERERS = (
    (pf.Div, render_div),
    (pf.CodeBlock, render_code),
    (pf.Code, render_inline_code),
    (pf.Str, render_str),
    (pf.Image, render_image),
    (pf.Math, render_math),
    (pf.Table, render_table),
    (pf.Span, render_span),
    (pf.Header, render_header),
    (pf.Link, render_link),
)
