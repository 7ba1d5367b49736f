"""The print PDF: per-article LaTeX from pandoc, a Jinja2 book template, LuaLaTeX.

LaTeX runs without shell escape and with paranoid file access (openin_any=p,
openout_any=p): it can read only what we copied into its build folder.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import panflute as pf
import segno
from PIL import Image as PILImage

from ..diagnostics import Code, Diagnostics
from ..pandoc import doc_to_format, pandoc_path
from .common import attribution, copy_doc, diff_kind, heading_shift
from .templating import latex_environment, template_path

LUALATEX_TIMEOUT_S = 1800
MAX_PASSES = 4
PAPER_OPTIONS = {"b5": "b5j", "a5": "a5", "a4": "a4"}
LATEX_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "$": r"\$",
                  "%": r"\%", "&": r"\&", "_": r"\_", "^": r"\textasciicircum{}", "~": r"\textasciitilde{}"}
VERBATIM_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}"}
# Control sequences that could read or write files or run code if they reached LaTeX from
# an article's math. Math containing any of them is printed as source instead.
UNSAFE_MATH = re.compile(
    r"\\(input|include|InputIfFileExists|openin|openout|read|readline|write|immediate|"
    r"catcode|csname|expandafter|directlua|luaexec|latelua|luadirect|luacode|scantokens|"
    r"special|pdfliteral|usepackage|RequirePackage|documentclass|lowercase|uppercase|"
    r"string|detokenize|jobname|endinput|def|gdef|edef|xdef|let|newcommand|renewcommand|"
    r"closein|closeout|outer|everypar|everymath|everydisplay|output|shipout|begingroup|"
    r"endgroup|global|afterassignment|aftergroup|relax|verb|url|href|includegraphics)(?![A-Za-z])")


class LatexError(RuntimeError):
    """lualatex failed; the message names the log and quotes its last lines."""


def tex_escape(text) -> str:
    return "".join(LATEX_SPECIALS.get(ch, ch) for ch in str(text))


def verbatim_escape(text: str) -> str:
    return "".join(VERBATIM_SPECIALS.get(ch, ch) for ch in text)


@dataclass
class LatexAssets:
    """Files LaTeX may read, copied into its build folder under content-hash names."""
    build_dir: Path
    copied: dict[str, str] = field(default_factory=dict)

    def add(self, source: Path) -> str:
        key = str(source)
        if key not in self.copied:
            digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
            suffix = source.suffix.lower()
            name = f"assets/{digest}{suffix if suffix in ('.png', '.jpg', '.jpeg', '.pdf') else '.png'}"
            target = self.build_dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if suffix in (".png", ".jpg", ".jpeg", ".pdf"):
                shutil.copyfile(source, target)
            else:   # gif, webp, ...: LaTeX reads PNG
                PILImage.open(source).convert("RGBA").save(target)
            self.copied[key] = name
        return self.copied[key]

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


# -- the render pass: the book's elements as LaTeX ------------------------------------------

def article_latex(article, assets: LatexAssets, diagnostics: Diagnostics) -> str:
    doc = copy_doc(article.doc)
    doc.assets, doc.diagnostics, doc.slug, doc.label = assets, diagnostics, article.slug, article.label
    doc = doc.walk(latex_element, doc)
    args = ["--top-level-division=chapter", f"--shift-heading-level-by={heading_shift(doc)}",
            "--wrap=preserve"]
    return doc_to_format(doc, "latex", args, label=article.label)


def latex_element(elem, doc):
    for kind, render in LATEX_RENDERERS:
        if isinstance(elem, kind):
            return render(elem, doc)
    return None


def raw(text: str) -> pf.RawBlock:
    return pf.RawBlock(text, format="latex")


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
    title = elem.attributes.get("title") or service or url
    return (f"\\zbcard{{{tex_escape(service)}}}{{{tex_escape(title)}}}"
            f"{{{url_latex(url)}}}{{{doc.assets.qr(url)}}}")


def url_latex(url: str) -> str:
    """A URL typeset as escaped text with break points: it can never run anything."""
    return tex_escape(url).replace("/", "/\\allowbreak{}")


def render_code(elem: pf.CodeBlock, doc):
    filename = elem.attributes.get("filename")
    lang = next((c for c in elem.classes if c != "diff"), "")
    if "diff" in elem.classes:
        block = raw(diff_latex(elem.text))
    elif lang.lower() in highlight_languages():
        block = pf.CodeBlock(elem.text, classes=[lang.lower()])
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


def render_image(elem: pf.Image, doc):
    resolved = elem.attributes.pop("resolved", None)
    elem.attributes.pop("data-line", None)
    if resolved:
        elem.url = doc.assets.add(Path(resolved))
    return None


def render_math(elem: pf.Math, doc):
    if not UNSAFE_MATH.search(elem.text):
        return None
    doc.diagnostics.warning(Code.MATH_UNSAFE,
                            "math uses a control sequence that could touch files or run code "
                            f"({UNSAFE_MATH.search(elem.text).group(0)}); printed as source", doc.label)
    return pf.Code(elem.text)


def render_span(elem: pf.Span, doc):
    scope_identifier(elem, doc)
    if "equation" not in elem.classes:
        return None
    label = tex_escape(elem.attributes.get("label", ""))
    for math in elem.content:
        if isinstance(math, pf.Math) and math.format == "DisplayMath" and not UNSAFE_MATH.search(math.text):
            math.text = f"{math.text}\\zbeqno{{{label}}}"
    return None


def scope_identifier(elem, doc):
    """Ids are per article: prefix them with the slug so a book of 100 articles has no clash."""
    if getattr(elem, "identifier", ""):
        elem.identifier = f"{doc.slug}--{elem.identifier}"
    return None


def render_header(elem: pf.Header, doc):
    return scope_identifier(elem, doc)


def render_link(elem: pf.Link, doc):
    if elem.url.startswith("#"):
        elem.url = f"#{doc.slug}--{elem.url[1:]}"
    return None


LATEX_RENDERERS = (
    (pf.Div, render_div),
    (pf.CodeBlock, render_code),
    (pf.Image, render_image),
    (pf.Math, render_math),
    (pf.Span, render_span),
    (pf.Header, render_header),
    (pf.Link, render_link),
)


# -- the book: template, lualatex, log --------------------------------------------------------

def render_book_tex(book, articles, assets: LatexAssets, diagnostics: Diagnostics, context,
                    proof: bool = False) -> str:
    """Write each chapter's .tex into the build folder; return the main document."""
    chapters_dir = assets.build_dir / "chapters"
    chapters_dir.mkdir(parents=True, exist_ok=True)
    by_slug = {a.slug: a for a in articles}
    parts = []
    for part in book.parts:
        members = []
        for slug in part.chapters:
            if slug not in by_slug:
                continue
            article = by_slug[slug]
            (chapters_dir / f"{slug}.tex").write_text(article_latex(article, assets, diagnostics), encoding="utf-8")
            members.append({"slug": slug, "title": article.title, "emoji": article.emoji,
                            "attribution": attribution(book, article)})
        parts.append({"title": part.title, "chapters": members})
    shutil.copyfile(template_path("latex/zennbook.sty"), assets.build_dir / "zennbook.sty")
    return latex_environment().get_template("latex/book.tex.j2").render(
        book=book, parts=parts, paper=PAPER_OPTIONS[book.pdf.paper], build=context,
        proof=proof or book.pdf.proof, crop_marks=book.pdf.crop_marks)


def latex_env() -> dict:
    env = dict(os.environ)
    env.update({"openin_any": "p", "openout_any": "p", "shell_escape": "f",
                "SOURCE_DATE_EPOCH": env.get("SOURCE_DATE_EPOCH", "0"),
                "FORCE_SOURCE_DATE": "1"})
    return env


def run_lualatex(build_dir: Path, job: str = "book") -> Path:
    """Compile until the table of contents settles; return the log path."""
    previous_toc = None
    log = build_dir / f"{job}.log"
    for _ in range(MAX_PASSES):
        try:
            proc = subprocess.run(
                ["lualatex", "--interaction=nonstopmode", "--halt-on-error", "--no-shell-escape",
                 "--file-line-error", f"--jobname={job}", f"{job}.tex"],
                cwd=build_dir, env=latex_env(), capture_output=True, timeout=LUALATEX_TIMEOUT_S, check=False)
        except FileNotFoundError as exc:
            raise LatexError("lualatex: not found; install TeX Live (see the README's set-up command)") from exc
        except subprocess.TimeoutExpired as exc:
            raise LatexError(f"lualatex: no result after {LUALATEX_TIMEOUT_S}s; log: {log}") from exc
        if proc.returncode != 0 or not (build_dir / f"{job}.pdf").exists():
            raise LatexError(f"lualatex: failed on {build_dir / (job + '.tex')} (exit {proc.returncode}); "
                             f"log: {log}\n" + log_tail(log))
        toc = (build_dir / f"{job}.toc").read_bytes() if (build_dir / f"{job}.toc").exists() else b""
        if toc == previous_toc:
            break
        previous_toc = toc
    return log


def log_tail(log: Path, lines: int = 15) -> str:
    if not log.exists():
        return "(no log)"
    text = log.read_text(encoding="utf-8", errors="replace").splitlines()
    errors = [i for i, line in enumerate(text) if line.startswith("!") or ":error:" in line.lower()
              or re.match(r"^\S+\.tex:\d+:", line)]
    start = errors[0] if errors else max(0, len(text) - lines)
    return "\n".join("    " + line for line in text[start:start + lines])


MISSING_GLYPH = re.compile(r"Missing character: There is no (.+?) \((U\+[0-9A-F]+)\) in font (.+?)!")
OVERFULL = re.compile(r"Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\) (?:in paragraph|detected) at lines? (\d+)")


def scan_log(log: Path, articles, diagnostics: Diagnostics, overfull_limit_pt: float = 1.0) -> dict:
    """Missing glyphs and overfull lines, as diagnostics naming the article and line."""
    text = log.read_text(encoding="utf-8", errors="replace")
    report = {"missing_glyphs": [], "overfull": []}
    for char, code, font in sorted(set(MISSING_GLYPH.findall(text))):
        where = find_char(chr(int(code[2:], 16)), articles)
        diagnostics.warning(Code.GLYPH_MISSING, f"no glyph for {char!r} ({code}) in font {font}",
                            *(where or (None, None)))
        report["missing_glyphs"].append({"char": char, "code": code, "font": font, "where": where})
    for file, width, line in overfull_boxes(text):
        if float(width) > overfull_limit_pt:
            report["overfull"].append({"file": file, "line": int(line), "pt": float(width)})
    return report


def overfull_boxes(log_text: str) -> list[tuple[str, str, str]]:
    """(tex file, width, line) for each overfull hbox, tracking which file LaTeX was reading."""
    found = []
    stack: list[str] = []
    for token in re.finditer(r"\((\./[^\s()]+\.tex)|\)|Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\)[^\n]*?lines? (\d+)", log_text):
        if token.group(1):
            stack.append(token.group(1))
        elif token.group(0) == ")":
            if stack:
                stack.pop()
        else:
            found.append((stack[-1] if stack else "", token.group(2), token.group(3)))
    return found


def find_char(char: str, articles) -> tuple[str, int] | None:
    for article in articles:
        for index, line in enumerate(article.body.split("\n")):
            if char in line:
                lines = article.body_lines
                return article.label, lines[index] if index < len(lines) else index + 1
    return None


def latex_build_dir(book, context) -> Path:
    """A build folder that outlives the run: its log is there to read when LaTeX fails."""
    base = context.cache_dir or Path(".zennbook-cache")
    build_dir = (base / "latex" / book.slug).resolve()
    shutil.rmtree(build_dir, ignore_errors=True)
    build_dir.mkdir(parents=True)
    return build_dir


def write_pdf(book, articles, out_path: Path, context) -> None:
    build_dir = latex_build_dir(book, context)
    assets = LatexAssets(build_dir)
    tex = render_book_tex(book, articles, assets, context.diagnostics, context)
    (build_dir / "book.tex").write_text(tex, encoding="utf-8")
    log = run_lualatex(build_dir)
    context.pdf_report = scan_log(log, articles, context.diagnostics)
    shutil.copyfile(build_dir / "book.pdf", out_path)
