"""Drift: what changed in the organisation behind the configuration's back.

A scheduled job wants to know whether someone edited managed objects in the admin center, not
whether the server bumped a version number. Server-owned fields are never compared (see diff),
so every change a plan finds is one of these, reported separately: edited in the organisation
(a managed column differs and someone other than smsconf modified the row last: the plan names
who and when, from `modifiedby` / `modifiedon`), pending (a managed column differs but smsconf
wrote the row last: the configuration changed and was not applied yet), missing (a managed
row is gone, or was never applied), added (a child row under a managed object that the
configuration does not list), and pending removals (objects the configuration lists under
`removed:`, with what goes with them, still in the organisation).
A pending removal is the configuration moving ahead of the organisation, not an edit made there,
so it must never be reported as something added in the admin center.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from smsconf.reconcile.diff import REMOVED_REASON
from smsconf.reconcile.plan import Change, Plan


@dataclass
class DriftReport:
    edited: list[Change] = field(default_factory=list)
    pending: list[Change] = field(default_factory=list)
    missing: list[Change] = field(default_factory=list)
    added: list[Change] = field(default_factory=list)
    removals: list[Change] = field(default_factory=list)
    links: list[Change] = field(default_factory=list)
    ignored_columns: dict[str, list[str]] = field(default_factory=dict)

    @property
    def drifted(self) -> bool:
        return bool(
            self.edited or self.pending or self.missing or self.added or self.removals or self.links
        )


def drift(plan: Plan, ignored_columns: dict[str, list[str]]) -> DriftReport:
    report = DriftReport(ignored_columns=ignored_columns)
    removed = {c.address for c in plan.changes if c.reason == REMOVED_REASON}
    for change in plan.changes:
        if change.action == "update" and change.edited_by:
            report.edited.append(change)
        elif change.action == "update":
            report.pending.append(change)
        elif change.action == "create":
            report.missing.append(change)
        elif change.action == "delete" and (
            change.address in removed or change.cascade_of in removed
        ):
            report.removals.append(change)
        elif change.action == "delete":
            report.added.append(change)
        else:
            report.links.append(change)
    return report
