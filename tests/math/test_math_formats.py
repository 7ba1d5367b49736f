"""The one whitelist (zennbook.math) decides for every format: a formula it refuses as unsafe
or unreadable reaches no output's math, in the HTML and the EPUB as in the PDF (the Zenn
stage shows it as code, zennbook/zenn/mathcheck.py), and a formula KaTeX draws stays math."""
from __future__ import annotations

import re
import zipfile

import lxml.etree as etree
import lxml.html
import pytest

from tests.hostile.harness import HostileBook
from tests.math.test_math_whitelist import HOSTILE
from zennbook.diagnostics import Code
from zennbook.zenn.mathcheck import math_problem

MATHML = "http://www.w3.org/1998/Math/MathML"
# Names that act on TeX when LaTeX reads them; none may stand in a formula of any output.
ACTING = re.compile(r"\\(directlua|luaexec|latelua|UseName|csname|write|immediate|openout|openin|read|"
                    r"catcode|scantokens|expandafter|let|futurelet|lowercase|uppercase|string|special|"
                    r"pagecolor|setcounter|pagestyle|include|newwrite|edef|global)(?![A-Za-z])")
DRAWN = r"\frac{a}{b} + \sqrt{x}"
INLINE_HOSTILE = (r"\UseName{directlua}{x}", r"\directlua{os.exit()}")


ARTICLE = "---\ntitle: 数式\n---\n\n" + "\n".join(
    [f"描ける式 ${DRAWN}$ です。\n", f"$$\n{DRAWN}\n$$\n",
     "危ない式 " + " ".join(f"${tex}$" for tex in INLINE_HOSTILE) + " です。\n",
     *(f"$$\n{tex}\n$$\n" for tex in HOSTILE)])


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    book = HostileBook(tmp_path_factory.mktemp("math"))
    book.article("bb-math.md", ARTICLE)
    result = book.build("html", "epub")
    result.assert_no_traceback()
    return result


def formulas_of(root) -> list[str]:
    """The TeX each <math> of a document carries (its annotation, else its alttext)."""
    found = []
    for math in root.iter(f"{{{MATHML}}}math", "math"):
        notes = [n for n in math.iter() if n.get("encoding") == "application/x-tex"]
        found.append(notes[0].text if notes else math.get("alttext", ""))
    return found


def html_formulas(result) -> list[str]:
    return formulas_of(lxml.html.fromstring(result.output("html").read_bytes()))


def epub_formulas(result) -> list[str]:
    parser = etree.XMLParser(huge_tree=True)
    with zipfile.ZipFile(result.output("epub")) as archive:
        return [tex for name in archive.namelist() if name.endswith(".xhtml")
                for tex in formulas_of(etree.fromstring(archive.read(name), parser))]


@pytest.mark.parametrize("formulas", [html_formulas, epub_formulas], ids=["html", "epub"])
def test_no_refused_formula_reaches_the_outputs_math(built, formulas):
    found = formulas(built)
    assert found, "no math at all"
    assert [tex for tex in found if ACTING.search(tex)] == []
    assert [tex for tex in found if math_problem(tex) is not None] == []


@pytest.mark.parametrize("formulas", [html_formulas, epub_formulas], ids=["html", "epub"])
def test_a_formula_katex_draws_is_still_math(built, formulas):
    assert sum(tex.strip() == DRAWN for tex in formulas(built)) == 2      # inline and display


def test_a_refused_formula_is_warned_at_its_line(built):
    line = ARTICLE.split("\n").index(next(row for row in ARTICLE.split("\n") if row.startswith("危ない式"))) + 1
    for name in ("UseName", "directlua"):
        assert re.search(rf"bb-math\.md:{line}: WARNING: math shown as code: \\{name}\b.*\[math\.unsafe\]",
                         built.stderr), built.stderr[-3000:]


def test_a_formula_nested_too_deep_for_pandoc_is_refused_before_it():
    """`x^{^{...}}` 5,000 deep passed the old pattern list, balanced and with no command, and
    kept pandoc's MathML writer busy for over two minutes for the HTML and the EPUB."""
    problem = math_problem("x" + "^{" * 5000 + "y" + "}" * 5000)
    assert problem is not None and problem[0] is Code.MATH_INVALID
