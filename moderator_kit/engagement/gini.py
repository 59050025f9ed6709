"""The Gini coefficient of attention, as a polars expression or on plain numbers.

For non-negative values ``x_1 <= ... <= x_n`` with sum ``S > 0``::

    G = sum_i sum_j |x_i - x_j| / (2 n^2 mean)  =  2 * sum_i (i * x_i) / (n * S) - (n + 1) / n

0 means everybody receives the same attention; ``(n - 1) / n`` (close to 1) means one person receives all of it.
The value is ``None`` (null) when there are no values or all are 0: there is no attention to spread. Nulls are
ignored; zeros are kept (a participant who received nothing counts).

Examples
--------
>>> gini([1, 1, 1, 1])
0.0
>>> round(gini([0, 0, 0, 10]), 4)
0.75
>>> gini([0, 0]) is None
True
>>> import polars as pl
>>> df = pl.DataFrame({"g": ["a", "a", "b", "b"], "x": [1, 3, 2, 2]})
>>> df.group_by("g", maintain_order=True).agg(gini_expr("x")).rows()
[('a', 0.25), ('b', 0.0)]
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

__all__ = ["gini", "gini_expr"]


def gini_expr(values: str | pl.Expr) -> pl.Expr:
    """The Gini coefficient of a column (works in ``select`` and in ``group_by().agg``); aliased ``gini``."""
    expr = pl.col(values) if isinstance(values, str) else values
    x = expr.cast(pl.Float64).drop_nulls().sort()
    n = x.len()
    rank = pl.int_range(1, n + 1).cast(pl.Float64)
    total = x.sum()
    return pl.when(total > 0).then(2.0 * (rank * x).sum() / (n * total) - (n + 1) / n).alias("gini")


def gini(values: Iterable[float] | pl.Series | str | pl.Expr) -> float | None | pl.Expr:
    """The Gini coefficient of ``values``; given a column name or an expression, the polars expression instead."""
    if isinstance(values, (str, pl.Expr)):
        return gini_expr(values)
    series = values if isinstance(values, pl.Series) else pl.Series("x", list(values), dtype=pl.Float64)
    return pl.select(gini_expr(pl.lit(series))).item()
