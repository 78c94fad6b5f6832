"""The signed request: accepted by the emulator, retried on 429/503/transport errors, bounded by
its deadline, and never retried when a send might already have been processed."""

import logging

import httpx
import pytest

from smsconf.emulator.telesign import Faults
from smsconf.telesign.account import AuthMethod, TelesignAccount
from smsconf.telesign.client import TelesignClient, TelesignResponse, TelesignTiming
from smsconf.telesign.errors import TelesignTimeout, TelesignUnreachable
from smsconf.telesign.secret import ApiKey

from .conftest import FAST, GOOD, Target

PROBE = "/v1/messaging/" + "0" * 32
SEND = {"phone_number": "15555550123", "message": "Hello wörld & co", "message_type": "ARN"}


@pytest.mark.parametrize("auth", ["tsa", "basic"])
async def test_signed_requests_are_accepted(target: Target, auth: AuthMethod) -> None:
    async with target.client(target.account(auth=auth)) as client:
        probe = await client.request("GET", PROBE)
        sent = await client.request("POST", "/v1/messaging", form=SEND, idempotent=False)
        lookup = await client.request(
            "POST", "/v1/phoneid/15555550123", json_body={"account_lifecycle_event": "create"}
        )
    assert (probe.http_status, probe.code) == (404, 10017)
    assert (sent.http_status, sent.code, sent.attempts) == (200, 290, 1)
    assert (lookup.http_status, lookup.code) == (200, 300)
    [stored] = target.emulator.messages.values()
    assert stored.message == "Hello wörld & co"


async def test_path_prefix_endpoint(target: Target) -> None:
    """A base URL with a path: the request goes below it; the emulator answers 404 (no route)."""
    prefixed = TelesignAccount(
        "a", GOOD.customer_id, ApiKey(GOOD.api_key), target.endpoint + "/prefix"
    )
    async with target.client(prefixed) as client:
        reply = await client.request("GET", PROBE)
    assert target.emulator.journal == [] and reply.http_status == 404


async def test_throttling_is_retried_until_it_passes(target: Target) -> None:
    target.emulator.faults = Faults(throttle_next=2)
    async with target.client() as client:
        reply = await client.request("POST", "/v1/messaging", form=SEND, idempotent=False)
    assert (reply.http_status, reply.attempts) == (200, 3)
    assert len(target.emulator.messages) == 1
    assert len(target.emulator.journal) == 3


async def test_spent_retries_return_the_last_answer(target: Target) -> None:
    target.emulator.faults = Faults(outage=1.0)
    async with target.client() as client:
        reply = await client.request("GET", PROBE)
    assert (reply.http_status, reply.code, reply.attempts) == (503, 10000, 3)


async def test_slow_answer_times_out(target: Target) -> None:
    target.emulator.faults = Faults(delay=0.8)
    policy = TelesignTiming(attempts=2, backoff=0.0, request_timeout=0.2, deadline=0.5)
    async with target.client(policy=policy) as client:
        with pytest.raises(TelesignTimeout, match="within the deadline"):
            await client.request("GET", PROBE)


async def test_a_send_is_not_retried_after_a_read_timeout(target: Target) -> None:
    target.emulator.faults = Faults(delay=0.3)
    policy = TelesignTiming(attempts=3, backoff=0.0, request_timeout=0.1, deadline=2.0)
    async with target.client(policy=policy) as client:
        with pytest.raises(TelesignTimeout):
            await client.request("POST", "/v1/messaging", form=SEND, idempotent=False)
    assert len(target.emulator.journal) <= 1


async def test_connection_refused_is_retried_then_unreachable(
    closed_port_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    account = TelesignAccount("a", GOOD.customer_id, ApiKey(GOOD.api_key), closed_port_url)
    with caplog.at_level(logging.INFO, logger="smsconf.telesign"):
        async with TelesignClient(account, policy=FAST) as client:
            with pytest.raises(TelesignUnreachable, match="ConnectError"):
                await client.request("POST", "/v1/messaging", form=SEND, idempotent=False)
    assert [r.message.split(" after ")[1] for r in caplog.records] == ["ConnectError"] * 2


def test_response_codes_of_both_families() -> None:
    family_a = TelesignResponse(401, {"status": {"code": 10008, "description": "Invalid"}})
    family_b = TelesignResponse(
        401,
        {
            "status": {"code": 501, "description": "Not authorized"},
            "errors": [{"code": -30006, "description": "Invalid Sig"}],
        },
    )
    as_text = TelesignResponse(200, {"status": {"code": "290"}})
    empty = TelesignResponse(502, {})
    assert (family_a.code, family_a.description) == (10008, "Invalid")
    assert (family_b.code, family_b.description) == (-30006, "Invalid Sig")
    assert (as_text.code, as_text.description) == (290, "HTTP 200")
    assert (empty.code, empty.description) == (None, "HTTP 502")


async def test_non_json_answers_have_an_empty_body() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(502, text="<html>bad"))
    account = TelesignAccount("a", GOOD.customer_id, ApiKey(GOOD.api_key), "https://x.test")
    async with TelesignClient(account, transport=transport, policy=FAST) as client:
        reply = await client.request("GET", PROBE)
    assert (reply.http_status, reply.body, reply.code) == (502, {}, None)
