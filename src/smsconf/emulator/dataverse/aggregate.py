"""Grouping and aggregation, shared by FetchXML `aggregate='true'` and OData `$apply`.

Semantics from "Aggregate data using FetchXml" and "Aggregate data using OData": nulls are not
considered; `count` counts rows, `countcolumn` rows with a value (optionally distinct values);
a group of rows without values sums to 0 (the grouping example's NULL city row shows Total 0);
at most 50,000 rows are aggregated, else `AggregateQueryRecordLimit exceeded` (8004E023).
The average of an integer column is an integer, as SQL Server's AVG(int) is [inferred: the
doc's 3,911 for 35,200 / 9 fits truncation]. Groups come out ordered by their values, nulls
first, unless the query orders them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from smsconf.emulator.dataverse.errors import DataverseError, bad_query
from smsconf.platform import Column, ColumnType

AGGREGATE_LIMIT = 50_000
AGGREGATE_LIMIT_CODE = "0x8004e023"
_NUMERIC = {ColumnType.INTEGER, ColumnType.DECIMAL}
_ORDERED = _NUMERIC | {ColumnType.DATETIME}
FUNCTIONS = ("count", "countcolumn", "sum", "avg", "min", "max")

Getter = Callable[[Any], Any]


@dataclass(frozen=True)
class Measure:
    """One aggregate value: `function` of `column` over each group, reported as `alias`."""

    alias: str
    function: str
    column: Column | None
    get: Getter
    distinct: bool = False


@dataclass(frozen=True)
class Group:
    """One grouping value, reported as `alias`; `part` is a FetchXML `dategrouping`."""

    alias: str
    column: Column
    get: Getter
    part: str | None = None


_DATE_PARTS: dict[str, Callable[[dt.datetime], int]] = {
    "year": lambda d: d.year,
    "quarter": lambda d: (d.month - 1) // 3 + 1,
    "month": lambda d: d.month,
    "week": lambda d: d.isocalendar().week,
    "day": lambda d: d.day,
}


def check_measure(function: str, column: Column | None, alias: str) -> None:
    """Refuse an aggregate the column's type cannot take, before any row is read."""
    if function not in FUNCTIONS:
        raise bad_query(f"The aggregate function '{function}' is not valid.")
    if column is None or function in ("count", "countcolumn"):
        return
    allowed = _NUMERIC if function in ("sum", "avg") else _ORDERED
    if column.type not in allowed:
        raise bad_query(
            f"The aggregate '{function}' of alias '{alias}' is not valid for the "
            f"{column.type.value} column '{column.logical_name}'."
        )


def date_part(part: str | None) -> Callable[[Any], Any] | None:
    """The function taking a stored date to the `dategrouping` part, or a 400."""
    if part is None:
        return None
    if part not in _DATE_PARTS:
        raise bad_query(f"The dategrouping '{part}' is not supported by the emulator.")
    pick = _DATE_PARTS[part]

    def value(raw: Any) -> Any:
        if raw is None:
            return None
        return pick(dt.datetime.fromisoformat(str(raw).replace("Z", "+00:00")))

    return value


def _measure(measure: Measure, rows: Sequence[Any]) -> Any:
    if measure.function == "count":
        return len(rows)
    values = [v for v in (measure.get(r) for r in rows) if v is not None]
    if measure.function == "countcolumn":
        return len({_key(v) for v in values}) if measure.distinct else len(values)
    if measure.function == "sum":
        return sum(values)
    if not values:
        return None
    if measure.function == "avg":
        total = sum(values) / len(values)
        integral = measure.column is not None and measure.column.type is ColumnType.INTEGER
        return int(total) if integral else total
    return min(values) if measure.function == "min" else max(values)


def _key(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def sort_key(values: tuple[Any, ...]) -> tuple[tuple[bool, Any], ...]:
    return tuple((v is not None, _key(v) if v is not None else 0) for v in values)


def aggregate(
    rows: Sequence[Any], groups: Sequence[Group], measures: Sequence[Measure]
) -> list[dict[str, Any]]:
    """One result per group (a single one without groups), alias → value, nulls left out."""
    if len(rows) > AGGREGATE_LIMIT:
        raise DataverseError(
            400,
            AGGREGATE_LIMIT_CODE,
            "AggregateQueryRecordLimit exceeded. Cannot perform this operation.",
        )
    parts = [date_part(g.part) for g in groups]
    buckets: dict[tuple[Any, ...], tuple[tuple[Any, ...], list[Any]]] = {}
    for row in rows:
        values = tuple(
            part(g.get(row)) if part else g.get(row) for g, part in zip(groups, parts, strict=True)
        )
        key = tuple(_key(v) for v in values)
        buckets.setdefault(key, (values, []))[1].append(row)
    if not groups:
        buckets = {(): ((), list(rows))}
    results = []
    for values, members in sorted(buckets.values(), key=lambda item: sort_key(item[0])):
        out: dict[str, Any] = {}
        for group, value in zip(groups, values, strict=True):
            if value is not None:
                out[group.alias] = value
        for measure in measures:
            value = _measure(measure, members)
            if value is not None:
                out[measure.alias] = value
        results.append(out)
    return results
