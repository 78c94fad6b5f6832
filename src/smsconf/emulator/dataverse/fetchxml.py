"""FetchXML on an entity set (`GET /<set>?fetchXml=<url-encoded XML>`), as the Web API runs it.

Sources: "Use FetchXml with the Web API" (null properties are left out of the rows; the primary
key and `@odata.etag` are always there), "Select columns using FetchXml" (no attribute element
or `all-attributes` means every column; linked columns are named `{alias or linked table}.
{column}` unless aliased), "Page results using FetchXml" (`count` is the page size, at most and
by default 5,000; `page` the page number; the next page's paging cookie and
`@Microsoft.Dynamics.CRM.morerecords` come as annotations when `include-annotations` asks, and
not on the last page), "Count rows using FetchXml" (`returntotalrecordcount` = `$count=true`,
counted up to 5,000; `top` cannot go with it nor with paging), "Aggregate data using FetchXml"
(see aggregate.py), and the fetch, condition and link-entity reference pages for the elements.

The subset real clients send is run; everything else in the schema (date operators relative to
now, hierarchy operators, `link-type` exists/in/any…, `intersect`, `rowaggregate`,
`latematerialize`…) is answered with a 400 naming it, never ignored. Error codes and messages
for bad input are the ones real orgs are seen to send where known ([inferred]: the references
do not list FetchXML error codes).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

from smsconf.emulator.dataverse import aggregate as agg
from smsconf.emulator.dataverse.annotations import annotator, counts
from smsconf.emulator.dataverse.errors import DataverseError
from smsconf.emulator.dataverse.fetchfilter import (
    Joined,
    Predicate,
    Scope,
    compile_filter,
    flag,
    invalid,
    no_attribute,
    norm,
    unsupported,
)
from smsconf.emulator.dataverse.protocol import MAX_PAGE_SIZE, AnnotationFilter
from smsconf.emulator.dataverse.schema import Fetch
from smsconf.emulator.dataverse.store import Row
from smsconf.emulator.dataverse.urls import is_guid
from smsconf.emulator.dataverse.values import etag, wire_value
from smsconf.platform import Column, ColumnType, Table

NO_ENTITY = "0x80041102"  # QueryBuilderNoEntity
PAGING_COOKIE = "Microsoft.Dynamics.CRM.fetchxmlpagingcookie"
MORE_RECORDS = "Microsoft.Dynamics.CRM.morerecords"

Rows = Callable[[str], list[Row]]

_FETCH_ATTRIBUTES = {
    "mapping",
    "version",
    "output-format",
    "distinct",
    "no-lock",
    "top",
    "count",
    "page",
    "paging-cookie",
    "aggregate",
    "aggregatelimit",
    "returntotalrecordcount",
    "useraworderby",
}
_LINK_TYPES = {"inner", "outer"}


def _number(element: ET.Element, name: str, default: int | None) -> int | None:
    raw = element.get(name)
    if raw is None or raw == "":
        return default
    if not raw.strip().isdigit() or int(raw) < 1:
        raise invalid(f"The '{name}' attribute must be a positive integer, not '{raw}'.")
    return int(raw)


# --- the query's shape ---------------------------------------------------------------------


@dataclass
class _Output:
    """One selected column: where it comes from and the key it has in a result row."""

    alias: str
    column: Column
    key: str
    aggregate: str | None = None
    groupby: bool = False
    dategrouping: str | None = None
    distinct: bool = False


@dataclass
class _Link:
    alias: str
    table: Table
    parent: str
    from_column: Column  # on this link's table
    to_column: Column  # on the parent's
    outer: bool
    filters: list[Predicate] = field(default_factory=list)


@dataclass
class _Order:
    alias: str | None  # an entity alias for attribute orders, None for result-alias orders
    column: Column | None
    result_alias: str | None
    descending: bool


@dataclass
class FetchQuery:
    """A parsed, checked FetchXML query, ready to run against rows."""

    table: Table
    outputs: list[_Output]
    links: list[_Link]
    filters: list[Predicate]
    orders: list[_Order]
    aggregate: bool
    distinct: bool
    top: int | None
    count: int | None
    page: int
    paging_cookie: str | None
    total_count: bool


class _Parser:
    def __init__(
        self, table: Table, tables: Mapping[str, Table], user_id: str, business_unit_id: str
    ) -> None:
        self.tables = tables
        self.scope = Scope({"": table}, user_id, business_unit_id)
        self.outputs: list[_Output] = []
        self.links: list[_Link] = []
        self.filters: list[Predicate] = []
        self.orders: list[_Order] = []
        self.aggregate = False
        self.link_counts: dict[str, int] = {}

    def entity(self, element: ET.Element, alias: str, table: Table) -> None:
        selected = False
        # Filters last: a condition may name (entityname=) a link-entity declared after it.
        for child in sorted(element, key=lambda c: c.tag == "filter"):
            tag = child.tag
            if tag == "attribute":
                selected = True
                self.outputs.append(self._attribute(child, alias, table))
            elif tag == "all-attributes":
                selected = True
                self.outputs += [self._default(alias, table, c) for c in table.columns]
            elif tag == "order":
                self.orders.append(self._order(child, alias, table))
            elif tag == "filter":
                predicate = compile_filter(child, alias, self.scope)
                if alias:
                    next(link for link in self.links if link.alias == alias).filters.append(
                        predicate
                    )
                else:
                    self.filters.append(predicate)
            elif tag == "link-entity":
                self._link(child, alias, table)
            else:
                raise invalid(f"The element '{tag}' is not valid inside '{element.tag}'.")
        if not selected and not alias and not self.aggregate:
            # "If you do not specify columns ... data for all columns is returned."
            self.outputs += [self._default(alias, table, c) for c in table.columns]

    def _default(self, alias: str, table: Table, column: Column) -> _Output:
        key = f"{alias}.{column.logical_name}" if alias else column.read_name
        return _Output(alias, column, key)

    def _attribute(self, element: ET.Element, alias: str, table: Table) -> _Output:
        name = element.get("name")
        if not name:
            raise invalid("An attribute element needs a 'name'.")
        column = table.column(name)
        if column is None:
            raise no_attribute(table, name)
        for setting in ("rowaggregate", "usertimezone"):
            if element.get(setting) is not None:
                raise unsupported(f"The attribute '{setting}' setting")
        function = element.get("aggregate")
        groupby = flag(element, "groupby")
        result_alias = element.get("alias")
        if self.aggregate:
            if not result_alias:
                raise invalid(
                    "An attribute of an aggregate query needs an 'alias' ('aggregate' or "
                    "'groupby' with 'alias' on every attribute)."
                )
            if function is None and not groupby:
                raise invalid(
                    f"The attribute '{name}' of an aggregate query needs 'aggregate' or 'groupby'."
                )
            if function is not None:
                agg.check_measure(function, column, result_alias)
        elif function is not None or groupby:
            raise invalid("'aggregate' and 'groupby' need <fetch aggregate='true'>.")
        output = self._default(alias, table, column)
        if result_alias:
            output.key = result_alias
        output.aggregate = function
        output.groupby = groupby
        output.dategrouping = element.get("dategrouping")
        output.distinct = flag(element, "distinct")
        if output.dategrouping is not None and column.type is not ColumnType.DATETIME:
            raise invalid(f"'dategrouping' applies to date columns, not '{name}'.")
        return output

    def _order(self, element: ET.Element, alias: str, table: Table) -> _Order:
        descending = flag(element, "descending")
        name, result_alias = element.get("attribute"), element.get("alias")
        if self.aggregate:
            if result_alias is None:
                raise invalid(
                    "An order in an aggregate query must name an attribute's 'alias', not an "
                    "attribute."
                )
            return _Order(None, None, result_alias, descending)
        if result_alias is not None and name is None:
            return _Order(None, None, result_alias, descending)
        if not name:
            raise invalid("An order element needs an 'attribute'.")
        column = table.column(name)
        if column is None:
            raise no_attribute(table, name)
        return _Order(alias, column, None, descending)

    def _link(self, element: ET.Element, parent: str, parent_table: Table) -> None:
        name = element.get("name") or ""
        table = self.tables.get(name)
        if table is None:
            raise DataverseError(
                400,
                NO_ENTITY,
                f"The entity with a name = '{name}' with namemapping = 'Logical' was not found "
                "in the MetadataCache.",
            )
        kind = element.get("link-type", "inner")
        if kind not in _LINK_TYPES:
            raise unsupported(f"The link-type '{kind}'")
        if flag(element, "intersect"):
            raise unsupported("A link-entity with intersect='true'")
        from_name, to_name = element.get("from"), element.get("to")
        from_column = table.column(from_name or table.primary_key)
        to_column = parent_table.column(to_name or parent_table.primary_key)
        if from_column is None:
            raise no_attribute(table, from_name or "")
        if to_column is None:
            raise no_attribute(parent_table, to_name or "")
        self.link_counts[name] = self.link_counts.get(name, 0) + 1
        alias = element.get("alias") or name
        if alias in self.scope.tables:
            alias = f"{name}{self.link_counts[name]}"  # [inferred] the service's generated alias
        if alias in self.scope.tables:
            raise invalid(f"The link-entity alias '{alias}' is used twice.")
        self.scope.tables[alias] = table
        self.links.append(_Link(alias, table, parent, from_column, to_column, kind == "outer"))
        self.entity(element, alias, table)


def parse(
    text: str, table: Table, tables: Mapping[str, Table], user_id: str, business_unit_id: str
) -> FetchQuery:
    """Parse and check a FetchXML document against the entity set's table."""
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        raise invalid("A FetchXML document may not declare a DOCTYPE or entities.")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise invalid(f"Invalid XML: {exc}.") from None
    if root.tag != "fetch":
        raise invalid(f"The root element must be 'fetch', not '{root.tag}'.")
    unknown = sorted(set(root.attrib) - _FETCH_ATTRIBUTES)
    if unknown:
        raise unsupported(f"The fetch attribute '{unknown[0]}'")
    entities = root.findall("entity")
    if len(entities) != 1 or len(root) != 1:
        raise invalid("A fetch element must hold exactly one entity element.")
    entity = entities[0]
    if entity.get("name") != table.logical_name:
        raise invalid(
            f"The FetchXML entity '{entity.get('name')}' does not match the entity set "
            f"'{table.entity_set}' (entity '{table.logical_name}')."
        )
    parser = _Parser(table, tables, user_id, business_unit_id)
    parser.aggregate = flag(root, "aggregate")
    parser.entity(entity, "", table)
    top = _number(root, "top", None)
    count = _number(root, "count", None)
    page = _number(root, "page", 1) or 1
    total = flag(root, "returntotalrecordcount")
    if top is not None and (count is not None or root.get("page") or total):
        raise invalid(
            "The 'top' attribute can't be used with 'count', 'page' or "
            "'returntotalrecordcount' (Page results using FetchXml)."
        )
    if top is not None and top > MAX_PAGE_SIZE:
        raise invalid(f"The 'top' attribute can't exceed {MAX_PAGE_SIZE}.")
    if count is not None and count > MAX_PAGE_SIZE:
        count = MAX_PAGE_SIZE  # larger page sizes are treated as the maximum
    if parser.aggregate:
        keys = {o.key for o in parser.outputs}
        missing = [o.result_alias for o in parser.orders if o.result_alias not in keys]
        if missing:
            raise invalid(f"The order alias '{missing[0]}' names no attribute alias.")
    return FetchQuery(
        table,
        parser.outputs,
        parser.links,
        parser.filters,
        parser.orders,
        parser.aggregate,
        flag(root, "distinct"),
        top,
        count,
        page,
        root.get("paging-cookie") or None,
        total,
    )


# --- running ------------------------------------------------------------------------------


def _join(query: FetchQuery, rows: Rows) -> list[Joined]:
    joined: list[Joined] = [{"": row} for row in rows(query.table.logical_name)]
    for link in query.links:
        candidates = [
            r
            for r in rows(link.table.logical_name)
            if all(f({**{"": None}, link.alias: r}) for f in link.filters)
        ]
        index: dict[Any, list[Row]] = {}
        for candidate in candidates:
            value = norm(link.from_column, candidate.get(link.from_column.logical_name))
            if value is not None:
                index.setdefault(value, []).append(candidate)
        widened: list[Joined] = []
        for current in joined:
            parent = current.get(link.parent)
            key = (
                None
                if parent is None
                else norm(link.to_column, parent.get(link.to_column.logical_name))
            )
            matches = index.get(key, []) if key is not None else []
            if matches:
                widened += [{**current, link.alias: match} for match in matches]
            elif link.outer:
                widened.append({**current, link.alias: None})
        joined = widened
    return joined


def _value(output: _Output, joined: Joined) -> Any:
    row = joined.get(output.alias)
    return None if row is None else wire_value(output.column, row)


def _sorted(query: FetchQuery, joined: list[Joined]) -> list[Joined]:
    """Rows in the query's order, the primary key last so pages never overlap [inferred: the
    service adds the primary key to the order for paging cookies]."""
    primary = query.table.column(query.table.primary_key)
    orders = [*query.orders]
    if primary is not None:
        orders.append(_Order("", primary, None, False))
    by_key = {o.key: o for o in query.outputs}
    for order in reversed(orders):
        if order.column is not None:
            alias, column = order.alias or "", order.column
        else:
            output = by_key.get(order.result_alias or "")
            if output is None:
                raise invalid(f"The order alias '{order.result_alias}' names no attribute.")
            alias, column = output.alias, output.column

        def key(item: Joined, alias: str = alias, column: Column = column) -> tuple[bool, Any]:
            row = item.get(alias)
            value = None if row is None else norm(column, wire_value(column, row))
            return (value is not None, value if value is not None else 0)

        joined = sorted(joined, key=key, reverse=order.descending)
    return joined


def _cookie(page: int, first: str, last: str, primary_key: str) -> str:
    """The paging cookie as the Web API writes it: the inner cookie URL-encoded twice."""
    inner = (
        f'<cookie page="{page}"><{primary_key} last="{{{last.upper()}}}" '
        f'first="{{{first.upper()}}}" /></cookie>'
    )
    once = re.sub(r"%[0-9A-F]{2}", lambda m: m[0].lower(), quote(inner, safe=""))
    return (
        f'<cookie pagenumber="{page + 1}" pagingcookie="{quote(once, safe="")}" '
        'istracking="False" />'
    )


def _cookie_last(cookie: str, primary_key: str) -> str | None:
    """The last primary key a paging cookie sent back names, or a 400 for a malformed one."""
    try:
        root = ET.fromstring(cookie)
    except ET.ParseError:
        try:
            root = ET.fromstring(unquote(unquote(cookie)))
        except ET.ParseError:
            raise invalid("The paging-cookie is not a valid paging cookie.") from None
    element = root.find(primary_key)
    last = None if element is None else element.get("last")
    return last.strip("{}").lower() if last and is_guid(last.strip("{}")) else None


@dataclass
class FetchResult:
    """Result rows and the annotations the body carries."""

    rows: list[dict[str, Any]]
    annotations: dict[str, Any]
    columns: list[str]


def run(
    query: FetchQuery, rows: Rows, fetch: Fetch, wanted: AnnotationFilter, count: bool
) -> FetchResult:
    """Run a parsed query: join, filter, order, aggregate or page, and shape the rows."""
    joined = [j for j in _join(query, rows) if all(f(j) for f in query.filters)]
    if query.aggregate:
        return _aggregate(query, joined, fetch, wanted)
    joined = _sorted(query, joined)
    if query.distinct:
        seen, unique = set(), []
        for item in joined:
            signature = tuple(norm(o.column, _value(o, item)) for o in query.outputs)
            if signature not in seen:
                seen.add(signature)
                unique.append(item)
        joined = unique
    notes = counts(wanted, len(joined), count or query.total_count)
    if query.top is not None:
        page_rows, more = joined[: query.top], False
    else:
        size = query.count or MAX_PAGE_SIZE
        offset = (query.page - 1) * size
        last = (
            _cookie_last(query.paging_cookie, query.table.primary_key)
            if query.paging_cookie
            else None
        )
        if last is not None:
            ids = [item[""][query.table.primary_key] for item in joined if item.get("")]
            if last in ids:
                offset = ids.index(last) + 1
        page_rows, more = joined[offset : offset + size], offset + size < len(joined)
        if more and page_rows:
            primary = query.table.primary_key
            first_id, last_id = page_rows[0][""][primary], page_rows[-1][""][primary]
            if wanted.wants(PAGING_COOKIE):
                notes[f"@{PAGING_COOKIE}"] = _cookie(query.page, first_id, last_id, primary)
            if wanted.wants(MORE_RECORDS):
                notes[f"@{MORE_RECORDS}"] = True
    annotate = annotator({o.key: o.column for o in query.outputs}, wanted, fetch)
    shaped = [annotate(_shape(query, item)) for item in page_rows]
    return FetchResult(shaped, notes, [o.key for o in query.outputs])


def _shape(query: FetchQuery, item: Joined) -> dict[str, Any]:
    main = item[""] or {}
    out: dict[str, Any] = {"@odata.etag": etag(main)}
    for output in query.outputs:
        value = _value(output, item)
        if value is not None:  # FetchXML leaves null properties out
            out[output.key] = value
    out[query.table.primary_key] = main[query.table.primary_key]
    return out


def _aggregate(
    query: FetchQuery, joined: list[Joined], fetch: Fetch, wanted: AnnotationFilter
) -> FetchResult:
    def getter(output: _Output) -> Callable[[Joined], Any]:
        return lambda item: _value(output, item)

    groups = [
        agg.Group(o.key, o.column, getter(o), o.dategrouping) for o in query.outputs if o.groupby
    ]
    measures = [
        agg.Measure(o.key, o.aggregate, o.column, getter(o), o.distinct)
        for o in query.outputs
        if o.aggregate is not None
    ]
    results = agg.aggregate(joined, groups, measures)
    for order in reversed(query.orders):
        alias = order.result_alias or ""

        def key(result: dict[str, Any], alias: str = alias) -> tuple[bool, Any]:
            value = result.get(alias)
            folded = value.casefold() if isinstance(value, str) else value
            return (value is not None, folded if value is not None else 0)

        results = sorted(results, key=key, reverse=order.descending)
    if query.top is not None:
        results = results[: query.top]
    columns = {g.alias: g.column for g in groups if g.part is None}
    counted = Column("count", ColumnType.INTEGER)
    for measure in measures:
        counts = measure.function in ("count", "countcolumn")
        columns[measure.alias] = counted if counts or measure.column is None else measure.column
    annotate = annotator(columns, wanted, fetch)
    return FetchResult([annotate(r) for r in results], {}, [o.key for o in query.outputs])
