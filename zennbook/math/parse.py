"""A formula's tokens read into a tree, as KaTeX reads them: groups, scripts, commands with
their arguments (by KaTeX's own argument table), environments, text mode, \\left...\\right.

Every command is checked against the whitelist (commands.py) as it is read: a name that is
not there stops the parse with a MathProblem naming it. Nesting is bounded (MAX_DEPTH), so
ten thousand braces are a refused formula, not a RecursionError.
"""
from __future__ import annotations

import re

from . import commands as c
from .errors import MathProblem
from .katex_names import UNICODE_COMMANDS
from .nodes import (Align, Char, Command, Delimiter, Environment, Group, Infix, LeftRight, Math,
                    Newline, Raw, Script, Symbol, Text, TextChar)
from .tokens import Token

MAX_DEPTH = 60
SIZE = re.compile(r"^([+-]?)\s*(\d+(?:\.\d*)?|\.\d+)\s*(pt|mm|cm|in|ex|em|mu|bp|pc|dd|cc|sp|px)$")
COLOR = re.compile(r"^(#?)([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8}|[A-Za-z]+)$")
COLUMNS = re.compile(r"^[lcr|: ]*$")
MATH_SPECIALS = set("#$%\\~")
OPERATORS = frozenset(
    "sum prod coprod int iint iiint oint intop smallint bigcup bigcap bigvee bigwedge bigoplus "
    "bigotimes bigodot biguplus bigsqcup lim limsup liminf max min sup inf det gcd Pr injlim "
    "projlim varlimsup varliminf varinjlim varprojlim operatorname mathop log ln exp sin cos tan "
    "arg deg dim hom ker lg sec csc cot sinh cosh tanh coth arcsin arccos arctan".split())


class Parser:
    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.pos = 0
        self.depth = 0
        self.tags: list[str] = []
        self.notes: list[str] = []        # what was left out, for a warning
        self.in_environment = 0

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
                if isinstance(item, Script) or (isinstance(item, Char) and item.text == "'"):
                    kind = item.kind if isinstance(item, Script) else "^"
                    if kind in scripts:
                        raise MathProblem("invalid", "a double superscript or subscript")
                    if isinstance(item, Script):
                        scripts.add(kind)
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
            return self.control_symbol(token.text)
        item = self.command(token.text, [], None, as_argument=True)
        if isinstance(item, list):
            return Group(item)
        if isinstance(item, (Infix, Align, Newline)) or item is None:
            raise MathProblem("invalid", f"\\{token.text} where an argument was expected")
        return item

    # -- commands -----------------------------------------------------------------------------

    def command(self, name: str, items: list, stop, as_argument: bool = False):
        self.check_known(name, text_mode=False)
        if name in c.SWITCHES and as_argument:
            raise MathProblem("invalid", f"\\{name} where an argument was expected")
        if name in c.SWITCHES:
            return [Command(c.SWITCHES[name], args=[Group(self.math_list("cell"))])]
        if name in c.DROPPED:
            self.read_arguments(name)
            return None
        if name == "tag":
            self.star()
            self.tags.append(self.raw_group())
            return None
        if name in c.LIMITS:
            previous = items[-1] if items else None
            if not (isinstance(previous, Command) and previous.name in OPERATORS):
                raise MathProblem("invalid", f"\\{name} after something that is not an operator")
            return Command(name)
        if name == "substack":                 # its argument is the rows of a {subarray}
            arg = self.argument()
            return Environment("subarray", [Raw("c")], None, arg.items if isinstance(arg, Group) else [arg])
        if name == "genfrac":
            return self.genfrac()
        if name == "hline" and not self.in_environment:
            raise MathProblem("invalid", "\\hline outside an array")
        if name in ("newline", "cr"):
            return Newline()
        if name == "begin":
            return self.environment()
        if name in ("end", "right"):
            raise MathProblem("invalid", f"\\{name} without its opening")
        if name in c.DELIMITED:
            return self.delimited(name)
        if name in c.SIZED:
            return self.spacing(name)
        if name in c.INFIX:
            return Infix(name, self.size() if name == "above" else "")
        if name in ("color", "textcolor", "colorbox", "fcolorbox"):
            return self.colored(name)
        if name == "url":
            return Command("text", args=[Text([Command("texttt", args=[Text(
                [TextChar(ch) for ch in self.raw_group()])], text_mode=True)])])
        if name in c.CONTENT_ONLY:
            args = self.read_arguments(name)[1]
            return args[c.CONTENT_ONLY[name]]
        star = self.star() if name in c.STARRED else False
        options, args = self.read_arguments(name)
        return Command(name, star, options, args)

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
            or name in ("tag", "url", "newline", "cr", "color", "textcolor", "colorbox", "fcolorbox") \
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

    def delimited(self, name: str):
        left = self.delimiter(name)
        if name != "left":
            return Command(name, args=[left])
        items = self.math_list("right")
        return LeftRight(left, items, self.delimiter("right"))

    def delimiter(self, name: str) -> Delimiter:
        token = self.next()
        if token.kind == "char" and token.text in c.DELIMITER_CHARS:
            return Delimiter(token.text)
        if token.kind == "char" and token.text in c.UNICODE_DELIMITERS:
            return Delimiter("\\" + c.UNICODE_DELIMITERS[token.text] + " ")
        if token.kind == "cs" and token.text in c.DELIMITERS:
            name_ = token.text
            return Delimiter("\\" + name_ + ("" if len(name_) == 1 else " "))
        raise MathProblem("invalid", f"\\{name} followed by {token.text!r}, which is not a delimiter")

    def spacing(self, name: str) -> Command:
        value = self.size()
        if value.text.endswith("mu"):
            return Command("mspace", args=[value])
        return Command("hspace", args=[value])

    def size(self) -> Raw:
        token = self.peek()
        if token is not None and token.is_char("{"):
            self.pos += 1
            return self.size_text(self.raw_until("}"))
        text = ""
        while (token := self.peek(skip_spaces=False)) is not None and token.kind != "cs" \
                and not SIZE.match(text.strip()) and len(text) < 20:
            text += self.next(skip_spaces=False).text
        while (token := self.peek(skip_spaces=False)) is not None and token.kind == "char" \
                and SIZE.match((text + token.text).strip()):
            text += self.next(skip_spaces=False).text
        return self.size_text(text)

    @staticmethod
    def size_text(text: str) -> Raw:
        found = SIZE.match(text.strip())
        if not found:
            raise MathProblem("invalid", f"{text.strip()!r} is not a size")
        return Raw("".join(found.groups()))

    def bracketed_size(self) -> str:
        token = self.peek(skip_spaces=False)
        if token is None or not token.is_char("["):
            return ""
        self.pos += 1
        return self.size_text(self.raw_until("]")).text

    def colored(self, name: str):
        count = 2 if name == "fcolorbox" else 1
        colors = [self.color(self.raw_group()) for _ in range(count)]
        if name == "color":                    # a switch: the rest of the group
            content = Group(self.math_list("cell"))
            return [Command("textcolor", options=colors[0][0], args=[colors[0][1], content])
                    if colors[0] else content]
        body = self.argument() if name == "textcolor" else self.text_argument()
        if name == "textcolor":
            return Command(name, options=colors[0][0], args=[colors[0][1], body]) if colors[0] else body
        if not all(colors):
            return Command("text", args=[body])
        if name == "colorbox":
            return Command(name, options=colors[0][0], args=[colors[0][1], body])
        return Command(name, options=colors[0][0], args=[colors[0][1], colors[1][1], body])

    def color(self, text: str):
        """([model option], Raw colour) for xcolor, or None (a CSS name xcolor lacks)."""
        found = COLOR.match(text.strip())
        if not found:
            raise MathProblem("invalid", f"{text.strip()!r} is not a colour")
        hash_, value = found.groups()
        if value.isalpha() and not hash_:
            if value.lower() in c.XCOLOR_NAMES:
                return [], Raw(value.lower())
            self.notes.append(f"the colour {value!r} (print knows only {', '.join(sorted(c.XCOLOR_NAMES))})")
            return None
        if len(value) in (3, 4):
            value = "".join(ch * 2 for ch in value[:3])
        return [Raw("HTML")], Raw(value[:6].upper())

    # -- raw text -----------------------------------------------------------------------------

    def raw_group(self) -> str:
        token = self.next()
        if not token.is_char("{"):
            return token.text if token.kind == "char" else "\\" + token.text
        return self.raw_until("}")

    def raw_until(self, close: str) -> str:
        depth, out = 0, []
        while True:
            token = self.next(skip_spaces=False)
            if token.is_char("{"):
                depth += 1
            elif token.is_char("}") and depth > 0:
                depth -= 1
            elif token.is_char(close) and depth == 0:
                return "".join(out)
            out.append(token.text if token.kind != "cs" else "\\" + token.text)

    def group_text(self) -> str:
        if not self.next().is_char("{"):
            raise MathProblem("invalid", "\\begin or \\end without a braced name")
        return self.raw_until("}").strip()

    # -- environments -------------------------------------------------------------------------

    def environment(self):
        name = self.group_text()
        if name in c.UNSUPPORTED_ENVIRONMENTS:
            raise MathProblem("unsupported", f"the environment {{{name}}}")
        if name not in c.ENVIRONMENTS:
            raise MathProblem("unsafe", f"the environment {{{name}}}, which is not a KaTeX environment")
        mandatory, optional = c.environment_arguments(name)
        option = None
        if optional and self.peek() is not None and self.peek().is_char("["):
            self.pos += 1
            option = self.columns(self.raw_until("]"))
        args = [self.count(self.raw_group()) if name in ("alignat", "alignat*", "alignedat")
                else self.columns(self.raw_group()) for _ in range(mandatory)]
        self.in_environment += 1
        body = self.math_list(("end", name))
        self.in_environment -= 1
        check_columns(name, args, body)
        inner = c.TOP_LEVEL_ENVIRONMENTS.get(name, name)
        if inner == "":
            return Group(body)
        return Environment(inner, args, option, body)

    @staticmethod
    def columns(text: str) -> Raw:
        if not COLUMNS.match(text):
            raise MathProblem("unsupported", f"the column specification {text!r}")
        return Raw(text.replace(":", "|"))

    @staticmethod
    def count(text: str) -> Raw:
        if not text.strip().isdigit() or not 0 < int(text) < 50:
            raise MathProblem("invalid", f"{text!r} is not a number of columns")
        return Raw(text.strip())

    def genfrac(self) -> Command:
        """\\genfrac{(}{)}{thickness}{style}{a}{b}: delimiters, a size and a style 0-3, checked."""
        left, right = (self.genfrac_delimiter(self.raw_group().strip()) for _ in range(2))
        thickness = self.raw_group().strip()
        thickness = self.size_text(thickness).text if thickness else ""
        style = self.raw_group().strip()
        if style not in ("", "0", "1", "2", "3"):
            raise MathProblem("invalid", f"\\genfrac style {style!r} (0 to 3)")
        return Command("genfrac", args=[Raw(left), Raw(right), Raw(thickness), Raw(style),
                                        self.argument(), self.argument()])

    @staticmethod
    def genfrac_delimiter(text: str) -> str:
        if text == "" or (len(text) == 1 and text in c.DELIMITER_CHARS) or \
                (text.startswith("\\") and (text[1:] in c.DELIMITERS)):
            return text
        raise MathProblem("invalid", f"\\genfrac delimiter {text!r}")

    # -- text mode ----------------------------------------------------------------------------

    def text_argument(self) -> Text:
        token = self.next()
        if token.is_char("{"):
            return Text(self.text_list("}"))
        return Text(self.text_item(token, None) or [])

    def text_list(self, stop) -> list:
        items: list = []
        with self.nested():
            while True:
                token = self.peek(skip_spaces=False)
                if token is None:
                    if stop in (None, "rest"):
                        break
                    raise MathProblem("invalid", "unbalanced braces")
                if token.is_char("}"):
                    if stop == "}":
                        self.pos += 1
                    break
                self.pos += 1
                item = self.text_item(token, stop)
                if isinstance(item, list):
                    items.extend(item)
                elif item is not None:
                    items.append(item)
        return items

    def text_item(self, token: Token, stop):
        if token.kind == "space":
            return TextChar(" ")
        if token.kind == "char":
            if token.text == "{":
                return Text(self.text_list("}"))
            if token.text == "$":
                return Math(self.inline_math())
            return TextChar(token.text)
        name = token.text
        if len(name) == 1 and not name.isalpha():
            return self.text_symbol(name)
        self.check_known(name, text_mode=True)
        if name in c.SIZED:
            return Command("hspace", args=[em_size(self.size())], text_mode=True)
        if name in c.TEXT_SWITCHES:
            return [Command(c.TEXT_SWITCHES[name], args=[Text(self.text_list("rest"))],
                            text_mode=True)]
        if name in ("color", "textcolor", "colorbox", "fcolorbox", "url") or name in c.CONTENT_ONLY:
            raise MathProblem("unsupported", f"\\{name} in text")
        options, args = self.read_text_arguments(name)
        return Command(name, options=options, args=args, text_mode=True)

    def read_text_arguments(self, name: str) -> tuple[list, list]:
        mandatory, optional, types = c.arguments(name)
        if optional:
            raise MathProblem("unsupported", f"\\{name} in text")
        args = []
        for kind in list(types) + [None] * (mandatory - len(types)):
            args.append(self.size() if kind == "size" else self.text_argument())
        return [], args

    def text_symbol(self, char: str):
        if char in c.TEXT_SYMBOLS:
            return Symbol(char)
        if char in c.TEXT_ACCENTS:
            return Command(char, args=[self.text_argument()], text_mode=True)
        if char == "(":
            return Math(self.inline_math(close="\\)"))
        raise MathProblem("invalid", f"\\{char} in text")

    def inline_math(self, close: str = "$") -> list:
        start = self.pos
        for index in range(start, len(self.tokens)):
            token = self.tokens[index]
            if (close == "$" and token.is_char("$")) or (close != "$" and token.is_cs(")")):
                inner = Parser(self.tokens[start:index])
                inner.depth = self.depth
                items = inner.parse()
                self.tags += inner.tags
                self.notes += inner.notes
                self.pos = index + 1
                return items
        raise MathProblem("invalid", "math inside text that is never closed")


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


def check_columns(name: str, args: list, body: list) -> None:
    """More cells in a row than the environment has columns stops LaTeX (KaTeX refuses too)."""
    if name in c.COLUMN_LIMITS:
        limit = c.COLUMN_LIMITS[name]
    elif name in ("array", "darray", "subarray"):
        limit = sum(ch in "lcr" for ch in args[0].text)
    elif name in ("alignat", "alignat*", "alignedat"):
        limit = 2 * int(args[0].text)
    else:
        return
    cells = 1
    for item in body:
        if isinstance(item, Newline):
            cells = 1
        elif isinstance(item, Align):
            cells += 1
            if cells > limit:
                raise MathProblem("invalid", f"a row of {{{name}}} with more than {limit} column(s)")


def em_size(value: Raw) -> Raw:
    """A dimension for \\hspace: mu (math units, 18 to the em) only exist in math spacing."""
    if not value.text.endswith("mu"):
        return value
    return Raw(f"{float(value.text[:-2]) / 18:.4f}em")


def describe(stop) -> str:
    return {"}": "'}'", "]": "']'", "right": "\\right"}.get(stop, f"\\end{{{stop[1]}}}" if isinstance(stop, tuple) else str(stop))
