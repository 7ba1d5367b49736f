"""The parser's special forms: delimiters, dimensions, colours, raw text, environments and
\\genfrac, each read and checked (a dimension is a number and a unit, a colour a name or hex,
a column specification only l, c, r and rules), so nothing unchecked reaches the output."""
from __future__ import annotations

import re

from . import commands as c
from .errors import MathProblem
from .nodes import Align, Command, Delimiter, Environment, Group, LeftRight, Newline, Raw

SIZE = re.compile(r"^([+-]?)\s*(\d+(?:\.\d*)?|\.\d+)\s*(pt|mm|cm|in|ex|em|mu|bp|pc|dd|cc|sp|px)$")
COLOR = re.compile(r"^(#?)([0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8}|[A-Za-z]+)$")
COLUMNS = re.compile(r"^[lcr|: ]*$")


class Forms:
    """Mixed into Parser: uses its token reading (peek, next) and math_list/argument."""

    def delimited(self, name: str):
        if name == "middle" and not self.in_left_right:
            raise MathProblem("invalid", "\\middle outside \\left...\\right")
        left = self.delimiter(name)
        if name != "left":
            return Command(name, args=[left])
        self.in_left_right += 1
        items = self.math_list("right")
        self.in_left_right -= 1
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
        thickness = em_size(self.size_text(thickness)).text if thickness else ""
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
