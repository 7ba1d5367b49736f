"""The book as LaTeX: a render pass per article, pandoc to LaTeX, a Jinja2 book template, LuaLaTeX.

    assets.py    escaping helpers, raw LaTeX nodes, the files a job folder gets (images, QR codes)
    lines.py     each block's source line (read from the tree), for the .tex's markers
    render.py    the render pass: boxes, cards, code, math (zennbook.math), images, links
    tables.py    table widths and type size; too-wide tables as column groups
    document.py  book.tex.j2 filled: chapters, parts, license, trim and print options
    run.py       LuaLaTeX in the jail until the TOC settles
    log.py       the log read back as located diagnostics and the layout report
    onedoc.py    write_pdf, the one-document build (the unit build in writers/pdf/ is
                 compared with it; proof uses it)

    article AST -> render pass (panflute) -> pandoc -> chapters/<slug>.tex
    book.tex.j2 + zennbook.sty -> lualatex (until the TOC settles) -> log -> layout report

LaTeX runs without shell escape and with paranoid file access (openin_any=p,
openout_any=p): it can read only what we copied into its build folder. Article text reaches
LaTeX escaped by pandoc, as verbatim code, or as math written again by zennbook.math from
its parse tree, with only whitelisted commands.

Every block the render pass can place is preceded by a `%zb:line=N` comment (N: the
article's source line), and book.tex marks each chapter with `%zb:article=SLUG`; the log
scanner maps a line of the LaTeX log back to the article and its source line that way.
"""

from .assets import TEXT_WIDTH_PT, LatexAssets, LatexError, breakable_code, breakable_text
from .document import book_document, chapter_entry, render_book_tex, shorten, trim_options
from .log import TexSources, log_events, scan_log
from .onedoc import write_pdf
from .render import article_latex, render_image, render_math, render_str
from .run import compile_once, lua_out_of_memory, needs_rerun, run_lualatex
from .tables import table_layout, text_width

__all__ = ["LatexAssets", "LatexError", "TEXT_WIDTH_PT", "breakable_code", "breakable_text", "article_latex", "render_image", "render_math", "render_str", "table_layout", "text_width", "book_document", "chapter_entry", "render_book_tex", "shorten", "trim_options", "compile_once", "lua_out_of_memory", "needs_rerun", "run_lualatex", "TexSources", "log_events", "scan_log", "write_pdf"]
