"""Row operations of the emulated org: locate, create, update, delete, link.

This is the layer that enforces what the database of a real org enforces (unique keys, existing
lookup targets, versions, links removed with their rows), below the HTTP semantics of
`service.py` and independent of them, so `$batch` and the bulk actions reuse it unchanged.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from smsconf.emulator.dataverse import plugins, supplement
from smsconf.emulator.dataverse.errors import (
    QUERY_ERROR,
    DataverseError,
    bad_payload,
    bad_query,
    duplicate_key,
    not_found,
    restricted,
)
from smsconf.emulator.dataverse.schema import Schema
from smsconf.emulator.dataverse.store import Row, Store
from smsconf.emulator.dataverse.urls import Segment, parse_guid, parse_path, relative_path
from smsconf.emulator.dataverse.values import coerce, read_payload
from smsconf.platform import ManyToMany, Table

ContentIds = dict[str, tuple[Table, str]]


def now() -> str:
    """The current UTC time as the Web API writes it."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Records:
    """Row-level operations on a store, acting as one calling user, over one schema."""

    def __init__(
        self, store: Store, user_id: str, schema: Schema, *, plugins: plugins.Lacks | None = None
    ) -> None:
        self.store = store
        self.user_id = user_id
        self.schema = schema
        self.plugins = plugins
        """Whether the platform's plug-ins run on create (`plugins.py`): if so, told which
        columns (table, column) the organisation lacks, since they fill none of those."""

    def entity_set(self, name: str) -> Table:
        """The table of an entity set, or the service's 404 for an unknown segment."""
        table = self.schema.by_entity_set(name)
        if table is None:
            raise DataverseError(404, QUERY_ERROR, f"Resource not found for the segment '{name}'.")
        return table

    def find_id(self, table: Table, key: str | dict[str, Any]) -> str | None:
        """The id of the row a URL key names (GUID or alternate key), or None."""
        if isinstance(key, str):
            return key if self.store.get(table.logical_name, key) is not None else None
        alternate = table.key_for(frozenset(key))
        if alternate is None:
            raise bad_query(
                f"The key specified ({', '.join(key)}) is not a valid alternate key of "
                f"'{table.logical_name}'."
            )
        found = self.store.find(table.logical_name, _key_values(table, key))
        return found[0][table.primary_key] if found else None

    def require(self, table: Table, key: str | dict[str, Any]) -> Row:
        """The row a key names, or 404."""
        if isinstance(key, str):  # by id: one read
            row = self.store.get(table.logical_name, key)
        else:
            row_id = self.find_id(table, key)
            row = None if row_id is None else self.store.get(table.logical_name, row_id)
        if row is None:
            raise not_found(table.logical_name, str(key))
        return row

    def reference(self, url: str, content_ids: ContentIds) -> tuple[Table, str]:
        """The (table, id) a bind value or `@odata.id` names: a URL or a `$n` reference."""
        if url.startswith("$"):
            target = content_ids.get(url[1:])
            if target is None:
                raise bad_payload(f"Content-ID reference '{url}' was not found in this change set.")
            return target
        segments = parse_path(relative_path(url))
        if len(segments) != 1 or segments[0].key is None:
            raise bad_payload(f"The URL '{url}' does not identify a single record.")
        table = self.entity_set(segments[0].name)
        row = self.require(table, segments[0].key)
        return table, row[table.primary_key]

    def payload(
        self, table: Table, body: dict[str, Any], content_ids: ContentIds, *, creating: bool
    ) -> Row:
        """Checked changes of a body, with every bound row resolved and verified to exist;
        columns not valid for this create (or update) are dropped as the service drops them."""

        def resolve(url: str, target: str) -> str:
            bound_table, bound_id = self.reference(url, content_ids)
            if bound_table.logical_name != target:
                raise bad_payload(
                    f"The entity set '{bound_table.entity_set}' cannot be bound here: the "
                    f"lookup targets '{target}'."
                )
            return bound_id

        return read_payload(
            table,
            body,
            resolve,
            lambda column: self.schema.writable(table, column, creating=creating),
        )

    def _check_alternate_keys(self, table: Table, row: Row) -> None:
        for key in table.alternate_keys:
            values = {c: row.get(c) for c in key.columns}
            if any(v is None for v in values.values()):
                continue
            clash = [
                r
                for r in self.store.find(table.logical_name, values)
                if r[table.primary_key] != row[table.primary_key]
            ]
            if clash:
                raise duplicate_key()

    def create(self, table: Table, changes: Row, row_id: str | None = None) -> Row:
        """Insert a row; a client-chosen id that exists already is a 412."""
        chosen = changes.pop(table.primary_key, None) or row_id or str(uuid.uuid4())
        row_id = parse_guid(chosen)
        if self.store.get(table.logical_name, row_id) is not None:
            raise duplicate_key()
        stamp = now()
        row: Row = {c.logical_name: c.default for c in table.columns if c.default is not None}
        row.update(changes)
        row.update(
            {
                table.primary_key: row_id,
                "createdon": stamp,
                "modifiedon": stamp,
                "createdby": self.user_id,
                "modifiedby": self.user_id,
                "versionnumber": self.store.next_version(),
            }
        )
        if table.column("ownerid") is not None and row.get("ownerid") is None:
            row["ownerid"] = self.user_id
        supplement.derive(table.logical_name, row)
        self._check_alternate_keys(table, row)
        self.store.put(table.logical_name, row_id, row)
        if self.plugins is not None and table.logical_name == plugins.WORKSTREAM:
            plugins.workstream_created(
                row, table, self._create, self._update, self.store.find, self.plugins
            )
            return self.store.get(table.logical_name, row_id) or row
        return row

    def _create(self, table: str, changes: Row) -> Row:
        return self.create(self.schema.tables[table], changes)

    def _update(self, table: str, row: Row, changes: Row) -> Row:
        return self.update(self.schema.tables[table], row, changes)

    def create_at(self, table: Table, key: str | dict[str, Any], changes: Row) -> Row:
        """The create half of an upsert: the row gets the URL's id, or its alternate-key values."""
        if isinstance(key, dict):
            return self.create(table, {**changes, **_key_values(table, key)})
        given = changes.get(table.primary_key)
        if given is not None and parse_guid(given) != key:
            raise bad_payload("The primary key in the body does not match the URL.")
        return self.create(table, changes, key)

    def update(self, table: Table, row: Row, changes: Row) -> Row:
        """Apply changes to an existing row and give it a new version."""
        given = changes.pop(table.primary_key, None)
        if given is not None and parse_guid(given) != row[table.primary_key]:
            raise bad_payload("The primary key in the body does not match the URL.")
        updated = {
            **row,
            **changes,
            "modifiedon": now(),
            "modifiedby": self.user_id,
            "versionnumber": self.store.next_version(),
        }
        supplement.derive(table.logical_name, updated)
        self._check_alternate_keys(table, updated)
        self.store.put(table.logical_name, updated[table.primary_key], updated)
        return updated

    def delete(self, table: Table, row: Row) -> None:
        """Delete a row, then apply each relationship's behaviour to the rows pointing at it:
        refuse while a Restrict relationship has one, cascade-delete them, or clear their lookup
        (RemoveLink). N:N links go with the row."""
        row_id = row[table.primary_key]
        relationships = self.schema.referencing(table.logical_name)
        for relationship in relationships:
            column = relationship.column.logical_name
            if relationship.restrict and self.store.find(
                relationship.referencing, {column: row_id}
            ):
                raise restricted(table.logical_name, row_id, relationship.schema_name)
        self.store.delete(table.logical_name, row_id)
        for relationship in relationships:
            child, column = self.schema.tables[relationship.referencing], relationship.column
            for referencing in self.store.find(child.logical_name, {column.logical_name: row_id}):
                if column.cascade_delete:
                    self.delete(child, referencing)
                else:
                    self.update(child, referencing, {column.logical_name: None})

    def link(self, rel: ManyToMany, table: Table, row_id: str, other_id: str, *, add: bool) -> None:
        """Associate or disassociate two rows, whichever side the request came from.

        A link that exists already is refused as the platform refuses a second intersect row:
        DuplicateRecord ("Cannot insert duplicate key." on the SDK, Dynamics-365-Workflow-Tools
        PR #83; fake-xrm-easy issue #524), which the Web API answers 412 with its own message
        (the CrmODataExceptionHandler map, audit §1 IL). [inferred: no Web API answer seen]
        """
        first, second = (
            (row_id, other_id) if table.logical_name == rel.table1 else (other_id, row_id)
        )
        if add:
            if not self.store.link(rel.schema_name, first, second):
                raise duplicate_key()
        else:
            self.store.unlink(rel.schema_name, first, second)

    def linked(self, rel: ManyToMany, table: Table, row_id: str) -> list[Row]:
        """Rows on the far side of an N:N relationship."""
        other = self.schema.tables[rel.other(table.logical_name)]
        ids = self.store.linked(
            rel.schema_name, row_id, from_first=table.logical_name == rel.table1
        )
        return [r for i in ids if (r := self.store.get(other.logical_name, i)) is not None]

    def all_linked(self, rel: ManyToMany, table: Table) -> dict[str, list[Row]]:
        """`linked` for every row of `table` at once: row id → far rows."""
        return self.store.all_linked(
            rel.schema_name,
            rel.other(table.logical_name),
            from_first=table.logical_name == rel.table1,
        )


def _key_values(table: Table, key: dict[str, Any]) -> Row:
    """Alternate-key values from a URL, checked and stored like the columns they name."""
    values: Row = {}
    for name, value in key.items():
        column = table.column(name)
        if column is None:
            raise bad_query(f"'{name}' is not a column of '{table.logical_name}'.")
        values[name] = coerce(table, column, value)
    return values


def keyed(segment: Segment) -> str | dict[str, Any]:
    """The key of a segment that must have one."""
    if segment.key is None:
        raise bad_query(f"The segment '{segment.name}' needs a key.")
    return segment.key
