"""A plain HTML table with server-side sorting and paging (``dash_table.DataTable`` is deprecated in Dash 4).

The page keeps the sort and page in ``dcc.Store``s and renders only the rows of the current page, so a long table
costs the browser nothing. Header buttons carry pattern-matching ids ``{"type": "mk-sort", "table": <id>,
"column": <key>}`` and the pager buttons ``{"type": "mk-page", "table": <id>, "step": -1 | 1}``; a page wires
them to its stores with :func:`next_sort` and :func:`next_page`.

Cells are text (React escapes it) or Dash components built by the page (links, buttons).

Examples
--------
>>> import polars as pl
>>> frame = pl.DataFrame({"handle": ["b", "a", "c"], "answers": [2, 5, 1]})
>>> rows, pages = sort_and_page(frame, {"column": "answers", "descending": True}, page=0, page_size=2)
>>> rows["handle"].to_list(), pages
(['a', 'b'], 2)
>>> next_sort({"column": "answers", "descending": True}, "answers")
{'column': 'answers', 'descending': False}
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from dash import html

from dashboards.components.layout import fmt_value, keep_dates

__all__ = ["Column", "render_table", "sort_and_page", "next_sort", "next_page", "SORT_TYPE", "PAGE_TYPE"]

SORT_TYPE = "mk-sort"
PAGE_TYPE = "mk-page"


@dataclass(frozen=True)
class Column:
    """One table column: the frame column ``key``, its header, how to format it and whether it sorts.

    ``render`` (row dict → component or text) overrides the formatting, e.g. for links and buttons.
    """

    key: str
    label: str
    kind: str = "text"  # text | int | num | pct | money | seconds | list
    sortable: bool = True
    render: Callable[[dict], Any] | None = None
    width: str | None = None

    @property
    def numeric(self) -> bool:
        return self.kind in ("int", "num", "pct", "money", "seconds")


def sort_and_page(frame: pl.DataFrame, sort: dict | None, *, page: int = 0, page_size: int = 25
                  ) -> tuple[pl.DataFrame, int]:
    """The rows of one page after sorting (nulls last), and the number of pages (at least 1)."""
    if sort and sort.get("column") in frame.columns:
        column = sort["column"]
        dtype = frame.schema[column]
        key = pl.col(column)
        if isinstance(dtype, pl.List):
            key = key.list.join("; ") if dtype.inner == pl.String else key.list.len()
        elif dtype == pl.String:
            key = key.str.to_lowercase()
        frame = frame.sort(key, descending=bool(sort.get("descending")), nulls_last=True, maintain_order=True)
    pages = max(1, -(-frame.height // page_size))
    page = min(max(0, int(page or 0)), pages - 1)
    return frame.slice(page * page_size, page_size), pages


def next_sort(current: dict | None, column: str) -> dict:
    """Clicking a header: a new column sorts descending first (largest, most active first); again flips it."""
    if current and current.get("column") == column:
        return {"column": column, "descending": not current.get("descending", True)}
    return {"column": column, "descending": True}


def next_page(current: int | None, step: int, pages: int | None = None) -> int:
    """The page after a pager click, kept in range.

    >>> next_page(0, -1), next_page(2, 1, 3)
    (0, 2)
    """
    value = max(0, int(current or 0) + int(step))
    if pages is not None:
        value = min(value, max(0, pages - 1))
    return value


def _header(table_id: str, column: Column, sort: dict | None) -> html.Th:
    arrow = ""
    aria = "none"
    if sort and sort.get("column") == column.key:
        arrow = " ▼" if sort.get("descending") else " ▲"
        aria = "descending" if sort.get("descending") else "ascending"
    cls = "mk-th mk-num" if column.numeric else "mk-th"
    style = {"width": column.width} if column.width else None
    if not column.sortable:
        return html.Th(column.label, className=cls, style=style, scope="col")
    button = html.Button(column.label + arrow, id={"type": SORT_TYPE, "table": table_id, "column": column.key},
                         n_clicks=0, className="mk-sort-button", title=f"Sort by {column.label}")
    return html.Th(button, className=cls, style=style, scope="col", **{"aria-sort": aria})


def render_table(table_id: str, rows: pl.DataFrame, columns: Sequence[Column], *, sort: dict | None = None,
                 page: int = 0, pages: int = 1, total: int | None = None, empty: str = "No rows.",
                 row_class: Callable[[dict], str] | None = None, pager: bool = True) -> html.Div:
    """The table of one page of ``rows`` with sortable headers and, when there are several pages, a pager.

    >>> import polars as pl
    >>> t = render_table("demo", pl.DataFrame({"a": ["<b>x</b>"]}), [Column("a", "A")])
    >>> table = t.children[0].children
    >>> table.children[1].children[0].children[0].children  # tbody → first row → first cell: text, not HTML
    '<b>x</b>'
    """
    if rows.height == 0:
        body: Any = html.Div(empty, className="mk-table-empty")
        return html.Div([body], className="mk-table-wrap", id={"type": "mk-table", "table": table_id})
    head = html.Thead(html.Tr([_header(table_id, c, sort) for c in columns]))
    body_rows = []
    for row in rows.iter_rows(named=True):
        cells = []
        for column in columns:
            value = keep_dates(column.render(row) if column.render else fmt_value(row.get(column.key), column.kind))
            cells.append(html.Td(value, className="mk-num" if column.numeric else None))
        body_rows.append(html.Tr(cells, className=row_class(row) if row_class else None))
    table = html.Table([head, html.Tbody(body_rows)], className="mk-table")
    children: list[Any] = [html.Div(table, className="mk-table-scroll")]
    count = total if total is not None else rows.height
    if pager and (pages > 1 or total is not None):
        children.append(html.Div(className="mk-pager", children=[
            html.Span(f"{count:,} row{'s' if count != 1 else ''}", className="mk-pager-count"),
            html.Button("← Previous", id={"type": PAGE_TYPE, "table": table_id, "step": -1}, n_clicks=0,
                        className="mk-button mk-button--small", disabled=page <= 0),
            html.Span(f"page {page + 1} of {pages}", className="mk-pager-page"),
            html.Button("Next →", id={"type": PAGE_TYPE, "table": table_id, "step": 1}, n_clicks=0,
                        className="mk-button mk-button--small", disabled=page >= pages - 1),
        ]))
    return html.Div(children, className="mk-table-wrap", id={"type": "mk-table", "table": table_id})
