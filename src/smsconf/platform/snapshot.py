"""Microsoft's table definitions as the project ships them: the committed schema snapshot.

`snapshot.json` beside this module is written by `tools/dataverse_snapshot.py` from the raw
pages in `schemas/dataverse/pages/` and never edited by hand, so it is a truth that is not ours:
the emulator serves it and `tests/platform/test_against_snapshot.py` holds `tables.py` to it.

Format (version 1), a JSON object:

- `format`: 1; `source`: where the pages are.
- `tables`: logical name -> table: `logical_name`, `schema_name`, `display_name`, `entity_set`,
  `primary_id`, `primary_name`, `ownership` (`UserOwned`/`OrganizationOwned`/`BusinessOwned`),
  `pages` (page files, newest first), `version_pages` (the pages that are versions of one
  another; an extension page is not), `attributes`, `many_to_one`, `one_to_many`.
- an attribute: `logical_name`, `schema_name`, `detail` (False when the pages list the column
  without its detail block: then only its name and writability are known), `type` (the page's
  AttributeType: String, Memo, Integer, BigInt, Boolean, Picklist, State, Status,
  MultiSelectPicklist, Lookup, Customer, Owner, Uniqueidentifier, DateTime, Decimal, Double,
  Money, EntityName, ManagedProperty, Image, Virtual), `required_level`, `valid_for_create`,
  `valid_for_update`, `valid_for_read`, optional `max_length`, `targets`, `options`
  (`[{value, label}]`), `default`, `global_choice`, `navigation` (referenced table -> the
  case-sensitive single-valued navigation name, from a Many-to-One block), `pages` (which pages
  list it) and `version_dependent` (True when some version pages do not list it: a column
  some organisations lack).
- a many-to-one: `schema_name`, `referenced_entity`, `referenced_attribute`,
  `referencing_attribute`, `navigation`, `cascade_delete`, `page`; a one-to-many:
  `schema_name`, `referencing_entity`, `referencing_attribute`, `navigation` (the collection
  name on this table), `page`.
- `many_to_many`: `[{schema_name, intersect_entity, sides: {table: {table,
  intersect_attribute, navigation}}}]`; a side no page describes has null attribute/navigation.
- `observed`: organisations seen live (`schemas/dataverse/observed/`): name -> `{source, tables:
  {table: [columns it has]}}`; what the pages list and such an organisation lacked is a column
  of some organisation versions only, as seen rather than as a list someone wrote.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Generic, TypeVar

DEFAULT_PATH = Path(__file__).with_name("snapshot.json")
SOLUTION_COMPONENT_COLUMNS = frozenset(
    {
        "componentidunique",
        "componentstate",
        "iscustomizable",
        "ismanaged",
        "overwritetime",
        "solutionid",
        "supportingsolutionid",
    }
)
"""The columns every solution-aware table carries, which generated typings never list."""
_LOOKUP_TYPES = frozenset({"Lookup", "Owner", "Customer"})
T = TypeVar("T")


def _companion(page: SnapshotTable, name: str) -> bool:
    """`createdbyname`, `owneridyominame`, `owneridtype`: a lookup's read-only companion."""
    for suffix in ("yominame", "name", "type"):
        base = page.attribute(name[: -len(suffix)]) if name.endswith(suffix) else None
        if base is not None and base.type in _LOOKUP_TYPES:
            return True
    return False


@dataclass(frozen=True)
class _Described:
    """A table or a column as the snapshot holds it: its data, named by its logical name."""

    data: dict[str, Any]

    @property
    def logical_name(self) -> str:
        return str(self.data["logical_name"])


class _Key(Generic[T]):
    """A property that is the data's entry of the property's own name, so a class lists the
    entries it reads instead of spelling out a getter for each; None where the pages give none."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.key = name

    def __get__(self, described: _Described, owner: type | None = None) -> T | None:
        return described.data.get(self.key)


class _Flag(_Key[bool]):
    """A yes/no entry: False where the pages do not say."""

    def __get__(self, described: _Described, owner: type | None = None) -> bool:
        return bool(super().__get__(described, owner))


@dataclass(frozen=True)
class Attribute(_Described):
    """One column as the pages describe it."""

    type = _Key[str]()
    max_length = _Key[int]()
    version_dependent = _Flag()
    valid_for_create = _Flag()
    valid_for_update = _Flag()

    @property
    def option_values(self) -> frozenset[int]:
        return frozenset(o["value"] for o in self.data.get("options", ()))

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(self.data.get("targets", ()))

    @property
    def valid_for_read(self) -> bool:
        """IsValidForRead; a column whose page gives no detail block counts as readable."""
        return self.data.get("valid_for_read") is not False

    def navigation(self, target: str) -> str | None:
        """The documented navigation name of this lookup towards `target`, if a page gives it."""
        return self.data.get("navigation", {}).get(target)


@dataclass(frozen=True)
class SnapshotTable(_Described):
    """One table as the pages describe it."""

    entity_set = _Key[str]()
    primary_id = _Key[str]()
    primary_name = _Key[str]()
    ownership = _Key[str]()

    def attribute(self, logical_name: str) -> Attribute | None:
        found = self.data["attributes"].get(logical_name)
        return Attribute(found) if found is not None else None

    def attributes(self) -> tuple[Attribute, ...]:
        return tuple(Attribute(a) for a in self.data["attributes"].values())


@dataclass(frozen=True)
class Snapshot:
    """The whole snapshot, with lookups by table, entity set and relationship."""

    data: dict[str, Any]

    def table(self, logical_name: str) -> SnapshotTable | None:
        found = self.data["tables"].get(logical_name)
        return SnapshotTable(found) if found is not None else None

    def tables(self) -> tuple[SnapshotTable, ...]:
        return tuple(SnapshotTable(t) for t in self.data["tables"].values())

    def by_entity_set(self, entity_set: str) -> SnapshotTable | None:
        return next((t for t in self.tables() if t.entity_set == entity_set), None)

    def many_to_many(self, schema_name: str) -> dict[str, Any] | None:
        return next((r for r in self.data["many_to_many"] if r["schema_name"] == schema_name), None)

    def observed(self) -> dict[str, dict[str, frozenset[str]]]:
        """Per organisation seen live, per table, the columns it was seen to have."""
        return {
            name: {t: frozenset(cols) for t, cols in org["tables"].items()}
            for name, org in self.data.get("observed", {}).items()
        }

    def observed_absent(self) -> dict[str, frozenset[str]]:
        """Per table, the columns the pages list that some organisation seen live lacked.

        Only a column the source would have listed counts: a lookup's companions (`…name`,
        `…yominame`, `…type`) and the solution-component columns are in neither source's
        format (typings list neither; the live list has no companions), so their absence says
        nothing about the organisation."""
        absent: dict[str, set[str]] = {}
        for tables in self.observed().values():
            for name, has in tables.items():
                page = self.table(name)
                if page is None:
                    continue
                listed = {
                    a.logical_name
                    for a in page.attributes()
                    if a.logical_name not in SOLUTION_COMPONENT_COLUMNS
                    and not _companion(page, a.logical_name)
                }
                absent.setdefault(name, set()).update(listed - has)
        return {t: frozenset(c) for t, c in absent.items()}

    def without_version_dependent(self) -> Snapshot:
        """An organisation lacking every version-dependent column (the "older organisation"
        variant of the end-to-end tests)."""
        data = json.loads(json.dumps(self.data))
        for table in data["tables"].values():
            table["attributes"] = {
                k: v for k, v in table["attributes"].items() if not v.get("version_dependent")
            }
        return Snapshot(data)


def load_snapshot(path: Path | str | None = None) -> Snapshot:
    """The committed snapshot, or one in the same format from `path`."""
    if path is None:
        return _default()
    return Snapshot(json.loads(Path(path).read_text("utf-8")))


@cache
def _default() -> Snapshot:
    return Snapshot(json.loads(DEFAULT_PATH.read_text("utf-8")))
