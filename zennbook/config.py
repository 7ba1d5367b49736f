"""The book model: book.yaml (or a Zenn book's config.yaml, or a bare folder), validated.

The schema is declared once (BOOK_KEYS, LICENSE_KEYS, ...); every wrong key or value is
collected as a diagnostic naming the file and the key, then reported all at once.

One file over 600 lines on purpose: it is the whole schema of the book file (the model's
dataclasses, the key tables and the checks of each section), which a reader looks up in one
place; the paths it names are checked by safety.paths, its YAML read by safety.yamlload.
"""
from __future__ import annotations

import os
import re
import string
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from .diagnostics import Code, Diagnostics, ZennbookError
from .safety.paths import (Refused, book_folder, check_dir, check_file, read_regular, shown,
                           unsafe_name)
from .safety.urls import Refusal, decide, web_target
from .safety.yamlload import CONFIG_MAX_BYTES, load_yaml

PAPERS = ("b5", "a5", "a4")
LANGUAGES_PATTERN = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")
# Slugs become output file names: a plain name, never a path or a hidden file.
SLUG_PATTERN = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class License:
    id: str
    url: str
    holder: str
    year: str
    notice: str
    terms: tuple[str, ...]
    short: str


@dataclass(frozen=True)
class Part:
    title: str
    chapters: tuple[str, ...]          # article slugs, in order


@dataclass(frozen=True)
class PdfOptions:
    paper: str = "b5"
    crop_marks: bool = False
    bleed_mm: float = 0.0
    proof: bool = False                # watermark every page as a proof
    # print on demand (writers/pdf/presets.py has the services' rows)
    preset: str = ""                   # a print service: trim, bleed, marks, gutter, limits
    volume_pages: int = 0              # split the print PDF into volumes of at most this many pages
    print_paper: str = "white"         # the paper the cover's spine is measured for
    gutter_pages: int = 0              # set by the PDF writer: the page count the gutter is chosen for


@dataclass(frozen=True)
class EpubOptions:
    embed_fonts: bool = False          # readers have Japanese fonts; embedding a subset is opt-in
    math: str = "mathml"               # "svg": MathJax's SVG with a speech label, for readers without MathML


@dataclass(frozen=True)
class ReaderOptions:
    page: str = "tablet"               # the reader's PDF page: "tablet" or "phone"


@dataclass(frozen=True)
class MathOptions:
    # A `$$` block right under a text line: Zenn shows it as text; a printed page of raw LaTeX
    # serves no reader, so the book draws it ("math") unless asked to keep Zenn's reading ("text").
    under_text: str = "math"


@dataclass(frozen=True)
class Book:
    title: str
    slug: str
    articles_dir: Path
    root_dir: Path                     # where /images/... resolves (the Zenn repository root)
    parts: tuple[Part, ...]
    license: License | None
    subtitle: str = ""
    author: str = ""
    language: str = "ja"
    version: str = "0.0.0"
    source_url: str = ""               # pattern with {slug}, for per-article attribution
    pdf: PdfOptions = field(default_factory=PdfOptions)
    epub: EpubOptions = field(default_factory=EpubOptions)
    reader: ReaderOptions = field(default_factory=ReaderOptions)
    math: MathOptions = field(default_factory=MathOptions)
    silence: frozenset[str] = frozenset()
    cards: dict = field(default_factory=dict)
    config_path: Path | None = None
    folder: Path | None = None         # the book's folder, resolved: nothing outside it is read

    @property
    def home(self) -> Path:
        """The folder every file the book names must be inside."""
        return self.folder or book_folder(self.articles_dir)

    @property
    def chapter_slugs(self) -> list[str]:
        return [slug for part in self.parts for slug in part.chapters]

    def source_url_for(self, slug: str) -> str:
        """source_url with the article's slug in place of each {slug} (checked at load time:
        no other field, no format spec; the slug's URL-special characters escaped)."""
        return slug_quoted(slug).join(format_pieces(self.source_url)) if self.source_url else ""



# -- schema -------------------------------------------------------------------------------

BOOK_KEYS = {
    "title": str, "subtitle": str, "author": str, "language": str, "version": str,
    "slug": str, "source_url": str, "articles": str, "root": str, "license": dict,
    "parts": list, "chapters": list, "pdf": dict, "epub": dict, "reader": dict, "math": dict, "silence": list, "cards": str,
}
EPUB_KEYS = {"embed_fonts": bool, "math": str}
EPUB_MATH = ("mathml", "svg")
READER_KEYS = {"page": str}
READER_PAGES = ("tablet", "phone")
MATH_KEYS = {"under_text": str}
MATH_UNDER_TEXT = ("math", "text")
LICENSE_KEYS = {"id": str, "url": str, "holder": str, "year": (str, int), "notice": str,
                "terms": list, "short": str}
LICENSE_REQUIRED = ("id", "url", "holder", "notice", "short")
PART_KEYS = {"title": str, "chapters": list}
PDF_KEYS = {"paper": str, "crop_marks": bool, "bleed_mm": (int, float), "proof": bool,
            "preset": str, "volume_pages": int, "print_paper": str}
# writers/pdf/presets.py PRESETS, by name (config reads no writer; a test keeps them equal)
PDF_PRESETS = ("kdp-6x9", "kdp-7x10", "b5-jp", "a5-jp")
PRINT_PAPERS = ("white", "cream")
MIN_VOLUME_PAGES = 24
# A Zenn book's config.yaml: its own keys, of which we use title and chapters.
ZENN_BOOK_KEYS = {"title": str, "summary": str, "topics": list, "published": bool,
                  "price": int, "chapters": list}


class ConfigError(ZennbookError):
    """The configuration cannot be used; the diagnostics say why."""


def slugify(name: str) -> str:
    slug = re.sub(r"[^0-9A-Za-z]+", "-", name).strip("-").lower()
    return slug or "book"


def read_yaml(path: Path, diagnostics: Diagnostics) -> dict | None:
    """A YAML file of the book (book.yaml, config.yaml, cards.yaml) as a mapping, read with
    the bounded loader; None (and an error) when it cannot be used."""
    try:
        text = read_regular(Path(os.path.realpath(path)), CONFIG_MAX_BYTES).decode("utf-8")
        data, removed = load_yaml(text)
    except Refused as exc:
        diagnostics.error(exc.code or Code.CONFIG_SYNTAX, f"cannot read it: {exc.message}", str(path))
        return None
    except UnicodeDecodeError as exc:
        diagnostics.error(Code.CONFIG_SYNTAX, f"cannot read: not UTF-8 ({exc.reason})", str(path))
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        diagnostics.error(Code.CONFIG_SYNTAX, f"invalid YAML: {getattr(exc, 'problem', exc)}",
                          str(path), line)
        return None
    if removed:
        diagnostics.warning(Code.NORMALIZE_CONTROL, f"removed {removed} control characters or "
                            "noncharacters from its values", str(path))
    if data is None:
        return {}
    if not isinstance(data, dict):
        diagnostics.error(Code.CONFIG_TYPE, "expected a mapping at the top", str(path))
        return None
    return data


def check_keys(data: dict, schema: dict, where: str, prefix: str,
               diagnostics: Diagnostics) -> dict:
    """Keep the keys of `data` that the schema knows with the right type; report the rest."""
    good = {}
    for key, value in data.items():
        name = f"{prefix}{shown(key)}"
        expected = schema.get(key)
        if expected is None:
            known = ", ".join(sorted(schema))
            diagnostics.error(Code.CONFIG_UNKNOWN_KEY, f"'{name}': unknown key (known: {known})", where)
        elif not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            diagnostics.error(Code.CONFIG_TYPE,
                              f"'{name}': expected {type_name(expected)}, got {type(value).__name__}", where)
        else:
            good[key] = value
    return good


def type_name(expected) -> str:
    names = {str: "a string", int: "a number", float: "a number", bool: "true or false",
             list: "a list", dict: "a mapping"}
    if isinstance(expected, tuple):
        return " or ".join(dict.fromkeys(names[t] for t in expected))
    return names[expected]


SOURCE_URL_FIELDS = ("slug",)
SAMPLE_SLUG = "an-article"


_SLUG_IN_URL = re.compile(r"[\x00-\x20\"#%/<>?\\^`{|}\x7f]")


def slug_quoted(slug: str) -> str:
    """A slug as it can stand in a URL's path: what would end or change the path (/?#%, spaces,
    quotes, controls) percent-encoded; other characters (Japanese too) kept as they are."""
    return _SLUG_IN_URL.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), slug)


def format_pieces(pattern: str) -> list[str]:
    """The literal text around each placeholder of `pattern` ('{{' and '}}' read as braces)."""
    pieces = [""]
    for literal, field_name, _, _ in string.Formatter().parse(pattern):
        pieces[-1] += literal
        if field_name is not None:
            pieces.append("")
    return pieces


def format_problem(pattern: str, fields: tuple[str, ...]) -> str | None:
    """Why `pattern` is not a plain format string over `fields` ({slug}: no index, attribute,
    conversion or format spec, which could ask for any amount of memory), or None."""
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        return f"{exc} (write a literal brace as '{{{{' or '}}}}')"
    for _, field_name, spec, conversion in parsed:
        if field_name is None:
            continue
        if field_name not in fields:
            return f"unknown placeholder {{{field_name[:40]}}} (known: {', '.join('{' + f + '}' for f in fields)})"
        if spec or conversion:
            return f"placeholder {{{field_name}}} with a conversion or format spec; write {{{field_name}}} alone"
    return None


def check_url(value: str, key: str, where: str, diagnostics: Diagnostics) -> bool:
    decision = web_target(value)
    if isinstance(decision, Refusal):
        diagnostics.error(Code.CONFIG_URL, f"'{key}': {value[:80]!r} is not a URL a reader may follow: "
                          f"{decision.reason}", where)
        return False
    return True


def check_source_url(value: str, where: str, diagnostics: Diagnostics) -> str:
    """source_url when it is a format string over {slug} that gives an allowed URL, else ''."""
    problem = format_problem(value, SOURCE_URL_FIELDS)
    if problem:
        diagnostics.error(Code.CONFIG_FORMAT, f"'source_url': {problem}", where)
        return ""
    sample = slug_quoted(SAMPLE_SLUG).join(format_pieces(value))
    return value if check_url(sample, "source_url", where, diagnostics) else ""


def parse_license(data: dict, where: str, diagnostics: Diagnostics) -> License | None:
    good = check_keys(data, LICENSE_KEYS, where, "license.", diagnostics)
    missing = [k for k in LICENSE_REQUIRED if not str(good.get(k, "")).strip()]
    for key in missing:
        diagnostics.error(Code.CONFIG_MISSING, f"'license.{key}': required", where)
    terms = good.get("terms", [])
    if not all(isinstance(t, str) for t in terms):
        diagnostics.error(Code.CONFIG_TYPE, "'license.terms': expected a list of strings", where)
        terms = [str(t) for t in terms]
    if "url" not in missing and not check_url(str(good["url"]), "license.url", where, diagnostics):
        return None
    if missing:
        return None
    return License(id=good["id"], url=good["url"], holder=good["holder"],
                   year=str(good.get("year", "")), notice=good["notice"].strip(),
                   terms=tuple(terms), short=good["short"].strip())


def parse_parts(data: dict, where: str, diagnostics: Diagnostics) -> list[Part]:
    parts = []
    for index, raw in enumerate(data.get("parts", [])):
        name = f"parts[{index}]"
        if not isinstance(raw, dict):
            diagnostics.error(Code.CONFIG_TYPE, f"'{name}': expected a mapping with title and chapters", where)
            continue
        good = check_keys(raw, PART_KEYS, where, f"{name}.", diagnostics)
        chapters = [strip_md(c) for c in good.get("chapters", []) if check_chapter(c, name, where, diagnostics)]
        parts.append(Part(title=str(good.get("title", "")), chapters=tuple(chapters)))
    if "chapters" in data:     # a flat list: one untitled part
        chapters = [strip_md(c) for c in data["chapters"] if check_chapter(c, "chapters", where, diagnostics)]
        parts.append(Part(title="", chapters=tuple(chapters)))
    return parts


def check_chapter(value, name: str, where: str, diagnostics: Diagnostics) -> bool:
    if isinstance(value, str) and value.strip():
        return True
    diagnostics.error(Code.CONFIG_TYPE, f"'{name}.chapters': expected article slugs, got {value!r}", where)
    return False


def check_slug(slug: str, where: str, diagnostics: Diagnostics) -> None:
    if not SLUG_PATTERN.match(slug):
        diagnostics.error(Code.CONFIG_CHOICE,
                          f"'slug': expected a plain file name (letters, digits, '.', '_', '-'; "
                          f"not starting with '.'); got {slug!r}", where)


def book_slug(title: str, articles_dir: Path) -> str:
    """An ASCII file name for the outputs: from the title, else from the folder."""
    slug = slugify(title)
    slug = slug if slug != "book" else slugify(articles_dir.resolve().name)
    return slug[:100].strip("-") or "book"      # an output file name: within SLUG_PATTERN


def strip_md(name: str) -> str:
    return name.strip()[:-3] if name.strip().endswith(".md") else name.strip()


def parse_pdf(data: dict, where: str, diagnostics: Diagnostics) -> PdfOptions:
    good = check_keys(data, PDF_KEYS, where, "pdf.", diagnostics)
    paper = good.get("paper", "b5")
    if paper not in PAPERS:
        diagnostics.error(Code.CONFIG_CHOICE,
                          f"'pdf.paper': expected one of {', '.join(PAPERS)}; got {paper!r}", where)
        paper = "b5"
    bleed = float(good.get("bleed_mm", 0.0))
    if not 0 <= bleed <= 10:
        diagnostics.error(Code.CONFIG_CHOICE, f"'pdf.bleed_mm': expected 0 to 10; got {bleed}", where)
        bleed = 0.0
    options = {"paper": paper, "crop_marks": good.get("crop_marks", False), "bleed_mm": bleed,
               "proof": good.get("proof", False)}
    return PdfOptions(**{**options, **print_options(good, where, diagnostics)})


def print_options(good: dict, where: str, diagnostics: Diagnostics) -> dict:
    """pdf.preset, pdf.volume_pages and pdf.print_paper, checked. A preset chooses the paper
    the tables are laid out for unless pdf.paper says otherwise."""
    found = {}
    preset = good.get("preset", "")
    if preset and preset not in PDF_PRESETS:
        diagnostics.error(Code.CONFIG_CHOICE,
                          f"'pdf.preset': expected one of {', '.join(PDF_PRESETS)}; got {preset!r}", where)
    elif preset:
        found["preset"] = preset
        if "paper" not in good:
            found["paper"] = "a5" if preset in ("kdp-6x9", "a5-jp") else "b5"
    volume = good.get("volume_pages", 0)
    if volume and volume < MIN_VOLUME_PAGES:
        diagnostics.error(Code.CONFIG_CHOICE, f"'pdf.volume_pages': expected {MIN_VOLUME_PAGES} or more "
                          f"(or 0: one volume); got {volume}", where)
    elif volume:
        found["volume_pages"] = volume
    paper = good.get("print_paper", "white")
    if paper not in PRINT_PAPERS:
        diagnostics.error(Code.CONFIG_CHOICE,
                          f"'pdf.print_paper': expected one of {', '.join(PRINT_PAPERS)}; got {paper!r}", where)
    else:
        found["print_paper"] = paper
    return found


def parse_math(data: dict, where: str, diagnostics: Diagnostics) -> MathOptions:
    good = check_keys(data, MATH_KEYS, where, "math.", diagnostics)
    under_text = good.get("under_text", "math")
    if under_text not in MATH_UNDER_TEXT:
        diagnostics.error(Code.CONFIG_CHOICE, f"'math.under_text': expected one of "
                          f"{', '.join(MATH_UNDER_TEXT)}; got {under_text!r}", where)
        under_text = "math"
    return MathOptions(under_text=under_text)


def parse_choice(good: dict, key: str, choices: tuple[str, ...], name: str, where: str,
                 diagnostics: Diagnostics) -> str:
    """good[key] when it is one of `choices`, else the first choice (and a located error)."""
    value = good.get(key, choices[0])
    if value not in choices:
        diagnostics.error(Code.CONFIG_CHOICE, f"'{name}': expected one of {', '.join(choices)}; got {value!r}", where)
        return choices[0]
    return value


def parse_epub(data: dict, where: str, diagnostics: Diagnostics) -> EpubOptions:
    good = check_keys(data, EPUB_KEYS, where, "epub.", diagnostics)
    return EpubOptions(embed_fonts=good.get("embed_fonts", False),
                       math=parse_choice(good, "math", EPUB_MATH, "epub.math", where, diagnostics))


def parse_reader(data: dict, where: str, diagnostics: Diagnostics) -> ReaderOptions:
    good = check_keys(data, READER_KEYS, where, "reader.", diagnostics)
    return ReaderOptions(page=parse_choice(good, "page", READER_PAGES, "reader.page", where, diagnostics))


# -- loading ------------------------------------------------------------------------------

def load_book(book_path: Path | None = None, articles_dir: Path | None = None,
              diagnostics: Diagnostics | None = None, require_license: bool = True,
              cwd: Path | None = None) -> Book:
    """The book to build, from book.yaml, a Zenn config.yaml, or a folder of articles.

    Raises ConfigError when it cannot be used; every problem found is in `diagnostics`.
    """
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    cwd = cwd or Path.cwd()
    if articles_dir is not None:
        book = book_from_folder(Path(articles_dir), cwd, diagnostics)
    else:
        book = book_from_file(Path(book_path or cwd / "book.yaml"), diagnostics)
    if book is not None:
        book = check_chapters(book, diagnostics)
        if book.license is None and require_license:
            diagnostics.error(Code.CONFIG_LICENSE,
                              "no license block: every output must carry the content's license "
                              "(add 'license:' or build with --no-license on purpose)",
                              str(book.config_path or book.articles_dir))
    if book is None or diagnostics.has_errors():
        raise ConfigError(diagnostics.summary())
    return book


def book_from_file(path: Path, diagnostics: Diagnostics) -> Book | None:
    if not path.is_file():
        diagnostics.error(Code.CONFIG_MISSING, "book file not found", str(path))
        return None
    data = read_yaml(path, diagnostics)
    if data is None:
        return None
    folder = book_folder(path.parent)
    if path.name in ("config.yaml", "config.yml"):
        return zenn_book(path, data, folder, diagnostics)
    named = {"articles": data.get("articles", "articles")}
    articles = folder_key(named, "articles", folder, str(path), diagnostics) or folder / "articles"
    return book_from_data(data, path, articles, folder, diagnostics)


def folder_key(data: dict, key: str, folder: Path, where: str, diagnostics: Diagnostics) -> Path | None:
    """A folder named by book.yaml's `key`, resolved inside the book's folder (else an error)."""
    value = data.get(key)
    if not isinstance(value, str):
        return None                      # absent, or reported by check_keys
    try:
        return check_dir(folder, Path(value))
    except Refused as exc:
        diagnostics.error(exc.code or Code.CONFIG_MISSING, f"'{key}': {exc.message}", where)
        return None


def book_from_folder(folder: Path, cwd: Path, diagnostics: Diagnostics) -> Book | None:
    """`--articles DIR`: every *.md by name; metadata from DIR/book.yaml, else the cwd's license."""
    if not folder.is_dir():
        diagnostics.error(Code.CONFIG_MISSING, "articles folder not found", str(folder))
        return None
    home = book_folder(folder)
    for name in ("book.yaml", "config.yaml", "config.yml"):
        if (folder / name).is_file():
            data = read_yaml(folder / name, diagnostics)
            if data is None:
                return None
            if name == "book.yaml":
                return book_from_data(data, folder / name, home, home, diagnostics)
            return zenn_book(folder / name, data, home, diagnostics)
    data = {"title": home.name}
    fallback = cwd / "book.yaml"
    if fallback.is_file():
        inherited = read_yaml(fallback, diagnostics) or {}
        for key in ("license", "language"):
            if key in inherited:
                data[key] = inherited[key]
    return book_from_data(data, fallback if fallback.is_file() else None, home, home, diagnostics)


def zenn_book(path: Path, data: dict, folder: Path, diagnostics: Diagnostics) -> Book | None:
    """A Zenn book folder: config.yaml's `chapters:` (slugs) decide the order, else N.slug.md."""
    where = str(path)
    good = check_keys(data, ZENN_BOOK_KEYS, where, "", diagnostics)
    chapters = [strip_md(c) for c in good.get("chapters", []) if check_chapter(c, "", where, diagnostics)]
    if not chapters:
        numbered = sorted((int(m.group(1)), stem) for stem in article_stems(folder, folder)
                          if (m := re.match(r"^(\d+)\.", stem)))
        chapters = [stem for _, stem in numbered]
    return Book(title=good.get("title") or folder.name, slug=slugify(folder.name),
                articles_dir=folder, root_dir=folder, parts=(Part("", tuple(chapters)),),
                license=None, config_path=path, folder=folder)


def book_from_data(data: dict, path: Path | None, articles_dir: Path, folder: Path,
                   diagnostics: Diagnostics) -> Book:
    where = str(path) if path else str(articles_dir)
    good = check_keys(data, BOOK_KEYS, where, "", diagnostics)
    license_ = parse_license(good["license"], where, diagnostics) if "license" in good else None
    parts = parse_parts(good, where, diagnostics)
    if not parts:   # no order given: every article of the folder, by file name
        parts = [Part("", tuple(article_stems(articles_dir, folder)))]  # check_chapters names the odd files
    language = good.get("language", "ja")
    if not LANGUAGES_PATTERN.match(language):
        diagnostics.error(Code.CONFIG_CHOICE, f"'language': expected a language tag like ja or en; got {language!r}", where)
    root = folder_key(good, "root", folder, where, diagnostics) if "root" in good else default_root(articles_dir, folder)
    title = good.get("title") or articles_dir.name
    slug = good.get("slug") or book_slug(title, articles_dir)
    check_slug(slug, where, diagnostics)
    return Book(
        title=title, slug=slug,
        articles_dir=articles_dir, root_dir=root or folder, parts=tuple(parts), license=license_,
        subtitle=good.get("subtitle", ""), author=good.get("author", ""), language=language,
        version=str(good.get("version", "0.0.0")),
        source_url=check_source_url(good["source_url"], where, diagnostics) if good.get("source_url") else "",
        pdf=parse_pdf(good.get("pdf", {}), where, diagnostics),
        math=parse_math(good.get("math", {}), where, diagnostics),
        epub=parse_epub(good.get("epub", {}), where, diagnostics),
        reader=parse_reader(good.get("reader", {}), where, diagnostics),
        silence=frozenset(str(s) for s in good.get("silence", [])),
        cards=load_cards(folder, good["cards"], where, diagnostics) if "cards" in good else {},
        config_path=path, folder=folder)


def default_root(articles_dir: Path, folder: Path) -> Path:
    """Where `/images/...` resolves: the articles folder's parent (a Zenn repository's root)
    when that is still the book's folder, else the book's folder itself."""
    return articles_dir.parent if articles_dir != folder else folder


def load_cards(folder: Path, name: str, where: str, diagnostics: Diagnostics) -> dict:
    """cards.yaml: URL -> {title, description}, filled by the user; never fetched."""
    try:
        path = check_file(folder, Path(name))
    except Refused as exc:
        if exc.reason == "missing":
            diagnostics.error(Code.CONFIG_MISSING, f"'cards': cards file not found: {exc.message}", where)
        else:
            diagnostics.error(exc.code or Code.CONFIG_MISSING, f"'cards': {exc.message}", where)
        return {}
    data = read_yaml(path, diagnostics) or {}
    cards = {}
    for url, entry in data.items():
        refusal = decide(str(url))
        if isinstance(refusal, Refusal):
            diagnostics.warning(Code.LINK_UNSAFE, f"'{str(url)[:80]}': not a URL a card may link to "
                                f"({refusal.reason}); entry ignored", str(path))
            continue
        if isinstance(entry, str):
            entry = {"title": entry}
        if not isinstance(entry, dict):
            diagnostics.error(Code.CONFIG_TYPE, f"'{shown(url)}': expected a title or a mapping", str(path))
            continue
        cards[str(url)] = {k: str(v) for k, v in entry.items() if k in ("title", "description")}
    return cards


# -- the articles on disk -------------------------------------------------------------------

def article_stems(articles_dir: Path, home: Path, diagnostics: Diagnostics | None = None) -> list[str]:
    """The articles of a folder, by name: regular files named `*.md` inside the book's folder
    `home`, not hidden. Anything else named `*.md` (a FIFO, a directory, a link leading
    outside, a name with a control character) is named in a warning and left out; hidden
    names (an editor's `.#01-a.md` lock link) are skipped without a word."""
    diagnostics = diagnostics if diagnostics is not None else Diagnostics()
    try:
        names = sorted(entry.name for entry in os.scandir(articles_dir))
    except OSError:
        return []
    stems = []
    for name in names:
        if not name.endswith(".md") or name.startswith("."):
            continue
        problem = article_problem(home, articles_dir / name)
        if problem is None:
            stems.append(name[:-3])
        else:
            diagnostics.warning(problem[0], f"{problem[1]}; not read as an article",
                                display_path(articles_dir / name))
    return stems


def article_problem(home: Path, path: Path) -> tuple[Code, str] | None:
    """Why the file at `path` is not an article (None when it is one)."""
    if unsafe_name(path.name):
        return Code.INPUT_NAME, ("the file name holds a control character, a line break or "
                                 "bytes that are not UTF-8; rename it")
    try:
        check_file(home, Path(os.path.abspath(path)))
    except Refused as exc:
        if exc.reason != "missing":
            return exc.code or Code.INPUT_NOT_REGULAR, exc.message
        return Code.INPUT_NOT_REGULAR, ("a symbolic link to nothing" if os.path.islink(path)
                                        else "not found")
    return None


def check_chapters(book: Book, diagnostics: Diagnostics) -> Book:
    """Every listed chapter exists once, inside the book; articles on disk but not listed
    are named. A chapter refused for where it leads is left out with a warning."""
    where = str(book.config_path or book.articles_dir)
    seen: set[str] = set()
    refused: set[str] = set()
    for slug in book.chapter_slugs:
        problem = None if slug in seen else chapter_problem(book, slug)
        if slug in seen:
            diagnostics.error(Code.CONFIG_CHAPTER, f"chapter '{shown(slug)}' is listed twice", where)
        elif problem is not None and problem[0] == Code.CONFIG_CHAPTER:
            diagnostics.error(Code.CONFIG_CHAPTER, f"chapter '{shown(slug)}': {problem[1]}", where)
        elif problem is not None:
            diagnostics.warning(problem[0], f"chapter '{shown(slug)}': {problem[1]}; left out", where)
            refused.add(slug)
        seen.add(slug)
    if not seen - refused:
        diagnostics.error(Code.CONFIG_CHAPTER, "the book has no chapters", where)
    for stem in article_stems(book.articles_dir, book.home, diagnostics):
        if stem not in seen:
            diagnostics.warning(Code.CONFIG_CHAPTER, f"'{shown(stem)}.md' is not listed in the book; left out", where)
    if not refused:
        return book
    parts = tuple(replace(part, chapters=tuple(c for c in part.chapters if c not in refused))
                  for part in book.parts)
    return replace(book, parts=parts)


def chapter_problem(book: Book, slug: str) -> tuple[Code, str] | None:
    """Why a listed chapter cannot be read: CONFIG_CHAPTER (an error) when it is simply not
    there, an input.* code (a warning) when it names a file we refuse to read."""
    path = book.articles_dir / f"{slug}.md"
    names_a_path = "/" in slug or "\\" in slug
    if slug.startswith("."):
        return Code.INPUT_HIDDEN, "a hidden file is never read as an article"
    if not names_a_path and not os.path.lexists(path):
        return Code.CONFIG_CHAPTER, f"no file {shown(slug)}.md in {shown(display_path(book.articles_dir))}"
    problem = article_problem(book.home, path)
    if problem is None and names_a_path:
        return Code.INPUT_NAME, "a chapter is a file name in the articles folder, not a path"
    return problem


def display_path(path: Path) -> str:
    """A path as diagnostics show it: relative to the working directory when it can be."""
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
