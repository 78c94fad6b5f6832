"""The benchmark's generator and measurement at N=3 without latency, run in this process.

Behaviour only, never wall-clock time: every step talks to the server, the server saw exactly
what the client counted, a plan after apply is empty, the 1% change is exactly the edited
fields, and the per-record baseline needs more requests than smsconf for the same work.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from benchkit.orggen import (
    CHANGED_FIELDS_PER_WORKSTREAM,
    acs_resources,
    changed_indexes,
    number_of,
    provider_of,
    telesign_accounts,
    twilio_accounts,
    write_org,
)
from benchkit.report import exponent, table, tail_exponent, verdicts
from benchkit.runner import READ_ONLY_STEPS, SizeResult, in_process, run_size

N = 3
REPEAT = 3  # runs of each read-only step: fewer than the default, the same median logic
BENCH = Path(__file__).parents[2] / "bench"
EXAMPLES = Path(__file__).parents[2] / "examples"


@pytest.fixture(scope="module")
def size() -> SizeResult:
    return run_size(N, 0, log=lambda _: None, launch=in_process, repeat=REPEAT)


def test_every_network_step_is_counted_by_client_and_server_alike(size: SizeResult) -> None:
    for scenario, pair in size.rows.items():
        for measured in filter(None, pair):
            if measured.step == "validate":
                assert measured.server_requests is None
                continue
            assert measured.requests > 0, scenario
            uncounted = measured.result["uncounted_requests"]
            assert measured.server_requests == measured.requests + uncounted, scenario


def test_states_follow_the_scenarios(size: SizeResult) -> None:
    rows = {scenario: ours.result for scenario, (ours, _) in size.rows.items()}
    assert rows["validate"]["workstreams"] == N
    created = rows["plan from empty"]["changes"]
    assert created.get("create", 0) > 0 and set(created) <= {"create", "associate", "update"}
    assert rows["apply from empty"]["done"] == sum(created.values())
    # The only updates from empty are the Twilio numbers' inbound URLs, one per Twilio number.
    twilio_numbers = sum(len(a.numbers) for a in twilio_accounts(N))
    assert twilio_numbers > 0 and created.get("update") == twilio_numbers
    assert rows["apply from empty"]["done_twilio"] == twilio_numbers
    # ... and the ACS resource's Event Grid system topic and subscription (event_grid: managed).
    assert rows["apply from empty"]["done_event_grid"] == 2
    assert rows["plan, no changes"]["changes"] == {}
    edited = len(changed_indexes(N)) * CHANGED_FIELDS_PER_WORKSTREAM
    assert rows["plan, 1% changed"]["changes"] == {"update": edited}
    assert rows["apply of the change"]["done"] == edited
    assert rows["export"]["files"] > 0


def test_providers_are_mixed_and_twilio_is_asked_over_the_wire(size: SizeResult) -> None:
    """Telesign and Twilio accounts at every size; each plan checks the Twilio account and its
    numbers against the served Twilio emulator, and only the applies from empty write there."""
    assert telesign_accounts(N) and twilio_accounts(N)
    numbers = sum(len(a.numbers) for a in twilio_accounts(N))
    ours = {scenario: pair[0] for scenario, pair in size.rows.items()}
    assert ours["validate"].twilio_requests == 0
    for scenario in ("plan from empty", "plan, no changes", "plan, 1% changed"):
        # the account, its Messaging Services and one look-up per number, at least
        assert ours[scenario].twilio_requests >= 2 + numbers, scenario
    # apply = its plan's checks, then per number one read and one update
    assert ours["apply from empty"].twilio_requests >= ours["plan from empty"].twilio_requests
    assert ours["export"].twilio_requests == 0


def test_acs_is_in_the_mix_and_asked_over_the_wire(size: SizeResult) -> None:
    """One ACS account at every size (the organisation's one connected resource), its numbers
    synced in the organisation: each plan checks the key and the numbers on the data plane and
    the Event Grid wiring on ARM; apply from empty creates the wiring, so a plan after it
    finds every ACS number consistent and nothing left for a person to do."""
    (resource,) = acs_resources(N)
    numbers = [p.phone_number for p in resource.numbers]
    assert numbers and numbers == [
        "+" + number_of(i) for i in range(N) if provider_of(N, i) == "acs"
    ]
    ours = {scenario: pair[0] for scenario, pair in size.rows.items()}
    assert (ours["validate"].acs_requests, ours["validate"].arm_requests) == (0, 0)
    for scenario in ("plan from empty", "plan, no changes", "plan, 1% changed"):
        assert ours[scenario].acs_requests >= 1, scenario  # the key check, the numbers
        assert ours[scenario].arm_requests >= 2, scenario  # the resource, its system topic
        assert ours[scenario].result["acs_numbers"] == {"consistent": len(numbers)}, scenario
    for scenario in ("plan, no changes", "plan, 1% changed"):
        assert "todo" not in ours[scenario].result["notes"], scenario
    assert ours["apply from empty"].arm_requests > ours["plan from empty"].arm_requests
    assert (ours["export"].acs_requests, ours["export"].arm_requests) == (0, 0)


def test_generated_config_mixes_the_three_providers(tmp_path: Path) -> None:
    org = write_org(tmp_path, N, "http://t.test", "http://tw.test", "http://acs.test")
    shared = yaml.safe_load((tmp_path / "shared.yaml").read_text(encoding="utf-8"))
    providers = [a["provider"] for a in shared["accounts"]]
    assert sorted(providers) == ["acs", "telesign", "twilio"]
    acs = next(a for a in shared["accounts"] if a["provider"] == "acs")
    assert acs["event_grid"]["mode"] == "managed" and acs["resource_id"]
    assert [n["number"] for n in acs["numbers"]] == [
        p.phone_number for r in org.acs_resources for p in r.numbers
    ]
    workstreams = yaml.safe_load((tmp_path / "workstreams-00000.yaml").read_text(encoding="utf-8"))[
        "workstreams"
    ]
    for i, ws in enumerate(workstreams):
        if provider_of(N, i) == "acs":  # E.164 with the +, and no attachments (D-ACS)
            assert ws["sms"]["number"].startswith("+") and "file_attachments" not in ws["sms"]
        else:
            assert ws["sms"]["number"].isdigit() and "file_attachments" in ws["sms"]
    with pytest.raises(ValueError, match="ACS"):
        write_org(tmp_path, N, "http://t.test", "http://tw.test")


def test_baseline_moves_the_same_rows_with_more_requests(size: SizeResult) -> None:
    for scenario, (ours, theirs) in size.rows.items():
        if theirs is None:
            continue
        assert theirs.requests > ours.requests, scenario
    applied = size.rows["apply from empty"]
    assert applied[1] is not None
    assert applied[1].result["done"] == applied[0].result["done_dataverse"]
    refreshed = size.rows["plan, no changes"][1]
    assert refreshed is not None and refreshed.result["found"] == refreshed.result["rows"]


def test_report_renders_and_judges_what_a_small_run_can(size: SizeResult) -> None:
    shown = table([size])
    assert all(scenario in shown for scenario in size.rows)
    judged = verdicts([size])
    assert [v.name for v in judged] == ["peak RSS of every command under 250 MB"]


def test_exponent_is_the_log_log_slope() -> None:
    assert exponent([(10, 20.0), (100, 200.0), (1000, 2000.0)]) == pytest.approx(1.0)
    assert exponent([(10, 5.0), (1000, 5.0)]) == pytest.approx(0.0)
    assert exponent([(10, 5.0)]) is None


def test_tail_exponent_sees_a_quadratic_step_that_fixed_costs_hide() -> None:
    """Start-up dominates small sizes: the fit over all three looks linear, the top two not."""
    points = [(10, 0.6), (100, 0.6), (1000, 10.3)]
    assert exponent(points) < 1.1 < tail_exponent(points)  # type: ignore[operator]
    assert tail_exponent([(1000, 20.0), (10, 1.0), (100, 2.0)]) == pytest.approx(1.0)
    assert tail_exponent([(10, 5.0)]) is None


def test_every_step_name_has_its_step() -> None:
    from benchkit.network import NETWORK_STEPS
    from benchkit.steps import NETWORK_STEP_NAMES

    assert tuple(NETWORK_STEPS) == NETWORK_STEP_NAMES


def test_validate_step_loads_what_the_validate_command_loads(tmp_path: Path) -> None:
    """Measured in its own process, validate must not pay for the HTTP stack or the reconciler
    that `smsconf validate` never imports."""
    probe = (
        "import sys; from benchkit.steps import run_step; "
        f"run_step('validate', '', [{str(EXAMPLES)!r}]); "
        "print(sorted(m for m in ('httpx', 'smsconf.reconcile.manager', 'smsconf.render') "
        "if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, "PYTHONPATH": str(BENCH)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "[]"


def test_read_only_steps_are_repeated_and_the_median_run_reported(size: SizeResult) -> None:
    for scenario, (ours, _) in size.rows.items():
        if ours.step in READ_ONLY_STEPS:
            assert len(ours.samples) == REPEAT, scenario
            assert ours.process_seconds == sorted(ours.samples)[REPEAT // 2]
            assert ours.least_seconds <= ours.seconds  # exponents fit the fastest run
        else:  # an apply changes the organisation: once only
            assert ours.samples == (ours.process_seconds,), scenario
            assert ours.least_seconds == ours.seconds
