"""Every diagnostic code is documented in docs/diagnostics.md, and nothing else is."""
from __future__ import annotations

import re

from tests.conftest import REPO
from zennbook.diagnostics import Code, Diagnostic, Level


def test_every_code_is_documented():
    table = (REPO / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z.-]+)` \|", table, re.M))
    assert documented == {code.value for code in Code}


def test_format_is_path_line_level_message_code():
    item = Diagnostic(Level.WARNING, Code.ZENN_UNKNOWN_EMBED, "unknown Zenn embed '@[vimeo]'", "a.md", 42)
    assert str(item) == "a.md:42: WARNING: unknown Zenn embed '@[vimeo]' [zenn.unknown-embed]"
    assert str(Diagnostic(Level.ERROR, Code.CONFIG_CHOICE, "x", "book.yaml")) == "book.yaml: ERROR: x [config.choice]"
