"""Columns the configuration needs written that this organisation does not have.

The live read names only the columns the organisation has (`dataverse.probe`), so a missing
column never stops a plan by itself. It matters only when smsconf must write it: then the plan
is refused before anything is sent, at the YAML object that asks for it, naming the table, the
column and the organisation's version, rather than failing mid-apply with the service's 400.
"""

from __future__ import annotations

from collections.abc import Iterable

from smsconf.config.problems import Problem
from smsconf.dataverse.probe import OrganisationSchema
from smsconf.mapping.fields import BY_COLUMN
from smsconf.mapping.rows import DesiredRow


def written_columns(row: DesiredRow) -> list[str]:
    """The columns a desired row writes: set values, set lookups and secrets."""
    columns = [c for c, v in row.columns.items() if v is not None]
    columns += [c for c, v in row.links.items() if v is not None]
    return columns + list(row.secrets)


def absent_columns(rows: Iterable[DesiredRow], schema: OrganisationSchema | None) -> list[Problem]:
    """One located problem per desired row that writes a column the organisation lacks."""
    if schema is None:
        return []
    problems = []
    for row in rows:
        missing = [c for c in written_columns(row) if not schema.has(row.table, c)]
        explained = [c for c in missing if known_absence(row, c) and schema.columns.get(row.table)]
        problems += [explained_absence(row, c, schema.version) for c in explained]
        missing = [c for c in missing if c not in explained]
        if not missing:
            continue
        names = ", ".join(missing)
        where = (
            f"has no table {row.table}"
            if not schema.columns.get(row.table)
            else f"has no column {names} on table {row.table}"
        )
        problems.append(
            Problem(
                f"{row.label} needs {names} written, but this organisation (version "
                f"{schema.version}) {where}",
                row.source,
                hint="update the organisation's Customer Service / Contact Center solutions to "
                "a version that has it, or remove the setting that needs it",
            )
        )
    return problems


def known_absence(row: DesiredRow, column: str) -> bool:
    """Whether the field map says why an organisation may lack this column."""
    entry = BY_COLUMN.get((row.table, column))
    return entry is not None and entry.when_absent is not None and column in row.fields


def explained_absence(row: DesiredRow, column: str, version: str) -> Problem:
    """The refusal at the YAML field itself, saying why the column is missing and what to do."""
    entry = BY_COLUMN[(row.table, column)]
    assert entry.when_absent is not None
    why, todo = entry.when_absent
    path = row.fields[column].path
    return Problem(
        f"{row.label}: {path} needs column {column} on table {row.table}, which this "
        f"organisation (version {version}) does not have: {why}",
        (*row.source, *entry.path.split(".")),
        hint=todo,
    )
