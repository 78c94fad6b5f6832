"""Drift, as a scheduled job prints it: each section, each object by label and address, and each
column in the configuration's words (its YAML path, both values as the YAML writes them) with
where Dataverse keeps it beside. Arrows run old → new: for an edit made in the organisation
from what smsconf wrote (the configuration's value) to what that person set, with their name and
when; for a change made in the configuration, from the organisation's value to the new one.
"""

from __future__ import annotations

from smsconf.reconcile.drift import DriftReport
from smsconf.reconcile.plan import SENSITIVE, Change, ColumnChange
from smsconf.render.common import place, side
from smsconf.render.escape import visible


def render(report: DriftReport) -> str:
    if not report.drifted:
        return "No drift: the organisation matches the configuration.\n"
    lines: list[str] = []
    sections = (
        ("Edited in the organisation since smsconf last wrote it", report.edited),
        ("Changed in the configuration, not applied yet", report.pending),
        ("Missing from the organisation (deleted there, or never applied)", report.missing),
        ("Added in the organisation under managed objects", report.added),
        ("Listed under removed: but still in the organisation (not applied yet)", report.removals),
        ("Associations that differ", report.links),
    )
    for title, changes in sections:
        if not changes:
            continue
        lines.append(f"{title}: {len(changes)}")
        for change in changes:
            lines.append(f"  {visible(change.label)}  [{visible(change.address)}]{_who(change)}")
            for column in change.columns if change.action == "update" else ():
                lines.append(f"      {_column(change, column)}")
    if report.ignored_columns:
        ignored = ", ".join(
            f"{t}: {', '.join(c)}" for t, c in sorted(report.ignored_columns.items())
        )
        lines.append(f"Ignored by settings.ignore: {ignored}")
    return "\n".join(lines) + "\n"


def _who(change: Change) -> str:
    if not change.edited_by:
        return ""
    when = f" on {visible(change.edited_on)}" if change.edited_on else ""
    return f" by {visible(change.edited_by)}{when}"


def _column(change: Change, column: ColumnChange) -> str:
    """`path: old → new  (table.column)`; an organisation edit runs from the configuration's
    value (what smsconf wrote) to the organisation's, a configuration change the other way."""
    name = visible(column.field) if column.field else place(change, column)
    if column.sensitive:
        return f"{name}: {SENSITIVE} (its fingerprint differs)"
    live, config = side(column, "before"), side(column, "after")
    old, new = (config, live) if change.edited_by else (live, config)
    where = f"  ({place(change, column)})" if column.field else ""
    return f"{name}: {old} → {new}{where}"
