"""Odd files and odd text: what is not an article is named and skipped, never a traceback.

One book per class: odd files in the articles folder (FIFO, socket, directory named `.md`,
dangling links, an editor's lock link, names with a newline, controls, bidi overrides or
bytes that are not UTF-8, an unreadable file, two names that slug alike); odd text (YAML
bombs, lone surrogates and controls in front matter, noncharacters in a body, bidi controls
in code); an unusable output folder. Each is built for real, in its own process.
"""
from __future__ import annotations

import os
import re
import socket
import time
import zipfile

import lxml.html
import pytest

from tests.hostile.harness import BOOK_YAML, HostileBook, reader_text

BOMB_FRONT_MATTER = "---\n" + "\n".join(
    ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"l{i}: &l{i} [*l{i-1},*l{i-1},*l{i-1},*l{i-1},*l{i-1},*l{i-1},*l{i-1},*l{i-1},*l{i-1}]" for i in range(1, 9)]
) + "\n---\n\n爆弾の本文。\n"


def odd_files_book(tmp_path) -> HostileBook:
    book = HostileBook(tmp_path)
    os.mkfifo(book.articles / "bb-fifo.md")
    (book.articles / "cc-folder.md").mkdir()
    os.symlink(book.articles / "nowhere.md", book.articles / "dd-dangling.md")
    os.symlink("user@host.1234:1700000000", book.articles / ".#aa-good.md")      # an editor's lock
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(book.articles / "ee-socket.md"))
    listener.close()
    book.article("ff\nforged: ERROR: fake [x].md", "---\ntitle: 改行\n---\n\n改行の名前。\n")
    book.article("gg\x1b[31mred.md", "---\ntitle: 色\n---\n\n色の名前。\n")
    book.article("hh\u202eevil.md", "---\ntitle: 逆向き\n---\n\n逆向きの名前。\n")
    (book.articles / os.fsdecode(b"ii-\xff\xfe.md")).write_text("---\ntitle: バイト\n---\n\n本文。\n")
    book.article(".hidden.md", "---\ntitle: 隠し\n---\n\n隠しの本文。\n")
    locked = book.article("jj-unreadable.md", "---\ntitle: 読めない\n---\n\n読めない本文。\n")
    locked.chmod(0)
    book.article("kk x y.md", "---\ntitle: 空白の名前\n---\n\n## 見出し\n\n空白の章。\n")
    book.article("kk-x-y.md", "---\ntitle: ハイフンの名前\n---\n\n## 見出し\n\nハイフンの章。\n")
    return book


def test_odd_files_in_the_articles_folder_are_named_and_skipped(tmp_path):
    book = odd_files_book(tmp_path)
    started = time.monotonic()
    result = book.build("html", "epub")
    assert time.monotonic() - started < 300, "a FIFO must not block the build"
    result.assert_clean()
    for name, code in (("bb-fifo.md", "input.not-regular"), ("cc-folder.md", "input.not-regular"),
                       ("dd-dangling.md", "input.not-regular"), ("ee-socket.md", "input.not-regular"),
                       (r"ff\nforged: ERROR: fake [x].md", "input.name"), (r"gg\x1b[31mred.md", "input.name"),
                       (r"hh\u202eevil.md", "input.name"), (r"ii-\udcff\udcfe.md", "input.name")):
        result.assert_located(name, code)
    assert ".#aa-good.md" not in result.stderr and ".hidden.md" not in result.stderr
    assert "no file" not in result.stderr
    for line in result.stderr.splitlines():      # no diagnostic line was forged by a file name
        assert not line.startswith("forged") and "\x1b" not in line and "\u202e" not in line
    for fmt in ("html", "epub"):
        text = reader_text(result.output(fmt))
        assert "空白の章" in text and "ハイフンの章" in text and "隠しの本文" not in text
    # root may read a chmod 000 file (tests run as root): then it is simply an article
    if os.geteuid() != 0:
        result.assert_located("jj-unreadable.md", "article.unreadable")


def test_names_that_slug_alike_keep_distinct_ids(tmp_path):
    book = odd_files_book(tmp_path)
    result = book.build("html", "epub")
    html = lxml.html.fromstring(result.output("html").read_bytes())
    ids = html.xpath("//@id")
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    with zipfile.ZipFile(result.output("epub")) as archive:
        for name in archive.namelist():
            if name.endswith(".xhtml"):
                page_ids = lxml.html.fromstring(archive.read(name)).xpath("//@id")
                assert all(re.fullmatch(r"[^\s]+", i) for i in page_ids), name
                assert len(page_ids) == len(set(page_ids)), name


# -- odd text ------------------------------------------------------------------------------

def test_yaml_bombs_and_unprintable_values_are_refused_quickly(tmp_path):
    book = HostileBook(tmp_path)
    book.article("bb-bomb.md", BOMB_FRONT_MATTER)
    book.article("cc-merge.md", "---\nbase: {title: x}\n<<: {title: y}\n---\n\nマージの本文。\n")
    book.article("dd-deep.md", "---\ntitle: " + "[" * 5000 + "]" * 5000 + "\n---\n\n深い本文。\n")
    book.article("ee-title.md", '---\ntitle: "a\\ud800b\\x1bc\\x0cd\\ufffe\\x85e"\nemoji: "\\udfff"\n---\n\n題名の本文。\n')
    book.article("ff-body.md", "---\ntitle: 非文字\n---\n\n本文\ufffeに\uffff非文字\U0001fffe。\n")
    book.article("gg-bidi.md", "---\ntitle: 双方向\n---\n\n```python\nif user != 'admin\u202e \u2066':\n```\n\n"
                               "`inline\u202e`と、散文のעברית\u202bמימין\u202cはそのまま。\n")
    started = time.monotonic()
    result = book.build("html", "epub")
    assert time.monotonic() - started < 120
    result.assert_no_traceback()
    result.assert_no_leak()
    result.assert_good_article_built()
    result.assert_located("bb-bomb.md", "frontmatter.syntax")
    assert "alias" in result.stderr or "anchor" in result.stderr
    result.assert_located("cc-merge.md", "frontmatter.syntax")
    result.assert_located("dd-deep.md", "frontmatter.syntax")
    result.assert_located("ee-title.md", "normalize.control")
    result.assert_located("gg-bidi.md", "normalize.bidi")
    for fmt in ("html", "epub"):
        text = reader_text(result.output(fmt))
        assert "爆弾の本文" in text and "深い本文" in text and "abcde" in text and "本文に非文字" in text
        assert "<U+202E>" in text and "<U+2066>" in text, "bidi controls in code must be visible"
        assert "\u202b" in text, "bidi controls in prose are kept"


def test_a_book_yaml_bomb_stops_quickly_with_the_line(tmp_path):
    bomb = BOMB_FRONT_MATTER.split("---\n")[1]
    book = HostileBook(tmp_path, BOOK_YAML + bomb)
    started = time.monotonic()
    result = book.build("html")
    assert time.monotonic() - started < 60
    assert result.returncode == 1
    result.assert_no_traceback()
    assert re.search(r"book.yaml:\d+: ERROR: invalid YAML: anchor .*\[config.syntax\]", result.stderr), result.stderr


# -- the output folder ---------------------------------------------------------------------

@pytest.mark.parametrize("case", ["file-child", "file", "output-is-dir", "output-is-link", "proc", "lock-link",
                                  "lock-fifo", "out-link"])
def test_an_unusable_output_folder_is_one_error_and_nothing_written(tmp_path, case):
    book = HostileBook(tmp_path)
    victim = book.outside / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    out = book.out
    if case == "file-child":
        book.out.write_text("a file", encoding="utf-8")
        out = book.out / "child"
    elif case == "file":
        book.out.write_text("a file", encoding="utf-8")
    elif case == "output-is-dir":
        (book.out / "hostile.html").mkdir(parents=True)
    elif case == "output-is-link":
        book.out.mkdir()
        os.symlink(victim, book.out / "hostile.html")
    elif case == "proc":
        out = "/proc/self/zennbook-out"
    elif case == "lock-link":
        book.out.mkdir()
        os.symlink(victim, book.out / ".zennbook.lock")
    elif case == "lock-fifo":
        book.out.mkdir()
        os.mkfifo(book.out / ".zennbook.lock")
    elif case == "out-link":
        os.symlink(book.outside, book.out)
    book.out = tmp_path / "out-probe" if case == "proc" else book.out
    before = outside_the_cache(tmp_path)
    result = book.build("html", extra=("--out", str(out)))
    assert result.returncode == 1, result.stderr[-2000:]
    result.assert_no_traceback()
    assert re.search(r": ERROR: .*nothing written \[output.unusable\]", result.stderr), result.stderr[-2000:]
    assert victim.read_text(encoding="utf-8") == "keep"
    assert outside_the_cache(tmp_path) == before, "nothing may be written"


def outside_the_cache(tmp_path) -> list:
    return sorted(p for p in tmp_path.rglob("*") if ".zennbook-cache" not in p.parts)


def test_a_users_own_part_files_are_kept(tmp_path):
    book = HostileBook(tmp_path)
    book.out.mkdir()
    mine = [book.out / ".notes.part", book.out / ".hostile.html.abc.part", book.out / ".x.zennbook-toolong12.part"]
    for path in mine:
        path.write_text("mine", encoding="utf-8")
    ours = book.out / ".hostile.html.zennbook-ab_c1234.part"
    ours.write_text("left by a killed build", encoding="utf-8")
    result = book.build("html")
    result.assert_clean()
    assert all(path.read_text(encoding="utf-8") == "mine" for path in mine)
    assert not ours.exists()
