"""The ACS emulator's protocol, request by request: the access-key refusals (providers.md
§4.2), api-versions (§4.3, §4.5), paging, repeatable sends, throttling, and hostile bodies
(a 400 or 413, never a 500), in-process over httpx's ASGI transport."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from smsconf.acs import signing
from smsconf.emulator.acs import AcsResource, PhoneNumber, ShortCode, create_app
from smsconf.emulator.acs.app import MAX_REQUEST_BYTES

KEY = base64.b64encode(b"k" * 32).decode()  # §4.2's test key
VECTOR_DATE = "Thu, 03 Dec 2026 06:00:00 GMT"
VECTOR_TIME = 1796277600.0  # VECTOR_DATE as a timestamp
BASE = "https://contoso.communication.azure.com"
NUMBERS = [PhoneNumber(f"+1800555{i:04d}") for i in range(5)]
PN = "api-version=2025-06-01"
SMS = "api-version=2021-03-07"
clock = [VECTOR_TIME]


def app(**options: Any) -> Any:
    resource = AcsResource("contoso", KEY, numbers=list(NUMBERS), short_codes=[ShortCode("55100")])
    return create_app([resource], clock=lambda: clock[0], **options)


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    clock[0] = VECTOR_TIME
    transport = httpx.ASGITransport(app=app())
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


def signed(
    method: str,
    target: str,
    body: bytes = b"",
    *,
    key: str = KEY,
    host: str = "contoso.communication.azure.com",
    date: str = VECTOR_DATE,
) -> dict[str, str]:
    headers = signing.signed_headers(method, target, host, body, signing.decode_key(key), date)
    return {**headers, "Content-Type": "application/json"}


async def send(http: httpx.AsyncClient, body: Any, **sign: Any) -> httpx.Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    target = f"/sms?{SMS}"
    return await http.post(target, content=raw, headers=signed("POST", target, raw, **sign))


def denied(response: httpx.Response) -> str:
    assert response.status_code == 401, response.text
    error = response.json()["error"]
    assert error["code"] == "Denied"
    return str(error["message"])


async def test_the_section_4_2_vector_is_accepted_as_signed(http: httpx.AsyncClient) -> None:
    """The signature of §4.2's GET vector, written out: the emulator computes the same one."""
    target = f"/phoneNumbers?skip=0&top=100&{PN}"
    headers = {
        "x-ms-date": VECTOR_DATE,
        "x-ms-content-sha256": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        "Authorization": "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256"
        "&Signature=lt2lPH2tggPiKLwJGhw+X99Pn9cbC3o8X1vcCLxwNXc=",
    }
    answer = await http.get(target, headers=headers)
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["phoneNumbers"]) == len(NUMBERS)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"Authorization": None}, "missing"),
        ({"Authorization": "Bearer token"}, "not HMAC-SHA256"),
        ({"Authorization": "HMAC-SHA256 Signature=abc"}, "not HMAC-SHA256"),
        ({"Authorization": "HMAC-SHA256 SignedHeaders=host&Signature=abc"}, "SignedHeaders"),
        ({"x-ms-date": None}, "x-ms-date is missing"),
        ({"x-ms-date": "yesterday"}, "RFC 1123"),
        ({"x-ms-content-sha256": signing.content_hash(b"other")}, "does not match the body"),
    ],
)
async def test_refusals_name_their_reason(
    http: httpx.AsyncClient, change: dict[str, str | None], reason: str
) -> None:
    target = f"/phoneNumbers?{PN}"
    headers: dict[str, str] = signed("GET", target)
    for name, value in change.items():
        headers.pop(name, None)
        if value is not None:
            headers[name] = value
    assert reason in denied(await http.get(target, headers=headers))


async def test_another_key_another_host_another_path_do_not_verify(
    http: httpx.AsyncClient,
) -> None:
    target = f"/phoneNumbers?{PN}"
    other = base64.b64encode(b"x" * 32).decode()
    assert "signature does not match" in denied(
        await http.get(target, headers=signed("GET", target, key=other))
    )
    for_other_host = signed("GET", target, host="fabrikam.communication.azure.com")
    denied(await http.get(target, headers=for_other_host))
    for_other_query = signed("GET", f"/phoneNumbers?top=1&{PN}")
    denied(await http.get(target, headers=for_other_query))


async def test_the_date_must_be_within_the_skew_window() -> None:
    clock[0] = VECTOR_TIME + 900
    transport = httpx.ASGITransport(app=app(skew=900))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        target = f"/phoneNumbers?{PN}"
        assert (await http.get(target, headers=signed("GET", target))).status_code == 200
        clock[0] = VECTOR_TIME + 901
        assert "clock skew" in denied(await http.get(target, headers=signed("GET", target)))
        clock[0] = VECTOR_TIME - 901
        assert "clock skew" in denied(await http.get(target, headers=signed("GET", target)))


@pytest.mark.parametrize(
    ("query", "code"),
    [("", "MissingApiVersionParameter"), ("api-version=2021-03-07", "UnsupportedApiVersion")],
)
async def test_the_api_version_is_required_and_known(
    http: httpx.AsyncClient, query: str, code: str
) -> None:
    target = f"/phoneNumbers?{query}" if query else "/phoneNumbers"
    answer = await http.get(target, headers=signed("GET", target))
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, code)


async def test_paging_and_a_number_by_its_encoded_plus(http: httpx.AsyncClient) -> None:
    target = f"/phoneNumbers?skip=3&top=1&{PN}"
    page = (await http.get(target, headers=signed("GET", target))).json()
    assert [n["phoneNumber"] for n in page["phoneNumbers"]] == ["+18005550003"]
    assert page["nextLink"].startswith("/phoneNumbers?") and "skip=4" in page["nextLink"]
    last = f"/phoneNumbers?skip=4&top=1&{PN}"
    assert "nextLink" not in (await http.get(last, headers=signed("GET", last))).json()
    one = f"/phoneNumbers/%2B18005550002?{PN}"
    got = await http.get(one, headers=signed("GET", one))
    assert got.json()["capabilities"] == {"calling": "none", "sms": "inbound+outbound"}
    missing = f"/phoneNumbers/%2B19995550000?{PN}"
    assert (await http.get(missing, headers=signed("GET", missing))).status_code == 404
    bad = f"/phoneNumbers?top=zero&{PN}"
    assert (await http.get(bad, headers=signed("GET", bad))).status_code == 400


async def test_short_codes_on_their_preview_version(http: httpx.AsyncClient) -> None:
    target = "/shortCodes?api-version=2021-10-25-preview"
    answer = await http.get(target, headers=signed("GET", target))
    assert [s["number"] for s in answer.json()["shortCodes"]] == ["55100"]


def message(*recipients: dict[str, Any], text: str = "hi") -> dict[str, Any]:
    return {"from": NUMBERS[0].phone_number, "smsRecipients": list(recipients), "message": text}


async def test_a_repeated_request_id_is_answered_once(http: httpx.AsyncClient) -> None:
    recipient = {
        "to": "+15550001111",
        "repeatabilityRequestId": "5f3c7d1e-0000-4000-8000-000000000001",
        "repeatabilityFirstSent": VECTOR_DATE,
    }
    first = (await send(http, message(recipient))).json()["value"][0]
    again = (await send(http, message(recipient))).json()["value"][0]
    assert first == again and first["repeatabilityResult"] == "accepted" and first["successful"]
    bad_first_sent = {**recipient, "repeatabilityRequestId": "other", "repeatabilityFirstSent": "x"}
    rejected = (await send(http, message(bad_first_sent))).json()["value"][0]
    assert (rejected["repeatabilityResult"], rejected["successful"]) == ("rejected", False)
    state = (await http.get("/_emulator/state")).json()
    assert len(state["messages"]) == 1


async def test_throttling_is_a_429_with_retry_after(http: httpx.AsyncClient) -> None:
    assert (await http.put("/_emulator/faults", content="throttle_next=1")).status_code == 200
    target = f"/phoneNumbers?{PN}"
    throttled = await http.get(target, headers=signed("GET", target))
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "1"
    assert throttled.json()["error"]["code"] == "TooManyRequests"
    assert (await http.get(target, headers=signed("GET", target))).status_code == 200
    await http.put("/_emulator/faults", content="outage_next=1")
    assert (await http.get(target, headers=signed("GET", target))).status_code == 503
    bad = await http.put("/_emulator/faults", content="nonsense=1")
    assert bad.status_code == 400


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


HOSTILE_SENDS: list[Any] = [
    b"not json",
    b"\xff\xfe",
    nested(100_000),
    [],
    "text",
    {"from": 1, "smsRecipients": [{"to": "+15550001111"}], "message": "x"},
    message(),
    message(*[{"to": "+15550001111"}] * 101),
    message("+15550001111"),  # type: ignore[arg-type]
    message({"to": 15550001111}),
    message({"to": "+15550001111", "repeatabilityRequestId": 7}),
    message({"to": "+15550001111"}, text=""),
    {**message({"to": "+15550001111"}), "smsSendOptions": "yes"},
]


@pytest.mark.parametrize("body", HOSTILE_SENDS)
async def test_hostile_sends_are_400s(http: httpx.AsyncClient, body: Any) -> None:
    answer = await send(http, body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == "BadRequest"


async def test_a_body_past_the_bound_is_a_413_before_anything_else(
    http: httpx.AsyncClient,
) -> None:
    answer = await send(http, b" " * (MAX_REQUEST_BYTES + 1))
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "RequestEntityTooLarge"


ARM = "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg-communication"
TOPICS = f"{ARM}/providers/Microsoft.EventGrid/systemTopics"
BEARER = {"Authorization": "Bearer any-token"}


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        nested(100_000),
        b"[]",
        b'{"properties": 1}',
        b'{"location": "global", "properties": {"source": 1, "topicType": []}}',
        b'{"location": "westus", "properties": {"source": "/x", "topicType": "y"}}',
    ],
)
async def test_hostile_arm_bodies_are_400s(http: httpx.AsyncClient, body: bytes) -> None:
    answer = await http.put(f"{TOPICS}/t1?api-version=2025-02-15", content=body, headers=BEARER)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] in ("InvalidRequestContent", "InvalidRequest")


@pytest.mark.parametrize(
    ("path", "headers", "status", "code"),
    [
        (f"{TOPICS}?api-version=2025-02-15", {}, 401, "AuthenticationFailed"),
        (f"{TOPICS}?api-version=2025-02-15", {"Authorization": "Bearer "}, 401, None),
        (f"{TOPICS}", BEARER, 400, "MissingApiVersionParameter"),
        (f"{TOPICS}?api-version=2019-01-01", BEARER, 400, "NoRegisteredProviderFound"),
        (f"{TOPICS}/missing?api-version=2025-02-15", BEARER, 404, "ResourceNotFound"),
        (
            TOPICS.replace("rg-communication", "rg-other") + "?api-version=2025-02-15",
            BEARER,
            404,
            "ResourceGroupNotFound",
        ),
        (
            "/subscriptions/11111111-1111-4111-8111-111111111111/providers/"
            "Microsoft.EventGrid/systemTopics?api-version=2025-02-15",
            BEARER,
            404,
            "SubscriptionNotFound",
        ),
        (f"{ARM}/providers/Microsoft.Web/sites?api-version=2025-02-15", BEARER, 404, None),
        # ARM paths are case-insensitive
        (TOPICS.lower() + "?api-version=2025-02-15", BEARER, 200, None),
    ],
)
async def test_arm_answers_in_its_own_words(
    http: httpx.AsyncClient, path: str, headers: dict[str, str], status: int, code: str | None
) -> None:
    answer = await http.get(path, headers=headers)
    assert answer.status_code == status, answer.text
    if code is not None:
        assert answer.json()["error"]["code"] == code


@pytest.mark.parametrize(
    "url", ["http://[", "https://a:99999/x", "https://", "http://a b/", "ftp://a/", 7, None]
)
async def test_a_webhook_url_that_is_none_is_a_400(http: httpx.AsyncClient, url: object) -> None:
    topic = {
        "location": "global",
        "properties": {
            "source": app().state.acs.state.resources[0].id,
            "topicType": "Microsoft.Communication.CommunicationServices",
        },
    }
    made = await http.put(f"{TOPICS}/t1?api-version=2025-02-15", json=topic, headers=BEARER)
    assert made.status_code == 201, made.text
    destination = {"endpointType": "WebHook", "properties": {"endpointUrl": url}}
    answer = await http.put(
        f"{TOPICS}/t1/eventSubscriptions/s1?api-version=2025-02-15",
        json={"properties": {"destination": destination}},
        headers=BEARER,
    )
    assert answer.status_code == 400, answer.text
