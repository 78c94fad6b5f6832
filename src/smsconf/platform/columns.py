"""Terse constructors for column definitions, and the columns every table carries.

They keep `tables.py` readable as a transcription of the reference: one line per column.
"""

from __future__ import annotations

from typing import TypedDict, Unpack

from smsconf.platform.model import Column, ColumnType, Option


def options(*pairs: tuple[int, str]) -> tuple[Option, ...]:
    """Option values from (value, label) pairs."""
    return tuple(Option(v, label) for v, label in pairs)


class Flags(TypedDict, total=False):
    """What a column of any type may say besides its type: `Column`'s own flags, passed on."""

    required: bool
    secured: bool
    inferred: bool
    server_owned: bool
    cascade_delete: bool


def string(name: str, max_length: int = 100, **flags: Unpack[Flags]) -> Column:
    """A single-line text column."""
    return Column(name, ColumnType.STRING, max_length=max_length, **flags)


def memo(name: str, max_length: int = 2000, **flags: Unpack[Flags]) -> Column:
    """A multi-line text column."""
    return Column(name, ColumnType.MEMO, max_length=max_length, **flags)


def integer(name: str, **flags: Unpack[Flags]) -> Column:
    """A whole-number column (durations are minutes)."""
    return Column(name, ColumnType.INTEGER, **flags)


def decimal(name: str, **flags: Unpack[Flags]) -> Column:
    """A decimal-number column."""
    return Column(name, ColumnType.DECIMAL, **flags)


def boolean(name: str, *, default: bool | None = None, **flags: Unpack[Flags]) -> Column:
    """A two-option (yes/no) column."""
    return Column(name, ColumnType.BOOLEAN, default=default, **flags)


def datetime(name: str, **flags: Unpack[Flags]) -> Column:
    """A date-and-time column, ISO 8601 in UTC on the wire."""
    return Column(name, ColumnType.DATETIME, **flags)


def picklist(
    name: str, opts: tuple[Option, ...], *, default: int | None = None, **flags: Unpack[Flags]
) -> Column:
    """A single choice column; values outside `opts` are rejected by the service."""
    return Column(name, ColumnType.PICKLIST, options=opts, default=default, **flags)


def multiselect(name: str, opts: tuple[Option, ...], **flags: Unpack[Flags]) -> Column:
    """A multi-select choice column, sent as a comma-separated string of values."""
    return Column(name, ColumnType.MULTISELECT, options=opts, **flags)


def lookup(name: str, target: str, navigation: str | None = None, **flags: Unpack[Flags]) -> Column:
    """A lookup; `navigation` defaults to the column name, as it usually is."""
    return Column(name, ColumnType.LOOKUP, target=target, navigation=navigation or name, **flags)


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
