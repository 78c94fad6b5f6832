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
