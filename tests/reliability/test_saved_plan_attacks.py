"""A saved plan is an assertion, not an instruction: every forgery of tests/reliability/
redteam.py (bodies, ETags, ids, injected deletes, cleared verdicts, widened allowances, secret
columns, order, links, the create race) is refused through the CLI, names what differs, and
writes nothing; the honest plan of each scenario still applies."""

from __future__ import annotations

from pathlib import Path

import pytest
from tools.testkit.redteam import (
    ATTACKS,
    NUMBER,
    NUMBER_ADDRESS,
    PLAN,
    SCENARIOS,
    TIER1,
    Attack,
    clone,
    org_versions,
    play,
    prepare,
)
from tools.testkit.workspace import Workspace, duplicates

from smsconf.exitcodes import ExitCode


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory, applied_db: Path) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("redteam")
    return {name: prepare(root / name, applied_db, name) for name in SCENARIOS}


@pytest.fixture
def scenario(prepared: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> object:
    return lambda name: clone(prepared[name], tmp_path, monkeypatch)


def test_the_family_is_the_issues_and_more() -> None:
    assert len(ATTACKS) >= 27
    assert len({a.name for a in ATTACKS}) == len(ATTACKS)


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_forged_plan_is_refused_naming_what_differs(scenario: object, attack: Attack) -> None:
    ws: Workspace = scenario(attack.scenario)  # type: ignore[operator]
    outcome = play(ws, attack)
    assert outcome.problems == [], outcome.stderr
    assert "nothing written" in outcome.stderr or outcome.exit_code == ExitCode.UNSAFE_PLAN


def test_the_create_race_leaves_one_queue(scenario: object) -> None:
    """The admin's queue stays the only one of its name; re-planning adopts it."""
    (create_race,) = [a for a in ATTACKS if a.name == "create-race"]
    ws: Workspace = scenario("create")  # type: ignore[operator]
    assert play(ws, create_race).problems == []
    assert len(ws.rows("queue", name=TIER1)) == 1
    again = ws.apply()
    assert again.exit_code == ExitCode.OK, again.output
    assert len(ws.rows("queue", name=TIER1)) == 1
    assert duplicates(ws.key_counts()) == []


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_honest_plan_applies_without_paths(scenario: object, name: str) -> None:
    """`apply --plan FILE` needs no PATHS: the plan's own are planned again (the delete one is
    unsafe as saved, so it is refused as unsafe, not as stale)."""
    ws: Workspace = scenario(name)  # type: ignore[operator]
    result = ws.smsconf("apply", "--plan", PLAN, "--auto-approve")
    assert result.exit_code == SCENARIOS[name][2], result.output
    assert "Configuration: examples/ (from the plan)" in result.stderr


def test_a_delete_allowed_when_planned_applies_where_the_workflow_agrees(
    scenario: object,
) -> None:
    """The delete path: plan with the allowance, apply the saved plan with no flags, the
    workflow's $SMSCONF_ALLOW_DELETES saying the same. Unattended, the file's word alone is
    not enough; a different workflow allowance is a named difference."""
    ws: Workspace = scenario("delete")  # type: ignore[operator]
    planned = ws.plan("--allow-delete", NUMBER_ADDRESS, "--out", PLAN)
    assert planned.exit_code == ExitCode.OK, planned.output
    assert f"Deletes allowed: {NUMBER_ADDRESS}" in planned.stdout
    before = org_versions(ws)
    assert len(ws.rows("msdyn_ocphonenumber", msdyn_phonenumber=NUMBER)) == 1

    alone = ws.smsconf("apply", "--plan", PLAN, "--auto-approve")
    assert alone.exit_code == ExitCode.UNSAFE_PLAN, alone.output
    assert "come from the plan file alone" in alone.stderr
    other = ws.smsconf(
        "apply", "--plan", PLAN, "--auto-approve", env={"SMSCONF_ALLOW_DELETES": "all"}
    )
    assert other.exit_code == ExitCode.STALE_PLAN, other.output
    assert "plan: allowed_deletes.all is false in the saved plan, true in a fresh plan" in (
        other.stderr
    )
    assert org_versions(ws) == before

    agreed = ws.smsconf(
        "apply", "--plan", PLAN, "--auto-approve", env={"SMSCONF_ALLOW_DELETES": NUMBER_ADDRESS}
    )
    assert agreed.exit_code == ExitCode.OK, agreed.output
    assert ws.rows("msdyn_ocphonenumber", msdyn_phonenumber=NUMBER) == []
