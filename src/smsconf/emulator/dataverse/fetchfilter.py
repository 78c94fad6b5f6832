"""FetchXML filters: condition values, operators, and nested and/or filters, compiled into
predicates over joined rows ("Filter rows using FetchXml", the condition reference).

Strings compare without case, as SQL Server's default collation does; `like` takes `%`, `_`
and `[...]`; `ne`/`neq` match rows without a value too, like the OData `ne` [inferred]; the other
negations (`not-like`, `not-in`…) need a value. Operators relative to now, fiscal periods and
hierarchies are refused with a 400 naming them.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from smsconf.emulator.dataverse.errors import DataverseError
from smsconf.emulator.dataverse.store import Row
from smsconf.emulator.dataverse.urls import parse_guid
from smsconf.emulator.dataverse.values import wire_value
from smsconf.platform import Column, ColumnType, Table

INVALID_FETCH = "0x80041130"  # [inferred] a malformed or unsupported FetchXML document
NO_ATTRIBUTE = "0x80041103"  # QueryBuilderNoAttribute, as real orgs answer an unknown column

Joined = dict[str, Row | None]  # alias ("" for the query's entity) → row, None for no match
Predicate = Callable[[Joined], bool]


def invalid(message: str) -> DataverseError:
    """400 for a FetchXML document the service refuses, or a part the emulator does not run."""
    return DataverseError(400, INVALID_FETCH, message)


def unsupported(what: str) -> DataverseError:
    return invalid(f"{what} is not supported by the emulator.")


def no_attribute(table: Table, name: str) -> DataverseError:
    return DataverseError(
        400,
        NO_ATTRIBUTE,
        f"'{table.logical_name}' entity doesn't contain attribute with Name = '{name}' and "
        "NameMapping = 'Logical'.",
    )


def flag(element: ET.Element, name: str) -> bool:
    value = element.get(name, "false").strip().lower()
    if value not in ("true", "false", "1", "0"):
        raise invalid(f"The '{name}' attribute must be true or false, not '{value}'.")
    return value in ("true", "1")


# --- values ------------------------------------------------------------------------------


def _typed(column: Column, text: str) -> Any:
    """A condition value (always text in FetchXML) as a value of the column's type."""
    kind = column.type
    try:
        if kind in (ColumnType.INTEGER, ColumnType.PICKLIST):
            return int(text)
        if kind is ColumnType.DECIMAL:
            return float(text)
        if kind is ColumnType.BOOLEAN:
            return {"1": True, "0": False, "true": True, "false": False}[text.strip().lower()]
        if kind in (ColumnType.LOOKUP, ColumnType.UNIQUEIDENTIFIER):
            return parse_guid(text)
        if kind is ColumnType.DATETIME:
            return moment(text)
    except (ValueError, KeyError, DataverseError):
        raise invalid(
            f"The value '{text}' of the condition on '{column.logical_name}' is not valid for "
            f"its type ({kind.value})."
        ) from None
    return text


def moment(value: Any) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def norm(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.type is ColumnType.DATETIME:
        return moment(value)
    return value.casefold() if isinstance(value, str) else value


def like(pattern: str) -> re.Pattern[str]:
    """SQL LIKE as a regex: `%`, `_` and `[...]` sets, case-insensitive."""
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        elif char == "[" and "]" in pattern[i + 1 :]:
            end = pattern.index("]", i + 1)
            body = pattern[i + 1 : end]
            out.append(
                "[^" + re.escape(body[1:]) + "]"
                if body.startswith("^")
                else "[" + re.escape(body) + "]"
            )
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


# --- conditions ----------------------------------------------------------------------------

_ORDERED = {
    ColumnType.INTEGER,
    ColumnType.DECIMAL,
    ColumnType.DATETIME,
    ColumnType.STRING,
    ColumnType.MEMO,
    ColumnType.PICKLIST,
    ColumnType.LOOKUP,
    ColumnType.UNIQUEIDENTIFIER,
}
_TEXT = {ColumnType.STRING, ColumnType.MEMO}
_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
}
_TEXT_TESTS: dict[str, Callable[[str, str], bool]] = {
    "begins-with": lambda a, b: a.startswith(b),
    "ends-with": lambda a, b: a.endswith(b),
}
_NEGATED = {
    "not-like": "like",
    "not-in": "in",
    "not-between": "between",
    "not-begin-with": "begins-with",
    "not-end-with": "ends-with",
    "not-contain-values": "contain-values",
}
_DATES: dict[str, Callable[[dt.date, dt.date], bool]] = {
    "on": lambda a, b: a == b,
    "on-or-before": lambda a, b: a <= b,
    "on-or-after": lambda a, b: a >= b,
}


@dataclass
class Scope:
    """What conditions and orders can name: aliases of the entity and link-entities so far."""

    tables: dict[str, Table]
    user_id: str
    business_unit_id: str


def _condition_values(element: ET.Element) -> list[str]:
    nested = [v.text or "" for v in element.findall("value")]
    if nested:
        return nested
    value = element.get("value")
    return [] if value is None else [value]


def _condition(element: ET.Element, alias: str, scope: Scope) -> Predicate:
    name = element.get("attribute")
    operator = (element.get("operator") or "").strip()
    target_alias = element.get("entityname") or alias
    if target_alias not in scope.tables:
        raise invalid(f"The condition's entityname '{target_alias}' names no link-entity alias.")
    table = scope.tables[target_alias]
    if not name:
        raise invalid("A condition needs an 'attribute'.")
    if element.get("valueof") is not None:
        raise unsupported("A condition comparing two columns (valueof)")
    column = table.column(name)
    if column is None:
        raise no_attribute(table, name)
    negate = operator in _NEGATED or operator in ("ne", "neq", "ne-userid", "ne-businessid")
    positive = _NEGATED.get(operator, operator)
    texts = _condition_values(element)
    test = _test(column, positive, texts, scope)

    def get(joined: Joined) -> Any:
        row = joined.get(target_alias)
        return None if row is None else norm(column, wire_value(column, row))

    if operator in ("ne", "neq", "ne-userid", "ne-businessid"):
        # `ne` matches rows without a value too, like the OData `ne` [inferred].
        return lambda joined: not test(get(joined))
    if negate:
        return lambda joined: (value := get(joined)) is not None and not test(value)
    return lambda joined: test(get(joined))


def _one(column: Column, operator: str, texts: list[str]) -> Any:
    if len(texts) != 1:
        raise invalid(f"The condition operator '{operator}' needs exactly one value.")
    return norm(column, _typed(column, texts[0]))


def _test(column: Column, operator: str, texts: list[str], scope: Scope) -> Callable[[Any], bool]:
    """The test a (non-negated) operator applies to a normalised value."""
    if operator == "null":
        return lambda v: v is None
    if operator == "not-null":
        return lambda v: v is not None
    if operator in ("eq-userid", "ne-userid", "eq-businessid", "ne-businessid"):
        wanted = scope.user_id if "userid" in operator else scope.business_unit_id
        return lambda v: v == wanted
    if operator in ("eq", "ne", "neq"):
        value = _one(column, operator, texts)
        return lambda v: v is not None and v == value
    if operator in _COMPARISONS:
        if column.type not in _ORDERED:
            raise invalid(f"The operator '{operator}' is not valid for '{column.logical_name}'.")
        value, compare = _one(column, operator, texts), _COMPARISONS[operator]
        return lambda v: v is not None and compare(v, value)
    if operator in ("in", "contain-values"):
        if not texts:
            raise invalid(f"The condition operator '{operator}' needs at least one value.")
        if operator == "contain-values" or column.type is ColumnType.MULTISELECT:
            if column.type is not ColumnType.MULTISELECT:
                raise invalid(f"'{operator}' applies to choices columns only.")
            wanted_options = {int(t) for t in texts if t.strip().lstrip("-").isdigit()}
            return lambda v: (
                v is not None and bool(wanted_options & {int(x) for x in str(v).split(",") if x})
            )
        values = {norm(column, _typed(column, t)) for t in texts}
        return lambda v: v is not None and v in values
    if operator == "between":
        if len(texts) != 2:
            raise invalid("The condition operator 'between' needs two values.")
        low, high = (norm(column, _typed(column, t)) for t in texts)
        return lambda v: v is not None and low <= v <= high
    if operator == "like" or operator in _TEXT_TESTS:
        if column.type not in _TEXT:
            raise invalid(f"The operator '{operator}' is valid for text columns only.")
        needle = texts[0] if len(texts) == 1 else None
        if needle is None:
            raise invalid(f"The condition operator '{operator}' needs exactly one value.")
        if operator == "like":
            regex = like(needle)
            return lambda v: v is not None and regex.fullmatch(v) is not None
        text_test, folded = _TEXT_TESTS[operator], needle.casefold()
        return lambda v: v is not None and text_test(v, folded)
    if operator in _DATES:
        if column.type is not ColumnType.DATETIME:
            raise invalid(f"The operator '{operator}' is valid for date columns only.")
        day, date_test = _one(column, operator, texts).date(), _DATES[operator]
        return lambda v: v is not None and date_test(v.date(), day)
    if not operator:
        raise invalid("A condition needs an 'operator'.")
    raise unsupported(f"The condition operator '{operator}'")


def compile_filter(element: ET.Element, alias: str, scope: Scope) -> Predicate:
    kind = element.get("type", "and")
    if kind not in ("and", "or"):
        raise invalid(f"The filter type '{kind}' is not valid; use 'and' or 'or'.")
    parts: list[Predicate] = []
    for child in element:
        if child.tag == "condition":
            if child.findall("*") and not child.findall("value"):
                raise invalid("A condition may only hold value elements.")
            parts.append(_condition(child, alias, scope))
        elif child.tag == "filter":
            parts.append(compile_filter(child, alias, scope))
        elif child.tag == "link-entity":
            raise unsupported("A link-entity inside a filter (link-type any/not-any/all)")
        else:
            raise invalid(f"The element '{child.tag}' is not valid inside a filter.")
    if kind == "or":
        return lambda joined: any(p(joined) for p in parts)
    return lambda joined: all(p(joined) for p in parts)
