"""Inline text of one block, rewritten so that pandoc reads what Zenn's markdown-it reads.

Both follow CommonMark for emphasis, code spans, links and escapes, so that text is kept as
written. What differs is rewritten: Zenn's `$` math rules (md-katex), `![](url =WxH)` image
sizes (md-imsize), inline footnotes `^[...]`, one-line `<!-- -->` comments (removed), HTML
(escaped: Zenn shows it as text; `<br>` is kept for the raw-HTML filter), bare `http(s)://`
URLs (kept as one literal run of text for the linkify filter, and reported when alone on
their line so the caller can make a card), and pandoc-only syntax that Zenn shows as text
(`{...}` attributes, `:::` fences, `[...]` that is no link).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import NamedTuple

from markdown_it.common.utils import normalizeReference

from ..diagnostics import Code, Reporter
from ..normalize.lines import Line
from . import links, urls
from .markup import attributes, escape_text
from .mathcheck import math_problem

_SPECIAL = re.compile(r"[\\`$<!\[^{~\n]|(?i:https?:)")
_ASCII_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_MATH_DOUBLE = re.compile(r"\$\$((?:\S)|(?:\S(?!.*\]\(http).*?\S))\$\$")
_MATH_SINGLE = re.compile(r"\$((?:\S)|(?:\S(?![^$]*\]\(http.*).*?\S))\$")
_COMMENT = re.compile(r"<!--[^\n]*?-->")
_BR = re.compile(r"<br\s?/?>")
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9.+\-]{1,31}:[^<>\x00-\x20]*)>")
_EMAIL = re.compile(r"<[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~\-]+@[a-zA-Z0-9](?:[a-zA-Z0-9\-]{0,61}"
                    r"[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9\-]{0,61}[a-zA-Z0-9])?)*>")
_FOOTNOTE_REF = re.compile(r"\^[^\s\]]+")
_TASK = re.compile(r"\[[ xX]\](?=[ \t])")     # a task list marker, kept for pandoc
_COLON_LINE = re.compile(r":{3,}")
_NOTE_DEFINITION = re.compile(r"\[\^[^\]\s]+\]:")
_SETEXT_LINE = re.compile(r"=+[ \t]*(?:\n|$)")
_CONTAINER_LIKE = re.compile(r":{3,}\s*(message|details)\b")
# Links, images and notes inside each other deeper than this are text: every nested level is
# a recursion here, in pandoc, panflute and the writers (TeX's groups stop at 255).
INLINE_DEPTH_LIMIT = 16
# pandoc's memory grows with the square of the links (any `[`) in one paragraph: 3,000
# take 3.5 GB. A paragraph is cut into parts of at most this many (bench/pandoc_memory.py).
LINKS_PER_PART = 200
# Emphasis opened deeper than this many delimiters (`*a *b ...`, a run of 500 `*`) is text.
EMPHASIS_DEPTH_LIMIT = 24
_EMPHASIS_RUN = re.compile(r"\*+|_+")
_WHITESPACE = frozenset("\t\n\x0b\x0c\r \xa0\u1680\u202f\u205f\u3000") | \
    frozenset(chr(c) for c in range(0x2000, 0x200B))


@dataclass
class InlineContext:
    """What inline rewriting shares across one article."""
    reporter: Reporter                            # the article's: warnings at their source lines
    references: frozenset[str] = frozenset()     # normalized link reference labels
    notes: list[tuple[str, list[Line]]] = field(default_factory=list)   # inline footnotes
    referenced: set[str] = field(default_factory=set)   # labels of `[^label]` references

    def note_label(self) -> str:
        return f"zenn-inline-{len(self.notes) + 1}"


class Scanned(NamedTuple):
    lines: list[Line]
    url_only: dict[int, str]      # output line index -> the URL that is alone on that line
    parts: list[int] = []         # output line indices where a new paragraph starts (`_part`)


class _Out:
    def __init__(self, src: int) -> None:
        self.lines: list[list[str]] = [[]]
        self.srcs = [src]
        self.url_only: dict[int, str] = {}
        self.parts: list[int] = []

    def put(self, text: str) -> None:
        self.lines[-1].append(text)

    def newline(self, src: int) -> None:
        self.lines.append([])
        self.srcs.append(src)

    def result(self) -> list[Line]:
        return [Line("".join(parts), src) for parts, src in zip(self.lines, self.srcs)]


def rewrite_inline(text: str, srcs: list[int], context: InlineContext,
                   table_cell: bool = False, in_note: bool = False) -> Scanned:
    """Rewrite `text` (one block's inline content; `srcs[k]` is the source line of line k).
    `in_note`: the block is in a footnote, where pandoc cannot have another footnote."""
    scanner = _Scanner(text, srcs, context)
    scanner.in_note = in_note
    lines = scanner.run()
    if table_cell:
        lines = [Line(re.sub(r"(?<!\\)\|", r"\\|", line.text), line.source) for line in lines]
    return Scanned(lines, scanner.main.url_only, scanner.main.parts)


class _Scanner:
    def __init__(self, text: str, srcs: list[int], context: InlineContext) -> None:
        self.s, self.srcs, self.context = text, srcs, context
        self.main = self.out = _Out(srcs[0] if srcs else 0)
        self.line = 0                # input line index at the scan position
        self.tildes: list[list[_Tilde]] = []   # `~~` delimiters of each nested scan
        self.in_note = False
        self.warned_deep = False
        self.emphasis: list[_Opener] = []      # open emphasis delimiters, innermost last
        self.links = 0               # links, images and notes since the paragraph's last part

    def run(self) -> list[Line]:
        start = self._line_start(0, len(self.s))
        self._scan(start, len(self.s), False)
        return self.main.result()

    def _scan(self, pos: int, end: int, in_link: bool) -> None:
        if len(self.tildes) >= INLINE_DEPTH_LIMIT:
            self._flat(pos, end)
            return
        self.tildes.append([])
        while pos < end:
            match = _SPECIAL.search(self.s, pos, end)
            stop = match.start() if match else end
            if stop > pos:
                self._plain(pos, stop, end)
            if not match:
                break
            pos = self._special(stop, end, in_link)
            if self.links >= LINKS_PER_PART and self._at_top():
                pos = self._part(pos, end)
        _escape_unpaired(self.tildes.pop())

    def _at_top(self) -> bool:
        return self.out is self.main and len(self.tildes) == 1 and not self.emphasis

    def _part(self, pos: int, end: int) -> int:
        """A new paragraph here (see LINKS_PER_PART), at the next space outside any link."""
        space = re.compile(r"[ \t\n\u3000]|(?<=[。、）」])").search(self.s, pos, end)
        if space is None or _SPECIAL.search(self.s, pos, space.start()):
            return pos
        self.out.put(self.s[pos:space.start()])
        self.links = 0
        self.main.newline(self._src())
        self.main.parts.append(len(self.main.lines) - 1)
        return space.end() if space.group() != "\n" else self._newline(space.start(), end, False)

    # -- emphasis depth ------------------------------------------------------------------
    def _plain(self, pos: int, stop: int, end: int) -> None:
        """Plain text, as written, but for emphasis nested deeper than EMPHASIS_DEPTH_LIMIT."""
        last = pos
        for run in _EMPHASIS_RUN.finditer(self.s, pos, stop):
            self.out.put(self.s[last:run.start()])
            self.out.put(self._emphasis_run(run.start(), run.end(), end))
            last = run.end()
        self.out.put(self.s[last:stop])

    def _emphasis_run(self, start: int, stop: int, end: int) -> str:
        """Pairs runs as CommonMark does, roughly (a closer takes the nearest opener of its
        character); only counts depth: the runs themselves stay for pandoc to read."""
        char, count = self.s[start], stop - start
        left, right = _flanking(self.s, start, stop, end)
        if char == "_":         # intraword `_` neither opens nor closes
            before, after = self.s[start - 1] if start else " ", self.s[stop] if stop < end else " "
            left, right = left and (not right or _punct(before)), right and (not left or _punct(after))
        if right and any(o.char == char for o in self.emphasis):
            return self._close_emphasis(char, count)
        return self._open_emphasis(char, count) if left else self.s[start:stop]

    def _open_emphasis(self, char: str, count: int) -> str:
        room = EMPHASIS_DEPTH_LIMIT - sum(o.count for o in self.emphasis if not o.escaped)
        kept = max(min(count, room), 0)
        if kept:
            self.emphasis.append(_Opener(char, kept, False))
        if kept == count:
            return char * count
        top = self.emphasis[-1] if self.emphasis else None
        if top and top.escaped and top.char == char:      # one entry: the stack stays short
            top.count += count - kept
        else:
            self.emphasis.append(_Opener(char, count - kept, True))
        self._warn_deep(f"emphasis nested more than {EMPHASIS_DEPTH_LIMIT} deep: the inner "
                        "`*` and `_` are kept as text")
        return char * kept + escape_text(char) * (count - kept)

    def _close_emphasis(self, char: str, count: int) -> str:
        out = []
        while count and any(o.char == char for o in self.emphasis):
            index = max(k for k, o in enumerate(self.emphasis) if o.char == char)
            opener = self.emphasis[index]
            taken = min(count, opener.count)
            out.append((escape_text(char) if opener.escaped else char) * taken)
            count -= taken
            opener.count -= taken
            del self.emphasis[index + (1 if opener.count else 0):]
        return "".join(out) + char * count

    def _warn_deep(self, message: str) -> None:
        if not self.warned_deep:
            self.warned_deep = True
            self.context.reporter.warn(Code.INPUT_TOO_DEEP, message, self._src())

    def _flat(self, pos: int, end: int) -> None:
        """Text nested deeper than INLINE_DEPTH_LIMIT: escaped, so it stays words, not markup."""
        self._warn_deep(f"links, images or notes nested more than {INLINE_DEPTH_LIMIT} deep: "
                        "the inner ones are kept as text")
        for k, part in enumerate(self.s[pos:end].split("\n")):
            if k:
                self.line += 1
                self.out.newline(self._src())
            self.out.put(escape_text(part))

    def _special(self, pos: int, end: int, in_link: bool) -> int:
        self.links += self.s[pos] in "[!^"
        handler = {"\\": self._escape, "`": self._code, "$": self._dollar, "<": self._angle,
                   "!": self._bang, "[": self._bracket, "^": self._caret,
                   "{": self._brace, "~": self._tilde, "\n": self._newline,
                   }.get(self.s[pos], self._url)
        return handler(pos, end, in_link)

    # -- lines ---------------------------------------------------------------------------
    def _src(self) -> int:
        return self.srcs[min(self.line, len(self.srcs) - 1)] if self.srcs else 0

    def _newline(self, pos: int, end: int, in_link: bool) -> int:
        self.line += 1
        self.out.newline(self._src())
        pos += 1
        while pos < end and self.s[pos] in " \t":
            pos += 1
        return self._line_start(pos, end)

    def _line_start(self, pos: int, end: int) -> int:
        """A paragraph line that pandoc would read as a block of its own: escape it."""
        colons = _COLON_LINE.match(self.s, pos, end)
        if colons:
            self._warn_colons(pos, end)
            self.out.put("\\")
        elif self.s.startswith("|", pos) or _NOTE_DEFINITION.match(self.s, pos) \
                or _SETEXT_LINE.match(self.s, pos, end):
            self.out.put("\\")      # a table row, a note definition, a heading underline
        return pos

    def _warn_colons(self, pos: int, end: int) -> None:
        stop = self.s.find("\n", pos, end)
        line = self.s[pos:stop if stop >= 0 else end].rstrip()
        what = ("not a valid Zenn container" if _CONTAINER_LIKE.match(line)
                else "a ':::' line that closes nothing")
        self.context.reporter.warn(Code.ZENN_INVALID_CONTAINER,
                                   f"'{line}' is {what}; kept as text, as Zenn shows it", self._src())

    def _copy(self, pos: int, end: int, joined: bool = False) -> int:
        """Copy source text verbatim (code spans, destinations), keeping its line breaks;
        `joined`: on one line instead (a code span reads its line breaks as spaces anyway,
        and pandoc, unlike Zenn, would let an HTML block start on a following line)."""
        for k, part in enumerate(self.s[pos:end].split("\n")):
            if k:
                self.line += 1
                self.out.put(" ") if joined else self.out.newline(self._src())
            self.out.put(part)
        return end

    # -- simple characters ---------------------------------------------------------------
    def _escape(self, pos: int, end: int, in_link: bool) -> int:
        nxt = self.s[pos + 1] if pos + 1 < end else ""
        if nxt == "\n":
            self.out.put("\\")
            return self._newline(pos + 1, end, in_link)
        if nxt in _ASCII_PUNCT and nxt:
            self.out.put(self.s[pos:pos + 2])
            return pos + 2
        self.out.put("\\")
        return pos + 1

    def _brace(self, pos: int, end: int, in_link: bool) -> int:
        self.out.put("\\{")        # pandoc would read {...} after a span as attributes
        return pos + 1

    def _tilde(self, pos: int, end: int, in_link: bool) -> int:
        """markdown-it's `~~` strikethrough: flanking runs, paired later in `_scan`."""
        run = re.compile(r"~+").match(self.s, pos, end).group()
        stop = pos + len(run)
        if len(run) < 2:
            self.out.put(run)
            return stop
        opens, closes = _flanking(self.s, pos, stop, end)
        if len(run) % 2:
            self.out.put("~")
        for _ in range(len(run) // 2):
            self.out.put("~~")
            self.tildes[-1].append(_Tilde(self.out.lines[-1], len(self.out.lines[-1]) - 1, opens, closes))
        return stop

    def _code(self, pos: int, end: int, in_link: bool) -> int:
        run = re.compile(r"`+").match(self.s, pos, end).group()
        for closer in re.compile(r"`+").finditer(self.s, pos + len(run), end):
            if len(closer.group()) == len(run):
                return self._copy(pos, closer.end(), joined=True)
        self.out.put(run)
        return pos + len(run)

    def _url(self, pos: int, end: int, in_link: bool) -> int:
        url = None if in_link else urls.match_url(self.s, pos, end)
        if url is None:
            self.out.put(self.s[pos])
            return pos + 1
        if self.out is self.main and self._alone_on_line(pos, pos + len(url), end):
            self.main.url_only[len(self.main.lines) - 1] = url
        self.out.put(escape_text(url))
        return pos + len(url)

    def _alone_on_line(self, start: int, stop: int, end: int) -> bool:
        line_start = self.s.rfind("\n", 0, start) + 1
        line_end = self.s.find("\n", stop, end)
        after = self.s[stop:line_end if line_end >= 0 else end]
        return not self.s[line_start:start].strip() and not after.strip()

    # -- math ----------------------------------------------------------------------------
    def _dollar(self, pos: int, end: int, in_link: bool) -> int:
        found = _zenn_math(self.s, pos, end)
        if found is None:
            self.out.put("\\$")
            return pos + 1
        delimiter, tex, stop = found
        problem = math_problem(tex)
        if problem:
            self.context.reporter.warn(problem[0], f"math shown as code: {problem[1]}", self._src())
            self.out.put(_code_span(self.s[pos:stop]))
        else:
            self.out.put(delimiter + tex.replace("$", "\\$") + delimiter)
        return stop

    # -- HTML and autolinks --------------------------------------------------------------
    def _angle(self, pos: int, end: int, in_link: bool) -> int:
        comment = _COMMENT.match(self.s, pos, end)
        if comment:
            return comment.end()                 # Zenn drops one-line comments
        kept = _BR.match(self.s, pos, end) or _valid_autolink(self.s, pos, end)
        if kept:
            return self._copy(pos, kept.end())
        self.out.put("\\<")                       # HTML is text on Zenn (html: false)
        return pos + 1

    # -- images, links, footnotes --------------------------------------------------------
    def _bang(self, pos: int, end: int, in_link: bool) -> int:
        if self.s.startswith("![", pos):
            stop = self._image(pos, end)
            if stop is not None:
                return stop
        self.out.put("!")
        return pos + 1

    def _image(self, pos: int, end: int) -> int | None:
        label_end = _label_end(self.s, pos + 1, end)
        if label_end is None:
            return None
        tail = links.parse_tail(self.s, label_end + 1, end, sized=True)
        suffix = self._reference_suffix(pos + 1, label_end, end) if tail is None else None
        if tail is None and suffix is None:
            return None
        line = self._src()
        self.out.put("![")
        self._scan(pos + 2, label_end, True)
        self.out.put("]")
        if tail is None:
            self._copy(label_end + 1, suffix)
            self.out.put(attributes(data_line=line))
            return suffix
        self._put_tail(tail)
        self.out.put(attributes(width=tail.width or None, height=tail.height or None,
                                data_line=line))
        return tail.end

    def _put_tail(self, tail: links.Tail) -> None:
        self.out.put("(")
        self._copy_text(tail.dest)
        if tail.title:
            self.out.put(" ")
            self._copy_text(tail.title)
        self.out.put(")")

    def _copy_text(self, text: str) -> None:
        for k, part in enumerate(text.split("\n")):
            if k:
                self.line += 1
                self.out.newline(self._src())
            self.out.put(part)

    def _reference_suffix(self, start: int, label_end: int, end: int) -> int | None:
        """End of a reference link's `[ref]`/`[]` (or of the label itself), if it is defined."""
        pos = label_end + 1
        label = self.s[start + 1:label_end]
        if pos < end and self.s[pos] == "[":
            ref_end = _label_end(self.s, pos, end)
            if ref_end is not None:
                label = self.s[pos + 1:ref_end] or label
                pos = ref_end + 1
        known = normalizeReference(label) in self.context.references
        return pos if known and label.strip() else None

    def _bracket(self, pos: int, end: int, in_link: bool) -> int:
        label_end = _label_end(self.s, pos, end)
        if label_end is None:
            self.out.put("\\[")
            return pos + 1
        inner = self.s[pos + 1:label_end]
        if _FOOTNOTE_REF.fullmatch(inner) and not self.s.startswith("(", label_end + 1):
            return self._footnote_ref(pos, label_end)
        if pos == 0 and _TASK.match(self.s, pos):
            return self._copy(pos, label_end + 1)
        return self._link(pos, label_end, end, in_link)

    def _link(self, pos: int, label_end: int, end: int, in_link: bool) -> int:
        tail = links.parse_tail(self.s, label_end + 1, end, sized=False)
        suffix = None if tail else self._reference_suffix(pos, label_end, end)
        is_link = tail is not None or suffix is not None
        line = self._src()
        self.out.put("[" if is_link else "\\[")
        self._scan(pos + 1, label_end, in_link or is_link)
        self.out.put("]" if is_link else "\\]")
        if tail is not None:
            self._put_tail(tail)
            self.out.put(attributes(data_line=line))      # for the URL policy's warning
            return tail.end
        return self._copy(label_end + 1, suffix) if suffix is not None else label_end + 1

    def _note_in_note(self, pos: int, label_end: int, in_link: bool) -> int:
        """`^[...]` inside a footnote: its words stay, in parentheses, where it was."""
        self._warn_nested("^[...]")
        self.out.put("(")
        self._scan(pos + 2, label_end, in_link)
        self.out.put(")")
        return label_end + 1

    def _footnote_ref(self, pos: int, label_end: int) -> int:
        if not self.in_note:
            self.context.referenced.add(self.s[pos + 2:label_end])
            return self._copy(pos, label_end + 1)
        self._warn_nested(self.s[pos:label_end + 1])
        self.out.put(escape_text(self.s[pos:label_end + 1]))   # pandoc would loop or drop it
        return label_end + 1

    def _warn_nested(self, what: str) -> None:
        self.context.reporter.warn(Code.ZENN_NESTED_FOOTNOTE,
                                   f"footnote {what} inside a footnote is kept as text (a book's notes "
                                   "cannot hold notes)", self._src())

    def _caret(self, pos: int, end: int, in_link: bool) -> int:
        label_end = _label_end(self.s, pos + 1, end) if self.s.startswith("^[", pos) else None
        if label_end is None:
            self.out.put("^")
            return pos + 1
        if self.in_note:
            return self._note_in_note(pos, label_end, in_link)
        label = self.context.note_label()
        body, outer = _Out(self._src()), self.out
        self.out = body
        self.context.notes.append((label, []))
        self.in_note = True
        self._scan(pos + 2, label_end, in_link)
        self.in_note = False
        self.out = outer
        self.context.notes[-1] = (label, body.result())
        self.out.put(f"[^{label}]")
        return label_end + 1


@dataclass
class _Opener:
    char: str                 # `*` or `_`
    count: int                # delimiters of the run still open
    escaped: bool             # beyond EMPHASIS_DEPTH_LIMIT: written as text


@dataclass
class _Tilde:
    parts: list[str]          # the output line holding this `~~`
    index: int
    opens: bool
    closes: bool
    paired: bool = False


def _flanking(text: str, start: int, stop: int, end: int) -> tuple[bool, bool]:
    """(can open, can close) of a delimiter run, as markdown-it's scanDelims decides."""
    last = text[start - 1] if start > 0 else " "
    nxt = text[stop] if stop < end else " "
    last_space, next_space = last in _WHITESPACE, nxt in _WHITESPACE
    left = not next_space and (not _punct(nxt) or last_space or _punct(last))
    right = not last_space and (not _punct(last) or next_space or _punct(nxt))
    return left, right


def _punct(char: str) -> bool:
    return char in _ASCII_PUNCT or unicodedata.category(char)[0] in "PS"


def _escape_unpaired(tildes: list[_Tilde]) -> None:
    """Pair closers with the nearest open opener; a `~~` Zenn leaves unpaired stays text."""
    for k, closer in enumerate(tildes):
        if not closer.closes:
            continue
        opener = next((o for o in reversed(tildes[:k]) if o.opens and not o.paired), None)
        if opener is not None:
            opener.paired = closer.paired = True
            closer.opens = False
    for tilde in tildes:
        if not tilde.paired:
            tilde.parts[tilde.index] = "\\~\\~"


def _zenn_math(text: str, pos: int, end: int) -> tuple[str, str, int] | None:
    """md-katex's inline rules at `pos`: ('$' or '$$', TeX, end) or None."""
    if pos > 0 and (text[pos - 1] == "\\" or text[pos - 1].isdigit() and text[pos - 1].isascii()):
        return None
    for delimiter, rex in (("$$", _MATH_DOUBLE), ("$", _MATH_SINGLE)):
        if not text.startswith(delimiter, pos):
            continue
        match = rex.match(text, pos, end)
        after = text[match.end():match.end() + 1] if match else ""
        if match and not (after.isdigit() and after.isascii()):
            return delimiter, match.group(1), match.end()
    return None


def _label_end(text: str, pos: int, end: int) -> int | None:
    """Index of the ']' matching the '[' at `pos` (markdown-it's parseLinkLabel, simplified:
    escapes and code spans are skipped, nested brackets balance)."""
    level, pos = 1, pos + 1
    while pos < end:
        char = text[pos]
        if char == "\\":
            pos += 2
            continue
        if char == "`":
            pos = _code_span_end(text, pos, end)
            continue
        level += {"[": 1, "]": -1}.get(char, 0)
        if level == 0:
            return pos
        pos += 1
    return None


def _code_span_end(text: str, pos: int, end: int) -> int:
    run = re.compile(r"`+").match(text, pos, end).group()
    for closer in re.compile(r"`+").finditer(text, pos + len(run), end):
        if len(closer.group()) == len(run):
            return closer.end()
    return pos + len(run)


def _valid_autolink(text: str, pos: int, end: int) -> re.Match | None:
    link = _AUTOLINK.match(text, pos, end)
    if link and links.valid_link(link.group(1)):
        return link
    return _EMAIL.match(text, pos, end)


def _code_span(text: str) -> str:
    runs = re.findall(r"`+", text)
    fence = "`" * (1 + max((len(r) for r in runs), default=0))
    return f"{fence} {text} {fence}"
