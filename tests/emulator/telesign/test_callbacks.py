"""Delivery-report and inbound (mo_sms) callbacks: shape, signature (§10.3) and retries."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telesign.util import verify_telesign_callback_signature

from smsconf.emulator.telesign import DEMO_ACCOUNTS

from .conftest import BASE, CID, KEY, Signer

HOOK = "http://customer.test/telesign/callback"
OWN_NUMBER = DEMO_ACCOUNTS[0].numbers[0].number


@dataclass
class Receiver:
    """The customer's callback endpoint: records what arrives, answers scripted statuses."""

    answers: list[int] = field(default_factory=list)
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    async def hook(self, request: Request) -> Response:
        self.received.append((dict(request.headers), await request.body()))
        return Response(status_code=self.answers.pop(0) if self.answers else 200)

    def transport(self) -> httpx.ASGITransport:
        return httpx.ASGITransport(
            Starlette(routes=[Route("/telesign/callback", self.hook, methods=["POST"])])
        )


def emulator_with(receiver: Receiver, make_app: Callable[..., Starlette]) -> Starlette:
    account = DEMO_ACCOUNTS[0].model_copy(
        update={"callback_url": HOOK, "delivery": {"15555550123": (290, 521)}}
    )
    return make_app(
        [account], callback_transport=receiver.transport(), callback_retry_delays=(0.0, 0.0)
    )


def assert_signed(headers: dict[str, str], body: bytes) -> None:
    signature = headers["x-ts-authorization"]
    assert headers["authorization"] == f"TSA {CID}:{signature}"
    assert headers["content-type"] == "application/json"
    assert verify_telesign_callback_signature(KEY, signature, body.decode())


async def test_delivery_report_is_signed_and_final(
    make_app: Callable[..., Starlette], sign: Signer
) -> None:
    receiver = Receiver()
    app = emulator_with(receiver, make_app)
    body = urlencode(
        {
            "phone_number": "15555550123",
            "message": "hi",
            "message_type": "ARN",
            "sender_id": OWN_NUMBER,
            "external_id": "e-9",
        }
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=BASE) as http:
        sent = await http.post(
            "/v1/messaging", content=body, headers=sign("POST", "/v1/messaging", body)
        )
    await app.state.telesign.callbacks.drain()
    [(headers, raw)] = receiver.received
    assert_signed(headers, raw)
    report = json.loads(raw)
    assert report["reference_id"] == sent.json()["reference_id"]
    assert report["status"]["code"] == 521
    assert report["external_id"] == "e-9"
    assert report["additional_info"]["sender_id"] == OWN_NUMBER
    assert report["submit_timestamp"].endswith("Z")


async def test_per_request_callback_url_overrides_the_account(
    make_app: Callable[..., Starlette], sign: Signer
) -> None:
    receiver = Receiver()
    app = make_app(callback_transport=receiver.transport(), callback_retry_delays=(0.0, 0.0))
    body = urlencode(
        {
            "phone_number": "15555550123",
            "message": "hi",
            "message_type": "ARN",
            "callback_url": HOOK,
        }
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=BASE) as http:
        await http.post("/v1/messaging", content=body, headers=sign("POST", "/v1/messaging", body))
    await app.state.telesign.callbacks.drain()
    assert len(receiver.received) == 1


async def test_three_tries_then_give_up(make_app: Callable[..., Starlette]) -> None:
    receiver = Receiver(answers=[500, 503, 500, 500])
    app = emulator_with(receiver, make_app)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=BASE) as http:
        reply = await http.post(
            "/_emulator/inbound", json={"to": OWN_NUMBER, "from": "15555550123", "text": "STOP now"}
        )
    assert reply.status_code == 202
    await app.state.telesign.callbacks.drain()
    assert len(receiver.received) == 3
    assert receiver.answers == [500]


async def test_inbound_mo_sms(make_app: Callable[..., Starlette]) -> None:
    receiver = Receiver(answers=[503])
    app = emulator_with(receiver, make_app)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=BASE) as http:
        reply = await http.post(
            "/_emulator/inbound", json={"to": OWN_NUMBER, "from": "15555550123", "text": "Help me"}
        )
        missing = await http.post(
            "/_emulator/inbound", json={"to": "19999999999", "from": "1", "text": "x"}
        )
    assert missing.status_code == 404
    await app.state.telesign.callbacks.drain()
    assert len(receiver.received) == 2  # the first try got 503, the retry 200
    headers, raw = receiver.received[-1]
    assert_signed(headers, raw)
    mo = json.loads(raw)
    assert mo["reference_id"] == reply.json()["reference_id"]
    assert (mo["sub_resource"], mo["status"]["code"], mo["errors"]) == ("mo_sms", 1500, {})
    assert mo["user_response"] == {
        "phone_number": "15555550123",
        "mo_message": "Help me",
        "sender_id": OWN_NUMBER,
        "iso_country_code": "US",
        "action": "help",
        "keyword": "help",
    }


async def test_unreachable_callback_url_is_tried_three_times(
    make_app: Callable[..., Starlette], sign: Signer
) -> None:
    attempts: list[str] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        attempts.append(str(request.url))
        raise httpx.ConnectError("refused", request=request)

    account = DEMO_ACCOUNTS[0].model_copy(update={"callback_url": HOOK})
    app = make_app(
        [account], callback_transport=httpx.MockTransport(refuse), callback_retry_delays=(0.0, 0.0)
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=BASE) as http:
        await http.post("/_emulator/inbound", json={"to": OWN_NUMBER, "from": "1", "text": "x"})
    await app.state.telesign.callbacks.drain()
    assert attempts == [HOOK] * 3
