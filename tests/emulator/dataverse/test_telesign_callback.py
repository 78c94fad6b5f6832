"""The org's inbound Telesign callback: kept only when signed with a stored account's key."""

from __future__ import annotations

import base64
import json

import httpx
from tests.emulator.dataverse.conftest import ORG, create

from smsconf.emulator.dataverse import DataverseEmulator
from smsconf.telesign.signing import hmac_signature

API_KEY = base64.b64encode(b"telesign-secret-key").decode()


async def _account(client: httpx.AsyncClient) -> None:
    """The org's Telesign account CUST-1, its API key stored."""
    await create(
        client,
        "msdyn_occommunicationprovidersettings",
        {
            "msdyn_name": "Telesign",
            "msdyn_occommunicationprovider": 192350002,
            "msdyn_accountsid": "CUST-1",
            "msdyn_securesecret": API_KEY,
        },
    )


async def _callback(
    client: httpx.AsyncClient, body: bytes, authorization: str | None
) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    return await client.post(
        f"{ORG}/telesign/incoming", params={"orgId": "org-1"}, content=body, headers=headers
    )


async def test_telesign_callback_is_verified_and_stored(
    client: httpx.AsyncClient, app: DataverseEmulator
) -> None:
    await _account(client)
    body = json.dumps({"message": "hello", "from": "14255550100"}).encode()
    good = await _callback(client, body, f"TSA CUST-1:{hmac_signature(API_KEY, body)}")
    bad = await _callback(client, body, "TSA CUST-1:bm90IGl0")
    assert good.status_code == 200
    assert bad.status_code == 401
    [message] = app.inbound_messages()
    assert (message["org_id"], message["customer_id"]) == ("org-1", "CUST-1")
    assert json.loads(message["body"])["message"] == "hello"


async def test_unauthenticated_callbacks_are_refused(
    client: httpx.AsyncClient, app: DataverseEmulator
) -> None:
    """No header, another scheme, an unknown customer, a customer without a stored key: each
    an unauthenticated write, refused with 401 and nothing kept."""
    await create(
        client,
        "msdyn_occommunicationprovidersettings",
        {
            "msdyn_name": "No key",
            "msdyn_occommunicationprovider": 192350002,
            "msdyn_accountsid": "C-2",
        },
    )
    body = b'{"m": 1}'
    signed = hmac_signature(API_KEY, body)
    for authorization in (None, f"Bearer {signed}", f"TSA CUST-9:{signed}", f"TSA C-2:{signed}"):
        refused = await _callback(client, body, authorization)
        assert refused.status_code == 401, authorization
        assert refused.json()["error"]["message"].startswith("Telesign callback rejected")
    assert app.inbound_messages() == []


async def test_a_signed_callback_that_is_not_json_is_a_400(
    client: httpx.AsyncClient, app: DataverseEmulator
) -> None:
    await _account(client)
    for body in (b"not json", b"[" * 100_000 + b"]" * 100_000):
        answer = await _callback(client, body, f"TSA CUST-1:{hmac_signature(API_KEY, body)}")
        assert answer.status_code == 400
    assert app.inbound_messages() == []
