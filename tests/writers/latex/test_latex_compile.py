"""Real LuaLaTeX runs, kept to two: a malicious book (nothing is read, nothing is run) and a
proof of one article with known layout problems (each is reported with its source line)."""
from __future__ import annotations

import json
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest

from tests.conftest import needs
from tests.unicode.glyphs import character_no_font_has
from zennbook.config import load_book
from zennbook.diagnostics import Code, Diagnostics
from zennbook.pandoc import markdown_to_doc
from zennbook.pipeline import BuildContext, prepare
from zennbook.proof import run_proof
from zennbook.writers.latex import LatexAssets, render_book_tex, run_lualatex

pytestmark = needs("lualatex", "pdftotext", "pdftoppm")

BOOK_YAML = """\
title: Test book
author: tester
license:
  id: CC-BY-4.0
  url: https://creativecommons.org/licenses/by/4.0/
  holder: tester
  notice: Licensed under CC BY 4.0.
  short: CC BY 4.0 tester
articles: .
chapters: [{chapters}]
"""


def make_book(folder: Path, articles: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for slug, text in articles.items():
        (folder / f"{slug}.md").write_text(text, encoding="utf-8")
    (folder / "book.yaml").write_text(BOOK_YAML.format(chapters=", ".join(articles)), encoding="utf-8")
    return folder / "book.yaml"


def pdf_text(path: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


# -- a malicious book ---------------------------------------------------------------------------

def evil_article(marker: Path) -> str:
    """Zenn Markdown that tries every way into LaTeX: math, raw LaTeX, code, a title."""
    return f"""---
title: "\\\\input{{/etc/passwd}} $\\\\write18{{touch {marker}}}$"
---

## Math

$\\input{{/etc/passwd}}$ and $\\immediate\\write18{{touch {marker}}}$

$$
\\directlua{{io.open("{marker}", "w"):write("ran")}}
$$

$\\openin1=/etc/passwd \\read1 to \\x \\x$ and $x^^5cinput{{/etc/passwd}}$

$$\\catcode`\\^^5c=12 \\input{{/etc/passwd}}$$

## Raw LaTeX, which the reader does not honour

\\input{{/etc/passwd}} \\write18{{touch {marker}}} \\directlua{{io.open("{marker}","w")}}

```{{=latex}}
\\input{{/etc/passwd}}
```

`\\input{{/etc/passwd}}`

```latex
\\directlua{{io.open("{marker}","w")}}
```

<div>\\input{{/etc/passwd}}</div>
"""


# pandoc Markdown, put in the article's place after the text stage: math that stage never
# lets through reaches the writer, whose own guard must hold.
RAW_ATTACKS = r"""
$\input{/etc/passwd}$ $\csname input\endcsname{/etc/passwd}$ $\ExplSyntaxOn \file_input:n {/etc/passwd}$

$$\directlua{io.open("MARKER", "w"):write("ran")}$$

$\immediate\write18{touch MARKER}$ $\font\x={file:/etc/passwd}\x$ $\pdfextension obj file {/etc/passwd}$
"""


@pytest.fixture(scope="module")
def evil_book(tmp_path_factory):
    root = tmp_path_factory.mktemp("evil")
    marker = root / "pwned"
    book_path = make_book(root / "book", {"evil": evil_article(marker), "raw": "placeholder\n"})
    diagnostics = Diagnostics()
    book = load_book(book_path, None, diagnostics)
    context = BuildContext(diagnostics=diagnostics)
    articles = prepare(book, context, jobs=1)
    raw = next(a for a in articles if a.slug == "raw")
    raw.doc = markdown_to_doc(RAW_ATTACKS.replace("MARKER", str(marker)), "raw")
    build_dir = root / "latex"                            # one pass is all safety needs
    tex = render_book_tex(book, articles, LatexAssets(build_dir), diagnostics, context)
    (build_dir / "book.tex").write_text(tex, encoding="utf-8")
    log, _ = run_lualatex(build_dir, max_passes=1)
    return build_dir / "book.pdf", marker, log.read_text(encoding="utf-8", errors="replace"), diagnostics


def test_a_malicious_book_reads_no_file(evil_book):
    out, _, log, _ = evil_book
    text = pdf_text(out)
    assert "root:x:0:0" not in text and "root:x:0:0" not in log
    assert "(/etc/passwd" not in log                     # TeX never opened it
    assert "/etc/passwd" in text                         # the attempt is printed, as text


def test_a_malicious_book_runs_nothing(evil_book):
    _, marker, log, _ = evil_book
    assert not marker.exists()
    assert "runsystem" not in log                        # no shell escape was even tried


def test_the_writers_own_guard_prints_unsafe_math_as_source(evil_book):
    out, _, _, diagnostics = evil_book
    refused = [d for d in diagnostics.items if d.code == Code.MATH_UNSAFE and d.path.endswith("raw.md")]
    assert len(refused) >= 6
    squashed = re.sub(r"\s+", "", pdf_text(out))
    assert r"\csnameinput\endcsname{/etc/passwd}" in squashed


# -- a proof ------------------------------------------------------------------------------------

NO_FONT = character_no_font_has()     # a character this machine has no font for
PROBLEMS = """---
title: "校正の見本"
---

## 問題のある章

本文は問題ありません。

長い数式が行からはみ出します $aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa + b$ 。

$$
x_1 + x_2 + x_3 + x_4 + x_5 + x_6 + x_7 + x_8 + x_9 + x_{10} + x_{11} + x_{12} + x_{13} + x_{14} + x_{15} + x_{16} + x_{17} + x_{18} + x_{19} + x_{20} + x_{21} + x_{22} + x_{23} + x_{24} + x_{25}
$$

どのフォントにもない文字 𓀀 があります。

[行き先のないリンク](#nowhere)
""".replace("𓀀", NO_FONT)


@pytest.fixture(scope="module")
def proof(tmp_path_factory):
    root = tmp_path_factory.mktemp("proof")
    book_path = make_book(root / "book", {"first": "## 一章\n\n本文\n", "problems": PROBLEMS})
    out = root / "out"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)                                 # its cache goes under root
        code = run_proof("problems", out, book_path, None, False)
    return code, json.loads((out / "problems.layout.json").read_text(encoding="utf-8")), out


def test_a_proof_reports_each_problem_with_its_source_line(proof):
    code, report, _ = proof
    assert code == 1
    lines = PROBLEMS.split("\n")

    def line_of(text: str) -> int:
        return next(i for i, line in enumerate(lines, start=1) if text in line)

    assert any(o["line"] == line_of("長い数式") and o["kind"] == "math" for o in report["overfull"])
    assert report["math"][0]["line"] == line_of("x_1 +") and "scaled to" in report["math"][0]["message"]
    assert report["missing_glyphs"][0]["line"] == line_of(NO_FONT)
    assert report["missing_glyphs"][0]["code"] == f"U+{ord(NO_FONT):04X}"
    assert report["unresolved_references"][0]["line"] == line_of("行き先のない")
    assert all(item["path"].endswith("problems.md") for item in report["overfull"])


def test_a_proof_is_the_chapter_as_in_the_book_marked_and_imaged(proof):
    _, report, out = proof
    text = unicodedata.normalize("NFKC", pdf_text(Path(report["pdf"])))
    assert re.search(r"第\s*2\s*章", text)                # numbered as in the book
    assert "PROOF校正刷" in re.sub(r"\s+", "", pdf_text(Path(report["pdf"]), "-raw"))   # the watermark
    assert "一章" not in text                             # only this article
    assert report["pages"] >= 1 and all(Path(p).exists() for p in report["images"])
    assert (out / "problems.layout.txt").read_text(encoding="utf-8").startswith("proof: ")
