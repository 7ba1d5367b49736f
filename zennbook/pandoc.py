"""The one place pandoc is run (through pypandoc's bundled binary)."""
from __future__ import annotations

import io
import json

import panflute as pf
import pypandoc

from .diagnostics import Code, ZennbookError
from .safety import sandbox

# Zenn is markdown-it (CommonMark) with breaks: true and no typographer. Raw HTML is read
# as raw so the raw_html filter can keep <br> and show everything else as text, as Zenn does.
# Front matter is split off before pandoc sees the text, so a later `---` is only a rule.
READER_FORMAT = (
    "commonmark_x+hard_line_breaks-smart-yaml_metadata_block-raw_attribute"
    "-implicit_figures-implicit_header_references-definition_lists-fancy_lists"
    "-subscript-superscript-emoji-alerts"
)

class PandocError(ZennbookError):
    """pandoc failed; the message names the input and carries pandoc's own words."""


def pandoc_path() -> str:
    return pypandoc.get_pandoc_path()


def pandoc_version() -> str:
    return pypandoc.get_pandoc_version()


def run_pandoc(text: str, args: list[str], label: str) -> str:
    """Run pandoc on `text` (stdin) and return its stdout. `label` names the input. pandoc
    runs in the sandbox with no folder of its own: it reads stdin and writes stdout."""
    try:
        proc = sandbox.run("pandoc", [pandoc_path(), *args], input=text.encode("utf-8"))
    except FileNotFoundError as exc:
        raise PandocError(f"pandoc: not found ({exc}); reinstall pypandoc-binary", Code.TOOL_MISSING) from exc
    except sandbox.LimitHit as exc:
        raise PandocError(f"{exc} on {label}", Code.TOOL_LIMIT) from None
    if proc.returncode != 0:
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-5:]
        raise PandocError(f"pandoc: failed on {label} (exit {proc.returncode}): " + " | ".join(tail))
    return proc.stdout.decode("utf-8")


def markdown_to_doc(text: str, label: str = "<markdown>") -> pf.Doc:
    """Parse pandoc-flavoured markdown (the Zenn text stage's output) to a panflute Doc."""
    ast_json = run_pandoc(text, ["-f", READER_FORMAT, "-t", "json"], label)
    return pf.load(io.StringIO(ast_json))


def doc_to_json(doc: pf.Doc) -> str:
    return json.dumps(doc.to_json(), ensure_ascii=False)


def doc_to_format(doc: pf.Doc, fmt: str, extra_args: list[str] | None = None,
                  label: str = "<doc>") -> str:
    """Write a (filtered) Doc as `fmt` (html5, latex, ...): a body fragment."""
    return run_pandoc(doc_to_json(doc), ["-f", "json", "-t", fmt, *(extra_args or [])], label)
