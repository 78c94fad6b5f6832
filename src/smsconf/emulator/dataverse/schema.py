"""The emulated organisation's tables, built from Microsoft's pages (the committed snapshot).

The emulator must not serve smsconf's own beliefs (`platform/tables.py`): if it did, a wrong
column or navigation name there would pass every test, because the emulator would agree. So
every table, column, type, length, option, lookup target, navigation name and relationship the
emulator enforces and advertises comes from a `Snapshot` (`platform/snapshot.py`), through this
module; `emulator serve --schema FILE` serves another snapshot in the same format.

What the pages do not carry is in `supplement.py`, each fact with its source: which columns
are secured, the alternate keys, a live-seen choice value and an N:N no page describes.

How a page's facts become emulated columns:
- A column listed without its detail block takes the block another page gives the same
  standard column (the audit and ownership columns read the same on every page, SOURCES.md);
  a primary id is a Uniqueidentifier; any other undetailed column is served as a String and
  flagged `inferred` (no page says its type).
- Columns the Web API does not expose as properties (`EntityName`, `ManagedProperty`, `Image`,
  `Virtual` types, and a lookup's name columns such as `createdbyname`, whose AttributeOf is
  the lookup) are listed by `EntityDefinitions` but are not properties of the entity type.
- A lookup binds through the navigation name its Many-to-One block gives; without one, through
  its SchemaName for a solution's column (Dataverse names a custom lookup's navigation property
  after it; the same rule as tests/cli/test_requests_against_snapshot.py) and its logical name
  for a system column (as every system relationship block on the pages reads).
- An N:N side that no page describes navigates by the relationship's SchemaName (the default
  Dataverse gives both sides), and is flagged inferred.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from smsconf.emulator.dataverse import supplement
from smsconf.platform.model import Column, ColumnType, ManyToMany, Option, Table
from smsconf.platform.snapshot import Attribute, Snapshot, SnapshotTable, load_snapshot

FORMAT = 1  # the snapshot format this module reads (platform/snapshot.py)

# The page AttributeTypes as the emulator stores and checks them; the others are not properties.
_TYPES: dict[str, ColumnType] = {
    "String": ColumnType.STRING,
    "Memo": ColumnType.MEMO,
    "Integer": ColumnType.INTEGER,
    "BigInt": ColumnType.BIGINT,
    "Boolean": ColumnType.BOOLEAN,
    "Picklist": ColumnType.PICKLIST,
    "State": ColumnType.PICKLIST,
    "Status": ColumnType.PICKLIST,
    "MultiSelectPicklist": ColumnType.MULTISELECT,
    "Lookup": ColumnType.LOOKUP,
    "Customer": ColumnType.LOOKUP,
    "Owner": ColumnType.LOOKUP,
    "Uniqueidentifier": ColumnType.UNIQUEIDENTIFIER,
    "DateTime": ColumnType.DATETIME,
    "Decimal": ColumnType.DECIMAL,
    "Double": ColumnType.DECIMAL,
    "Money": ColumnType.DECIMAL,
    "EntityName": ColumnType.STRING,  # a table's logical name, as `fieldpermission.entityname`
}
NOT_PROPERTIES = frozenset({"ManagedProperty", "Image", "Virtual"})
CUSTOM_PREFIXES = ("msdyn_", "msfp_")  # the publishers of the tables in the copy of the pages


@dataclass(frozen=True)
class Lookup1N:
    """One 1:N relationship as both ends see it: the lookup on the many side, its
    relationship SchemaName and the collection name on the referenced table."""

    schema_name: str
    referenced: str
    referencing: str
    column: Column
    collection: str
    restrict: bool = False  # CascadeConfiguration Delete: Restrict (the parent may not go)


@dataclass
class Schema:
    """Every emulated table, its relationships and the page facts behind them."""

    snapshot: Snapshot
    tables: dict[str, Table] = field(default_factory=dict)
    many_to_many: tuple[ManyToMany, ...] = ()
    one_to_many: tuple[Lookup1N, ...] = ()
    details: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    _by_set: dict[str, Table] = field(default_factory=dict)

    @classmethod
    def from_snapshot(cls, snapshot: Snapshot) -> Schema:
        schema = cls(snapshot)
        standard = _standard_details(snapshot)
        known = frozenset(t.logical_name for t in snapshot.tables())
        for page in snapshot.tables():
            if page.entity_set is None or page.primary_id is None:
                continue
            schema._add(_table(page, standard, known, schema.details))
        schema.many_to_many = _many_to_many(snapshot, schema.tables)
        schema.one_to_many = _one_to_many(snapshot, schema.tables)
        return schema

    def _add(self, table: Table) -> None:
        self.tables[table.logical_name] = table
        self._by_set[table.entity_set] = table

    def all_tables(self) -> tuple[Table, ...]:
        return tuple(self.tables.values())

    def by_entity_set(self, entity_set: str) -> Table | None:
        return self._by_set.get(entity_set)

    def attribute(self, table: str, column: str) -> dict[str, Any]:
        """The page's facts of a column (its detail block, or what was borrowed for it)."""
        return self.details.get((table, column), {})

    def page(self, table: str) -> SnapshotTable | None:
        return self.snapshot.table(table)

    def writable(self, table: Table, column: Column, *, creating: bool) -> bool:
        """Whether a create (or update) may set the column: IsValidForCreate/IsValidForUpdate."""
        if column.logical_name == table.primary_key:
            return True  # the row's id: chosen on create, checked against the URL on update
        facts = self.attribute(table.logical_name, column.logical_name)
        return bool(facts.get("valid_for_create" if creating else "valid_for_update"))

    def relationship(self, table: str, navigation: str) -> ManyToMany | None:
        """The N:N relationship reached from `table` through a collection navigation."""
        for rel in self.many_to_many:
            if (rel.table1 == table and rel.navigation1 == navigation) or (
                rel.table2 == table and rel.navigation2 == navigation
            ):
                return rel
        return None

    def relationships_of(self, table: str) -> tuple[ManyToMany, ...]:
        return tuple(r for r in self.many_to_many if table in (r.table1, r.table2))

    def referencing(self, target: str) -> tuple[Lookup1N, ...]:
        """The 1:N relationships of `target`: every lookup pointing at it."""
        return tuple(r for r in self.one_to_many if r.referenced == target)


def _standard_details(snapshot: Snapshot) -> dict[str, dict[str, Any]]:
    """The detail block of each column name some page details, for pages that list it bare."""
    found: dict[str, dict[str, Any]] = {}
    for page in snapshot.tables():
        for attribute in page.attributes():
            if attribute.data.get("detail") and attribute.logical_name not in found:
                found[attribute.logical_name] = attribute.data
    return found


def _detail(
    page: SnapshotTable, attribute: Attribute, standard: Mapping[str, dict[str, Any]]
) -> dict[str, Any]:
    data = attribute.data
    if data.get("detail"):
        return data
    name = attribute.logical_name
    if name == page.primary_id:
        return {**data, "type": "Uniqueidentifier", "required_level": "SystemRequired"}
    borrowed = standard.get(name)
    if borrowed is not None and name in supplement.STANDARD_COLUMNS:
        return {**borrowed, **{k: data[k] for k in ("pages", "version_dependent")}}
    return {**data, "type": "String", "inferred": True}


def _attribute_of(name: str, lookups: set[str]) -> str | None:
    """The lookup whose display name or target table a column holds (`createdbyname`,
    `owneridyominame`, `owneridtype`): such a column has AttributeOf set and is no property of
    the entity type on the Web API."""
    for suffix in ("yominame", "name", "type"):
        if name.endswith(suffix) and name[: -len(suffix)] in lookups:
            return name[: -len(suffix)]
    return None


def _column(page: SnapshotTable, facts: dict[str, Any], known: frozenset[str]) -> Column | None:
    kind = facts.get("type")
    if kind in NOT_PROPERTIES or kind not in _TYPES or facts.get("attribute_of"):
        return None
    name = str(facts["logical_name"])
    column_type = _TYPES[kind]
    target = None
    navigation = None
    if column_type is ColumnType.LOOKUP:
        targets = list(facts.get("targets", ()))
        target = next((t for t in targets if t in known), targets[0] if targets else None)
        documented = facts.get("navigation", {})
        navigation = documented.get(target) or next(iter(documented.values()), None)
        if navigation is None:  # no Many-to-One block names it [inferred: Dataverse's default]
            custom = name.startswith(CUSTOM_PREFIXES)
            navigation = str(facts["schema_name"]) if custom else name
    options = tuple(Option(o["value"], o["label"]) for o in facts.get("options", ()))
    creatable, updatable = facts.get("valid_for_create"), facts.get("valid_for_update")
    return Column(
        name,
        column_type,
        max_length=facts.get("max_length") if column_type is not ColumnType.MULTISELECT else None,
        options=options,
        required=facts.get("required_level") == "SystemRequired",
        secured=(page.logical_name, name) in supplement.SECURED,
        target=target,
        navigation=navigation,
        inferred=bool(facts.get("inferred")),
        server_owned=not (creatable or updatable),
        default=_default(kind, facts, options),
        cascade_delete=_cascades(page, name),
    )


def _default(kind: str, facts: dict[str, Any], options: tuple[Option, ...]) -> object:
    """What the platform fills in on create when the body omits the column: a Boolean's
    DefaultValue, the first state (Active) and the first status reason."""
    if kind == "Boolean" and "default" in facts:
        return str(facts["default"]).lower() == "true"
    if kind in ("State", "Status") and options:
        return options[0].value
    return None


def _cascades(page: SnapshotTable, column: str) -> bool:
    return any(
        r["referencing_attribute"] == column and r.get("cascade_delete") == "Cascade"
        for r in page.data["many_to_one"]
    )


def _table(
    page: SnapshotTable,
    standard: Mapping[str, dict[str, Any]],
    known: frozenset[str],
    details: dict[tuple[str, str], dict[str, Any]],
) -> Table:
    columns = []
    lookups = {
        a.logical_name
        for a in page.attributes()
        if _detail(page, a, standard).get("type") in ("Lookup", "Owner", "Customer")
    }
    for attribute in page.attributes():
        facts = _detail(page, attribute, standard)
        owner = _attribute_of(attribute.logical_name, lookups)
        if owner is not None:
            facts = {**facts, "attribute_of": owner}
        extra = supplement.OPTIONS.get((page.logical_name, attribute.logical_name), ())
        if extra:
            more = [{"value": v, "label": label} for v, label in extra]
            facts = {**facts, "options": [*facts.get("options", ()), *more]}
        details[(page.logical_name, attribute.logical_name)] = facts
        column = _column(page, facts, known)
        if column is not None:
            columns.append(column)
    name = page.logical_name
    return Table(
        logical_name=name,
        entity_set=str(page.entity_set),
        primary_key=str(page.primary_id),
        primary_name=str(page.primary_name or page.primary_id),
        columns=tuple(columns) or (Column(str(page.primary_id), ColumnType.UNIQUEIDENTIFIER),),
        ownership=page.ownership or "OrganizationOwned",
        alternate_keys=supplement.KEYS.get(name, ()),
    )


def _many_to_many(snapshot: Snapshot, tables: Mapping[str, Table]) -> tuple[ManyToMany, ...]:
    found = []
    for rel in snapshot.data["many_to_many"]:
        sides = [s for s in rel["sides"].values() if s["table"] in tables]
        if len(sides) != 2:
            continue
        name = rel["schema_name"]
        first, second = sorted(sides, key=lambda s: str(s["table"]))
        navigations = [s.get("navigation") or name for s in (first, second)]
        found.append(
            ManyToMany(
                name,
                first["table"],
                second["table"],
                navigations[0],
                navigations[1],
                rel["intersect_entity"],
                inferred=not all(s.get("navigation") for s in (first, second)),
            )
        )
    return tuple(found)


def _one_to_many(snapshot: Snapshot, tables: Mapping[str, Table]) -> tuple[Lookup1N, ...]:
    """Every lookup between two emulated tables, named as the pages name it: the relationship
    SchemaName from the Many-to-One block and the collection name from the referenced table's
    One-to-Many block; where no page names one, Dataverse's default, the SchemaName, or
    `<target>_<table>_<column>` when even that is missing [inferred]."""
    collections: dict[tuple[str, str, str], str] = {}
    for page in snapshot.tables():
        for r in page.data["one_to_many"]:
            key = (page.logical_name, r["referencing_entity"], r["referencing_attribute"])
            collections[key] = r["navigation"] or r["schema_name"]
    found = []
    for table in tables.values():
        page = snapshot.table(table.logical_name)
        blocks = {r["referencing_attribute"]: r for r in page.data["many_to_one"]} if page else {}
        for column in table.lookups():
            target = column.target
            if target is None or target not in tables:
                continue
            block = blocks.get(column.logical_name)
            schema_name = (
                block["schema_name"]
                if block
                else f"{target}_{table.logical_name}_{column.logical_name}"
            )
            collection = collections.get((target, table.logical_name, column.logical_name))
            found.append(
                Lookup1N(
                    schema_name,
                    target,
                    table.logical_name,
                    column,
                    collection or schema_name,
                    restrict=bool(block and block.get("cascade_delete") == "Restrict"),
                )
            )
    return tuple(found)


@cache
def default_schema() -> Schema:
    """The committed snapshot's schema, built once per process."""
    return Schema.from_snapshot(load_snapshot())


def load_schema(path: Path | str) -> Schema:
    """The schema of a snapshot file in the committed format (`emulator serve --schema`);
    a file that is not one is a ValueError saying what is wrong with it."""
    try:
        snapshot = load_snapshot(path)
        if snapshot.data.get("format") != FORMAT:
            raise ValueError(f"its 'format' is {snapshot.data.get('format')!r}, not {FORMAT}")
        return Schema.from_snapshot(snapshot)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        detail = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        raise ValueError(f"{path} is not a schema snapshot: {detail}") from None


@dataclass(frozen=True)
class Fetch:
    """How a query reaches rows of other tables (a lookup's target, a link-entity): the
    organisation's tables by logical name, and one stored row by table and id."""

    tables: Mapping[str, Table]
    get: Callable[[str, str], dict[str, Any] | None]

    def __call__(self, table: str, row_id: str) -> dict[str, Any] | None:
        return self.get(table, row_id)
