"""The LuaLaTeX log read back: overfull boxes, missing glyphs, undefined references and errors,
each a located diagnostic (article and source line), and the layout report."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import panflute as pf

from ...diagnostics import Code, Diagnostics
from ...filtering import walk
from ...provenance import LINE_BREAKS, code_line, own_line, source_line, text_line
from .assets import OVERFULL_LIMIT_PT
from .lines import code_rows

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
        self.rows: dict[str, list[int | None]] = {}

    def lines(self, file: str) -> list[str]:
        key = file.removeprefix("./")
        if key not in self.files:
            path = self.build_dir / key
            ok = path.suffix == ".tex" and path.is_file()
            self.files[key] = path.read_text(encoding="utf-8").split("\n") if ok else []
        return self.files[key]

    def locate(self, file: str, line: int | None) -> tuple[str | None, int | None]:
        """(article slug, source line) of line `line` of `file`, from the nearest marker above
        (a marker may be indented: pandoc indents a list's blocks)."""
        key = file.removeprefix("./")
        slug = key[len("chapters/"):-len(".tex")] if key.startswith("chapters/") else None
        if not line:
            return slug, None
        for text in reversed(self.lines(key)[:line]):
            text = text.lstrip()
            if text.startswith("%zb:line=") and slug:
                return slug, int(text.split("=", 1)[1])
            if text.startswith("%zb:article="):
                return text.split("=", 1)[1].strip(), None
        return slug, None

    def code_row(self, file: str, line: int | None) -> int | None:
        """The row of its code block that TeX line `line` sets (0 for the first), or None when
        it is not inside one."""
        rows = self.code_rows(file)
        return rows[line - 1] if line and 0 < line <= len(rows) else None

    def code_rows(self, file: str) -> list[int | None]:
        """Per TeX line, its row in its code block, or None (lines.code_rows)."""
        key = file.removeprefix("./")
        if key not in self.rows:
            self.rows[key] = code_rows(self.lines(key))
        return self.rows[key]

    def kind(self, file: str, line: int | None) -> str:
        """What LaTeX was setting at that line: code, math, table or text."""
        lines = self.lines(file)[:line or 0]
        if lines and re.search(r"\\zb(display|math)\{", lines[-1]):
            return "math"
        if self.code_row(file, line) is not None:
            return "code"
        for text in reversed(lines):
            text = text.lstrip()
            if text.startswith("\\begin{longtable}"):
                return "table"
            if text.startswith(("\\end{longtable}", "%zb:")):
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
    """Article labels by slug, and where in the articles' trees a character is."""
    articles: list

    def label(self, slug: str | None) -> str | None:
        article = self.article(slug)
        return article.label if article else slug

    def article(self, slug: str | None):
        return next((a for a in self.articles if a.slug == slug), None)

    def refine(self, slug: str | None, line: int, box: str) -> int:
        """The source line of the paragraph line whose text the log's overfull box shows: the
        paragraph is found in the tree by its line (the marker's), its lines are matched
        against the box (see provenance.source_line for a paragraph's line k)."""
        article = self.article(slug)
        block = paragraph_at(article.doc, line) if article is not None and article.doc is not None else None
        if block is None:
            return line
        words = re.sub(r"\\[A-Z0-9]+/\S+|\[\]|\|", "", box)
        words = re.sub(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])", "", words)   # the log spaces Japanese out
        offset = matching_line(paragraph_lines(block), words)
        return line + offset

    def code_line(self, slug: str | None, fence: int, row: int) -> int:
        """The source line of row `row` of the code block whose marker says `fence`."""
        article = self.article(slug)
        block = code_block_at(article.doc, fence) if article is not None and article.doc is not None else None
        return code_line(block, row) if block is not None else fence + 1 + row

    def find_char(self, char: str) -> tuple[str, int | None] | None:
        return find_char(char, self.articles)


def on_overfull(event, sources, places, report, diagnostics, limit) -> None:
    points = float(event.match.group(1))
    if points <= limit:
        return
    kind = overfull_kind(event, sources)
    row = sources.code_row(event.file, event.line) if kind == "code" else None
    if row is not None:     # the code block's marker is above its first row, whatever its rows say
        slug, line = sources.locate(event.file, event.line - row - 1)
        line = places.code_line(slug, line, row) if line is not None else None
    else:
        slug, line = sources.locate(event.file, event.line)
        if line is not None and event.match.group(2) == "paragraph":
            line = places.refine(slug, line, event.box)
    path = places.label(slug)
    report.overfull.append({"pt": points, "kind": kind, "path": path, "line": line,
                            "tex": f"{event.file.removeprefix('./')}:{event.line}"})
    diagnostics.reporter(path).warn(Code.LAYOUT_OVERFULL, f"{kind} runs {points:.1f}pt past the margin", line)


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
    diagnostics.reporter(path).warn(Code.GLYPH_MISSING, f"no installed font has {code} {char!r}: it prints as "
                                    f"an empty box (in {font} and its fallbacks); install a font that covers "
                                    f"it (fc-list ':charset={code[2:].lower()}' lists them)", line)


def on_reference(event, sources, places, report, diagnostics, limit) -> None:
    slug, line = sources.locate(event.file, event.line)
    target = event.match.group(1)
    path = places.label(slug)
    report.unresolved_references.append({"target": target, "path": path, "line": line})
    diagnostics.reporter(path).warn(Code.LAYOUT_REFERENCE, f"link to '{target}' leads nowhere (no such anchor)", line)


def on_zennbook(event, sources, places, report, diagnostics, limit) -> None:
    slug, line = sources.locate(event.file, event.line)
    message, path = event.match.group(1), places.label(slug)
    report.math.append({"message": message, "path": path, "line": line})
    code = Code.LAYOUT_MATH_WIDE if message.startswith("display math") else Code.MATH_UNDEFINED
    diagnostics.reporter(path).warn(code, message, line)


def on_error(event, sources, places, report, diagnostics, limit) -> None:
    slug, line = sources.locate(event.file, event.line)
    message, path = event.match.group(3), places.label(slug)
    report.errors.append({"message": message, "path": path, "line": line,
                          "tex": f"{event.file.removeprefix('./')}:{event.line}"})
    diagnostics.reporter(path).error(Code.LATEX_ERROR, f"LaTeX: {message}", line)


EVENT_HANDLERS = {"overfull": on_overfull, "glyph": on_glyph, "reference": on_reference,
                  "zennbook": on_zennbook, "error": on_error}


def paragraph_at(doc, line: int):
    """The first paragraph of `doc` whose anchor says `line`."""
    found: list = []

    def visit(elem, _doc):
        if not found and isinstance(elem, (pf.Para, pf.Plain)) and own_line(elem) == line:
            found.append(elem)
    walk(doc, visit, doc)
    return found[0] if found else None


def code_block_at(doc, line: int):
    """The first code block of `doc` whose fence is on `line`."""
    found: list = []

    def visit(elem, _doc):
        if not found and isinstance(elem, pf.CodeBlock) and own_line(elem) == line:
            found.append(elem)
    walk(doc, visit, doc)
    return found[0] if found else None


def paragraph_lines(block) -> list[str]:
    """The text of each line of a paragraph (its inlines cut at line breaks)."""
    lines = [""]

    def visit(items) -> None:
        for item in items:
            if isinstance(item, LINE_BREAKS):
                lines.append("")
            elif isinstance(item, pf.Space):
                lines[-1] += " "
            elif isinstance(getattr(item, "text", None), str):
                lines[-1] += item.text
            elif hasattr(item, "content") and not isinstance(item, pf.Note):
                visit(item.content)
    visit(block.content)
    return lines


def matching_line(lines: list[str], box: str) -> int:
    """Index of the first of `lines` holding the box's first words (or, for text without
    words, such as a formula, its first characters); 0 when none does."""
    words = [w[:10] for w in re.findall(r"[^\W_]{3,}", box)[:3]]
    start = re.sub(r"\s+", "", box)[:12]
    squashed = [re.sub(r"\s+", "", text) for text in lines]
    for probe, texts in [*((w, lines) for w in words), (start, squashed)]:
        hit = next((k for k, text in enumerate(texts) if probe and probe in text), None)
        if hit is not None:
            return hit
    return 0


def find_char(char: str, articles) -> tuple[str, int | None] | None:
    """The first article whose tree holds `char`, and the source line of the block it is in
    (the log names a missing glyph's character, not where it was set)."""
    for article in articles:
        if article.doc is not None and (found := char_in_tree(char, article.doc)):
            return article.label, found[0]
    return None


def char_in_tree(char: str, doc) -> list:
    """[line] of the first text in `doc` (a word, code, math, raw text) holding `char`, or []:
    in a code block, the line of the code line it is on."""
    found: list = []

    def visit(elem, _doc):
        text = getattr(elem, "text", None)
        if found or not isinstance(text, str) or char not in text:
            return
        found.append(text_line(elem, text.index(char)) if isinstance(elem, pf.CodeBlock) else source_line(elem))
    walk(doc, visit, doc)
    return found
