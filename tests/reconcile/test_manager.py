"""Ordering and safety of the Manager: what apply does first, and what it refuses to do.

A create that points at a row created later fails on a real org (the lookup target does not
exist yet), and a delete of a row still referenced fails or cascades; so the order is checked
on real plans of the example, by following every lookup the writes carry.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

import pytest
from tools.testkit.workspace import Workspace, rows_where

from smsconf.connect import open_target
from smsconf.platform import TABLES
from smsconf.reconcile.diff import RANK
from smsconf.reconcile.manager import PlanOptions, delete_limits, make_plan, ordered
from smsconf.reconcile.plan import Change, Plan

BIND = re.compile(r"^/(\w+)\(([0-9a-f-]{36})\)$")
ENTITY_SETS = {t.entity_set: name for name, t in TABLES.items()}


def plan_here(ws: Workspace, options: PlanOptions | None = None) -> Plan:
    async def run() -> Plan:
        async with open_target("local") as target:
            return await make_plan(ws.loaded(), target, [str(ws.config_dir)], options)

    return asyncio.run(run())


def change(action: str, table: str, name: str) -> Change:
    return Change(action=action, kind=table, label=name, table=table, key=(name,), id=name)  # type: ignore[arg-type]


def test_steps_are_numbered_in_order() -> None:
    tables = list(RANK)
    mixed = [change("delete", tables[0], "d"), change("create", tables[-1], "c")]
    result = ordered(mixed)
    assert [c.step for c in result] == [1, 2]
    assert [c.action for c in result] == ["create", "delete"]


def test_parents_first_links_next_deletes_last_in_reverse() -> None:
    tables = list(RANK)
    changes = [
        change("delete", tables[0], "account gone"),
        change("disassociate", "msdyn_liveworkstream", "unlink"),
        change("create", tables[-1], "child"),
        change("delete", tables[-1], "child gone"),
        change("associate", "msdyn_liveworkstream", "link"),
        change("update", tables[0], "parent"),
    ]
    assert [c.label for c in ordered(changes)] == [
        "parent",
        "child",
        "link",
        "unlink",
        "child gone",
        "account gone",
    ]


def lookups(body: dict[str, Any]) -> list[tuple[str, str]]:
    """(table, id) of every row a write's `@odata.bind` points at."""
    found = []
    for name, value in body.items():
        match = BIND.match(value) if name.endswith("@odata.bind") and value else None
        if match:
            found.append((ENTITY_SETS[match[1]], match[2]))
    return found


def test_every_create_comes_after_the_rows_it_points_at(ws: Workspace) -> None:
    plan = plan_here(ws)
    step_of = {(c.table, c.id): c.step for c in plan.changes if c.action == "create"}
    checked = 0
    for c in plan.changes:
        for target in lookups(c.body):
            if target in step_of:
                assert step_of[target] < c.step, (c.label, target)
                checked += 1
        if c.action == "associate":
            assert step_of[(c.table, c.id)] < c.step
    assert checked > 20  # the example has many links between the rows it creates


def test_deletes_come_after_the_rows_that_point_at_them(applied: Workspace) -> None:
    """Removing a workstream: its routing steps before their rulesets, the channel and the
    workstream before the contract the workstream points at."""
    ws = applied
    ws.cut("  - name: SMS Sales\n    fallback_queue", "  - name: UK Support")
    ws.append("removed:\n  - kind: workstream\n    name: SMS Sales\n")
    plan = plan_here(ws)
    deletes = {(c.table, c.id): c.step for c in plan.changes if c.action == "delete"}
    assert len(deletes) >= 6
    assert [c.action for c in plan.changes][-len(deletes) :] == ["delete"] * len(deletes)

    async def live_rows() -> dict[tuple[str, str], dict[str, Any]]:
        async with ws.client() as dv:
            return {
                (table, row_id): (
                    await rows_where(dv, table, **{TABLES[table].primary_key: row_id})
                )[0]
                for table, row_id in deletes
            }

    rows = asyncio.run(live_rows())
    checked = 0
    for (table, row_id), row in rows.items():
        for column, value in row.items():
            pointed = next(
                (t for t in deletes if column.startswith("_") and t[1] == str(value).lower()), None
            )
            if pointed:
                assert deletes[(table, row_id)] < deletes[pointed], (table, column, pointed)
                checked += 1
    assert checked >= 4


# --- delete thresholds ---------------------------------------------------------------------


def deletes(*specs: tuple[str, str, str | None]) -> list[Change]:
    return [
        Change(
            action="delete", kind=kind, label=name, table="t", key=(name,), id=name, cascade_of=of
        )
        for kind, name, of in specs
    ]


@pytest.fixture
def loaded_with(applied: Workspace) -> Callable[[int], Any]:
    def make(max_deletes: int) -> Any:
        if max_deletes:
            applied.append(f"settings:\n  max_deletes: {max_deletes}\n")
        return applied.loaded()

    return make


def test_thresholds_count_per_kind(loaded_with: Callable[[int], Any]) -> None:
    planned = deletes(("number", "a", None), ("number", "b", None), ("queue", "q", None))
    assert len(delete_limits(planned, loaded_with(0), PlanOptions())) == 2
    unsafe = delete_limits(planned, loaded_with(1), PlanOptions())
    assert unsafe == [
        "2 delete(s) of number exceed the limit of 1 (settings.max_deletes): number[a], "
        "number[b]; pass --allow-deletes, or --allow-delete with an address as printed"
    ]


def test_allow_deletes_and_addresses(loaded_with: Callable[[int], Any]) -> None:
    loaded = loaded_with(0)
    planned = deletes(
        ("workstream", "ws", None), ("sms_channel", "ch", "workstream[ws]"), ("number", "n", None)
    )
    assert delete_limits(planned, loaded, PlanOptions(allow_deletes=True)) == []
    named = PlanOptions(allowed_deletes=frozenset({"workstream[ws]"}))
    assert [u.split(" exceed")[0] for u in delete_limits(planned, loaded, named)] == [
        "1 delete(s) of number"
    ]
    child_only = PlanOptions(allowed_deletes=frozenset({"sms_channel[ch]"}))
    assert [u.split(" exceed")[0] for u in delete_limits(planned, loaded, child_only)] == [
        "1 delete(s) of number",
        "1 delete(s) of workstream",
    ]
