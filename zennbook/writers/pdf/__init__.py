"""The print PDF, built in units: a one-article edit recompiles one chapter, not the book.

    split.py      the book's LaTeX cut into units; each article's LaTeX cached
    jobs.py       a LuaLaTeX job, the runner, what its log says of each page
    units.py      chapter jobs and keys, batching, the TOC per unit, counters and parity
    front.py      the front matter with the merged table of contents
    stamps.py     running heads, page numbers and the license line
    store.py      cache entries pointing at job folders; garbage collection
    build.py      build_pdf_units: plan, settle, front and stamps, assemble
    assemble.py   pikepdf: pages, stamps, links, outline, labels, metadata
    fontshare.py  one copy of each font program in the joined file

  print on demand (book.yaml pdf.preset, pdf.volume_pages; release's chapters/):
    presets.py    the print services as one data table; the page layout and boxes of a preset
    printset.py   write_pdf_units (the writer): the book with the gutter for its page count,
                  the volumes, the covers
    volumes.py    where a book is cut into volumes (balanced, at part boundaries when it can)
    printcover.py a cover sheet: back, spine (pages x paper thickness), front
    chapters.py   per-chapter PDFs cut from the book along its chapter destinations
    preflight.py  the print check verify runs: fonts, boxes, image resolution, page limits

    book.tex.j2 -> book.tex -> preamble | front matter | one segment per chapter (its part page too)
    each chapter ("unit")   -> LuaLaTeX, one pass, heads and feet left blank  -> cached by its LaTeX
    front matter + TOC      -> LuaLaTeX (the TOC merged from the units' own) -> cached by its LaTeX
    heads and feet          -> LuaLaTeX, one "stamp" page per distinct head / foot -> cached per stamp
    pikepdf: front pages, then every unit page with its head stamp under it and its foot stamp
             (page number, license line) over it; outline, links, page labels, metadata;
             saved with a content-derived /ID and no clock

Why this is the same book as `latex.write_pdf` (one document, two or three passes):

- a chapter starts on a new page (jlreq: `pagebreak=clearpage`), floats and footnotes are
  flushed before it and every counter a reader sees is reset by \\chapter, so a chapter's
  pages depend only on its own LaTeX, the preamble, its chapter and part numbers (which the
  unit is given) and, for a part's first chapter, the parity it starts at: jlreq sets a
  part's title page on an odd page and adds an empty page before it when needed. A unit
  says when its pages depended on the parity (or when odd and even pages have different
  margins); it is then compiled again at the parity it lands on, which becomes part of its
  key. The counters that number things (footnote, equation, figure, table) are checked
  after every build too: one that \\chapter does not reset is carried from the unit before.
- the page-dependent layer is not set by the unit: page numbers and running heads are set
  by the book's own page styles in separate jobs ("stamps"), with the page number the page
  has in the book and the marks it had in the unit (the last mark of the page before when
  a page has none of its own, as TeX does). Each unit records, for every page, its page
  style, hashes of the odd and even heads and feet it would have printed and whether they
  read the page number or the marks; a stamp is keyed by exactly what it reads (so after a
  page-count change most stamps are reused), and a stamp job checks that it set the same
  head and foot definitions the unit had.
- the table of contents is the monolithic one: the units' .toc lines, page numbers shifted
  to where each unit lands, read by the front matter's own \\tableofcontents.

A cold build batches consecutive chapters into one job per core (one font loading for many
chapters); an edit compiles the changed chapter alone. A chapter is set the same either way:
it starts from the same counters and on a fresh page, and its marks and parity are handled
as above. The output's bytes depend only on the cached pages, so two builds from a clean
cache are identical; an incremental build gives the same pages but not always the same bytes
as a cold one (a unit cached before the book's characters changed keeps its older font cut).

Fonts: every job loads the same fonts, cut once for the whole book's characters
(writers/fonts.py), and embeds them whole rather than cutting a subset of its own; the
assembly then keeps one copy of each font program (`share_font_programs`).

LaTeX runs as in latex.py: no shell escape, paranoid file access, SOURCE_DATE_EPOCH. Each job
runs in its own folder under the cache (`<cache>/pdfunits/jobs/<key>`), which keeps its log.
The comparison with the one-document build (same pages, text, outline, links) lives with
the tests that make it (tests/writers/pdfunits/facts.py).
"""
from .build import UnitBuild, build_pdf_units, workers_for
from .printset import write_pdf_units
from .jobs import JOB

__all__ = ["write_pdf_units", "build_pdf_units", "workers_for", "UnitBuild", "JOB"]
