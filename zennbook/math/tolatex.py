"""LaTeX written from the parse tree. Every control word written is a whitelisted name
followed by its arguments in braces (or a space), characters are written one by one and
TeX's special characters only as the tree's own structure: nothing in the source can
join with what follows to form a new control sequence name."""
from __future__ import annotations

from .nodes import (Align, Char, Command, Delimiter, Environment, Group, LeftRight, Math, Newline,
                    Raw, Script, Symbol, Text, TextChar)

# LaTeX reads a `[` (or `*`) right after a row break as its option (the extra space), and
# after \begin{aligned} as the position: the writer puts `{}` before a `[` of the formula.
LOOKS_AHEAD = ("\\\\\n", "\\\\")
TEXT_ESCAPES = {"_": r"\_", "^": r"\textasciicircum{}", "&": r"\&", "#": r"\#", "%": r"\%",
                "$": r"\$", "~": r"\textasciitilde{}", "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}"}


def write(items: list, context: str = "group") -> str:
    """context: "body" (an alignment's cells: & and \\\\ kept) or "group" (dropped: a line
    break inside a group has no place in print; KaTeX breaks the line there)."""
    out = ""
    for item in items:
        piece = write_item(item, context)
        if out.endswith(LOOKS_AHEAD) and piece.startswith(("[", "*")):
            out += "{}"                 # `\\ [x]` or `\begin{aligned}[x`: not an option
        out += piece
    return out


def write_item(item, context: str) -> str:
    if isinstance(item, Char):
        return item.text
    if isinstance(item, TextChar):
        return TEXT_ESCAPES.get(item.text, item.text)
    if isinstance(item, Raw):
        return item.text
    if isinstance(item, Symbol):
        return "\\" + item.char
    if isinstance(item, Group):
        return "{" + write(item.items) + "}"
    if isinstance(item, Text):
        return "{" + write(item.items) + "}"
    if isinstance(item, Math):
        return "$" + write(item.items) + "$"
    if isinstance(item, Script):
        return item.kind + braced(item.arg)
    if isinstance(item, Command):
        return write_command(item)
    if isinstance(item, LeftRight):
        return (f"\\left{item.left.text}" + write(item.items) + f"\\right{item.right.text}")
    if isinstance(item, Environment):
        return write_environment(item)
    if isinstance(item, Align):
        return "&" if context == "body" else " "
    if isinstance(item, Newline):
        if context != "body":
            return " "
        return "\\\\" + (f"[{item.space}]" if item.space else "") + "\n"
    raise TypeError(f"no LaTeX for {item!r}")      # a parser bug, reported as internal


def braced(item) -> str:
    if isinstance(item, (Group, Text)):
        return write_item(item, "group")
    return "{" + write_item(item, "group") + "}"


def write_command(command: Command) -> str:
    head = "\\" + command.name + ("*" if command.star else "")
    options = "".join("[" + braced(option) + "]" for option in command.options)
    args = "".join(write_argument(arg) for arg in command.args)
    if command.suffix:
        return head + command.suffix
    if not options and not args:
        return head + ("{}" if command.text_mode else " ")
    return head + options + args


def write_argument(arg) -> str:
    if isinstance(arg, Delimiter):
        return arg.text
    if isinstance(arg, Raw):
        return "{" + arg.text + "}"
    return braced(arg)


def write_environment(env: Environment) -> str:
    option = f"[{env.option.text}]" if env.option else ""
    args = "".join("{" + arg.text + "}" for arg in env.args)
    body = write(env.body, "body")
    if body.startswith(("[", "*")):
        body = "{}" + body
    return f"\\begin{{{env.name}}}{option}{args}" + body + f"\\end{{{env.name}}}"
