"""CreateMultiple, UpdateMultiple and UpsertMultiple, bound to an entity set.

Each call runs inside the request's transaction, so one bad target rolls back every target: the
all-or-nothing behaviour of standard (non-elastic) tables.
"""

from __future__ import annotations

from typing import Any

from smsconf.emulator.dataverse.errors import bad_payload, bad_query, not_found
from smsconf.emulator.dataverse.protocol import Call, Reply, empty_reply, json_reply
from smsconf.emulator.dataverse.records import ContentIds, Records, keyed
from smsconf.emulator.dataverse.urls import parse_guid, parse_path
from smsconf.platform import Table

CRM = "Microsoft.Dynamics.CRM."


def run(records: Records, call: Call, table: Table, action: str, content_ids: ContentIds) -> Reply:
    """Apply every target of `Targets`; CreateMultiple answers with the new ids in order."""
    if action not in table.bulk_messages:
        raise bad_query(f"Resource not found for the segment '{CRM}{action}'.")
    targets = call.json_object().get("Targets")
    if not isinstance(targets, list) or not all(isinstance(t, dict) for t in targets):
        raise bad_payload("'Targets' must be a list of records.")
    expected = f"{CRM}{table.logical_name}"
    for target in targets:
        if target.get("@odata.type") != expected:
            raise bad_payload(f'Each target needs "@odata.type": "{expected}".')
    ids = [_apply(records, table, action, t, content_ids) for t in targets]
    if action != "CreateMultiple":
        return empty_reply(204)
    context = f"{call.root}/$metadata#{CRM}CreateMultipleResponse"
    return json_reply(200, {"@odata.context": context, "Ids": ids})


def _key(
    records: Records, table: Table, action: str, target: dict[str, Any]
) -> str | dict[str, Any]:
    """The row a target names: `@odata.id` (alternate key or id) or its primary key column."""
    if "@odata.id" in target:
        segments = parse_path(str(target["@odata.id"]).lstrip("/"))
        if len(segments) != 1 or records.entity_set(segments[0].name) is not table:
            raise bad_payload(f"'@odata.id' must name a row of {table.entity_set}.")
        return keyed(segments[0])
    given = target.get(table.primary_key)
    if given is None:
        raise bad_payload(f"Each target of {action} needs '{table.primary_key}'.")
    return parse_guid(str(given))


def _apply(
    records: Records, table: Table, action: str, target: dict[str, Any], content_ids: ContentIds
) -> str:
    if action == "CreateMultiple":
        changes = records.payload(table, target, content_ids, creating=True)
        return records.create(table, changes)[table.primary_key]
    key = _key(records, table, action, target)
    row_id = records.find_id(table, key)
    changes = records.payload(table, target, content_ids, creating=row_id is None)
    if row_id is not None:
        return records.update(table, records.require(table, row_id), changes)[table.primary_key]
    if action == "UpdateMultiple":
        raise not_found(table.logical_name, str(key))
    return records.create_at(table, key, changes)[table.primary_key]
