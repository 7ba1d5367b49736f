"""Lossy-byte recovery: UTF-8 bytes of which some were dropped or are known only as a set.

When UTF-8 is decoded with a Windows code page and errors='ignore', the bytes that code page
does not define vanish (cp1254: 81 8D 8E 8F 90 9D 9E), and soft hyphens (AD) are often
stripped afterwards. Every dropped byte is a continuation byte (80-BF), and lead bytes are
never dropped, so each damaged character is still visible as a lead byte with too few
continuation bytes. Such a character has only a few candidate completions: insert the missing
bytes, each one of the dropped values, at the positions that give valid UTF-8.

With errors='replace' the position survives as U+FFFD, and the byte is one of the values the
code page does not define; a character an earlier round of repair could not decide stands
for the bytes of all its candidates. So a position is a set of byte values, and a character
is every combination of them that is valid UTF-8.

Which completion is right is left to the Japanese model, over a whole line at once (Viterbi
over the gaps), because neighbouring damaged characters decide each other ("初学" in
"åˆå¦").
"""
from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

from .japanese import LONGEST_WORD, NO_BRACKETS, JapaneseModel, is_plausible

BEAM_WIDTH = 16               # paths kept per position; 8 and 32 give the same results


@dataclass(frozen=True)
class Gap:
    """A damaged character: the characters it may have been."""
    candidates: tuple[str, ...]
    present: int          # continuation bytes that survived
    missing: int          # bytes that were dropped


@dataclass(frozen=True)
class Orphan:
    """Positions that fit no UTF-8 sequence, even with bytes restored."""
    width: int


Piece = str | Gap | Orphan
Options = tuple[int, ...]     # the byte values one position of the damaged text may stand for


def continuation_count(lead: int) -> int:
    """How many continuation bytes a UTF-8 lead byte needs; -1 if it is no lead byte."""
    if 0xC2 <= lead <= 0xDF:
        return 1
    if 0xE0 <= lead <= 0xEF:
        return 2
    if 0xF0 <= lead <= 0xF4:
        return 3
    return -1


def is_continuation(byte: int) -> bool:
    return 0x80 <= byte <= 0xBF


def utf8_pieces(data: bytes | list[Options], lost: bytes) -> list[tuple[Piece, int]]:
    """Split damaged bytes into (piece, positions it covers): decoded text, gaps (characters
    with dropped bytes, or with positions known only as a set of byte values) and orphans.

    `data` is bytes, or one tuple of possible byte values per position: a U+FFFD that stood
    for an undefined byte, or a character an earlier layer of repair could not decide.
    """
    if isinstance(data, bytes):
        return _byte_pieces(data, lost)
    pieces: list[tuple[Piece, int]] = []
    position = 0
    while position < len(data):
        here = data[position]
        if len(here) == 1 and here[0] < 0x80:
            pieces.append((chr(here[0]), 1))
            position += 1
            continue
        leads = tuple(byte for byte in here if continuation_count(byte) > 0)
        if not leads:
            pieces.append((Orphan(1), 1))
            position += 1
            continue
        need = max(map(continuation_count, leads))
        present = _continuations_after(data, position, need)
        group = tuple(tuple(filter(is_continuation, here))
                      for here in data[position + 1:position + 1 + present])
        pieces.append((_decode_group(leads, group, lost), 1 + present))
        position += 1 + present
    return pieces


def _byte_pieces(data: bytes, lost: bytes) -> list[tuple[Piece, int]]:
    """utf8_pieces for plain bytes: the common case, kept fast."""
    pieces: list[tuple[Piece, int]] = []
    position, end = 0, len(data)
    while position < end:
        lead = data[position]
        if lead < 0x80:
            pieces.append((chr(lead), 1))
            position += 1
            continue
        need = continuation_count(lead)
        if need < 0:
            pieces.append((Orphan(1), 1))
            position += 1
            continue
        present = 0
        while present < need and position + 1 + present < end \
                and 0x80 <= data[position + 1 + present] <= 0xBF:
            present += 1
        group = data[position:position + 1 + present]
        pieces.append((_byte_group(group, lost), 1 + present))
        position += 1 + present
    return pieces


@functools.lru_cache(maxsize=65536)
def _byte_group(group: bytes, lost: bytes) -> Piece:
    return _decode_group((group[0],), tuple((byte,) for byte in group[1:]), lost)


def _continuations_after(options: list[Options], position: int, limit: int) -> int:
    """How many positions after a lead may be its continuation bytes. A position that may
    be either (a character of an earlier layer known only as a set) continues the sequence:
    a lead short of bytes is the rarer reading."""
    count = 0
    while count < limit and position + 1 + count < len(options) \
            and any(map(is_continuation, options[position + 1 + count])):
        count += 1
    return count


def _decode_group(leads: Options, present: tuple[Options, ...], lost: bytes) -> Piece:
    candidates = completions(leads, present, lost)
    if not candidates:
        return Orphan(1 + len(present))
    if len(candidates) == 1 and all(len(byte) == 1 for byte in present) and len(leads) == 1 \
            and continuation_count(leads[0]) == len(present):
        return candidates[0]
    need = min(continuation_count(lead) for lead in leads
               if continuation_count(lead) >= len(present))
    return Gap(candidates, len(present), need - len(present))


@functools.lru_cache(maxsize=65536)
def completions(leads: Options, present: tuple[Options, ...], lost: bytes) -> tuple[str, ...]:
    """Every plausible character made from one of `leads`, one value of each present
    position, and dropped bytes inserted where the lead needs more."""
    found: dict[str, None] = {}
    for lead in leads:
        need = continuation_count(lead)
        missing = need - len(present)
        if missing < 0:
            continue
        for tail in itertools.product(*present):
            for char in _completed(lead, tail, need, missing, lost):
                found[char] = None
    return tuple(found)


def _completed(lead: int, present: tuple[int, ...], need: int, missing: int, lost: bytes):
    for slots in itertools.combinations(range(need), missing):
        for fill in itertools.product(lost, repeat=missing):
            tail = _merge(present, slots, fill, need)
            try:
                char = bytes([lead, *tail]).decode("utf-8")
            except UnicodeDecodeError:
                continue
            if is_plausible(char) or is_c1_control(char):
                yield char


def is_c1_control(char: str) -> bool:
    """U+0080-U+009F: never text, but what one layer of mojibake leaves for the next to
    undo (Latin-1 keeps undefined bytes as these)."""
    return "\x80" <= char <= "\x9f"


def _merge(present: tuple[int, ...], slots: tuple[int, ...], fill: tuple[int, ...],
           need: int) -> list[int]:
    inserted = dict(zip(slots, fill))
    kept = iter(present)
    return [inserted[index] if index in inserted else next(kept) for index in range(need)]


def choose(pieces: list[str | Gap], model: JapaneseModel) -> list[str]:
    """The most likely character for every gap, chosen jointly over the whole line.

    Viterbi over a word lattice: a token is an ASCII run, a word of the lexicon (which may
    cover gaps, fixing their characters), or one character. A path is identified by its
    last character and its open brackets, all the model looks at across tokens; only the
    best BEAM_WIDTH paths are kept at each position.
    """
    slots = _slots(pieces, model)
    frontier: list[dict] = [{} for _ in range(len(slots) + 1)]
    frontier[0][("", NO_BRACKETS)] = (0.0, ())
    for start, states in enumerate(frontier[:-1]):
        if not states:
            continue
        states = _beam(states)
        for end, token, picks in _tokens(slots, start, model):
            for (last, brackets), (score, choices) in states.items():
                gained, after = model.token_score(last, token, brackets)
                _keep_best(frontier[end], (token[-1], after), (score + gained, choices + picks))
    finals = frontier[-1].items()
    return list(max((score + model.end_score(brackets), choices)
                    for (_, brackets), (score, choices) in finals)[1])


def _beam(states: dict) -> dict:
    if len(states) <= BEAM_WIDTH:
        return states
    kept = sorted(states.items(), key=lambda item: item[1][0], reverse=True)[:BEAM_WIDTH]
    return dict(kept)


def _keep_best(states: dict, key, value) -> None:
    if key not in states or value[0] > states[key][0]:
        states[key] = value


def _slots(pieces: list[str | Gap], model: JapaneseModel) -> list[tuple[tuple[str, ...], bool]]:
    """One slot per character: (the characters it may be, whether it is a gap)."""
    slots = []
    for piece in pieces:
        if isinstance(piece, Gap):
            slots.append((model.likely_candidates(piece.candidates), True))
        else:
            slots.extend(((char,), False) for char in piece)
    return slots


def _tokens(slots, start: int, model: JapaneseModel):
    """(end, text, characters chosen at gaps) for every token that can start at `start`."""
    options, is_gap = slots[start]
    if not is_gap and options[0].isascii():
        end = start
        while end < len(slots) and not slots[end][1] and slots[end][0][0].isascii():
            end += 1
        yield end, "".join(slot[0][0] for slot in slots[start:end]), ()
        return
    for char in options:
        yield start + 1, char, (char,) if is_gap else ()
    yield from _words(slots, start, model)


def _words(slots, start: int, model: JapaneseModel):
    """Lexicon words of two or more characters that fit the slots from `start`."""
    alive = [("", ())]
    for index in range(start, min(len(slots), start + LONGEST_WORD)):
        options, is_gap = slots[index]
        grown = []
        for text, picks in alive:
            for char in options:
                word, chosen = text + char, picks + ((char,) if is_gap else ())
                if len(word) > 1 and model.is_word(word):
                    yield index + 1, word, chosen
                if model.is_prefix(word):
                    grown.append((word, chosen))
        if not grown:
            return
        alive = grown
