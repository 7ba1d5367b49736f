"""A formula's own macros (`\\newcommand`, `\\def`) and KaTeX's shorthands, expanded here in
Python: no definition ever reaches TeX. Expansion is bounded, so `\\def\\x{\\x}\\x` and
macro bombs are refused instead of looping (KaTeX refuses them too)."""
from __future__ import annotations

from dataclasses import dataclass

from .errors import MathProblem
from .tokens import Token, tokenize

MAX_EXPANSIONS = 1000       # KaTeX's own default maxExpand
MAX_TOKENS = 50_000         # a formula that expands past this is a bomb
DEFINERS = ("def", "gdef", "newcommand", "renewcommand", "providecommand")


@dataclass(frozen=True)
class Macro:
    arity: int
    body: tuple[Token, ...]


def expand(tokens: list[Token], shorthands: dict[str, str]) -> list[Token]:
    """`tokens` with every definition removed and every use of a macro replaced by its body."""
    macros: dict[str, Macro] = {}
    pending = list(reversed(tokens))          # a stack: the next token is pending[-1]
    out: list[Token] = []
    expansions = 0
    while pending:
        token = pending.pop()
        if token.is_cs(*DEFINERS):
            name, macro = read_definition(token.text, pending)
            macros[name] = macro
            continue
        macro = macros.get(token.text) if token.kind == "cs" else None
        if macro is None and token.kind == "cs" and token.text in shorthands:
            macro = shorthand(shorthands[token.text])
        if macro is None:
            out.append(token)
            continue
        expansions += 1
        if expansions > MAX_EXPANSIONS or len(pending) + len(out) > MAX_TOKENS:
            raise MathProblem("invalid", f"macros expand more than {MAX_EXPANSIONS} times (a loop?)")
        args = [read_argument(pending) for _ in range(macro.arity)]
        pending.extend(reversed(substitute(macro, args)))
    return out


def shorthand(text: str) -> Macro:
    body = tokenize(text)
    arity = max((int(t.text) for a, t in zip(body, body[1:]) if a.is_char("#") and t.text.isdigit()),
                default=0)
    return Macro(arity, tuple(body))


def read_definition(definer: str, pending: list[Token]) -> tuple[str, Macro]:
    skip_spaces(pending)
    if definer in ("def", "gdef"):
        name = pending.pop() if pending else None
        params = read_def_parameters(pending)
    else:
        name_group = read_argument(pending)
        name = name_group[0] if len(name_group) == 1 else None
        params = read_arity(pending)
    if name is None or name.kind != "cs":
        raise MathProblem("invalid", f"\\{definer} without a command name to define")
    if name.text in DEFINERS:
        raise MathProblem("unsafe", f"\\{definer} redefining \\{name.text}")
    body = read_argument(pending, braced=True)
    check_parameters(body, params, definer)
    return name.text, Macro(params, tuple(body))


def read_def_parameters(pending: list[Token]) -> int:
    """`\\def\\x#1#2{...}`: only plain numbered parameters (delimited ones are refused)."""
    count = 0
    while pending and not pending[-1].is_char("{"):
        hash_, number = pending.pop(), pending.pop() if pending else None
        if not (hash_.is_char("#") and number is not None and number.text == str(count + 1)):
            raise MathProblem("unsupported", "\\def with delimited parameters")
        count += 1
    return count


def read_arity(pending: list[Token]) -> int:
    skip_spaces(pending)
    if not (pending and pending[-1].is_char("[")):
        return 0
    pending.pop()
    digits = []
    while pending and not pending[-1].is_char("]"):
        digits.append(pending.pop().text)
    if not pending or not "".join(digits).strip().isdigit() or int("".join(digits)) > 9:
        raise MathProblem("invalid", "\\newcommand with a bad number of arguments")
    pending.pop()
    if pending and pending[-1].is_char("["):
        raise MathProblem("unsupported", "\\newcommand with a default argument")
    return int("".join(digits))


def check_parameters(body: list[Token], arity: int, definer: str) -> None:
    for hash_, after in zip(body, body[1:] + [Token("char", "")]):
        if hash_.is_char("#") and not (after.text.isdigit() and 1 <= int(after.text) <= arity):
            raise MathProblem("invalid", f"\\{definer} body uses a parameter it does not have")


def substitute(macro: Macro, args: list[list[Token]]) -> list[Token]:
    out: list[Token] = []
    body = macro.body
    index = 0
    while index < len(body):
        token = body[index]
        if token.is_char("#") and index + 1 < len(body) and body[index + 1].text.isdigit():
            out.extend(args[int(body[index + 1].text) - 1])
            index += 2
            continue
        out.append(token)
        index += 1
    return out


def skip_spaces(pending: list[Token]) -> None:
    while pending and pending[-1].kind == "space":
        pending.pop()


def read_argument(pending: list[Token], braced: bool = False) -> list[Token]:
    """One undelimited argument: a single token, or a brace group without its braces."""
    skip_spaces(pending)
    if not pending:
        raise MathProblem("invalid", "a macro is missing an argument")
    first = pending.pop()
    if not first.is_char("{"):
        if braced:
            raise MathProblem("invalid", "a macro definition without a braced body")
        return [first]
    depth, group = 1, []
    while pending:
        token = pending.pop()
        depth += {"{": 1, "}": -1}.get(token.text, 0) if token.kind == "char" else 0
        if depth == 0:
            return group
        group.append(token)
    raise MathProblem("invalid", "unbalanced braces")
