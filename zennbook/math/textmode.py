"""The parser's text mode (\\text{...}, \\textbf{...}, \\hbox{...}): characters kept as
characters (the emitter escapes TeX's specials), KaTeX's text commands, math inside $...$."""
from __future__ import annotations

from . import commands as c
from .errors import MathProblem
from .forms import em_size
from .nodes import Command, Math, Symbol, Text, TextChar
from .tokens import Token


class TextMode:
    """Mixed into Parser: uses its token reading and its check of command names."""

    def text_argument(self) -> Text:
        token = self.next()
        if token.is_char("{"):
            return Text(self.text_list("}"))
        item = self.text_item(token, "rest")       # \\text x: one token is the argument
        return Text(item if isinstance(item, list) else [item] if item is not None else [])

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
        if name in ("hline", "hdashline"):
            raise MathProblem("invalid", f"\\{name} in text")
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
            args.append(em_size(self.size()) if kind == "size" else self.text_argument())
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
                inner = type(self)(self.tokens[start:index])
                inner.depth = self.depth
                items = inner.parse()
                self.tags += inner.tags
                self.notes += inner.notes
                self.pos = index + 1
                return items
        raise MathProblem("invalid", "math inside text that is never closed")
