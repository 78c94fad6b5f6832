"""`--only ADDRESS` on plan and apply (Terraform's -target): the change named, the changes it
needs (each said so), nothing else; a misspelt address is a usage error with a did-you-mean;
a saved plan records its addresses and `apply --plan` plans again with them."""

from __future__ import annotations

import json

from tools.testkit.workspace import Workspace, ws

from smsconf.exitcodes import ExitCode

__all__ = ["ws"]  # the fixture, used by name
VIP = "queue[SMS Support VIP]"
SUPPORT = "workstream[SMS Support]"


def targeted(ws: Workspace, *args: str) -> dict:
    result = ws.plan("--format", "json", "--skip-credentials", *args)
    assert result.exit_code == ExitCode.OK, result.output
    return json.loads(result.stdout)


def test_only_plans_the_change_named_and_says_what_is_left_out(ws: Workspace) -> None:
    whole = targeted(ws)
    plan = targeted(ws, "--only", VIP)
    assert [c["address"] for c in plan["resource_changes"]] == [VIP]
    assert plan["only"] == [VIP] and whole["only"] == []
    left_out = len(whole["resource_changes"]) - 1
    assert {
        "level": "warning",
        "subject": "--only",
        "text": f"a targeted plan ({VIP}): {left_out} other change(s) of the configuration are "
        "left out; plan without --only to see them",
    } in plan["notes"]


def test_the_changes_a_target_needs_are_included_and_said_so(ws: Workspace) -> None:
    plan = targeted(ws, "--only", SUPPORT)
    addresses = [c["address"] for c in plan["resource_changes"]]
    assert addresses == [
        "queue[SMS Support Tier 1]",  # its fallback queue, named in its body
        "routing_contract[SMS Support]",
        SUPPORT,
    ]
    facts = [n["text"] for n in plan["notes"] if n["subject"] == "--only" and n["level"] == "fact"]
    assert facts == [
        "queue 'SMS Support Tier 1' is included: workstream 'SMS Support' needs it",
        "routing contract of workstream 'SMS Support' is included: workstream 'SMS Support' "
        "needs it",
    ]
    assert [c["step"] for c in plan["resource_changes"]] == [1, 2, 3]


def test_an_address_naming_no_change_is_a_usage_error_with_a_did_you_mean(ws: Workspace) -> None:
    for command in (["plan"], ["apply", "--auto-approve"]):
        result = ws.smsconf(*command, "examples/", "--only", "queue[SMS Suport VIP]")
        assert result.exit_code == ExitCode.USAGE, result.output
        assert result.stdout == ""
        assert (
            "--only queue[SMS Suport VIP]: no change in this plan has that address; "
            "did you mean 'queue[SMS Support VIP]'?"
        ) in result.stderr
    assert ws.rows("queue", name="SMS Support VIP") == []


def test_apply_only_writes_the_target_and_the_rest_is_planned_after(ws: Workspace) -> None:
    applied = ws.apply("--only", SUPPORT)
    assert applied.exit_code == ExitCode.OK, applied.output
    assert "3 done" in applied.stdout
    assert ws.rows("queue", name="SMS Support Tier 1") and ws.rows(
        "msdyn_liveworkstream", msdyn_name="SMS Support"
    )
    assert ws.rows("queue", name="SMS Support VIP") == []
    rest = [c["address"] for c in targeted(ws)["resource_changes"]]
    assert SUPPORT not in rest and VIP in rest


def test_a_saved_plan_records_its_targets_and_apply_plans_again_with_them(ws: Workspace) -> None:
    saved = ws.root / "vip.json"
    assert ws.plan("--only", VIP, "--out", str(saved)).exit_code == ExitCode.OK
    assert json.loads(saved.read_text(encoding="utf-8"))["only"] == [VIP]
    again = ws.smsconf("apply", "--plan", str(saved), "--only", SUPPORT, "--auto-approve")
    assert again.exit_code == ExitCode.USAGE, again.output
    applied = ws.smsconf("apply", "--plan", str(saved), "--auto-approve")
    assert applied.exit_code == ExitCode.OK, applied.output
    assert "1 done" in applied.stdout
    assert ws.rows("queue", name="SMS Support VIP")
    assert ws.rows("queue", name="SMS Sales") == []
