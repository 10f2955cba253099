"""Small HTML pieces of the report: tiles, sortable tables, figures, and the page around them."""
from __future__ import annotations

import math
from html import escape
from importlib.resources import files

import pandas as pd

NOT_RECORDED = "not recorded"


def text(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return "—"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M:%S UTC")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.4g}"
    return str(value)


def number(value) -> str:
    """A count as the page shows it, and as the test reads it back."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{int(value):,}"


def percent(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.1%}"


def tile(label: str, value: str, field: str | None = None, raw=None) -> str:
    attributes = ""
    if field:
        attributes = f' data-field="{escape(field)}" data-value="{escape(str(raw))}"'
    return (f'<div class="tile"><div class="value"{attributes}>{escape(value)}</div>'
            f'<div class="label">{escape(label)}</div></div>')


def tiles(items: list[str]) -> str:
    return f'<div class="tiles">{"".join(items)}</div>'


class Cell:
    """A table cell: what it shows, and what it sorts by (`sort`) and how it looks (`css`)."""

    def __init__(self, shown: str, sort=None, css: str = "", html: bool = False):
        self.shown, self.sort, self.css, self.html = shown, sort, css, html


def cell_of(value) -> Cell:
    if isinstance(value, Cell):
        return value
    if isinstance(value, bool) or value is None:
        return Cell(text(value))
    if isinstance(value, (int, float)) and not (isinstance(value, float) and math.isnan(value)):
        return Cell(text(value), sort=value, css="num")
    if isinstance(value, pd.Timestamp):
        return Cell(text(value), sort=value.isoformat())
    return Cell(text(value))


def table(headers: list[str], rows: list[list], *, sortable: bool = True, numeric: set[int] = frozenset(),
          scroll: bool = False, row_css: list[str] | None = None) -> str:
    head = "".join(f'<th class="num">{escape(h)}</th>' if i in numeric else f"<th>{escape(h)}</th>"
                   for i, h in enumerate(headers))
    body = []
    for index, row in enumerate(rows):
        cells = []
        for value in row:
            cell = cell_of(value)
            attributes = f' class="{cell.css}"' if cell.css else ""
            if cell.sort is not None:
                attributes += f' data-sort="{escape(str(cell.sort))}"'
            shown = cell.shown if cell.html else escape(cell.shown)
            cells.append(f"<td{attributes}>{shown}</td>")
        css = f' class="{row_css[index]}"' if row_css and row_css[index] else ""
        body.append(f"<tr{css}>{''.join(cells)}</tr>")
    sort = ' class="sortable"' if sortable else ""
    html = f"<table{sort}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    return f'<div class="scroll">{html}</div>' if scroll else html


def figure(svg: str, caption: str = "") -> str:
    caption = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f'<figure class="plot">{svg}{caption}</figure>'


def grid(items: list[str]) -> str:
    return f'<div class="grid">{"".join(items)}</div>'


def note(words: str) -> str:
    return f'<p class="note">{escape(words)}</p>'


def page(title: str, body: str) -> str:
    template = files("pipelines.report").joinpath("template.html").read_text(encoding="utf-8")
    return template.replace("@@TITLE@@", escape(title)).replace("@@BODY@@", body)
