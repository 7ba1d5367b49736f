"""Real LuaLaTeX runs, two: every whitelisted command and environment plus the course's
KaTeX-only forms compile with no LaTeX error; and a hostile book builds (exit 0, exit 1 with
--strict), its formulas printed as source, nothing run, no canary leaked."""
from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from bench.math_bench import compile_book, write_book
from tests.conftest import cli_build, needs
from tests.math.formulas import course_forms, markdown_blocks, sweep

pytestmark = needs("lualatex", "pdftotext")


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture(scope="module")
def whitelist_book(tmp_path_factory):
    root = tmp_path_factory.mktemp("whitelist")
    formulas = sweep() + course_forms()
    report, diagnostics, pdf = compile_book(write_book(root / "book", markdown_blocks(formulas), 400),
                                            root / "latex")
    return formulas, report, diagnostics, pdf


def test_every_whitelisted_command_compiles_without_a_latex_error(whitelist_book):
    formulas, report, diagnostics, pdf = whitelist_book
    assert len(formulas) > 800 and pdf is not None
    assert report["errors"] == []
    codes = Counter(d.code.value for d in diagnostics.items)
    assert codes["latex.error"] == 0
    assert codes["math.undefined"] == 0           # the whitelist's names are all defined
    assert codes["math.unsafe"] == codes["math.unsupported"] == codes["math.invalid"] == 0


def test_the_course_forms_are_typeset_not_printed_as_source(whitelist_book):
    *_, pdf = whitelist_book
    text = re.sub(r"\s+", "", pdf_text(pdf))
    for source in ("\\sigma", "\\begin{", "\\text{", "\\operatorname", "\\mathbb"):
        assert source not in text                  # \zbmathsource would print these


# -- a hostile book -----------------------------------------------------------------------------

CANARY_LUA = 'tex.print("ZB" .. "LEAK")'
HOSTILE = [
    r"\UseName{directlua}{" + CANARY_LUA + "}",
    r"\mbox{\UseName{directlua}{" + CANARY_LUA + "}}",
    r"\csname directlua\endcsname{" + CANARY_LUA + "}",
    r"\UseName{directlua}{io.open('MARKER','w'):write('x')}",
    r"\pagecolor{black}", r"\setcounter{page}{99}", r"\pagestyle{empty}",
    r"\lowercase{\UseName{directlua}}{" + CANARY_LUA + "}",
    r"\expandafter\UseName\expandafter{directlua}{" + CANARY_LUA + "}",
    r"\def\x{\x}\x", r"\newcommand{\y}{\y\y}\y", r"\begin{verbatim}x\end{verbatim}",
    r"\string\UseName", r"x^^5cUseName",
]


def hostile_article(marker: Path) -> str:
    inline = "\n\n".join(f"式 ${tex.replace('MARKER', str(marker))}$ です。" for tex in HOSTILE)
    return f"---\ntitle: hostile\n---\n\n{inline}\n\n$$\n\\UseName{{directlua}}{{{CANARY_LUA}}}\n$$\n\n" \
           "残りの式 $\\sigma_\\max(W) + \\R^d$ は組まれる。\n"


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    marker = root / "pwned"
    (root / "articles").mkdir()
    (root / "articles" / "hostile.md").write_text(hostile_article(marker), encoding="utf-8")
    (root / "book.yaml").write_text(
        "title: Hostile\nauthor: t\nlicense: {id: CC-BY-4.0, url: 'https://creativecommons.org/licenses/by/4.0/', "
        "holder: t, notice: N., short: CC BY 4.0 t}\narticles: articles\nchapters: [hostile]\n", encoding="utf-8")
    result = cli_build(root / "book.yaml", root / "out", "pdf")
    strict = cli_build(root / "book.yaml", root / "strict", "pdf", extra=("--strict",))
    pdf = next((root / "out").glob("*.pdf"), None)
    return result, strict, pdf, marker


def test_a_hostile_book_builds_with_warnings_and_fails_with_strict(hostile_build):
    result, strict, pdf, _ = hostile_build
    assert result.exit_code == 0, result.output
    assert pdf is not None
    refused = r"hostile\.md:\d+: WARNING: math (?:uses|shown as code: ).*\[math\.(unsafe|invalid|unsupported)\]"
    assert len(re.findall(refused, result.output)) >= len(HOSTILE)
    assert "latex.error" not in result.output
    assert strict.exit_code == 1


def test_a_hostile_book_runs_nothing_and_prints_the_formulas_as_source(hostile_build):
    _, _, pdf, marker = hostile_build
    text = pdf_text(pdf)
    squashed = re.sub(r"\s+", "", text)
    assert "ZBLEAK" not in squashed                      # no Lua ran
    assert not marker.exists()
    assert r"\UseName{directlua}" in squashed and r"\pagecolor{black}" in squashed
    assert r"\setcounter{page}{99}" in squashed
    assert "\\R^d" not in squashed                      # the harmless formula was typeset
