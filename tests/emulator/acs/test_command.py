"""`smsconf emulator acs` as a real process on a free port: the SDKs reach its data plane with
the key given on the command line, httpx its ARM slice with the token given; bad flags are
usage errors that never echo the key."""

from __future__ import annotations

import base64
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from azure.communication.phonenumbers import PhoneNumbersClient
from azure.communication.sms import SmsClient
from azure.core.credentials import AzureKeyCredential
from click.testing import CliRunner

from smsconf.cli import main
from smsconf.cli.emulator import acs_resources
from smsconf.emulator.acs import DEMO_RESOURCE
from smsconf.exitcodes import ExitCode

KEY = base64.b64encode(b"command-line-access-key-32-bytes").decode()
OTHER = base64.b64encode(b"o" * 32).decode()
SUB, GROUP = "6a1b2c3d-0000-4000-8000-000000000001", "rg-sms"
CLI = (sys.executable, "-c", "from smsconf.cli import main; main()")


@contextmanager
def served(*args: str) -> Iterator[tuple[str, str]]:
    """`smsconf emulator acs --port 0 ARGS` as a process: (its URL, the certificate line it
    writes first on stderr with --tls-self-signed, else "")."""
    process = subprocess.Popen(
        [*CLI, "emulator", "acs", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        certificate = process.stderr.readline() if "--tls-self-signed" in args else ""
        url = process.stdout.readline().strip()
        assert "://127.0.0.1:" in url, process.stderr.read()
        yield url, certificate
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def acs_process() -> Iterator[str]:
    flags = [
        ("--resource", f"contoso-acs:{KEY}"),
        ("--resource", f"fabrikam-acs:{OTHER}"),
        ("--number", "+18005550100:inbound+outbound"),
        ("--number", "+18005550101:outbound"),
        ("--number", "fabrikam-acs:+447700900123"),
        ("--subscription", SUB),
        ("--resource-group", GROUP),
        ("--token", "cli-token"),
    ]
    with served(*(part for flag in flags for part in flag)) as (url, _):
        assert url.startswith("http://")
        yield url


def test_the_sdks_reach_the_served_resources(acs_process: str) -> None:
    numbers = PhoneNumbersClient(acs_process, AzureKeyCredential(KEY))
    listed = {n.phone_number: n.capabilities.sms for n in numbers.list_purchased_phone_numbers()}
    assert listed == {"+18005550100": "inbound+outbound", "+18005550101": "outbound"}
    toll_free = numbers.get_purchased_phone_number("+18005550101")
    assert (toll_free.phone_number_type, toll_free.country_code) == ("tollFree", "US")
    uk = PhoneNumbersClient(acs_process, AzureKeyCredential(OTHER)).get_purchased_phone_number(
        "+447700900123"
    )
    assert (uk.phone_number_type, uk.country_code, uk.capabilities.sms) == (
        "mobile",
        "GB",
        "inbound+outbound",
    )
    (sent,) = SmsClient(acs_process, AzureKeyCredential(KEY)).send(
        from_="+18005550101", to="+15550001111", message="from the command line"
    )
    assert sent.successful


def test_the_arm_slice_takes_only_the_given_token(acs_process: str) -> None:
    path = (
        f"/subscriptions/{SUB}/resourceGroups/{GROUP}/providers/Microsoft.Communication/"
        "communicationServices/contoso-acs?api-version=2025-09-01"
    )
    with httpx.Client(base_url=acs_process) as http:
        got = http.get(path, headers={"Authorization": "Bearer cli-token"})
        assert got.status_code == 200, got.text
        assert got.json()["id"] == (
            f"/subscriptions/{SUB}/resourceGroups/{GROUP}/providers/"
            "Microsoft.Communication/CommunicationServices/contoso-acs"
        )
        assert http.get(path, headers={"Authorization": "Bearer other"}).status_code == 401


def test_without_resources_the_demo_resource_is_served() -> None:
    (demo,) = acs_resources((), (), SUB, GROUP)
    assert (demo.name, demo.id) == (DEMO_RESOURCE.name, DEMO_RESOURCE.id)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--resource", "contoso"], "expected NAME:BASE64KEY"),
        (["--resource", "contoso:not base64!"], "expected NAME:BASE64KEY"),
        (["--number", "+18005550100"], "--number needs a --resource"),
        (["--resource", f"c:{KEY}", "--number", "18005550100"], "expected [NAME:]+E164"),
        (["--resource", f"c:{KEY}", "--number", "+18005550100:both"], "inbound+outbound"),
        (["--resource", f"c:{KEY}", "--number", "x:+18005550100"], "no --resource x"),
        (["--tls-self-signed", "--tls-cert", __file__, "--tls-key", __file__], "--tls-cert"),
        (["--faults", "nonsense=1"], "--faults"),
    ],
)
def test_bad_flags_are_usage_errors(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["emulator", "acs", *args])
    assert result.exit_code == ExitCode.USAGE, result.output
    assert message in result.output
    assert KEY not in result.output and "not base64!" not in result.output


def test_tls_self_signed_serves_the_mgmt_sdk() -> None:
    """--tls-self-signed: the certificate's path on stderr, an https URL on stdout, and the
    azure-mgmt SDK (whose bearer policy refuses http) trusting it through connection_verify."""
    import time

    from azure.core.credentials import AccessToken
    from azure.mgmt.eventgrid import EventGridManagementClient

    class Token:
        def get_token(self, *scopes: str, **kwargs: object) -> AccessToken:
            return AccessToken("any", int(time.time()) + 3600)

    with served("--tls-self-signed") as (url, line):
        assert line.startswith("Self-signed certificate: "), line
        cert = line.split(": ", 1)[1].split()[0]
        assert url.startswith("https://127.0.0.1:")
        client = EventGridManagementClient(
            Token(), DEMO_RESOURCE.subscription, base_url=url, connection_verify=cert
        )
        assert list(client.system_topics.list_by_resource_group(DEMO_RESOURCE.resource_group)) == []
