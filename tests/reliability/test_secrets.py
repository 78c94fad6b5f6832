"""Secrets never leave the process: no Telesign API key, Azure secret or bearer token in any
output, log, saved plan, journal or export, in clear or in base64.

The whole user journey (tests/reliability/secrets_journey.py) runs against an org served over
loopback with known, random secrets in the environment; then every captured stream and every
file the runs left behind (except the organisation's own database) is scanned.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from tests.reliability.conftest import ServeOrg
from tools.testkit.secrets_journey import (
    LOG_NAME,
    SECRETS,
    keyed_accounts,
    leaks,
    left_behind,
    logged_journey,
    scan,
    with_broken_key,
)
from tools.testkit.served import ServedOrg

from smsconf.emulator.telesign import DEMO_ACCOUNTS
from smsconf.exitcodes import ExitCode


def test_scanner_finds_every_form() -> None:
    """The scanner itself: each secret is found in clear, in base64 and in a Basic header."""
    for secret in SECRETS:
        for text in (
            f"key={secret}\n",
            base64.b64encode(secret.encode()).decode(),
            "Authorization: Basic "
            + base64.b64encode(f"{DEMO_ACCOUNTS[1].customer_id}:{secret}".encode()).decode(),
        ):
            assert leaks(text), text
    assert leaks("nothing secret here, DEMO-CUSTOMER-0001") == []


@pytest.fixture
def org(serve_org: ServeOrg) -> ServedOrg:
    """The example against a served org and a Telesign that knows this run's random keys."""
    return serve_org(keyed_accounts())


def test_no_secret_in_any_output_or_file(org: ServedOrg, tmp_path: Path) -> None:
    steps = logged_journey(org)
    assert [(s.args, s.result.output) for s in steps if not s.as_expected] == []
    rotation = next(s for s in steps if "rotated.json" in s.args and s.args.startswith("plan"))
    assert "msdyn_occommunicationprovidersetting" in rotation.result.stdout  # shown, by print
    files = left_behind(org)
    names = {p.name for p in files}
    assert {"plan.json", "rotated.json", LOG_NAME} <= names, names
    assert list((org.ws.home / "journal").glob("*.jsonl")), "apply wrote no journal"
    assert list((org.ws.root / "exported").glob("*.yaml")), "export wrote nothing"
    assert scan(steps, files) == []


def test_broken_secret_is_reported_by_account_never_by_value(org: ServedOrg) -> None:
    """A key that is not even base64 fails by the account's name; its value is never shown."""
    steps = with_broken_key(org, "json", "markdown")
    for step in steps:
        assert step.result.exit_code == ExitCode.CREDENTIALS, (step.args, step.result.output)
        assert "contoso-telesign" in step.result.output, (step.args, step.result.output)
    assert scan(steps, []) == []
    assert org.rows("msdyn_liveworkstream", msdyn_name="SMS Support") == []
