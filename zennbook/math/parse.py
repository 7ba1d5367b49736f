"""A formula's tokens read into a tree, as KaTeX reads them: groups, scripts, commands with
their arguments (by KaTeX's own argument table), environments, text mode, \\left...\\right.

Every command is checked against the whitelist (commands.py) as it is read: a name that is
not there stops the parse with a MathProblem naming it. Nesting is bounded (MAX_DEPTH), so
ten thousand braces are a refused formula, not a RecursionError.
"""
from __future__ import annotations

from . import commands as c
from .errors import MathProblem
from .katex_names import UNICODE_COMMANDS
from .forms import Forms, em_size
from .nodes import Align, Char, Command, Environment, Group, Infix, Newline, Raw, Script, Symbol, Text, TextChar
from .textmode import TextMode
from .tokens import Token

MAX_DEPTH = 60
MATH_SPECIALS = set("#$%\\~")
OPERATORS = frozenset(
    "sum prod coprod int iint iiint oint intop smallint bigcup bigcap bigvee bigwedge bigoplus "
    "bigotimes bigodot biguplus bigsqcup lim limsup liminf max min sup inf det gcd Pr injlim "
    "projlim varlimsup varliminf varinjlim varprojlim operatorname mathop log ln exp sin cos tan "
    "arg deg dim hom ker lg sec csc cot sinh cosh tanh coth arcsin arccos arctan".split())


class Parser(Forms, TextMode):
    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.pos = 0
        self.depth = 0
        self.tags: list[str] = []
        self.notes: list[str] = []        # what was left out, for a warning
        self.in_environment = 0
        self.in_left_right = 0              # \\middle only between \\left and \\right

    # -- tokens -------------------------------------------------------------------------------

    def peek(self, skip_spaces: bool = True) -> Token | None:
        if skip_spaces:
            while self.pos < len(self.tokens) and self.tokens[self.pos].kind == "space":
                self.pos += 1
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def next(self, skip_spaces: bool = True) -> Token:
        token = self.peek(skip_spaces)
        if token is None:
            raise MathProblem("invalid", "the formula ends in the middle of a command")
        self.pos += 1
        return token

    def nested(self):
        parser = self

        class Level:
            def __enter__(self):
                parser.depth += 1
                if parser.depth > MAX_DEPTH:
                    raise MathProblem("invalid", f"groups nested more than {MAX_DEPTH} deep")

            def __exit__(self, *exc):
                parser.depth -= 1
        return Level()

    # -- math mode ----------------------------------------------------------------------------

    def parse(self) -> list:
        items = self.math_list(stop=None)
        if self.peek() is not None:
            raise MathProblem("invalid", "unbalanced braces")
        return items

    def math_list(self, stop) -> list:
        """Items until `stop`: None (the end), "}", "]", "right", ("end", name) or "cell"
        (a font switch's scope: up to &, \\\\ or the end of its group, left unread)."""
        items: list = []
        scripts: set[str] = set()
        with self.nested():
            while True:
                token = self.peek()
                if self.at_stop(token, stop):
                    break
                self.pos += 1
                item = self.math_item(token, items, stop)
                if isinstance(item, Char) and item.text == "'":
                    item = Script("^", Group([Command("prime")]), prime=True)
                if isinstance(item, Script) and merge_prime(items, item):
                    continue
                if isinstance(item, Script):
                    if item.kind in scripts:
                        raise MathProblem("invalid", "a double superscript or subscript")
                    scripts.add(item.kind)
                elif item is not None:
                    scripts = set()
                if isinstance(item, list):
                    items.extend(item)             # a switch took the rest of its group
                elif item is not None:
                    items.append(item)
        return with_infix(items)

    def at_stop(self, token: Token | None, stop) -> bool:
        if token is None:
            if stop is None or stop == "cell":
                return True
            raise MathProblem("invalid", "unbalanced braces" if stop == "}" else f"missing {describe(stop)}")
        if stop == "cell":
            return token.is_char("}", "&", "]") or token.is_cs("\\", "newline", "cr", "right", "end")
        if stop in ("}", "]") and token.is_char(stop):
            self.pos += 1
            return True
        if stop == "right" and token.is_cs("right"):
            self.pos += 1
            return True
        if isinstance(stop, tuple) and token.is_cs("end"):
            self.pos += 1
            name = self.group_text()
            if name != stop[1]:
                raise MathProblem("invalid", f"\\begin{{{stop[1]}}} ended by \\end{{{name}}}")
            return True
        return False

    def math_item(self, token: Token, items: list, stop):
        if token.kind == "char":
            return self.math_char(token.text)
        if len(token.text) == 1 and not token.text.isalpha():
            return self.control_symbol(token.text)
        return self.command(token.text, items, stop)

    def math_char(self, char: str):
        if char == "{":
            return Group(self.math_list("}"))
        if char == "}":
            raise MathProblem("invalid", "unbalanced braces")
        if char in "^_":
            return Script(char, self.argument())
        if char == "&":
            return Align()
        if char == "~":
            return Symbol(" ")
        if char in MATH_SPECIALS:
            raise MathProblem("invalid", f"'{char}' in math")
        name = UNICODE_COMMANDS.get(char)
        if name in c.EMITTED_NAMES:             # α as \alpha: LaTeX's math fonts have no α
            return Command(name)
        return Char(char)

    def control_symbol(self, char: str):
        if char == "\\":
            return Newline(self.bracketed_size())
        if char in c.MATH_SYMBOLS or char == "\n":
            return Symbol(" " if char == "\n" else char)
        if char in "()[]":
            raise MathProblem("invalid", f"a math delimiter \\{char} inside the formula")
        raise MathProblem("invalid", f"\\{char} in math")

    def argument(self):
        """One argument, as KaTeX reads it: a group, a command with its own arguments, or a
        single character (a bare `x_\\max` becomes `x_{\\max}` when written out)."""
        token = self.next()
        if token.is_char("{"):
            return Group(self.math_list("}"))
        if token.kind == "char":
            if token.text in "^_&}" or token.text in MATH_SPECIALS:
                raise MathProblem("invalid", f"'{token.text}' where an argument was expected")
            return Char(token.text)
        if len(token.text) == 1 and not token.text.isalpha():
            item = self.control_symbol(token.text)
            if isinstance(item, Newline):
                raise MathProblem("invalid", "\\\\ where an argument was expected")
            return item
        if token.text in c.SIZED or token.text == "hspace":
            raise MathProblem("invalid", f"\\{token.text} where an argument was expected")
        item = self.command(token.text, [], None, as_argument=True)
        if isinstance(item, list):
            return Group(item)
        if isinstance(item, (Infix, Align, Newline)) or item is None:
            raise MathProblem("invalid", f"\\{token.text} where an argument was expected")
        return item

    # -- commands -----------------------------------------------------------------------------

    def command(self, name: str, items: list, stop, as_argument: bool = False):
        """A control word and its arguments: a Command, a list (a switch: the rest of the
        group), another node (a special form), or None (dropped: \\label, \\tag, ...)."""
        self.check_known(name, text_mode=False)
        if name in c.SWITCHES:
            if as_argument:
                raise MathProblem("invalid", f"\\{name} where an argument was expected")
            return [Command(c.SWITCHES[name], args=[Group(self.math_list("cell"))])]
        if name in c.LIMITS:
            return self.limits(name, items)
        if name in ("end", "right"):
            raise MathProblem("invalid", f"\\{name} without its opening")
        if name in ("hline", "hdashline"):
            return self.hline(items, stop)
        form = next((form for names, form in self.special_forms() if name in names), None)
        if form is not None:
            return form(name)
        star = self.star() if name in c.STARRED else False
        options, args = self.read_arguments(name)
        return Command(name, star, options, args)

    def special_forms(self):
        """(names, reader) for the commands not read by KaTeX's argument table alone."""
        return ((c.DROPPED, self.dropped), (("tag",), self.tag), (("substack",), self.substack),
                (("genfrac",), lambda _: self.genfrac()),
                (("newline", "cr"), lambda _: Newline()), (("begin",), lambda _: self.environment()),
                (c.DELIMITED, self.delimited), (c.SIZED, self.spacing), (c.INFIX, self.infix),
                (("color", "textcolor", "colorbox", "fcolorbox"), self.colored), (("url",), self.url),
                (c.CONTENT_ONLY, self.content_only))

    def dropped(self, name: str) -> None:
        self.read_arguments(name)

    def tag(self, _name: str) -> None:
        self.star()
        self.tags.append(self.raw_group())

    def limits(self, name: str, items: list) -> Command:
        previous = items[-1] if items else None
        if not (isinstance(previous, Command) and previous.name in OPERATORS):
            raise MathProblem("invalid", f"\\{name} after something that is not an operator")
        return Command(name)

    def substack(self, _name: str) -> Environment:
        """\\substack's argument is the rows of a {subarray}."""
        arg = self.argument()
        return Environment("subarray", [Raw("c")], None, arg.items if isinstance(arg, Group) else [arg])

    @staticmethod
    def hline(items: list, stop) -> Command:
        """A rule between rows: directly in an environment's body, at the start of a row
        (\\hdashline, which LaTeX lacks without arydshln, as a plain rule)."""
        if not isinstance(stop, tuple) or (items and not isinstance(items[-1], Newline)):
            raise MathProblem("invalid", "\\hline outside an array or not at the start of a row")
        return Command("hline")

    def infix(self, name: str) -> Infix:
        return Infix(name, em_size(self.size()) if name == "above" else "")

    def url(self, _name: str) -> Command:
        """\\url's address as typewriter text: every character escaped."""
        address = Text([TextChar(ch) for ch in self.raw_group()])
        return Command("text", args=[Text([Command("texttt", args=[address], text_mode=True)])])

    def content_only(self, name: str):
        """\\href's text, \\htmlClass's content: print has no link target or HTML class."""
        return self.read_arguments(name)[1][c.CONTENT_ONLY[name]]

    def check_known(self, name: str, text_mode: bool) -> None:
        if name in c.REFUSED:
            raise MathProblem("unsafe", f"\\{name}")
        if name in c.UNSUPPORTED:
            raise MathProblem("unsupported", f"\\{name}")
        if name in c.TEXT_ONLY and not text_mode:
            raise MathProblem("unsupported", f"\\{name} in math (print has it only in text)")
        if not c.katex_knows(name, text_mode):
            if c.katex_knows(name, not text_mode):
                raise MathProblem("invalid", f"\\{name} in {'text' if text_mode else 'math'} mode")
            raise MathProblem("unsafe", f"\\{name}, which is not a KaTeX command")
        if name not in c.EMITTED_NAMES and not self.handled_here(name):
            raise MathProblem("unsupported", f"\\{name}")

    @staticmethod
    def handled_here(name: str) -> bool:
        return name in c.SWITCHES or name in c.DROPPED or name in c.CONTENT_ONLY or name in c.INFIX \
            or name in ("tag", "url", "newline", "cr", "color", "textcolor", "colorbox", "fcolorbox",
                        "hdashline") \
            or name in c.TEXT_SWITCHES

    def read_arguments(self, name: str) -> tuple[list, list]:
        mandatory, optional, types = c.arguments(name)
        types = list(types) + [None] * (mandatory + optional - len(types))
        options = []
        for kind in types[:optional]:
            if self.peek() is not None and self.peek().is_char("["):
                self.pos += 1
                options.append(self.size_text(self.raw_until("]")) if kind == "size"
                               else Group(self.math_list("]")))
        args = [self.typed_argument(kind) for kind in types[optional:]]
        return options, args

    def typed_argument(self, kind):
        if kind == "size":
            return em_size(self.size())
        if kind in ("text", "hbox"):
            return self.text_argument()
        if kind in ("raw", "url", "color"):
            return Raw(self.raw_group())
        return self.argument()

    def star(self) -> bool:
        token = self.peek()
        if token is not None and token.is_char("*"):
            self.pos += 1
            return True
        return False


def merge_prime(items: list, script: Script) -> bool:
    """x'' and x'^2 as KaTeX (and TeX) read them: one superscript, ^{\\prime\\prime} and
    ^{\\prime 2}. A prime is written as \\prime: LaTeX's own ' is an active character that
    looks ahead and breaks at the end of an alignment cell."""
    previous = items[-1] if items else None
    if not (isinstance(previous, Script) and previous.prime and script.kind == "^"):
        return False
    previous.arg.items.extend(script.arg.items if script.prime else [script.arg])
    previous.prime = script.prime
    return True


def with_infix(items: list) -> list:
    """`a \\over b` (TeX's infix fractions) as `\\frac{a}{b}`: one per group, as in KaTeX."""
    infixes = [i for i, item in enumerate(items) if isinstance(item, Infix)]
    if not infixes:
        return items
    if len(infixes) > 1:
        raise MathProblem("invalid", "two infix fractions (\\over, \\choose, ...) in one group")
    at = infixes[0]
    name, genfrac = c.INFIX[items[at].name]
    parts = [Group(items[:at]), Group(items[at + 1:])]
    if genfrac is None:
        return [Command(name, args=parts)]
    thickness = [items[at].size.text if part is None else part for part in genfrac]
    return [Command(name, args=[Raw(part) for part in thickness] + parts)]


def describe(stop) -> str:
    return {"}": "'}'", "]": "']'", "right": "\\right"}.get(stop, f"\\end{{{stop[1]}}}" if isinstance(stop, tuple) else str(stop))
