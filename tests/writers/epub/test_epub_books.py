"""Whole books as EPUB: EPUBCheck reports nothing, and the structure, metadata and text are
what a publisher would ship. Each book is built once per module through the pipeline's own
stages; EPUBCheck runs on all of them at once.

Books: the repository's sample book, a book of the five shared seeds, and small books made
here for one concern each (every Mermaid diagram kind, links between chapters, an image
without alt text, embedded fonts).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from tests.writers.epub.epubtools import (
    EPOCH, LEFTOVER_MARKUP, NS, REPO, Epub, build_epub, epubcheck_command, prose_text,
    run_epubcheck, source_runs, squash, visible_text)
from zennbook.mermaid.tools import find_tools

SEEDS = REPO.parent / "shared" / "seeds"

DIAGRAMS = {
    "flowchart": "flowchart LR\n  A[記事] --> B{正しい?}\n  B -- はい --> C[本]\n  B -- いいえ --> D[警告]",
    "sequence": "sequenceDiagram\n  participant 著者\n  participant 本\n  著者->>本: 原稿\n  本-->>著者: 校正\n  Note over 著者,本: 締切",
    "class": "classDiagram\n  class 記事 {\n    +String 題名\n    +書く()\n  }\n  記事 <|-- 章",
    "state": "stateDiagram-v2\n  [*] --> 下書き\n  下書き --> 公開: 完成\n  公開 --> [*]",
    "er": "erDiagram\n  BOOK ||--o{ CHAPTER : has\n  CHAPTER {\n    string title\n  }",
    "gantt": "gantt\n  title 制作\n  dateFormat YYYY-MM-DD\n  section 執筆\n  初稿 :a1, 2026-01-01, 7d\n  推敲 :after a1, 5d",
    "pie": 'pie title 内訳\n  "本文" : 70\n  "図" : 20\n  "コード" : 10',
    "mindmap": "mindmap\n  root((本))\n    第一部\n      章一\n      章二\n    第二部\n      章三",
}


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def diagrams_book(folder: Path) -> Path:
    blocks = "\n\n".join(f"## {kind}\n\n{kind} の図です。\n\n```mermaid\n{source}\n```" for kind, source in DIAGRAMS.items())
    write(folder, "01-diagrams.md", f"---\ntitle: 図の種類\n---\n\n{blocks}\n")
    return folder


def links_book(folder: Path) -> Path:
    write(folder, "book.yaml", "title: Links\nsource_url: 'https://zenn.dev/someone/articles/{slug}'\n"
          "license:\n  id: CC-BY-4.0\n  url: https://creativecommons.org/licenses/by/4.0/\n"
          "  holder: someone\n  notice: 表示 4.0 国際\n  short: CC BY 4.0\n")
    write(folder, "aa-first.md", "---\ntitle: 一つ目\n---\n\n## 始め\n\n"
          "[次の記事](https://zenn.dev/someone/articles/bb-second)と"
          "[次の節](https://zenn.dev/someone/articles/bb-second#後半)と[相対](./bb-second.md)と"
          "[別人](https://zenn.dev/other/articles/bb-second)と"
          "[この中](#始め)と[外](https://example.com/x)と[ない](missing-file.txt)。\n")
    write(folder, "bb-second.md", "---\ntitle: 二つ目\n---\n\n## 後半\n\n[前の記事](/articles/aa-first)。\n")
    return folder


def alt_book(folder: Path) -> Path:
    folder.mkdir(parents=True)
    Image.new("RGB", (40, 30), (200, 80, 80)).save(folder / "red.png")
    write(folder, "01-images.md", "---\ntitle: 画像\n---\n\n説明のある画像:\n\n![赤い四角](./red.png)\n\n"
          "説明のない画像:\n\n![](./red.png)\n\n数式 $a^2$ もあります。\n")
    return folder


def seeds_book(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copyfile(seed, folder / f"{seed.stem}.md")
    return folder


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict:
    """name -> Built; each book built once for the whole module."""
    root = tmp_path_factory.mktemp("epub-books")
    built = {"sample": build_epub(root / "sample", book_path=REPO / "book.yaml")}
    if SEEDS.is_dir():
        built["seeds"] = build_epub(root / "seeds", articles_dir=seeds_book(root / "seeds-src"))
    if not isinstance(find_tools(), str):
        built["diagrams"] = build_epub(root / "diagrams", articles_dir=diagrams_book(root / "diagrams-src"))
    built["links"] = build_epub(root / "links", articles_dir=links_book(root / "links-src"))
    built["alt"] = build_epub(root / "alt", articles_dir=alt_book(root / "alt-src"))
    if fonts_available():
        built["fonts"] = build_epub(root / "fonts", articles_dir=alt_book(root / "fonts-src"), embed_fonts=True)
    return built


def fonts_available() -> bool:
    from zennbook.fonts import face
    try:
        import uharfbuzz  # noqa: F401
    except ImportError:
        return False
    return face("Noto Sans CJK JP") is not None


@pytest.fixture(scope="module")
def checks(books) -> dict:
    """EPUBCheck's verdict on every book, run in parallel."""
    if epubcheck_command() is None:
        pytest.skip("EPUBCheck or java not installed (apt-get install epubcheck)")
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = dict(zip(books, pool.map(lambda b: run_epubcheck(b.path), books.values())))
    return results


@pytest.mark.parametrize("name", ["sample", "seeds", "diagrams", "links", "alt", "fonts"])
def test_epubcheck_reports_nothing(books, checks, name):
    if name not in books:
        pytest.skip(f"book '{name}' not built here (tools or seeds missing)")
    result = checks[name]
    counts = {s: result.count(s) for s in ("FATAL", "ERROR", "WARNING", "INFO")}
    assert counts == {"FATAL": 0, "ERROR": 0, "WARNING": 0, "INFO": 0}, result.summary()
    assert result.returncode == 0, result.output[-2000:]


# -- structure ----------------------------------------------------------------------------

def test_one_document_per_article_in_book_order(books):
    for built in books.values():
        epub = Epub(built.path)
        titles = [epub.document(h).xpath("string(//x:h1[@class='chapter-title'])", namespaces=NS).strip()
                  for h in epub.chapters()]
        assert len(titles) == len(built.articles)
        for title, article in zip(titles, built.articles):
            assert title == f"{article.emoji} {article.title}".strip()
        assert epub.spine()[:2] == ["cover.xhtml", "nav.xhtml"] and epub.spine()[-1] == "copyright.xhtml"


def test_nav_groups_chapters_by_part(books):
    built = books["sample"]
    nav = Epub(built.path).document("nav.xhtml")
    parts = nav.xpath("//x:nav[@epub:type='toc']/x:ol/x:li[x:span]", namespaces=NS)
    assert [p.xpath("string(x:span)", namespaces=NS) for p in parts] == [p.title for p in built.book.parts]
    titles = {a.slug: a.title for a in built.articles}
    for element, part in zip(parts, built.book.parts):
        assert element.xpath("x:ol/x:li/x:a/text()", namespaces=NS) == [titles[s] for s in part.chapters]


def test_landmarks_name_cover_toc_bodymatter_copyright(books):
    nav = Epub(books["sample"].path).document("nav.xhtml")
    marks = {a.get(f"{{{NS['epub']}}}type"): a.get("href")
             for a in nav.xpath("//x:nav[@epub:type='landmarks']//x:a", namespaces=NS)}
    assert marks == {"cover": "cover.xhtml", "toc": "nav.xhtml", "bodymatter": "chapter-001.xhtml",
                     "copyright-page": "copyright.xhtml"}


def test_cover_is_a_generated_image_with_the_title_as_alt(books):
    built = books["sample"]
    epub = Epub(built.path)
    cover = [i for i in epub.manifest().values() if "cover-image" in i.get("properties", "")]
    assert len(cover) == 1 and cover[0]["media-type"] == "image/png"
    assert epub.files[epub.base + cover[0]["href"]].startswith(b"\x89PNG")
    alt = epub.document("cover.xhtml").xpath("string(//x:img/@alt)", namespaces=NS)
    assert built.book.title in alt and built.book.author in alt


def test_copyright_page_has_the_full_license_and_every_attribution(books):
    for built in books.values():
        text = squash(visible_text(Epub(built.path).document("copyright.xhtml")))
        license_ = built.book.license
        for paragraph in license_.notice.split("\n\n"):
            assert squash(paragraph) in text
        for term in license_.terms:
            assert squash(term) in text
        for article in built.articles:
            assert squash(article.title) in text
            assert squash(built.book.source_url_for(article.slug)) in text


def test_every_chapter_ends_with_its_attribution_and_license_line(books):
    built = books["sample"]
    epub = Epub(built.path)
    for href, article in zip(epub.chapters(), built.articles):
        footer = epub.document(href).xpath("//x:footer[@class='attribution']", namespaces=NS)[0]
        text = squash("".join(footer.itertext()))
        assert squash(built.book.source_url_for(article.slug)) in text
        assert squash(built.book.license.short) in text


# -- metadata -----------------------------------------------------------------------------

def test_metadata(books):
    built = books["sample"]
    epub, book = Epub(built.path), built.book
    assert epub.metadata("title") == [book.title]
    assert epub.metadata("creator") == [book.author]
    assert epub.metadata("language") == ["ja"]
    assert epub.metadata("identifier") == [f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'zennbook:{book.slug}:{book.version}')}"]
    rights = epub.metadata("rights")[0]
    assert book.license.short in rights and book.license.url in rights and book.license.id in rights
    assert epub.metadata("source") == [book.source_url_for(a.slug) for a in built.articles]
    modified = dt.datetime.fromtimestamp(EPOCH, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert epub.metadata("dcterms:modified") == [modified]


def test_identifier_is_stable_per_book_and_version(books):
    from zennbook.writers.epub import book_identifier
    book = books["sample"].book
    assert book_identifier(book) == book_identifier(book)
    other = dataclasses.replace(book, version="9.9.9")
    assert book_identifier(other) != book_identifier(book)


def accessibility_of(epub: Epub) -> tuple[set, set]:
    return set(epub.metadata("schema:accessibilityFeature")), set(epub.metadata("schema:accessModeSufficient"))


def test_accessibility_metadata_is_true_of_the_documents(books):
    for name, built in books.items():
        epub = Epub(built.path)
        docs = [epub.document(h) for h in epub.chapters()]
        images = [img for d in docs for img in d.iter(f"{{{NS['x']}}}img")]
        has_math = any(d.find(f".//{{{NS['m']}}}math") is not None for d in docs)
        all_alt = all(img.get("alt", "").strip() for img in images)
        features, sufficient = accessibility_of(epub)
        assert ("alternativeText" in features) == (bool(images) and all_alt), name
        assert ("textual" in sufficient) == all_alt, name
        assert ("MathML" in features) == has_math, name
        assert epub.metadata("schema:accessibilityHazard") == ["none"]
        assert epub.metadata("schema:accessibilitySummary")


def test_an_image_without_alt_text_withdraws_the_alt_text_claim(books):
    epub = Epub(books["alt"].path)
    alts = [img.get("alt") for img in epub.document("chapter-001.xhtml").iter(f"{{{NS['x']}}}img")]
    assert alts == ["赤い四角", ""]
    features, sufficient = accessibility_of(epub)
    assert "alternativeText" not in features and sufficient == {"textual,visual"}
    assert "MathML" in features


def test_same_epoch_gives_the_same_bytes(books, tmp_path):
    again = build_epub(tmp_path / "again", book_path=REPO / "book.yaml")
    assert again.path.read_bytes() == books["sample"].path.read_bytes()
    later = build_epub(tmp_path / "later", book_path=REPO / "book.yaml", epoch=EPOCH + 86400)
    assert later.path.read_bytes() != again.path.read_bytes()
    assert Epub(later.path).metadata("dcterms:modified") == ["2026-01-02T00:00:00Z"]


# -- content ------------------------------------------------------------------------------

def test_every_source_run_is_in_its_own_chapter(books):
    """Nothing lost: every paragraph, heading, list item, cell and code line of an article
    is in the text of that article's XHTML document."""
    for name in ("sample", "seeds", "links", "alt"):
        if name not in books:
            continue
        built = books[name]
        epub = Epub(built.path)
        for href, article in zip(epub.chapters(), built.articles):
            text = squash(visible_text(epub.document(href)))
            runs, _ = source_runs(article.path)
            missing = [r for r in runs if squash(r) not in text]
            assert not missing, f"{name}/{article.slug}: {missing[:5]}"


def test_no_zenn_markup_left_over(books):
    """`:::`, `@[`, `$$`, `![[` outside code only where the source's own text has them (Zenn
    shows a malformed container as text)."""
    for name, built in books.items():
        epub = Epub(built.path)
        for href, article in zip(epub.chapters(), built.articles):
            shown = prose_text(epub.document(href))
            _, source_prose = source_runs(article.path)
            for marker in LEFTOVER_MARKUP:
                assert shown.count(marker) <= source_prose.count(marker), f"{name}/{href}: {marker}"


def test_every_link_reaches_a_document_of_the_book_or_the_web(books):
    for name, built in books.items():
        epub = Epub(built.path)
        ids = {h: set(epub.document(h).xpath("//@id")) for h in epub.spine()}
        for href in epub.spine():
            for target in epub.document(href).xpath("//x:a/@href", namespaces=NS):
                if target.startswith(("http://", "https://", "mailto:")):
                    continue
                file, _, fragment = target.partition("#")
                file = file or href
                assert file in ids, f"{name}/{href}: {target}"
                assert not fragment or fragment in ids[file], f"{name}/{href}: {target}"


def test_links_between_chapters(books):
    epub = Epub(books["links"].path)
    first = epub.document("chapter-001.xhtml")
    links = {a.text: a.get("href") for a in first.xpath("//x:div[@class='chapter-body']//x:a", namespaces=NS)}
    assert links == {"次の記事": "chapter-002.xhtml", "次の節": "chapter-002.xhtml#bb-second--後半",
                     "相対": "chapter-002.xhtml", "別人": "https://zenn.dev/other/articles/bb-second",
                     "この中": "#aa-first--始め", "外": "https://example.com/x"}
    dead = first.xpath("//x:span[contains(@class, 'link-unresolved')]", namespaces=NS)
    assert [(s.text, s.get("data-href")) for s in dead] == [("ない", "missing-file.txt")]
    assert "missing-file.txt" in " ".join(str(d) for d in books["links"].diagnostics.items)
    second = epub.document("chapter-002.xhtml")
    assert second.xpath("//x:div[@class='chapter-body']//x:a/@href", namespaces=NS) == ["chapter-001.xhtml"]


def test_math_is_mathml_with_its_tex_source(books):
    epub = Epub(books["sample"].path)
    maths = [m for h in epub.chapters() for m in epub.document(h).iter(f"{{{NS['m']}}}math")]
    assert maths
    for math in maths:
        tex = math.xpath("string(m:semantics/m:annotation[@encoding='application/x-tex'])", namespaces=NS)
        assert tex.strip() and math.get("alttext") == " ".join(tex.split())
    manifest = Epub(books["sample"].path).manifest().values()
    with_math = {i["href"] for i in manifest if "mathml" in i.get("properties", "")}
    assert with_math == {h for h in epub.chapters() if epub.document(h).find(f".//{{{NS['m']}}}math") is not None}


def test_footnotes_are_epub_footnotes_numbered_per_article(books):
    epub = Epub(books["sample"].path)
    counted = 0
    for href in epub.chapters():
        doc = epub.document(href)
        refs = doc.xpath("//x:a[@epub:type='noteref']", namespaces=NS)
        notes = doc.xpath("//x:aside[@epub:type='footnote']", namespaces=NS)
        assert len(refs) == len(notes)
        assert [r.get("href") for r in refs] == ["#" + n.get("id") for n in notes]
        assert [n.xpath("string(.//x:a[@class='footnote-number'])", namespaces=NS) for n in notes] == \
            [str(i) for i in range(1, len(notes) + 1)]
        counted += len(notes)
    assert counted >= 5


def test_hooks_of_the_single_page_html_are_in_the_xhtml(books):
    epub = Epub(books["sample"].path)
    docs = [epub.document(h) for h in epub.chapters()]
    for hook in ("//x:aside[contains(@class,'admonition') and contains(@class,'message')]",
                 "//x:aside[contains(@class,'admonition') and contains(@class,'alert')]",
                 "//x:details[contains(@class,'admonition') and contains(@class,'details')]/x:summary",
                 "//x:*[contains(@class,'card') and @data-url]", "//x:*[contains(@class,'code-filename')]",
                 "//x:*[contains(@class,'diff-add')]", "//x:*[contains(@class,'diff-remove')]",
                 "//x:figure[contains(@class,'diagram')]/x:img", "//x:code[contains(@class,'sourceCode')]//x:span[@class]"):
        assert any(d.xpath(hook, namespaces=NS) for d in docs), hook
    embeds = {c for d in docs for c in d.xpath("//x:*[contains(@class,'embed ')]/@class", namespaces=NS)}
    assert any(c.startswith("embed embed-") for c in embeds)


def test_diagrams_are_cleaned_svg_images_with_their_source_as_alt(books):
    if "diagrams" not in books:
        pytest.skip("mermaid tools missing")
    epub = Epub(books["diagrams"].path)
    figures = epub.document("chapter-001.xhtml").xpath("//x:figure[@class='diagram']/x:img", namespaces=NS)
    assert len(figures) == len(DIAGRAMS)
    for img, source in zip(figures, DIAGRAMS.values()):
        assert img.get("src").endswith(".svg")
        assert img.get("alt").startswith("Mermaid diagram: " + " ".join(source.split())[:40])


def test_fonts_are_not_embedded_by_default(books):
    assert not [n for n in Epub(books["sample"].path).names if n.endswith((".otf", ".ttf", ".woff", ".woff2"))]


def test_embedded_fonts_are_subsets_that_cover_the_text(books):
    if "fonts" not in books:
        pytest.skip("fontTools or Noto CJK not installed")
    from fontTools.ttLib import TTFont
    epub = Epub(books["fonts"].path)
    fonts = [n for n in epub.names if n.endswith(".otf")]
    assert len(fonts) == 3
    css = epub.files[epub.base + "style/book.css"].decode("utf-8")
    assert css.count("@font-face") == 3
    text = set(squash(visible_text(epub.document("chapter-001.xhtml"))))
    for name in fonts:
        font = TTFont(io.BytesIO(epub.files[name]))
        cmap = font.getBestCmap()
        assert [c for c in text if ord(c) not in cmap] == [], name
        assert len(font.getGlyphOrder()) < 2000, name    # a subset, not Noto CJK's 65,000 glyphs


def test_cleaned_diagrams_draw_exactly_like_mermaids_svg(books):
    """The SVG cleaning only drops what has no effect: the same pixels (librsvg) before and after."""
    if "diagrams" not in books or shutil.which("rsvg-convert") is None:
        pytest.skip("mermaid tools or rsvg-convert missing")
    import subprocess
    from PIL import ImageChops
    from zennbook.writers.epub import clean_svg
    originals = []
    books["diagrams"].articles[0].doc.walk(
        lambda e, d: originals.append(Path(e.attributes["svg"])) if "diagram" in getattr(e, "classes", []) else None)
    assert len(originals) == len(DIAGRAMS)

    def pixels(data: bytes) -> Image.Image:
        png = subprocess.run(["rsvg-convert", "-f", "png"], input=data, capture_output=True, check=True).stdout
        return Image.open(io.BytesIO(png)).convert("RGBA")
    for path in originals:
        before, after = pixels(path.read_bytes()), pixels(clean_svg(path.read_bytes()))
        assert before.size == after.size and ImageChops.difference(before, after).getbbox() is None, path.name


def test_build_command_with_source_date_epoch_is_reproducible(tmp_path):
    """The real entry point, twice, with SOURCE_DATE_EPOCH set: the same bytes, that date."""
    import os
    import subprocess
    import sys
    folder = links_book(tmp_path / "src")
    environment = {**os.environ, "SOURCE_DATE_EPOCH": str(EPOCH + 3600)}
    outputs = []
    for name in ("one", "two"):
        proc = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--articles", str(folder),
                               "--format", "epub", "--out", str(tmp_path / name)], cwd=REPO, env=environment,
                              capture_output=True, text=True, timeout=600)
        written = tmp_path / name / "links.epub"
        assert written.is_file(), proc.stderr[-2000:]
        outputs.append(written.read_bytes())
    assert outputs[0] == outputs[1]
    assert Epub(tmp_path / "one" / "links.epub").metadata("dcterms:modified") == ["2026-01-01T01:00:00Z"]
