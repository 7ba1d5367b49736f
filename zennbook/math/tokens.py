"""TeX math split into tokens as KaTeX's lexer reads it: control words (letters and @),
control symbols, single characters, runs of blanks, `%` comments dropped.

TeX's `^^` character notation, control characters and an unfinished `\\` are refused here:
they are how a formula would spell a command without writing its name."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import MathProblem

MAX_LENGTH = 20_000        # characters in one formula: beyond this it is not a formula
TOKEN = re.compile(r"\\([A-Za-z@]+)[ \t\r\n]*|\\(.)|([ \t\r\n]+)|(%[^\n]*\n?)|(.)", re.S)
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Token:
    kind: str       # "cs" (control sequence), "char" or "space"
    text: str       # the control sequence's name without its backslash, or the character

    def is_cs(self, *names: str) -> bool:
        return self.kind == "cs" and (not names or self.text in names)

    def is_char(self, *chars: str) -> bool:
        return self.kind == "char" and (not chars or self.text in chars)


def tokenize(tex: str) -> list[Token]:
    if len(tex) > MAX_LENGTH:
        raise MathProblem("invalid", f"the formula is longer than {MAX_LENGTH} characters")
    if "^^" in tex:
        raise MathProblem("unsafe", "TeX's ^^ character notation")
    if CONTROL_CHARACTERS.search(tex):
        raise MathProblem("unsafe", "a control character")
    tokens = []
    for word, symbol, blank, comment, char in TOKEN.findall(tex):
        if word:
            tokens.append(Token("cs", word))
        elif symbol:
            tokens.append(Token("cs", symbol))
        elif blank:
            tokens.append(Token("space", " "))
        elif char == "\\":
            raise MathProblem("invalid", "a backslash at the end of the formula")
        elif char:
            tokens.append(Token("char", char))
    return [bgroup_as_brace(t) for t in tokens]


def bgroup_as_brace(token: Token) -> Token:
    """KaTeX reads \\bgroup and \\egroup as braces."""
    if token.is_cs("bgroup"):
        return Token("char", "{")
    if token.is_cs("egroup"):
        return Token("char", "}")
    return token
