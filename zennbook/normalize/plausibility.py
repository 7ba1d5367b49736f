"""How plausible a stretch of text is as correct text: the evidence a mojibake repair needs.

A repair replaces a run of characters (``Ã©``, ``ã‚ã‚‹``) with what its bytes decode to
(``é``, ``ある``). Both are possible texts; the question is which one an author wrote. The
evidence for a repair is a log-likelihood ratio under one model of correct text:

    evidence = log P(repaired run | its neighbours) - log P(damaged run | its neighbours)

The model is a character model with one step of context:

- Japanese characters (kana, kanji, CJK punctuation, full-width forms, emoji) are scored by
  the Japanese model (japanese.py: wordfreq character frequencies and punctuation priors).
- Every other character gets a prior by what it is: accented Latin letters of Western
  languages are common in a technical book (names, loanwords), capital Ã and Â are rare,
  Latin Extended letters rarer, Hebrew, Syriac or NKo letters, IPA and combining marks very
  rare, private use and unassigned code points almost impossible. A C1 control is never
  text, but it is what one layer of damage leaves when another is still to undo (Latin-1
  keeps undefined bytes as C1 controls), so it is scored like a rare symbol; a damaged run
  that holds one is proof of damage anyway (mojibake.py).
- A "follower" (², ³, °, ’, ”, », …, —, ™ ...) right after a letter, a digit or another
  follower is what units, quotes and typography look like (``Å²``, ``m²``, ``Gruß“``,
  ``Voilà…``), so it is likely there whatever its own frequency.

So ``Ã©`` → ``é`` gains about 16 nats (a rare capital, then a symbol no word ends with,
against a common letter), one kana from three mojibake characters about 20, while
``Å²`` → ``Ų`` gains under 2 (a unit against a Lithuanian letter) and ``×²`` → ``ײ`` loses.
mojibake.py decides with these numbers; its docstring has the rule.
"""
from __future__ import annotations

import functools
import math
import unicodedata

from .japanese import PUNCTUATION_PRIOR, JapaneseModel, is_emoji

LOG = math.log
# Characters that follow a word, a number or each other in correct text: units, closing
# quotes and brackets, dashes, the ellipsis, marks.
FOLLOWERS = frozenset("²³¹°’”“‘»…–—·®™ªº′″‰%")
FOLLOWER = LOG(0.02)               # one right after a word or number
CLUSTER = LOG(0.1)                 # one right after another ("…’", "”)", "²)")
COMMON_LOWER = frozenset("áàâäãåæçéèêëíìîïñóòôöõøœúùûüýÿßšžčřěłńśźżőű")
RARE_CAPITALS = frozenset("ÃÂÐÞÝ")
COMMON_SYMBOLS = frozenset("°²³±×÷µ·©®¼½¾£¥€§«»¿¡\xa0")
COMMON_PUNCTUATION = frozenset("‘’“”–—…•′″")
RARE_PUNCTUATION = frozenset("‚„†‡‰‹›")
MODIFIERS_IN_USE = frozenset("ʻʼˈˌːˆ˜")


@functools.lru_cache(maxsize=1)
def japanese_model() -> JapaneseModel:
    """The one Japanese model of the process (its lexicon loads on first use)."""
    return JapaneseModel()


def is_japanese(char: str) -> bool:
    code = ord(char)
    return (0x3000 <= code <= 0x30FF or 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF
            or 0xFF01 <= code <= 0xFFEF or 0x20000 <= code <= 0x3FFFF or is_emoji(char)
            or 0x3190 <= code <= 0x33FF)


@functools.lru_cache(maxsize=65536)
def prior(char: str) -> float:
    """log P(char) in correct text of a Japanese technical book, without context."""
    if char.isascii():
        return LOG(0.5)
    if is_japanese(char):
        return japanese_model()._char_score(char)
    return LOG(max(_other_prior(char), PUNCTUATION_PRIOR.get(char, 0.0)))


def _other_prior(char: str) -> float:
    code = ord(char)
    category = unicodedata.category(char)
    if 0x80 <= code <= 0x9F:
        return 1e-6            # a C1 control: a layer of damage still to undo, not text
    if category in ("Cc", "Cs", "Co", "Cn") or (code & 0xFFFE) == 0xFFFE:
        return 1e-12
    if char == "\ufffd":
        return 1e-8                           # a loss someone already marked
    if 0xA0 <= code <= 0xFF:
        return _latin1_prior(char)
    if char in COMMON_PUNCTUATION:
        return 1e-4
    if char in RARE_PUNCTUATION:
        return 1e-6
    if 0x100 <= code <= 0x17F:
        return 1e-6 if char.lower() in COMMON_LOWER or char in "ĀāĒēĪīŌōŪūŒœŸ" else 3e-7
    if char in MODIFIERS_IN_USE:
        return 1e-7
    if 0x180 <= code <= 0x36F:
        return 1e-8 if category[0] == "L" else 1e-9   # Latin Extended-B, IPA, combining
    if 0x370 <= code <= 0x52F:
        return 3e-6 if category[0] == "L" else 1e-8   # Greek and Cyrillic
    if 0x530 <= code <= 0x7FF:
        return 1e-9                           # Armenian, Hebrew, Arabic, Syriac, Thaana, NKo
    if 0x2000 <= code <= 0x2BFF:
        return 1e-5 if category[0] == "S" else 1e-7   # currency, arrows, math, letterlike
    return 1e-8                               # other scripts


def _latin1_prior(char: str) -> float:
    if char in RARE_CAPITALS or char in "ðþ":
        return 1e-6
    if char.isalpha():
        return 3e-5 if char in COMMON_LOWER else 1e-5
    if char in COMMON_SYMBOLS:
        return 1e-5
    return 1e-6                               # ¹ ª º ¢ ¤ ¦ ¨ ¬ ¯ ´ ¸ ¶, the soft hyphen


def transition(previous: str, char: str) -> float:
    """log P(char | previous character)."""
    if char not in FOLLOWERS or not previous:
        return prior(char)
    if previous in FOLLOWERS:
        return max(prior(char), CLUSTER)
    if previous.isalnum() or previous in "×÷)]":
        return max(prior(char), FOLLOWER)
    return prior(char)


def score(text: str, previous: str = "") -> float:
    """log P(text | the character before it)."""
    total = 0.0
    for char in text:
        total += transition(previous, char)
        previous = char
    return total


def evidence(before: str, damaged: str, repaired: str, after: str) -> float:
    """Log-likelihood ratio of the repaired run against the damaged one, in context."""
    return score(repaired + after[:1], before[-1:]) - score(damaged + after[:1], before[-1:])
