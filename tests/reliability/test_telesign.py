"""Telesign credential failures: each kind is its own result in the plan, and exit 4.

Wrong key, a suspended customer, SMS switched off for the customer, throttling and an outage
of the (served) Telesign emulator must each be told apart in the plan, so an operator knows
whether to rotate a key, call Telesign, or just retry; and apply must refuse to write while an
account's credentials fail, unless told `--ignore-credentials`.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

import pytest
from tests.reliability.conftest import ServeOrg

from smsconf.emulator.telesign import DEMO_ACCOUNTS, EmulatedAccount, Faults
from smsconf.exitcodes import ExitCode

OTHER_VALID_KEY = base64.b64encode(b"a perfectly valid key of someone else").decode()


@dataclass(frozen=True)
class Case:
    accounts: tuple[EmulatedAccount, ...] = DEMO_ACCOUNTS
    faults: Faults | None = None
    env: tuple[tuple[str, str], ...] = ()
    status: str = ""
    detail: str = ""
    """A fragment of the detail that tells this case from the others with the same status."""


def contoso(**changes: object) -> tuple[EmulatedAccount, ...]:
    first, *rest = DEMO_ACCOUNTS
    return (first.model_copy(update=changes), *rest)


CASES = {
    "wrong key": Case(
        env=(("CONTOSO_TELESIGN_API_KEY", OTHER_VALID_KEY),),
        status="invalid_credentials",
        detail="code 10008",
    ),
    "suspended account": Case(
        accounts=contoso(suspended=True), status="account_disabled", detail="Suspended"
    ),
    "sms disabled": Case(
        accounts=contoso(sms_enabled=False), status="product_not_enabled", detail="10011"
    ),
    "throttled": Case(faults=Faults(throttle=1.0), status="throttled", detail="429"),
    "outage": Case(faults=Faults(outage=1.0), status="unavailable", detail="503"),
}


def test_cases_are_distinct_results() -> None:
    """The table below is the contract: no two failure kinds share status and detail."""
    assert len({(c.status, c.detail) for c in CASES.values()}) == len(CASES)


@pytest.mark.parametrize("name", CASES)
def test_credential_failure_is_named_and_blocks_apply(name: str, serve_org: ServeOrg) -> None:
    """Plan names the failure (exit 4); applying that plan writes nothing (exit 4) unless
    `--ignore-credentials`. The saved plan carries the verdicts, so Telesign is asked once (its
    client backs off for seconds when throttled or down)."""
    case = CASES[name]
    org = serve_org(case.accounts, case.faults)
    env = dict(case.env)

    planned = org.plan("--format", "json", "--out", "plan.json", env=env)
    assert planned.exit_code == ExitCode.CREDENTIALS, planned.output
    credentials = {c["account"]: c for c in json.loads(planned.stdout)["credentials"]}
    contoso_result = credentials["contoso-telesign"]
    assert contoso_result["status"] == case.status, contoso_result
    assert case.detail in contoso_result["detail"], contoso_result
    if not case.faults:  # an account-specific failure leaves the other account alone
        assert credentials["fabrikam-telesign"]["status"] == "ok"

    refused = org.apply("--plan", "plan.json", env=env)
    assert refused.exit_code == ExitCode.CREDENTIALS, refused.output
    assert "Apply refused" in refused.stderr
    assert org.rows("msdyn_liveworkstream", msdyn_name="SMS Support") == []

    forced = org.apply("--plan", "plan.json", "--ignore-credentials", env=env)
    assert forced.exit_code == ExitCode.OK, forced.output
    assert len(org.rows("msdyn_liveworkstream", msdyn_name="SMS Support")) == 1


def test_apply_checks_credentials_itself(serve_org: ServeOrg) -> None:
    """Without a saved plan, apply runs the check itself and refuses on its own verdict."""
    org = serve_org(contoso(suspended=True))
    refused = org.apply()
    assert refused.exit_code == ExitCode.CREDENTIALS, refused.output
    assert "account_disabled" in refused.stdout
    assert org.rows("msdyn_liveworkstream", msdyn_name="SMS Support") == []
