"""The commands that cover Twilio: `check-credentials`, `callback-urls` and `test-sms`, run as a
user would, against the local organisation's Twilio or a served Twilio emulator."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from click.testing import CliRunner
from tests.twilio.local import CONFIG, NUMBER, TOKEN_VAR, twilio_workspace
from tools.testkit.allowance import allow
from tools.testkit.workspace import Workspace, ws

from smsconf.cli import main
from smsconf.emulator.serving import running
from smsconf.emulator.twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, create_app
from smsconf.exitcodes import ExitCode

__all__ = ["ws"]  # the fixture, used by name

HANDSET = "+14255550123"
WRONG = "not-the-auth-token"


def row(output: str, account: str) -> list[str]:
    """The cells of `account`'s row in check-credentials' table."""
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        if cells and cells[0] == account:
            return cells
    raise AssertionError(f"no row for {account} in\n{output}")


def test_check_credentials_checks_the_twilio_account(ws: Workspace) -> None:
    twilio_workspace(ws)
    good = ws.smsconf("check-credentials", "examples/")
    assert good.exit_code == ExitCode.OK, good.output
    assert row(good.output, "contoso-twilio")[:4] == [
        "contoso-twilio",
        "twilio",
        DEMO_ACCOUNT_SID,
        "ok",
    ]
    bad = ws.smsconf("check-credentials", "examples/", env={TOKEN_VAR: WRONG})
    assert bad.exit_code == ExitCode.CREDENTIALS, bad.output
    assert row(bad.output, "contoso-twilio")[3] == "invalid_credentials"
    assert "20003" in bad.output and WRONG not in bad.output


def test_check_credentials_mixes_providers_in_configuration_order(ws: Workspace) -> None:
    """The example: its two Telesign accounts and its Twilio account, one row each."""
    result = ws.smsconf("check-credentials", "examples/")
    assert result.exit_code == ExitCode.OK, result.output
    rows = [row(result.output, name)[:2] for name in ("contoso-telesign", "contoso-twilio")]
    assert rows == [["contoso-telesign", "telesign"], ["contoso-twilio", "twilio"]]


def test_callback_urls_says_whether_each_twilio_number_has_the_orgs_url(ws: Workspace) -> None:
    twilio_workspace(ws)
    before = ws.smsconf("callback-urls", "examples/")
    assert before.exit_code == ExitCode.CHANGES, before.output
    org = ws.plan("--format", "json").stdout.split('"org_id": "')[1].split('"')[0]
    expected = f"http://local.smsconf/twilio/incoming?orgId={org}"
    assert f"Twilio number {NUMBER} of 'contoso-twilio': must be {expected}" in before.output
    assert "not set: in effect (none) (the number's own SmsUrl)" in before.output
    assert ws.apply().exit_code == ExitCode.OK
    after = ws.smsconf("callback-urls", "examples/")
    assert after.exit_code == ExitCode.OK, after.output
    assert f"Twilio number {NUMBER} of 'contoso-twilio': {expected}: set" in after.output
    refused = ws.smsconf("callback-urls", "examples/", env={TOKEN_VAR: WRONG})
    assert refused.exit_code == ExitCode.CREDENTIALS, refused.output


def test_callback_urls_reports_a_number_twilio_does_not_have(ws: Workspace) -> None:
    ws.config.write_text(CONFIG.replace(NUMBER, "14255550177"), encoding="utf-8")
    result = ws.smsconf("callback-urls", "examples/")
    assert result.exit_code == ExitCode.CHANGES, result.output
    assert "Twilio number 14255550177 of 'contoso-twilio': not in the Twilio account" in (
        result.output
    )


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with running(create_app()) as url:
        allow(monkeypatch, url)
        yield url


def send(served: str, *extra: str, token: str = DEMO_AUTH_TOKEN) -> tuple[int, str]:
    """`test-sms --provider twilio` against the served emulator (the token in a variable)."""
    args = [
        "test-sms",
        "--provider",
        "twilio",
        "--account-sid",
        DEMO_ACCOUNT_SID,
        "--auth-token-env",
        "TWILIO_TOKEN_FOR_TEST",
        "--from",
        NUMBER,
        "--to",
        HANDSET,
        "--endpoint",
        served,
        "--poll-interval",
        "0",
        *extra,
    ]
    result = CliRunner().invoke(main, args, env={"TWILIO_TOKEN_FOR_TEST": token})
    assert token not in result.output
    return result.exit_code, result.output


def test_test_sms_via_twilio_is_followed_to_delivered(served: str) -> None:
    code, output = send(served)
    assert code == ExitCode.OK, output
    assert output.splitlines()[:3] == ["queued", "sent", "delivered"]
    assert output.splitlines()[-1].endswith(": delivered")
    state = httpx.get(f"{served}/_emulator/state").json()
    (message,) = state[DEMO_ACCOUNT_SID]["messages"]
    assert (message["from_"], message["to"]) == ("+" + NUMBER, HANDSET)


def test_test_sms_with_a_wrong_token_exits_4(served: str) -> None:
    code, output = send(served, token=WRONG)
    assert code == ExitCode.CREDENTIALS, output
    assert "20003" in output


def test_test_sms_to_a_handset_that_texted_stop_fails_with_21610(served: str) -> None:
    stop = {"to": "+" + NUMBER, "from": HANDSET, "body": "STOP"}
    assert httpx.post(f"{served}/_emulator/inbound", json=stop).status_code == 202
    code, output = send(served)
    assert code == ExitCode.ERROR, output
    assert "21610" in output


def test_test_sms_via_twilio_needs_its_own_options() -> None:
    result = CliRunner().invoke(
        main, ["test-sms", "--provider", "twilio", "--customer-id", "C", "--from", "1", "--to", "2"]
    )
    assert result.exit_code == ExitCode.USAGE, result.output
    assert "--provider twilio needs --account-sid and --auth-token-env" in result.output
