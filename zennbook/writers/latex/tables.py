"""Tables in print: type size and column widths like CSS's automatic layout, and a table too
wide for the line set as several tables of the columns that fit, each repeating the first."""
from __future__ import annotations

import json
import re
import unicodedata

import panflute as pf

from ...filtering import walk
from .assets import raw

# -- tables -------------------------------------------------------------------------------------

# A half-width character at \small and \footnotesize, in pt (CJK characters count twice).
TABLE_FONTS = (("\\small", 4.5), ("\\footnotesize", 4.0))
TABLE_TABCOLSEP_PT = 4.0
SHORT_CELL = 8.0        # half-width characters: 第4章, ありません, 1〜5
LONG_RUN_CHARS = 22.0   # zennbook.sty lets a run of 20 Latin glyphs or more break anywhere


def table_layouts(doc: pf.Doc, line_pt: float) -> dict[int, list[tuple[list[int], str, list | None]]]:
    """Each table's layout (by id), from its cells' text before the render pass changes it:
    one part per group of columns (`column_groups`), each with its type size and widths."""
    layouts = {}

    def measure(elem, _doc):
        if isinstance(elem, pf.Table):
            columns = table_columns(elem)
            layouts[id(elem)] = [(group, *columns_layout([columns[i] for i in group], line_pt))
                                 for group in column_groups(columns, line_pt)]

    walk(doc, measure, doc)
    return layouts


def render_table(elem: pf.Table, doc):
    parts = doc.zb_tables[id(elem)]
    if len(parts) > 1:
        return split_table(elem, parts, doc)
    _, font, widths = parts[0]
    widths = widths or ["ColWidthDefault"] * len(elem.colspec)   # fits: natural columns
    elem.colspec = [(align, width) for (align, _), width in zip(elem.colspec, widths)]
    return [raw(f"\\begin{{zbtable}}[{font}]"), elem, raw("\\end{zbtable}")]


def table_layout(elem: pf.Table, line_pt: float) -> tuple[str, list[float] | None]:
    """The table's type size, and relative column widths when its natural width does not fit.

    Columns share the line as in CSS's automatic table layout: each gets its longest
    unbreakable word, then the rest in proportion to how much more its longest cell wants.
    """
    return columns_layout(table_columns(elem), line_pt)


def columns_layout(columns: list[tuple[float, float]], line_pt: float) -> tuple[str, list[float] | None]:
    """`table_layout` for columns already measured."""
    for font, unit in TABLE_FONTS:
        room = (line_pt - 2 * TABLE_TABCOLSEP_PT * len(columns)) / unit
        least, most = [c[0] for c in columns], [c[1] for c in columns]
        if sum(most) <= room:
            return font, None
        if sum(least) <= room or font == TABLE_FONTS[-1][0]:
            return font, share_widths(least, most, room)
    return TABLE_FONTS[-1][0], None


def share_widths(least: list[int], most: list[int], room: float) -> list[float]:
    spare = max(room - sum(least), 0)
    extra = sum(most) - sum(least) or 1
    widths = [lo + (hi - lo) * spare / extra for lo, hi in zip(least, most)]
    total = sum(widths) or 1
    return [round(w / total, 4) for w in widths]


def table_columns(elem: pf.Table) -> list[tuple[float, float]]:
    """(unbreakable width, natural width) of each column, in half-width characters."""
    columns = [(2, 2)] * len(elem.colspec)
    rows = [row for part in (elem.head, *elem.content, elem.foot) if part for row in part.content]
    for row in rows:
        for index, cell in enumerate(row.content[:len(columns)]):
            text = pf.stringify(cell).strip()
            least, most = columns[index]
            short = min(text_width(text), SHORT_CELL)   # a short cell is not worth wrapping
            unbroken = min(unbreakable_width(text), LONG_RUN_CHARS)   # zennbook.sty breaks longer runs
            need = max(unbroken, short) + 1   # one character to spare
            columns[index] = (max(least, need), max(most, text_width(text) + 1))
    return columns


def text_width(text: str) -> float:
    """Width in half-width characters: CJK counts 2, Latin 1.1 (capitals run wide)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in text)


def unbreakable_width(text: str) -> float:
    """The widest run that cannot wrap: a Latin word or code (Japanese wraps anywhere)."""
    words = re.findall(r"[\x21-\x7e]+", text)
    return max([text_width(w) for w in words] + [2])


# A table wider than the page even at the smallest type, every column at its narrowest, is
# set as several tables one under the other, each with as many columns as fit and the
# first column repeated (it names the row). A column needs at least this many half-width
# characters: zennbook.sty breaks any longer run of Latin text wherever it must.
COLUMN_MIN_CHARS = 10.0
GROUP_ROOM = 0.95       # of the line filled by a part: the widths are estimates


def column_groups(columns: list[tuple[float, float]], line_pt: float) -> list[list[int]]:
    """The columns of each part of the table: one part holding them all when they fit."""
    unit, room = TABLE_FONTS[-1][1], line_pt * GROUP_ROOM
    need = [min(least, COLUMN_MIN_CHARS) * unit + 2 * TABLE_TABCOLSEP_PT for least, _ in columns]
    if sum(need) <= line_pt or len(columns) < 2:
        return [list(range(len(columns)))]
    groups: list[list[int]] = [[0]]
    for index in range(1, len(columns)):
        used = sum(need[i] for i in groups[-1])
        if len(groups[-1]) > 1 and used + need[index] > room:
            groups.append([0])
        groups[-1].append(index)
    return groups


def split_table(elem: pf.Table, parts: list, doc) -> list:
    """The table as one table per group of columns (see `column_groups`)."""
    out = []
    for number, (group, font, widths) in enumerate(parts):
        part = table_part(elem, group, number > 0)
        widths = widths or ["ColWidthDefault"] * len(group)
        part.colspec = [(align, width) for (align, _), width in zip(part.colspec, widths)]
        out += [raw(f"\\begin{{zbtable}}[{font}]"), part, raw("\\end{zbtable}")]
    return out


def table_part(elem: pf.Table, group: list[int], repeated_first: bool) -> pf.Table:
    """Columns `group` of `elem` as a table of their own; a copied cell when the first column
    is repeated (an element has one parent), the caption on the first part only."""
    def cells(row: pf.TableRow) -> pf.TableRow:
        chosen = [row.content[i] for i in group if i < len(row.content)]
        return pf.TableRow(*[copied_cell(c) if repeated_first and not k else c for k, c in enumerate(chosen)])

    def rows(section):
        return [cells(row) for row in section.content] if section else []
    head = pf.TableHead(*rows(elem.head))
    bodies = [pf.TableBody(*rows(body)) for body in elem.content]
    caption = elem.caption if not repeated_first else pf.Caption()
    return pf.Table(*bodies, head=head, foot=pf.TableFoot(*rows(elem.foot)), caption=caption,
                    colspec=[elem.colspec[i] for i in group])


def copied_cell(cell: pf.TableCell) -> pf.TableCell:
    blocks = [json.loads(json.dumps(block.to_json()), object_hook=pf.elements.from_json)
              for block in cell.content]
    return pf.TableCell(*blocks, alignment=cell.alignment, rowspan=cell.rowspan, colspan=cell.colspan)
