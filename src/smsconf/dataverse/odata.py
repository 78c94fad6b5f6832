"""OData text built from values, never from string concatenation by callers.

A `$filter` is code the server evaluates; a value like `O'Brien` or `x' or 1 eq 1 or 'a` pasted
into it changes its meaning. Everything here turns Python values into OData literals (strings in
single quotes with quotes doubled, GUIDs bare, booleans and null as keywords) and checks column
names against the identifier grammar, so a filter built with these helpers can only mean what its
structure says. Row keys (GUIDs or alternate-key dicts) are formatted here too, because they use
the same literal rules inside the URL path.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

Value = str | int | float | Decimal | bool | uuid.UUID | dt.datetime | dt.date | None
"""Python values that have an OData literal form."""

KeyValue = str | int | uuid.UUID
Key = str | uuid.UUID | Mapping[str, KeyValue]
"""A row key: its GUID (as `uuid.UUID` or text), or an alternate key `{column: value}`."""

_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
_COLUMN = re.compile(rf"{_IDENTIFIER}(?:/{_IDENTIFIER})*")
_ORDER = re.compile(rf"({_IDENTIFIER}(?:/{_IDENTIFIER})*)(?: (asc|desc))?")


def column(name: str) -> str:
    """Return `name` if it is a column (or `nav/column` path) name, else raise ValueError."""
    if not isinstance(name, str) or not _COLUMN.fullmatch(name):
        raise ValueError(f"not an OData column name: {name!r}")
    return name


def order(term: str) -> str:
    """Validate one `$orderby` term: a column name, optionally followed by ` asc` or ` desc`."""
    if not isinstance(term, str) or not _ORDER.fullmatch(term):
        raise ValueError(f"not an OData $orderby term: {term!r}")
    return term


def quote_string(text: str) -> str:
    """An OData string literal: single quotes around, every single quote inside doubled."""
    return "'" + text.replace("'", "''") + "'"


def literal(value: Value) -> str:
    """The OData literal for a Python value.

    Strings are always quoted, even when they look like GUIDs: a GUID compared bare must be a
    `uuid.UUID`, so a caller's intent is explicit and a user-supplied string can never become an
    unquoted token.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str):
        return quote_string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return _number(value)
    if isinstance(value, dt.datetime):
        return _datetime(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"no OData literal for {type(value).__name__}")


def _number(value: float | Decimal) -> str:
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        raise ValueError("NaN and infinities have no OData literal Dataverse accepts")
    return str(value)


def _datetime(value: dt.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime: Dataverse compares in UTC, give a timezone")
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Filter:
    """A `$filter` expression; combine with `&`, `|` and `~` (each side is parenthesised)."""

    text: str

    def __str__(self) -> str:
        return self.text

    def __and__(self, other: Filter) -> Filter:
        return all_of(self, other)

    def __or__(self, other: Filter) -> Filter:
        return any_of(self, other)

    def __invert__(self) -> Filter:
        return Filter(f"not ({self.text})")


def _compare(op: str) -> Callable[[str, Value], Filter]:
    def build(name: str, value: Value) -> Filter:
        return Filter(f"{column(name)} {op} {literal(value)}")

    build.__name__ = op
    build.__doc__ = f"`<column> {op} <literal>`."
    return build


eq = _compare("eq")
ne = _compare("ne")
gt = _compare("gt")
ge = _compare("ge")
lt = _compare("lt")
le = _compare("le")


def contains(name: str, text: str) -> Filter:
    """`contains(<column>,'<text>')`: case-insensitive substring match on Dataverse."""
    return Filter(f"contains({column(name)},{quote_string(text)})")


def startswith(name: str, text: str) -> Filter:
    """`startswith(<column>,'<text>')`."""
    return Filter(f"startswith({column(name)},{quote_string(text)})")


def endswith(name: str, text: str) -> Filter:
    """`endswith(<column>,'<text>')`."""
    return Filter(f"endswith({column(name)},{quote_string(text)})")


def all_of(*filters: Filter) -> Filter:
    """Conjunction; each operand parenthesised so precedence never surprises."""
    return _join("and", filters)


def any_of(*filters: Filter) -> Filter:
    """Disjunction; each operand parenthesised so precedence never surprises."""
    return _join("or", filters)


def _join(op: str, filters: Sequence[Filter]) -> Filter:
    if not filters:
        raise ValueError(f"'{op}' needs at least one operand")
    if len(filters) == 1:
        return filters[0]
    return Filter(f" {op} ".join(f"({f.text})" for f in filters))


def in_(name: str, values: Iterable[Value], *, function: bool = False) -> Filter:
    """`<column>` equals one of `values`.

    By default an `or` chain of `eq`, which every OData server understands. With `function=True`
    Dataverse's `Microsoft.Dynamics.CRM.In` function, which keeps the URL short for long lists
    (its PropertyValues are always string literals; the server converts them to the column type).
    """
    items = list(values)
    if not items:
        raise ValueError("in_() needs at least one value: an empty set matches nothing")
    if function:
        texts = ",".join(quote_string(_in_text(v)) for v in items)
        return Filter(
            f"Microsoft.Dynamics.CRM.In(PropertyName={quote_string(column(name))},"
            f"PropertyValues=[{texts}])"
        )
    return any_of(*(eq(name, v) for v in items))


def _in_text(value: Value) -> str:
    if value is None:
        raise ValueError("Microsoft.Dynamics.CRM.In cannot match null; use eq(name, None)")
    if isinstance(value, str):
        return value
    return literal(value)


def key_segment(key: Key) -> str:
    """The `(...)` URL segment addressing one row: `(<guid>)` or `(<col>='v',<col2>=2)`.

    Alternate-key values are OData literals, percent-encoded for the URL path so that `/`, `?`,
    `#` or `%` in a value cannot change which resource is addressed.
    """
    if isinstance(key, Mapping):
        if not key:
            raise ValueError("an alternate key needs at least one column")
        parts = [f"{column(k)}={_path_literal(v)}" for k, v in key.items()]
        return "(" + ",".join(parts) + ")"
    return f"({guid(key)})"


def _path_literal(value: KeyValue) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | uuid.UUID):
        raise TypeError(f"alternate-key values are str, int or UUID, not {type(value).__name__}")
    return quote(literal(value), safe="'")


def guid(value: str | uuid.UUID) -> uuid.UUID:
    """Parse a row id, accepting braces and any case as Dataverse does; ValueError otherwise."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(value.strip().strip("{}"))
    except (ValueError, AttributeError):
        raise ValueError(f"not a GUID: {value!r}") from None


def entity_set_name(name: str) -> str:
    """Validate an entity set name before it goes into a URL path."""
    if not isinstance(name, str) or not re.fullmatch(_IDENTIFIER, name):
        raise ValueError(f"not an entity set name: {name!r}")
    return name
