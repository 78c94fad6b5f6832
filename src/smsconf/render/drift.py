"""Drift, as a scheduled job prints it: each section, each object by label and address, and each
column in the configuration's words (its YAML path, both values as the YAML writes them) with
where Dataverse keeps it beside. Which side moved is not known here, so a column says what the
organisation has and what the configuration says rather than drawing an arrow between them.
"""

from __future__ import annotations

from smsconf.reconcile.drift import DriftReport
from smsconf.reconcile.plan import SENSITIVE
from smsconf.render.common import place, side
from smsconf.render.escape import visible


def render(report: DriftReport) -> str:
    if not report.drifted:
        return "No drift: the organisation matches the configuration.\n"
    lines: list[str] = []
    sections = (
        ("Edited in the organisation (managed columns differ)", report.edited),
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
            lines.append(f"  {visible(change.label)}  [{visible(change.address)}]")
            for column in change.columns if change.action == "update" else ():
                name = visible(column.field) if column.field else place(change, column)
                value = (
                    f"{SENSITIVE} (its fingerprint differs)"
                    if column.sensitive
                    else f"the organisation has {side(column, 'before')}, "
                    f"the configuration says {side(column, 'after')}"
                )
                where = f"  ({place(change, column)})" if column.field else ""
                lines.append(f"      {name}: {value}{where}")
    if report.ignored_columns:
        ignored = ", ".join(
            f"{t}: {', '.join(c)}" for t, c in sorted(report.ignored_columns.items())
        )
        lines.append(f"Ignored by settings.ignore: {ignored}")
    return "\n".join(lines) + "\n"
