"""OData `$apply` as Dataverse supports it ("Aggregate data using OData", Web API).

`filter(...)` transformations, then one `groupby((props)[,aggregate(...)])` or `aggregate(...)`
with `sum`, `average`, `min`, `max` and `$count as alias`; a grouping property may be a lookup's
`_x_value` or a single-valued navigation path, reported as `<target>_<column>` (the doc's
`primarycontactid/fullname` → `contact_fullname`). What the doc says Dataverse does not do is
refused: grouping by a date, `countdistinct`, and `$orderby` on an aggregate alias (with the
doc's message); anything else outside this subset is a 400 naming it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from smsconf.emulator.dataverse import aggregate as agg
from smsconf.emulator.dataverse.errors import bad_query, unknown_property
from smsconf.emulator.dataverse.query import (
    Fetch,
    column_by_read_name,
    parse_filter,
)
from smsconf.emulator.dataverse.store import Row
from smsconf.emulator.dataverse.urls import split_top_level
from smsconf.emulator.dataverse.values import wire_value
from smsconf.platform import Column, ColumnType, Table

_CALL = re.compile(r"^(?P<name>[A-Za-z]+)\((?P<body>.*)\)$", re.DOTALL)
_ITEM = re.compile(
    r"^(?:(?P<prop>[A-Za-z_][A-Za-z0-9_]*)\s+with\s+(?P<func>[A-Za-z]+)|(?P<count>\$count))"
    r"\s+as\s+(?P<alias>[A-Za-z_][A-Za-z0-9_]*)$"
)
_FUNCTIONS = {"sum": "sum", "average": "avg", "min": "min", "max": "max"}
ORDERBY_AGGREGATE = "The query node SingleValueOpenPropertyAccess is not supported"


@dataclass
class Apply:
    """A parsed `$apply`: row filters, then the grouping and the aggregates."""

    filters: list[Callable[[Row], bool]]
    groups: list[agg.Group]
    measures: list[agg.Measure]


def _steps(text: str) -> list[str]:
    steps, depth, quoted, current = [], 0, False, []
    for char in text:
        quoted = quoted != (char == "'")
        if not quoted:
            depth += (char == "(") - (char == ")")
        if char == "/" and depth == 0 and not quoted:
            steps.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    steps.append("".join(current).strip())
    return [s for s in steps if s]


def _property(table: Table, path: str, fetch: Fetch) -> tuple[str, Column, Callable[[Row], Any]]:
    if "/" not in path:
        column = column_by_read_name(table, path)
        if column.type is ColumnType.DATETIME:
            raise bad_query("groupby with datetime values is not supported.")
        return column.read_name, column, lambda row: wire_value(column, row)
    navigation, _, attr = path.partition("/")
    lookup = table.by_navigation(navigation)
    if lookup is None or lookup.target is None or "/" in attr:
        raise unknown_property(navigation, table.logical_name)
    target = fetch.tables.get(lookup.target)
    if target is None:
        raise unknown_property(navigation, table.logical_name)
    column = column_by_read_name(target, attr)

    def get(row: Row) -> Any:
        linked_id = row.get(lookup.logical_name)
        linked = None if linked_id is None else fetch(target.logical_name, linked_id)
        return None if linked is None else wire_value(column, linked)

    return f"{target.logical_name}_{column.logical_name}", column, get


def _aggregates(table: Table, body: str) -> list[agg.Measure]:
    measures = []
    for item in split_top_level(body, ","):
        match = _ITEM.match(item)
        if not match:
            raise bad_query(f"The aggregate expression '{item}' is not valid.")
        alias = match["alias"]
        if match["count"]:
            measures.append(agg.Measure(alias, "count", None, lambda row: None))
            continue
        function = match["func"]
        if function == "countdistinct":
            raise bad_query(
                "countdistinct is not supported: Dataverse OData has no distinct count."
            )
        if function not in _FUNCTIONS:
            raise bad_query(f"The aggregation method '{function}' is not supported.")
        column = column_by_read_name(table, match["prop"])
        agg.check_measure(_FUNCTIONS[function], column, alias)
        measures.append(
            agg.Measure(
                alias, _FUNCTIONS[function], column, lambda row, c=column: wire_value(c, row)
            )
        )
    return measures


def parse_apply(table: Table, text: str, fetch: Fetch) -> Apply:
    """Parse `$apply` against the table, or a 400."""
    result = Apply([], [], [])
    steps = _steps(text)
    for index, step in enumerate(steps):
        match = _CALL.match(step)
        if not match:
            raise bad_query(f"The $apply transformation '{step}' is not valid.")
        name, body = match["name"], match["body"]
        if name == "filter":
            if result.groups or result.measures:
                raise bad_query("filter after groupby or aggregate is not supported in $apply.")
            result.filters.append(parse_filter(table, body, fetch))
            continue
        if index != len(steps) - 1:
            raise bad_query(f"'{name}' must be the last $apply transformation.")
        if name == "aggregate":
            result.measures = _aggregates(table, body)
        elif name == "groupby":
            parts = split_top_level(body, ",")
            if not parts or not (parts[0].startswith("(") and parts[0].endswith(")")):
                raise bad_query("groupby needs a parenthesised list of properties.")
            for path in split_top_level(parts[0][1:-1], ","):
                key, column, get = _property(table, path, fetch)
                result.groups.append(agg.Group(key, column, get))
            for extra in parts[1:]:
                inner = _CALL.match(extra)
                if not inner or inner["name"] != "aggregate":
                    raise bad_query(f"The groupby argument '{extra}' is not supported.")
                result.measures += _aggregates(table, inner["body"])
        else:
            raise bad_query(f"The $apply transformation '{name}' is not supported.")
    return result


def run_apply(parsed: Apply, rows: list[Row]) -> list[dict[str, Any]]:
    """The grouped, aggregated results (without annotations)."""
    kept = [r for r in rows if all(f(r) for f in parsed.filters)]
    if not parsed.groups and not parsed.measures:
        raise bad_query("$apply needs a groupby or aggregate transformation.")
    return agg.aggregate(kept, parsed.groups, parsed.measures)


def result_columns(parsed: Apply) -> dict[str, Column]:
    """Result key → column, for formatted values (a count formats as an integer)."""
    columns = {g.alias: g.column for g in parsed.groups}
    counted = Column("count", ColumnType.INTEGER)
    for m in parsed.measures:
        columns[m.alias] = counted if m.function == "count" or m.column is None else m.column
    return columns


def order_results(
    parsed: Apply, results: list[dict[str, Any]], orderby: str | None
) -> list[dict[str, Any]]:
    """`$orderby` over grouping properties; an aggregate alias is refused with the doc's message
    ("`$orderby` with aggregate values is not supported")."""
    if orderby is None:
        return results
    aliases = {m.alias for m in parsed.measures}
    groups = {g.alias for g in parsed.groups}
    for part in reversed(orderby.split(",")):
        name, _, direction = part.strip().partition(" ")
        if name in aliases:
            raise bad_query(ORDERBY_AGGREGATE)
        if name not in groups or direction.strip() not in ("", "asc", "desc"):
            raise bad_query(f"Syntax error in $orderby '{orderby}'.")
        results = sorted(
            results,
            key=lambda r, n=name: agg.sort_key((r.get(n),)),
            reverse=direction.strip() == "desc",
        )
    return results
