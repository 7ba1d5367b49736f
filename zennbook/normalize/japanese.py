"""What Japanese text looks like: a small word-lattice model for choosing among repairs.

The lexicon is wordfreq's Japanese word list (``get_frequency_dict('ja')``; no MeCab needed,
since we only look words up). A line is scored by its best split into words: known words by
their frequency, other characters by their character frequency (summed over the words that
contain them) with a penalty, so "おそらく", "バナナ" or "小数点" beat look-alikes made of
rarer pieces. wordfreq counts no punctuation, so Japanese punctuation gets a hand-set prior
by character class, and brackets are scored by whether they close something open.

The lexicon is built once (about a second), kept in memory, and cached on disk under
``$ZENNBOOK_CACHE_DIR`` (else ``$XDG_CACHE_HOME/zennbook`` or ``~/.cache/zennbook``), so later
runs load it in a few hundred milliseconds. Only files that need a repair ever load it.
"""
from __future__ import annotations

import functools
import marshal
import math
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

LEXICON_FORMAT = 2
LONGEST_WORD = 10
FAR_FETCHED = math.log(1e-10)   # a candidate below this is dropped when others are left
UNKNOWN_CHAR_FACTOR = 0.01       # a character outside any known word is rarer than its share

# Unigram probabilities for punctuation wordfreq does not count (rough shares in Japanese
# technical prose; what matters is their order when one competes with another).
PUNCTUATION_PRIOR = {
    "、": 2e-2, "。": 2e-2, "「": 5e-3, "」": 5e-3, "（": 5e-3, "）": 5e-3, "・": 3e-3,
    "：": 2e-3, "！": 2e-3, "？": 2e-3, "～": 1e-3, "〜": 1e-3, "『": 5e-4, "』": 5e-4,
    "【": 5e-4, "】": 5e-4, "…": 1e-3, "→": 5e-4, "／": 2e-4, "，": 3e-4, "．": 2e-4,
    "　": 1e-3, "〇": 2e-4, "※": 2e-4, "―": 2e-4, "—": 5e-4, "–": 1e-4, "×": 2e-4,
    "“": 3e-4, "”": 3e-4, "‘": 1e-4, "’": 2e-4, "•": 1e-4, "≈": 1e-4, "≤": 1e-4, "≥": 1e-4,
    "＋": 1e-4, "＝": 3e-4, "％": 1e-4, "＆": 5e-5, "＃": 5e-5, "〈": 5e-5, "〉": 5e-5,
    "《": 5e-5, "》": 5e-5, "〔": 5e-5, "〕": 5e-5, "＜": 5e-5, "＞": 5e-5, "｜": 5e-5,
}
# Bracket pairs whose balance is tracked along a line, in a fixed order.
BRACKETS = ("「」", "『』", "（）", "【】")
OPENERS = {pair[0]: index for index, pair in enumerate(BRACKETS)}
CLOSERS = {pair[1]: index for index, pair in enumerate(BRACKETS)}
NO_BRACKETS = (0,) * len(BRACKETS)
OPENING = set("（「『【〈《〔［｛“‘")
TERMINAL = set("、。！？，．：；…")
IMPLAUSIBLE_FACTOR = 0.01        # "（。", "「、", "た、。" almost never happen
UNMATCHED_CLOSER_FACTOR = 0.05   # a closing bracket with nothing open
MATCHED_CLOSER_FACTOR = 10.0     # one that closes what is open is what the text expects
UNCLOSED_FACTOR = 0.1            # a bracket still open at the end of the line
MAX_OPEN_BRACKETS = 9
VARIATION_SELECTOR_16 = "\ufe0f"
POLITE_AUXILIARY = ("ます", "ませ", "まし")
U_ROW = set("うくすつぬふむゆるぐずづぶぷ")
UNGRAMMATICAL_FACTOR = 0.01


@dataclass(frozen=True)
class Lexicon:
    words: dict[str, float]        # word (one character or more) -> log probability
    prefixes: frozenset[str]       # every proper prefix of a word
    chars: dict[str, float]        # character -> probability among all characters


@functools.lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The lexicon, from the disk cache when it is there, else built from wordfreq."""
    cache = _cache_file()
    try:
        words, prefixes, chars = marshal.loads(cache.read_bytes())
        return Lexicon(words, prefixes, chars)
    except (OSError, ValueError, EOFError, TypeError):
        pass
    built = build_lexicon()
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        temporary = cache.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(marshal.dumps((built.words, built.prefixes, built.chars)))
        temporary.replace(cache)
    except OSError:
        pass                        # a read-only home only costs the rebuild next time
    return built


def _cache_file() -> Path:
    from importlib.metadata import PackageNotFoundError, version

    try:
        wordfreq_version = version("wordfreq")
    except PackageNotFoundError:
        wordfreq_version = "unknown"
    root = os.environ.get("ZENNBOOK_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "zennbook")
    return Path(root) / f"ja-lexicon-v{LEXICON_FORMAT}-wordfreq{wordfreq_version}.marshal"


def build_lexicon() -> Lexicon:
    from wordfreq import get_frequency_dict

    words: dict[str, float] = {}
    chars: dict[str, float] = {}
    for word, frequency in get_frequency_dict("ja").items():
        for char in word:
            chars[char] = chars.get(char, 0.0) + frequency
        if _is_lexicon_word(word):
            words[word] = math.log(frequency)
    total = sum(chars.values())
    prefixes = frozenset(word[:end] for word in words for end in range(1, len(word)))
    return Lexicon(words, prefixes, {char: count / total for char, count in chars.items()})


def _is_lexicon_word(word: str) -> bool:
    """Japanese words made of letters and digits (wordfreq also lists "♪」" and the like)."""
    if len(word) > LONGEST_WORD or word.isascii():
        return False
    if len(word) == 1 and is_emoji(word):
        return True
    return all(unicodedata.category(char)[0] in "LNM" for char in word)


def class_prior(char: str) -> float:
    """Probability of a character nothing else tells about, from its class."""
    if char in PUNCTUATION_PRIOR:
        return PUNCTUATION_PRIOR[char]
    code = ord(char)
    if 0x3041 <= code <= 0x30FF:
        return 1e-7                                   # kana wordfreq never saw
    if 0x4E00 <= code <= 0x9FFF:
        return 3e-8                                   # a rare kanji
    if is_emoji(char):
        return 1e-9                                   # an emoji wordfreq never saw
    if 0xFF01 <= code <= 0xFF5E:
        return 1e-7                                   # other full-width ASCII
    if unicodedata.category(char)[0] in "LNPS" and code < 0x3000:
        return 1e-7                                   # Latin, Greek, symbols, arrows
    return 1e-11           # CJK extensions, compatibility squares, other scripts


def is_plausible(char: str) -> bool:
    """Whether a repair may produce this character at all."""
    if unicodedata.category(char) in ("Cn", "Co", "Cs", "Cc"):
        return False
    return not (0xFDD0 <= ord(char) <= 0xFDEF or (ord(char) & 0xFFFE) == 0xFFFE)


def is_emoji(char: str) -> bool:
    code = ord(char)
    return 0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF


def is_punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS" and not is_emoji(char)


class JapaneseModel:
    """Scores tokens of a line: words, single characters, punctuation with bracket state."""

    def __init__(self, lex: Lexicon | None = None):
        self.lexicon = lex or lexicon()
        self._char_cache: dict[str, float] = {}

    def likely_candidates(self, candidates: tuple[str, ...]) -> tuple[str, ...]:
        """Candidates without the far-fetched ones (CJK extensions, compatibility squares),
        unless nothing else is left."""
        likely = tuple(char for char in candidates if self._char_score(char) > FAR_FETCHED)
        return likely or candidates

    def is_word(self, text: str) -> bool:
        return text in self.lexicon.words

    def is_prefix(self, text: str) -> bool:
        return text in self.lexicon.prefixes

    def token_score(self, last: str, token: str, brackets: tuple[int, ...]):
        """(log probability of `token` after character `last`, bracket state after it)."""
        if token.isascii():
            return 0.0, brackets
        if len(token) > 1:
            return self.lexicon.words[token] + _conjugation_score(last, token), brackets
        if token == VARIATION_SELECTOR_16:
            return math.log(0.5 if _takes_emoji_selector(last) else 1e-12), brackets
        if is_punctuation(token):
            return self._punctuation_score(last, token, brackets)
        return self._char_score(token), brackets

    def end_score(self, brackets: tuple[int, ...]) -> float:
        return sum(brackets) * math.log(UNCLOSED_FACTOR)

    def _char_score(self, char: str) -> float:
        score = self._char_cache.get(char)
        if score is None:
            known = self.lexicon.words.get(char)
            share = self.lexicon.chars.get(char)
            score = known if known is not None else math.log(
                share * UNKNOWN_CHAR_FACTOR if share else class_prior(char))
            self._char_cache[char] = score
        return score

    def _punctuation_score(self, last: str, mark: str, brackets: tuple[int, ...]):
        probability = class_prior(mark)
        if mark in TERMINAL and (last in OPENING or last in TERMINAL) \
                or mark in CLOSERS and last in OPENING:
            probability *= IMPLAUSIBLE_FACTOR
        if mark in OPENERS:
            brackets = _bump(brackets, OPENERS[mark], +1)
        elif mark in CLOSERS:
            if brackets[CLOSERS[mark]] == 0:
                probability *= UNMATCHED_CLOSER_FACTOR
            else:
                probability *= MATCHED_CLOSER_FACTOR
                brackets = _bump(brackets, CLOSERS[mark], -1)
        return math.log(probability), brackets


def _conjugation_score(last: str, word: str) -> float:
    """The polite auxiliary (ます, ません, ました...) follows the i- or e-row, never the u-row."""
    if word.startswith(POLITE_AUXILIARY) and last in U_ROW:
        return math.log(UNGRAMMATICAL_FACTOR)
    return 0.0


def _bump(brackets: tuple[int, ...], index: int, step: int) -> tuple[int, ...]:
    counts = list(brackets)
    counts[index] = min(MAX_OPEN_BRACKETS, counts[index] + step)
    return tuple(counts)


def _takes_emoji_selector(char: str) -> bool:
    if not char:
        return False                                  # the start of the line
    code = ord(char)
    return is_emoji(char) or 0x2000 <= code <= 0x2BFF or 0x3030 <= code <= 0x303D \
        or char in "©®"
