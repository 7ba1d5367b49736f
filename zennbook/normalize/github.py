"""GitHub-flavoured constructs mapped to Zenn's own syntax.

- ``<details><summary>T</summary> … </details>`` becomes ``:::details T`` … ``:::``; the
  summary is plain text in Zenn, so tags are dropped and entities decoded.
- Alert quotes become message boxes, the body without its ``> ``:
  ``> [!NOTE]``, ``> [!TIP]``, ``> [!IMPORTANT]``, ``> **Note:**`` … → ``:::message``;
  ``> [!WARNING]``, ``> [!CAUTION]``, ``> **Warning:**`` … → ``:::message alert``.
- A ```` ```math ```` fence becomes a ``$$`` block with a blank line before and after
  (Zenn's block math cannot interrupt a paragraph; Zenn itself shows ```` ```math ```` as
  plain code). A block that contains ``$`` stays a code block, since ``$$`` cannot hold it.

Every line made keeps the source line of the construct it came from.
"""
from __future__ import annotations

import html
import re

from ..diagnostics import Code
from .containers import Container, Node
from .lines import Line, Reporter
from .markdown import MATH_DELIMITER, opening_fence, verbatim_lines

ALERT = re.compile(r"^\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\][ \t]*(.*)$", re.IGNORECASE)
OLD_ALERT = re.compile(r"^\*\*(Note|Tip|Important|Warning|Caution)(?::\*\*|\*\*:?)[ \t]*(.*)$",
                       re.IGNORECASE)
ALERT_PARAMS = {"note": "message", "tip": "message", "important": "message",
                "warning": "message alert", "caution": "message alert"}
QUOTE = re.compile(r"^([ \t]*)>[ ]?(.*)$")
DETAILS_OPEN = re.compile(r"^([ \t]*)<details(?:\s[^>]*)?>(.*)$", re.IGNORECASE)
DETAILS_OPEN_ANYWHERE = re.compile(r"<details(?:\s[^>]*)?>", re.IGNORECASE)
DETAILS_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)
SUMMARY = re.compile(r"^\s*<summary(?:\s[^>]*)?>(.*?)</summary\s*>(.*)$",
                     re.IGNORECASE | re.DOTALL)
SUMMARY_START = re.compile(r"^\s*<summary(?:\s[^>]*)?>", re.IGNORECASE)
TAG = re.compile(r"<[^>]*>")
DEFAULT_SUMMARY = "Details"             # what GitHub shows for a details without a summary


def has_github_syntax(texts: list[str], verbatim: list[bool]) -> bool:
    closes_details = any(DETAILS_CLOSE.search(text) for text in texts)
    for index, (text, in_code) in enumerate(zip(texts, verbatim)):
        fence = opening_fence(text)
        if fence and fence.group(3).strip().lower() == "math":
            return True
        if in_code:
            continue
        quote = QUOTE.match(text)
        if (DETAILS_OPEN.match(text) and closes_details) or (
                quote and _alert(quote.group(2))
                and (index == 0 or not QUOTE.match(texts[index - 1]))):
            return True
    return False


def convert(lines: list[Line], report: Reporter) -> list[Node]:
    """Nodes for the lines: GitHub constructs become containers, the rest stays."""
    nodes: list[Node] = []
    index = 0
    while index < len(lines):
        taken, made = _construct_at(lines, index, nodes, report)
        nodes.extend(made)
        index += taken
    return nodes


def _construct_at(lines: list[Line], index: int, nodes: list[Node], report: Reporter):
    """(lines consumed, nodes made) for whatever starts at `index`."""
    text = lines[index].text
    if fence := opening_fence(text):
        end = _fence_end(lines, index, fence)
        if fence.group(3).strip().lower() == "math":
            return end - index, _math_block(lines[index:end], lines, end, nodes, report)
        return end - index, lines[index:end]
    if MATH_DELIMITER.match(text):
        end = next((later + 1 for later in range(index + 1, len(lines))
                    if MATH_DELIMITER.match(lines[later].text)), len(lines))
        return end - index, lines[index:end]
    if (quote := QUOTE.match(text)) and _alert(quote.group(2)) and _starts_quote(lines, index):
        end = _quote_end(lines, index)
        return end - index, [_alert_container(lines[index:end], report)]
    if DETAILS_OPEN.match(text) and (end := _details_end(lines, index)):
        return end - index, [_details_container(lines[index:end], report)]
    return 1, [lines[index]]


def _fence_end(lines: list[Line], index: int, fence: re.Match) -> int:
    for later in range(index + 1, len(lines)):
        if _closes_fence(lines[later].text, fence.group(2)):
            return later + 1
    return len(lines)


def _closes_fence(text: str, marker: str) -> bool:
    stripped = text.strip()
    return stripped.startswith(marker) and set(stripped) == {marker[0]}


def _alert(quoted: str) -> re.Match | None:
    return ALERT.match(quoted) or OLD_ALERT.match(quoted)


def _starts_quote(lines: list[Line], index: int) -> bool:
    """An alert marker counts on the first line of a blockquote only."""
    return index == 0 or not QUOTE.match(lines[index - 1].text)


def _quote_end(lines: list[Line], index: int) -> int:
    end = index + 1
    while end < len(lines) and QUOTE.match(lines[end].text):
        end += 1
    return end


def _alert_container(quote: list[Line], report: Reporter) -> Container:
    first = QUOTE.match(quote[0].text)
    marker = _alert(first.group(2))
    body = [Line(QUOTE.match(line.text).group(2), line.source) for line in quote[1:]]
    if marker.group(2).strip():
        body.insert(0, Line(marker.group(2), quote[0].source))
    params = ALERT_PARAMS[marker.group(1).lower()]
    report.info(Code.NORMALIZE_DIALECT,
                f"GitHub alert '{marker.group(1)}' mapped to :::{params}", quote[0].source)
    body = [Line(first.group(1) + line.text if line.text else "", line.source)
            for line in body]
    return Container(params, first.group(1), quote[0].source, quote[-1].source,
                     convert(body, report))


def _details_end(lines: list[Line], index: int) -> int | None:
    """Index after the line that closes the details opened at `index`, nesting counted and
    code and math skipped; None when nothing closes it (then it is text, not a block)."""
    texts = [line.text for line in lines[index:]]
    depth = 0
    for offset, (text, in_code) in enumerate(zip(texts, verbatim_lines(texts))):
        if in_code:
            continue
        depth += len(DETAILS_OPEN_ANYWHERE.findall(text)) - len(DETAILS_CLOSE.findall(text))
        if depth <= 0:
            return index + offset + 1
    return None


def _details_container(block: list[Line], report: Reporter) -> Container:
    opener = DETAILS_OPEN.match(block[0].text)
    indent = opener.group(1)
    first = Line(opener.group(2), block[0].source)
    body = ([first] if first.text.strip() else []) + list(block[1:])
    body = _without_closer(body)
    title, body = _take_summary(body)
    report.info(Code.NORMALIZE_DIALECT, "HTML <details> mapped to :::details", block[0].source)
    return Container(f"details {title}", indent, block[0].source, block[-1].source,
                     convert(body, report))


def _without_closer(body: list[Line]) -> list[Line]:
    """The body without the final </details> (and the line, when nothing else is on it)."""
    for position in range(len(body) - 1, -1, -1):
        matches = list(DETAILS_CLOSE.finditer(body[position].text))
        if not matches:
            continue
        last = matches[-1]
        rest = body[position].text[:last.start()] + body[position].text[last.end():]
        kept = [Line(rest, body[position].source)] if rest.strip() else []
        return body[:position] + kept + body[position + 1:]
    return body


def _take_summary(body: list[Line]) -> tuple[str, list[Line]]:
    """The summary's text and the body after it; the summary may span lines."""
    start = next((index for index, line in enumerate(body) if line.text.strip()), None)
    if start is None or not SUMMARY_START.match(body[start].text):
        return DEFAULT_SUMMARY, body
    for end in range(start, len(body)):
        joined = " ".join(line.text.strip() for line in body[start:end + 1])
        if match := SUMMARY.match(joined):
            after = match.group(2).strip()
            rest = [Line(after, body[end].source)] if after else []
            return _plain_title(match.group(1)), rest + body[end + 1:]
    return DEFAULT_SUMMARY, body


def _plain_title(summary: str) -> str:
    title = " ".join(html.unescape(TAG.sub("", summary)).split())
    return title or DEFAULT_SUMMARY


def _math_block(block: list[Line], lines: list[Line], end: int, nodes: list[Node],
                report: Reporter) -> list[Node]:
    """The fence as a $$ block, with a blank line before and after unless one is there."""
    opener, fence = block[0], opening_fence(block[0].text)
    closed = len(block) > 1 and _closes_fence(block[-1].text, fence.group(2))
    content = block[1:-1] if closed else block[1:]
    if any("$" in line.text for line in content):
        report.warn(Code.NORMALIZE_DIALECT,
                    "```math block contains '$'; kept as a code block", opener.source)
        return block
    made: list[Node] = []
    if nodes and not (isinstance(nodes[-1], Line) and not nodes[-1].text.strip()):
        made.append(Line("", opener.source))
    dollars = fence.group(1) + "$$"
    made += [Line(dollars, opener.source), *content, Line(dollars, block[-1].source)]
    if end < len(lines) and lines[end].text.strip():
        made.append(Line("", block[-1].source))
    report.info(Code.NORMALIZE_DIALECT, "```math block mapped to $$", opener.source)
    return made
