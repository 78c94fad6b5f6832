"""The routes of the emulated Telesign (§11.1, §11.3–7, §11.9) over HTTP, in-process."""

import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from starlette.applications import Starlette

from smsconf.emulator.telesign import (
    DEMO_ACCOUNTS,
    EmulatedAccount,
    Faults,
    TelesignEmulator,
)
from smsconf.telesign.signing import http_date

from .conftest import BASE, CID, KEY, FakeClock, Signer

SENDER = DEMO_ACCOUNTS[0].numbers[0].number
HANDSET = "15555550123"
REFERENCE = re.compile(r"[0-9A-F]{32}")


def form(**fields: str) -> str:
    return urlencode(
        {"phone_number": HANDSET, "message": "Hello wörld & co", "message_type": "ARN", **fields}
    )


async def send(
    http: httpx.AsyncClient, sign: Signer, body: str, **sign_options: Any
) -> httpx.Response:
    return await http.post(
        "/v1/messaging", content=body, headers=sign("POST", "/v1/messaging", body, **sign_options)
    )


async def status(http: httpx.AsyncClient, sign: Signer, reference: str) -> httpx.Response:
    resource = f"/v1/messaging/{reference}"
    return await http.get(resource, headers=sign("GET", resource))


def code_of(reply: httpx.Response) -> int:
    return int(reply.json()["status"]["code"])


def account(**changes: Any) -> EmulatedAccount:
    return DEMO_ACCOUNTS[0].model_copy(update=changes)


async def client_for(app: Starlette, base: str = BASE) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=base)


async def test_send_answers_in_progress_and_stores_the_message(
    http: httpx.AsyncClient, sign: Signer, emulator: TelesignEmulator
) -> None:
    reply = await send(http, sign, form(sender_id=SENDER, external_id="ext-1"))
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/json"
    body = reply.json()
    assert REFERENCE.fullmatch(body["reference_id"])
    assert body["status"]["code"] == 290
    assert body["status"]["description"] == "Message in progress"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", body["status"]["updated_on"])
    assert body["external_id"] == "ext-1"
    stored = emulator.messages[body["reference_id"]]
    assert (stored.phone_number, stored.sender_id, stored.message) == (
        HANDSET,
        SENDER,
        "Hello wörld & co",
    )


async def test_status_follows_the_default_script_then_stays_final(
    http: httpx.AsyncClient, sign: Signer
) -> None:
    reference = (await send(http, sign, form())).json()["reference_id"]
    codes = [code_of(await status(http, sign, reference)) for _ in range(3)]
    assert codes == [203, 200, 200]
    last = (await status(http, sign, reference)).json()
    assert last["additional_info"]["message_parts_count"] == 1


async def test_scripted_failure_for_a_destination(
    make_app: Callable[..., Starlette], sign: Signer
) -> None:
    app = make_app([account(delivery={HANDSET: (290, 521)})])
    async with await client_for(app) as http:
        reference = (await send(http, sign, form())).json()["reference_id"]
        reply = await status(http, sign, reference)
    assert reply.json()["status"]["code"] == 521
    assert reply.json()["status"]["description"] == (
        "Requested Sender ID is not allowed for destination"
    )


async def test_status_errors(http: httpx.AsyncClient, sign: Signer, clock: FakeClock) -> None:
    assert code_of(await status(http, sign, "not-hex")) == 11011
    assert (await status(http, sign, "F" * 32)).status_code == 404
    reference = (await send(http, sign, form())).json()["reference_id"]
    clock.now += 12 * 3600 + 1
    expired = await http.get(
        f"/v1/messaging/{reference}",
        headers=sign("GET", f"/v1/messaging/{reference}", date=http_date(clock.now)),
    )
    assert (expired.status_code, code_of(expired)) == (404, 10036)


async def test_another_customers_reference_is_not_found(
    http: httpx.AsyncClient, sign: Signer
) -> None:
    reference = (await send(http, sign, form())).json()["reference_id"]
    other = DEMO_ACCOUNTS[1]
    resource = f"/v1/messaging/{reference}"
    reply = await http.get(
        resource,
        headers=sign("GET", resource, customer_id=other.customer_id, api_key=other.api_key),
    )
    assert code_of(reply) == 10017


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"phone_number": ""}, 12000),
        ({"message": ""}, 12009),
        ({"message_type": ""}, 12017),
        ({"phone_number": "+1 555 555 0123"}, 11000),
        ({"phone_number": "12345"}, 11000),
        ({"message_type": "SPAM"}, 11017),
        ({"message": "x" * 1601}, 11009),
        ({"sender_id": "1" * 21}, 11013),
        ({"sender_id": "19999999999"}, 11013),
        ({"phone_number": "", "message_type": "SPAM"}, 12000),
    ],
)
async def test_send_validation(
    http: httpx.AsyncClient, sign: Signer, fields: dict[str, str], code: int
) -> None:
    reply = await send(http, sign, form(**fields))
    assert (reply.status_code, code_of(reply)) == (400, code)


async def test_unknown_sender_allowed_when_configured(
    make_app: Callable[..., Starlette], sign: Signer
) -> None:
    app = make_app([account(reject_unknown_senders=False)])
    async with await client_for(app) as http:
        assert (await send(http, sign, form(sender_id="19999999999"))).status_code == 200


async def test_long_unicode_message_counts_ucs2_parts(
    http: httpx.AsyncClient, sign: Signer, emulator: TelesignEmulator
) -> None:
    reference = (await send(http, sign, form(message="ж" * 140))).json()["reference_id"]
    assert emulator.messages[reference].parts == 3
    reply = await send(http, sign, form(message="a" * 161))
    assert reply.json()["additional_info"]["message_parts_count"] == 2


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"suspended": True}, 10010),
        ({"sms_enabled": False}, 10011),
        ({"allowed_hosts": ("rest-ww.telesign.test",)}, 10035),
    ],
)
async def test_account_refusals(
    make_app: Callable[..., Starlette], sign: Signer, changes: dict[str, Any], code: int
) -> None:
    async with await client_for(make_app([account(**changes)])) as http:
        reply = await send(http, sign, form())
    assert (reply.status_code, code_of(reply)) == (401, code)


async def test_allowed_host_accepts_its_host(
    make_app: Callable[..., Starlette], sign: Signer
) -> None:
    app = make_app([account(allowed_hosts=("rest-api.telesign.test",))])
    async with await client_for(app) as http:
        assert (await send(http, sign, form())).status_code == 200


async def test_phoneid_product_switch(make_app: Callable[..., Starlette], sign: Signer) -> None:
    async with await client_for(make_app([account(phoneid_enabled=False)])) as http:
        reply = await http.post(
            f"/v1/phoneid/{HANDSET}", headers=sign("POST", f"/v1/phoneid/{HANDSET}")
        )
        assert code_of(reply) == 10011
        assert (await send(http, sign, form())).status_code == 200


async def test_phoneid_answers_for_owned_numbers_and_handsets(
    http: httpx.AsyncClient, sign: Signer
) -> None:
    toll_free = DEMO_ACCOUNTS[0].numbers[1].number
    reply = await http.post(
        f"/v1/phoneid/{toll_free}", headers=sign("POST", f"/v1/phoneid/{toll_free}")
    )
    body = reply.json()
    assert (reply.status_code, body["status"]["code"]) == (200, 300)
    assert body["phone_type"] == {"code": "4", "description": "TOLL_FREE"}
    assert body["location"]["country"]["iso2"] == "US"
    assert body["numbering"]["original"] == {
        "complete_phone_number": toll_free,
        "country_code": "1",
        "phone_number": toll_free[1:],
    }


async def test_phoneid_with_a_signed_json_body_like_the_sdk(
    http: httpx.AsyncClient, sign: Signer
) -> None:
    resource = f"/v1/phoneid/{HANDSET}"
    body = '{"account_lifecycle_event": "create"}'
    reply = await http.post(
        resource,
        content=body,
        headers=sign("POST", resource, body, content_type="application/json"),
    )
    assert reply.json()["phone_type"]["description"] == "MOBILE"


async def test_phoneid_rejects_a_bad_number(http: httpx.AsyncClient, sign: Signer) -> None:
    reply = await http.post("/v1/phoneid/12ab", headers=sign("POST", "/v1/phoneid/12ab"))
    assert (reply.status_code, code_of(reply)) == (400, 11000)


async def test_outage_comes_before_authentication(
    http: httpx.AsyncClient, emulator: TelesignEmulator
) -> None:
    emulator.faults = Faults(outage_next=1)
    reply = await http.get("/v1/messaging/" + "0" * 32)
    assert (reply.status_code, code_of(reply)) == (503, 10000)
    assert reply.json()["status"]["description"] == "System Unavailable, Please try again later."
    assert (await http.get("/v1/messaging/" + "0" * 32)).status_code == 401


async def test_throttling_comes_after_authentication(
    http: httpx.AsyncClient, sign: Signer, emulator: TelesignEmulator
) -> None:
    emulator.faults = Faults(throttle_next=1)
    assert code_of(await http.get("/v1/messaging/" + "0" * 32)) == 10009
    reply = await send(http, sign, form())
    assert (reply.status_code, code_of(reply)) == (429, 10019)
    assert (await send(http, sign, form())).status_code == 200


async def test_seeded_rates_fail_the_same_requests(
    make_app: Callable[..., Starlette], sign: Signer
) -> None:
    async def pattern(seed: int) -> list[int]:
        app = make_app(faults=Faults(throttle=0.5), seed=seed)
        async with await client_for(app) as http:
            return [(await send(http, sign, form())).status_code for _ in range(12)]

    first = await pattern(7)
    assert first == await pattern(7)
    assert {200, 429} == set(first)


async def test_admin_routes(
    http: httpx.AsyncClient, sign: Signer, emulator: TelesignEmulator
) -> None:
    await send(http, sign, form(sender_id=SENDER))
    listed = (await http.get("/_emulator/messages", params={"customer_id": CID})).json()
    assert [(m["phone_number"], m["sender_id"], m["status"]) for m in listed] == [
        (HANDSET, SENDER, 290)
    ]
    assert (await http.get("/_emulator/messages", params={"customer_id": "x"})).json() == []
    reply = await http.put("/_emulator/faults", content="outage=1")
    assert reply.json()["outage"] == 1.0
    assert emulator.faults.outage == 1.0
    assert (await http.put("/_emulator/faults", content="nonsense=1")).status_code == 400


def test_emulator_does_not_hold_the_client() -> None:
    """The emulator may import only the neutral signing helpers, never the client."""
    code = (
        "import sys, smsconf.emulator.telesign; "
        "print(sorted(m for m in sys.modules if m.startswith('smsconf.telesign')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['smsconf.telesign', 'smsconf.telesign.signing']"
    assert KEY not in out
