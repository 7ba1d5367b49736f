"""The book model: book.yaml, --articles DIR, a Zenn config.yaml; every wrong key named."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from zennbook.config import ConfigError, load_book
from zennbook.diagnostics import Diagnostics

LICENSE = textwrap.dedent("""\
    license:
      id: CC-BY-4.0
      url: https://creativecommons.org/licenses/by/4.0/
      holder: Someone
      year: 2026
      notice: Full notice.
      short: CC BY 4.0 Someone
    """)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def article(folder: Path, slug: str, title: str = "T") -> None:
    write(folder / f"{slug}.md", f"---\ntitle: {title}\n---\n\nbody\n")


def messages(diagnostics: Diagnostics) -> str:
    return "\n".join(str(d) for d in diagnostics.items)


def test_sample_book_loads(tmp_path):
    repo = Path(__file__).resolve().parents[2]
    book = load_book(repo / "book.yaml", cwd=repo)
    assert book.slug == "zennbook-sample"
    assert [p.title for p in book.parts] == ["基礎編", "応用編"]
    assert len(book.chapter_slugs) == 5
    assert book.license and book.license.id == "CC-BY-NC-SA-4.0"
    assert book.source_url_for("x") == "https://zenn.dev/zennbook/articles/x"
    assert book.cards, "cards.yaml entries are loaded"


def test_parts_order_and_paper(tmp_path):
    for slug in ("b-second", "a-first"):
        article(tmp_path / "articles", slug)
    book_file = write(tmp_path / "book.yaml", "title: My Book\npdf: {paper: a5}\nparts:\n"
                      "  - {title: One, chapters: [b-second]}\n  - {title: Two, chapters: [a-first.md]}\n" + LICENSE)
    book = load_book(book_file)
    assert book.chapter_slugs == ["b-second", "a-first"]
    assert book.pdf.paper == "a5"
    assert book.slug == "my-book"


@pytest.mark.parametrize("yaml_text, expected", [
    ("title: X\ncolour: red\n", "'colour': unknown key"),
    ("title: X\npdf: {paper: A5}\n", "'pdf.paper': expected one of b5, a5, a4; got 'A5'"),
    ("title: [1, 2]\n", "'title': expected a string, got list"),
    ("title: X\nlicense: {id: X}\n", "'license.url': required"),
    ("title: X\nchapters: [missing-one]\n", "chapter 'missing-one': no file missing-one.md"),
    ("title: X\nchapters: [a-first, a-first]\n", "chapter 'a-first' is listed twice"),
    ("title: X\n  bad: [\n", "invalid YAML"),
])
def test_wrong_keys_and_values_are_named(tmp_path, yaml_text, expected):
    article(tmp_path / "articles", "a-first")
    extra = "" if "license" in yaml_text or "bad" in yaml_text else LICENSE
    book_file = write(tmp_path / "book.yaml", yaml_text + extra)
    diagnostics = Diagnostics()
    with pytest.raises(ConfigError):
        load_book(book_file, diagnostics=diagnostics)
    text = messages(diagnostics)
    assert expected in text
    assert str(book_file) in text, "the message names the file"


def test_missing_license_is_an_error_unless_asked(tmp_path):
    article(tmp_path / "articles", "a-first")
    book_file = write(tmp_path / "book.yaml", "title: X\n")
    diagnostics = Diagnostics()
    with pytest.raises(ConfigError):
        load_book(book_file, diagnostics=diagnostics)
    assert "--no-license" in messages(diagnostics)
    assert load_book(book_file, require_license=False).license is None


def test_articles_folder_sorted_with_cwd_license(tmp_path):
    folder = tmp_path / "My Seeds"
    for slug in ("002_b", "001_a", "010_c"):
        article(folder, slug)
    cwd = tmp_path / "project"
    write(cwd / "book.yaml", "title: Other\n" + LICENSE)
    book = load_book(articles_dir=folder, cwd=cwd)
    assert book.chapter_slugs == ["001_a", "002_b", "010_c"]
    assert book.title == "My Seeds" and book.slug == "my-seeds"
    assert book.license.holder == "Someone", "license comes from the working directory's book.yaml"


def test_articles_folder_with_own_book_yaml(tmp_path):
    article(tmp_path, "x-one")
    article(tmp_path, "x-two")
    write(tmp_path / "book.yaml", "title: Own\nchapters: [x-two, x-one]\n" + LICENSE)
    book = load_book(articles_dir=tmp_path, cwd=tmp_path / "elsewhere")
    assert book.title == "Own" and book.chapter_slugs == ["x-two", "x-one"]


def test_zenn_book_config_yaml(tmp_path):
    folder = tmp_path / "books" / "my-zenn-book-slug"
    for slug in ("intro", "conclusion", "unused"):
        article(folder, slug)
    config = write(folder / "config.yaml", "title: 本のタイトル\nsummary: s\ntopics: [zenn]\n"
                   "published: false\nprice: 0\nchapters:\n  - intro\n  - conclusion\n")
    diagnostics = Diagnostics()
    book = load_book(config, diagnostics=diagnostics, require_license=False)
    assert book.title == "本のタイトル"
    assert book.chapter_slugs == ["intro", "conclusion"]
    assert "'unused.md' is not listed" in messages(diagnostics)


def test_zenn_book_numbered_files_without_chapters(tmp_path):
    folder = tmp_path / "bk"
    for name in ("2.setup", "1.intro", "10.end"):
        article(folder, name)
    config = write(folder / "config.yaml", "title: B\nsummary: s\npublished: true\nprice: 0\n")
    book = load_book(config, require_license=False)
    assert book.chapter_slugs == ["1.intro", "2.setup", "10.end"]


def test_epub_options(tmp_path):
    article(tmp_path / "articles", "a-first")
    book_file = write(tmp_path / "book.yaml", "title: X\nepub: {embed_fonts: true}\n" + LICENSE)
    assert load_book(book_file).epub.embed_fonts is True
    bad = write(tmp_path / "bad.yaml", "title: X\nepub: {fonts: yes}\n" + LICENSE)
    diagnostics = Diagnostics()
    with pytest.raises(ConfigError):
        load_book(bad, diagnostics=diagnostics)
    assert "'epub.fonts': unknown key" in messages(diagnostics)
