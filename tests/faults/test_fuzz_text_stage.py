"""Property tests: random Markdown built from Zenn constructs goes through the text stage,
pandoc and the filters without an exception, and every word of it survives.

CI runs a fixed seed and a bounded number of examples; `ZENNBOOK_FUZZ_EXAMPLES=N` runs more.
"""
from __future__ import annotations

import os

import panflute as pf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zennbook.filters import FILTERS
from zennbook.diagnostics import Diagnostics
from zennbook.filtering import FilterContext, apply_filters
from zennbook.pandoc import markdown_to_doc
from zennbook.zenn import rewrite

EXAMPLES = int(os.environ.get("ZENNBOOK_FUZZ_EXAMPLES", "40"))
WORDS = st.sampled_from(["機械学習", "ベクトル", "alpha", "勾配降下", "beta", "確率分布", "gamma",
                         "損失関数", "delta", "埋め込み", "epsilon", "注意機構"]).map(lambda w: w)
TOKENS = st.builds(lambda w, n: f"{w}{n}", WORDS, st.integers(0, 999))


def line(tokens: list[str]) -> str:
    return " ".join(tokens)


sentences = st.lists(TOKENS, min_size=1, max_size=6).map(line)
paragraph = st.lists(sentences, min_size=1, max_size=3).map("\n".join)


def container(kind: str, colons: int, title: str, body: str) -> str:
    head = ":" * colons + ("message" if kind == "message" else "message alert" if kind == "alert" else f"details {title}")
    return f"{head}\n{body}\n{':' * colons}"


def code(lang: str, name: str, body: str) -> str:
    info = f"{lang}:{name}.txt" if name else lang
    return f"```{info}\n{body}\n```"


blocks = st.recursive(
    paragraph | st.builds(lambda s: f"## {s}", sentences)
    | st.builds(code, st.sampled_from(["python", "rust", "diff js", "", "julia"]), st.sampled_from(["", "main"]), sentences)
    | st.builds(lambda s: "\n".join(f"- {x}" for x in s), st.lists(sentences, min_size=1, max_size=3))
    | st.builds(lambda s: f"> {s}", sentences)
    | st.builds(lambda s, n: f"{s}[^{n}]\n\n[^{n}]: 注{s}", sentences, st.integers(1, 3))
    | st.just("https://arxiv.org/abs/1312.6114") | st.just("@[youtube](aircAruvnKk)")
    | st.builds(lambda s: f"$$\nx^2 + y_{{1}}\n$$\n\n{s}", sentences),
    lambda inner: st.builds(container, st.sampled_from(["message", "alert", "details"]),
                            st.integers(3, 5), TOKENS, inner),
    max_leaves=6)
documents = st.lists(blocks, min_size=1, max_size=5).map("\n\n".join)


def text_of(doc: pf.Doc) -> str:
    parts = []

    def visit(elem, _doc):
        if isinstance(elem, (pf.Str, pf.Code, pf.CodeBlock, pf.Math)):
            parts.append(elem.text)
        attributes = getattr(elem, "attributes", None) or {}
        parts.extend(attributes.get(k, "") for k in ("title", "url"))
    doc.walk(visit)
    return " ".join(parts)


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(documents)
def test_every_word_survives_the_text_stage_and_filters(source):
    lines = list(range(1, source.count("\n") + 2))
    rewritten = rewrite(source, lines, "fuzz.md")
    assert len(rewritten.lines) == len(rewritten.text.splitlines())
    doc = markdown_to_doc(rewritten.text, "fuzz.md")
    context = FilterContext(path="fuzz.md", slug="fuzz", diagnostics=Diagnostics())
    doc = apply_filters(doc, context, FILTERS)
    out = text_of(doc)
    for word in set(t for t in source.replace("\n", " ").split() if t[-1:].isdigit() and t[:1] not in "[:@$`#>-"):
        word = word.rstrip("[^0123456789]") if "[^" in word else word
        assert word in out, f"{word!r} lost"
