"""The shape of Dataverse metadata, as frozen values.

The emulator serves these definitions and the reconciler builds rows from them, so a fact
corrected here is corrected for both. Every fact the references only infer carries
`inferred=True`, so whoever checks a real org knows exactly which lines to verify.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ColumnType(StrEnum):
    """Column types as the Web API distinguishes them on the wire."""

    STRING = "string"
    MEMO = "memo"
    INTEGER = "integer"
    BIGINT = "bigint"
    BOOLEAN = "boolean"
    PICKLIST = "picklist"
    MULTISELECT = "multiselect"
    LOOKUP = "lookup"
    UNIQUEIDENTIFIER = "uniqueidentifier"
    DATETIME = "datetime"
    DECIMAL = "decimal"


@dataclass(frozen=True)
class Option:
    """One value of a choice column; the label is the 1033 label admins see."""

    value: int
    label: str


@dataclass(frozen=True)
class Column:
    """A column: its wire type, its constraints, and for lookups where the link points.

    `navigation` is the case-sensitive single-valued navigation property used in
    `<navigation>@odata.bind`; it often differs from the column name, which is why it is data.
    `cascade_delete` says deleting the target deletes this row; otherwise the link is removed.
    `inferred` flags a column whose existence, type or navigation name is only inferred.
    """

    logical_name: str
    type: ColumnType
    max_length: int | None = None
    options: tuple[Option, ...] = ()
    required: bool = False
    secured: bool = False
    target: str | None = None
    navigation: str | None = None
    inferred: bool = False
    server_owned: bool = False
    default: object = None
    cascade_delete: bool = False

    @property
    def read_name(self) -> str:
        """The property name under which a row carries this column when read."""
        if self.type is ColumnType.LOOKUP:
            return f"_{self.logical_name}_value"
        return self.logical_name

    def option_values(self) -> frozenset[int]:
        """Valid values of a choice column (empty for other types)."""
        return frozenset(o.value for o in self.options)


@dataclass(frozen=True)
class AlternateKey:
    """A declared alternate key; rows can be addressed as `/<set>(col='v')`."""

    schema_name: str
    columns: tuple[str, ...]
    inferred: bool = False


@dataclass(frozen=True)
class ManyToMany:
    """An N:N relationship; each side reaches the other through a collection navigation."""

    schema_name: str
    table1: str
    table2: str
    navigation1: str
    navigation2: str
    intersect_entity: str
    inferred: bool = False

    def other(self, table: str) -> str:
        """The table on the far side when navigating from `table`."""
        return self.table2 if table == self.table1 else self.table1


BULK_MESSAGES = frozenset({"CreateMultiple", "UpdateMultiple", "UpsertMultiple"})


@dataclass(frozen=True)
class Table:
    """A Dataverse table with everything a client needs to address and write its rows."""

    logical_name: str
    entity_set: str
    primary_key: str
    primary_name: str
    columns: tuple[Column, ...]
    ownership: str = "UserOwned"
    alternate_keys: tuple[AlternateKey, ...] = ()
    bulk_messages: frozenset[str] = BULK_MESSAGES
    bulk_inferred: bool = True
    entity_set_inferred: bool = False
    primary_name_inferred: bool = False
    _by_name: dict[str, Column] = field(init=False, repr=False, compare=False)
    _by_navigation: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {c.logical_name: c for c in self.columns})
        object.__setattr__(
            self, "_by_navigation", {c.navigation: c for c in self.columns if c.navigation}
        )

    def column(self, logical_name: str) -> Column | None:
        """The column of that logical name, or None."""
        return self._by_name.get(logical_name)

    def by_navigation(self, navigation: str) -> Column | None:
        """The lookup column behind a navigation property; the match is case-sensitive."""
        return self._by_navigation.get(navigation)

    def lookups(self) -> tuple[Column, ...]:
        """The lookup columns, in definition order."""
        return tuple(c for c in self.columns if c.type is ColumnType.LOOKUP)

    @property
    def server_owned(self) -> tuple[str, ...]:
        """Read names of the fields the server sets, which a diff must ignore."""
        return tuple(c.read_name for c in self.columns if c.server_owned)

    @property
    def server_defaults(self) -> dict[str, object]:
        """Read names and values the server fills in on create when the client omits them."""
        return {c.read_name: c.default for c in self.columns if c.default is not None}

    def key_for(self, columns: frozenset[str]) -> AlternateKey | None:
        """The alternate key made of exactly these columns, if the table declares one."""
        for key in self.alternate_keys:
            if frozenset(key.columns) == columns:
                return key
        return None
