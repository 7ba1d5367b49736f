"""The print PDF: a render pass per article, pandoc to LaTeX, a Jinja2 book template, LuaLaTeX.

    article AST -> render pass (panflute) -> pandoc -> chapters/<slug>.tex
    book.tex.j2 + zennbook.sty -> lualatex (until the TOC settles) -> log -> layout report

LaTeX runs without shell escape and with paranoid file access (openin_any=p,
openout_any=p): it can read only what we copied into its build folder. Article text reaches
LaTeX escaped by pandoc, as verbatim code, or as math written again by zennbook.math from
its parse tree, with only whitelisted commands.

Every block the render pass can place is preceded by a `%zb:line=N` comment (N: the
article's source line), and book.tex marks each chapter with `%zb:article=SLUG`; the log
scanner maps a line of the LaTeX log back to the article and its source line that way.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import time
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import panflute as pf
import segno

from .. import images
from ..diagnostics import Code, Diagnostics, ZennbookError
from ..math import MathProblem, math_names, to_latex
from ..filtering import walk
from ..pandoc import doc_to_format, pandoc_path
from ..safety import sandbox
from ..safety.urls import link_target
from . import texcache
from .common import attribution, copy_doc, diff_kind, heading_shift
from .fonts import install_fonts
from .templating import latex_environment, template_path, tex_escape

MAX_PASSES = 4
PAPER_OPTIONS = {"b5": "b5j", "a5": "a5", "a4": "a4"}
# jlreq's text width for each paper at 10pt (measured: \the\textwidth), for table layout.
TEXT_WIDTH_PT = {"b5": 380.0, "a5": 310.0, "a4": 440.0}
OVERFULL_LIMIT_PT = 1.0
PX_PT = 0.75            # pandoc reads a bare image width as CSS pixels, 96 per inch
QR_MAX = 1000           # longer URLs get no QR code: no phone would read it off the page
REMOTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^[/\\]{2}")
VERBATIM_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}"}

# Zenn fence names that are not skylighting's own names.
CODE_ALIASES = {
    "js": "javascript", "mjs": "javascript", "cjs": "javascript", "jsx": "javascriptreact",
    "ts": "typescript", "tsx": "typescript", "sh": "bash", "shell": "bash", "console": "bash",
    "shellsession": "bash", "py": "python", "python3": "python", "rb": "ruby", "rs": "rust",
    "yml": "yaml", "jl": "julia", "ex": "elixir", "exs": "elixir", "md": "markdown",
    "tex": "latex", "hs": "haskell", "kt": "kotlin", "c++": "cpp", "golang": "go",
    "ps1": "powershell", "jsonc": "json", "json5": "json", "proto": "protobuf", "tf": "terraform",
    "ml": "ocaml", "clj": "clojure", "erl": "erlang", "htm": "html", "docker": "dockerfile",
    "csharp": "cs", "objc": "objectivec", "vim": "default",
}


class LatexError(ZennbookError):
    """lualatex failed; the message names the log and quotes its last lines."""


def verbatim_escape(text: str) -> str:
    return "".join(VERBATIM_SPECIALS.get(ch, ch) for ch in text)


def url_latex(url: str) -> str:
    """A URL typeset as escaped text with break points: it can never run anything."""
    return tex_escape(url).replace("/", "/\\allowbreak{}")


def breakable_code(text: str) -> str:
    """Inline code escaped, with \\zbbreak after punctuation and inside very long words.
    Never after '-': a line ending in '-' reads as a hyphenated word."""
    out = []
    for token in re.findall(r"[A-Za-z0-9]{1,12}|.", text, flags=re.S):
        out.append(tex_escape(token))
        if token in "/._=,:;&?)]}>|@" or len(token) == 12:
            out.append(r"\zbbreak{}")
    return "".join(out)


def breakable_text(text: str) -> str:
    """Text escaped for LaTeX, with places to wrap inside long Latin runs (paths, code)."""
    out = []
    for index, part in enumerate(re.split(r"([\x21-\x7e]{10,})", text)):
        out.append(breakable_code(part) if index % 2 else tex_escape(part))
    return "".join(out)


@dataclass
class LatexAssets:
    """Files LaTeX may read, copied into its build folder under content-hash names."""
    build_dir: Path
    copied: dict[str, str] = field(default_factory=dict)

    def add(self, source: Path) -> str:
        """The file LaTeX includes for an image or diagram, by its content: PNG and JPEG as
        they are, SVG as a vector PDF, GIF's first frame and other types as PNG. Named by
        the source's hash: a file already converted in the build folder is not made again."""
        key = str(source)
        if key not in self.copied:
            self.copied[key] = self.converted(images.read_or_broken(source))
        return self.copied[key]

    def converted(self, data: bytes) -> str:
        name = f"assets/{hashlib.sha256(data).hexdigest()[:16]}{images.latex_suffix(data)}"
        target = self.build_dir / name
        if not target.exists():
            try:
                out = images.for_latex(data)[0]
            except images.ImageInvalid:      # changed on disk since the filters checked it
                return self.converted(images.BROKEN_PNG)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(out)
        return name

    def qr(self, url: str) -> str:
        name = f"qr/{hashlib.sha256(url.encode()).hexdigest()[:16]}.pdf"
        target = self.build_dir / name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            segno.make(url, error="m").save(str(target), kind="pdf", border=1, scale=2)
        return name


@lru_cache(maxsize=1)
def highlight_languages() -> frozenset[str]:
    out = subprocess.run([pandoc_path(), "--list-highlight-languages"], capture_output=True,
                         text=True, check=True).stdout
    return frozenset(out.split())


# -- source lines: where each block of the article came from ---------------------------------

@dataclass
class SourceLines:
    """An article's body lines, searched forward for the text of each block in turn."""
    lines: list[str]
    numbers: list[int]
    cursor: int = 0

    @classmethod
    def of(cls, article) -> "SourceLines":
        lines = article.body.split("\n")
        numbers = list(article.body_lines[:len(lines)])
        numbers += range(len(numbers) + 1, len(lines) + 1)
        return cls(lines, numbers)

    def seek(self, number: int) -> None:
        """Move to the body line of source line `number` (a block's own data-line)."""
        self.cursor = next((i for i, n in enumerate(self.numbers) if n >= number), self.cursor)

    def find(self, text: str) -> int | None:
        """The source line, at or after the cursor, holding the first words of `text` (or,
        for text without words, such as a formula, its first characters)."""
        words = [w[:10] for w in re.findall(r"[^\W_]{3,}", text)[:3]]
        start = re.sub(r"\s+", "", text)[:12]
        for probe, squash in [*((w, False) for w in words), (start, True)]:
            hit = next((i for i in range(self.cursor, len(self.lines)) if probe and
                        probe in (re.sub(r"\s+", "", self.lines[i]) if squash else self.lines[i])), None)
            if hit is not None:
                self.cursor = hit
                return self.numbers[hit]
        return None


MARKED_BLOCKS = (pf.Para, pf.Plain, pf.Header, pf.CodeBlock, pf.Div, pf.Table, pf.Figure,
                 pf.BulletList, pf.OrderedList, pf.LineBlock, pf.BlockQuote)


def assign_lines(doc: pf.Doc, source: SourceLines) -> dict[int, int]:
    """The source line of each block that gets a marker (by id), in document order."""
    lines = {}
    for elem in marked_blocks(doc.content):
        given = data_line(elem)
        if given and given.isdigit():
            source.seek(int(given))
            lines[id(elem)] = int(given)
        elif (found := source.find(probe_text(elem))) is not None:
            lines[id(elem)] = found
    return lines


def data_line(elem) -> str | None:
    """A block's own `data-line`, or for a paragraph that of its first image or equation."""
    if hasattr(elem, "attributes"):
        return elem.attributes.get("data-line")
    found = []
    if isinstance(elem, (pf.Para, pf.Plain)):
        walk(elem, lambda e, d: found.append(e.attributes["data-line"])
             if isinstance(e, (pf.Span, pf.Image)) and "data-line" in e.attributes else None)
    return found[0] if found else None


def probe_text(elem) -> str:
    """Text to look for in the source: a table's first rows, cell by cell (a table's text
    stringifies run together); TeX control words last (they are everywhere in math)."""
    if isinstance(elem, pf.Table):
        rows = [row for part in (elem.head, *elem.content) for row in part.content][:2]
        text = " ".join(pf.stringify(cell) for row in rows for cell in row.content)
    else:
        text = pf.stringify(elem)
    return re.sub(r"\\[A-Za-z]+", " ", text) + " " + text


def marked_blocks(blocks):
    """Blocks in document order; into Divs and quotes, not into lists, tables or notes."""
    for elem in blocks:
        if isinstance(elem, MARKED_BLOCKS):
            yield elem
        if isinstance(elem, (pf.Div, pf.BlockQuote)):
            yield from marked_blocks(elem.content)


# -- the render pass: the book's elements as LaTeX ------------------------------------------

def article_latex(article, assets: LatexAssets, diagnostics: Diagnostics,
                  line_pt: float = TEXT_WIDTH_PT["b5"]) -> str:
    doc = copy_doc(article.doc)
    doc.assets, doc.diagnostics, doc.slug, doc.label = assets, diagnostics, article.slug, article.label
    doc.line_pt = line_pt
    doc.zb_lines = assign_lines(doc, SourceLines.of(article))
    doc.zb_tables = table_layouts(doc, line_pt)
    doc = walk(doc, latex_element, doc)
    args = ["--top-level-division=chapter", f"--shift-heading-level-by={heading_shift(doc)}",
            "--wrap=preserve"]
    # -smart: dashes and quotes stay the characters they are (not ---, ``), as Zenn prints them;
    # the fonts have no TeX ligatures to turn them back.
    return doc_to_format(doc, "latex-smart", args, label=article.label)


def latex_element(elem, doc):
    result = None
    for kind, render in LATEX_RENDERERS:
        if isinstance(elem, kind):
            result = render(elem, doc)
            break
    return with_line_marker(elem, result, doc)


def with_line_marker(elem, result, doc):
    """Put `%zb:line=N` before a block whose source line is known (see `assign_lines`)."""
    line = doc.zb_lines.get(id(elem))
    if line is None:
        return result
    rendered = [elem] if result is None else result if isinstance(result, list) else [result]
    return [raw(f"%zb:line={line}"), *rendered]


def raw(text: str) -> pf.RawBlock:
    return pf.RawBlock(text, format="latex")


def raw_inline(text: str) -> pf.RawInline:
    return pf.RawInline(text, format="latex")


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
        doc.diagnostics.warning(Code.MATH_DROPPED, f"math: {note} left out of print", doc.label, line)
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
    doc.diagnostics.warning(MATH_PROBLEM_CODES[problem.kind],
                            f"math uses {problem.message}, {MATH_PROBLEM_WORDS[problem.kind]}", doc.label, line)


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


# -- tables -------------------------------------------------------------------------------------

# A half-width character at \small and \footnotesize, in pt (CJK characters count twice).
TABLE_FONTS = (("\\small", 4.5), ("\\footnotesize", 4.0))
TABLE_TABCOLSEP_PT = 4.0
SHORT_CELL = 8.0        # half-width characters: 第4章, ありません, 1〜5
LONG_RUN_CHARS = 22.0   # zennbook.sty lets a run of 20 Latin glyphs or more break anywhere


def table_layouts(doc: pf.Doc, line_pt: float) -> dict[int, list[tuple[list[int], str, list | None]]]:
    """Each table's layout (by id), from its cells' text before the render pass changes it:
    one part per group of columns (`column_groups`), each with its type size and widths."""
    layouts = {}

    def measure(elem, _doc):
        if isinstance(elem, pf.Table):
            columns = table_columns(elem)
            layouts[id(elem)] = [(group, *columns_layout([columns[i] for i in group], line_pt))
                                 for group in column_groups(columns, line_pt)]

    walk(doc, measure, doc)
    return layouts


def render_table(elem: pf.Table, doc):
    parts = doc.zb_tables[id(elem)]
    if len(parts) > 1:
        return split_table(elem, parts, doc)
    _, font, widths = parts[0]
    widths = widths or ["ColWidthDefault"] * len(elem.colspec)   # fits: natural columns
    elem.colspec = [(align, width) for (align, _), width in zip(elem.colspec, widths)]
    return [raw(f"\\begin{{zbtable}}[{font}]"), elem, raw("\\end{zbtable}")]


def table_layout(elem: pf.Table, line_pt: float) -> tuple[str, list[float] | None]:
    """The table's type size, and relative column widths when its natural width does not fit.

    Columns share the line as in CSS's automatic table layout: each gets its longest
    unbreakable word, then the rest in proportion to how much more its longest cell wants.
    """
    return columns_layout(table_columns(elem), line_pt)


def columns_layout(columns: list[tuple[float, float]], line_pt: float) -> tuple[str, list[float] | None]:
    """`table_layout` for columns already measured."""
    for font, unit in TABLE_FONTS:
        room = (line_pt - 2 * TABLE_TABCOLSEP_PT * len(columns)) / unit
        least, most = [c[0] for c in columns], [c[1] for c in columns]
        if sum(most) <= room:
            return font, None
        if sum(least) <= room or font == TABLE_FONTS[-1][0]:
            return font, share_widths(least, most, room)
    return TABLE_FONTS[-1][0], None


def share_widths(least: list[int], most: list[int], room: float) -> list[float]:
    spare = max(room - sum(least), 0)
    extra = sum(most) - sum(least) or 1
    widths = [lo + (hi - lo) * spare / extra for lo, hi in zip(least, most)]
    total = sum(widths) or 1
    return [round(w / total, 4) for w in widths]


def table_columns(elem: pf.Table) -> list[tuple[float, float]]:
    """(unbreakable width, natural width) of each column, in half-width characters."""
    columns = [(2, 2)] * len(elem.colspec)
    rows = [row for part in (elem.head, *elem.content, elem.foot) if part for row in part.content]
    for row in rows:
        for index, cell in enumerate(row.content[:len(columns)]):
            text = pf.stringify(cell).strip()
            least, most = columns[index]
            short = min(text_width(text), SHORT_CELL)   # a short cell is not worth wrapping
            unbroken = min(unbreakable_width(text), LONG_RUN_CHARS)   # zennbook.sty breaks longer runs
            need = max(unbroken, short) + 1   # one character to spare
            columns[index] = (max(least, need), max(most, text_width(text) + 1))
    return columns


def text_width(text: str) -> float:
    """Width in half-width characters: CJK counts 2, Latin 1.1 (capitals run wide)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in text)


def unbreakable_width(text: str) -> float:
    """The widest run that cannot wrap: a Latin word or code (Japanese wraps anywhere)."""
    words = re.findall(r"[\x21-\x7e]+", text)
    return max([text_width(w) for w in words] + [2])


# A table wider than the page even at the smallest type, every column at its narrowest, is
# set as several tables one under the other, each with as many columns as fit and the
# first column repeated (it names the row). A column needs at least this many half-width
# characters: zennbook.sty breaks any longer run of Latin text wherever it must.
COLUMN_MIN_CHARS = 10.0
GROUP_ROOM = 0.95       # of the line filled by a part: the widths are estimates


def column_groups(columns: list[tuple[float, float]], line_pt: float) -> list[list[int]]:
    """The columns of each part of the table: one part holding them all when they fit."""
    unit, room = TABLE_FONTS[-1][1], line_pt * GROUP_ROOM
    need = [min(least, COLUMN_MIN_CHARS) * unit + 2 * TABLE_TABCOLSEP_PT for least, _ in columns]
    if sum(need) <= line_pt or len(columns) < 2:
        return [list(range(len(columns)))]
    groups: list[list[int]] = [[0]]
    for index in range(1, len(columns)):
        used = sum(need[i] for i in groups[-1])
        if len(groups[-1]) > 1 and used + need[index] > room:
            groups.append([0])
        groups[-1].append(index)
    return groups


def split_table(elem: pf.Table, parts: list, doc) -> list:
    """The table as one table per group of columns (see `column_groups`)."""
    out = []
    for number, (group, font, widths) in enumerate(parts):
        part = table_part(elem, group, number > 0)
        widths = widths or ["ColWidthDefault"] * len(group)
        part.colspec = [(align, width) for (align, _), width in zip(part.colspec, widths)]
        out += [raw(f"\\begin{{zbtable}}[{font}]"), part, raw("\\end{zbtable}")]
    return out


def table_part(elem: pf.Table, group: list[int], repeated_first: bool) -> pf.Table:
    """Columns `group` of `elem` as a table of their own; a copied cell when the first column
    is repeated (an element has one parent), the caption on the first part only."""
    def cells(row: pf.TableRow) -> pf.TableRow:
        chosen = [row.content[i] for i in group if i < len(row.content)]
        return pf.TableRow(*[copied_cell(c) if repeated_first and not k else c for k, c in enumerate(chosen)])

    def rows(section):
        return [cells(row) for row in section.content] if section else []
    head = pf.TableHead(*rows(elem.head))
    bodies = [pf.TableBody(*rows(body)) for body in elem.content]
    caption = elem.caption if not repeated_first else pf.Caption()
    return pf.Table(*bodies, head=head, foot=pf.TableFoot(*rows(elem.foot)), caption=caption,
                    colspec=[elem.colspec[i] for i in group])


def copied_cell(cell: pf.TableCell) -> pf.TableCell:
    blocks = [json.loads(json.dumps(block.to_json()), object_hook=pf.elements.from_json)
              for block in cell.content]
    return pf.TableCell(*blocks, alignment=cell.alignment, rowspan=cell.rowspan, colspan=cell.colspan)


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


# -- the book: template, lualatex ---------------------------------------------------------------

def render_book_tex(book, articles, assets: LatexAssets, diagnostics: Diagnostics, context,
                    proof: bool = False, chapter_offset: int | None = None) -> str:
    """Write each chapter's .tex into the build folder; return the main document.

    With `chapter_offset` (a proof), only the chapters are set, numbered from that offset + 1,
    without title page, copyright page, table of contents or part pages.
    """
    chapters_dir = assets.build_dir / "chapters"
    chapters_dir.mkdir(parents=True, exist_ok=True)
    line_pt = TEXT_WIDTH_PT[book.pdf.paper]
    by_slug = {a.slug: a for a in articles}
    parts = []
    for part in book.parts:
        members = []
        for slug in (s for s in part.chapters if s in by_slug):
            article = by_slug[slug]
            tex = article_latex(article, assets, diagnostics, line_pt)
            (chapters_dir / f"{slug}.tex").write_text(tex, encoding="utf-8")
            members.append(chapter_entry(book, article))
        parts.append({"title": part.title, "chapters": members})
    shutil.copyfile(template_path("latex/zennbook.sty"), assets.build_dir / "zennbook.sty")
    return book_document(book, articles, parts, context, proof, chapter_offset)


def book_document(book, articles, parts: list[dict], context, proof: bool = False,
                  chapter_offset: int | None = None, volume: dict | None = None) -> str:
    """book.tex: the template with the book's parts (each a title and chapter entries);
    `volume` ({number, count}) titles one volume of a set (writers/pdf/volumes.py)."""
    return latex_environment().get_template("latex/book.tex.j2").render(
        book=book, parts=parts, paper=PAPER_OPTIONS[book.pdf.paper], build=context, volume=volume,
        proof=proof or book.pdf.proof, trim=trim_options(book.pdf),
        print_layout=print_options(book.pdf) if book.pdf.preset else None, keywords=book_keywords(book, articles),
        license_url_tex=url_latex(book.license.url) if book.license else "",
        chapter_only=chapter_offset is not None, chapter_offset=chapter_offset or 0)


def chapter_entry(book, article) -> dict:
    credit = attribution(book, article)
    head = f"{article.emoji} {article.title}".strip()
    return {"slug": article.slug, "title": article.title, "emoji": article.emoji,
            "attribution": credit, "url_tex": url_latex(credit.url) if credit.url else "",
            "title_tex": breakable_text(article.title),
            "head_tex": tex_escape(shorten(head, running_head_room(book)))}


def running_head_room(book) -> float:
    """Half-width characters a chapter title may take in the running head (9pt type, 80%
    of the line, less the chapter number)."""
    return (0.8 * TEXT_WIDTH_PT[book.pdf.paper] - 50) / 4.5


def shorten(text: str, room: float) -> str:
    """`text` cut to `room` half-width characters, with an ellipsis when it was cut."""
    if text_width(text) <= room:
        return text
    while text and text_width(text) > room - 2:
        text = text[:-1]
    return text.rstrip() + "…"


def trim_options(pdf) -> dict:
    """Trim marks when asked for, or when a bleed is given (a bleed needs the trim box)."""
    return {"marks": bool(pdf.crop_marks or pdf.bleed_mm > 0), "bleed_mm": f"{pdf.bleed_mm:g}"}


def print_options(pdf) -> dict:
    """A print service's preset (writers/pdf/presets.py): paper, bleed, marks and gutter."""
    from .pdf.presets import latex_options, layout_for
    return latex_options(layout_for(pdf, pdf.gutter_pages))


def book_keywords(book, articles) -> list[str]:
    """The articles' Zenn topics, in order, then the license id."""
    words = [str(t) for a in articles for t in (a.meta.get("topics") or []) if isinstance(t, (str, int))]
    if book.license:
        words.append(book.license.id)
    return list(dict.fromkeys(words))


def latex_env(epoch: int | None = None, job: Path | None = None, warm: Path | None = None) -> dict:
    """LuaLaTeX's own settings (the sandbox adds PATH, LANG and HOME, and nothing else of
    ours): paranoid file access, no shell, the build's date (`epoch`; else SOURCE_DATE_EPOCH,
    else 0: a job cached across builds carries no date of its own), the font caches."""
    date = str(epoch) if epoch is not None else os.environ.get("SOURCE_DATE_EPOCH", "0")
    return {"openin_any": "p", "openout_any": "p", "shell_escape": "f",
            "SOURCE_DATE_EPOCH": date, "FORCE_SOURCE_DATE": "1",
            # one log line per message, so that file names and box contents are not cut
            "max_print_line": "100000", "error_line": "254", "half_error_line": "238",
            **texcache.font_cache_env(job, warm)}


def lualatex_command(job: str) -> list[str]:
    # No --halt-on-error: an error in one formula or table is reported with its article
    # line and the rest of the book is still set; only a fatal error leaves no PDF.
    return ["lualatex", "--interaction=nonstopmode", "--no-shell-escape", "--file-line-error",
            f"--jobname={job}", f"{job}.tex"]


RERUN = re.compile(r"Rerun to get|may have changed\. Rerun|Rerun LaTeX")


def run_lualatex(build_dir: Path, job: str = "book", max_passes: int = MAX_PASSES,
                 settle_toc: bool = True, epoch: int | None = None) -> tuple[Path, int]:
    """Compile until the table of contents and the references settle; return the log and
    the number of passes. A pass is repeated only for what changes the output."""
    previous_toc = None
    log = build_dir / f"{job}.log"
    for passes in range(1, max_passes + 1):
        compile_once(build_dir, job, log, epoch)
        toc_file = build_dir / f"{job}.toc"
        toc = toc_file.read_bytes() if toc_file.exists() else b""
        if passes == max_passes or not needs_rerun(log, settle_toc and toc != previous_toc):
            break
        previous_toc = toc
    return log, passes


def needs_rerun(log: Path, toc_changed: bool) -> bool:
    """Another pass helps when the TOC changed, or when references are unresolved because
    their labels were new (LaTeX says so); not for labels nothing refers to."""
    text = log.read_text(encoding="utf-8", errors="replace")
    return toc_changed or bool(RERUN.search(text) and REFERENCE.search(text))


def compile_once(build_dir: Path, job: str, log: Path, epoch: int | None = None,
                 reads: tuple[Path, ...] = ()) -> None:
    """One LuaLaTeX pass in the sandbox: `build_dir` the only folder it may write, `reads`
    what it may read besides the TeX trees and fonts (the unit builds' shared assets)."""
    (build_dir / f"{job}.pdf").unlink(missing_ok=True)
    try:
        warm = texcache.warm_font_cache(build_dir / "fonts", run_lualatex_jailed)
        proc = run_lualatex_jailed(build_dir, job, epoch, (*reads, *([warm] if warm else [])), warm)
    except FileNotFoundError as exc:
        raise LatexError("lualatex: not found; install TeX Live (see the README's set-up command)",
                         Code.TOOL_MISSING) from exc
    except sandbox.LimitHit as exc:
        raise LatexError(f"{exc} on {build_dir / (job + '.tex')}; log: {log}", Code.TOOL_LIMIT) from None
    if lua_out_of_memory(log):
        raise LatexError(f"{sandbox.memory_hit('lualatex', sandbox.limits_for('lualatex'))} "
                         f"on {build_dir / (job + '.tex')}; log: {log}", Code.TOOL_LIMIT)
    if not (build_dir / f"{job}.pdf").exists():
        raise LatexError(f"lualatex: failed on {build_dir / (job + '.tex')} (exit {proc.returncode}); "
                         f"log: {log}\n" + log_tail(log, build_dir))


def run_lualatex_jailed(folder: Path, job: str, epoch: int | None = None, reads: tuple[Path, ...] = (),
                       warm: Path | None = None) -> sandbox.Finished:
    """LuaLaTeX on folder/job.tex in the sandbox, its font-name database seeded."""
    texcache.seed_font_cache(folder)
    return sandbox.run("lualatex", lualatex_command(job), job=folder, reads=[*texcache.tex_reads(), *reads],
                       env=latex_env(epoch, folder, warm))


# LuaTeX's own words when Lua code meets the memory limit (`./x.tex:4: error:  (lua): not
# enough memory`); only on an error line, as an article's text may say the same words.
LUA_OUT_OF_MEMORY = re.compile(r"^(?:!|\S+:\d+:)[^\n]*\berror\b[^\n]*not enough memory", re.M)


def lua_out_of_memory(log: Path) -> bool:
    """Lua code stopped by the memory limit: LuaTeX ends with an error, not a signal."""
    try:
        return bool(LUA_OUT_OF_MEMORY.search(log.read_text(encoding="utf-8", errors="replace")))
    except OSError:
        return False


def log_tail(log: Path, build_dir: Path | None = None, lines: int = 15) -> str:
    if not log.exists():
        return "(no log)"
    text = log.read_text(encoding="utf-8", errors="replace").splitlines()
    errors = [i for i, line in enumerate(text) if line.startswith("!") or ERROR_LINE.match(line)]
    start = errors[0] if errors else max(0, len(text) - lines)
    where = ""
    if errors and build_dir is not None and (found := ERROR_LINE.match(text[errors[0]])):
        slug, line = TexSources(build_dir).locate(found.group(1), int(found.group(2)))
        where = f"    (in article {slug}, source line {line})\n" if slug else ""
    return where + "\n".join("    " + line for line in text[start:start + lines])


# -- the log: what did not fit, what is missing -------------------------------------------------

MISSING_GLYPH = re.compile(r"Missing character: There is no (.+?) \((U\+[0-9A-F]+)\) in font (.+?)!")
OVERFULL = re.compile(r"^Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\) (?:in (paragraph|alignment) at "
                      r"lines (\d+)--\d+|detected at line (\d+)|has occurred while \\output is active)")
REFERENCE = re.compile(r"LaTeX Warning: (?:Hyper )?[Rr]eference `([^']*)' on page \S+ undefined "
                       r"on input line (\d+)")
ZB_WARNING = re.compile(r"Package zennbook Warning: (.*?) on input line (\d+)\.")
ERROR_LINE = re.compile(r"^(\S+\.tex):(\d+): (.*)$")
BOX_REPORT = re.compile(r"^(Overfull|Underfull|Loose|Tight) \\[hv]box")


@dataclass
class LogEvent:
    kind: str              # overfull | glyph | reference | zennbook | error
    file: str              # the .tex file LaTeX was reading ("" when unknown)
    line: int | None       # its line
    match: re.Match
    box: str = ""          # for overfull boxes: the box's content as the log shows it


def log_events(log_text: str) -> list[LogEvent]:
    """The log's events of interest, each with the file LaTeX was reading at the time."""
    events, stack, box_of = [], [], None
    for text in log_text.split("\n"):
        if box_of is not None:           # a box's content: text, not file names
            box_of.box += text
            box_of = box_of if text.strip() else None
            continue
        event = classify_log_line(text, current_file(stack))
        if event:
            events.append(event)
            box_of = event if event.kind == "overfull" else None
        elif BOX_REPORT.match(text):
            box_of = LogEvent("skip", "", None, BOX_REPORT.match(text))
        track_files(text, stack)
    return events


def classify_log_line(text: str, file: str) -> LogEvent | None:
    if found := OVERFULL.match(text):
        line = found.group(3) or found.group(4)
        return LogEvent("overfull", file, int(line) if line else None, found)
    if found := MISSING_GLYPH.search(text):
        return LogEvent("glyph", file, None, found)
    if found := REFERENCE.search(text):
        return LogEvent("reference", file, int(found.group(2)), found)
    if found := ZB_WARNING.search(text):
        return LogEvent("zennbook", file, int(found.group(2)), found)
    if found := ERROR_LINE.match(text):
        return LogEvent("error", found.group(1), int(found.group(2)), found)
    return None


def track_files(text: str, stack: list) -> None:
    """TeX writes `(file` when it opens a file and `)` when it closes it."""
    for token in re.finditer(r"\(([^()\s]*)|\)", text):
        if token.group(0) == ")":
            if stack:
                stack.pop()
        else:
            name = token.group(1)
            stack.append(name if re.search(r"\.(tex|toc|aux|out|sty|cls)$", name) else None)


def current_file(stack: list) -> str:
    return next((name for name in reversed(stack) if name), "")


class TexSources:
    """The build folder's .tex files, with their `%zb:` markers, read once."""

    def __init__(self, build_dir: Path):
        self.build_dir = build_dir
        self.files: dict[str, list[str]] = {}

    def lines(self, file: str) -> list[str]:
        key = file.removeprefix("./")
        if key not in self.files:
            path = self.build_dir / key
            ok = path.suffix == ".tex" and path.is_file()
            self.files[key] = path.read_text(encoding="utf-8").split("\n") if ok else []
        return self.files[key]

    def locate(self, file: str, line: int | None) -> tuple[str | None, int | None]:
        """(article slug, source line) of line `line` of `file`, from the nearest marker above."""
        key = file.removeprefix("./")
        slug = key[len("chapters/"):-len(".tex")] if key.startswith("chapters/") else None
        if not line:
            return slug, None
        for text in reversed(self.lines(key)[:line]):
            if text.startswith("%zb:line=") and slug:
                return slug, int(text.split("=", 1)[1])
            if text.startswith("%zb:article="):
                return text.split("=", 1)[1].strip(), None
        return slug, None

    def kind(self, file: str, line: int | None) -> str:
        """What LaTeX was setting at that line: code, math, table or text."""
        lines = self.lines(file)[:line or 0]
        if lines and re.search(r"\\zb(display|math)\{", lines[-1]):
            return "math"
        for text in reversed(lines):
            for start, end, kind in (("\\begin{Highlighting}", "\\end{Highlighting}", "code"),
                                     ("\\begin{longtable}", "\\end{longtable}", "table")):
                if text.startswith(start):
                    return kind
                if text.startswith(end):
                    return "text"
            if text.startswith("%zb:"):
                return "text"
        return "text"


@dataclass
class LayoutReport:
    """What the proof and the build report about the typeset PDF."""
    overfull: list[dict] = field(default_factory=list)
    missing_glyphs: list[dict] = field(default_factory=list)
    unresolved_references: list[dict] = field(default_factory=list)
    math: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)

    @property
    def problems(self) -> int:
        return sum(len(v) for v in (self.overfull, self.missing_glyphs, self.unresolved_references,
                                    self.math, self.errors))

    def as_dict(self) -> dict:
        return {"overfull": self.overfull, "missing_glyphs": self.missing_glyphs,
                "unresolved_references": self.unresolved_references, "math": self.math,
                "errors": self.errors, "problems": self.problems}


def scan_log(log: Path, articles, diagnostics: Diagnostics,
             overfull_limit_pt: float = OVERFULL_LIMIT_PT) -> dict:
    """Missing glyphs, overfull lines, unresolved references, math and errors, as diagnostics
    naming the article and source line; returns the layout report as a dict."""
    sources = TexSources(log.parent)
    places = ArticlePlaces(articles)
    report = LayoutReport()
    for event in log_events(log.read_text(encoding="utf-8", errors="replace")):
        handler = EVENT_HANDLERS.get(event.kind)
        if handler:
            handler(event, sources, places, report, diagnostics, overfull_limit_pt)
    return report.as_dict()


@dataclass
class ArticlePlaces:
    """Article labels and source lines, from slugs and from the text the log shows."""
    articles: list

    def label(self, slug: str | None) -> str | None:
        article = self.article(slug)
        return article.label if article else slug

    def article(self, slug: str | None):
        return next((a for a in self.articles if a.slug == slug), None)

    def refine(self, slug: str | None, line: int | None, box: str) -> int | None:
        """The exact source line of an overfull paragraph, from the words the log shows."""
        article = self.article(slug)
        if article is None:
            return line
        source = SourceLines.of(article)
        source.seek(line or 0)
        words = re.sub(r"\\[A-Z0-9]+/\S+|\[\]|\|", "", box)
        # the log puts a space between Japanese characters: join them again
        words = re.sub(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])", "", words)
        return source.find(words) or line

    def find_char(self, char: str) -> tuple[str, int] | None:
        return find_char(char, self.articles)


def on_overfull(event, sources, places, report, diagnostics, limit) -> None:
    points = float(event.match.group(1))
    if points <= limit:
        return
    slug, line = sources.locate(event.file, event.line)
    if line is not None and event.match.group(2) == "paragraph":
        line = places.refine(slug, line, event.box)
    kind = overfull_kind(event, sources)
    path = places.label(slug)
    report.overfull.append({"pt": points, "kind": kind, "path": path, "line": line,
                            "tex": f"{event.file.removeprefix('./')}:{event.line}"})
    diagnostics.warning(Code.LAYOUT_OVERFULL, f"{kind} runs {points:.1f}pt past the margin", path, line)


def overfull_kind(event, sources) -> str:
    if event.line is None:              # built by the output routine: the head or foot line
        return "running head"
    if event.match.group(2) == "alignment":
        return "table"
    return sources.kind(event.file, event.line)


def on_glyph(event, sources, places, report, diagnostics, limit) -> None:
    char, code, font = event.match.groups()
    if any(g["code"] == code for g in report.missing_glyphs):
        return
    path, line = places.find_char(chr(int(code[2:], 16))) or (None, None)
    font = font.split(":")[0]
    report.missing_glyphs.append({"char": char, "code": code, "font": font, "path": path, "line": line})
    diagnostics.warning(Code.GLYPH_MISSING, f"no installed font has {code} {char!r}: it prints as an empty "
                        f"box (in {font} and its fallbacks); install a font that covers it "
                        f"(fc-list ':charset={code[2:].lower()}' lists them)", path, line)


def on_reference(event, sources, places, report, diagnostics, limit) -> None:
    slug, line = sources.locate(event.file, event.line)
    target = event.match.group(1)
    path = places.label(slug)
    report.unresolved_references.append({"target": target, "path": path, "line": line})
    diagnostics.warning(Code.LAYOUT_REFERENCE, f"link to '{target}' leads nowhere (no such anchor)", path, line)


def on_zennbook(event, sources, places, report, diagnostics, limit) -> None:
    slug, line = sources.locate(event.file, event.line)
    message, path = event.match.group(1), places.label(slug)
    report.math.append({"message": message, "path": path, "line": line})
    code = Code.LAYOUT_MATH_WIDE if message.startswith("display math") else Code.MATH_UNDEFINED
    diagnostics.warning(code, message, path, line)


def on_error(event, sources, places, report, diagnostics, limit) -> None:
    slug, line = sources.locate(event.file, event.line)
    message, path = event.match.group(3), places.label(slug)
    report.errors.append({"message": message, "path": path, "line": line,
                          "tex": f"{event.file.removeprefix('./')}:{event.line}"})
    diagnostics.error(Code.LATEX_ERROR, f"LaTeX: {message}", path, line)


EVENT_HANDLERS = {"overfull": on_overfull, "glyph": on_glyph, "reference": on_reference,
                  "zennbook": on_zennbook, "error": on_error}


def find_char(char: str, articles) -> tuple[str, int] | None:
    for article in articles:
        for index, line in enumerate(article.body.split("\n")):
            if char in line:
                lines = article.body_lines
                return article.label, lines[index] if index < len(lines) else index + 1
    return None


# -- writing the PDF ----------------------------------------------------------------------------

def latex_build_dir(book, context, out_dir: Path, kind: str = "latex") -> Path:
    """A build folder that outlives the run (its log is there to read when LaTeX fails), one
    per book and output folder: builds into other folders never share (or delete) it."""
    base = context.cache_dir or Path(".zennbook-cache")
    key = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:8]
    build_dir = (base / kind / f"{book.slug}-{key}").resolve()
    shutil.rmtree(build_dir, ignore_errors=True)
    build_dir.mkdir(parents=True)
    prune_build_dirs(build_dir)
    return build_dir


def prune_build_dirs(keep: Path, max_age_s: float = 86400) -> None:
    """Build folders of other output folders, untouched for a day, go (tests make many)."""
    now = time.time()
    for other in keep.parent.glob("*"):
        if other != keep and other.is_dir() and now - other.stat().st_mtime > max_age_s:
            shutil.rmtree(other, ignore_errors=True)


def write_pdf(book, articles, out_path: Path, context) -> None:
    build_dir = latex_build_dir(book, context, out_path.parent)
    assets = LatexAssets(build_dir)
    tex = render_book_tex(book, articles, assets, context.diagnostics, context)
    (build_dir / "book.tex").write_text(tex, encoding="utf-8")
    install_fonts(build_dir, context.cache.root)
    log, _ = run_lualatex(build_dir, epoch=context.epoch)
    scan_log(log, articles, context.diagnostics)
    safe_pdf_copy(build_dir / "book.pdf", out_path)


def safe_pdf_copy(source: Path, target: Path) -> None:
    """The PDF LuaLaTeX made, without any action that could run or fetch (the second wall)."""
    import pikepdf
    from ..safety.pdf import remove_unsafe_actions
    with pikepdf.open(source) as pdf:
        if not remove_unsafe_actions(pdf):
            shutil.copyfile(source, target)
            return
        pdf.save(target, deterministic_id=True)
