"""Lossy-byte recovery: UTF-8 bytes from which a few known byte values were dropped.

When UTF-8 is decoded with a Windows code page and errors='ignore', the bytes that code page
does not define vanish (cp1254: 81 8D 8E 8F 90 9D 9E), and soft hyphens (AD) are often
stripped afterwards. Every dropped byte is a continuation byte (80-BF), and lead bytes are
never dropped, so each damaged character is still visible as a lead byte with too few
continuation bytes. Such a character has only a few candidate completions: insert the missing
bytes, each one of the dropped values, at the positions that give valid UTF-8. Which
completion is right is left to the Japanese model, over a whole line at once (Viterbi over
the gaps), because neighbouring damaged characters decide each other ("初学" in "åˆå¦").
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
    """Bytes that fit no UTF-8 sequence, even with bytes restored."""
    data: bytes


Piece = str | Gap | Orphan


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


def utf8_pieces(data: bytes, lost: bytes) -> list[Piece]:
    """Split `data` into decoded text, gaps (characters with dropped bytes) and orphans."""
    pieces: list[Piece] = []
    position = 0
    while position < len(data):
        lead = data[position]
        if lead < 0x80:
            pieces.append(chr(lead))
            position += 1
            continue
        need = continuation_count(lead)
        present = _continuations_after(data, position, max(need, 0))
        if need < 0:
            pieces.append(Orphan(bytes([lead])))
            position += 1
            continue
        pieces.append(_decode_group(lead, data[position + 1:position + 1 + present], need, lost))
        position += 1 + present
    return pieces


def _continuations_after(data: bytes, position: int, limit: int) -> int:
    count = 0
    while count < limit and position + 1 + count < len(data) \
            and is_continuation(data[position + 1 + count]):
        count += 1
    return count


def _decode_group(lead: int, present: bytes, need: int, lost: bytes) -> Piece:
    group = bytes([lead]) + present
    if len(present) == need:
        try:
            return group.decode("utf-8")
        except UnicodeDecodeError:
            return Orphan(group)
    candidates = completions(lead, present, need, lost)
    return Gap(candidates, len(present), need - len(present)) if candidates else Orphan(group)


@functools.lru_cache(maxsize=65536)
def completions(lead: int, present: bytes, need: int, lost: bytes) -> tuple[str, ...]:
    """Every plausible character made by inserting dropped bytes around `present`."""
    missing = need - len(present)
    found: dict[str, None] = {}
    for slots in itertools.combinations(range(need), missing):
        for fill in itertools.product(lost, repeat=missing):
            tail = _merge(present, slots, fill, need)
            try:
                char = bytes([lead, *tail]).decode("utf-8")
            except UnicodeDecodeError:
                continue
            if is_plausible(char):
                found[char] = None
    return tuple(found)


def _merge(present: bytes, slots: tuple[int, ...], fill: tuple[int, ...], need: int) -> list[int]:
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
