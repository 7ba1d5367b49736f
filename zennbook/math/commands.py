"""How each KaTeX command reaches LaTeX: the whitelist as data.

katex_names.py (generated from KaTeX itself) lists every command KaTeX knows, its arguments
and whether LaTeX, with the packages zennbook.sty loads, defines it. This file decides, on
top of that: a KaTeX shorthand LaTeX lacks is rewritten (SHORTHANDS, expanded like a macro);
a command that could act on TeX itself is refused (REFUSED); a command print cannot draw is
printed as source (UNSUPPORTED); the rest go to LaTeX under their own name, arguments braced.
A name in none of these tables and not in KaTeX's is unknown, and refused.
"""
from __future__ import annotations

from .katex_names import COMMANDS, ENVIRONMENTS, MATH_COMMANDS, TEXT_COMMANDS

GREEK_CAPITALS = {"Alpha": "A", "Beta": "B", "Chi": "X", "Epsilon": "E", "Eta": "H", "Iota": "I",
                  "Kappa": "K", "Mu": "M", "Nu": "N", "Omicron": "O", "Rho": "P", "Tau": "T",
                  "Zeta": "Z"}
# KaTeX shorthands: expanded in Python, before parsing, into what LaTeX knows.
SHORTHANDS = {
    **{name: rf"\mathrm{{{letter}}}" for name, letter in GREEK_CAPITALS.items()},
    "omicron": "o", "RR": r"\mathbb{R}",
    "R": r"\mathbb{R}", "Reals": r"\mathbb{R}", "reals": r"\mathbb{R}", "N": r"\mathbb{N}",
    "natnums": r"\mathbb{N}", "Z": r"\mathbb{Z}", "Complex": r"\mathbb{C}", "cnums": r"\mathbb{C}",
    "bold": r"\mathbf{#1}", "Bbb": r"\mathbb{#1}", "frak": r"\mathfrak{#1}", "mathsfit": r"\mathsf{#1}",
    "argmax": r"\operatorname*{arg\,max}", "argmin": r"\operatorname*{arg\,min}",
    "plim": r"\operatorname*{plim}",
    **{name: rf"\operatorname{{{name}}}" for name in ("arctg", "arcctg", "cosec", "cotg", "ctg", "cth",
                                                        "sh", "tg", "th")},
    "Darr": r"\Downarrow", "dArr": r"\Downarrow", "darr": r"\downarrow", "Harr": r"\Leftrightarrow",
    "hArr": r"\Leftrightarrow", "harr": r"\leftrightarrow", "Larr": r"\Leftarrow", "lArr": r"\Leftarrow",
    "larr": r"\leftarrow", "Lrarr": r"\Leftrightarrow", "lrArr": r"\Leftrightarrow",
    "lrarr": r"\leftrightarrow", "Rarr": r"\Rightarrow", "rArr": r"\Rightarrow", "rarr": r"\rightarrow",
    "Uarr": r"\Uparrow", "uArr": r"\Uparrow", "uarr": r"\uparrow",
    "alef": r"\aleph", "alefsym": r"\aleph", "bull": r"\bullet", "clubs": r"\clubsuit",
    "diamonds": r"\diamondsuit", "hearts": r"\heartsuit", "spades": r"\spadesuit", "exist": r"\exists",
    "image": r"\Im", "infin": r"\infty", "isin": r"\in", "lang": r"\langle", "rang": r"\rangle",
    "plusmn": r"\pm", "sdot": r"\cdot", "sect": r"\S", "sub": r"\subset", "sube": r"\subseteq",
    "supe": r"\supseteq", "thetasym": r"\vartheta", "weierp": r"\wp", "notni": r"\not\ni", "lt": "<",
    "gt": ">", "degree": r"{}^{\circ}", "Dagger": r"\ddagger", "real": r"\Re", "ratio": r"\vcentcolon", "varvdots": r"\vdots", "dotsx": r"\dots",
    "lBrace": r"\mathopen{\{\mkern-5mu\{}", "rBrace": r"\mathclose{\}\mkern-5mu\}}",
    "llbracket": r"\mathopen{[\mkern-3.2mu[}", "rrbracket": r"\mathclose{]\mkern-3.2mu]}",
    "bra": r"\mathinner{\langle{#1}|}", "ket": r"\mathinner{|{#1}\rangle}",
    "braket": r"\mathinner{\langle{#1}\rangle}", "Bra": r"\left\langle{#1}\right|",
    "Ket": r"\left|{#1}\right\rangle", "set": r"\{{#1}\}", "Set": r"\left\{{#1}\right\}",
    "Braket": r"\left\langle{#1}\right\rangle",
    "coloncolon": r"\dblcolon", "colonequals": r"\coloneqq", "colonminus": r"\coloneq",
    "coloncolonequals": r"\Coloneqq", "coloncolonminus": r"\Coloneq",
    "coloncolonapprox": r"\Colonapprox", "coloncolonsim": r"\Colonsim", "equalscolon": r"\eqqcolon",
    "equalscoloncolon": r"\Eqqcolon", "minuscolon": r"\eqcolon", "minuscoloncolon": r"\Eqcolon",
    "approxcoloncolon": r"\approx\dblcolon", "simcoloncolon": r"\sim\dblcolon",
    "Overrightarrow": r"\overrightarrow{#1}", "overlinesegment": r"\overline{#1}",
    "underlinesegment": r"\underline{#1}", "widecheck": r"\check{#1}", "xlongequal": r"\overset{#1}{=\!=\!=}",
    "TeX": r"\text{\TeX}", "LaTeX": r"\text{\LaTeX}", "KaTeX": r"\text{KaTeX}",
    "copyright": r"\text{\copyright}", "textcopyright": r"\text{\copyright}",
    "textregistered": r"\text{\textregistered}", "circledR": r"\text{\textregistered}",
}
# Written without a braced argument, these set the rest of the group (KaTeX and old LaTeX);
# jlreq does not define them, so the rest of the group becomes their argument.
SWITCHES = {"bf": "mathbf", "rm": "mathrm", "it": "mathit", "sf": "mathsf", "tt": "mathtt",
            "cal": "mathcal"}
TEXT_SWITCHES = {"bf": "textbf", "rm": "textrm", "it": "textit", "sf": "textsf", "tt": "texttt"}
# KaTeX accepts these; in LaTeX they define, expand, read or write, or print on the terminal.
REFUSED = frozenset({
    "def", "gdef", "edef", "xdef", "let", "futurelet", "global", "long", "newcommand",
    "renewcommand", "providecommand", "expandafter", "noexpand", "char", "message", "errmessage",
    "show", "TextOrMath", "DOTSB", "DOTSI", "DOTSX", "tmspace",
})
UNSUPPORTED = frozenset({
    "includegraphics", "verb", "ch", "angl", "angln", "phase", "oiint", "oiiint", "overgroup",
    "undergroup", "utilde", "overleftharpoon", "overrightharpoon", "sout", "sixptsize", "minuso",
    "imageof", "origof", "xleftequilibrium", "xrightequilibrium", "xrightleftarrows", "xtofrom",
    "xtwoheadleftarrow", "xtwoheadrightarrow", "vcenter",
})
# Text accents: LaTeX has no math font glyph for them (KaTeX draws them in math as well).
TEXT_ONLY = frozenset({"H", "c", "r", "u", "v", "AA", "aa"})
DROPPED = frozenset({"label", "nonumber", "notag", "relax"})   # numbering is the writer's; see \tag
CONTENT_ONLY = {"htmlClass": 1, "htmlId": 1, "htmlStyle": 1, "htmlData": 1, "href": 1}   # arg index
# Commands whose arguments KaTeX reads itself (not from its function table).
EXTRA_ARGS = {"operatorname": (1, 0, ()), "hspace": (1, 0, ("size",)), "tag": (1, 0, ("raw",)),
              "label": (1, 0, ("raw",)), "substack": (1, 0, ())}
STARRED = frozenset({"operatorname", "hspace", "tag"})
SIZED = frozenset({"kern", "mkern", "hskip", "mskip"})      # an unbraced dimension follows
LIMITS = frozenset({"limits", "nolimits"})
DELIMITED = frozenset({"left", "middle", "right", "big", "Big", "bigg", "Bigg", "bigl", "Bigl",
                       "biggl", "Biggl", "bigr", "Bigr", "biggr", "Biggr", "bigm", "Bigm", "biggm",
                       "Biggm"})
DELIMITERS = frozenset({
    "{", "}", "|", "lbrace", "rbrace", "langle", "rangle", "lvert", "rvert", "lVert", "rVert",
    "vert", "Vert", "lfloor", "rfloor", "lceil", "rceil", "uparrow", "downarrow", "updownarrow",
    "Uparrow", "Downarrow", "Updownarrow", "backslash", "lgroup", "rgroup", "lmoustache",
    "rmoustache", "ulcorner", "urcorner", "llcorner", "lrcorner", "lbrack", "rbrack", "lang", "rang",
})
DELIMITER_CHARS = frozenset("()[]|./<>")
UNICODE_DELIMITERS = {"⟨": "langle", "⟩": "rangle", "‖": "Vert", "⌊": "lfloor", "⌋": "rfloor",
                      "⌈": "lceil", "⌉": "rceil", "｜": "vert"}
# TeX's infix fractions, as commands: (command, the four \genfrac arguments before a/b).
INFIX = {"over": ("frac", None), "choose": ("binom", None), "atop": ("genfrac", ("", "", "0pt", "")),
         "brace": ("genfrac", (r"\{", r"\}", "0pt", "")), "brack": ("genfrac", ("[", "]", "0pt", "")),
         "above": ("genfrac", ("", "", None, ""))}
# Environments KaTeX allows only at the top of a display; inside \[ \] LaTeX needs these forms.
TOP_LEVEL_ENVIRONMENTS = {"align": "aligned", "align*": "aligned", "gather": "gathered",
                          "gather*": "gathered", "alignat": "alignedat", "alignat*": "alignedat",
                          "equation": "", "equation*": "", "darray": "array", "split": "aligned"}
UNSUPPORTED_ENVIRONMENTS = frozenset({"CD"})
# Columns an environment's rows may have (& + 1); others: as many as the argument says.
MATRICES = frozenset("matrix pmatrix bmatrix Bmatrix vmatrix Vmatrix smallmatrix matrix* pmatrix* "
                     "bmatrix* Bmatrix* vmatrix* Vmatrix*".split())
MAX_MATRIX_COLUMNS = 64        # zennbook.sty sets amsmath's MaxMatrixCols to this
COLUMN_LIMITS = {"gathered": 1, "gather": 1, "gather*": 1, "cases": 2, "dcases": 2, "rcases": 2,
                 "drcases": 2, **{name: MAX_MATRIX_COLUMNS for name in MATRICES}}
# Control symbols: in math, in text (accents take one argument).
MATH_SYMBOLS = frozenset(",:;!> {}|#$%&_")
TEXT_SYMBOLS = frozenset(" {}#$%&_")
TEXT_ACCENTS = frozenset("'`^\"~=.")
# xcolor's own names; other CSS names are dropped (the text keeps its own colour).
XCOLOR_NAMES = frozenset("red green blue cyan magenta yellow black gray white darkgray lightgray "
                         "brown lime olive orange pink purple teal violet".split())


def arguments(name: str) -> tuple[int, int, tuple]:
    """(mandatory, optional, argument types) of a KaTeX command."""
    if name in EXTRA_ARGS:
        return EXTRA_ARGS[name]
    mandatory, optional, types, _ = COMMANDS[name]
    return mandatory, optional, types


def katex_knows(name: str, text_mode: bool) -> bool:
    if text_mode:
        return name in TEXT_COMMANDS or name in TEXT_ONLY or name == "hspace"
    return name in MATH_COMMANDS or name in EXTRA_ARGS or name in LIMITS or name in SHORTHANDS


def latex_defines(name: str) -> bool:
    return name in COMMANDS and COMMANDS[name][3]


def environment_arguments(name: str) -> tuple[int, int]:
    return ENVIRONMENTS[name]


# The names the emitter may write: KaTeX's commands LaTeX defines, minus the refused and the
# unprintable, plus the few it writes itself. The property tests hold every output to this.
EMITTED_NAMES = frozenset(
    {name for name, row in COMMANDS.items() if row[3]} - REFUSED - UNSUPPORTED - DROPPED
    - {"verb", "href", "url", "includegraphics", "begin", "end"} - set(SWITCHES)
    | {"begin", "end", "operatorname", "mspace", "hspace", "substack", "text", "texttt", "mathbb", "mathrm",
       "textasciicircum", "textasciitilde", "textbackslash", "limits", "nolimits", "frac", "binom",
       "genfrac", "mathopen", "mathclose", "mathinner", "hline"}
    | set(SWITCHES.values()) | set(TEXT_SWITCHES.values()))
