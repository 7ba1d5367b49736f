"""Code blocks set apart and kept (writers/html/code.py): the article's HTML is exactly the
one pandoc makes of it whole, and a second render sets no code block again, not even when
a line added above moves every block's source line."""
from __future__ import annotations

import panflute as pf

from zennbook import pandoc
from zennbook.article import parse_article, read_article
from zennbook.cache import Cache
from zennbook.config import load_book
from zennbook.diagnostics import Diagnostics
from zennbook.pipeline import filter_article
from zennbook.serve.state import with_source_lines
from zennbook.writers.html.page import page_body
from tests.serve.conftest import write_book

ARTICLE = """---
title: "コード"
---

## Blocks everywhere

```python
print("first")
```

- a list item

  ```julia:solve.jl
  x = A \\\\ b
  ```

- another

:::details 中身
```rust
fn main() {}
```
:::

```
plain, no language
```

```notalanguage
a language pandoc does not know
```

```diff js
- old
+ new
```

> ```elixir
> IO.puts("quoted")
> ```

A note.[^n]

[^n]: With code:

    ```python
    inside_a_note = True
    ```
"""


def article_in(tmp_path, text: str, book):
    path = tmp_path / "articles" / "code.md"
    path.write_text(text, encoding="utf-8")
    article = read_article(path, "articles/code.md", book.home)
    parse_article(article)
    filter_article(book, article, {})
    return with_source_lines(article)     # the preview's copy: blocks carry their source line


def code_blocks_sent(monkeypatch) -> list[int]:
    """How many code blocks each pandoc run was given."""
    sent, real = [], pandoc.doc_to_format

    def counting(doc, fmt, args=None, label="<doc>"):
        blocks = []
        doc.walk(lambda e, d: blocks.append(1) if isinstance(e, pf.CodeBlock) else None)
        sent.append(len(blocks))
        return real(doc, fmt, args, label)
    monkeypatch.setattr("zennbook.writers.html.code.doc_to_format", counting)
    monkeypatch.setattr("zennbook.writers.html.render.doc_to_format", counting)
    return sent


def test_code_set_apart_is_the_html_pandoc_makes_of_the_whole_article(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    book = load_book(write_book(tmp_path, {"code": ARTICLE}), None, Diagnostics())
    article = article_in(tmp_path, ARTICLE, book)
    whole = page_body(article, book)
    cache = Cache(tmp_path / "cache")
    sent = code_blocks_sent(monkeypatch)
    assert page_body(article, book, code_cache=cache) == whole
    assert sent[-1] == 0 and sum(sent) == 9           # 7 set apart, the 2 plain ones again without their id; none in the article's run
    assert whole.count('<div class="sourceCode"') == 5 and 'id="code--cb7"' in whole    # numbered past the plain ones


def test_a_second_render_sets_no_code_block_even_with_every_line_moved(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    book = load_book(write_book(tmp_path, {"code": ARTICLE}), None, Diagnostics())
    cache = Cache(tmp_path / "cache")
    page_body(article_in(tmp_path, ARTICLE, book), book, code_cache=cache)
    moved = ARTICLE.replace("## Blocks everywhere\n", "## Blocks everywhere\n\nA paragraph added above.\n")
    article = article_in(tmp_path, moved, book)
    sent = code_blocks_sent(monkeypatch)
    body = page_body(article, book, code_cache=cache)
    assert sent == [0]                                  # the article's run only, every block from the cache
    monkeypatch.undo()
    assert body == page_body(article, book) and "A paragraph added above." in body
