"""Small books for the reader's PDF, written in a temporary folder and built by the real CLI.

    tiny    two parts, three chapters: every element PDF/UA tags (headings, a list, a table,
            a figure with and one without a description, code, a footnote), a link to
            another chapter, an external and a refused link, long Japanese lines
"""
from __future__ import annotations

import io
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO, TEST_LICENSE



def square_png() -> bytes:
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (48, 32), "#3a7bd5").save(out, format="PNG")
    return out.getvalue()

BOOK_YAML = """\
title: 読むための本
slug: tiny-reader
author: テスト著者
language: ja
articles: articles
source_url: "https://zenn.dev/tester/articles/{slug}"
""" + TEST_LICENSE + """\
reader:
  page: {page}
parts:
  - title: 第一部
    chapters: [01-first, 02-second]
  - title: 第二部
    chapters: [03-third]
"""

LONG_LINE = ("日本語の文章は単語の間に空白がないので、行はどこでも折り返せますが、句読点「。」や「、」、"
             "閉じかっこ「」」で行が始まってはいけません。" * 6)

ARTICLES = {
    "01-first": f"""\
---
title: "第一章の題"
emoji: "📘"
---

## はじめの節

第一章だけにある言葉：ひまわり畑。{LONG_LINE}

- 一つ目の項目
- 二つ目の項目

### 小さな節

[第三章へ](./03-third) と [外のサイト](https://example.com/page) と [危ないリンク](javascript:alert(1))。

![一つの点](/images/pixel.png)

![](/images/pixel.png)
""",
    "02-second": """\
---
title: "第二章の題"
emoji: "🧮"
---

## 表とコード

| 名前 | 値 |
| --- | --- |
| alpha | 1 |

```python
def a_very_long_function_name_that_goes_on(argument_one, argument_two, argument_three, argument_four):
    return argument_one
```

本文に脚注[^1]。分数 $\\frac{a}{b}$ と式:

$$
x^2 + y^2 = 1
$$

[^1]: 脚注の中身。
""",
    "03-third": """\
---
title: "第三章の題"
emoji: "🧪"
---

## 終わりの節

第三章の本文です。identifier_name も出てきます。
""",
}


@dataclass(frozen=True)
class Book:
    folder: Path
    pdf: Path
    stderr: str
    stdout: str


def write_book(folder: Path, page: str = "tablet") -> Path:
    (folder / "articles").mkdir(parents=True)
    (folder / "images").mkdir()
    (folder / "images" / "pixel.png").write_bytes(square_png())
    (folder / "book.yaml").write_text(BOOK_YAML.replace("{page}", page), encoding="utf-8")
    for slug, text in ARTICLES.items():
        (folder / "articles" / f"{slug}.md").write_text(text, encoding="utf-8")
    return folder


def build_reader(folder: Path, *extra: str) -> subprocess.CompletedProcess:
    """The CLI in the book's folder: its cache (.zennbook-cache) stays in the folder."""
    return subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--format", "reader-pdf",
                           "--out", "dist", *extra], cwd=folder, capture_output=True, text=True, timeout=600)


def built_book(folder: Path) -> Book:
    proc = build_reader(folder)
    assert proc.returncode == 0, proc.stderr[-3000:] + proc.stdout[-2000:]
    return Book(folder, folder / "dist" / "tiny-reader.reader.pdf", proc.stderr, proc.stdout)


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> Book:
    return built_book(write_book(tmp_path_factory.mktemp("reader-tiny")))
