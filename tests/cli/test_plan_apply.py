"""`smsconf plan` / `apply` end to end, through the CLI, against the local organisation.

Issue 6's "Show it by" list, one test (or a few) per item: each runs in its own directory with a
copy of the example, and looks at the organisation afterwards through its Web API with a second
client, never through the reconciler's own view of it.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.dataverse.peers import served
from tools.testkit.workspace import (  # the fixtures: ws, applied (and applied_db)
    CONTOSO_DEMO_KEY,
    Workspace,
    admin_acts_before_writes,
    applied,
    applied_db,
    duplicates,
    rows_where,
    ws,
)

from smsconf.dataverse import DataverseClient
from smsconf.emulator.dataverse import create_app
from smsconf.exitcodes import ExitCode
from smsconf.platform import TABLES
from smsconf.reconcile.apply import Progress
from smsconf.reconcile.plan import Change, _checksum
from smsconf.render import RENDERERS
from smsconf.target import LOCAL_DB

__all__ = ["applied", "applied_db", "ws"]  # fixtures, used by name

WORKSTREAMS = ("SMS Support", "SMS Sales", "UK Support", "SMS Billing", "SMS Orders")
SALES_BLOCK = ("  - name: SMS Sales\n    fallback_queue", "  - name: UK Support")
REMOVE_SALES = "removed:\n  - kind: workstream\n    name: SMS Sales\n"
SALES_TABLES = {
    "workstream": "msdyn_liveworkstream",
    "channel": "msdyn_ocsmschannelsetting",
    "messages": "msdyn_ocsystemmessage",
    "routing": "msdyn_routingconfiguration",
}


def plan_json(ws: Workspace, *args: str) -> dict:
    result = ws.plan("--format", "json", *args)
    assert result.exit_code in (0, 2, 5), result.output
    return json.loads(result.stdout)


def one(rows: list[dict]) -> dict:
    assert len(rows) == 1, rows
    return rows[0]


# --- create from empty, then nothing to do ---------------------------------------------------


def test_create_from_empty_then_no_changes(ws: Workspace) -> None:
    """The README quick start: apply the example to an empty org, and plan again to zero."""
    before = ws.plan("--detailed-exitcode")
    assert before.exit_code == ExitCode.CHANGES, before.output

    result = ws.apply()
    assert result.exit_code == ExitCode.OK, result.output
    assert "0 failed, 0 stale, 0 not attempted" in result.stdout

    for name in WORKSTREAMS:
        one(ws.rows("msdyn_liveworkstream", msdyn_name=name))
    for number in ("14255550100", "18005550199", "55123", "447700900123", "14255550142"):
        one(ws.rows("msdyn_ocphonenumber", msdyn_phonenumber=number))
    assert len(ws.rows("msdyn_ocsmschannelsetting")) == 5
    counts = ws.key_counts()
    assert not duplicates(counts)
    assert sum(counts["msdyn_ocsystemmessage"].values()) == 6  # Support 3; Sales, Billing, Orders 1
    assert sum(counts["msdyn_oclocalizationdata"].values()) == 2

    again = ws.plan("--detailed-exitcode")
    assert again.exit_code == ExitCode.OK, again.output
    assert "No changes" in again.stdout


def test_journal_records_every_step_done(ws: Workspace) -> None:
    """Apply writes one JSON line per step, so a later reader knows exactly what was done."""
    result = ws.apply()
    assert result.exit_code == 0, result.output
    (journal,) = (ws.home / "journal").glob("apply-*.jsonl")
    entries = [json.loads(line) for line in journal.read_text().splitlines()]
    assert entries and {e["status"] for e in entries} == {"done"}
    assert [e["step"] for e in entries] == list(range(1, len(entries) + 1))


def test_apply_without_terminal_or_auto_approve_writes_nothing(ws: Workspace) -> None:
    """No confirmation possible (CI without --auto-approve) must never mean 'yes'."""
    result = ws.smsconf("apply", "examples/")
    assert result.exit_code == ExitCode.ERROR
    assert "--auto-approve" in result.stderr
    assert ws.rows("msdyn_liveworkstream") == []


# --- edit one field --------------------------------------------------------------------------


def test_one_edit_is_one_update_of_one_column(applied: Workspace) -> None:
    ws = applied
    ws.edit("    priority: 10\n", "    priority: 11\n")
    plan = plan_json(ws)
    (change,) = plan["resource_changes"]
    assert change["change"]["actions"] == ["update"]
    assert change["label"] == "queue 'SMS Support Tier 1'"
    assert change["change"]["before"] == {"msdyn_priority": 10}
    assert change["change"]["after"] == {"msdyn_priority": 11}
    text = ws.plan("--detailed-exitcode")
    assert text.exit_code == ExitCode.CHANGES
    assert "queues[SMS Support Tier 1].priority: 10 → 11  (queue.msdyn_priority)" in text.stdout
    assert "Plan: 1 to update." in text.stdout

    result = ws.apply()
    assert result.exit_code == ExitCode.OK, result.output
    assert "1 done" in result.stdout
    assert one(ws.rows("queue", name="SMS Support Tier 1"))["msdyn_priority"] == 11
    assert ws.plan("--detailed-exitcode").exit_code == ExitCode.OK


def test_an_omitted_optional_field_is_left_alone_a_defaulted_one_is_managed(
    applied: Workspace,
) -> None:
    """Terraform's optional + computed: the SMS Sales queue has no `priority` in the YAML, so
    the admin's value stays (no change, no drift). `auto_close_after` has a documented default
    (2d), so UK Support, which leaves it out, is managed at 2d: the admin's edit is undone."""
    ws = applied
    sales = one(ws.rows("queue", name="SMS Sales"))
    ws.update("queue", sales["queueid"], {"msdyn_priority": 5})
    uk = one(ws.rows("msdyn_liveworkstream", msdyn_name="UK Support"))
    ws.update(
        "msdyn_liveworkstream", uk["msdyn_liveworkstreamid"], {"msdyn_autocloseafterinactivity": 60}
    )
    changes = [(c["label"], c["change"]["after"]) for c in plan_json(ws)["resource_changes"]]
    assert changes == [("workstream 'UK Support'", {"msdyn_autocloseafterinactivity": 2880})]

    result = ws.apply()
    assert result.exit_code == ExitCode.OK, result.output
    assert one(ws.rows("queue", name="SMS Sales"))["msdyn_priority"] == 5
    assert ws.plan("--detailed-exitcode").exit_code == ExitCode.OK
    assert ws.smsconf("drift", "examples/").exit_code == ExitCode.OK


def test_verbose_apply_counts_the_plan_and_the_writes_apart(applied: Workspace) -> None:
    """The plan's read is two requests; apply's re-read and its one $batch of writes are
    counted on their own line, so a reviewer sees what the writes cost."""
    ws = applied
    ws.edit("    priority: 10\n", "    priority: 11\n")
    result = ws.apply("--verbose")
    assert result.exit_code == ExitCode.OK, result.output
    lines = {line.split(":")[0]: line for line in result.stderr.splitlines() if ": " in line}
    assert lines["plan"].startswith("plan: 2 requests"), result.stderr
    assert lines["apply"].startswith("apply: 3 requests"), result.stderr


class Terminal(io.StringIO):
    """stderr as a terminal: the progress bar is drawn only there."""

    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from smsconf.cli.reconcile import _progress

    with _progress("Applying", 48) as tell:
        assert tell is None  # piped (pytest captures stderr): no bar, no escape codes
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with _progress("Reading the organisation", None) as tell:
        assert tell is not None  # a pulsing bar while reading
    assert "Reading the organisation" in terminal.getvalue()
    with _progress("Applying", 48) as tell:
        assert tell is not None
        tell(Progress(11, 48, vip_queue(), 2))
        tell(Progress(12, 48, vip_queue(), 1))
    assert "Writing queue 'SMS Support VIP' (12/48)" in terminal.getvalue()


def vip_queue() -> Change:
    return Change("create", "queue", "queue 'SMS Support VIP'", "queue", ("x",), "x")


def test_the_bar_names_the_object_written_and_what_its_request_still_carries() -> None:
    from smsconf.cli.reconcile import writing

    assert writing(Progress(0, 48)) == "Applying (0/48)"
    assert writing(Progress(12, 48, vip_queue(), 1)) == "Writing queue 'SMS Support VIP' (12/48)"
    sent = Progress(0, 48, vip_queue(), 36)
    assert writing(sent) == "Writing queue 'SMS Support VIP' and 35 more in this request (0/48)"


# --- removing objects ------------------------------------------------------------------------


def sales_rows(ws: Workspace) -> dict[str, list[dict]]:
    """The workstream SMS Sales and the rows that belong to it, read through the Web API."""
    (stream,) = ws.rows("msdyn_liveworkstream", msdyn_name="SMS Sales") or [None]
    if stream is None:
        return {}
    wid = stream["msdyn_liveworkstreamid"]
    channels = ws.rows("msdyn_ocsmschannelsetting", _msdyn_liveworkstreamid_value=wid)
    messages = [
        m
        for c in channels
        for m in ws.rows("msdyn_ocsystemmessage", msdyn_instanceid=c["msdyn_ocsmschannelsettingid"])
    ]
    return {
        "workstream": [stream],
        "channel": channels,
        "messages": messages,
        "routing": ws.rows("msdyn_routingconfiguration", _msdyn_liveworkstreamid_value=wid),
    }


def test_workstream_dropped_from_yaml_becomes_unmanaged_and_stays(applied: Workspace) -> None:
    """Without a `removed:` entry, deleting YAML deletes nothing: the rows become unmanaged."""
    ws = applied
    before = sales_rows(ws)
    assert all(before.values())
    ws.cut(*SALES_BLOCK)
    plan = plan_json(ws)
    assert not [c for c in plan["resource_changes"] if c["change"]["actions"] == ["delete"]]
    assert "workstream 'SMS Sales'" in [u["label"] for u in plan["unmanaged"]]

    result = ws.apply("--allow-deletes")
    assert result.exit_code == ExitCode.OK, result.output
    assert sales_rows(ws) == before  # same rows, same ETags: not even rewritten


def test_removed_workstream_is_refused_without_permission(applied: Workspace) -> None:
    """A `removed:` entry plans the delete of the workstream and everything under it, but the
    default limit (0 deletes) makes the plan unsafe: exit 5, and apply writes nothing."""
    ws = applied
    ws.cut(*SALES_BLOCK)
    ws.append(REMOVE_SALES)
    plan = plan_json(ws)
    deletes = {c["kind"] for c in plan["resource_changes"] if c["change"]["actions"] == ["delete"]}
    assert {"workstream", "sms_channel", "automated_message", "routing_configuration"} <= deletes
    assert plan["unsafe"]

    planned = ws.plan()
    assert planned.exit_code == ExitCode.UNSAFE_PLAN
    assert "--allow-deletes" in planned.stdout
    before = sales_rows(ws)
    refused = ws.apply()
    assert refused.exit_code == ExitCode.UNSAFE_PLAN
    assert "Apply refused" in refused.stderr
    assert sales_rows(ws) == before


@pytest.mark.parametrize("permission", ["flag", "max_deletes", "addresses"])
def test_removed_workstream_is_deleted_with_its_rows(applied: Workspace, permission: str) -> None:
    """Each way of allowing the delete works, and removes the channel, messages and routing
    with the workstream while the other workstreams stay as they were."""
    ws = applied
    ws.cut(*SALES_BLOCK)
    ws.append(REMOVE_SALES)
    others = {n: one(ws.rows("msdyn_liveworkstream", msdyn_name=n)) for n in WORKSTREAMS[::2]}
    gone = sales_rows(ws)
    args: list[str] = []
    if permission == "flag":
        args = ["--allow-deletes"]
    elif permission == "max_deletes":
        ws.append("settings:\n  max_deletes: 20\n")
    else:
        args = ["--allow-delete", "workstream[SMS Sales]"]
    result = ws.apply(*args)
    assert result.exit_code == ExitCode.OK, result.output
    assert sales_rows(ws) == {}
    for part, table in SALES_TABLES.items():
        for row in gone[part]:
            key = TABLES[table].primary_key
            assert ws.rows(table, **{key: row[key]}) == [], (part, row)
    for name, row in others.items():
        assert one(ws.rows("msdyn_liveworkstream", msdyn_name=name)) == row
    assert ws.plan("--detailed-exitcode").exit_code == ExitCode.OK


def test_allow_delete_of_a_child_does_not_allow_its_parent(applied: Workspace) -> None:
    """`--allow-delete ADDRESS` allows that object and what follows from it, nothing else."""
    ws = applied
    ws.cut(*SALES_BLOCK)
    ws.append(REMOVE_SALES)
    plan = plan_json(ws)
    children = {c["address"] for c in plan["resource_changes"] if c["cascade_of"]}
    assert {c["cascade_of"] for c in plan["resource_changes"] if c["cascade_of"]} == {
        "workstream[SMS Sales]"
    }
    assert len(children) == len(plan["resource_changes"]) - 1
    result = ws.apply(*[arg for a in sorted(children) for arg in ("--allow-delete", a)])
    assert result.exit_code == ExitCode.UNSAFE_PLAN
    assert "delete(s) of workstream exceed" in result.stdout
    assert all(sales_rows(ws).values())


def test_message_dropped_from_a_managed_workstream_is_deleted(applied: Workspace) -> None:
    """A managed workstream owns its messages: one left out of the YAML is deleted (an
    explicit delete, so it needs permission like any other)."""
    ws = applied
    ws.edit(
        "        - trigger: agent_assigned\n          text: You're now chatting with {Agent}.\n", ""
    )
    plan = plan_json(ws)
    (change,) = plan["resource_changes"]
    assert change["change"]["actions"] == ["delete"]
    assert change["kind"] == "automated_message"
    assert change["reason"] == "no longer in the configuration"
    assert ws.apply().exit_code == ExitCode.UNSAFE_PLAN

    result = ws.apply("--allow-delete", change["address"])
    assert result.exit_code == ExitCode.OK, result.output
    assert ws.rows("msdyn_ocsystemmessage", msdyn_ocsystemmessageid=change["id"]) == []
    assert sum(ws.key_counts()["msdyn_ocsystemmessage"].values()) == 5


def test_renamed_from_renames_the_queue_in_place(applied: Workspace) -> None:
    """Terraform's `moved`: the queue is found under its old name and renamed, keeping its id
    (and so every routing rule and workstream that points at it); nothing is created or
    deleted, and once applied the plan is empty although renamed_from stays in the YAML."""
    ws = applied
    (vip,) = ws.rows("queue", name="SMS Support VIP")
    text = ws.config.read_text(encoding="utf-8").replace(
        "  - name: SMS Support VIP\n",
        "  - name: SMS Support Priority\n    renamed_from: SMS Support VIP\n",
    )
    ws.config.write_text(text.replace("queue: SMS Support VIP", "queue: SMS Support Priority"))
    plan = plan_json(ws)
    (change,) = plan["resource_changes"]
    assert change["change"]["actions"] == ["update"] and change["id"] == vip["queueid"]
    assert change["reason"] == "renamed from 'SMS Support VIP' (renamed_from)"
    (name,) = change["columns"]
    assert (name["field"], name["field_before"], name["field_after"]) == (
        "queues[SMS Support Priority].name",
        "SMS Support VIP",
        "SMS Support Priority",
    )
    assert ws.apply().exit_code == ExitCode.OK
    (renamed,) = ws.rows("queue", name="SMS Support Priority")
    assert renamed["queueid"] == vip["queueid"] and ws.rows("queue", name="SMS Support VIP") == []
    assert ws.plan("--detailed-exitcode").exit_code == ExitCode.OK


def test_a_managed_object_dropped_from_the_yaml_is_named_with_how_to_delete_or_keep_it(
    applied: Workspace,
) -> None:
    """smsconf created the quick reply (its id is the deterministic one); once the YAML stops
    listing it, the plan leaves it alone but says so, and how to delete it or keep it."""
    ws = applied
    ws.edit("quick_replies: [Greeting, Salutation, Closing]", "quick_replies: [Greeting, Closing]")
    ws.cut("  - title: Salutation\n", "  - title: Closing\n")
    planned = ws.plan()
    assert planned.exit_code == ExitCode.OK, planned.output
    assert (
        "[ ] quick reply 'Salutation': todo: smsconf created it and the configuration no longer "
        "lists it, so it is left as it is: to delete it, list it under removed: (kind: "
        "quick_reply, name: Salutation); to keep managing it, declare it again"
    ) in planned.stdout
    assert "delete quick reply" not in planned.stdout
    assert "Default messaging queue': todo" not in planned.stdout  # not smsconf's: no note


def test_allow_delete_takes_the_address_the_plan_prints_and_refuses_a_misspelt_one(
    applied: Workspace,
) -> None:
    """The text plan prints each object's address in words; `--allow-delete` takes exactly that
    string, and one that names no delete of the plan is a usage error with the closest address
    (never exit 0 or 2, nothing written), so a typo cannot leave a delete silently refused."""
    ws = applied
    ws.edit(
        "        - trigger: agent_assigned\n          text: You're now chatting with {Agent}.\n", ""
    )
    address = "automated_message[SMS Support/agent_assigned]"
    assert f"address: {address}" in ws.plan().stdout
    before = sum(ws.key_counts()["msdyn_ocsystemmessage"].values())

    misspelt = ws.apply("--allow-delete", "automated_message[SMS Support/agent_asigned]")
    assert misspelt.exit_code == ExitCode.USAGE, misspelt.output
    assert f"did you mean '{address}'?" in misspelt.output
    assert "Apply" not in misspelt.stdout
    assert sum(ws.key_counts()["msdyn_ocsystemmessage"].values()) == before

    result = ws.apply("--allow-delete", address)
    assert result.exit_code == ExitCode.OK, result.output
    assert sum(ws.key_counts()["msdyn_ocsystemmessage"].values()) == before - 1


def test_distribution_mode_change_is_refused_even_with_deletes_allowed(
    applied: Workspace,
) -> None:
    """The product cannot change a workstream's distribution mode; the plan says to recreate
    it instead, and no flag about deletes lifts that."""
    ws = applied
    ws.edit("      mode: pick\n", "      mode: push\n")
    planned = ws.plan()
    assert planned.exit_code == ExitCode.UNSAFE_PLAN
    assert (
        "! workstreams[SMS Sales].distribution.mode cannot change after creation (pick → push)"
        in planned.stdout
    )
    assert "remove the object and add it under a new name" in planned.stdout
    assert ws.apply("--allow-deletes").exit_code == ExitCode.UNSAFE_PLAN
    assert (
        one(ws.rows("msdyn_liveworkstream", msdyn_name="SMS Sales"))["msdyn_workdistributionmode"]
        == 192350001
    )


# --- a failed create: what depends on it stops, the rest goes on ------------------------------

DEFAULT_QUEUE = "Default messaging queue"


def test_continue_on_error_skips_only_what_depends_on_a_failed_create(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An admin deletes the queue UK Support falls back to, just before apply writes: UK
    Support's create fails, so its channel, routing and the rest of its rows are never sent
    (journaled not attempted, each naming what it needed), while the other workstreams are
    created in full. Exit 7. With the queue back, a second apply finishes, with no duplicates."""

    async def delete_default_queue(dv: DataverseClient) -> None:
        (queue,) = await rows_where(dv, "queue", name=DEFAULT_QUEUE)
        await dv.delete("queues", queue["queueid"])

    admin_acts_before_writes(ws, monkeypatch, delete_default_queue)
    result = ws.apply("--continue-on-error")
    assert result.exit_code == ExitCode.PARTIAL_APPLY, result.output

    (journal,) = (ws.home / "journal").glob("apply-*.jsonl")
    entries = [json.loads(line) for line in journal.read_text().splitlines()]
    failed = [e["label"] for e in entries if e["status"] == "failed"]
    skipped = [e for e in entries if e["status"] == "not_attempted"]
    done = [e for e in entries if e["status"] == "done"]
    assert failed == ["workstream 'UK Support'"]
    assert [(e["label"], e["detail"]) for e in skipped] == [
        (
            "SMS channel of workstream 'UK Support'",
            "not attempted: it needs workstream 'UK Support', which failed",
        )
    ]
    assert f"{len(done)} done, 1 failed, 0 stale, {len(skipped)} not attempted" in result.stdout
    assert ws.rows("msdyn_liveworkstream", msdyn_name="UK Support") == []
    for name in ("SMS Support", "SMS Sales", "SMS Billing", "SMS Orders"):
        workstream = one(ws.rows("msdyn_liveworkstream", msdyn_name=name))
        ws_id = workstream["msdyn_liveworkstreamid"]
        one(ws.rows("msdyn_ocsmschannelsetting", _msdyn_liveworkstreamid_value=ws_id))
    assert len(ws.rows("msdyn_ocsmschannelsetting")) == 4

    queue = {"name": DEFAULT_QUEUE, "msdyn_isomnichannelqueue": True}
    ws.web(lambda dv: dv.create("queues", queue))
    finished = ws.apply()
    assert finished.exit_code == ExitCode.OK, finished.output
    assert f"{len(skipped) + 1} done, 0 failed" in finished.stdout
    counts = ws.key_counts()
    assert not duplicates(counts)
    assert sum(counts["msdyn_liveworkstream"].values()) == 5
    assert ws.plan("--detailed-exitcode").exit_code == ExitCode.OK


# --- unmanaged rows --------------------------------------------------------------------------


def test_rows_created_outside_smsconf_are_listed_and_never_changed(applied: Workspace) -> None:
    """Rows an admin made in the org, with names the YAML does not use, are shown as unmanaged
    and survive apply byte for byte, even with every delete allowed."""
    ws = applied

    async def create(dv) -> None:  # type: ignore[no-untyped-def]
        await dv.create("queues", {"name": "Hand-made queue", "msdyn_isomnichannelqueue": True})
        await dv.create("msdyn_operatinghours", {"msdyn_name": "Hand-made hours"})
        await dv.create("msdyn_cannedmessages", {"msdyn_title": "Hand-made reply"})

    ws.web(create)
    made = [
        one(ws.rows("queue", name="Hand-made queue")),
        one(ws.rows("msdyn_operatinghour", msdyn_name="Hand-made hours")),
        one(ws.rows("msdyn_cannedmessage", msdyn_title="Hand-made reply")),
    ]
    plan = plan_json(ws)
    labels = {u["label"] for u in plan["unmanaged"]}
    assert {
        "queue 'Hand-made queue'",
        "operating hours 'Hand-made hours'",
        "quick reply 'Hand-made reply'",
    } <= labels
    assert plan["resource_changes"] == []
    text = ws.plan()
    assert "unmanaged object(s) in the organisation (left untouched)" in text.stdout
    assert "= queue 'Hand-made queue'" in text.stdout

    assert ws.apply("--allow-deletes").exit_code == ExitCode.OK
    after = [
        one(ws.rows("queue", name="Hand-made queue")),
        one(ws.rows("msdyn_operatinghour", msdyn_name="Hand-made hours")),
        one(ws.rows("msdyn_cannedmessage", msdyn_title="Hand-made reply")),
    ]
    assert after == made


@pytest.mark.parametrize(
    ("table", "column", "name"),
    [("queue", "name", "SMS Sales"), ("msdyn_liveworkstream", "msdyn_name", "SMS Sales")],
)
def test_managed_row_renamed_in_the_org_is_renamed_back(
    applied: Workspace, table: str, column: str, name: str
) -> None:
    """A row smsconf created keeps its id when an admin renames it, and that id is the one a
    new create would need: so it is the same row, planned as an update of its name (it used
    to plan a create that every apply refused as stale, forever)."""
    ws = applied
    (row,) = ws.rows(table, **{column: name})
    row_id = row[TABLES[table].primary_key]
    ws.update(table, row_id, {column: f"{name} (renamed)"})
    plan = plan_json(ws)
    (change,) = plan["resource_changes"]
    assert change["change"]["actions"] == ["update"]
    assert change["change"]["after"] == {column: name}
    assert change["id"] == row_id
    assert f"{name} (renamed)" not in {u["label"].split("'")[1] for u in plan["unmanaged"]}
    result = ws.apply()
    assert result.exit_code == ExitCode.OK, result.output
    assert one(ws.rows(table, **{column: name}))[TABLES[table].primary_key] == row_id
    assert not duplicates(ws.key_counts())
    assert ws.plan("--detailed-exitcode").exit_code == ExitCode.OK


# --- saved plans -----------------------------------------------------------------------------


@pytest.fixture
def saved(applied: Workspace) -> Workspace:
    """An edit planned and saved to plan.json, not applied yet."""
    applied.edit("    priority: 10\n", "    priority: 11\n")
    result = applied.plan("--out", "plan.json")
    assert result.exit_code == 0, result.output
    return applied


def test_saved_plan_applies(saved: Workspace) -> None:
    result = saved.smsconf("apply", "examples/", "--plan", "plan.json", "--auto-approve")
    assert result.exit_code == ExitCode.OK, result.output
    assert one(saved.rows("queue", name="SMS Support Tier 1"))["msdyn_priority"] == 11


def test_saved_plan_is_stale_after_an_admin_center_edit(saved: Workspace) -> None:
    """A managed row edited in the org after the plan: apply names the row and writes nothing."""
    ws = saved
    vip = one(ws.rows("queue", name="SMS Support VIP"))
    ws.update("queue", vip["queueid"], {"name": "SMS Support VIP"})  # a save: a new version
    result = ws.smsconf("apply", "examples/", "--plan", "plan.json", "--auto-approve")
    assert result.exit_code == ExitCode.STALE_PLAN, result.output
    assert "queue 'SMS Support VIP' changed in the organisation" in result.stderr
    assert f"queue({vip['queueid']})" in result.stderr
    assert "nothing written" in result.stderr
    assert one(ws.rows("queue", name="SMS Support Tier 1"))["msdyn_priority"] == 10


def test_stale_plan_says_how_a_planned_column_moved(saved: Workspace) -> None:
    """The admin changed the very value the plan was going to change: the refusal says from
    what to what, so the reviewer can decide whose value should win before re-planning."""
    (queue,) = saved.rows("queue", name="SMS Support Tier 1")
    saved.update("queue", queue["queueid"], {"msdyn_priority": 30})
    result = saved.smsconf("apply", "examples/", "--plan", "plan.json", "--auto-approve")
    assert result.exit_code == ExitCode.STALE_PLAN, result.output
    assert (
        "queue 'SMS Support Tier 1' changed in the organisation: "
        "msdyn_priority was 10 when planned, now 30"
    ) in result.stderr
    assert one(saved.rows("queue", name="SMS Support Tier 1"))["msdyn_priority"] == 30


def test_saved_plan_is_stale_after_a_configuration_edit(saved: Workspace) -> None:
    saved.edit("round_robin\n    priority: 1\n", "round_robin\n    priority: 2\n")
    result = saved.smsconf("apply", "examples/", "--plan", "plan.json", "--auto-approve")
    assert result.exit_code == ExitCode.STALE_PLAN, result.output
    assert "configuration changed" in result.stderr
    assert one(saved.rows("queue", name="SMS Support Tier 1"))["msdyn_priority"] == 10


def test_tampered_plan_file_is_refused_clearly(saved: Workspace) -> None:
    """A plan edited by hand (here: the value it writes) must not be applied at all."""
    path = saved.root / "plan.json"
    path.write_text(path.read_text().replace('"msdyn_priority": 11', '"msdyn_priority": 99'))
    result = saved.smsconf("apply", "examples/", "--plan", "plan.json", "--auto-approve")
    assert result.exit_code == ExitCode.PLAN_FILE_INVALID
    assert "checksum does not match" in result.stderr
    assert "Traceback" not in result.output
    assert one(saved.rows("queue", name="SMS Support Tier 1"))["msdyn_priority"] == 10


def _forged(path: Path, edit: Callable[[dict], None]) -> bytes:
    """The saved plan edited and its checksum recomputed, as anyone can."""
    data = json.loads(path.read_text(encoding="utf-8"))
    data.pop("checksum")
    edit(data)
    data["checksum"] = _checksum(data)
    return json.dumps(data).encode()


MALFORMED: dict[str, Callable[[Path], bytes]] = {
    "not JSON": lambda p: b"{ this is not json",
    "a JSON list": lambda p: b"[1, 2, 3]",
    "truncated": lambda p: p.read_bytes()[: len(p.read_bytes()) // 3],
    "binary": lambda p: bytes(range(256)),
    "UTF-16": lambda p: p.read_text(encoding="utf-8").encode("utf-16"),
    "no checksum": lambda p: p.read_bytes().replace(b'"checksum"', b'"checksun"'),
    "unknown action": lambda p: _forged(
        p, lambda d: d["resource_changes"][0]["change"].update(actions=["upsert"])
    ),
    "unknown table": lambda p: _forged(
        p, lambda d: d["resource_changes"][0].update(table="systemuser")
    ),
    "empty": lambda p: b"",
}


@pytest.mark.parametrize("form", sorted(MALFORMED))
def test_malformed_plan_file_gets_one_line_and_its_own_exit_code(
    saved: Workspace, form: str
) -> None:
    path = saved.root / "plan.json"
    path.write_bytes(MALFORMED[form](path))
    result = saved.smsconf("apply", "--plan", "plan.json", "--auto-approve")
    assert result.exit_code == ExitCode.PLAN_FILE_INVALID, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: plan file plan.json: ") and line.endswith("nothing written")
    assert one(saved.rows("queue", name="SMS Support Tier 1"))["msdyn_priority"] == 10


def test_an_endless_plan_file_is_refused_before_it_is_read(saved: Workspace) -> None:
    result = saved.smsconf("apply", "--plan", "/dev/zero", "--auto-approve")
    assert result.exit_code == ExitCode.PLAN_FILE_INVALID, result.output
    assert result.stderr == "error: plan file /dev/zero: is not a regular file; nothing written\n"


# --- credentials and secrets -----------------------------------------------------------------

WRONG_KEY = "d3Jvbmcta2V5LW9mLXRoZS1yaWdodC1zaGFwZQ=="


def test_wrong_api_key_fails_plan_and_refuses_apply(ws: Workspace) -> None:
    env = {"CONTOSO_TELESIGN_API_KEY": WRONG_KEY}
    planned = ws.plan(env=env)
    assert planned.exit_code == ExitCode.CREDENTIALS, planned.output
    assert "credentials of account 'contoso-telesign'" in planned.stdout
    refused = ws.apply(env=env)
    assert refused.exit_code == ExitCode.CREDENTIALS
    assert "Apply refused" in refused.stderr
    assert ws.rows("msdyn_liveworkstream") == []


def test_rotated_key_plans_as_a_fingerprint_change_and_applies(applied: Workspace) -> None:
    """A new key is a change you can review without seeing it: the account's secret shows as
    (sensitive) (changed), flagged as a credential change; once applied, it plans to zero."""
    ws = applied
    env = {"CONTOSO_TELESIGN_API_KEY": WRONG_KEY}
    planned = ws.plan("--skip-credentials", "--detailed-exitcode", env=env)
    assert planned.exit_code == ExitCode.CHANGES, planned.output
    assert "accounts[contoso-telesign].api_key: (sensitive) (changed)" in planned.stdout
    assert "! credential change" in planned.stdout
    assert "update API key fingerprint of account 'contoso-telesign'" in planned.stdout
    assert "Plan: 2 to update." in planned.stdout  # the fingerprint row and the secret
    refused = ws.apply(env=env)  # the new key does not work at Telesign
    assert refused.exit_code == ExitCode.CREDENTIALS
    forced = ws.apply("--ignore-credentials", env=env)
    assert forced.exit_code == ExitCode.OK, forced.output
    assert WRONG_KEY not in forced.output
    again = ws.plan("--skip-credentials", "--detailed-exitcode", env=env)
    assert again.exit_code == ExitCode.OK, again.output


def secret_forms(key: str) -> list[str]:
    """The ways a leaked key could show up: itself, decoded, re-encoded, in a Basic header."""
    import base64

    raw = base64.b64decode(key)
    return [
        key,
        raw.decode(),
        base64.b64encode(key.encode()).decode(),
        base64.b64encode(f"DEMO-CUSTOMER-0001:{key}".encode()).decode(),
    ]


def test_api_key_is_in_no_output_plan_journal_or_rendering(ws: Workspace) -> None:
    """The key reaches Telesign and msdyn_securesecret, and nowhere a person or CI log sees."""
    env = {"CONTOSO_TELESIGN_API_KEY": CONTOSO_DEMO_KEY}
    ws.edit("${env:CONTOSO_TELESIGN_API_KEY:-", "${env:CONTOSO_TELESIGN_API_KEY:-unused")
    seen = []
    for fmt in sorted(RENDERERS):
        result = ws.plan("--format", fmt, "--out", f"plan-{fmt}.out", "--check-numbers", env=env)
        assert result.exit_code == 0, result.output
        seen += [result.stdout, result.stderr, (ws.root / f"plan-{fmt}.out").read_text()]
    result = ws.apply("--verbose", env=env)
    assert result.exit_code == 0, result.output
    seen += [result.stdout, result.stderr]
    seen += [p.read_text() for p in (ws.home / "journal").glob("*.jsonl")]
    result = ws.smsconf("callback-urls", "examples/", env=env)
    seen += [result.stdout, result.stderr]
    assert "callback URL" in result.stdout
    for form in secret_forms(CONTOSO_DEMO_KEY):
        assert not [text for text in seen if form in text], form
    # and the key did go where it belongs (not readable back, so compare inside the store)
    assert CONTOSO_DEMO_KEY.encode() in (ws.home / LOCAL_DB).read_bytes()


# --- a real process, a real socket ------------------------------------------------------------


def test_real_process_exit_codes(ws: Workspace) -> None:
    """The installed script, as a shell or CI runner sees it: exit codes and streams."""
    smsconf = Path(sys.executable).with_name("smsconf")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SMSCONF_", "CONTOSO_", "FABRIKAM_"))
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(smsconf), *args], cwd=ws.root, env=env, capture_output=True, text=True, timeout=60
        )

    applied = run("apply", "examples/", "--auto-approve")
    assert applied.returncode == ExitCode.OK, applied.stderr
    again = run("plan", "examples/", "--detailed-exitcode")
    assert again.returncode == ExitCode.OK, again.stderr
    assert "No changes" in again.stdout
    assert again.stderr == ""


@pytest.mark.parametrize("given", ["{url}", "{url}/api/data/v9.2/"], ids=["org", "web-api-root"])
def test_url_target_over_a_socket_sees_what_local_applied(applied: Workspace, given: str) -> None:
    """The same organisation served by the emulator over HTTP: a URL target (the code path of
    a real org, bearer token and all) plans to zero against what the local target wrote. The
    Web API root that `emulator serve` prints names the same organisation."""
    app = create_app(applied.home / LOCAL_DB)
    try:
        with served(app) as url:
            result = applied.plan(
                "--target",
                given.format(url=url),
                "--skip-credentials",
                "--detailed-exitcode",
                env={"SMSCONF_TOKEN": "socket-test"},
            )
    finally:
        app.close()
    assert result.exit_code == ExitCode.OK, result.output
    assert f"smsconf plan for {url}" in result.stdout
    assert "No changes" in result.stdout


def test_an_unreachable_organisation_is_named_with_what_to_check(applied: Workspace) -> None:
    """A URL nothing listens on: two connection attempts, then one line with the URL."""
    with served(create_app()) as url:
        pass  # stopped: the port refuses connections now
    allowed = ("--allow-host", url)  # as the workflow would: what is tested is the refusal
    result = applied.plan(
        "--target", url, *allowed, "--skip-credentials", env={"SMSCONF_TOKEN": "t"}
    )
    assert result.exit_code == ExitCode.ERROR
    (line,) = result.stderr.splitlines()
    assert f"cannot reach the organisation at {url} (ConnectError" in line
    assert "2 attempt(s)" in line and "check the URL" in line


def test_the_local_organisation_asks_nobody_to_email_telesign(ws: Workspace) -> None:
    """The demo organisation's Telesign is emulated: no support request after its apply; the
    request itself (callback-urls) names the configuration's Customer IDs."""
    applied = ws.apply()
    assert applied.exit_code == ExitCode.OK, applied.output
    assert "support@telesign.com" not in applied.output
    urls = ws.smsconf("callback-urls", "examples/")
    assert urls.exit_code == ExitCode.OK, urls.output
    assert "Customer ID DEMO-CUSTOMER-0001." in urls.stdout and "unknown" not in urls.stdout


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("Contoso knowledge assistant", "application user"),
        ("SMS satisfaction survey", "Customer Voice"),
    ],
)
def test_a_missing_bot_or_survey_is_not_told_to_be_managed(
    ws: Workspace, name: str, says: str
) -> None:
    """Bots and surveys have no `managed:` key: the hint says where they come from instead."""
    ws.config.write_text(ws.config.read_text(encoding="utf-8").replace(name, "Nobody by that name"))
    result = ws.plan()
    assert result.exit_code == ExitCode.INVALID_CONFIG
    assert "'Nobody by that name' was not found in the organisation" in result.stderr
    assert says in result.stderr and "managed" not in result.stderr
