"""Containment: the build reads only regular files inside the book's folder.

One book holds every way an article or book.yaml can name a file elsewhere (a symlinked
article, `..`, absolute and root paths, percent-encoded dots, a symlinked image or image
folder, hidden files and folders) and is built in all three formats: no canary in any
output, each refusal located, each image's description visible, the rest of the book built.
Paths from book.yaml (slug, articles, root, cards, chapters, a Zenn config.yaml) are checked
one by one: a path key that leaves the book stops the build with an error naming the key,
and nothing is written anywhere.
"""
from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import TEST_LICENSE, needs
from tests.hostile.harness import BOOK_YAML, CANARY, GOOD_WORDS, HostileBook, canary_png, reader_text
from zennbook.safety.paths import Refused, check_file, hidden_part, is_inside

REFUSED_IMAGES = {            # description -> (path as written, expected code)
    "ドット環境": ("/.env", "input.hidden"),
    "上の環境": ("../.env", "input.hidden"),
    "本の外の環境": ("../../.env", "input.outside"),
    "根から上": ("/../../.env", "input.outside"),
    "外の画像": ("../../outside/canary.png", "input.outside"),
    "符号化した上": ("..%2F..%2Foutside%2Fcanary.png", "input.outside"),
    "外へのリンク": ("/images/link-out.png", "input.outside"),
    "外のフォルダ": ("/images/folder-out/canary.png", "input.outside"),
    "隠しフォルダ": ("/images/.hidden/secret.png", "input.hidden"),
    "隠しファイルへのリンク": ("/images/to-hidden.png", "input.hidden"),
}
# Never taken for a local image at all (the Zenn stage keeps them as text): only no leak.
NOT_IMAGES = ("file:///images/../../outside/canary.png", "file://localhost/etc/passwd")


def containment_book(tmp_path) -> HostileBook:
    book = HostileBook(tmp_path)
    images = book.root / "images"
    (images / ".hidden").mkdir(parents=True)
    (images / ".hidden" / "secret.png").write_bytes(canary_png())
    (book.root / ".secret.png").write_bytes(canary_png())
    os.symlink(book.outside / "canary.png", images / "link-out.png")
    os.symlink(book.outside, images / "folder-out")
    os.symlink(book.root / ".secret.png", images / "to-hidden.png")
    (images / "fine.png").write_bytes(_red_png())
    os.symlink(images / "fine.png", images / "link-in.png")          # stays inside: allowed
    os.symlink(book.outside / "secret.md", book.articles / "bb-outside-link.md")
    os.symlink(book.articles / "aa-good.md", book.articles / "cc-inside-link.md")
    os.symlink(book.tmp / ".env", book.articles / "dd-env-link.md")
    lines = ["---", "title: 外を指す画像", "---", ""]
    lines += [f"![{words}]({path})" + "\n" for words, (path, _) in REFUSED_IMAGES.items()]
    lines += [f"![file URL]({url})" + "\n" for url in NOT_IMAGES]
    lines += ["![内へのリンク](/images/link-in.png)", "", "最後まで残る段落。"]
    book.article("ee-images.md", "\n".join(lines))
    return book


def _red_png() -> bytes:
    import io

    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 0, 0)).save(buffer, "PNG")
    return buffer.getvalue()


@needs("lualatex")
def test_nothing_outside_the_book_reaches_any_output(tmp_path):
    book = containment_book(tmp_path)
    result = book.build("html", "epub", "pdf")
    result.assert_clean()
    result.assert_located("bb-outside-link.md", "input.outside")
    result.assert_located("dd-env-link.md", "input.outside")
    for words, (path, code) in REFUSED_IMAGES.items():
        shown = re.escape(path if len(path) <= 80 else path[:40])
        assert re.search(rf"ee-images.md:\d+: WARNING: image {shown}: .*\[{code}\]", result.stderr), (path, code)
    assert "not found" not in result.stderr, "a refused image must not be reported as missing"
    for fmt in ("html", "epub", "pdf"):
        text = re.sub(r"\s+", "", reader_text(result.output(fmt)))
        for words in REFUSED_IMAGES:
            assert words in text, f"placeholder {words} missing from the {fmt}"
        assert "最後まで残る段落" in text
        assert text.count(GOOD_WORDS) == 2, "the symlink inside the book is an article of its own"
    assert b"data:image/png;base64," in result.output("html").read_bytes()   # link-in.png embedded


# -- the rule itself, on random paths ----------------------------------------------------------

SEGMENTS = ["..", ".", "a", "b.png", ".env", ".git", "in-link", "out-link", "loop", "dangling", "",
            "sub", "out-dir", "fifo", "a\x00b", "x" * 300]


@pytest.fixture(scope="module")
def maze(tmp_path_factory):
    """A book folder whose links lead in, out, in circles and nowhere."""
    root = tmp_path_factory.mktemp("maze")
    outside, book = root / "outside", root / "book"
    (book / "sub").mkdir(parents=True)
    outside.mkdir()
    (outside / "b.png").write_bytes(b"outside")
    for folder in (book, book / "sub"):
        (folder / "a").write_text("inside", encoding="utf-8")
        (folder / "b.png").write_text("inside", encoding="utf-8")
        (folder / ".env").write_text("hidden", encoding="utf-8")
    os.symlink(book / "sub", book / "in-link")
    os.symlink(outside, book / "out-link")
    os.symlink(outside, book / "sub" / "out-dir")
    os.symlink(book / "loop", book / "loop")
    os.symlink(book / "nothing", book / "dangling")
    os.mkfifo(book / "fifo")
    return book.resolve()


@settings(max_examples=int(os.environ.get("ZENNBOOK_TREE_EXAMPLES", "300")), deadline=None)
@given(parts=st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=8), absolute=st.booleans())
def test_a_path_is_either_refused_or_a_regular_visible_file_inside(maze, parts, absolute):
    named = Path(("/" if absolute else "") + "/".join(parts))
    try:
        found = check_file(maze, maze / named if not absolute else named)
    except Refused as exc:
        assert exc.reason in ("outside", "hidden", "missing", "not-regular", "unreadable", "name")
        return
    assert is_inside(found, maze) and found.is_file() and not found.is_symlink()
    assert hidden_part(found.relative_to(maze).parts) is None
    assert found.read_text(encoding="utf-8") == "inside"


# -- book.yaml: every key that names a path ------------------------------------------------

def with_keys(extra: str) -> str:
    return f"title: Hostile\n{extra}\n{TEST_LICENSE}"


def stopped(result, key: str, code: str) -> None:
    assert result.returncode == 1, result.stderr[-2000:]
    result.assert_no_traceback()
    assert re.search(rf"book.yaml: ERROR: '{key}'.*\[{code}\]", result.stderr), result.stderr[-2000:]
    assert not result.outputs(), "nothing may be written when book.yaml is refused"


@pytest.mark.parametrize("slug", ["/tmp/victim", "../victim", "a/b", ".hidden", "..", "x\ny", "", "a b", "-" * 101])
def test_a_slug_that_is_not_a_plain_file_name_stops_the_build(tmp_path, slug):
    book = HostileBook(tmp_path, with_keys(f"slug: {slug!r}" if slug else 'slug: "/"'))
    result = book.build("html")
    stopped(result, "slug", "config.choice")
    assert not list(tmp_path.rglob("victim*"))


@pytest.mark.parametrize("key,value,code", [
    ("articles", "/etc", "input.outside"), ("articles", "../outside", "input.outside"),
    ("articles", ".git", "input.hidden"), ("root", "/", "input.outside"), ("root", "..", "input.outside"),
    ("cards", "../outside/canary.txt", "input.outside"), ("cards", ".env", "input.hidden"),
    ("cards", "/etc/passwd", "input.outside"),
])
def test_a_path_key_leaving_the_book_stops_the_build(tmp_path, key, value, code):
    book = HostileBook(tmp_path, with_keys(f"{key}: {value!r}"))
    (book.root / ".git").mkdir()
    result = book.build("html")
    stopped(result, key, code)
    assert CANARY not in result.stderr


def test_a_symlinked_articles_folder_leading_out_stops_the_build(tmp_path):
    book = HostileBook(tmp_path, with_keys("articles: elsewhere"))
    os.symlink(book.outside, book.root / "elsewhere")
    stopped(book.build("html"), "articles", "input.outside")


@pytest.mark.parametrize("chapter", ["../../outside/secret", "/etc/passwd", "../../outside/canary.txt#",
                                     "../.env", ".env", "sub/../../../outside/secret"])
def test_a_chapter_outside_the_articles_is_left_out_with_a_warning(tmp_path, chapter):
    book = HostileBook(tmp_path, with_keys(textwrap.dedent(f"""\
        chapters:
          - aa-good
          - {chapter!r}""")))
    result = book.build("html", "epub")
    result.assert_clean()
    assert re.search(r"book.yaml: WARNING: chapter .*\[input\.(outside|hidden|name|not-regular)\]", result.stderr), \
        result.stderr[-2000:]


def test_a_zenn_config_yaml_chapter_outside_is_left_out(tmp_path):
    book = HostileBook(tmp_path)
    (book.articles / "config.yaml").write_text(
        "title: Zenn本\nchapters:\n  - aa-good\n  - ../../outside/secret\n  - /etc/passwd\n", encoding="utf-8")
    result = book.build("html", "epub", book=book.articles / "config.yaml", extra=("--no-license",))
    result.assert_clean()
    result.assert_located("config.yaml", "input.outside")


def test_the_working_directory_book_yaml_is_the_only_file_read_outside_with_articles(tmp_path):
    """--articles DIR: DIR is the book's folder; the cwd's book.yaml lends only its license."""
    book = HostileBook(tmp_path)
    (book.tmp / "book.yaml").write_text(BOOK_YAML, encoding="utf-8")
    os.symlink(book.outside / "secret.md", book.articles / "zz-out.md")
    args = ("--articles", str(book.articles))
    import subprocess
    import sys

    from tests.conftest import REPO
    proc = subprocess.run([sys.executable, str(REPO / "build.py"), "build", *args, "--out", str(book.out),
                           "--format", "html"], cwd=book.tmp, capture_output=True, text=True, timeout=600)
    assert "Traceback" not in proc.stderr
    assert re.search(r"zz-out.md: WARNING: .*\[input.outside\]", proc.stderr), proc.stderr[-2000:]
    html = next(book.out.glob("*.html")).read_text(encoding="utf-8")
    assert CANARY not in html and GOOD_WORDS in html
