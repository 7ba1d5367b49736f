"""Nothing deep or large stops the book or loses its words.

Every way an article can nest (lists, quotes, Zenn boxes, brackets, links, emphasis, notes in
notes, HTML-ish tags, footnote definitions) is generated 5 to 10,000 levels deep and read by
the Zenn text stage and pandoc: no exception, the innermost word kept, a located
`input.too-deep` past the limits, and a tree shallow enough for every later walk (panflute,
the writers, TeX's groups). One book holding all of them is built in the three formats
(one LaTeX compile) and verified. Large input (thousands of links in one paragraph, a 1 MB
paragraph, a 50,000-line code block, a 10,000-row table) reaches pandoc in pieces it reads
in bounded memory, every word kept.
"""
from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.conftest import needs
from tests.hostile.harness import HostileBook, reader_text
from zennbook.pandoc import READER_FORMAT, markdown_to_doc, pandoc_path
from zennbook.verify import squash
from zennbook.zenn import rewrite

WORD = "最深の言葉"                    # the innermost text of every generated nesting
LEVELS = (5, 10, 50, 200, 1000, 10000)
AST_DEPTH_BOUND = 100                  # JSON levels (54 at most here): far inside Python's recursion limit


def bullet_list(n: int) -> str:
    return "\n".join("  " * i + f"- 項目{i}" for i in range(n)) + f" {WORD}\n"


def ordered_list(n: int) -> str:
    return "\n".join("   " * i + f"1. 番号{i}" for i in range(n)) + f" {WORD}\n"


def quote(n: int) -> str:
    return ">" * n + f" {WORD}\n"


def quote_and_list(n: int) -> str:
    return "".join("> - " for _ in range(n)) + f"{WORD}\n"


def boxes(n: int) -> str:
    """Zenn boxes inside boxes, as Zenn's guide writes them: the outer fence the longest."""
    opens = "".join(":" * (3 + n - i) + ("message\n" if i % 2 else f"details 題{i}\n") for i in range(n))
    return opens + f"{WORD}\n" + "".join(":" * (4 + i) + "\n" for i in range(n))


def same_fence_boxes(n: int) -> str:
    return "".join(":::message\n" if i % 2 else ":::details 題\n" for i in range(n)) + f"{WORD}\n" + ":::\n" * n


def brackets(n: int) -> str:
    return "[" * n + WORD + "]" * n + "\n"


def links(n: int) -> str:
    return "[" * n + WORD + "](https://example.com/a)" * n + "\n"


def images_in_links(n: int) -> str:
    return "[![" * n + WORD + "](https://example.com/i.png)](https://example.com/l)" * n + "\n"


def stars(n: int) -> str:
    return "*" * n + WORD + "*" * n + "\n"


def emphasis_words(n: int) -> str:
    return "".join(f"*強{i} " for i in range(n)) + WORD + "".join(f" 調{i}*" for i in range(n)) + "\n"


def strong_and_emphasis(n: int) -> str:
    return "**_" * n + WORD + "_**" * n + "\n"


def inline_notes(n: int) -> str:
    return "本文" + "^[注 " * n + WORD + "]" * n + "\n"


def html_tags(n: int) -> str:
    return "<div><span>" * n + WORD + "</span></div>" * n + "\n"


def note_chain(n: int) -> str:
    """Each footnote's text refers to the next one: notes in notes, as definitions."""
    return "本文[^n0]\n\n" + "".join(f"[^n{i}]: 注{i} [^n{i + 1}]\n\n" for i in range(n)) + f"[^n{n}]: {WORD}\n"


# Lists grow with the square of their depth (indentation); 1,000 levels is 1 MB already.
# pandoc itself takes a minute over 10,000 `**_` (its emphasis matching is quadratic in
# time, not in memory) and 10,000 images in links are 700 KB: 1,000 levels for those.
MEMBERS = {
    "bullet list": (bullet_list, 1000), "ordered list": (ordered_list, 1000),
    "quote": (quote, 10000), "quotes and lists": (quote_and_list, 10000),
    "boxes": (boxes, 1000), "boxes with equal fences": (same_fence_boxes, 10000),
    "brackets": (brackets, 10000), "links": (links, 10000), "images in links": (images_in_links, 1000),
    "stars": (stars, 10000), "emphasis of words": (emphasis_words, 10000),
    "strong and emphasis": (strong_and_emphasis, 1000), "notes in notes": (inline_notes, 10000),
    "HTML tags": (html_tags, 10000), "footnote chain": (note_chain, 1000),
}
CASES = [(name, n) for name, (_, most) in MEMBERS.items() for n in LEVELS if n <= most]


def json_depth(value) -> int:
    """Nesting of a JSON value, measured without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return deepest


def text_stage(text: str):
    return rewrite(text, list(range(1, text.count("\n") + 2)), "deep.md")


def pandoc_json(markdown: str) -> dict:
    proc = subprocess.run([pandoc_path(), "-f", READER_FORMAT, "-t", "json"], input=markdown.encode(),
                          capture_output=True, check=True, timeout=300)
    return json.loads(proc.stdout)


@pytest.mark.parametrize("name,levels", CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_deep_nesting_is_read_whole_and_shallow(name, levels):
    out = text_stage(MEMBERS[name][0](levels))
    tree = pandoc_json(out.text)
    assert json_depth(tree) <= AST_DEPTH_BOUND
    doc = markdown_to_doc(out.text)                       # panflute reads it (recursively)
    assert WORD in squash(json.dumps(doc.to_json(), ensure_ascii=False).replace('"', ""))
    if levels >= 50:
        assert any(d.code.value == "input.too-deep" and d.line for d in out.diagnostics) or \
            name in ("strong and emphasis", "HTML tags", "footnote chain")   # never nest: nothing to say


def test_a_list_is_flattened_below_latexs_four_levels_with_every_item_kept():
    out = text_stage(bullet_list(7))
    markers = [line for line in out.text.split("\n") if line.lstrip().startswith("- ")]
    assert len(markers) == 4                                # four lists, as LaTeX allows
    assert all(f"項目{i}" in out.text for i in range(7)) and WORD in out.text
    (warning,) = [d for d in out.diagnostics if d.code.value == "input.too-deep"]
    assert warning.line == 5                                # where the fifth list starts


def test_inline_nesting_past_the_limit_is_kept_as_text():
    out = text_stage(brackets(40))
    assert out.text.count("\\[") == 40 and WORD in out.text   # every bracket shown, as Zenn shows them
    out = text_stage(stars(100))
    assert out.text.count("\\*") > 0 and out.text.replace("\\", "").count("*") == 200


# -- the three formats -----------------------------------------------------------------------

DEEP_BOOK = "\n\n".join([
    "---\ntitle: 深い章\n---",
    bullet_list(200).replace(WORD, "箇条の最深"),
    ordered_list(50).replace(WORD, "番号の最深"),
    quote(1000).replace(WORD, "引用の最深"),
    quote_and_list(300).replace(WORD, "混在の最深"),
    boxes(12).replace(WORD, "箱の最深"),
    same_fence_boxes(30).replace(WORD, "同じ箱の最深"),
    brackets(1000).replace(WORD, "括弧の最深"),
    links(300).replace(WORD, "リンクの最深"),
    stars(500).replace(WORD, "星の最深"),
    emphasis_words(300).replace(WORD, "強調の最深"),
    inline_notes(300).replace(WORD, "注の最深"),
    html_tags(200).replace(WORD, "タグの最深"),
    " ".join(f"[リンク{i}](https://example.com/{i})" for i in range(1000)) + " 千のリンクの後",
])
DEEPEST = ["箇条の最深", "番号の最深", "引用の最深", "混在の最深", "箱の最深", "同じ箱の最深", "括弧の最深",
           "リンクの最深", "星の最深", "強調の最深", "注の最深", "タグの最深", "リンク999", "千のリンクの後"]


@pytest.fixture(scope="module")
def deep_build(tmp_path_factory):
    book = HostileBook(tmp_path_factory.mktemp("deep"))
    book.article("bb-deep.md", DEEP_BOOK)
    return book.build("pdf", "epub", "html")


@needs("lualatex", "pdftotext")
def test_a_deep_book_builds_in_every_format_and_verifies(deep_build):
    deep_build.assert_clean()
    assert deep_build.returncode == 0, deep_build.stderr[-3000:]
    assert "verify: ok" in deep_build.stderr + deep_build.proc.stdout
    deep_build.assert_located("bb-deep.md", "input.too-deep")
    deep_build.assert_located("bb-deep.md", "input.too-large")


@needs("lualatex", "pdftotext")
@pytest.mark.parametrize("fmt", ["pdf", "epub", "html"])
def test_every_innermost_word_is_in_every_format(deep_build, fmt):
    text = squash(reader_text(deep_build.output(fmt)))
    assert [word for word in DEEPEST if word not in text] == []


# -- size -------------------------------------------------------------------------------------

def pandoc_peak_mb(markdown: str) -> float:
    """Peak resident memory of one pandoc process reading `markdown` (wait4's rusage)."""
    proc = subprocess.Popen([pandoc_path(), "-f", READER_FORMAT, "-t", "json"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    proc.stdin.write(markdown.encode("utf-8"))
    proc.stdin.close()
    _, status, usage = os.wait4(proc.pid, 0)
    assert status == 0
    return usage.ru_maxrss / 1024


def test_thousands_of_links_in_one_paragraph_reach_pandoc_in_parts():
    text = " ".join(f"[リンク{i}](https://example.com/{i})" for i in range(3000)) + "\n"
    out = text_stage(text)
    paragraphs = [p for p in out.text.split("\n\n") if p.strip()]
    assert len(paragraphs) >= 3000 // 200
    (warning,) = [d for d in out.diagnostics if d.code.value == "input.too-large"]
    assert warning.line == 1
    doc_text = json.dumps(markdown_to_doc(out.text).to_json(), ensure_ascii=False)
    assert all(f"リンク{i}" in doc_text for i in range(3000))
    # whole, this paragraph took pandoc 3.5 GB (bench/pandoc_memory.py); in parts ~0.2 GB
    assert pandoc_peak_mb(out.text) < 1024


def test_links_on_many_lines_of_one_paragraph_are_cut_at_line_ends():
    text = "\n".join(f"[リンク{i}](https://example.com/{i})です" for i in range(500)) + "\n"
    out = text_stage(text)
    paragraphs = [p for p in out.text.split("\n\n") if p.strip()]
    assert len(paragraphs) == 3 and all(not p.startswith((" ", "です")) for p in paragraphs)
    assert out.text.count("です") == 500


@pytest.mark.parametrize("name,text,needle,count", [
    ("1 MB paragraph", ("あいうえおかきくけこ" * 10 + " words. ") * 3300 + "\n", "words.", 3300),
    ("50,000-line code block", "```python\n" + "".join(f"x{i} = {i}\n" for i in range(50_000)) + "```\n",
     "x49999 = 49999", 1),
    ("10,000-row table", "| a | b |\n|---|---|\n" + "".join(f"| r{i} | セル{i} |\n" for i in range(10_000)),
     "セル9999", 1),
])
def test_large_blocks_are_read_whole_in_bounded_memory(name, text, needle, count):
    out = text_stage(text)
    assert pandoc_peak_mb(out.text) < 1024
    doc_text = json.dumps(markdown_to_doc(out.text).to_json(), ensure_ascii=False)
    assert doc_text.count(needle) == count


# -- any mixture -------------------------------------------------------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

NESTING_PIECES = st.sampled_from(["> ", "- ", "1. ", "  ", "\n", ":::message\n", "::::details 題\n",
                                  ":::\n", "[", "]", "](https://e.com)", "![", "^[", "*", "**", "_",
                                  "`", "<div>", "語", " "])


@settings(max_examples=150, deadline=None)
@given(st.lists(NESTING_PIECES, max_size=400))
def test_any_mixture_of_nesting_marks_is_read_without_error(pieces):
    text = "".join(pieces) + "\n"
    out = text_stage(text)
    assert out.text.count("語") >= text.count("語")          # no word is lost
