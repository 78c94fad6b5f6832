"""Every authentication outcome of §3.4 / §11.2 through HTTP against the emulator, and the
verifier against the official SDK's signer on arbitrary requests."""

import base64
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.routing import Mount
from telesign.rest import RestClient

from smsconf.emulator.telesign import DEMO_ACCOUNTS
from smsconf.emulator.telesign.auth import Authenticator, AuthFailure
from smsconf.telesign import signing

from .conftest import CID, KEY, FakeClock, Signer

PROBE = "/v1/messaging/" + "0" * 32
SEND_BODY = "phone_number=15555550123&message=hi&message_type=ARN"


def code_of(reply: httpx.Response) -> int:
    return int(reply.json()["status"]["code"])


async def probe(http: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    return await http.get(PROBE, headers=headers)


async def test_good_tsa_get_reaches_the_route(http: httpx.AsyncClient, sign: Signer) -> None:
    reply = await probe(http, sign("GET", PROBE))
    assert (reply.status_code, code_of(reply)) == (404, 10017)


async def test_good_tsa_post_with_body(http: httpx.AsyncClient, sign: Signer) -> None:
    reply = await http.post(
        "/v1/messaging", content=SEND_BODY, headers=sign("POST", "/v1/messaging", SEND_BODY)
    )
    assert (reply.status_code, code_of(reply)) == (200, 290)


async def test_x_ts_date_instead_of_date(http: httpx.AsyncClient, sign: Signer) -> None:
    reply = await http.post(
        "/v1/messaging",
        content=SEND_BODY,
        headers=sign("POST", "/v1/messaging", SEND_BODY, x_ts_date=True),
    )
    assert reply.status_code == 200


async def test_basic_auth(http: httpx.AsyncClient) -> None:
    reply = await probe(http, {"Authorization": signing.basic_authorization(CID, KEY)})
    assert code_of(reply) == 10017


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, 10009),
        ({"Authorization": "Bearer abc"}, 10028),
        ({"Authorization": "TSA no-colon"}, 10028),
        ({"Authorization": "Basic !!!notbase64"}, 10028),
        ({"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()}, 10028),
        ({"Authorization": signing.basic_authorization("NOBODY", KEY)}, 10015),
        ({"Authorization": signing.basic_authorization(CID, "d3Jvbmc=")}, 10022),
    ],
)
async def test_malformed_or_wrong_authorization(
    http: httpx.AsyncClient, headers: dict[str, str], code: int
) -> None:
    reply = await probe(http, headers)
    assert (reply.status_code, code_of(reply)) == (401, code)
    assert len(reply.json()["reference_id"]) == 32


async def test_unknown_customer_under_tsa(http: httpx.AsyncClient, sign: Signer) -> None:
    assert code_of(await probe(http, sign("GET", PROBE, customer_id="NOBODY"))) == 10015


async def test_wrong_key_gives_10008_with_signature_string(
    http: httpx.AsyncClient, sign: Signer
) -> None:
    headers = sign("GET", PROBE, api_key=base64.b64encode(b"wrong key").decode())
    reply = await probe(http, headers)
    assert (reply.status_code, code_of(reply)) == (401, 10008)
    text = reply.json()["signature_string"]
    assert text.startswith("GET\n\n") and text.endswith("\n" + PROBE)
    assert f"x-ts-nonce:{headers['x-ts-nonce']}" in text


async def test_tampered_body_fails_the_signature(http: httpx.AsyncClient, sign: Signer) -> None:
    headers = sign("POST", "/v1/messaging", SEND_BODY)
    reply = await http.post("/v1/messaging", content=SEND_BODY + "&x=1", headers=headers)
    assert code_of(reply) == 10008


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"Date": None}, 10007),
        ({"Date": "yesterday-ish"}, 10005),
        ({"x-ts-auth-method": "HMAC-MD5"}, 10006),
        ({"x-ts-nonce": "n" * 65}, 10003),
    ],
)
async def test_header_problems(
    http: httpx.AsyncClient, sign: Signer, change: dict[str, Any], code: int
) -> None:
    headers = {**sign("GET", PROBE), **change}
    headers = {name: value for name, value in headers.items() if value is not None}
    assert code_of(await probe(http, headers)) == code


@pytest.mark.parametrize("x_ts_date", [False, True], ids=["Date", "x-ts-date"])
async def test_date_outside_tolerance(
    http: httpx.AsyncClient, sign: Signer, clock: FakeClock, x_ts_date: bool
) -> None:
    for skew, code in ((-901, 10004), (901, 10004), (-899, 10017), (899, 10017)):
        date = signing.http_date(clock.now + skew)
        assert code_of(await probe(http, sign("GET", PROBE, date=date, x_ts_date=x_ts_date))) == (
            code
        ), skew


async def test_x_ts_date_is_the_one_judged_when_both_are_sent(
    http: httpx.AsyncClient, sign: Signer, clock: FakeClock
) -> None:
    """A stale Date beside a fresh x-ts-date passes the date check (not 10004) and then fails
    the signature, because a Date that is sent is also a line of the string-to-sign."""
    headers = sign("GET", PROBE, x_ts_date=True)
    headers["Date"] = signing.http_date(clock.now - 3600)
    assert code_of(await probe(http, headers)) == 10008


async def test_nonce_replay_is_rejected(http: httpx.AsyncClient, sign: Signer) -> None:
    headers = sign("GET", PROBE)
    assert code_of(await probe(http, headers)) == 10017
    assert code_of(await probe(http, headers)) == 10002


async def test_nonce_expires_with_the_tolerance_window(
    http: httpx.AsyncClient, sign: Signer, clock: FakeClock
) -> None:
    await probe(http, sign("GET", PROBE, nonce="reused"))
    clock.now += 2 * 900 + 1
    later = signing.http_date(clock.now)
    assert code_of(await probe(http, sign("GET", PROBE, nonce="reused", date=later))) == 10017


async def test_mount_prefix_is_not_signed(make_app: Any, sign: Signer) -> None:
    outer = Starlette(routes=[Mount("/telesign", app=make_app())])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(outer), base_url="http://x"
    ) as client:
        reply = await client.get("/telesign" + PROBE, headers=sign("GET", PROBE))
    assert code_of(reply) == 10017


@settings(max_examples=60, deadline=None)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
    resource=st.from_regex(r"/v1/[a-z_]{1,12}(/[0-9A-F]{1,32})?", fullmatch=True),
    fields=st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=30), max_size=4),
)
def test_the_official_sdk_signs_what_the_emulator_verifies(
    method: str, resource: str, fields: dict[str, str]
) -> None:
    """An independent implementation (the SDK's) against ours, on arbitrary requests."""
    body = RestClient._encode_params(fields) if method in ("POST", "PUT") else ""
    sdk = RestClient.generate_telesign_headers(CID, KEY, method, resource, body)
    headers = {name.lower(): value for name, value in sdk.items()}
    authenticator = Authenticator({CID: DEMO_ACCOUNTS[0]})
    assert authenticator.authenticate(method, resource, headers, body.encode()) == DEMO_ACCOUNTS[0]
    tampered = Authenticator({CID: DEMO_ACCOUNTS[0]}).authenticate(
        method, resource + "x", headers, body.encode()
    )
    assert isinstance(tampered, AuthFailure) and tampered.code == 10008
