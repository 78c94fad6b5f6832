"""Terse constructors for column definitions, and the columns every table carries.

They keep `tables.py` readable as a transcription of the reference: one line per column.
"""

from __future__ import annotations

from smsconf.platform.model import Column, ColumnType, Option


def options(*pairs: tuple[int, str]) -> tuple[Option, ...]:
    """Option values from (value, label) pairs."""
    return tuple(Option(v, label) for v, label in pairs)


def string(
    name: str,
    max_length: int = 100,
    *,
    required: bool = False,
    secured: bool = False,
    inferred: bool = False,
) -> Column:
    """A single-line text column."""
    return Column(
        name,
        ColumnType.STRING,
        max_length=max_length,
        required=required,
        secured=secured,
        inferred=inferred,
    )


def memo(
    name: str, max_length: int = 2000, *, required: bool = False, inferred: bool = False
) -> Column:
    """A multi-line text column."""
    return Column(
        name, ColumnType.MEMO, max_length=max_length, required=required, inferred=inferred
    )


def integer(name: str, *, required: bool = False, inferred: bool = False) -> Column:
    """A whole-number column (durations are minutes)."""
    return Column(name, ColumnType.INTEGER, required=required, inferred=inferred)


def decimal(name: str, *, inferred: bool = False) -> Column:
    """A decimal-number column."""
    return Column(name, ColumnType.DECIMAL, inferred=inferred)


def boolean(
    name: str, *, default: bool | None = None, required: bool = False, inferred: bool = False
) -> Column:
    """A two-option (yes/no) column."""
    return Column(name, ColumnType.BOOLEAN, default=default, required=required, inferred=inferred)


def datetime(name: str, *, server_owned: bool = False, inferred: bool = False) -> Column:
    """A date-and-time column, ISO 8601 in UTC on the wire."""
    return Column(name, ColumnType.DATETIME, server_owned=server_owned, inferred=inferred)


def picklist(
    name: str,
    opts: tuple[Option, ...],
    *,
    required: bool = False,
    default: int | None = None,
    inferred: bool = False,
) -> Column:
    """A single choice column; values outside `opts` are rejected by the service."""
    return Column(
        name,
        ColumnType.PICKLIST,
        options=opts,
        required=required,
        default=default,
        inferred=inferred,
    )


def multiselect(
    name: str, opts: tuple[Option, ...], *, required: bool = False, inferred: bool = False
) -> Column:
    """A multi-select choice column, sent as a comma-separated string of values."""
    return Column(name, ColumnType.MULTISELECT, options=opts, required=required, inferred=inferred)


def lookup(
    name: str,
    target: str,
    navigation: str | None = None,
    *,
    required: bool = False,
    inferred: bool = False,
    server_owned: bool = False,
    cascade_delete: bool = False,
) -> Column:
    """A lookup; `navigation` defaults to the column name, as it usually is."""
    return Column(
        name,
        ColumnType.LOOKUP,
        target=target,
        navigation=navigation or name,
        required=required,
        inferred=inferred,
        server_owned=server_owned,
        cascade_delete=cascade_delete,
    )


STATE = options((0, "Active"), (1, "Inactive"))
STATUS = options((1, "Active"), (2, "Inactive"))


def system_columns(primary_key: str, ownership: str, *, state: bool = True) -> tuple[Column, ...]:
    """Columns the platform adds to every table: id, audit, version, state, owner.

    `versionnumber` is BigInt (Edm.Int64) on every page; `systemuser` has no state columns.
    """
    audit = (
        Column(primary_key, ColumnType.UNIQUEIDENTIFIER),
        datetime("createdon", server_owned=True),
        datetime("modifiedon", server_owned=True),
        lookup("createdby", "systemuser", server_owned=True),
        lookup("modifiedby", "systemuser", server_owned=True),
        Column("versionnumber", ColumnType.BIGINT, server_owned=True),
    )
    if state:
        audit = (
            *audit,
            picklist("statecode", STATE, default=0),
            picklist("statuscode", STATUS, default=1),
        )
    if ownership == "UserOwned":
        return (*audit, lookup("ownerid", "systemuser", server_owned=True))
    return audit
