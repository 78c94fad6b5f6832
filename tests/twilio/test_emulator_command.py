"""`smsconf emulator twilio` as a real process: the twilio SDK sets a number's webhook on it,
a simulated handset texts the number, and a served Dataverse emulator (a second, independent
server) receives the signed webhook at its `/twilio/incoming`."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from click.testing import CliRunner
from tests.emulator.dataverse.conftest import connect_twilio_account
from twilio.rest import Client

from smsconf.cli import main
from smsconf.cli.twilio import flag_accounts
from smsconf.emulator.dataverse import create_app as dataverse_app
from smsconf.emulator.serving import running
from smsconf.emulator.twilio import DEMO_ACCOUNT_SID
from smsconf.exitcodes import ExitCode

SID = "AC" + "3c" * 16
OTHER = "AC" + "4d" * 16
TOKEN = "command-line-token"
NUMBER = "+14255550166"


@pytest.fixture
def twilio_process() -> Iterator[str]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from smsconf.cli import main; main()",
            "emulator",
            "twilio",
            "--port",
            "0",
            "--account",
            f"{SID}:{TOKEN}",
            "--account",
            f"{OTHER}:other-token",
            "--number",
            NUMBER,
            "--number",
            f"{OTHER}:+14255550167",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), process.stderr and process.stderr.read()
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def sdk(base: str, monkeypatch: pytest.MonkeyPatch) -> Client:
    """The SDK pointed at `base` (§3.9 option B: the 2010 API domain's base URL)."""
    for name in ("TWILIO_EDGE", "TWILIO_REGION"):
        monkeypatch.delenv(name, raising=False)
    client = Client(SID, TOKEN)
    client.api.base_url = base
    return client


def test_served_twilio_delivers_a_signed_inbound_sms_to_a_served_org(
    twilio_process: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = dataverse_app()
    try:
        with running(org) as org_url, httpx.Client(base_url=twilio_process) as http:
            connect_twilio_account(org_url, SID, TOKEN)
            client = sdk(twilio_process, monkeypatch)
            (number,) = client.incoming_phone_numbers.list(phone_number=NUMBER)
            assert number.capabilities["sms"] is True
            inbound = f"{org_url}/twilio/incoming?orgId=org-1"
            client.incoming_phone_numbers(number.sid).update(sms_url=inbound, sms_method="POST")
            # The second account's number is its own, not the first account's.
            assert client.incoming_phone_numbers.list(phone_number="+14255550167") == []

            sent = http.post(
                "/_emulator/inbound", json={"to": NUMBER, "from": "+14255550123", "body": "hi"}
            )
            assert sent.status_code == 202, sent.text
            assert (sent.json()["webhook"], sent.json()["status"]) == (inbound, 200)
        [message] = org.inbound_messages()
        assert (message["org_id"], message["customer_id"]) == ("org-1", SID)
    finally:
        org.close()


def test_without_accounts_the_demo_account_is_served() -> None:
    (demo,) = flag_accounts((), ())
    assert demo.sid == DEMO_ACCOUNT_SID and demo.numbers


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--account", "ACshort:tok"], "expected ACCOUNT_SID:AUTH_TOKEN"),
        (["--account", SID], "expected ACCOUNT_SID:AUTH_TOKEN"),
        (["--number", NUMBER], "--number needs an --account"),
        (["--account", f"{SID}:t", "--number", "14255550166"], "expected +E164"),
        (["--account", f"{SID}:t", "--number", f"{OTHER}:{NUMBER}"], f"no --account {OTHER}"),
        (["--faults", "nonsense=1"], "--faults"),
    ],
)
def test_bad_flags_are_usage_errors(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["emulator", "twilio", *args])
    assert result.exit_code == ExitCode.USAGE, result.output
    assert message in result.output
    assert "tok" not in result.output.replace("AUTH_TOKEN", "")
