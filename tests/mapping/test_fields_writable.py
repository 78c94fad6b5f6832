"""smsconf never sends a column the platform would not take: every column the field map writes,
and every column and lookup of the example's desired rows, is valid for create by Microsoft's
pages (the committed snapshot), and valid for update unless smsconf treats it as immutable (a
change is planned as a recreate or refused, never sent as an update).

The emulator ignores a column that is not valid for create or update, as the platform is
reported to (README, verify list), so only this check can see smsconf relying on one.
"""

from __future__ import annotations

from pathlib import Path

from tests.mapping.test_desired import OrgOfNames

from smsconf.config import load_config
from smsconf.mapping.desired import desired_rows
from smsconf.mapping.fields import FIELDS, Field
from smsconf.platform.snapshot import load_snapshot

EXAMPLES = Path(__file__).parents[2] / "examples"


def _facts(table: str, column: str) -> tuple[bool, bool] | None:
    page = load_snapshot().table(table)
    attribute = page.attribute(column) if page else None
    if attribute is None:
        return None
    return attribute.valid_for_create, attribute.valid_for_update


def written(entry: Field) -> list[tuple[str, str]]:
    assert entry.table is not None and entry.column is not None
    return [(entry.table, c) for c in (entry.column, *entry.also)]


def test_every_column_the_field_map_writes_is_valid_for_create() -> None:
    problems = []
    for entry in (e for e in FIELDS if e.is_column):
        for table, column in written(entry):
            facts = _facts(table, column)
            if facts is None:
                problems.append(f"{entry.name}: {table}.{column} is on no page")
            elif not facts[0]:
                problems.append(f"{entry.name}: {table}.{column} is not valid for create")
    assert problems == []


def test_every_column_of_the_desired_rows_is_writable_as_smsconf_writes_it() -> None:
    """Created with every column; updated only through the columns that may change."""
    config = load_config([EXAMPLES], env="local")
    rows, _ = desired_rows(config, OrgOfNames())
    assert len(rows) > 30
    problems = []
    for row in rows:
        for column in [*row.columns, *row.links, *row.secrets]:
            facts = _facts(row.table, column)
            if facts is None:
                problems.append(f"{row.table}.{column} is on no page")
                continue
            creatable, updatable = facts
            if not creatable:
                problems.append(f"{row.table}.{column} is not valid for create")
            if not updatable and column not in row.immutable:
                problems.append(f"{row.table}.{column} is not valid for update, yet updated")
    assert sorted(set(problems)) == []


def test_the_check_sees_a_column_not_valid_for_create() -> None:
    """The check can fail: a server-owned column of a table smsconf writes is caught."""
    assert _facts("msdyn_liveworkstream", "createdon") == (False, False)
    assert _facts("msdyn_liveworkstream", "msdyn_nope") is None
