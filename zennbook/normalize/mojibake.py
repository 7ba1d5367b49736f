"""Mojibake: UTF-8 decoded with a Windows code page or Latin-1, perhaps losing bytes, perhaps
more than once. Damage is undone one layer per round; every round has three steps.

1. Which code page did the damage (`plan_repair`). Every run of characters that code pages
   make of high bytes is encoded back with each candidate (cp1250-1258, Latin-1, and ftfy's
   "sloppy" forms that keep undefined bytes as C1 controls) and decoded as UTF-8; the code
   page that explains most runs with fewest unexplained bytes wins. A U+FFFD inside a run
   stands for one byte the code page does not define (the damage was decoded with
   errors='replace'); bytes it dropped (errors='ignore') show as lead bytes short of
   continuation bytes. Either way lossy.py lists what the character may have been, and the
   Japanese model chooses over the whole line.

2. Evidence decides what is repaired. Being decodable is not evidence: ``Å²`` (a unit) is
   also what the bytes of ``Ų`` look like in cp1252. Each run's repair is weighed by the
   log-likelihood ratio of the repaired text against the damaged text under one model of
   correct text (plausibility.py). A run *proves* damage when it gains enough nats for
   each character it repairs from two or more bytes, or when it holds C1 controls or
   U+FFFD, which correct text does not show. A repair that still reads as mojibake (the
   outer layer of two) is weighed by what it becomes one layer down.
   - A line is repaired when its proving runs (LINE_SEQUENCE_EVIDENCE nats a character:
     every character must convince on its own) repair at least two characters whose bytes
     are all there (not one of them guessed: ``ē”`` is ``生`` in cp1257 if one byte was
     lost) and gain LINE_EVIDENCE nats together, or one of them holds C1 controls or U+FFFD.
     One isolated pair is never enough (``Ã©`` in a sentence about mojibake is the author's
     text too).
   - The whole file is repaired, code included since the damage happened to its bytes, when
     it reads as mojibake throughout: the code page explains plenty of runs and few bytes
     stay unexplained, the proving characters (SEQUENCE_EVIDENCE nats a character: here
     thousands decide together) are at least WHOLE_FILE_PROOF, four times as many as the
     decodable characters that prove nothing, and more than the clean Japanese characters
     of the file; and their runs cover twice as many characters as the file's other
     non-ASCII ones (in damaged files, ten times to thousands of times; in correct text
     rich in accented letters, a few coincidences among many).
   In a repaired line, a run is replaced only when its own evidence is positive, so ``×²``
   stays ``×²`` even in a damaged line. In a file damaged throughout, every run is damaged
   unless it weighs SEQUENCE_EVIDENCE nats against its repair (``Ê»`` becomes ``ʻ``, the
   okina, though ``Ê»`` reads like a letter and a quote). Outside a file damaged throughout,
   code blocks and code spans are never touched (an article may quote mojibake there).

3. A line no code page explains but ftfy's detector calls bad (MacRoman, cp437, ...) gets
   ftfy's repair, under the same rule of evidence.

The next round looks at the repaired text. A text damaged twice still reads as mojibake
after the first round (``Ã£Â\ufffd`` becomes ``ã\ufffd``), and the second round undoes the
inner layer, with its own code page.
"""
from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass

import ftfy
import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-125x codecs)
from ftfy.badness import is_bad

from ..diagnostics import Code
from .lines import Line, Reporter, retext
from .lossy import Gap, Options, Orphan, Piece, choose, utf8_pieces
from .markdown import outside_code_spans, verbatim_lines
from .plausibility import evidence, japanese_model, score

WINDOWS = ("1252", "1254", "1250", "1251", "1253", "1255", "1256", "1257", "1258")
# Strict code pages drop (or replace with U+FFFD) the bytes they do not define; ftfy's
# "sloppy" ones keep them as C1 controls (what Windows itself does).
CODE_PAGES = (*(f"cp{page}" for page in WINDOWS), "latin-1",
              *(f"sloppy-windows-{page}" for page in WINDOWS))
SOFT_HYPHEN = 0xAD                 # often stripped after the damage as an "invisible" character
REPLACEMENT = "\ufffd"
MAX_ROUNDS = 4                     # two layers of damage need two rounds; one more finds nothing
SAMPLE_RUNS = 4000                 # enough runs to tell the code page; keeps big files fast
SEQUENCE_EVIDENCE = 8.0            # nats per repaired character, to count in a file's tally
LINE_SEQUENCE_EVIDENCE = 12.0      # nats per repaired character, to prove a line by itself
LINE_EVIDENCE = 16.0               # nats a line's proving runs must gain together
WHOLE_FILE_PROOF = 3               # proving characters for a file damaged throughout
C1_OR_REPLACEMENT = re.compile("[\x80-\x9f\ufffd]")
FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False, remove_terminal_escapes=False, fix_encoding=True,
    restore_byte_a0=False, replace_lossy_sequences=False, decode_inconsistent_utf8=True,
    fix_c1_controls=True, fix_latin_ligatures=False, fix_character_width=False,
    uncurl_quotes=False, fix_line_breaks=False, fix_surrogates=True,
    remove_control_chars=False, normalization=None, explain=False)


def _defines(code_page: str, byte: int) -> bool:
    try:
        bytes([byte]).decode(code_page)
        return True
    except UnicodeDecodeError:
        return False


def undefined_bytes(code_page: str) -> bytes:
    """The continuation bytes a code page does not define: what a U+FFFD from it stands for.

    Only continuation bytes: a U+FFFD taken for a lead byte could be read as anything (two
    U+FFFD from invalid UTF-8 would become a Cyrillic letter), and a lost lead byte leaves
    its continuation bytes unexplained anyway.
    """
    return bytes(byte for byte in range(0x80, 0xC0) if not _defines(code_page, byte))


def dropped_bytes(code_page: str) -> bytes:
    """Continuation bytes a code page drops (undefined there), plus the soft hyphen."""
    return bytes(sorted(set(undefined_bytes(code_page)) | {SOFT_HYPHEN}))


def _high_characters(code_page: str) -> str:
    return "".join(bytes([byte]).decode(code_page) for byte in range(0x80, 0x100)
                   if _defines(code_page, byte))


DROPPED = {page: dropped_bytes(page) for page in CODE_PAGES}
UNDEFINED = {page: undefined_bytes(page) for page in CODE_PAGES}
SUSPECTS = "".join(sorted(set("".join(_high_characters(page) for page in CODE_PAGES))
                          | {REPLACEMENT}))
STAND_INS = "\U00100000-\U0010fffd"     # plane 16, private use: see Undecided
STAND_IN_FIRST = 0x100000
SUSPECT_RUN = re.compile("[" + re.escape(SUSPECTS) + STAND_INS + "]+")
STAND_IN = re.compile("[" + STAND_INS + "]")
CLEAN_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]")


@dataclass
class Weight:
    code_page: str
    strong: int = 0      # sequences only mojibake explains
    bad: int = 0         # bytes no repair explains, runs the code page cannot encode
    decoded: int = 0     # characters decoded from two bytes or more, or with bytes lost


@dataclass(frozen=True)
class Plan:
    code_page: str
    lost: bytes          # bytes the damage may have dropped
    unknown: bytes       # bytes a U+FFFD may stand for
    reads_damaged: bool  # the code page explains the file's runs throughout
    undecided: Undecided | None = None


@dataclass(frozen=True)
class RunRepair:
    """One run of a line and what it becomes."""
    start: int
    end: int
    text: str
    evidence: float      # nats gained by the repair (plausibility.evidence)
    characters: int      # characters repaired from two or more damaged ones
    certain: bool        # the damaged run holds C1 controls or U+FFFD
    complete: int = 0    # of those, characters none of whose bytes is a guess
    restored: int = 0    # dropped bytes put back
    unexplained: int = 0  # damaged positions no repair explains, kept as they were
    by_ftfy: bool = False

    def proves(self, bar: float = SEQUENCE_EVIDENCE) -> bool:
        """Whether the run is evidence of damage: `bar` nats or more per character."""
        if not self.characters:
            return False
        return self.certain or self.evidence >= bar * self.characters


class Undecided:
    """Characters one round could not decide, kept open for the next round.

    Undoing the outer layer of a text damaged twice can leave a character known only as a
    set (``Â\ufffd`` is one of U+0081, U+008D, U+008F, U+0090, U+009D), and only the inner
    layer tells which (with the next characters it makes ``不``, not ``丁``). Such a set is
    written as a stand-in, a private-use character of plane 16 that no input uses; the next
    round encodes it as the bytes of all its candidates. Stand-ins left at the end are
    decided by the Japanese model.
    """

    def __init__(self, texts: list[str]):
        self.taken = set(STAND_IN.findall("\n".join(texts)))
        self.sets: dict[str, tuple[str, ...]] = {}
        self.stand_ins: dict[tuple[str, ...], str] = {}
        self.next_code = 0x10FFFD

    def stand_in(self, candidates: tuple[str, ...]) -> str | None:
        """The stand-in for a set of candidates; None once plane 16 is used up."""
        if candidates not in self.stand_ins:
            while self.next_code >= STAND_IN_FIRST and chr(self.next_code) in self.taken:
                self.next_code -= 1
            if self.next_code < STAND_IN_FIRST:
                return None
            char = chr(self.next_code)
            self.next_code -= 1
            self.stand_ins[candidates], self.sets[char] = char, candidates
        return self.stand_ins[candidates]

    def candidates(self, char: str) -> tuple[str, ...] | None:
        return self.sets.get(char)

    def decide(self, lines: list[Line]) -> list[Line]:
        if not self.sets:
            return lines
        return retext(lines, [self._decide(line.text) for line in lines])

    def _decide(self, text: str) -> str:
        if not any(char in self.sets for char in STAND_IN.findall(text)):
            return text
        pieces = [Gap(self.sets[char], 1, 0) if char in self.sets else char for char in text]
        chosen = iter(choose(pieces, japanese_model()))
        return "".join(next(chosen) if isinstance(piece, Gap) else piece for piece in pieces)


def repair_mojibake(lines: list[Line], report: Reporter) -> list[Line]:
    """Lines with mojibake repaired, layer by layer, one diagnostic per repaired line."""
    undecided = Undecided([line.text for line in lines])
    for _ in range(MAX_ROUNDS):
        plan = plan_repair([line.text for line in lines], undecided)
        if plan is None:
            break
        repaired = _repair_round(lines, plan, report)
        if repaired == lines:
            break
        lines = repaired
    return undecided.decide(lines)


def joins_mojibake(before: list[Line], after: list[Line]) -> bool:
    """Whether a rewrite of some lines brought mojibake characters together."""
    return any(old.text != new.text
               and SUSPECT_RUN.findall(old.text) != SUSPECT_RUN.findall(new.text)
               for old, new in zip(before, after))


def plan_repair(texts: list[str], undecided: Undecided | None = None) -> Plan | None:
    """Which code page did the damage, with which bytes lost; None when nothing looks damaged.

    Only runs of two or more characters are weighed: a single character ("—", "é") is
    never a whole UTF-8 sequence with a surviving continuation byte, so it cannot be
    evidence of mojibake, and clean text is full of them.
    """
    runs = [run for run in SUSPECT_RUN.findall("\n".join(texts)) if len(run) > 1]
    bad_lines = [text for text in texts if SUSPECT_RUN.search(text) and is_bad(text)]
    if not runs and not bad_lines:
        return None
    sample = (runs or SUSPECT_RUN.findall("\n".join(bad_lines)))[:SAMPLE_RUNS]
    best, lost, unknown = _weigh_code_pages(sample, undecided)
    if not best.decoded and not bad_lines:
        return None                     # "……", "——": runs that decode to nothing
    reads_damaged = best.decoded >= WHOLE_FILE_PROOF and best.decoded >= 4 * best.bad \
        and sum(len(CLEAN_JAPANESE.findall(text)) for text in texts) < best.decoded
    return Plan(best.code_page, lost, unknown, reads_damaged, undecided)


def _weigh_code_pages(runs: list[str], undecided: Undecided | None
                      ) -> tuple[Weight, bytes, bytes]:
    """The code page that explains the runs best, and the bytes lost or unknown by any as
    good."""
    weighed = [_weigh(page, runs, undecided) for page in CODE_PAGES]
    best = max(weighed, key=lambda weight: weight.strong - 2 * weight.bad)
    tied = [weight.code_page for weight in weighed
            if (weight.strong, weight.bad) == (best.strong, best.bad)]
    lost = bytes(sorted(set().union(*(DROPPED[page] for page in tied))))
    unknown = bytes(sorted(set().union(*(UNDEFINED[page] for page in tied))))
    return best, lost, unknown


def _weigh(code_page: str, runs: list[str], undecided: Undecided | None) -> Weight:
    weight = Weight(code_page)
    lost, unknown = DROPPED[code_page], UNDEFINED[code_page]
    for run in runs:
        options = run_options(run, code_page, unknown, undecided)
        if options is None:
            weight.bad += 1
            continue
        for piece, width in utf8_pieces(options, lost):
            if isinstance(piece, Orphan):
                weight.bad += width
            elif isinstance(piece, Gap):
                weight.strong += piece.present > 0      # a lone lead byte proves little
                weight.decoded += piece.present > 0
            else:
                weight.strong += ord(piece) > 0x7FF
                weight.decoded += width > 1
    return weight


_ENCODED: dict[tuple[str, str, bytes], Options | None] = {}


def run_options(run: str, code_page: str, unknown: bytes,
                undecided: Undecided | None = None) -> bytes | list[Options] | None:
    """The bytes of a run, or the byte values each of its characters may have stood for
    (U+FFFD, stand-ins); None if one cannot be encoded."""
    if REPLACEMENT not in run and not STAND_IN.search(run):
        try:
            return run.encode(code_page)
        except UnicodeEncodeError:
            return None
    options = []
    for char in run:
        if STAND_IN.match(char):
            found = _stand_in_options(char, code_page, unknown, undecided)
            if found is None:
                return None
            options.append(found)
            continue
        key = (char, code_page, unknown)
        if key not in _ENCODED:
            _ENCODED[key] = _char_options(char, code_page, unknown)
        found = _ENCODED[key]
        if found is None:
            return None
        options.append(found)
    return options


def _stand_in_options(char: str, code_page: str, unknown: bytes,
                      undecided: Undecided | None) -> Options | None:
    candidates = undecided.candidates(char) if undecided else None
    if candidates is None:
        return None
    found = {byte for candidate in candidates
             for byte in (_char_options(candidate, code_page, unknown) or ())}
    return tuple(sorted(found)) or None


def _char_options(char: str, code_page: str, unknown: bytes) -> Options | None:
    if char == REPLACEMENT:
        return tuple(unknown) or None
    try:
        return tuple(char.encode(code_page))
    except UnicodeEncodeError:
        return None


# --- one round ------------------------------------------------------------------------------

def _repair_round(lines: list[Line], plan: Plan, report: Reporter) -> list[Line]:
    texts = [line.text for line in lines]
    whole = {index: _decode_line(text, [(0, len(text))], plan)
             for index, text in enumerate(texts) if SUSPECT_RUN.search(text)}
    if _damaged_throughout(whole.values(), texts, plan):
        chosen = {index: [run for run in (runs if runs is not None else _decode_line(
            texts[index], [(0, len(texts[index]))], plan, force=True))
            if run.evidence > -SEQUENCE_EVIDENCE]
            for index, runs in whole.items()}
    else:
        chosen = _damaged_lines(texts, whole, plan)
    repaired = list(texts)
    for index, runs in chosen.items():
        if runs:
            repaired[index] = _apply(texts[index], runs)
            _report(runs, plan.code_page, lines[index].source, report)
    return retext(lines, repaired)


def _damaged_throughout(decoded, texts: list[str], plan: Plan) -> bool:
    if not plan.reads_damaged:
        return False
    proving = idle = covered = 0
    for runs in decoded:
        for run in runs or ():
            if run.proves():
                proving += run.characters
                covered += run.end - run.start
            else:
                idle += run.characters
    beyond = sum(not char.isascii() for text in texts for char in text) - covered
    return proving >= WHOLE_FILE_PROOF and proving >= 4 * idle and covered >= 2 * beyond


def _damaged_lines(texts: list[str], whole: dict[int, list[RunRepair] | None],
                   plan: Plan) -> dict[int, list[RunRepair]]:
    """Outside code: the runs to repair in each line whose own evidence proves damage."""
    verbatim = verbatim_lines(texts)
    chosen = {}
    for index, runs in whole.items():
        if verbatim[index]:
            continue
        text = texts[index]
        if "`" in text and runs:
            runs = _decode_line(text, outside_code_spans(text), plan)
        runs = runs or []
        if not _proven(runs):
            runs = _ftfy_runs(text)
        if _proven(runs):
            chosen[index] = [run for run in runs if run.evidence > 0]
    return chosen


def _proven(runs: list[RunRepair]) -> bool:
    proving = [run for run in runs if run.proves(LINE_SEQUENCE_EVIDENCE)]
    if any(run.certain for run in proving):
        return True
    return sum(run.complete for run in proving) >= 2 \
        and sum(run.evidence for run in proving) >= LINE_EVIDENCE


def _apply(text: str, runs: list[RunRepair]) -> str:
    pieces, position = [], 0
    for run in runs:
        pieces += [text[position:run.start], run.text]
        position = run.end
    pieces.append(text[position:])
    return "".join(pieces)


def _report(runs: list[RunRepair], code_page: str, source: int, report: Reporter) -> None:
    restored = sum(run.restored for run in runs)
    unexplained = sum(run.unexplained for run in runs)
    how = "another encoding, by ftfy" if runs[0].by_ftfy else code_page
    lost = f", {restored} lost bytes restored" if restored else ""
    report.warn(Code.NORMALIZE_MOJIBAKE, f"repaired mojibake ({how}{lost})", source)
    if unexplained:
        report.warn(Code.NORMALIZE_LOST_BYTES,
                    f"{unexplained} damaged bytes could not be restored; kept as they were",
                    source)


# --- decoding a line ------------------------------------------------------------------------

@dataclass
class _Run:
    start: int
    end: int
    first: int           # index of its first piece
    last: int            # index after its last piece
    certain: bool
    characters: int = 0
    complete: int = 0
    restored: int = 0
    unexplained: int = 0


def _decode_line(text: str, spans: list[tuple[int, int]], plan: Plan,
                 force: bool = False) -> list[RunRepair] | None:
    """Every decodable run inside `spans`, with what it becomes and the evidence for it.

    Unless forced, a line none of whose runs could prove damage is left undecoded (None):
    its only repairs would be lone lead bytes, and choosing those costs the Japanese model.
    """
    pieces: list[str | Gap] = []
    runs: list[_Run] = []
    position = 0
    for start, end in spans:
        for match in SUSPECT_RUN.finditer(text, start, end):
            decoded = _decode_run(match.group(), plan)
            if decoded is None:
                continue
            pieces.append(text[position:match.start()])
            runs.append(_add_run(match, decoded, pieces))
            position = match.end()
    if not force and not any(run.characters or run.certain for run in runs):
        return None
    pieces.append(text[position:])
    scored, applied = _resolve_gaps(pieces, plan.undecided)
    return [repair for run in runs if (repair := _run_repair(text, run, scored, applied))]


def _decode_run(run: str, plan: Plan) -> list[tuple[Piece, int]] | None:
    options = run_options(run, plan.code_page, plan.unknown, plan.undecided)
    if options is None:
        return None
    decoded = utf8_pieces(options, plan.lost)
    return decoded if any(not isinstance(piece, Orphan) for piece, _ in decoded) else None


def _add_run(match: re.Match, decoded: list[tuple[Piece, int]], pieces: list) -> _Run:
    run = _Run(match.start(), match.end(), len(pieces), 0,
               bool(C1_OR_REPLACEMENT.search(match.group())))
    offset = 0
    for piece, width in decoded:
        if isinstance(piece, Orphan):
            run.unexplained += width
            pieces.append(match.group()[offset:offset + width])
        else:
            if isinstance(piece, Gap):
                run.restored += piece.missing
                run.characters += piece.present > 0 or width > 1
            else:
                run.characters += width > 1
                run.complete += width > 1
            pieces.append(piece)
        offset += width
    run.last = len(pieces)
    return run


def _resolve_gaps(pieces: list[str | Gap], undecided: Undecided | None
                  ) -> tuple[list[str], list[str]]:
    """The Japanese model's choice for every gap (to weigh the repair), and the text to
    write: the same, except a stand-in where the choice is between characters that only
    the next layer can decide."""
    if not any(isinstance(piece, Gap) for piece in pieces):
        return pieces, pieces  # type: ignore[return-value]
    chosen = iter(choose(pieces, japanese_model()))
    scored, applied = [], []
    for piece in pieces:
        if not isinstance(piece, Gap):
            scored.append(piece)
            applied.append(piece)
            continue
        char = next(chosen)
        scored.append(char)
        stand_in = undecided.stand_in(piece.candidates) \
            if undecided and _undecidable(piece) else None
        applied.append(stand_in or char)
    return scored, applied


def _undecidable(gap: Gap) -> bool:
    """Whether a layer below may decide between the candidates: one of them at least is
    what a code page makes of one byte. If no layer does, the end decides as now."""
    return len(gap.candidates) > 1 and any(candidate in SUSPECTS for candidate in gap.candidates)


def _run_repair(text: str, run: _Run, scored: list[str], applied: list[str]
                ) -> RunRepair | None:
    damaged = text[run.start:run.end]
    repaired = "".join(applied[run.first:run.last])
    if repaired == damaged:
        return None
    before, after = text[:run.start], text[run.end:]
    chosen = "".join(scored[run.first:run.last])
    gain = evidence(before, damaged, chosen, after)
    if gain < LINE_SEQUENCE_EVIDENCE * run.characters and (deeper := _one_layer_down(chosen)):
        gain = max(gain, evidence(before, damaged, deeper, after))
    return RunRepair(run.start, run.end, repaired, gain, run.characters, run.certain,
                     run.complete, run.restored, run.unexplained)


@functools.lru_cache(maxsize=16384)
def _one_layer_down(text: str) -> str | None:
    """A repair that still reads as mojibake is weighed by what it becomes one layer down:
    its runs decoded completely by the code page that makes it most plausible. (An inner
    layer of cp1256 is Arabic letters, implausible as text, yet plainly the next layer.)"""
    if not any(len(run) > 1 for run in SUSPECT_RUN.findall(text)):
        return None
    found = [decoded for page in CODE_PAGES if (decoded := _decoded_runs(text, page))]
    return max(found, key=score) if found else None


def _decoded_runs(text: str, code_page: str) -> str | None:
    pieces, position, changed = [], 0, False
    for match in SUSPECT_RUN.finditer(text):
        try:
            decoded = match.group().encode(code_page).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        pieces += [text[position:match.start()], decoded]
        position, changed = match.end(), True
    return "".join(pieces) + text[position:] if changed else None


# --- ftfy, for what no code page explains ---------------------------------------------------

def _ftfy_runs(text: str) -> list[RunRepair]:
    """ftfy's repair of the bad parts of a line outside code, as runs with their evidence."""
    runs = []
    for start, end in outside_code_spans(text):
        part = text[start:end]
        if not SUSPECT_RUN.search(part) or not is_bad(part):
            continue
        fixed = ftfy.fix_text(part, FTFY_CONFIG)
        matcher = difflib.SequenceMatcher(None, part, fixed, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                continue
            damaged, repaired = part[i1:i2], fixed[j1:j2]
            runs.append(RunRepair(
                start + i1, start + i2, repaired,
                evidence(text[:start + i1], damaged, repaired, text[start + i2:]),
                len(repaired) if len(damaged) > len(repaired) else 0,
                bool(C1_OR_REPLACEMENT.search(damaged)),
                len(repaired) if len(damaged) > len(repaired) else 0, by_ftfy=True))
    return runs
