"""The preview's book in memory (no server): a save prepares again only what it concerns, a
broken article or book file keeps the last good render with its errors shown, and the
preview's page never leaks into the published one."""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import threading
import time

import pytest
from PIL import Image

from tests.conftest import REPO
from tests.serve.conftest import ARTICLES, write_book
from zennbook import pipeline
from zennbook.diagnostics import Diagnostics
from zennbook.pipeline import BuildContext
from zennbook.writers.html import render_book_html
from zennbook.serve import state as state_module
from zennbook.serve.state import BookArgs, Preview
from zennbook.writers.html import page as pipeline_page


@pytest.fixture
def preview(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    book = write_book(tmp_path)
    started = Preview(BookArgs(book_path=book))          # the cache in the book's folder, as `build`'s
    started.start()
    started.fill()
    return started


def page(preview) -> bytes:
    """The whole page as a request for it gets it."""
    return preview.page_now()


def state(preview) -> dict:
    return json.loads(preview.state)


def errors_of(preview, label: str) -> list[str]:
    return [i["code"] for g in state(preview)["groups"] if g["label"] == label
            for i in g["items"] if i["level"] == "ERROR"]


def test_a_save_prepares_again_only_its_chapter(preview, tmp_path):
    two = preview.good["two"]
    (tmp_path / "articles" / "one.md").write_text(ARTICLES["one"].replace("Original", "Changed"), encoding="utf-8")
    update = preview.refresh([tmp_path / "articles" / "one.md"])
    assert update.slugs == ["one"] and update.chapters == ["ch-one"]
    assert preview.good["two"] is two                       # not read again
    assert update.swap and not update.toc                   # only the chapter was rendered, swapped in
    assert b"Changed first paragraph." in preview.chapter("ch-one")
    assert preview.chapter("ch-one").startswith(b'<article class="chapter" id="ch-one"')
    assert preview.chapter("ch-one").endswith(b"</article>")
    assert b"Changed first paragraph." in page(preview) and b"Original first" not in page(preview)
    assert update.version == preview.page_version


def test_a_save_swaps_its_chapter_without_rendering_the_book_and_ends_in_the_same_page(preview, tmp_path,
                                                                                     monkeypatch):
    """The bug this guards: a save that ran the template over every chapter (its cost grew
    with the book). The page of pieces is the page rendered whole."""
    asked = []
    real = pipeline_page.render_book_html
    monkeypatch.setattr(state_module, "render_book_html",
                        lambda book, articles, context, **kw: asked.append([a.slug for a in articles])
                        or real(book, articles, context, **kw))
    monkeypatch.setattr(state_module, "render_page", lambda *a, **k: pytest.fail("the whole page was rendered"))
    (tmp_path / "articles" / "one.md").write_text(ARTICLES["one"].replace("Original", "Swapped"), encoding="utf-8")
    assert preview.refresh([tmp_path / "articles" / "one.md"]).swap and asked == [["one"]]
    monkeypatch.undo()
    swapped = page(preview)
    preview.render()
    assert swapped == page(preview) and b"Swapped first paragraph." in swapped


def test_a_new_title_swaps_the_contents_too(preview, tmp_path):
    (tmp_path / "articles" / "two.md").write_text(ARTICLES["two"].replace("第二章", "新しい題"), encoding="utf-8")
    update = preview.refresh([tmp_path / "articles" / "two.md"])
    assert update.swap and update.toc and update.event()["toc"]
    assert "新しい題".encode() in preview.chapter("toc") and preview.chapter("toc").startswith(b'<ol class="toc-parts">')
    swapped = page(preview)
    preview.render()
    assert swapped == page(preview)


def test_a_file_that_is_not_part_of_the_book_changes_nothing(preview, tmp_path):
    (tmp_path / "articles" / "draft.md").write_text("# not a chapter\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    version = preview.version
    assert preview.refresh([tmp_path / "articles" / "draft.md", tmp_path / "notes.txt"]) is None
    assert preview.version == version


def test_a_broken_front_matter_keeps_the_last_good_render(preview, tmp_path):
    path = tmp_path / "articles" / "two.md"
    path.write_text(ARTICLES["two"].replace('title: "第二章"', "title: [第二章"), encoding="utf-8")
    preview.refresh([path])
    assert b"The second chapter stays as it is." in page(preview) and "第二章" in page(preview).decode()
    assert preview.stale == {"two"}
    assert errors_of(preview, "articles/two.md") == ["frontmatter.syntax"]
    group = next(g for g in state(preview)["groups"] if g["label"] == "articles/two.md")
    assert group["stale"] and group["items"][0]["line"] == 2
    path.write_text(ARTICLES["two"].replace("stays as it is", "is fixed"), encoding="utf-8")
    preview.refresh([path])
    assert preview.stale == set() and errors_of(preview, "articles/two.md") == []
    assert b"The second chapter is fixed." in page(preview)


def test_a_crash_of_ours_in_one_article_keeps_its_last_render(preview, tmp_path, monkeypatch):
    real = pipeline.parse_article

    def crash_on_two(article):
        if article.slug == "two":
            raise RuntimeError("boom")
        real(article)
    monkeypatch.setattr(pipeline, "parse_article", crash_on_two)
    path = tmp_path / "articles" / "two.md"
    path.write_text(ARTICLES["two"] + "\nMore.\n", encoding="utf-8")
    preview.refresh([path])
    assert errors_of(preview, "articles/two.md") == ["internal"]
    assert b"The second chapter stays as it is." in page(preview) and preview.stale == {"two"}


def test_a_deleted_chapter_keeps_its_last_render_and_says_why(preview, tmp_path):
    path = tmp_path / "articles" / "two.md"
    path.unlink()
    preview.refresh([path])
    assert errors_of(preview, "articles/two.md")
    assert b"The second chapter stays as it is." in page(preview)


def test_a_broken_book_file_keeps_the_last_good_book(preview, tmp_path):
    book = tmp_path / "book.yaml"
    good = book.read_text(encoding="utf-8")
    book.write_text(good.replace("title: Serve test", "title: [Serve test"), encoding="utf-8")
    update = preview.refresh([book])
    assert update.slugs == [] and preview.book.title == "Serve test"
    assert [g for g in state(preview)["groups"] if g["label"].endswith("book.yaml")]
    book.write_text(good.replace("title: Serve test", "title: Renamed"), encoding="utf-8")
    update = preview.refresh([book])
    assert update.slugs == ["one", "two"] and b"Renamed" in page(preview)
    assert not [g for g in state(preview)["groups"] if g["label"].endswith("book.yaml")]


def png(color: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(out, "PNG")
    return out.getvalue()


def test_an_image_saved_again_renders_again_the_chapters_that_show_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "images").mkdir()
    image = tmp_path / "images" / "pic.png"
    image.write_bytes(png("red"))
    book = write_book(tmp_path, {**ARTICLES, "two": ARTICLES["two"] + "\n![a picture](/images/pic.png)\n"})
    preview = Preview(BookArgs(book_path=book), cache_dir=tmp_path / "cache")
    preview.start(first=None)
    assert (tmp_path / "images") in preview.watched_folders()
    before = page(preview)
    image.write_bytes(png("blue"))
    update = preview.refresh([image])
    assert update.slugs == ["two"] and page(preview) != before


def test_the_published_page_never_carries_the_previews_source_lines(preview, tmp_path):
    """Same cache folder, the preview first: the built HTML must not reuse its fragments."""
    assert b"data-source-line=" in page(preview)
    built = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--book", str(tmp_path / "book.yaml"),
                            "--format", "html", "--out", str(tmp_path / "dist"), "--no-verify"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    published = (tmp_path / "dist" / "serve-test.html").read_text(encoding="utf-8")
    assert "Original first paragraph." in published and "data-source-line" not in published


def test_a_folder_of_articles_follows_chapters_that_come_and_ignores_editor_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "articles"
    write_book(tmp_path)
    preview = Preview(BookArgs(articles_dir=folder, no_license=True))
    preview.start(first=None)
    for name in (".#one.md", "#one.md#", ".one.md.swp"):
        (folder / name).write_text("x", encoding="utf-8")
        assert preview.refresh([folder / name]) is None, name
    (folder / "three.md").write_text("---\ntitle: 第三章\n---\n\nA third chapter.\n", encoding="utf-8")
    update = preview.refresh([folder / "three.md"])
    assert "three" in update.slugs and not update.swap and b"A third chapter." in page(preview)


def test_the_memory_keeps_the_book_as_it_is_and_lets_old_versions_go(preview, tmp_path):
    """Many saves of one chapter: the memory stays bounded and still holds every chapter."""
    path = tmp_path / "articles" / "one.md"
    assert preview.cache.limit == 4 * 2 + 64
    preview.cache.limit = 6                           # a tight memory, to see what stays
    for n in range(5):
        path.write_text(ARTICLES["one"].replace("Original", f"Version {n}"), encoding="utf-8")
        preview.refresh([path])
        page(preview)
    assert len(preview.cache.kept) <= 6
    misses = preview.cache.misses
    preview.render()                                   # the whole page again: nothing made anew
    assert preview.cache.misses == misses
    assert b"Version 4 first paragraph." in preview.page


def test_a_slow_article_does_not_hold_up_the_others_and_the_filled_page_is_the_whole_one(tmp_path, monkeypatch):
    """The first page comes after the first chapter; the others come in as they are
    prepared (a slow one last), each told; once all are in, the page is the one rendered
    whole from them."""
    monkeypatch.chdir(tmp_path)
    articles = {**ARTICLES, "three": "---\ntitle: 第三章\n---\n\nThe third chapter.\n",
                "slow": "---\ntitle: 遅い章\n---\n\nThe slow chapter, at last.\n"}
    preview = Preview(BookArgs(book_path=write_book(tmp_path, articles)))
    release, real = threading.Event(), state_module.prepare

    def slow_prepare(book, context, jobs=None):
        if "slow" in book.chapter_slugs:
            assert release.wait(60)
        return real(book, context, jobs)
    monkeypatch.setattr(state_module, "prepare", slow_prepare)
    preview.start()
    first = page(preview).decode()
    assert "Original first paragraph." in first and "The second chapter" not in first
    assert first.count('class="zb-pending"') == 3 and state(preview)["pending"] == 3
    told = []
    filling = threading.Thread(target=preview.fill, args=(told.append,))
    filling.start()
    for _ in range(600):
        if "two" in preview.good:
            break
        time.sleep(0.05)
    meanwhile = page(preview).decode()
    assert "The second chapter stays as it is." in meanwhile and "The slow chapter" not in meanwhile
    assert told[0].slugs == ["two"] and told[0].swap and told[0].toc and not told[0].event(follow=False)["follow"]
    release.set()
    filling.join(60)
    assert [u.slugs for u in told] == [["two"], ["three", "slow"]] and state(preview)["pending"] == 0
    filled = page(preview)
    assert b'class="zb-pending"' not in filled and b"The slow chapter, at last." in filled
    preview.render()                                  # the whole page, rendered in one go
    assert filled == page(preview)
    # and the build's page: the same but for the preview's source lines and its overlay
    built = render_book_html(preview.book, [preview.good[s] for s in preview.book.chapter_slugs],
                             BuildContext(diagnostics=Diagnostics()))
    marks = r'<span data-source-line="\d+"></span>| data-source-line="\d+"'
    assert re.sub(marks, "", b"".join(preview.pieces.parts).decode()) == built


def test_a_page_that_missed_swaps_while_it_loaded_is_told_them_as_swaps(preview, tmp_path):
    """A page made at version v connects after two saves: it swaps the chapters they
    changed (and the contents) instead of loading the whole page again."""
    made_at = preview.page_version
    assert preview.since(made_at) is None
    (tmp_path / "articles" / "one.md").write_text(ARTICLES["one"].replace("Original", "Later"), encoding="utf-8")
    preview.refresh([tmp_path / "articles" / "one.md"])
    (tmp_path / "articles" / "two.md").write_text(ARTICLES["two"].replace("第二章", "改題"), encoding="utf-8")
    preview.refresh([tmp_path / "articles" / "two.md"])
    missed = preview.since(made_at)
    assert missed["swap"] and missed["chapters"] == ["ch-one", "ch-two"] and missed["toc"]
    assert missed["version"] == preview.page_version and not missed["follow"]
    preview.render()                                  # rendered whole since: only a reload will do
    assert preview.since(made_at) == {"version": preview.page_version, "chapters": [], "swap": False}


SETTLE = """import gc, weakref
from zennbook.serve.memory import settle
class Node: pass
kept = [Node() for _ in range(1000)]
cycle = Node(); cycle.me = cycle; gone = weakref.ref(cycle); del cycle
settle()
print(gc.get_freeze_count() >= 1000, gone() is None)"""


def test_settling_freezes_what_the_book_holds_and_collects_its_garbage_first():
    """In a process of its own, as `serve` does it: the test process keeps its collector."""
    done = subprocess.run([sys.executable, "-c", SETTLE], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["True", "True"], done.stderr
