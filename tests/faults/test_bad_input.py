"""Bad input: each case gets a clear message naming the file (and line), and the rest of the
book still builds unless --strict. Built through the real CLI, HTML only (the fast writer)."""
from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import TEST_LICENSE, cli_build

BOOK = "title: Faults\nslug: faults\n" + TEST_LICENSE
GOOD = "---\ntitle: 良い章\n---\n\n良い本文の段落です。\n"


def make_book(tmp_path: Path, bad_name: str, bad: bytes | str) -> Path:
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "aa-good-article.md").write_text(GOOD, encoding="utf-8")
    data = bad.encode("utf-8") if isinstance(bad, str) else bad
    (articles / bad_name).write_bytes(data)
    (tmp_path / "book.yaml").write_text(BOOK, encoding="utf-8")
    return tmp_path


def build(book_dir: Path, *extra: str):
    return cli_build(book_dir / "book.yaml", book_dir / "out", "html", extra=extra)


def page(book_dir: Path) -> str:
    return (book_dir / "out" / "faults.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("name, content, expected, code, exit_code", [
    ("bb-bad-yaml.md", "---\ntitle: [unclosed\n---\n\n本文は残ります。\n",
     "bb-bad-yaml.md:2: ERROR: invalid YAML in front matter", "frontmatter.syntax", 1),
    ("bb-list-yaml.md", "---\n- a\n- b\n---\n\n本文は残ります。\n",
     "bb-list-yaml.md:1: ERROR: front matter is a list", "frontmatter.not-mapping", 1),
    ("bb-empty.md", "", "bb-empty.md: WARNING: the article has no body text", "article.empty", 0),
    ("bb-binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
     "bb-binary.md: ERROR: this is not a text file", "article.binary", 1),
    ("bb-fence.md", "---\ntitle: t\n---\n\n```python\nprint('本文は残ります。')\n",
     "bb-fence.md:5: WARNING:", "zenn.unclosed-fence", 0),
    ("bb-container.md", "---\ntitle: t\n---\n\n:::message\n本文は残ります。\n",
     "bb-container.md:5: WARNING:", "zenn.unclosed-container", 0),
    ("bb-image.md", "---\ntitle: t\n---\n\n![図](/images/none.png)\n\n本文は残ります。\n",
     "bb-image.md:5: WARNING:", "image.missing", 0),
])
def test_bad_article_is_named_and_the_book_still_builds(tmp_path, name, content, expected, code, exit_code):
    book_dir = make_book(tmp_path, name, content)
    result = build(book_dir)
    assert expected in result.output, result.output
    assert f"[{code}]" in result.output
    assert result.exit_code == exit_code, result.output
    html = page(book_dir)
    assert "良い本文の段落です。" in html, "the rest of the book is built"
    if "本文は残ります" in (content if isinstance(content, str) else ""):
        assert "本文は残ります" in html, "the bad article's own text is not lost"


def test_strict_stops_before_writing(tmp_path):
    book_dir = make_book(tmp_path, "bb-container.md", ":::message\n閉じない\n")
    result = build(book_dir, "--strict")
    assert result.exit_code == 1
    assert "nothing written" in result.output
    assert not (book_dir / "out" / "faults.html").exists()


def test_many_footnotes_and_deep_nesting(tmp_path):
    notes = "".join(f"文{i}[^{i}]。\n" for i in range(1, 5001))
    defs = "".join(f"[^{i}]: 注{i}\n" for i in range(1, 5001))
    nested_list = "".join("  " * depth + f"- 深さ{depth}\n" for depth in range(60))
    nested_quote = "> " * 60 + "深い引用の文\n"
    body = f"---\ntitle: 多い\n---\n\n{notes}\n{defs}\n{nested_list}\n{nested_quote}"
    book_dir = make_book(tmp_path, "bb-many.md", body)
    result = build(book_dir)
    assert result.exit_code == 0, result.output[-2000:]
    html = page(book_dir)
    assert "注5000" in html and "深さ59" in html and "深い引用の文" in html


def test_large_article_warns_and_builds(tmp_path):
    paragraph = "大きな記事の段落です。" * 20 + "\n\n"
    body = "---\ntitle: 大きい\n---\n\n" + paragraph * (6 * 2**20 // len(paragraph.encode()))
    book_dir = make_book(tmp_path, "bb-large.md", body)
    result = build(book_dir, "--no-verify")
    assert "[article.too-large]" in result.output
    assert result.exit_code == 0, result.output[-2000:]
