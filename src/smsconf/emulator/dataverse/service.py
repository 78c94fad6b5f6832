"""The Web API's HTTP semantics over entity sets: status codes, headers, preferences, ETags.

`Service.handle` answers one `Call` in its own transaction; a `$batch` change set wraps several
calls in an outer transaction, which turns theirs into savepoints. Every refusal is raised as a
`DataverseError` and becomes the documented error body here; a bug in the emulator itself
becomes the service's generic 500 body and a log line, never a traceback on the wire.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from smsconf.emulator.dataverse import actions, bulk, csdl, fetchxml, fieldsecurity, metadata
from smsconf.emulator.dataverse.actions import Identity
from smsconf.emulator.dataverse.annotations import annotator, counts
from smsconf.emulator.dataverse.apply import (
    order_results,
    parse_apply,
    result_columns,
    run_apply,
)
from smsconf.emulator.dataverse.errors import (
    QUERY_ERROR,
    UNEXPECTED,
    DataverseError,
    bad_payload,
    bad_query,
    duplicate_key,
    not_found,
    not_valid_for_read,
    unknown_property,
    version_mismatch,
)
from smsconf.emulator.dataverse.organisation import Organisation
from smsconf.emulator.dataverse.protocol import (
    MAX_PAGE_SIZE,
    Call,
    Reply,
    empty_reply,
    error_reply,
    json_reply,
    text_reply,
)
from smsconf.emulator.dataverse.query import (
    EXPAND_OPTIONS,
    Expansion,
    parse_expand,
    parse_filter,
    parse_orderby,
    parse_select,
    read_skiptoken,
    skiptoken,
    sort_rows,
    substitute_aliases,
)
from smsconf.emulator.dataverse.records import ContentIds, Records, keyed
from smsconf.emulator.dataverse.schema import Fetch, Schema
from smsconf.emulator.dataverse.store import Row, Store
from smsconf.emulator.dataverse.urls import (
    Segment,
    function_call,
    parse_guid,
    parse_path,
    split_path,
)
from smsconf.emulator.dataverse.values import etag, presenter, wire_value
from smsconf.platform import Column, ColumnType, Table

log = logging.getLogger(__name__)

ACTION_PREFIX = "Microsoft.Dynamics.CRM."
_COLLECTION_OPTIONS = {"$select", "$filter", "$orderby", "$top", "$expand", "$count", "$skiptoken"}
_ROW_OPTIONS = {"$select", "$expand"}
_SINGLE_EXPAND = frozenset({"$select", "$expand"})
_COLLECTION_EXPAND = EXPAND_OPTIONS - {"$expand"}  # [inferred] nested collections not emulated
METADATA_SETS = (
    "EntityDefinitions",
    "RelationshipDefinitions",
    "GlobalOptionSetDefinitions",
    "sdkmessagefilters",
)


@dataclass(frozen=True)
class Related:
    """The far side of a collection-valued navigation property: its table, and how to read
    every row's related rows at once (row id → rows)."""

    table: Table
    index: Callable[[], dict[str, list[Row]]]


class Service:
    """Answers Web API calls against one emulated organisation."""

    def __init__(
        self, store: Store, identity: Identity, organisation: Organisation, schema: Schema
    ) -> None:
        self.store = store
        self.identity = identity
        self.organisation = organisation
        self.schema = schema
        lacks = organisation.lacks if organisation.plugins else None
        self.records = Records(store, identity.user_id, schema, plugins=lacks)
        self._fetch = Fetch(schema.tables, store.get)

    def handle(self, call: Call, content_ids: ContentIds | None = None) -> Reply:
        """One call, atomically; failures become error replies, never exceptions."""
        try:
            with self.store.transaction(), self._acting_as(call.headers.get("mscrmcallerid")):
                return self._route(call, content_ids if content_ids is not None else {})
        except DataverseError as error:
            return error_reply(error)
        except Exception:  # the client gets the service's generic 500 body, never a traceback
            log.exception("unexpected failure on %s %s", call.method, call.path)
            return error_reply(DataverseError(500, UNEXPECTED, "An unexpected error occurred."))

    @contextmanager
    def _acting_as(self, caller: str | None) -> Iterator[None]:
        """`MSCRMCallerID: <systemuserid>`: the call runs as that user, so the rows it writes
        name them in `modifiedby` (Learn, "Impersonate another user using the Web API"); the
        caller must be a user of the organisation."""
        if caller is None:
            yield
            return
        user = caller.strip().strip("{}").lower()
        if self.store.get("systemuser", user) is None:
            raise not_found("systemuser", user)
        self.records.user_id = user
        try:
            yield
        finally:
            self.records.user_id = self.identity.user_id

    def _route(self, call: Call, content_ids: ContentIds) -> Reply:
        parts = split_path(call.path)
        if not parts:
            self._only(call, "GET")
            return self._service_document(call)
        if len(parts) == 1 and parts[0].split("(", 1)[0] in actions.FUNCTIONS:
            self._only(call, "GET")
            name, parameters = function_call(parts[0], call.query)
            if name == "RetrieveVersion" and not parameters:
                return self.organisation.retrieve_version(call)
            return actions.call_function(call, self.identity, self.records, name, parameters)
        segments = parse_path(call.path)
        head = segments[0]
        if head.name == "BulkDelete" and len(segments) == 1:
            self._only(call, "POST")
            return actions.bulk_delete(self.records, call)
        if head.name == "sdkmessagefilters" and len(segments) == 1:
            self._only(call, "GET")
            return metadata.message_filters(call, self.schema)
        if head.name == "$metadata" and len(segments) == 1:
            self._only(call, "GET")
            return csdl.reply(self.schema, self.organisation.lacks)
        if head.name == "RelationshipDefinitions":
            self._only(call, "GET")
            return metadata.relationship_definitions(call, segments, self.schema)
        if head.name == "GlobalOptionSetDefinitions":
            self._only(call, "GET")
            return metadata.global_option_set_definitions(call, segments, self.schema)
        if head.name == "EntityDefinitions":
            self._only(call, "GET")
            return metadata.answer(call, segments, self.schema, self.organisation.attributes)
        if head.name.startswith("$") and head.name[1:] in content_ids:
            table, row_id = content_ids[head.name[1:]]
            return self._entity(
                call, table, [Segment(table.entity_set, row_id), *segments[1:]], content_ids
            )
        return self._entity(call, self.records.entity_set(head.name), segments, content_ids)

    @staticmethod
    def _only(call: Call, *methods: str) -> None:
        if call.method not in methods:
            raise DataverseError(
                405, QUERY_ERROR, f"The method '{call.method}' is not allowed on this resource."
            )

    def _entity(
        self, call: Call, table: Table, segments: list[Segment], content_ids: ContentIds
    ) -> Reply:
        self.organisation.check(call, table)
        head, rest = segments[0], segments[1:]
        if head.key is None:
            if not rest:
                self._only(call, "GET", "POST")
                if call.method == "GET":
                    return self._list(call, table)
                return self._create(call, table, content_ids)
            if len(rest) == 1 and rest[0].name == "$count" and rest[0].key is None:
                self._only(call, "GET")
                return self._count(call, table)
            if len(rest) == 1 and rest[0].name.startswith(ACTION_PREFIX):
                self._only(call, "POST")
                action = rest[0].name[len(ACTION_PREFIX) :]
                return bulk.run(self.records, call, table, action, content_ids)
            raise bad_query(f"Resource not found for the segment '{rest[0].name}'.")
        if not rest:
            self._only(call, "GET", "PATCH", "DELETE")
            if call.method == "GET":
                return self._retrieve(call, table, head.key)
            if call.method == "PATCH":
                return self._upsert(call, table, head.key, content_ids)
            return self._delete(call, table, head.key)
        return self._navigation(call, table, head.key, rest, content_ids)

    # --- reads -------------------------------------------------------------------------

    def _service_document(self, call: Call) -> Reply:
        """`GET /api/data/v9.2/`: the OData service document, every entity set served."""
        names = [t.entity_set for t in self.schema.all_tables()] + list(METADATA_SETS)
        value = [{"name": n, "kind": "EntitySet", "url": n} for n in names]
        return json_reply(200, {"@odata.context": f"{call.root}/$metadata", "value": value})

    def _shaper(
        self, call: Call, table: Table, options: dict[str, str]
    ) -> Callable[[Row], dict[str, Any]]:
        """Parse `$select`/`$expand` once (a 400 even when no row matches) and shape rows,
        with the annotations the request's include-annotations pattern asks for."""
        columns = self._readable(table, parse_select(table, options.get("$select")))
        expansions = [
            (item.navigation, self._expander(call, table, item))
            for item in parse_expand(options.get("$expand") or "")
        ]
        present_row = presenter(table, columns)
        selected = columns if columns is not None else list(table.columns)
        annotate = annotator({c.read_name: c for c in selected}, call.annotations, self._fetch)

        def shape(row: Row) -> dict[str, Any]:
            out = annotate(present_row(row))
            for navigation, expander in expansions:
                out[navigation] = expander(row)
            return out

        return shape

    @staticmethod
    def _nested(item: Expansion, allowed: frozenset[str], kind: str) -> None:
        refused = sorted(set(item.options) - allowed)
        if refused:
            raise bad_query(
                f"The query option '{refused[0]}' is not supported inside $expand of the "
                f"{kind} navigation property '{item.navigation}'."
            )

    def _expander(self, call: Call, table: Table, item: Expansion) -> Callable[[Row], Any]:
        """The related row (lookup) or rows (1:N, N:N) of a navigation property, shaped; a
        collection takes nested `$filter`, `$orderby` and `$top` too."""
        navigation = item.navigation
        column = table.by_navigation(navigation)
        if column is not None and column.target is not None:
            self._nested(item, _SINGLE_EXPAND, "single-valued")
            target = self.schema.tables.get(column.target)
            if target is None:  # a lookup to a table this organisation does not serve
                raise unknown_property(navigation, table.logical_name)
            shape = self._shaper(call, target, item.options)
            source = column.logical_name

            def single(row: Row) -> Any:
                linked_id = row.get(source)
                linked = None if linked_id is None else self._fetch(target.logical_name, linked_id)
                return None if linked is None else shape(linked)

            return single
        self._nested(item, _COLLECTION_EXPAND, "collection-valued")
        related = self._related(table, navigation)
        other = related.table
        shape = self._shaper(call, other, item.options)
        refine = self._refiner(call, other, item.options)
        index: dict[str, list[Row]] | None = None  # read on the first row: one request, one read

        def many(row: Row) -> list[dict[str, Any]]:
            nonlocal index
            if index is None:
                index = related.index()
            return [shape(r) for r in refine(index.get(row[table.primary_key], []))]

        return many

    def _related(self, table: Table, navigation: str) -> Related:
        """A collection-valued navigation property: N:N, or 1:N named as RelationshipDefinitions
        names its ReferencedEntityNavigationPropertyName."""
        rel = self.schema.relationship(table.logical_name, navigation)
        if rel is not None:
            return Related(
                self.schema.tables[rel.other(table.logical_name)],
                lambda: self.records.all_linked(rel, table),
            )
        for relationship in self.schema.referencing(table.logical_name):
            if relationship.collection == navigation:
                child = self.schema.tables[relationship.referencing]
                lookup = relationship.column

                def children(child: Table = child, lookup: Column = lookup) -> dict[str, list[Row]]:
                    grouped: dict[str, list[Row]] = {}
                    for r in self.store.rows(child.logical_name):
                        parent = r.get(lookup.logical_name)
                        if parent is not None:
                            grouped.setdefault(parent, []).append(r)
                    return grouped

                return Related(child, children)
        raise unknown_property(navigation, table.logical_name)

    def _refiner(
        self, call: Call, table: Table, options: dict[str, str]
    ) -> Callable[[list[Row]], list[Row]]:
        """`$filter`, `$orderby` and `$top` of a collection, parsed once."""
        predicate = (
            parse_filter(table, substitute_aliases(options["$filter"], call.query), self._fetch)
            if "$filter" in options
            else None
        )
        order = parse_orderby(table, options["$orderby"]) if "$orderby" in options else None
        top = self._top(options.get("$top"))

        def refine(rows: list[Row]) -> list[Row]:
            if predicate is not None:
                rows = [r for r in rows if predicate(r)]
            if order is not None:
                rows = sort_rows(rows, order)
            return rows if top is None else rows[:top]

        return refine

    def _readable(self, table: Table, columns: list[Column] | None) -> list[Column]:
        """The columns a read returns: those `$select` names, each valid for read (else the
        service's 400), or without `$select` every column that is."""

        def readable(column: Column) -> bool:
            facts = self.schema.attribute(table.logical_name, column.logical_name)
            return facts.get("valid_for_read") is not False

        if columns is None:
            return [c for c in table.columns if readable(c)]
        for column in columns:
            if not readable(column):
                raise not_valid_for_read(column.logical_name, table.logical_name)
        return columns

    def _context(self, call: Call, table: Table, suffix: str = "") -> str:
        select = call.query.get("$select")
        columns = f"({select})" if select else ""
        return f"{call.root}/$metadata#{table.entity_set}{columns}{suffix}"

    @staticmethod
    def _check_options(call: Call, allowed: set[str]) -> None:
        """Refuse `$skip`, `$search`, `$format` and unknown options like the service, and any
        other (non-`$`) option the emulator does not run; parameter aliases (`@p1`) pass."""
        for option in sorted(call.query):
            if option.startswith("@"):
                continue
            if option.startswith("$") and option not in allowed:
                raise bad_query(f"The query parameter {option} is not supported")
            if not option.startswith("$"):
                raise bad_query(f"The query parameter '{option}' is not supported.")

    def _list(self, call: Call, table: Table) -> Reply:
        query = call.query
        if "fetchXml" in query:
            return self._fetch_xml(call, table)
        for option, saved in (("savedQuery", "savedquery"), ("userQuery", "userquery")):
            if option in query:
                # The emulated org stores no views: every id names a view that does not exist.
                raise not_found(saved, parse_guid(query[option]))
        if "$apply" in query:
            return self._apply(call, table)
        self._check_options(call, _COLLECTION_OPTIONS)
        rows = self.store.rows(table.logical_name)
        return self._page(call, table, rows)

    def _count(self, call: Call, table: Table) -> Reply:
        """`/<set>/$count`: the number of (filtered) rows as `text/plain` ("Count rows")."""
        self._check_options(call, {"$filter"})
        rows = self._refiner(call, table, call.query)(self.store.rows(table.logical_name))
        return text_reply(200, str(len(rows)))

    def _fetch_xml(self, call: Call, table: Table) -> Reply:
        """`?fetchXml=`: the FetchXML query run (fetchxml.py); `$count=true` may go with it."""
        others = sorted(k for k in call.query if k not in ("fetchXml", "$count"))
        if others:
            raise bad_query(f"The query parameter {others[0]} can't be combined with fetchXml.")
        query = fetchxml.parse(
            call.query["fetchXml"],
            table,
            self.schema.tables,
            self.identity.user_id,
            self.identity.business_unit_id,
        )
        counted = call.query.get("$count", "").lower() == "true"
        result = fetchxml.run(query, self.store.rows, self._fetch, call.annotations, counted)
        columns = "" if query.aggregate else f"({','.join(result.columns)})"
        body = {
            "@odata.context": f"{call.root}/$metadata#{table.entity_set}{columns}",
            **result.annotations,
            "value": result.rows,
        }
        return json_reply(200, body, call.applied())

    def _apply(self, call: Call, table: Table) -> Reply:
        """`$apply` groupby/aggregate (apply.py), with `$orderby` on grouping properties."""
        self._check_options(call, {"$apply", "$orderby"})
        parsed = parse_apply(table, call.query["$apply"], self._fetch)
        results = run_apply(parsed, self.store.rows(table.logical_name))
        results = order_results(parsed, results, call.query.get("$orderby"))
        annotate = annotator(result_columns(parsed), call.annotations, self._fetch)
        body = {
            "@odata.context": f"{call.root}/$metadata#{table.entity_set}",
            "value": [annotate(r) for r in results],
        }
        return json_reply(200, body, call.applied())

    def _page(self, call: Call, table: Table, rows: list[Row]) -> Reply:
        query = call.query
        shape = self._shaper(call, table, query)
        if "$filter" in query:
            predicate = parse_filter(
                table, substitute_aliases(query["$filter"], query), self._fetch
            )
            rows = [r for r in rows if predicate(r)]
        if "$orderby" in query:
            rows = sort_rows(rows, parse_orderby(table, query["$orderby"]))
        matched = len(rows)
        top = self._top(query.get("$top"))
        if top is not None:
            rows = rows[:top]
        page_number, offset = (
            read_skiptoken(query["$skiptoken"]) if "$skiptoken" in query else (1, 0)
        )
        requested = call.page_size()
        size = requested or MAX_PAGE_SIZE
        page = rows[offset : offset + size]
        body: dict[str, Any] = {"@odata.context": self._context(call, table)}
        body.update(counts(call.annotations, matched, query.get("$count", "").lower() == "true"))
        body["value"] = [shape(r) for r in page]
        if offset + size < len(rows):
            params = {k: v for k, v in query.items() if k != "$skiptoken"}
            params["$skiptoken"] = skiptoken(page_number + 1, offset + size)
            body["@odata.nextLink"] = (
                f"{call.root}/{call.path}?{urlencode(params, quote_via=quote, safe='$,()')}"
            )
        applied = [f"odata.maxpagesize={requested}"] if requested is not None else []
        return json_reply(200, body, call.applied(*applied))

    @staticmethod
    def _top(raw: str | None) -> int | None:
        if raw is None:
            return None
        if not raw.isdigit():
            raise bad_query(f"Invalid value '{raw}' for $top query option.")
        return int(raw)

    def _retrieve(self, call: Call, table: Table, key: str | dict[str, Any]) -> Reply:
        self._check_options(call, _ROW_OPTIONS)
        shape = self._shaper(call, table, call.query)
        row = self.records.require(table, key)
        match = call.headers.get("if-none-match")
        if (
            match
            and match == etag(row)
            and "$expand" not in call.query
            and not call.annotations.requested
        ):
            return empty_reply(304, {"ETag": etag(row)})
        body = {
            "@odata.context": self._context(call, table, "/$entity"),
            **shape(row),
        }
        return json_reply(200, body, {"ETag": etag(row), **call.applied()})

    # --- writes ------------------------------------------------------------------------

    def _written(self, call: Call, table: Table, row: Row, status: int) -> Reply:
        """The reply to a successful write: 204 + OData-EntityId, or the row if asked."""
        location = f"{call.root}/{table.entity_set}({row[table.primary_key]})"
        headers = {"OData-EntityId": location, "ETag": etag(row)}
        if not call.wants_representation:
            return empty_reply(204, headers)
        body = {
            "@odata.context": self._context(call, table, "/$entity"),
            # The written row as a read shapes it: `$select` and annotations, never `$expand`.
            **self._shaper(call, table, {k: v for k, v in call.query.items() if k == "$select"})(
                row
            ),
        }
        headers["Preference-Applied"] = "return=representation"
        return json_reply(status, body, headers)

    def _create(self, call: Call, table: Table, content_ids: ContentIds) -> Reply:
        changes = self.records.payload(table, call.json_object(), content_ids, creating=True)
        fieldsecurity.check_write(self.records, table, changes, creating=True)
        row = self.records.create(table, changes)
        self._remember(call, table, row, content_ids)
        return self._written(call, table, row, 201)

    def _remember(self, call: Call, table: Table, row: Row, content_ids: ContentIds) -> None:
        content_id = call.headers.get("content-id")
        if content_id:
            content_ids[content_id] = (table, row[table.primary_key])

    def _check_version(self, call: Call, row: Row | None, table: Table, key: Any) -> None:
        """Apply `If-Match`; `*` and `W/"n"` both require the row to exist."""
        match = call.headers.get("if-match")
        if not match:
            return
        if row is None:
            raise not_found(table.logical_name, str(key))
        if match != "*" and match != etag(row):
            raise version_mismatch()

    def _upsert(
        self, call: Call, table: Table, key: str | dict[str, Any], content_ids: ContentIds
    ) -> Reply:
        row_id = self.records.find_id(table, key)
        row = None if row_id is None else self._fetch(table.logical_name, row_id)
        self._check_version(call, row, table, key)
        if row is not None and call.headers.get("if-none-match") == "*":
            raise duplicate_key()
        changes = self.records.payload(table, call.json_object(), content_ids, creating=row is None)
        fieldsecurity.check_write(self.records, table, changes, creating=row is None)
        if row is not None:
            updated = self.records.update(table, row, changes)
            self._remember(call, table, updated, content_ids)
            return self._written(call, table, updated, 200)
        created = self.records.create_at(table, key, changes)
        self._remember(call, table, created, content_ids)
        return self._written(call, table, created, 201)

    def _delete(self, call: Call, table: Table, key: str | dict[str, Any]) -> Reply:
        row = self.records.require(table, key)
        self._check_version(call, row, table, key)
        self.records.delete(table, row)
        return empty_reply(204)

    # --- navigation and $ref -----------------------------------------------------------

    def _navigation(
        self,
        call: Call,
        table: Table,
        key: str | dict[str, Any],
        rest: list[Segment],
        content_ids: ContentIds,
    ) -> Reply:
        row = self.records.require(table, key)
        nav = rest[0]
        is_ref = len(rest) == 2 and rest[1].name == "$ref"
        if len(rest) > 2 or (len(rest) == 2 and not is_ref):
            raise bad_query(f"Resource not found for the segment '{rest[-1].name}'.")
        prop = table.column(nav.name)
        if prop is not None and prop.type is not ColumnType.LOOKUP and len(rest) == 1:
            return self._property(call, table, row, prop)
        column = table.by_navigation(nav.name)
        if column is not None and column.target is not None and nav.key is None:
            if not is_ref:
                self._only(call, "GET")
                item = Expansion(
                    nav.name, {"$select": call.query["$select"]} if "$select" in call.query else {}
                )
                return json_reply(200, self._expander(call, table, item)(row))
            self._only(call, "PUT", "DELETE")
            body = {f"{nav.name}@odata.bind": None}
            if call.method == "PUT":
                body[f"{nav.name}@odata.bind"] = call.json_object().get("@odata.id")
            changes = self.records.payload(table, body, content_ids, creating=False)
            if changes:  # nothing to do for a lookup not valid for update
                self.records.update(table, row, changes)
            return empty_reply(204)
        rel = self.schema.relationship(table.logical_name, nav.name)
        if rel is None:
            related = self._related(table, nav.name)  # a 1:N collection, or the 400
            if is_ref:
                raise bad_query(
                    f"'$ref' on the 1:N navigation property '{nav.name}' is not supported by the "
                    "emulator; set the lookup on the related row instead."
                )
            self._only(call, "GET")
            children = related.index().get(row[table.primary_key], [])
            return self._page(call, related.table, children)
        if not is_ref:
            self._only(call, "GET")
            other = self.schema.tables[rel.other(table.logical_name)]
            return self._page(call, other, self.records.linked(rel, table, row[table.primary_key]))
        self._only(call, "POST", "DELETE")
        if call.method == "POST":
            target = call.json_object().get("@odata.id")
            if not isinstance(target, str):
                raise bad_payload("The body must carry '@odata.id' with the URL of the row.")
            other_table, other_id = self.records.reference(target, content_ids)
        else:
            other_table = self.schema.tables[rel.other(table.logical_name)]
            if nav.key is not None:
                other_id = self.records.require(other_table, keyed(nav))[other_table.primary_key]
            elif "$id" in call.query:
                other_table, other_id = self.records.reference(call.query["$id"], content_ids)
            else:
                raise bad_query("Disassociate needs the related row: '(<id>)/$ref' or '$id='.")
        if other_table.logical_name != rel.other(table.logical_name):
            raise bad_payload(
                f"'{other_table.entity_set}' is not on the other side of '{rel.schema_name}'."
            )
        self.records.link(rel, table, row[table.primary_key], other_id, add=call.method == "POST")
        return empty_reply(204)

    def _property(self, call: Call, table: Table, row: Row, column: Column) -> Reply:
        """`/<set>(<id>)/<column>`: read one value (204 if null), set it with PUT, clear it with
        DELETE."""
        self._only(call, "GET", "PUT", "DELETE")
        if call.method == "GET":
            value = wire_value(column, row)
            if value is None:
                return empty_reply(204)
            context = (
                f"{call.root}/$metadata#{table.entity_set}({row[table.primary_key]})/"
                f"{column.logical_name}"
            )
            return json_reply(200, {"@odata.context": context, "value": value})
        value = call.json_object().get("value") if call.method == "PUT" else None
        changes = self.records.payload(table, {column.logical_name: value}, {}, creating=False)
        self.records.update(table, row, changes)
        return empty_reply(204)
