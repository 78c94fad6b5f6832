"""OData system query options: `$select`, `$filter`, `$orderby`, `$expand` and the paging cookie.

`$filter` is parsed by the odata-query grammar and compiled here into a Python predicate over
stored rows, type-checked against the table first so a bad filter is a 400 even on an empty
table. Semantics follow Dataverse: strings compare case-insensitively, `ne` includes nulls,
GUIDs are unquoted literals, and lookups are filtered as `_x_value`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from odata_query import ast
from odata_query.exceptions import ODataException
from odata_query.grammar import ODataLexer, ODataParser

from smsconf.emulator.dataverse.errors import bad_query, unknown_property
from smsconf.emulator.dataverse.schema import Fetch
from smsconf.emulator.dataverse.store import Row
from smsconf.emulator.dataverse.urls import parse_guid, split_top_level
from smsconf.emulator.dataverse.values import wire_value
from smsconf.platform import Column, ColumnType, Table

Predicate = Callable[[Row], bool]
_Getter = Callable[[Row], Any]

_KIND = {
    ColumnType.STRING: "string",
    ColumnType.MEMO: "string",
    ColumnType.MULTISELECT: "string",
    ColumnType.INTEGER: "number",
    ColumnType.BIGINT: "number",
    ColumnType.PICKLIST: "number",
    ColumnType.DECIMAL: "number",
    ColumnType.BOOLEAN: "boolean",
    ColumnType.LOOKUP: "guid",
    ColumnType.UNIQUEIDENTIFIER: "guid",
    ColumnType.DATETIME: "datetime",
}
_EDM = {
    "string": "Edm.String",
    "number": "Edm.Int32",
    "boolean": "Edm.Boolean",
    "guid": "Edm.Guid",
    "datetime": "Edm.DateTimeOffset",
}
_ORDERED = {"string", "number", "datetime", "guid"}
CRM_NAMESPACE = ("Microsoft", "Dynamics", "CRM")
_STRING_FUNCTIONS: dict[str, Callable[[str, str], bool]] = {
    "contains": lambda haystack, needle: needle in haystack,
    "startswith": str.startswith,
    "endswith": str.endswith,
}


def column_by_read_name(table: Table, name: str) -> Column:
    """The column a query option names (lookups as `_x_value`), or the service's 400."""
    column = table.column(name)
    if column is not None and column.type is not ColumnType.LOOKUP:
        return column
    if name.startswith("_") and name.endswith("_value"):
        column = table.column(name[1:-6])
        if column is not None and column.type is ColumnType.LOOKUP:
            return column
    raise unknown_property(name, table.logical_name)


def parse_select(table: Table, text: str | None) -> list[Column] | None:
    """The columns of `$select`, or None for all columns."""
    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    return [column_by_read_name(table, n) for n in names]


def _comparable(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _as_datetime(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class _Operand:
    kind: str | None  # None for the null literal
    get: _Getter


class _FilterCompiler:
    """Turns an odata-query AST into a predicate, refusing what Dataverse refuses."""

    def __init__(self, table: Table, fetch: Fetch) -> None:
        self.table = table
        self.fetch = fetch

    def predicate(self, node: ast._Node) -> Predicate:
        if isinstance(node, ast.BoolOp):
            left, right = self.predicate(node.left), self.predicate(node.right)
            if isinstance(node.op, ast.And):
                return lambda row: left(row) and right(row)
            return lambda row: left(row) or right(row)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self.predicate(node.operand)
            return lambda row: not inner(row)
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        operand = self.operand(node)
        if operand.kind != "boolean":
            raise bad_query("The $filter expression must evaluate to a single boolean value.")
        return lambda row: operand.get(row) is True

    def _column_operand(
        self, table: Table, name: str, base: Callable[[Row], Row | None]
    ) -> _Operand:
        column = column_by_read_name(table, name)
        kind = _KIND[column.type]

        def get(row: Row) -> Any:
            target = base(row)
            return None if target is None else wire_value(column, target)

        return _Operand(kind, get)

    def operand(self, node: ast._Node) -> _Operand:
        if isinstance(node, ast.Identifier):
            return self._column_operand(self.table, node.name, lambda row: row)
        if isinstance(node, ast.Attribute) and isinstance(node.owner, ast.Identifier):
            return self._navigate(node.owner.name, node.attr)
        literal = _literal(node)
        if literal is not None:
            return literal
        raise bad_query(f"The $filter expression '{type(node).__name__}' is not supported.")

    def _navigate(self, navigation: str, attr: str) -> _Operand:
        column = self.table.by_navigation(navigation)
        if column is None or column.target is None:
            raise unknown_property(navigation, self.table.logical_name)
        target_table = self.fetch.tables.get(column.target)
        if target_table is None:
            raise unknown_property(navigation, self.table.logical_name)
        source = column.logical_name
        fetch = self.fetch

        def base(row: Row) -> Row | None:
            linked = row.get(source)
            return None if linked is None else fetch(target_table.logical_name, linked)

        return self._column_operand(target_table, attr, base)

    def _compare(self, node: ast.Compare) -> Predicate:
        if isinstance(node.comparator, ast.In):
            raise bad_query("The 'in' operator is not supported.")
        left, right = self.operand(node.left), self.operand(node.right)
        kind = left.kind or right.kind
        if left.kind and right.kind and left.kind != right.kind:
            raise bad_query(
                "A binary operator with incompatible types was detected. Found operand types "
                f"'{_EDM[left.kind]}' and '{_EDM[right.kind]}' for operator kind "
                f"'{type(node.comparator).__name__}'."
            )
        comparator = node.comparator
        if isinstance(comparator, ast.Eq | ast.NotEq):
            negate = isinstance(comparator, ast.NotEq)

            def equal(row: Row) -> bool:
                same = _norm(kind, left.get(row)) == _norm(kind, right.get(row))
                return same != negate

            return equal
        if kind not in _ORDERED:
            raise bad_query(f"The operator '{type(comparator).__name__}' is not valid here.")
        test = _ORDER_TESTS[type(comparator)]

        def ordered(row: Row) -> bool:
            a, b = _norm(kind, left.get(row)), _norm(kind, right.get(row))
            return a is not None and b is not None and test(a, b)

        return ordered

    def _call(self, node: ast.Call) -> Predicate:
        if node.func.namespace == CRM_NAMESPACE:
            return self._crm_function(node)
        test = _STRING_FUNCTIONS.get(node.func.name)
        if test is None:
            raise bad_query(f"The function '{node.func.name}' is not supported.")
        if len(node.args) != 2:
            raise bad_query(f"The function '{node.func.name}' expects 2 arguments.")
        subject, needle = (self.operand(a) for a in node.args)
        if subject.kind != "string" or needle.kind != "string":
            raise bad_query(f"The function '{node.func.name}' takes string arguments.")

        def call(row: Row) -> bool:
            a, b = subject.get(row), needle.get(row)
            return a is not None and b is not None and test(a.casefold(), b.casefold())

        return call

    def _crm_function(self, node: ast.Call) -> Predicate:
        """Dataverse's `Microsoft.Dynamics.CRM.In` / `NotIn`, whose values are string literals
        converted to the column's type."""
        name = node.func.name
        if name not in ("In", "NotIn"):
            raise bad_query(f"The function 'Microsoft.Dynamics.CRM.{name}' is not supported.")
        params = {a.name.name: a.param for a in node.args if isinstance(a, ast.NamedParam)}
        prop, given = params.get("PropertyName"), params.get("PropertyValues")
        if not isinstance(prop, ast.String) or given is None:
            raise bad_query(f"'{name}' needs PropertyName='<column>' and PropertyValues=[...].")
        column = self.table.column(prop.val)
        if column is None or column.type is not ColumnType.LOOKUP:
            column = column_by_read_name(self.table, prop.val)
        kind = _KIND[column.type]
        literals = given.val if isinstance(given, ast.List) else [given]
        if not all(isinstance(lit, ast.String) for lit in literals):
            raise bad_query("PropertyValues must be string literals.")
        wanted = {_norm(kind, _convert(kind, lit.val)) for lit in literals}
        negate = name == "NotIn"
        return lambda row: (_norm(kind, wire_value(column, row)) in wanted) != negate


def _convert(kind: str, text: str) -> Any:
    """A PropertyValues string as a value of the column's kind, or a 400."""
    try:
        if kind == "number":
            return float(text) if "." in text else int(text)
        if kind == "boolean":
            return {"true": True, "false": False}[text.lower()]
        if kind == "guid":
            return parse_guid(text)
        if kind == "datetime":
            return _as_datetime(text)
    except (ValueError, KeyError):
        raise bad_query(f"The value '{text}' is not valid for this column.") from None
    return text


def _brackets_to_parens(text: str) -> str:
    """`PropertyValues=[...]` as a parenthesised list, the only form the grammar reads."""
    out, quoted = [], False
    for char in text:
        quoted = quoted != (char == "'")
        out.append({"[": "(", "]": ")"}.get(char, char) if not quoted else char)
    return "".join(out)


_ORDER_TESTS: dict[type, Callable[[Any, Any], bool]] = {
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
}


def _norm(kind: str | None, value: Any) -> Any:
    if value is None:
        return None
    if kind == "datetime":
        return _as_datetime(value)
    return _comparable(value)


def _literal(node: ast._Node) -> _Operand | None:
    value: Any
    if isinstance(node, ast.Null):
        return _Operand(None, lambda row: None)
    if isinstance(node, ast.String):
        value, kind = node.val, "string"
    elif isinstance(node, ast.Integer):
        value, kind = int(node.val), "number"
    elif isinstance(node, ast.Float):
        value, kind = float(node.val), "number"
    elif isinstance(node, ast.Boolean):
        value, kind = node.val.lower() == "true", "boolean"
    elif isinstance(node, ast.GUID):
        value, kind = parse_guid(node.val), "guid"
    elif isinstance(node, ast.DateTime | ast.Date):
        value, kind = _as_datetime(node.val), "datetime"
    else:
        return None
    return _Operand(kind, lambda row: value)


def parse_filter(table: Table, text: str, fetch: Fetch) -> Predicate:
    """A predicate for `$filter`, or a 400 if it does not parse or names unknown columns."""
    try:
        tree = ODataParser().parse(ODataLexer().tokenize(_brackets_to_parens(text)))
    except (ODataException, ValueError, IndexError, TypeError) as exc:
        raise bad_query(f"Syntax error in $filter '{text}': {exc}") from None
    return _FilterCompiler(table, fetch).predicate(tree)


def parse_orderby(table: Table, text: str) -> list[tuple[Column, bool]]:
    """(column, descending) pairs of `$orderby`."""
    result: list[tuple[Column, bool]] = []
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1] not in ("asc", "desc")):
            raise bad_query(f"Syntax error in $orderby '{text}'.")
        result.append((column_by_read_name(table, words[0]), words[-1] == "desc"))
    return result


def sort_rows(rows: list[Row], order: list[tuple[Column, bool]]) -> list[Row]:
    """Rows sorted as SQL Server sorts them: nulls first ascending, strings without case."""
    for column, descending in reversed(order):
        kind = _KIND[column.type]

        def key(row: Row, column: Column = column, kind: str = kind) -> tuple[bool, Any]:
            value = _norm(kind, wire_value(column, row))
            return (value is not None, value if value is not None else 0)

        rows = sorted(rows, key=key, reverse=descending)
    return rows


EXPAND_OPTIONS = frozenset({"$select", "$filter", "$orderby", "$top", "$expand"})


@dataclass(frozen=True)
class Expansion:
    """One `$expand` item: a navigation property and its nested query options."""

    navigation: str
    options: dict[str, str]

    @property
    def select(self) -> str | None:
        """The nested `$select`, if any."""
        return self.options.get("$select")


_EXPAND_ITEM = re.compile(r"^(?P<nav>[A-Za-z_][A-Za-z0-9_]*)(?:\((?P<opts>.*)\))?$", re.DOTALL)


def parse_expand(text: str) -> list[Expansion]:
    """Items of `$expand` with their nested options (`$select`, `$filter`, `$orderby`, `$top`,
    `$expand`, separated by `;`); which apply to which navigation kind is checked by the
    caller, which knows the navigation."""
    items: list[Expansion] = []
    for part in split_top_level(text, ","):
        match = _EXPAND_ITEM.match(part)
        if not match:
            raise bad_query(f"Syntax error in $expand '{text}'.")
        options: dict[str, str] = {}
        for option in split_top_level(match["opts"] or "", ";"):
            name, _, value = option.partition("=")
            if name.strip() not in EXPAND_OPTIONS:
                raise bad_query(f"The query option '{name}' is not supported inside $expand.")
            options[name.strip()] = value
        items.append(Expansion(match["nav"], options))
    return items


def substitute_aliases(text: str, query: dict[str, str]) -> str:
    """A query option with its parameter aliases (`@p1`, given as `?@p1=...`) replaced by their
    values, as OData 4.0 part 2 §5.1.1.13.1 allows in `$filter`; an undefined alias is a 400."""

    def value(match: re.Match[str]) -> str:
        if match[1]:
            return match[1]
        name = match[2]
        if name not in query:
            raise bad_query(f"The parameter alias '{name}' is not defined in the request.")
        return query[name]

    return re.sub(r"('(?:[^']|'')*')|(@[A-Za-z_][A-Za-z0-9_]*)", value, text)


_COOKIE = re.compile(r'^<cookie pagenumber="(\d+)" pagingcookie="(\d+)" istracking="False" />$')


def skiptoken(page: int, offset: int) -> str:
    """An opaque paging cookie shaped like the service's; clients only pass it back."""
    return f'<cookie pagenumber="{page}" pagingcookie="{offset}" istracking="False" />'


def read_skiptoken(token: str) -> tuple[int, int]:
    """(page number, offset) from a cookie this emulator issued."""
    match = _COOKIE.match(token)
    if not match:
        raise bad_query("The $skiptoken is not valid.")
    return int(match[1]), int(match[2])
