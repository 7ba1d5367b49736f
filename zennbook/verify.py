"""`build.py verify`: check built outputs as a reader sees them.

- the license: its short line on every PDF page, the full notice on the copyright page,
  in the EPUB's OPF and copyright page, in the HTML banner and footer;
- every article's attribution in each output;
- nothing lost: every text run of every source article (paragraph, list item, table cell,
  heading, code line, footnote) appears in each output's text;
- no leftover source markup (`:::`, `@[`, `$$`, `![[`).

Source runs come from the articles re-read and re-parsed here, before any filter, so a
filter that drops text is caught. Text is compared with all white space removed: a PDF
breaks lines anywhere and Japanese has no spaces to lose.
"""
from __future__ import annotations

import html
import os
import re
import subprocess
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
import panflute as pf
from lxml import etree

from .diagnostics import Code, Diagnostic, Level
from .filtering import walk
from .provenance import code_line, source_line
from .writers.common import attribution

LEFTOVER_MARKUP = (":::", "@[", "$$", "![[")
MIN_RUN_CHARS = 2
# Not body text: emoji are images in the PDF; ↪ is the PDF's code continuation mark;
# variation selectors are added by pandoc after some arrows.
INVISIBLE_IN_PDF = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0E\uFE0F\u200D\u21AA\u20E3]")
WHITESPACE = re.compile(r"\s+")


@dataclass
class Run:
    text: str          # as written
    key: str           # what is searched: white space removed, NFKC
    article: str       # article label
    line: int | None


@dataclass
class OutputCheck:
    fmt: str
    problems: list[str] = field(default_factory=list)
    runs_total: int = 0
    runs_found: int = 0
    missing: list[Run] = field(default_factory=list)
    preflight: list[Diagnostic] = field(default_factory=list)    # the print set's (pdf only)

    @property
    def coverage(self) -> float:
        return self.runs_found / self.runs_total if self.runs_total else 1.0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.missing and not any(d.level >= Level.ERROR for d in self.preflight)

    def findings(self, missing_shown: int = 20) -> list[Diagnostic]:
        """What failed, as diagnostics like any other: each missing run at its article line."""
        found = [Diagnostic(Level.ERROR, Code.VERIFY_FAILED, problem, self.fmt) for problem in self.problems]
        for run in self.missing[:missing_shown]:
            found.append(Diagnostic(Level.ERROR, Code.VERIFY_FAILED,
                                    f"text missing from the {self.fmt}: {run.text[:60]!r}", run.article, run.line))
        if len(self.missing) > missing_shown:
            found.append(Diagnostic(Level.ERROR, Code.VERIFY_FAILED,
                                    f"... and {len(self.missing) - missing_shown} more runs missing", self.fmt))
        return found + self.preflight

    def row(self) -> dict:
        """This check's line in verify's table (and what the output folder's state keeps)."""
        return {"fmt": self.fmt, "coverage": self.coverage, "found": self.runs_found,
                "total": self.runs_total, "problems": len(self.problems)}


# Characters fonts and PDF text extraction swap for their look-alikes (JIS mapping).
LOOKALIKES = str.maketrans({"\u301c": "~", "\uff5e": "~", "\u2212": "-", "\u2014": "\u2015"})
# Default-ignorable code points (Unicode's Default_Ignorable_Code_Point): no ink, so a PDF may
# hold nothing to extract for them (U+034F COMBINING GRAPHEME JOINER, a stray U+FE0E).
IGNORABLE = str.maketrans(dict.fromkeys([
    0xAD, 0x34F, 0x61C, 0x115F, 0x1160, 0x17B4, 0x17B5, *range(0x180B, 0x1810), *range(0x200B, 0x2010),
    *range(0x202A, 0x202F), *range(0x2060, 0x2070), 0x3164, *range(0xFE00, 0xFE10), 0xFEFF, 0xFFA0,
    *range(0x1BCA0, 0x1BCA4), *range(0x1D173, 0x1D17B), *range(0xE0000, 0xE1000)]))


def squash(text: str) -> str:
    return WHITESPACE.sub("", unicodedata.normalize("NFKC", text)).translate(LOOKALIKES).translate(IGNORABLE)


# -- source runs ------------------------------------------------------------------------

def source_runs(article) -> list[Run]:
    """Text runs of an article, from its AST before filters: split at math, notes, breaks;
    each at its source line (provenance): a paragraph's or a code block's line at its own."""
    runs: list[Run] = []

    def add(text: str, line: int | None) -> None:
        key = squash(INVISIBLE_IN_PDF.sub("", text))
        if len(key) >= MIN_RUN_CHARS and not key.startswith(LEFTOVER_MARKUP):
            runs.append(Run(text.strip(), key, article.label, line))

    def visit(elem, doc):
        if isinstance(elem, pf.CodeBlock):
            if "mermaid" not in elem.classes:          # a diagram's source is not body text
                for row, text in enumerate(elem.text.split("\n")):
                    add(text, code_line(elem, row))
        elif isinstance(elem, (pf.Para, pf.Plain, pf.Header)):
            line = source_line(elem)
            for piece, breaks in inline_pieces(elem):
                add(piece, line + breaks if line is not None else None)
        return None

    walk(article.doc, visit, article.doc)
    return runs


def expected_markers(article, warned_lines: set[int]) -> dict[str, int]:
    """How often each source-markup marker may legitimately appear in an output's text:
    inside code (shown as written), or on a line the build already warned about (Zenn's own
    "stays text" cases, such as `:::message info`). Any more is markup a stage left over."""
    counts = dict.fromkeys(LEFTOVER_MARKUP, 0)

    def visit(elem, doc):
        if isinstance(elem, (pf.Code, pf.CodeBlock)):
            for marker in LEFTOVER_MARKUP:
                counts[marker] += elem.text.count(marker)
        return None
    walk(article.doc, visit, article.doc)
    for index, line in enumerate(article.body.split("\n")):
        number = article.body_lines[index] if index < len(article.body_lines) else index + 1
        if number in warned_lines:
            for marker in LEFTOVER_MARKUP:
                counts[marker] += line.count(marker)
    return counts


BREAKS = (pf.Math, pf.Note, pf.LineBreak, pf.SoftBreak, pf.Image)


def inline_pieces(block) -> list[tuple[str, int]]:
    """The block's text split where outputs legitimately differ: math, notes, breaks, images,
    at any depth (a numbered equation is math inside a Span); each piece with the number of
    line breaks before it (its line in the block)."""
    pieces, current, breaks = [], [], [0, 0]      # [breaks before the current piece, seen so far]

    def visit(items) -> None:
        for item in items:
            if isinstance(item, BREAKS) or is_br(item):
                pieces.append(("".join(current), breaks[0]))
                current.clear()
                breaks[1] += isinstance(item, (pf.LineBreak, pf.SoftBreak))
                breaks[0] = breaks[1]
            elif isinstance(item, pf.Space):
                current.append(" ")
            elif isinstance(item, (pf.Str, pf.Code, pf.RawInline)):
                current.append(item.text)
            elif hasattr(item, "content"):
                visit(item.content)
    visit(block.content)
    pieces.append(("".join(current), breaks[0]))
    return pieces


def is_br(item) -> bool:
    return isinstance(item, pf.RawInline) and item.format == "html" and item.text.strip().lower() in ("<br>", "<br/>", "<br />")


# -- output texts -----------------------------------------------------------------------

def pdf_pages(path: Path) -> list[str]:
    proc = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
                          capture_output=True, timeout=600, check=True)
    text = proc.stdout.decode("utf-8", "replace")
    return text.split("\f")[:-1]


def dehyphenate(text: str) -> str:
    """Words LaTeX hyphenated at a line end, joined (a real `-` at a line end is kept in the
    other reading of the page: verify accepts a run found in either)."""
    return re.sub(r"(?<=[a-z])-\n(?=[a-z])", "", text)


# An output holds images as data URIs and base64 text nodes: one image over ~7.5 MB is a text
# node over libxml2's default 10 MB limit, which then stops parsing silently and makes the
# rest of the page look missing. The writers make any size; verify reads any size.
HTML_PARSER = lxml.html.HTMLParser(huge_tree=True)
XHTML_PARSER = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)


def epub_texts(path: Path) -> tuple[dict[str, str], str]:
    with zipfile.ZipFile(path) as archive:
        docs = {name: "".join(etree.fromstring(archive.read(name), XHTML_PARSER).itertext())
                for name in archive.namelist() if name.endswith(".xhtml")}
        opf = next((archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".opf")), "")
    return docs, opf


def html_text(path: Path) -> tuple[str, lxml.html.HtmlElement]:
    tree = lxml.html.fromstring(path.read_bytes(), parser=HTML_PARSER)
    for junk in tree.xpath("//style|//script"):
        junk.getparent().remove(junk)
    return tree.text_content(), tree


# -- checks -----------------------------------------------------------------------------

SPLIT_GAP_CHARS = 3000     # room for a page's footer, head and footnotes inside a paragraph
SPLIT_TRIES = 200          # places a split run's first piece is tried at
SPLIT_SHORT_PREFIX = 20


def find_split(haystack: str, key: str) -> int:
    """A run broken by page turns: its longest prefix found, then each following piece close
    after the one before (the footer, running head and footnotes of a page stand in between:
    a paragraph of many pages is in many pieces). Where it starts, or -1."""
    best = longest_prefix(haystack, key, 0, len(haystack))
    if best < MIN_RUN_CHARS:
        return -1
    # The longest prefix may sit on a later page of a run that repeats itself (`****...`):
    # a short one is tried too, from its first places on.
    for prefix in (key[:best], key[:min(best, SPLIT_SHORT_PREFIX)]):
        start = 0
        for _ in range(SPLIT_TRIES):
            at = haystack.find(prefix, start)
            if at < 0:
                break
            size = len(os.path.commonprefix([haystack[at:at + len(key)], key]))
            if follows(haystack, key[size:], at + size):
                return at
            start = at + 1
    return -1


def follows(haystack: str, rest: str, cursor: int) -> bool:
    """`rest` found in pieces, each within SPLIT_GAP_CHARS of the end of the one before."""
    while rest:
        window_end = cursor + SPLIT_GAP_CHARS + len(rest)
        size = longest_prefix(haystack, rest, cursor, window_end)
        if size < min(MIN_RUN_CHARS, len(rest)):
            return False
        at = haystack.find(rest[:size], cursor, window_end)
        if at - cursor > SPLIT_GAP_CHARS:
            return False
        cursor, rest = at + size, rest[size:]
    return True


def longest_prefix(haystack: str, key: str, start: int, end: int) -> int:
    """The length of the longest prefix of `key` found in haystack[start:end]."""
    low, high, best = 1, len(key), 0
    while low <= high:
        middle = (low + high) // 2
        if haystack.find(key[:middle], start, end) >= 0:
            best, low = middle, middle + 1
        else:
            high = middle - 1
    return best


def check_runs(check: OutputCheck, runs: list[Run], text: str, paged: bool = False) -> None:
    haystack = squash(INVISIBLE_IN_PDF.sub("", text))
    other = squash(INVISIBLE_IN_PDF.sub("", dehyphenate(text))) if paged else ""
    position = 0
    for run in runs:
        check.runs_total += 1
        found = haystack.find(run.key, position)
        if found < 0:
            found = haystack.find(run.key)
        if found < 0 and paged:
            found = max(other.find(run.key), find_split(haystack, run.key), find_split(other, run.key))
        if found < 0:
            check.missing.append(run)
            continue
        check.runs_found += 1
        position = found


def check_leftovers(check: OutputCheck, text: str, expected: dict[str, int]) -> None:
    for marker in LEFTOVER_MARKUP:
        count = text.count(marker)
        if count > expected.get(marker, 0):
            check.problems.append(f"leftover source markup {marker!r}: {count}x in the text, "
                                  f"{expected.get(marker, 0)}x expected (code, or already warned about)")


def check_license_text(check: OutputCheck, book, text: str, where: str) -> None:
    if book.license and squash(book.license.short) not in squash(text):
        check.problems.append(f"license line missing in {where}")


def check_notice(check: OutputCheck, book, text: str, where: str) -> None:
    if not book.license:
        return
    first = squash(book.license.notice.split("\n\n")[0])
    if first not in squash(text):
        check.problems.append(f"full license notice missing in {where}")


def check_attributions(check: OutputCheck, book, articles, text: str) -> None:
    squashed = squash(text)
    for article in articles:
        url = attribution(book, article).url
        if squash(article.title) not in squashed or (url and squash(url) not in squashed):
            check.problems.append(f"attribution missing for {article.label}")


def verify_pdf(path: Path, book, articles, source: 'SourceText') -> OutputCheck:
    check = OutputCheck("pdf")
    pages = pdf_pages(path)
    if book.license:
        short = squash(book.license.short)
        bare = [str(i + 1) for i, page in enumerate(pages) if short not in squash(page)]
        if bare:
            check.problems.append(f"license line missing on {len(bare)} of {len(pages)} pages: {', '.join(bare[:10])}")
        if not any(squash(book.license.notice.split(chr(10) * 2)[0]) in squash(p) for p in pages[:6]):
            check.problems.append("full license notice missing from the copyright page")
    text = "\n".join(pages)
    check_attributions(check, book, articles, text)
    check_leftovers(check, text, source.expected)
    check_runs(check, source.runs, text, paged=True)
    check_pdf_actions(check, path)
    check_on_page(check, path)
    check.pages = len(pages)
    return check


# -- text on the page ---------------------------------------------------------------------

OFF_PAGE_MARGIN_PT = 20000.0   # how far outside the page text is still looked for
OFF_PAGE_SLACK_PT = 1.0
BBOX_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')
BBOX_WORD = re.compile(r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">([^<]*)</word>')


def check_on_page(check: 'OutputCheck', path: Path, shown: int = 8) -> None:
    """Every word of the PDF inside its page's visible area (the crop box). pdftotext drops
    what lies outside the page, so the words are read from a copy whose pages are widened
    on every side, and each is placed back against the page as a reader sees it."""
    outside = words_off_page(path)
    if outside:
        listed = ", ".join(f"{word!r} (page {page})" for page, word in outside[:shown])
        more = f" and {len(outside) - shown} more" if len(outside) > shown else ""
        check.problems.append(f"text outside the page: {listed}{more}")


def words_off_page(path: Path) -> list[tuple[int, str]]:
    """(page number, word) of each word that is not wholly inside its page's crop box."""
    with tempfile.TemporaryDirectory() as folder:
        widened = Path(folder) / "widened.pdf"
        boxes = widen_pages(path, widened)
        proc = subprocess.run(["pdftotext", "-bbox", str(widened), "-"],
                              capture_output=True, timeout=600, check=True)
    found = []
    pages = proc.stdout.decode("utf-8", "replace").split("<page ")[1:]
    for number, (page, box) in enumerate(zip(pages, boxes), start=1):
        for word in BBOX_WORD.finditer(page):
            if not inside(box, *map(float, word.groups()[:4])):
                found.append((number, html.unescape(word.group(5))))
    return found


def widen_pages(path: Path, target: Path) -> list[tuple[float, float, float, float]]:
    """A copy of the PDF with every page OFF_PAGE_MARGIN_PT larger on each side; returns
    each page's crop box (x0, y0, x1, y1), as the original shows it."""
    import pikepdf
    boxes = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            x0, y0, x1, y1 = sorted_box(page.cropbox)      # the media box when none is set
            boxes.append((x0, y0, x1, y1))
            m = OFF_PAGE_MARGIN_PT
            wide = pikepdf.Array([x0 - m, y0 - m, x1 + m, y1 + m])
            page.obj.MediaBox, page.obj.CropBox = wide, wide
        pdf.save(target)
    return boxes


def sorted_box(box) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in box)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def inside(box, x_min: float, y_min: float, x_max: float, y_max: float) -> bool:
    """A word's pdftotext box (from the widened page's top left, y down) within `box`."""
    x0, y0, x1, y1 = box
    m, slack = OFF_PAGE_MARGIN_PT, OFF_PAGE_SLACK_PT
    left, right = x_min + x0 - m, x_max + x0 - m
    top, bottom = y1 + m - y_min, y1 + m - y_max
    return left >= x0 - slack and right <= x1 + slack and bottom >= y0 - slack and top <= y1 + slack



def check_pdf_actions(check: 'OutputCheck', path: Path) -> None:
    """No link or action of the PDF may launch, run script, open files or fetch elsewhere."""
    import pikepdf
    from .safety.pdf import unsafe_actions
    with pikepdf.open(path) as pdf:
        for finding in unsafe_actions(pdf)[:10]:
            check.problems.append(f"unsafe PDF action: {finding}")


def verify_epub(path: Path, book, articles, source: 'SourceText') -> OutputCheck:
    check = OutputCheck("epub")
    docs, opf = epub_texts(path)
    if book.license and squash(book.license.short) not in squash(opf):
        check.problems.append("dc:rights with the license missing from the OPF")
    copyright_text = next((t for n, t in docs.items() if "copyright" in n), "")
    check_notice(check, book, copyright_text, "the copyright page")
    chapters = [t for n, t in sorted(docs.items()) if "chapter-" in n]
    for index, text in enumerate(chapters, start=1):
        check_license_text(check, book, text, f"chapter {index}")
    body = "\n".join(chapters)
    check_attributions(check, book, articles, body)
    check_leftovers(check, body, source.expected)
    check_runs(check, source.runs, body)
    return check


def verify_html(path: Path, book, articles, source: 'SourceText') -> OutputCheck:
    check = OutputCheck("html")
    text, tree = html_text(path)
    banner = " ".join(e.text_content() for e in tree.xpath('//*[contains(@class, "license-banner")]'))
    footer = " ".join(e.text_content() for e in tree.xpath('//footer[contains(@class, "book-footer")]'))
    check_license_text(check, book, banner, "the banner")
    check_notice(check, book, footer, "the footer")
    if book.license and not tree.xpath('//meta[@name="license"]'):
        check.problems.append('<meta name="license"> missing')
    check_attributions(check, book, articles, text)
    check_leftovers(check, text, source.expected)
    check_runs(check, source.runs, text)
    return check


def verify_reader_pdf(path: Path, book, articles, source: 'SourceText') -> OutputCheck:
    """The reader's PDF is read as the print PDF is: the license on every page, every run."""
    check = verify_pdf(path, book, articles, source)
    check.fmt = "reader-pdf"
    return check


VERIFIERS = {"pdf": verify_pdf, "epub": verify_epub, "html": verify_html, "reader-pdf": verify_reader_pdf}


@dataclass
class SourceText:
    """What the outputs must show of the sources, taken before any filter runs."""
    runs: list[Run] = field(default_factory=list)
    expected: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEFTOVER_MARKUP, 0))

    @staticmethod
    def of_article(article) -> tuple[list[Run], dict[str, int]]:
        """One article's runs and expected markers; call before the filters touch its tree."""
        warned = {d.line for d in article.diagnostics if d.line and d.level >= Level.WARNING}
        return source_runs(article), expected_markers(article, warned)

    def add(self, runs: list[Run], expected: dict[str, int]) -> None:
        self.runs.extend(runs)
        for marker, count in expected.items():
            self.expected[marker] = self.expected.get(marker, 0) + count


def verify_outputs(book, out_dir: Path, articles, source: SourceText, paths: dict | None = None) -> list[OutputCheck]:
    checks = []
    for fmt, verifier in VERIFIERS.items():
        path = (paths or {}).get(fmt) or out_dir / f"{book.slug}.{fmt}"
        if path.exists():
            checks.append(verifier(path, book, articles, source))
    pdf = (paths or {}).get("pdf") or out_dir / f"{book.slug}.pdf"
    for check in checks:
        if check.fmt == "pdf" and book.pdf.preset:
            check.preflight = print_preflight(book, pdf, articles).findings()
    return checks


def print_preflight(book, pdf: Path, articles):
    """The print set's preflight (writers/pdf/preflight.py): its volumes and their covers, or
    the book and its cover (with volumes, the one-file book is the reading copy, not printed)."""
    from .writers.pdf.preflight import preflight, source_images
    siblings = sorted(pdf.parent.glob(f"{pdf.stem}-*.pdf"))
    print_set = [p for p in siblings if re.fullmatch(r"vol\d+(-cover)?|cover", p.stem[len(pdf.stem) + 1:])]
    volumes = book.pdf.volume_pages and any("-vol" in p.name for p in print_set)
    return preflight(book, print_set if volumes else [pdf, *print_set], {a.slug: a.label for a in articles},
                     {a.slug: source_images(a) for a in articles})
