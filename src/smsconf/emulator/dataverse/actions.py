"""Unbound functions and actions: `WhoAmI`, `RetrieveVersion`, `RetrieveTotalRecordCount`, and
`BulkDelete` (how Microsoft's SDK deletes many rows at once).

Functions answer GET by either syntax, `WhoAmI` and `WhoAmI()` ("Use Web API functions"; the
function-call form is what most clients send), with parameters inline or as aliases.
RetrieveTotalRecordCount counts the rows now; the service answers from a snapshot taken within
the last 24 hours ("Count rows using OData"), so a real org may lag behind.

The service runs BulkDelete as an asynchronous job; the emulator deletes at once and still
returns a `JobId`, since clients only keep the id. Only the QueryExpression subset clients send
(conditions `Equal`/`In`/`NotNull`/`Null` under one And/Or filter) is understood; anything
else is refused rather than guessed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from smsconf.emulator.dataverse.errors import DataverseError, bad_payload
from smsconf.emulator.dataverse.protocol import Call, Reply, json_reply
from smsconf.emulator.dataverse.records import Records
from smsconf.emulator.dataverse.store import Row
from smsconf.platform import Table

CRM = "Microsoft.Dynamics.CRM."
_Condition = Callable[[Row], bool]


@dataclass(frozen=True)
class Identity:
    """Who the caller is in the emulated org: every token maps to the one application user."""

    user_id: str
    business_unit_id: str
    org_id: str


def who_am_i(call: Call, identity: Identity) -> Reply:
    """`WhoAmI`: the ids a client uses to check that its token reaches the right org."""
    return json_reply(
        200,
        {
            "@odata.context": f"{call.root}/$metadata#{CRM}WhoAmIResponse",
            "BusinessUnitId": identity.business_unit_id,
            "UserId": identity.user_id,
            "OrganizationId": identity.org_id,
        },
    )


VERSION = "9.2.0.0"  # [inferred] a plausible organisation version; clients read major.minor


def retrieve_version(call: Call) -> Reply:
    """`RetrieveVersion()`: the organisation's version."""
    return json_reply(
        200,
        {
            "@odata.context": f"{call.root}/$metadata#{CRM}RetrieveVersionResponse",
            "Version": VERSION,
        },
    )


def retrieve_total_record_count(call: Call, records: Records, parameters: dict[str, Any]) -> Reply:
    """`RetrieveTotalRecordCount(EntityNames=[...])`: the row count of each named table, as an
    `EntityRecordCountCollection` of parallel Keys and Values."""
    names = parameters.get("EntityNames")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise bad_payload("RetrieveTotalRecordCount needs EntityNames, an array of table names.")
    unknown = [n for n in names if n not in records.schema.tables]
    if unknown:
        raise DataverseError(
            400,
            "0x80041102",
            f"The entity with a name = '{unknown[0]}' with namemapping = 'Logical' was not found "
            "in the MetadataCache.",
        )
    values = [len(records.store.rows(n)) for n in names]
    return json_reply(
        200,
        {
            "@odata.context": f"{call.root}/$metadata#{CRM}RetrieveTotalRecordCountResponse",
            "EntityRecordCountCollection": {
                "Count": len(names),
                "IsReadOnly": False,
                "Keys": list(names),
                "Values": values,
            },
        },
    )


FUNCTIONS = frozenset({"WhoAmI", "RetrieveVersion", "RetrieveTotalRecordCount"})
_PARAMETERS = {
    "WhoAmI": set(),
    "RetrieveVersion": set(),
    "RetrieveTotalRecordCount": {"EntityNames"},
}


def call_function(
    call: Call, identity: Identity, records: Records, name: str, parameters: dict[str, Any]
) -> Reply:
    """One of `FUNCTIONS`, its parameters checked by name as the service checks them."""
    extra = sorted(set(parameters) - _PARAMETERS[name])
    if extra:
        raise bad_payload(f"The parameter '{extra[0]}' is not a parameter of '{name}'.")
    if name == "WhoAmI":
        return who_am_i(call, identity)
    if name == "RetrieveVersion":
        return retrieve_version(call)
    return retrieve_total_record_count(call, records, parameters)


def _normal(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


def _condition(table: Table, condition: dict[str, Any]) -> _Condition:
    name = condition.get("AttributeName")
    column = table.column(str(name))
    if column is None:
        raise bad_payload(f"BulkDelete: '{name}' is not a column of {table.logical_name}.")
    values = {_normal(v.get("Value")) for v in condition.get("Values", []) if isinstance(v, dict)}
    operator = condition.get("Operator")
    key = column.logical_name
    tests: dict[str, _Condition] = {
        "Equal": lambda row: _normal(row.get(key)) in values,
        "In": lambda row: _normal(row.get(key)) in values,
        "Null": lambda row: row.get(key) is None,
        "NotNull": lambda row: row.get(key) is not None,
    }
    if operator not in tests:
        raise bad_payload(f"BulkDelete: the operator '{operator}' is not supported.")
    return tests[str(operator)]


def _query(records: Records, query: dict[str, Any]) -> tuple[Table, _Condition]:
    table = records.schema.tables.get(str(query.get("EntityName")))
    if table is None:
        raise bad_payload(f"BulkDelete: unknown entity '{query.get('EntityName')}'.")
    criteria = query.get("Criteria") or {}
    if criteria.get("Filters"):
        raise bad_payload("BulkDelete: nested filters are not supported.")
    conditions = [_condition(table, c) for c in criteria.get("Conditions", [])]
    if criteria.get("FilterOperator", "And") == "Or":
        return table, lambda row: any(c(row) for c in conditions)
    return table, lambda row: all(c(row) for c in conditions)


def bulk_delete(records: Records, call: Call) -> Reply:
    """Delete every row each query of the `QuerySet` matches; answer with a job id."""
    query_set = call.json_object().get("QuerySet")
    if not isinstance(query_set, list) or not query_set:
        raise bad_payload("BulkDelete needs a non-empty 'QuerySet'.")
    for query in query_set:
        table, matches = _query(records, query if isinstance(query, dict) else {})
        for row in records.store.rows(table.logical_name):
            if matches(row) and records.store.get(table.logical_name, row[table.primary_key]):
                records.delete(table, row)
    return json_reply(
        200,
        {
            "@odata.context": f"{call.root}/$metadata#{CRM}BulkDeleteResponse",
            "JobId": str(uuid.uuid4()),
        },
    )
