"""`smsconf route`: where a text goes, from the example configuration and from the organisation.

Driven through the CLI on examples/ so the evaluator, the case file and the exit code are held
to what a repository's CI would run.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import get_args

import pytest
from click.testing import CliRunner
from tools.testkit.workspace import Workspace

from smsconf.cli import main
from smsconf.config.loader import load
from smsconf.config.model import Condition
from smsconf.config.vocabulary import RuleOperator
from smsconf.exitcodes import ExitCode
from smsconf.platform.vocabulary import WEEKDAY
from smsconf.routing import cases
from smsconf.routing.sources import from_config

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SATURDAY = "2026-12-05T19:00"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def route(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["route", "examples/", *args])
    return result.exit_code, result.output


def test_a_gold_account_goes_to_the_vip_queue(workdir: Path) -> None:
    code, out = route("--to", "14255550100", "--set", "account.msdyn_tier=Gold", "--at", SATURDAY)
    assert code == ExitCode.OK, out
    assert "rule 'VIP accounts' match" in out.replace("matched", "match")
    assert "SMS Support VIP" in out


def test_nothing_matching_falls_back(workdir: Path) -> None:
    code, out = route("--to", "14255550100", "--at", SATURDAY, "--format", "json")
    assert code == ExitCode.OK, out
    assert "SMS Support Tier 1" in json.dumps(json.loads(out))


def test_the_evaluator_reads_the_organisations_rulesets_alike(workdir: Path) -> None:
    applied = CliRunner().invoke(main, ["apply", "--auto-approve", "examples/"])
    assert applied.exit_code == ExitCode.OK, applied.output
    args = ("--to", "14255550100", "--set", "account.msdyn_tier=Gold", "--at", SATURDAY)
    code, from_yaml = route(*args, "--format", "json")
    live_code, from_org = route(*args, "--live", "--format", "json")
    assert (code, live_code) == (ExitCode.OK, ExitCode.OK), from_org
    assert _queues(json.loads(from_yaml)) == _queues(json.loads(from_org))


def _queues(document: object) -> list[str]:
    text = json.dumps(document)
    return sorted(q for q in ("SMS Support VIP", "SMS Support Tier 1") if q in text)


def gold_case(workdir: Path, name: str, queue: str) -> tuple[int, str]:
    """`route --cases` with one case: a Gold account on Saturday evening, expecting `queue`."""
    (workdir / "cases.yaml").write_text(
        "cases:\n"
        f"  - name: {name}\n"
        '    to: "14255550100"\n'
        f'    at: "{SATURDAY}"\n'
        "    set: {account.msdyn_tier: Gold}\n"
        "    expect:\n"
        f"      queue: {queue}\n",
        encoding="utf-8",
    )
    return route("--cases", "cases.yaml")


def test_a_failing_case_fails_the_command_with_its_route(workdir: Path) -> None:
    code, out = gold_case(workdir, "Gold goes to tier 1 (wrong on purpose)", "SMS Support Tier 1")
    assert code == ExitCode.ROUTE_CASES_FAILED, out
    assert "Gold goes to tier 1" in out


def test_a_passing_case_passes(workdir: Path) -> None:
    code, out = gold_case(workdir, "Gold goes to VIP", "SMS Support VIP")
    assert code == ExitCode.OK, out


def test_a_malformed_case_file_is_located(workdir: Path) -> None:
    (workdir / "cases.yaml").write_text("cases:\n  - name: x\n    expekt: {}\n", encoding="utf-8")
    code, out = route("--cases", "cases.yaml")
    assert code not in (ExitCode.OK, ExitCode.CHANGES, ExitCode.ERROR), out
    assert "cases.yaml:3:5" in out


def test_the_examples_route_cases_pass(workdir: Path) -> None:
    code, out = route("--cases", "examples/routing-cases.yaml")
    assert code == ExitCode.OK, out
    assert "11 of 11 case(s) passed" in out


def _kinds(conditions: list[Condition]) -> set[str]:
    kinds: set[str] = set()
    for c in conditions:
        if c.attribute is not None:
            kinds.add(c.op)
        else:
            kinds.add("all" if c.all is not None else "any")
            kinds |= _kinds(c.all or c.any or [])
    return kinds


def test_the_examples_cases_cover_every_condition_kind_every_rule_a_split_and_the_fallback() -> (
    None
):
    """The example's rules use every operator and both groups, and every rule is the one that
    decides some case: a rule the cases never reach would be a rule nobody checks."""
    config = load([str(EXAMPLES)]).config
    routings = from_config(config)
    rules = [r for w in routings for rs in w.classification for r in rs.rules]
    rules += [r for w in routings for r in w.route_to_queue]
    assert set().union(*(_kinds(list(r.when)) for r in rules)) == {
        *get_args(RuleOperator),
        "all",
        "any",
    }
    results = cases.run(routings, cases.load(EXAMPLES / "routing-cases.yaml"))
    assert all(r.passed for r in results), cases.report(results)
    outcomes = [r.outcome for r in results if r.outcome is not None]
    decided = {c.applied.rule.name for o in outcomes for c in o.classification if c.applied}
    decided |= {o.applied.result.rule.name for o in outcomes if o.applied}
    assert decided == {r.name for r in rules}
    assert any(o.split for o in outcomes) and any(o.fallback for o in outcomes)
    assert any(o.channel_open for o in outcomes if o.channel_hours is None)


def test_the_example_cases_hold_on_the_organisation_where_hours_act(applied: Workspace) -> None:
    """`--live` reads the organisation's schedules, which the configuration only names: with
    Business hours set to weekdays 08:00-18:00 the cases still hold, and on a Saturday the
    channel is closed (the outside-hours message goes out) and tier 1 overflows."""
    shutil.copy(EXAMPLES / "routing-cases.yaml", applied.root)  # beside the configuration
    (hours,) = applied.rows("msdyn_operatinghour", msdyn_name="Business hours")
    weekdays = ",".join(str(WEEKDAY[d]) for d in ("mon", "tue", "wed", "thu", "fri"))
    schedule = {"msdyn_oc_daysofweek": weekdays, "msdyn_enablealldays": False}
    times = {"msdyn_starttimestring": "08:00", "msdyn_endtimestring": "18:00"}
    applied.update("msdyn_operatinghour", hours["msdyn_operatinghourid"], schedule | times)
    cases_run = applied.smsconf("route", "examples/", "--live", "--cases", "routing-cases.yaml")
    assert cases_run.exit_code == ExitCode.OK, cases_run.output
    assert "11 of 11 case(s) passed" in cases_run.output
    spanish = ("--set", "sms.locale=es-ES", "--set", "contact.mobilephone=+14255550123")
    for at, state in ((SATURDAY, "closed"), ("2026-12-07T10:30", "open")):
        result = applied.smsconf(
            "route", "examples/", "--live", "--to", "14255550100", "--at", at, *spanish
        )
        assert result.exit_code == ExitCode.OK, result.output
        assert f"channel hours 'Business hours' (mon,tue,wed,thu,fri 08:00-18:00): {state}" in (
            result.output
        )
        assert "queue SMS Support Tier 1" in result.output
    assert "the customer gets the outside_operating_hours message" in _saturday(applied, spanish)
    assert "every matched queue is closed" in _saturday(applied, spanish)


def _saturday(ws: Workspace, values: tuple[str, ...]) -> str:
    return ws.smsconf(
        "route", "examples/", "--live", "--to", "14255550100", "--at", SATURDAY, *values
    ).output
