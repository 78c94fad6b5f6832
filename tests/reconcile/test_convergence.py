"""Convergence: after any edit is applied, the next plan is empty.

A change that comes back on every run (a value the server stores differently from how we
write it, an XML document compared by spelling) is the noise users of octoDNS and Terraform
complain about most; each edit here touches a different table or column type.
"""

from __future__ import annotations

import asyncio

import pytest
from tools.testkit.workspace import Workspace

from smsconf.connect import open_target
from smsconf.reconcile.manager import PlanOptions, apply_plan, make_plan
from smsconf.reconcile.plan import Plan

EDITS = {
    "message text": (
        "text: You're now chatting with {Agent}.",
        "text: You are now texting with {Agent}.",
    ),
    "translation": ("fr-FR: Merci d'avoir écrit", "fr-FR: Merci beaucoup d'avoir écrit"),
    "new translation": (
        "          text: We're closed right now.",
        "          translations:\n            de-DE: Wir haben geschlossen.\n"
        "          text: We're closed right now.",
    ),
    "routing value": ("value: Gold", "value: Platinum"),
    "routing split": (
        "percent: 80\n            - queue: SMS Support VIP\n              percent: 20",
        "percent: 70\n            - queue: SMS Support VIP\n              percent: 30",
    ),
    "duration": ("auto_close_after: 8h", "auto_close_after: 1d"),
    "presences (multi-select)": (
        "allowed_presences: [available, busy]",
        "allowed_presences: [busy]",
    ),
    "boolean": ("        customers: false", "        customers: true"),
    "capacity": ("units: 10", "units: 12"),
    "context variable": (
        "        - name: OpenCases\n          type: number\n",
        "        - name: OpenCases\n          type: number\n        - name: Region\n"
        "          type: text\n",
    ),
    "quick reply link": ("quick_replies: [Greeting, Closing]", "quick_replies: [Greeting]"),
    "choice": ("assignment: longest_idle", "assignment: round_robin"),
    "lookup": ("    fallback_queue: SMS Sales\n", "    fallback_queue: SMS Support VIP\n"),
}


def plan_and_apply(ws: Workspace) -> tuple[Plan, Plan]:
    async def run() -> tuple[Plan, Plan]:
        loaded = ws.loaded()
        options = PlanOptions(check_credentials=False, allow_deletes=True)
        async with open_target("local") as target:
            first = await make_plan(loaded, target, [str(ws.config_dir)], options)
            report = await apply_plan(first, loaded, target)
            assert report.complete, report.failures
            second = await make_plan(loaded, target, [str(ws.config_dir)], options)
        return first, second

    return asyncio.run(run())


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_applied_edit_plans_to_zero(applied: Workspace, edit: str) -> None:
    old, new = EDITS[edit]
    applied.edit(old, new)
    first, second = plan_and_apply(applied)
    assert first.has_changes, f"{edit}: the edit planned nothing"
    assert second.changes == (), [
        (c.action, c.label, [(x.column, x.before, x.after) for x in c.columns])
        for c in second.changes
    ]
