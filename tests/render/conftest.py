"""A deterministic plan with every kind of change, for golden files and renderer tests.

The local organisation's id and every id smsconf creates are derived from fixed names, so the
plan is the same on every run once the volatile fields are pinned: the git commit of the
checkout (there is none in a temporary directory, so a fixed one is set to exercise its
display) and the smsconf version (which would change every golden file on each release).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest
from tools.testkit.workspace import Workspace, apply_example, from_database, make_workspace

from smsconf.config.loader import load
from smsconf.connect import open_target
from smsconf.reconcile.manager import make_plan
from smsconf.reconcile.plan import Plan
from smsconf.reconcile.trust import compared_with_plan

GOLDEN_COMMIT = "0123456789abcdef0123456789abcdef01234567"
GOLDEN_VERSION = "0.0.0+golden"


def edit_every_way(ws: Workspace) -> None:
    """One update, one create, one delete, one associate and one disassociate."""
    ws.edit("    priority: 10\n", "    priority: 11\n")
    ws.edit(
        "        - trigger: agent_assigned\n          text: You're now chatting with {Agent}.\n", ""
    )
    ws.edit("quick_replies: [Greeting, Closing]", "quick_replies: [Greeting, Thanks]")
    ws.edit(
        "quick_replies:\n  - title: Greeting",
        "quick_replies:\n  - title: Thanks\n    managed: true\n    message: Thanks!\n"
        "    locale: en-US\n  - title: Greeting",
    )


def edit_as_a_reviewer_would(ws: Workspace) -> None:
    """The edits a pull request makes, each of which the plan must say in the YAML's words:
    a queue's priority, a distribution mode and auto-close, a number moved between workstreams,
    a route sent to another queue, a rule's condition, a queue and a workstream renamed
    (`renamed_from:`), a message deleted, and an account's key read from another variable."""
    ws.edit("    priority: 10\n", "    priority: 11\n")
    ws.edit("      mode: pick\n", "      mode: push\n")
    ws.edit("      auto_close_after: 8h\n", "      auto_close_after: 12h\n")
    ws.edit('      number: "14255550100"\n', '      number: "18005550199"\n')
    ws.edit(
        '      number: "18005550199"\n      language: en-US\n      operating_hours: Always open',
        '      number: "55123"\n      language: en-US\n      operating_hours: Always open',
    )
    ws.edit(
        "              value: VIP\n          queue: SMS Support VIP\n",
        "              value: VIP\n          queue: SMS Support Tier 1\n",
    )
    ws.edit("                  value: Gold\n", "                  value: Platinum\n")
    ws.edit(
        "  - name: SMS Support VIP\n",
        "  - name: SMS Support Priority\n    renamed_from: SMS Support VIP\n",
    )
    ws.edit("            - queue: SMS Support VIP\n", "            - queue: SMS Support Priority\n")
    ws.edit("          queue: SMS Support VIP\n", "          queue: SMS Support Priority\n")
    ws.edit(
        "        - trigger: agent_assigned\n          text: You're now chatting with {Agent}.\n", ""
    )
    ws.edit(
        "  - name: UK Support\n", "  - name: UK Customer Support\n    renamed_from: UK Support\n"
    )
    # the same key, read from another variable: a secret reference the base plan did not read
    ws.edit("${env:FABRIKAM_TELESIGN_API_KEY:-", "${env:FABRIKAM_SMS_KEY:-")


def plan_here() -> Plan:
    """Plan `examples/` of the current directory against its local org, volatile fields pinned."""

    async def run() -> Plan:
        async with open_target("local") as target:
            return await make_plan(load(["examples/"]), target, ["examples/"])

    plan = asyncio.run(run())
    return dataclasses.replace(
        plan, git_commit=GOLDEN_COMMIT, git_dirty=False, smsconf_version=GOLDEN_VERSION
    )


def applied_then(
    factory: pytest.TempPathFactory,
    name: str,
    edit: Callable[[Workspace], None],
    *,
    base: bool = False,
) -> Plan:
    """The example applied, then edited by `edit`, planned with relative paths (as a user);
    `base`: its trust compared with the plan before the edit, as `plan --base-plan` does."""
    db = apply_example(factory.mktemp(f"{name}-base"))
    with pytest.MonkeyPatch.context() as mp:
        ws = from_database(make_workspace(factory.mktemp(name), mp), db)
        before = plan_here() if base else None
        edit(ws)
        plan = plan_here()
    if before is None:
        return plan
    return dataclasses.replace(plan, trust_base=compared_with_plan(plan.trust, before))


@pytest.fixture(scope="session")
def mixed_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    """The example edited every way."""
    return applied_then(tmp_path_factory, "golden", edit_every_way)


@pytest.fixture(scope="session")
def edited_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    """The example edited as a pull request would (see above)."""
    return applied_then(tmp_path_factory, "golden-edits", edit_as_a_reviewer_would, base=True)


@pytest.fixture(scope="session")
def empty_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    """The example against an empty organisation: creates and associations only."""
    with pytest.MonkeyPatch.context() as mp:
        make_workspace(tmp_path_factory.mktemp("golden-empty"), mp)
        return plan_here()


@pytest.fixture
def golden_dir() -> Path:
    return Path(__file__).parent / "golden"
