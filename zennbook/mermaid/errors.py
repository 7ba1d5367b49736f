"""mermaid's refusal of a diagram, as one line that names the line and says what to do.

mermaid says "Parse error on line 3:" followed by an excerpt with a caret and the tokens it
expected. Its line counts the text it parsed: without the front matter, `%%{init}%%`
directives and `%%` comments, which it removes first. explain() finds that line in the
block as written, shows it, keeps mermaid's reason short and adds a hint for the mistakes
that every mermaid (and so Zenn) refuses: unquoted brackets in a label, non-ASCII node ids
and sankey text, a semicolon in a message.
"""
from __future__ import annotations

import re

LINE = re.compile(r"\bline (\d+)\b")
GOT = re.compile(r"got '([^']+)'")
EXPECTING = re.compile(r"Expecting ((?:'[^']+',? ?)+)")
DIRECTIVE_START = re.compile(r"^\s*%%\{")
COMMENT = re.compile(r"^\s*%%")
LABEL_TOKENS = {"SQS", "SQE", "PS", "PE", "STR", "DIAMOND_START", "DIAMOND_STOP", "TAGEND",
                "STADIUMSTART", "SUBROUTINESTART", "CYLINDERSTART", "DOUBLECIRCLESTART",
                "TRAPSTART", "INVTRAPSTART", "PIPE", "QUOTE", "MD_STR"}
HINTS = {
    "quote": 'put the label in double quotes, A["x[i] (y)"], and write a double quote inside '
             "it as #quot;",
    "node id": 'a node id takes letters, digits and _ only: give the text as a label, x0["x₀"]',
    "sankey": "mermaid's sankey parser takes ASCII text only: name the nodes in ASCII",
    "semicolon": "a ; ends a statement in mermaid: write #59; for a semicolon in the text",
    "kind": "the first line must name the diagram type (flowchart, sequenceDiagram, classDiagram, ...)",
    "image": "images in a diagram are never fetched: the book is built offline; "
             "put the image in the article instead",
}
IMAGE_LINE = re.compile(r"@\{[^}]*\b(img|icon)\s*:")


def explain(message: str, source: str) -> tuple[int | None, str]:
    """(the 1-based line of `source` mermaid refused, or None; the one-line explanation)."""
    lines = source.split("\n")
    parsed = _parsed_lines(lines)
    number = _mermaid_line(message)
    index = parsed[number - 1] if number and 0 < number <= len(parsed) else None
    index = _confirm(index, message, lines)
    if "image cannot be decoded" in message:
        index = next((i for i, line in enumerate(lines) if IMAGE_LINE.search(line)), index)
    kind = _hint_kind(message, lines[index] if index is not None else "", [lines[i] for i in parsed])
    parts = []
    if index is not None:
        parts.append(f"line {index + 1} of the diagram, `{lines[index].strip()[:80]}`:")
    parts.append(_reason(message))
    if kind:
        parts.append(f"({HINTS[kind]})")
    return (index + 1 if index is not None else None), " ".join(parts)


def _parsed_lines(lines: list[str]) -> list[int]:
    """Indexes of the lines mermaid parses: all but leading blanks, the front matter,
    directives and comments."""
    kept, i = [], 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i < len(lines) and lines[i].strip() == "---":
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == "---"), None)
        if end is not None:
            i = end + 1
    in_directive = False
    for j in range(i, len(lines)):
        line = lines[j]
        if in_directive or DIRECTIVE_START.match(line):
            in_directive = "}%%" not in line
            continue
        if not COMMENT.match(line):
            kept.append(j)
    return kept


def _mermaid_line(message: str) -> int | None:
    found = LINE.search(message)
    return int(found.group(1)) if found else None


def _confirm(index: int | None, message: str, lines: list[str]) -> int | None:
    """The line the excerpt points at: mermaid's count, unless the text at the caret is on
    exactly one other line (some parsers drop blank lines before counting)."""
    near = _text_at_caret(message)
    if not near or (index is not None and near in lines[index].replace(" ", "")):
        return index
    matches = [i for i, line in enumerate(lines) if near in line.replace(" ", "")]
    return matches[0] if len(matches) == 1 else index


def _text_at_caret(message: str) -> str:
    """A few characters of the excerpt from the caret on (else just before it)."""
    rows = message.split("\n")
    for excerpt, caret in zip(rows, rows[1:]):
        if re.fullmatch(r"-*\^", caret.strip()):
            at = len(caret.rstrip()) - 1
            after = excerpt[at:].replace(" ", "")[:4]
            return after or excerpt[:at].replace(" ", "")[-4:]
    return ""


def _hint_kind(message: str, line: str, lines: list[str]) -> str | None:
    first = next((l.strip() for l in lines if l.strip() and not COMMENT.match(l)), "")
    got = GOT.search(message)
    if "No diagram type detected" in message:
        return "kind"
    if "image cannot be decoded" in message:
        return "image"
    if first.startswith("sankey") and not line.isascii():
        return "sankey"
    if first.startswith("sequenceDiagram") and ";" in line:
        return "semicolon"
    if "Lexical error" in message and not line.isascii():
        return "node id"
    if got and got.group(1) in LABEL_TOKENS and first.startswith(("flowchart", "graph")):
        return "quote"
    return None


def _reason(message: str) -> str:
    """mermaid's reason without the excerpt: its first line, the first tokens expected and
    the one it got."""
    head = message.strip().split("\n")[0].rstrip(":")
    head = re.sub(r"\s*(?:on )?line \d+", "", head).strip(" :.,")
    expecting, got = EXPECTING.search(message), GOT.search(message)
    if expecting:
        tokens = re.findall(r"'([^']+)'", expecting.group(1))
        more = ", ..." if len(tokens) > 3 else ""
        head += f": expected {', '.join(tokens[:3])}{more}"
        if got:
            head += f", got {got.group(1)}"
    elif not LINE.search(message):
        head = " ".join(message.split())[:200]
    return head
