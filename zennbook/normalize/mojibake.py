"""Mojibake: UTF-8 that was decoded with a Windows code page or Latin-1, perhaps losing bytes.

Detection comes first and decides how much to touch:

- the whole file, when it reads as mojibake throughout (seed 001): plenty of sequences that
  only mojibake explains, few that it cannot, and fewer clean Japanese characters than
  damaged ones. Code is repaired too, since the damage happened to the bytes.
- otherwise single lines that ftfy's own detector calls bad, outside code (an article that
  quotes mojibake in a code span keeps its example).

A repaired line is re-encoded with the code page that explains the file best (cp1250-1258,
Latin-1, or their "sloppy" forms that keep undefined bytes as C1 controls) and decoded as
UTF-8, with lossy-byte recovery (lossy.py) for the bytes the code page dropped. ftfy
(configured to leave Japanese quotes and full-width forms alone) is the detector of bad
lines, and the repair of single lines our decoder leaves bad (MacRoman, cp437, ...).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import ftfy
import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-125x codecs)
from ftfy.badness import is_bad

from ..diagnostics import Code
from .japanese import JapaneseModel
from .lines import Line, Report, retext
from .lossy import Gap, Orphan, Piece, choose, utf8_pieces
from .markdown import outside_code_spans, verbatim_lines

WINDOWS = ("1252", "1254", "1250", "1251", "1253", "1255", "1256", "1257", "1258")
# Strict code pages drop the bytes they do not define; ftfy's "sloppy" ones keep them as
# C1 controls (what Windows itself does), which is mojibake without loss.
CODE_PAGES = (*(f"cp{page}" for page in WINDOWS), "latin-1",
              *(f"sloppy-windows-{page}" for page in WINDOWS))
SOFT_HYPHEN = 0xAD                 # often stripped after the damage as an "invisible" character
MAX_ROUNDS = 3                     # text encoded twice needs two rounds; a third finds nothing
SAMPLE_RUNS = 4000                 # enough runs to tell the code page; keeps big files fast
FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False, remove_terminal_escapes=False, fix_encoding=True,
    restore_byte_a0=False, replace_lossy_sequences=False, decode_inconsistent_utf8=True,
    fix_c1_controls=True, fix_latin_ligatures=False, fix_character_width=False,
    uncurl_quotes=False, fix_line_breaks=False, fix_surrogates=True,
    remove_control_chars=False, normalization=None, explain=False)


def _high_characters(code_page: str) -> str:
    chars = []
    for byte in range(0x80, 0x100):
        try:
            chars.append(bytes([byte]).decode(code_page))
        except UnicodeDecodeError:
            pass
    return "".join(chars)


def dropped_bytes(code_page: str) -> bytes:
    """Continuation bytes a code page drops (undefined there), plus the soft hyphen."""
    undefined = [byte for byte in range(0x80, 0xC0) if not _defines(code_page, byte)]
    return bytes(sorted(set(undefined) | {SOFT_HYPHEN}))


def _defines(code_page: str, byte: int) -> bool:
    try:
        bytes([byte]).decode(code_page)
        return True
    except UnicodeDecodeError:
        return False


DROPPED = {page: dropped_bytes(page) for page in CODE_PAGES}
SUSPECTS = "".join(sorted(set("".join(_high_characters(page) for page in CODE_PAGES))))
SUSPECT_RUN = re.compile("[" + re.escape(SUSPECTS) + "]+")
CLEAN_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]")


@dataclass
class Evidence:
    code_page: str
    strong: int = 0      # sequences only mojibake explains
    bad: int = 0         # bytes no repair explains, runs the code page cannot encode


@dataclass(frozen=True)
class Plan:
    code_page: str
    lost: bytes
    whole_file: bool


def repair_mojibake(lines: list[Line], report: Report) -> list[Line]:
    """Lines with mojibake repaired, one diagnostic per repaired line."""
    model = None
    for _ in range(MAX_ROUNDS):
        plan = plan_repair([line.text for line in lines])
        if plan is None:
            break
        model = model or JapaneseModel()
        repaired = _repair_lines(lines, plan, model, report)
        if repaired == lines:
            break
        lines = repaired
    return lines


def joins_mojibake(before: list[Line], after: list[Line]) -> bool:
    """Whether a rewrite of some lines brought mojibake characters together."""
    return any(old.text != new.text
               and SUSPECT_RUN.findall(old.text) != SUSPECT_RUN.findall(new.text)
               for old, new in zip(before, after))


def plan_repair(texts: list[str]) -> Plan | None:
    """Which code page did the damage, with which bytes lost, and how widely to repair.

    Only runs of two or more characters are weighed: a single character ("—", "é") is
    never a whole UTF-8 sequence with a surviving continuation byte, so it cannot be
    evidence of mojibake, and clean text is full of them.
    """
    runs = [run for run in SUSPECT_RUN.findall("\n".join(texts)) if len(run) > 1]
    bad_lines = [text for text in texts if SUSPECT_RUN.search(text) and is_bad(text)]
    if not runs and not bad_lines:
        return None
    sample = (runs or SUSPECT_RUN.findall("\n".join(bad_lines)))[:SAMPLE_RUNS]
    best, lost = _weigh_code_pages(sample)
    whole_file = best.strong >= 3 and best.strong >= 4 * best.bad \
        and sum(len(CLEAN_JAPANESE.findall(text)) for text in texts) < best.strong
    if not whole_file and not bad_lines:
        return None
    return Plan(best.code_page, lost, whole_file)


def _weigh_code_pages(runs: list[str]) -> tuple[Evidence, bytes]:
    """The code page that explains the runs best, and the bytes lost by any as good."""
    weighed = [_weigh(page, runs) for page in CODE_PAGES]
    best = max(weighed, key=lambda evidence: evidence.strong - 2 * evidence.bad)
    tied = [evidence.code_page for evidence in weighed
            if (evidence.strong, evidence.bad) == (best.strong, best.bad)]
    lost = bytes(sorted(set().union(*(DROPPED[page] for page in tied))))
    return best, lost


def _weigh(code_page: str, runs: list[str]) -> Evidence:
    evidence = Evidence(code_page)
    lost = DROPPED[code_page]
    for run in runs:
        try:
            data = run.encode(code_page)
        except UnicodeEncodeError:
            evidence.bad += 1
            continue
        for piece in utf8_pieces(data, lost):
            if isinstance(piece, Orphan):
                evidence.bad += len(piece.data)
            elif isinstance(piece, Gap):
                evidence.strong += piece.present > 0      # a lone lead byte proves little
            elif ord(piece) > 0x7FF:
                evidence.strong += 1
    return evidence


def _repair_lines(lines: list[Line], plan: Plan, model: JapaneseModel,
                  report: Report) -> list[Line]:
    texts = [line.text for line in lines]
    verbatim = [False] * len(texts) if plan.whole_file else verbatim_lines(texts)
    repaired = []
    for line, in_code in zip(lines, verbatim):
        if in_code or not SUSPECT_RUN.search(line.text):
            repaired.append(line.text)
            continue
        repaired.append(_repair_line(line, plan, model, report))
    return retext(lines, repaired)


def _repair_line(line: Line, plan: Plan, model: JapaneseModel, report: Report) -> str:
    if plan.whole_file:
        return _repair_text(line.text, plan, model, line.source, report)
    pieces, position = [], 0
    for start, end in outside_code_spans(line.text):
        pieces.append(line.text[position:start])
        part = line.text[start:end]
        pieces.append(_repair_text(part, plan, model, line.source, report)
                      if is_bad(part) else part)
        position = end
    pieces.append(line.text[position:])
    return "".join(pieces)


def _repair_text(text: str, plan: Plan, model: JapaneseModel, source: int,
                 report: Report) -> str:
    pieces, restored, unexplained = _line_pieces(text, plan)
    gaps = [piece for piece in pieces if isinstance(piece, Gap)]
    chosen = iter(choose(pieces, model) if gaps else [])
    result = "".join(next(chosen) if isinstance(piece, Gap) else piece for piece in pieces)
    if not plan.whole_file and is_bad(result):
        result, restored, unexplained = _ftfy_instead(text, result, restored, unexplained)
    if result != text:
        lost = f", {restored} lost bytes restored" if restored else ""
        report.warning(Code.NORMALIZE_MOJIBAKE,
                       f"repaired mojibake ({plan.code_page}{lost})", source)
    if unexplained:
        report.warning(Code.NORMALIZE_LOST_BYTES,
                       f"{unexplained} damaged bytes could not be restored; kept as they were",
                       source)
    return result


def _ftfy_instead(text: str, ours: str, restored: int, unexplained: int):
    """ftfy's repair when ours leaves a single bad line bad and ftfy's does not (MacRoman,
    cp437, several layers at once).

    ftfy goes second because on lines with lost bytes its partial fixes can go wrong
    (it may read "の" + space as U+3BA0 by taking the space for a lost 0xA0). In a file
    damaged throughout it is not used: the next round repairs a second layer everywhere.
    """
    theirs = ftfy.fix_text(text, FTFY_CONFIG)
    if is_bad(theirs):
        return ours, restored, unexplained
    return theirs, 0, 0


def _line_pieces(text: str, plan: Plan) -> tuple[list[str | Gap], int, int]:
    """Text and gaps for a whole line; runs the code page cannot encode stay as they are.

    On a single bad line (not a whole damaged file) a run is only decoded when it yields a
    character beyond U+07FF or a gap with a surviving continuation byte: a run that decodes
    to Latin, Greek, Hebrew... ("×²" would become "ײ"), or that is only lone lead bytes
    ("üÝ"), is more likely correct text, and is left to ftfy's judgement.
    """
    pieces: list[str | Gap] = []
    restored = unexplained = position = 0
    for match in SUSPECT_RUN.finditer(text):
        pieces.append(text[position:match.start()])
        position = match.end()
        decoded = _decode_run(match.group(), plan)
        if decoded is None:
            pieces.append(match.group())
            continue
        for piece in decoded:
            if isinstance(piece, Orphan):
                unexplained += len(piece.data)
                pieces.append(piece.data.decode(plan.code_page))
            else:
                restored += piece.missing if isinstance(piece, Gap) else 0
                pieces.append(piece)
    pieces.append(text[position:])
    return pieces, restored, unexplained


def _decode_run(run: str, plan: Plan) -> list[Piece] | None:
    try:
        data = run.encode(plan.code_page)
    except UnicodeEncodeError:
        return None
    decoded = utf8_pieces(data, plan.lost)
    return decoded if plan.whole_file or any(map(_proves_mojibake, decoded)) else None


def _proves_mojibake(piece: Piece) -> bool:
    if isinstance(piece, Gap):
        return piece.present > 0
    return isinstance(piece, str) and ord(piece) > 0x7FF
