"""The ACS data-plane client against the emulator (in process), its verdicts on numbers, the
host policy before the key is used, and `test-sms --provider acs` against a served emulator."""

from __future__ import annotations

import asyncio
import base64
import inspect
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from tools.testkit.allowance import allow

from smsconf.acs.client import AcsClient, AcsRejected, ClientOptions, number_path
from smsconf.acs.connection import parse
from smsconf.acs.credentials import check_key
from smsconf.acs.numbers import judge
from smsconf.cli import main
from smsconf.emulator.acs import (
    DEMO_ACCESS_KEY,
    DEMO_SHORT_CODE,
    DEMO_TWO_WAY,
    PhoneNumber,
    create_app,
    demo_resource,
)
from smsconf.emulator.serving import running
from smsconf.exitcodes import ExitCode
from smsconf.hosts import UntrustedHost

ENDPOINT = "https://contoso-acs.communication.azure.com"
GOOD = parse(f"endpoint={ENDPOINT}/;accesskey={DEMO_ACCESS_KEY}")
BAD = parse(f"endpoint={ENDPOINT}/;accesskey={base64.b64encode(b'x' * 32).decode()}")


def transport(**changes: Any) -> httpx.ASGITransport:
    return httpx.ASGITransport(app=create_app([demo_resource(**changes)]))


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_the_plus_is_percent_encoded_in_the_path() -> None:
    assert number_path("+18005550100") == "/phoneNumbers/%2B18005550100"


def test_the_passed_on_options_are_the_clients_own() -> None:
    """`check_key` and `send_test_sms` hand `ClientOptions` to `AcsClient` as they are."""
    parameters = set(inspect.signature(AcsClient).parameters) - {"connection"}
    assert ClientOptions.__optional_keys__ == parameters


def test_key_check_accepts_the_key_and_refuses_another() -> None:
    assert run(check_key(GOOD, transport=transport())).ok
    refused = run(check_key(BAD, name="Contoso ACS", transport=transport()))
    assert refused.status == "invalid_credentials"
    assert "HTTP 401" in refused.detail and DEMO_ACCESS_KEY not in refused.detail


def test_numbers_are_read_one_by_one_and_listed_across_pages() -> None:
    many = [PhoneNumber(f"+1800555{i:04d}", sms="inbound+outbound") for i in range(130)]

    async def read() -> tuple[Any, Any, list[Any]]:
        async with AcsClient(GOOD, transport(numbers=many)) as client:
            return (
                await client.get_number("+18005550007"),
                await client.get_number("+19995550000"),
                await client.list_numbers(),
            )

    one, missing, listed = run(read())
    assert one["phoneNumber"] == "+18005550007"
    assert one["capabilities"]["sms"] == "inbound+outbound"
    assert missing is None
    assert sorted(n["phoneNumber"] for n in listed) == sorted(n.phone_number for n in many)


def test_short_codes_are_listed() -> None:
    async def read() -> list[Any]:
        async with AcsClient(GOOD, transport()) as client:
            return await client.list_short_codes()

    (code,) = run(read())
    assert (code["number"], code["countryCode"]) == (DEMO_SHORT_CODE, "US")


def test_a_next_link_to_another_host_is_refused() -> None:
    async def page(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"phoneNumbers": [], "nextLink": "https://evil.test/x"})

    async def read() -> None:
        async with AcsClient(GOOD, httpx.MockTransport(page)) as client:
            await client.list_numbers()

    with pytest.raises(AcsRejected, match="another host"):
        run(read())


def test_an_untrusted_endpoint_is_refused_before_any_request_without_showing_it() -> None:
    with pytest.raises(UntrustedHost) as refused:
        AcsClient(parse(f"endpoint=http://127.0.0.1:9/;accesskey={DEMO_ACCESS_KEY}"), name="A")
    assert "127.0.0.1" not in str(refused.value) and "account 'A'" in str(refused.value)
    assert "not a documented ACS host" in str(refused.value)
    with pytest.raises(UntrustedHost) as refused:
        AcsClient(parse("endpoint=http://contoso-acs.communication.azure.com/;accesskey=a2s="))
    assert "only https on port 443" in str(refused.value) and "contoso" not in str(refused.value)


@pytest.mark.parametrize(
    ("kind", "answer", "verdict", "level"),
    [
        ("toll_free", {"capabilities": {"sms": "inbound+outbound"}}, "consistent", "ok"),
        ("toll_free", {"capabilities": {"sms": "outbound"}}, "outbound_only", "warning"),
        ("toll_free", {"capabilities": {"sms": "inbound"}}, "inbound_only", "error"),
        ("toll_free", {"capabilities": {"sms": "none"}}, "no_sms", "error"),
        ("toll_free", None, "not_in_resource", "error"),
        ("short_code", None, "not_in_resource", "error"),
        ("short_code", {"number": "55100"}, "consistent", "ok"),
    ],
)
def test_number_verdicts(kind: str, answer: Any, verdict: str, level: str) -> None:
    if answer is not None:
        answer = {"phoneNumberType": "tollFree", "countryCode": "US", **answer}
    check = judge("+18005550100", kind, answer)
    assert (check.verdict, check.level) == (verdict, level)
    assert check.warnings == ()


def test_type_and_country_against_the_supported_destinations() -> None:
    sms = {"capabilities": {"sms": "inbound+outbound"}}
    uk = judge("+447700900123", "mobile", {"phoneNumberType": "mobile", "countryCode": "GB", **sms})
    assert uk.warnings == ()
    us_mobile = judge(
        "+12065550100", "mobile", {"phoneNumberType": "mobile", "countryCode": "US", **sms}
    )
    assert us_mobile.warnings == (
        "in US, Dynamics 365 supports SMS through ACS on short-code, toll-free numbers only, "
        "not mobile",
    )
    geo = judge(
        "+12065550100", "toll_free", {"phoneNumberType": "geographic", "countryCode": "US", **sms}
    )
    assert geo.warnings[0] == "ACS says it is a geographic number, the configuration toll-free"
    japan = judge(
        "+815055501000", "mobile", {"phoneNumberType": "mobile", "countryCode": "JP", **sms}
    )
    assert "does not list JP" in japan.warnings[0]


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with running(create_app()) as url:
        allow(monkeypatch, url)
        yield url


def send(url: str, sender: str, key: str = DEMO_ACCESS_KEY) -> tuple[int, str]:
    connection = f"endpoint={url}/;accesskey={key}"
    result = CliRunner().invoke(
        main,
        [
            "test-sms",
            "--provider",
            "acs",
            "--connection-string-env",
            "ACS_FOR_TEST",
            "--from",
            sender,
            "--to",
            "+14255550123",
        ],
        env={"ACS_FOR_TEST": connection},
    )
    assert connection not in result.output and key not in result.output
    return result.exit_code, result.output


def test_test_sms_via_acs_is_accepted(served: str) -> None:
    code, output = send(served, DEMO_TWO_WAY)
    assert code == ExitCode.OK, output
    assert "accepted (HTTP 202)" in output


def test_test_sms_with_a_wrong_key_or_no_outbound_number_exits_4(served: str) -> None:
    code, output = send(served, DEMO_TWO_WAY, base64.b64encode(b"y" * 32).decode())
    assert code == ExitCode.CREDENTIALS, output
    assert send(served, "+19995550100")[0] == ExitCode.CREDENTIALS  # not the resource's number


def test_test_sms_refuses_a_host_nobody_allowed() -> None:
    code, output = send("http://127.0.0.1:9", DEMO_TWO_WAY)
    assert code == ExitCode.UNTRUSTED_HOST, output
