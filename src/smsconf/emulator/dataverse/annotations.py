"""Instance annotations a read carries when `Prefer: odata.include-annotations` asks for them.

"Select columns" (Web API, *Formatted values*) documents `<col>@OData.Community.Display.V1.
FormattedValue` for choices, yes/no, numbers and dates, and for a lookup's `_x_value` the related
row's primary name plus `@Microsoft.Dynamics.CRM.lookuplogicalname` and
`@Microsoft.Dynamics.CRM.associatednavigationproperty`. Each is added only when the request's
pattern matches its term, so `"OData.Community.Display.V1.FormattedValue"` brings formatted
values and nothing else. Numbers and dates are formatted as the en-US, UTC user the emulator's
one application user is [inferred: a real org formats with the calling user's settings].
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from smsconf.emulator.dataverse.protocol import AnnotationFilter
from smsconf.emulator.dataverse.schema import Fetch
from smsconf.platform import Column, ColumnType

FORMATTED = "OData.Community.Display.V1.FormattedValue"
LOOKUP_LOGICAL_NAME = "Microsoft.Dynamics.CRM.lookuplogicalname"
NAVIGATION = "Microsoft.Dynamics.CRM.associatednavigationproperty"
TOTAL_COUNT = "Microsoft.Dynamics.CRM.totalrecordcount"
TOTAL_EXCEEDED = "Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded"
COUNT_LIMIT = 5000

Annotate = Callable[[dict[str, Any]], dict[str, Any]]


def _date(value: str) -> str:
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    hour = moment.hour % 12 or 12
    half = "AM" if moment.hour < 12 else "PM"
    return f"{moment.month}/{moment.day}/{moment.year} {hour}:{moment.minute:02d} {half}"


def formatted(column: Column, value: Any, fetch: Fetch) -> str | None:
    """The FormattedValue of a column's value; None where the service sends none (text, ids)."""
    if value is None:
        return None
    labels = {o.value: o.label for o in column.options}
    kind = column.type
    if kind is ColumnType.PICKLIST:
        return labels.get(value, "")
    if kind is ColumnType.MULTISELECT:
        return "; ".join(labels.get(int(v), "") for v in str(value).split(",") if v)
    if kind is ColumnType.BOOLEAN:
        return "Yes" if value else "No"
    if kind is ColumnType.INTEGER:
        return f"{value:,}"
    if kind is ColumnType.DECIMAL:
        return f"{value:,.2f}"
    if kind is ColumnType.DATETIME:
        return _date(str(value))
    if kind is ColumnType.LOOKUP and column.target in fetch.tables:
        target = fetch.tables[column.target]
        linked = fetch(target.logical_name, str(value))
        name = None if linked is None else linked.get(target.primary_name)
        return None if name is None else str(name)
    return None


def annotator(columns: dict[str, Column], wanted: AnnotationFilter, fetch: Fetch) -> Annotate:
    """A function adding the wanted annotations to a shaped row whose keys `columns` maps to
    the columns they hold (read names, FetchXML aliases), each annotation just before its
    property as the service writes them."""
    formats = wanted.wants(FORMATTED)
    lookups = wanted.wants(LOOKUP_LOGICAL_NAME)
    navigations = wanted.wants(NAVIGATION)
    if not (formats or lookups or navigations):
        return lambda out: out

    def annotate(out: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in out.items():
            column = columns.get(key)
            if column is not None and value is not None:
                if formats and (text := formatted(column, value, fetch)) is not None:
                    result[f"{key}@{FORMATTED}"] = text
                if column.type is ColumnType.LOOKUP:
                    if navigations and column.navigation:
                        result[f"{key}@{NAVIGATION}"] = column.navigation
                    if lookups and column.target:
                        result[f"{key}@{LOOKUP_LOGICAL_NAME}"] = column.target
            result[key] = value
        return result

    return annotate


def counts(wanted: AnnotationFilter, matched: int, counted: bool) -> dict[str, Any]:
    """`@odata.count` when counting, and the total-count annotations when asked ("Count rows
    using OData" / "using FetchXml"): counted up to 5,000, `-1` when not counting."""
    out: dict[str, Any] = {}
    if counted:
        out["@odata.count"] = min(matched, COUNT_LIMIT)
    if wanted.wants(TOTAL_COUNT):
        out[f"@{TOTAL_COUNT}"] = min(matched, COUNT_LIMIT) if counted else -1
    if wanted.wants(TOTAL_EXCEEDED):
        out[f"@{TOTAL_EXCEEDED}"] = matched > COUNT_LIMIT
    return out
