"""Unbound functions and actions: `WhoAmI`, and `BulkDelete` (how Microsoft's SDK deletes many
rows at once).

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

from smsconf.emulator.dataverse.errors import bad_payload
from smsconf.emulator.dataverse.protocol import Call, Reply, json_reply
from smsconf.emulator.dataverse.records import Records
from smsconf.emulator.dataverse.store import Row
from smsconf.platform import TABLES, Table

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


def _query(query: dict[str, Any]) -> tuple[Table, _Condition]:
    table = TABLES.get(str(query.get("EntityName")))
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
        table, matches = _query(query if isinstance(query, dict) else {})
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
