"""The whitelist against KaTeX itself (node and node_modules/katex, installed by setup): the
generated table is KaTeX's current one, and where KaTeX and LaTeX read a form differently the
meaning kept is KaTeX's (what Zenn shows)."""
from __future__ import annotations

import json
import subprocess

import pytest

from tests.conftest import REPO, needs
from zennbook.math import to_latex
from zennbook.math.katex_names import COMMANDS, ENVIRONMENTS, KATEX_VERSION
from zennbook.nodejs import find_node_modules

pytestmark = needs("node")
KATEX_JS = "katex/dist/katex.js"


@pytest.fixture(scope="module")
def katex():
    modules = find_node_modules(KATEX_JS)
    assert modules is not None, "node_modules/katex is missing: run the set-up script"
    return modules / KATEX_JS


def katex_parse(katex, tex: str) -> list[str]:
    """The types of the top-level nodes KaTeX parses `tex` into."""
    script = ("const k = require(process.argv[1]);"
              "console.log(JSON.stringify(k.__parse(process.argv[2], {}).map(n => n.type)))")
    out = subprocess.run(["node", "-e", script, str(katex), tex], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_the_generated_table_is_katexs_own(katex):
    dump = subprocess.run(["node", str(REPO / "scripts" / "katex" / "dump_tables.cjs"), str(katex)],
                          capture_output=True, text=True, check=True)
    tables = json.loads(dump.stdout)
    assert tables["version"] == KATEX_VERSION
    assert set(tables["environments"]) == set(ENVIRONMENTS)
    words = {name[1:] for name in [*tables["functions"], *tables["macros"], *tables["symbols"]["math"]]
             if name[1:].isalpha() and name.startswith("\\")}
    assert words <= set(COMMANDS)


def test_a_doubled_backslash_brace_is_a_line_break_and_a_group_as_in_katex(katex):
    # Zenn hands `$\\{j\\}$` to KaTeX unchanged: a line break, then a group (no braces shown).
    assert katex_parse(katex, r"\\{j : w_j \neq 0\\}") == ["cr", "ordgroup"]
    assert to_latex(r"\\{j : w_j \neq 0\\}", False).latex == r"{j:w_{j}\neq 0 }"


def test_a_command_as_a_bare_subscript_is_its_argument_as_in_katex(katex):
    assert katex_parse(katex, r"x_\frac12") == ["supsub"]
    assert to_latex(r"x_\frac12", False).latex == r"x_{\frac{1}{2}}"
