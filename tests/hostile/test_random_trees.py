"""Random article trees: whatever the articles folder holds, the build never tracebacks,
never hangs and never puts a file from outside the book (or a hidden one) in an output.

Each example is a book whose articles folder holds a random mix of: articles whose names
have spaces, unicode, newlines, controls, bidi overrides or `..`-looking parts; symlinks to
files and folders inside and outside the book; dangling links; dotfiles and dot folders;
FIFOs, sockets, directories named `x.md`; unreadable files (chmod 000: the tests run as
root, which reads them anyway, so they are read as articles); and images named by every
kind of path (root, relative, `..`, absolute, percent-encoded, through symlinks, hidden).
It is built for real (HTML and EPUB) in its own process.

15 examples in CI; ZENNBOOK_TREE_EXAMPLES=N for more.
"""
from __future__ import annotations

import os
import shutil
import socket
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from tests.hostile.harness import HostileBook, canary_png

EXAMPLES = int(os.environ.get("ZENNBOOK_TREE_EXAMPLES", "15"))
BUILD_TIMEOUT_S = 240
NAME_CHARS = "ab-_ .日本\u00e9\n\t\x1b\u202e\u200b%#'\"&<>"

IMAGE_PATHS = ["/images/ok.png", "../images/ok.png", "/images/link-in.png", "/images/link-out.png",
               "/images/out-dir/canary.png", "/images/.hidden/secret.png", "/.env", "../.env", "../../.env",
               "../../outside/canary.png", "/../../outside/canary.png", "..%2F..%2Foutside%2Fcanary.png",
               "%2e%2e/%2e%2e/.env", "/images/fifo.png", "/images/dir.png", "/images/text.png",
               "/images/", "/images/nothing.png", "ok.png", "./../articles/../images/ok.png",
               "a%00.png", "x/" * 2100 + "a.png", "b" * 300 + ".png", "/images/ok.png%0A"]

entry_kinds = st.sampled_from(["article", "article", "article", "link-out-file", "link-in-file",
                               "link-out-dir", "link-in-dir", "dangling", "dotfile", "dotdir", "fifo",
                               "dir-md", "socket", "unreadable", "link-to-dotfile", "link-to-fifo"])
names = st.text(alphabet=NAME_CHARS, min_size=1, max_size=12).map(lambda n: n.replace("/", "-"))
entries = st.lists(st.tuples(entry_kinds, names, st.lists(st.sampled_from(IMAGE_PATHS), max_size=4)),
                   min_size=1, max_size=8)


def lay_out(book: HostileBook, plan) -> None:
    images = book.root / "images"
    images.mkdir()
    (images / "ok.png").write_bytes(canary_free_png())
    (images / ".hidden").mkdir()
    (images / ".hidden" / "secret.png").write_bytes(canary_png())
    (images / "text.png").write_text("not an image", encoding="utf-8")
    (images / "dir.png").mkdir()
    os.mkfifo(images / "fifo.png")
    os.symlink(images / "ok.png", images / "link-in.png")
    os.symlink(book.outside / "canary.png", images / "link-out.png")
    os.symlink(book.outside, images / "out-dir")
    for index, (kind, name, image_paths) in enumerate(plan):
        make_entry(book, kind, f"r{index}-{name}", image_paths)


def make_entry(book: HostileBook, kind: str, stem: str, image_paths: list[str]) -> None:
    folder = book.articles
    path = folder / f"{stem}.md"
    body = "---\ntitle: 乱数の章\n---\n\n" + "".join(f"![画像{i}]({p})\n\n" for i, p in enumerate(image_paths))
    try:
        if kind in ("article", "unreadable"):
            path.write_text(body + "本文。\n", encoding="utf-8")
            if kind == "unreadable":
                path.chmod(0)
        elif kind == "link-out-file":
            os.symlink(book.outside / "secret.md", path)
        elif kind == "link-in-file":
            os.symlink(folder / "aa-good.md", path)
        elif kind == "link-out-dir":
            os.symlink(book.outside, folder / stem)
            os.symlink(folder / stem / "secret.md", path)
        elif kind == "link-in-dir":
            os.symlink(book.root / "images", path)
        elif kind == "dangling":
            os.symlink(folder / "gone" / "nothing.md", path)
        elif kind == "dotfile":
            (folder / f".{stem}.md").write_text(body + "隠し。\n", encoding="utf-8")
        elif kind == "dotdir":
            (folder / f".{stem}").mkdir()
            (folder / f".{stem}" / "x.md").write_text("隠し\n", encoding="utf-8")
            os.symlink(folder / f".{stem}" / "x.md", path)
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "dir-md":
            path.mkdir()
        elif kind == "socket":
            with socket.socket(socket.AF_UNIX) as listener:
                listener.bind(str(path))
        elif kind == "link-to-dotfile":
            os.symlink(book.root / ".env", path)
        elif kind == "link-to-fifo":
            os.mkfifo(folder / f"{stem}.fifo")
            os.symlink(folder / f"{stem}.fifo", path)
    except OSError:
        pass          # a name the file system refuses (too long for a socket path, ...)


def canary_free_png() -> bytes:
    import io

    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (6, 6), (0, 90, 0)).save(buffer, "PNG")
    return buffer.getvalue()


@seed(20261207)
@settings(max_examples=EXAMPLES, deadline=None, derandomize=False,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(plan=entries)
def test_a_random_tree_never_tracebacks_hangs_or_leaks(plan):
    tmp = Path(tempfile.mkdtemp(prefix="zb-tree-"))
    try:
        book = HostileBook(tmp)
        lay_out(book, plan)
        result = book.build("html", "epub", timeout=BUILD_TIMEOUT_S)
        assert result.returncode in (0, 1), result.stderr[-3000:]
        result.assert_clean()
        for line in result.stderr.splitlines():
            assert "\x1b" not in line and "\u202e" not in line, line
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
