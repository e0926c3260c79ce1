"""Median and 90th percentile of durations, computed in the database.

PostgreSQL has `percentile_cont`, one sort per column. Elsewhere (SQLite, the embedded default) a
window query ranks the values and returns only the one or two rows around each percentile, which
are then interpolated exactly as `percentile_cont` does. Either way: one query per call on
PostgreSQL, one per column elsewhere, whatever the number of rows.
"""

import math
from collections import defaultdict
from typing import Any, TypedDict

from django.contrib.postgres.fields import ArrayField
from django.db import connections
from django.db.models import Aggregate, Count, F, FloatField, QuerySet, Value

FRACTIONS = (0.5, 0.9)


class Spread(TypedDict):
    count: int
    median: float | None
    p90: float | None


class PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont for several fractions at once (one sort)."""

    function = "percentile_cont"
    template = "%(function)s(%(fractions)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fractions: tuple[float, ...]):
        array = "ARRAY[" + ", ".join(f"{float(f)}::float8" for f in fractions) + "]"
        super().__init__(expression, output_field=ArrayField(FloatField()), fractions=array)


def spreads(qs: QuerySet, fields: list[str], *, by: str | None = None) -> dict[Any, dict[str, Spread]]:
    """Count, median and p90 of each of `fields` (nulls left out), per value of `by` (or under None)."""
    connection = connections[qs.db]
    empty = Spread(count=0, median=None, p90=None)
    found: dict[Any, dict[str, Spread]] = defaultdict(lambda: dict.fromkeys(fields, empty))
    if connection.vendor == "postgresql":
        aggregates = {}
        for field in fields:
            aggregates[f"n_{field}"] = Count(field)
            aggregates[f"p_{field}"] = PercentileCont(F(field), FRACTIONS)
        rows = qs.order_by().values(by).annotate(**aggregates) if by else [qs.aggregate(**aggregates)]
        for row in rows:
            for field in fields:
                median, p90 = row[f"p_{field}"] or (None, None)
                found[row[by] if by else None][field] = Spread(count=row[f"n_{field}"], median=median, p90=p90)
    else:
        for field in fields:
            for group, (count, (median, p90)) in _ranked(qs, field, by).items():
                found[group][field] = Spread(count=count, median=median, p90=p90)
    return {None: found[None]} if by is None else dict(found)


def _ranked(qs: QuerySet, field: str, by: str | None) -> dict[Any, tuple[int, list[float]]]:
    """percentile_cont for each fraction through ROW_NUMBER(): only the rows next to each position come back."""
    inner = (
        qs.filter(**{f"{field}__isnull": False})
        .order_by()
        .annotate(pct_group=F(by) if by else Value(0), pct_value=F(field))
        .values_list("pct_group", "pct_value")
    )
    sql, params = inner.query.sql_with_params()
    # Value i (0-based) of n is needed for fraction f when it is floor(f(n-1)) or the one after it.
    near = " OR ".join(f"(rn - 1 > {f} * (n - 1) - 1 AND rn - 1 <= {f} * (n - 1) + 1)" for f in FRACTIONS)
    ranked = (
        "SELECT pct_group, pct_value, rn, n FROM ("  # noqa: S608 (fractions are constants; values are parameters)
        "SELECT pct_group, pct_value, ROW_NUMBER() OVER (PARTITION BY pct_group ORDER BY pct_value) AS rn, "
        f"COUNT(*) OVER (PARTITION BY pct_group) AS n FROM ({sql}) AS inner_rows) AS ranked WHERE {near}"
    )
    near_rows: dict[Any, dict[int, float]] = defaultdict(dict)
    counts: dict[Any, int] = {}
    with connections[qs.db].cursor() as cursor:
        cursor.execute(ranked, params)
        for group, value, rn, n in cursor.fetchall():
            near_rows[group][rn - 1] = float(value)
            counts[group] = n
    result = {}
    for group, values in near_rows.items():
        n, points = counts[group], []
        for fraction in FRACTIONS:
            position = fraction * (n - 1)
            low = math.floor(position)
            high = values.get(low + 1, values[low])
            points.append(values[low] + (position - low) * (high - values[low]))
        result[None if by is None else group] = (n, points)
    return result
