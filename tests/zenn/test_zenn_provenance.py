"""Line provenance: every output line names the source line it came from."""
from __future__ import annotations

from zennbook.zenn import rewrite

from zenn_stage import rewritten


def line_of(out, needle: str) -> int:
    index = next(k for k, line in enumerate(out.text.split("\n")) if needle in line)
    return out.lines[index]


def test_one_source_line_per_output_line():
    out = rewritten("# T\n\n:::message\nbody\n:::\n\n```js\ncode\n```\n")
    assert len(out.lines) == out.text.count("\n")
    assert [line_of(out, s) for s in ("# T", "body", "code")] == [1, 4, 8]


def test_lines_compose_with_the_input_mapping():
    text = "a\n\n:::details x\nb\n:::\n\n@[vimeo](1)\n"
    source_lines = [10, 11, 20, 21, 22, 23, 30]
    out = rewrite(text, source_lines, "t.md")
    assert line_of(out, "admonition") == 20 and line_of(out, "b") == 21
    assert [d.line for d in out.diagnostics] == [30]


def test_data_line_attributes_are_source_lines():
    out = rewrite("x\n\n![i](a.png)\n\n```\nc\n```\n", [5, 6, 7, 8, 9, 10, 11], "t.md")
    assert 'data-line="7"' in out.text and 'data-line="9"' in out.text


def test_footnotes_and_references_are_placed_last_with_their_lines():
    out = rewritten("a[^1]\n\n[^1]: note\n\n[r]: https://e.com\n\nlast\n")
    text = out.text.split("\n")
    assert text.index("[]{data-line=7}last") < text.index("[^1]:")
    assert line_of(out, "note") == 3 and line_of(out, "[R]:") == 5


def test_empty_input():
    out = rewritten("")
    assert (out.text, out.lines, out.diagnostics) == ("", [], [])
