"""The EPUB writer's chapter cache: a rebuild redoes only the chapters whose inputs changed,
and the EPUB's bytes are the same whether a chapter came from the cache or was made afresh.

Each book here is small (two or three articles, a PNG, a BMP that becomes PNG, an SVG that
is cleaned, links between chapters) and is built through the pipeline's own stages with a
cache folder of its own; `cold` is always a build on an empty cache.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from PIL import Image

from tests.writers.epub.epubtools import EPOCH, REPO
from zennbook.config import load_book
from zennbook.diagnostics import Diagnostics
from zennbook.pipeline import BuildContext, prepare
from zennbook.writers.epub import (
    assets as epub_assets,
    book as epub_book,
    chapters as epub_chapters,
)

LICENSE = ("license:\n  id: CC-BY-4.0\n  url: https://creativecommons.org/licenses/by/4.0/\n"
           "  holder: someone\n  notice: 表示 4.0 国際\n  short: {short}\n")
SVG_IMAGE = ('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10" data-x="1">'
             '<rect x="1" y="1" fill="teal"/></svg>')


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def make_book(folder: Path, order=("aa-first", "bb-second", "cc-third"), short: str = "CC BY 4.0") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "red.png").exists():
        Image.new("RGB", (40, 30), (200, 80, 80)).save(folder / "red.png")
        Image.new("RGB", (20, 30), (20, 80, 80)).save(folder / "teal.bmp")
        write(folder, "shape.svg", SVG_IMAGE)
    write(folder, "book.yaml", "title: Cached\nsource_url: 'https://zenn.dev/someone/articles/{slug}'\n"
          + LICENSE.format(short=short) + "chapters:\n" + "".join(f"  - {s}\n" for s in order))
    write(folder, "aa-first.md", "---\ntitle: 一つ目\n---\n\n## 始め\n\n"
          "[次の記事](https://zenn.dev/someone/articles/bb-second)と"
          "[次の節](https://zenn.dev/someone/articles/bb-second#後半)と[相対](./cc-third.md)と"
          "[この中](#始め)と[ない](missing-file.txt)。\n\n![赤い四角](./red.png)\n\n数式 $a^2$ です。\n")
    write(folder, "bb-second.md", "---\ntitle: 二つ目\n---\n\n## 後半\n\n[前の記事](/articles/aa-first)。\n\n"
          "![赤](./red.png) ![青緑](./teal.bmp)\n\n:::message\n箱の中。[^1]\n:::\n\n[^1]: 脚注。\n")
    write(folder, "cc-third.md", "---\ntitle: 三つ目\n---\n\n## 図\n\n![形](./shape.svg)\n\n"
          "[最初の節](./aa-first.md#始め)。\n")
    return folder


class Built:
    def __init__(self, path: Path, diagnostics: Diagnostics, context: BuildContext):
        self.data = path.read_bytes()
        self.path = path
        self.diagnostics = diagnostics
        self.context = context

    def names(self) -> list[str]:
        with zipfile.ZipFile(self.path) as archive:
            return archive.namelist()

    def warnings(self) -> list[tuple[str, str | None, int | None]]:
        return [(d.code.value, d.path, d.line) for d in self.diagnostics.items if d.code.value.startswith("epub.")]


def build(folder: Path, cache: Path, out: Path, epoch: int = EPOCH) -> Built:
    diagnostics = Diagnostics()
    book = load_book(None, folder, diagnostics, cwd=REPO)
    context = BuildContext(diagnostics=diagnostics, epoch=epoch, cache_dir=cache)
    articles = prepare(book, context)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{book.slug}.epub"
    epub_book.write_epub(book, articles, path, context)
    return Built(path, diagnostics, context)


@pytest.fixture
def made(monkeypatch):
    """The slugs of the chapters the writer makes afresh (not from its cache), in order made."""
    slugs: list[str] = []
    real = epub_chapters.render_chapter

    def counting(book, article, assets):
        slugs.append(article.slug)
        return real(book, article, assets)
    monkeypatch.setattr(epub_chapters, "render_chapter", counting)
    return slugs


def no_fresh_chapters(monkeypatch) -> None:
    def refuse(book, article, assets):
        raise AssertionError(f"chapter {article.slug} was made afresh, not taken from the cache")
    monkeypatch.setattr(epub_chapters, "render_chapter", refuse)


def test_second_build_from_the_cache_has_the_cold_builds_bytes(tmp_path, monkeypatch):
    folder = make_book(tmp_path / "book")
    first = build(folder, tmp_path / "cache", tmp_path / "first")
    no_fresh_chapters(monkeypatch)
    second = build(folder, tmp_path / "cache", tmp_path / "second")
    monkeypatch.undo()
    cold = build(folder, tmp_path / "cold-cache", tmp_path / "cold")
    assert second.data == first.data == cold.data
    assert second.warnings() == first.warnings() == cold.warnings()
    assert ("epub.link", str(folder / "aa-first.md"), 7) in cold.warnings()


def test_a_cached_chapter_still_brings_its_images(tmp_path, monkeypatch):
    folder = make_book(tmp_path / "book")
    first = build(folder, tmp_path / "cache", tmp_path / "first")
    images = sorted(n for n in first.names() if n.startswith("EPUB/assets/"))
    assert sorted(Path(n).suffix for n in images) == [".png", ".png", ".svg"]    # red.png, teal.bmp as PNG, the SVG
    no_fresh_chapters(monkeypatch)
    second = build(folder, tmp_path / "cache", tmp_path / "second")
    assert sorted(n for n in second.names() if n.startswith("EPUB/assets/")) == images
    with zipfile.ZipFile(second.path) as archive:
        opf = archive.read("EPUB/content.opf").decode("utf-8")
        svg = archive.read(next(n for n in images if n.endswith(".svg")))
    assert all(n.removeprefix("EPUB/") in opf for n in images)
    assert b"data-x" not in svg and b'role="img"' in svg           # cleaned as on a cold build


def test_a_cached_chapter_emits_its_warnings_again(tmp_path, monkeypatch):
    """The chapter's own diagnostics (here: a remote image, which only the fix-ups see) are
    stored with it and reported again when it comes from the cache."""
    folder = make_book(tmp_path / "book")
    real = epub_chapters.article_html

    def with_remote_image(article, asset_url, prefix, **kwargs):
        html = real(article, asset_url, prefix, **kwargs)
        return html + '<p><img src="https://example.com/far.png" alt="遠く" /></p>' if article.slug == "bb-second" else html
    monkeypatch.setattr(epub_chapters, "article_html", with_remote_image)
    first = build(folder, tmp_path / "cache", tmp_path / "first")
    monkeypatch.undo()
    no_fresh_chapters(monkeypatch)
    second = build(folder, tmp_path / "cache", tmp_path / "second")
    remote = [d for d in second.diagnostics.items if d.code.value == "epub.remote-image"]
    assert len(remote) == 1 and remote[0].path == str(folder / "bb-second.md")
    assert "far.png" in remote[0].message
    assert second.warnings() == first.warnings()
    assert second.data == first.data


def test_silenced_codes_stay_silent_on_a_cache_hit(tmp_path, monkeypatch):
    folder = make_book(tmp_path / "book")
    build(folder, tmp_path / "cache", tmp_path / "first")
    no_fresh_chapters(monkeypatch)
    diagnostics = Diagnostics(silenced=frozenset({"epub.link"}))
    book = load_book(None, folder, diagnostics, cwd=REPO)
    context = BuildContext(diagnostics=diagnostics, epoch=EPOCH, cache_dir=tmp_path / "cache")
    epub_book.write_epub(book, prepare(book, context), tmp_path / "silent.epub", context)
    assert not [d for d in diagnostics.items if d.code.value.startswith("epub.")]


def test_editing_one_article_makes_only_its_chapter_again(tmp_path, made):
    folder = make_book(tmp_path / "book")
    build(folder, tmp_path / "cache", tmp_path / "first")
    assert sorted(made) == ["aa-first", "bb-second", "cc-third"]
    made.clear()
    with (folder / "bb-second.md").open("a", encoding="utf-8") as handle:
        handle.write("\n## 追記\n\n[一つ目へ](./aa-first.md)。\n")
    rebuilt = build(folder, tmp_path / "cache", tmp_path / "rebuilt")
    assert made == ["bb-second"]
    made.clear()
    cold = build(folder, tmp_path / "cold-cache", tmp_path / "cold")
    assert rebuilt.data == cold.data
    assert rebuilt.warnings() == cold.warnings()


def test_an_image_edited_in_place_makes_its_chapters_again(tmp_path, made):
    folder = make_book(tmp_path / "book")
    build(folder, tmp_path / "cache", tmp_path / "first")
    made.clear()
    Image.new("RGB", (48, 30), (10, 200, 10)).save(folder / "red.png")     # another size: another stamp
    rebuilt = build(folder, tmp_path / "cache", tmp_path / "rebuilt")
    assert sorted(made) == ["aa-first", "bb-second"]
    assert rebuilt.data == build(folder, tmp_path / "cold-cache", tmp_path / "cold").data


def test_the_book_settings_a_chapter_shows_are_part_of_its_key(tmp_path, made):
    folder = make_book(tmp_path / "book")
    build(folder, tmp_path / "cache", tmp_path / "first")
    made.clear()
    make_book(folder, short="CC BY 4.0 · 改")                 # every chapter's footer shows it
    rebuilt = build(folder, tmp_path / "cache", tmp_path / "rebuilt")
    assert sorted(made) == ["aa-first", "bb-second", "cc-third"]
    assert "CC BY 4.0 · 改".encode("utf-8") in zipfile.ZipFile(rebuilt.path).read("EPUB/chapter-001.xhtml")


def test_a_chapter_moved_to_another_place_comes_from_the_cache(tmp_path, monkeypatch):
    """The chapter's work does not depend on its number: the file name is given, and links
    resolved, after the cache. A reordered book from the cache equals a cold build of it."""
    folder = make_book(tmp_path / "book")
    build(folder, tmp_path / "cache", tmp_path / "first")
    make_book(folder, order=("cc-third", "aa-first", "bb-second"))
    no_fresh_chapters(monkeypatch)
    moved = build(folder, tmp_path / "cache", tmp_path / "moved")
    monkeypatch.undo()
    cold = build(folder, tmp_path / "cold-cache", tmp_path / "cold")
    assert moved.data == cold.data
    chapter = zipfile.ZipFile(moved.path).read("EPUB/chapter-002.xhtml").decode("utf-8")
    assert "一つ目" in chapter and 'href="chapter-003.xhtml' in chapter   # links follow the new places


def test_other_build_epochs_do_not_touch_the_cache(tmp_path, monkeypatch):
    folder = make_book(tmp_path / "book")
    build(folder, tmp_path / "cache", tmp_path / "first")
    no_fresh_chapters(monkeypatch)
    later = build(folder, tmp_path / "cache", tmp_path / "later", epoch=EPOCH + 86400)
    monkeypatch.undo()
    assert later.data == build(folder, tmp_path / "cold-cache", tmp_path / "cold", epoch=EPOCH + 86400).data


def test_assets_of_a_stale_entry_are_not_added(tmp_path):
    image = tmp_path / "red.png"
    Image.new("RGB", (4, 3), (200, 80, 80)).save(image)
    assets = epub_assets.EpubAssets()
    name = assets.url(image)
    fresh = epub_assets.EpubAssets()
    assert fresh.reuse([[str(image.resolve()), name]]) and fresh.files == assets.files
    Image.new("RGB", (5, 3), (200, 80, 80)).save(image)
    stale = epub_assets.EpubAssets()
    assert not stale.reuse([[str(image.resolve()), name]]) and not stale.files
    assert not stale.reuse([[str(tmp_path / "gone.png"), name]]) and not stale.files


def test_without_a_context_nothing_is_cached(tmp_path, made):
    folder = make_book(tmp_path / "book")
    diagnostics = Diagnostics()
    book = load_book(None, folder, diagnostics, cwd=REPO)
    articles = prepare(book, BuildContext(diagnostics=diagnostics, epoch=EPOCH, cache_dir=tmp_path / "cache"))
    made.clear()
    epub_chapters.make_chapters(book, articles, epub_assets.EpubAssets(), Diagnostics())
    epub_chapters.make_chapters(book, articles, epub_assets.EpubAssets(), Diagnostics())
    assert len(made) == 6
    assert not (tmp_path / "cache" / epub_chapters.CHAPTER_CACHE).exists()
