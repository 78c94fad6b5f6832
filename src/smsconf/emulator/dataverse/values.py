"""Column values between the wire and storage: type checks on the way in, Web API shape out.

Writes are checked the way the service checks them (types, lengths, option values, case-sensitive
navigation names in `@odata.bind`), because a client that passes here must pass on a real org.
Reads produce the Web API shape: lookups as `_x_value`, secured columns as null, `@odata.etag`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from smsconf.emulator.dataverse.errors import (
    INVALID_ARGUMENT,
    OPTION_OUT_OF_RANGE,
    DataverseError,
    bad_payload,
    odata_payload_error,
)
from smsconf.emulator.dataverse.store import Row
from smsconf.emulator.dataverse.urls import is_guid, parse_guid
from smsconf.platform import Column, ColumnType, Table

BIND = "@odata.bind"
INT32 = -(2**31)
ODATA_TYPE = {
    ColumnType.STRING: "Edm.String",
    ColumnType.MEMO: "Edm.String",
    ColumnType.INTEGER: "Edm.Int32",
    ColumnType.BIGINT: "Edm.Int64",
    ColumnType.BOOLEAN: "Edm.Boolean",
    ColumnType.PICKLIST: "Edm.Int32",
    ColumnType.MULTISELECT: "Edm.String",
    ColumnType.LOOKUP: "Edm.Guid",
    ColumnType.UNIQUEIDENTIFIER: "Edm.Guid",
    ColumnType.DATETIME: "Edm.DateTimeOffset",
    ColumnType.DECIMAL: "Edm.Decimal",
}

# Resolves a bind value (URL or `$n`) to the id of a row of the given target table.
Resolver = Callable[[str, str], str]


def etag(row: Row) -> str:
    """The weak ETag of a row's current version."""
    return f'W/"{row["versionnumber"]}"'


def _wrong_type(table: Table, column: Column, value: Any) -> DataverseError:
    return odata_payload_error(
        table.entity_set,
        f"Cannot convert the literal '{value}' to the expected type '{ODATA_TYPE[column.type]}'.",
    )


def _check_options(table: Table, column: Column, values: list[int]) -> None:
    allowed = column.option_values()
    for value in values:
        if value not in allowed:
            accepted = ",".join(str(v) for v in sorted(allowed))
            raise DataverseError(
                400,
                OPTION_OUT_OF_RANGE,
                f"A validation error occurred. The value {value} of '{column.logical_name}' on "
                f"record of type '{table.logical_name}' is outside the valid range. "
                f"Accepted Values: {accepted}",
            )


def coerce(table: Table, column: Column, value: Any) -> Any:
    """A written value checked against its column; the stored form, or a 400."""
    if value is None:
        return None
    kind = column.type
    if kind in (ColumnType.STRING, ColumnType.MEMO):
        if not isinstance(value, str):
            raise _wrong_type(table, column, value)
        if column.max_length is not None and len(value) > column.max_length:
            raise DataverseError(
                400,
                INVALID_ARGUMENT,
                f"A validation error occurred. The length of the '{column.logical_name}' "
                f"attribute of the '{table.logical_name}' entity exceeded the maximum allowed "
                f"length of '{column.max_length}'.",
            )
        return value
    if kind in (ColumnType.INTEGER, ColumnType.PICKLIST):
        if isinstance(value, bool) or not isinstance(value, int) or not INT32 <= value < -INT32:
            raise _wrong_type(table, column, value)
        if kind is ColumnType.PICKLIST:
            _check_options(table, column, [value])
        return value
    if kind is ColumnType.BIGINT:
        if isinstance(value, bool) or not isinstance(value, int) or not -(2**63) <= value < 2**63:
            raise _wrong_type(table, column, value)
        return value
    if kind is ColumnType.BOOLEAN:
        if not isinstance(value, bool):
            raise _wrong_type(table, column, value)
        return value
    if kind is ColumnType.MULTISELECT:
        if not isinstance(value, str):
            raise _wrong_type(table, column, value)
        try:
            chosen = [int(v) for v in value.split(",") if v.strip()]
        except ValueError:
            raise _wrong_type(table, column, value) from None
        _check_options(table, column, chosen)
        return ",".join(str(v) for v in chosen) or None
    if kind is ColumnType.DECIMAL:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise _wrong_type(table, column, value)
        try:
            return float(Decimal(str(value)))
        except InvalidOperation:
            raise _wrong_type(table, column, value) from None
    if kind is ColumnType.DATETIME:
        if not isinstance(value, str):
            raise _wrong_type(table, column, value)
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise _wrong_type(table, column, value) from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        return parsed.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if not isinstance(value, str) or not is_guid(value):
        raise _wrong_type(table, column, value)
    return parse_guid(value)


def _undeclared(table: Table, name: str) -> DataverseError:
    return odata_payload_error(
        table.entity_set,
        f"An undeclared property '{name}' which only has property annotations in the payload "
        "but no property value was found in the payload. In OData, only declared navigation "
        "properties and declared named streams can be represented as properties without values.",
    )


def _unknown_in_payload(name: str, table: Table) -> DataverseError:
    return odata_payload_error(
        table.entity_set,
        f"The property '{name}' does not exist on type 'Microsoft.Dynamics.CRM."
        f"{table.logical_name}'. Make sure to only use property names that are defined by the "
        "type or mark the type as open type.",
    )


def read_payload(
    table: Table, body: dict[str, Any], resolve: Resolver, writable: Callable[[Column], bool]
) -> Row:
    """Changes a create or update body asks for, as stored values keyed by logical name.

    A column not valid for this create or update (`writable` False: IsValidForCreate or
    IsValidForUpdate) is checked (it must exist, its value must fit), then ignored:
    - on create, the platform ignores it: `createdon`, `createdby`, `modifiedon` and `modifiedby`
      sent with a create from an external application are "Ignored" while
      `overriddencreatedon` is applied (powerupwithazure.blogspot.com, "Understanding
      Historical Field Updates in Microsoft Dataverse", 2026); `statecode` on a create "doesn't
      throw any exceptions, in fact, it's ignored" (tested on a CRM 8.2 organisation,
      DynamicsValue/fake-xrm-easy issue #36); the CRM team's 2007 blog says so for both ("The
      system will ignore any attribute values that are not allowed for create or update");
    - on update, no source newer than that blog was found: ignored as well [inferred, on the
      verify list]. Microsoft's own Dataverse ServiceClient never sends a lookup or a null that
      is not valid for the operation (`IsAttributeValidForOperation`), and smsconf never sends
      one at all (tests/mapping/test_fields_writable.py).
    An unknown property, by contrast, is refused (`_unknown_in_payload`). Instance annotations
    such as `@odata.type` or `@odata.etag` are skipped.
    """
    changes: Row = {}
    for key, value in body.items():
        if key.startswith("@"):
            continue
        if key.endswith(BIND):
            navigation = key[: -len(BIND)]
            column = table.by_navigation(navigation)
            if column is None or column.target is None:
                raise _undeclared(table, navigation)
            if value is not None and not isinstance(value, str):
                raise bad_payload(f"Invalid value for '{key}': a URL string is expected.")
            if writable(column):
                _check_required(table, column, value)
                changes[column.logical_name] = (
                    None if value is None else resolve(value, column.target)
                )
            continue
        if "@" in key:
            continue
        column = table.column(key)
        if column is None or column.type is ColumnType.LOOKUP:
            raise _unknown_in_payload(key, table)
        stored = coerce(table, column, value)
        if writable(column):
            _check_required(table, column, value)
            changes[key] = stored
    return changes


def _check_required(table: Table, column: Column, value: Any) -> None:
    """A SystemRequired column cannot be set to null ("Update and delete table rows using the
    Web API"); ApplicationRequired is the forms' business, not the API's (reference §4.4).
    [inferred: the code and wording of the refusal]"""
    if value is None and column.required and column.logical_name != table.primary_key:
        raise DataverseError(
            400,
            INVALID_ARGUMENT,
            f"Attribute '{column.logical_name}' of '{table.logical_name}' cannot be set to NULL: "
            "it is SystemRequired.",
        )


def wire_value(column: Column, row: Row) -> Any:
    """A stored value as the Web API returns it; secured columns always read back null."""
    if column.secured:
        return None
    return row.get(column.logical_name)


def presenter(table: Table, select: list[Column] | None = None) -> Callable[[Row], dict[str, Any]]:
    """Rows in Web API shape, the primary key and `@odata.etag` always included, for many rows
    of one query: the column plan is worked out once, not per row
    (reading 18,000 rows for a plan of 1,000 workstreams spent a third of its time here).
    Annotations are added on top by `annotations.annotator`, as the request's pattern asks."""
    columns = select if select is not None else list(table.columns)
    reads = [c.read_name for c in columns]
    # A secured column reads back null: asking the row for None finds nothing.
    stored = [None if c.secured else c.logical_name for c in columns]
    primary = table.primary_key

    def shape(row: Row) -> dict[str, Any]:
        out: dict[str, Any] = {"@odata.etag": etag(row)}
        out.update(zip(reads, map(row.get, stored), strict=True))
        out[primary] = row[primary]
        return out

    return shape
