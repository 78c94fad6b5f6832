"""The Web API's HTTP semantics over entity sets: status codes, headers, preferences, ETags.

`Service.handle` answers one `Call` in its own transaction; a `$batch` change set wraps several
calls in an outer transaction, which turns theirs into savepoints. Every refusal is raised as a
`DataverseError` and becomes the documented error body here; a bug in the emulator itself
becomes the service's generic 500 body and a log line, never a traceback on the wire.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from smsconf.emulator.dataverse import actions, bulk, csdl, fieldsecurity, metadata
from smsconf.emulator.dataverse.actions import Identity
from smsconf.emulator.dataverse.errors import (
    QUERY_ERROR,
    UNEXPECTED,
    DataverseError,
    bad_payload,
    bad_query,
    duplicate_key,
    not_found,
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
)
from smsconf.emulator.dataverse.query import (
    parse_expand,
    parse_filter,
    parse_orderby,
    parse_select,
    read_skiptoken,
    skiptoken,
    sort_rows,
)
from smsconf.emulator.dataverse.records import ContentIds, Records, entity_set, keyed
from smsconf.emulator.dataverse.store import Row, Store
from smsconf.emulator.dataverse.urls import Segment, parse_path
from smsconf.emulator.dataverse.values import etag, present, presenter, wire_value
from smsconf.platform import TABLES, Column, ColumnType, Table, many_to_many

log = logging.getLogger(__name__)

ACTION_PREFIX = "Microsoft.Dynamics.CRM."
_COLLECTION_OPTIONS = {"$select", "$filter", "$orderby", "$top", "$expand", "$count", "$skiptoken"}
_ROW_OPTIONS = {"$select", "$expand"}


class Service:
    """Answers Web API calls against one emulated organisation."""

    def __init__(
        self, store: Store, identity: Identity, organisation: Organisation | None = None
    ) -> None:
        self.store = store
        self.identity = identity
        self.organisation = organisation or Organisation()
        self.records = Records(store, identity.user_id)

    def handle(self, call: Call, content_ids: ContentIds | None = None) -> Reply:
        """One call, atomically; failures become error replies, never exceptions."""
        try:
            with self.store.transaction():
                return self._route(call, content_ids if content_ids is not None else {})
        except DataverseError as error:
            return error_reply(error)
        except Exception:  # the client gets the service's generic 500 body, never a traceback
            log.exception("unexpected failure on %s %s", call.method, call.path)
            return error_reply(DataverseError(500, UNEXPECTED, "An unexpected error occurred."))

    def _route(self, call: Call, content_ids: ContentIds) -> Reply:
        if call.path.strip("/") in ("RetrieveVersion", "RetrieveVersion()"):
            self._only(call, "GET")
            return self.organisation.retrieve_version(call)
        segments = parse_path(call.path)
        if not segments:
            raise bad_query("The request URL does not name a resource.")
        head = segments[0]
        if head.name == "WhoAmI" and len(segments) == 1:
            self._only(call, "GET")
            return actions.who_am_i(call, self.identity)
        if head.name == "BulkDelete" and len(segments) == 1:
            self._only(call, "POST")
            return actions.bulk_delete(self.records, call)
        if head.name == "sdkmessagefilters" and len(segments) == 1:
            self._only(call, "GET")
            return metadata.message_filters(call)
        if head.name == "$metadata" and len(segments) == 1:
            self._only(call, "GET")
            return csdl.reply()
        if head.name == "RelationshipDefinitions":
            self._only(call, "GET")
            return metadata.relationship_definitions(call, segments)
        if head.name == "EntityDefinitions":
            self._only(call, "GET")
            return metadata.answer(call, segments, self.organisation.attributes)
        if head.name.startswith("$") and head.name[1:] in content_ids:
            table, row_id = content_ids[head.name[1:]]
            return self._entity(
                call, table, [Segment(table.entity_set, row_id), *segments[1:]], content_ids
            )
        return self._entity(call, entity_set(head.name), segments, content_ids)

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

    def _fetch(self, logical_name: str, row_id: str) -> Row | None:
        return self.store.get(logical_name, row_id)

    def _shaper(
        self, call: Call, table: Table, select: str | None, expand: str | None
    ) -> Callable[[Row], dict[str, Any]]:
        """Parse `$select`/`$expand` once (a 400 even when no row matches) and shape rows."""
        columns = parse_select(table, select)
        expansions = [
            (item.navigation, self._expander(call, table, item.navigation, item.select))
            for item in parse_expand(expand or "")
        ]
        present_row = presenter(table, columns, annotations=call.wants_annotations)

        def shape(row: Row) -> dict[str, Any]:
            out = present_row(row)
            for navigation, expander in expansions:
                out[navigation] = expander(row)
            return out

        return shape

    def _expander(
        self, call: Call, table: Table, navigation: str, select: str | None
    ) -> Callable[[Row], Any]:
        """The related row (lookup) or rows (N:N) of a navigation property, shaped."""
        column = table.by_navigation(navigation)
        if column is not None and column.target is not None:
            target = TABLES[column.target]
            shape = self._shaper(call, target, select, None)
            source = column.logical_name

            def single(row: Row) -> Any:
                linked_id = row.get(source)
                linked = None if linked_id is None else self._fetch(target.logical_name, linked_id)
                return None if linked is None else shape(linked)

            return single
        rel = many_to_many(table.logical_name, navigation)
        if rel is None:
            raise unknown_property(navigation, table.logical_name)
        shape = self._shaper(call, TABLES[rel.other(table.logical_name)], select, None)
        index: dict[str, list[Row]] | None = None  # read on the first row: one request, one read

        def many(row: Row) -> list[dict[str, Any]]:
            nonlocal index
            if index is None:
                index = self.records.all_linked(rel, table)
            return [shape(r) for r in index.get(row[table.primary_key], ())]

        return many

    def _context(self, call: Call, table: Table, suffix: str = "") -> str:
        select = call.query.get("$select")
        columns = f"({select})" if select else ""
        return f"{call.root}/$metadata#{table.entity_set}{columns}{suffix}"

    @staticmethod
    def _check_options(call: Call, allowed: set[str]) -> None:
        """Refuse `$skip`, `$search`, `$format`, `$apply` and unknown options like the service."""
        for option in sorted(call.query):
            if option.startswith("$") and option not in allowed:
                raise bad_query(f"The query parameter {option} is not supported")

    def _list(self, call: Call, table: Table) -> Reply:
        self._check_options(call, _COLLECTION_OPTIONS)
        rows = self.store.rows(table.logical_name)
        return self._page(call, table, rows)

    def _page(self, call: Call, table: Table, rows: list[Row]) -> Reply:
        query = call.query
        shape = self._shaper(call, table, query.get("$select"), query.get("$expand"))
        if "$filter" in query:
            predicate = parse_filter(table, query["$filter"], self._fetch)
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
        if query.get("$count", "").lower() == "true":
            body["@odata.count"] = matched
        body["value"] = [shape(r) for r in page]
        if offset + size < len(rows):
            params = {k: v for k, v in query.items() if k != "$skiptoken"}
            params["$skiptoken"] = skiptoken(page_number + 1, offset + size)
            body["@odata.nextLink"] = (
                f"{call.root}/{call.path}?{urlencode(params, quote_via=quote, safe='$,()')}"
            )
        applied = []
        if requested is not None:
            applied.append(f"odata.maxpagesize={requested}")
        if call.wants_annotations:
            applied.append(
                f'odata.include-annotations="{call.prefer["odata.include-annotations"]}"'
            )
        headers = {"Preference-Applied": ",".join(applied)} if applied else {}
        return json_reply(200, body, headers)

    @staticmethod
    def _top(raw: str | None) -> int | None:
        if raw is None:
            return None
        if not raw.isdigit():
            raise bad_query(f"Invalid value '{raw}' for $top query option.")
        return int(raw)

    def _retrieve(self, call: Call, table: Table, key: str | dict[str, Any]) -> Reply:
        self._check_options(call, _ROW_OPTIONS)
        shape = self._shaper(call, table, call.query.get("$select"), call.query.get("$expand"))
        row = self.records.require(table, key)
        match = call.headers.get("if-none-match")
        if (
            match
            and match == etag(row)
            and "$expand" not in call.query
            and not call.wants_annotations
        ):
            return empty_reply(304, {"ETag": etag(row)})
        body = {
            "@odata.context": self._context(call, table, "/$entity"),
            **shape(row),
        }
        return json_reply(200, body, {"ETag": etag(row)})

    # --- writes ------------------------------------------------------------------------

    def _written(self, call: Call, table: Table, row: Row, status: int) -> Reply:
        """The reply to a successful write: 204 + OData-EntityId, or the row if asked."""
        location = f"{call.root}/{table.entity_set}({row[table.primary_key]})"
        headers = {"OData-EntityId": location, "ETag": etag(row)}
        if not call.wants_representation:
            return empty_reply(204, headers)
        body = {
            "@odata.context": self._context(call, table, "/$entity"),
            **present(table, row, parse_select(table, call.query.get("$select"))),
        }
        headers["Preference-Applied"] = "return=representation"
        return json_reply(status, body, headers)

    def _create(self, call: Call, table: Table, content_ids: ContentIds) -> Reply:
        changes = self.records.payload(table, call.json_object(), content_ids)
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
        changes = self.records.payload(table, call.json_object(), content_ids)
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
                expander = self._expander(call, table, nav.name, call.query.get("$select"))
                return json_reply(200, expander(row))
            self._only(call, "PUT", "DELETE")
            value = None
            if call.method == "PUT":
                value = self.records.payload(
                    table,
                    {f"{nav.name}@odata.bind": call.json_object().get("@odata.id")},
                    content_ids,
                )[column.logical_name]
            self.records.update(table, row, {column.logical_name: value})
            return empty_reply(204)
        rel = many_to_many(table.logical_name, nav.name)
        if rel is None:
            raise unknown_property(nav.name, table.logical_name)
        if not is_ref:
            self._only(call, "GET")
            other = TABLES[rel.other(table.logical_name)]
            return self._page(call, other, self.records.linked(rel, table, row[table.primary_key]))
        self._only(call, "POST", "DELETE")
        if call.method == "POST":
            target = call.json_object().get("@odata.id")
            if not isinstance(target, str):
                raise bad_payload("The body must carry '@odata.id' with the URL of the row.")
            other_table, other_id = self.records.reference(target, content_ids)
        else:
            other_table = TABLES[rel.other(table.logical_name)]
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
        changes = self.records.payload(table, {column.logical_name: value}, {})
        self.records.update(table, row, changes)
        return empty_reply(204)
