"""The org's inbound Twilio webhook: kept only when `X-Twilio-Signature` verifies with the Auth
Token of one of the org's Twilio accounts. The twilio SDK's `RequestValidator` (Twilio's own
code, unmodified) computes every signature here, so the emulator is held to Twilio's algorithm,
not to smsconf's copy of it."""

from __future__ import annotations

import httpx
import pytest
from tests.emulator.dataverse.conftest import ORG, connect_twilio_account, create, twilio_account
from twilio.request_validator import RequestValidator

from smsconf.emulator.dataverse import DataverseEmulator
from smsconf.emulator.dataverse.twilio_webhook import url_forms

ACCOUNT_SID = "AC" + "1f" * 16
AUTH_TOKEN = "org-side-auth-token"
URL = f"{ORG}/twilio/incoming?orgId=org-1"
PARAMS = {
    "AccountSid": ACCOUNT_SID,
    "ApiVersion": "2010-04-01",
    "Body": "Hello & bonjour",
    "From": "+14255550123",
    "MessageSid": "SM" + "ab" * 16,
    "NumMedia": "0",
    "To": "+14255550142",
}


async def _account(client: httpx.AsyncClient, token: str | None = AUTH_TOKEN) -> None:
    await create(
        client, "msdyn_occommunicationprovidersettings", twilio_account(ACCOUNT_SID, token)
    )


async def _post(
    client: httpx.AsyncClient, params: dict[str, str], signed: str | None, url: str = URL
) -> httpx.Response:
    headers = {} if signed is None else {"X-Twilio-Signature": signed}
    return await client.post(url, data=params, headers=headers)


def _signed(params: dict[str, str], token: str = AUTH_TOKEN, url: str = URL) -> str:
    return RequestValidator(token).compute_signature(url, params)


async def test_a_signed_webhook_is_kept_and_answered_with_empty_twiml(
    client: httpx.AsyncClient, app: DataverseEmulator
) -> None:
    await _account(client)
    answer = await _post(client, PARAMS, _signed(PARAMS))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/xml")
    assert "<Response/>" in answer.text
    [message] = app.inbound_messages()
    assert (message["org_id"], message["customer_id"]) == ("org-1", ACCOUNT_SID)
    assert "Body=Hello+%26+bonjour" in message["body"]


async def test_unsigned_and_forged_webhooks_are_refused_with_403(
    client: httpx.AsyncClient, app: DataverseEmulator
) -> None:
    """No header, garbage, another token's signature, a parameter changed after signing, another
    URL's signature, an AccountSid the org does not have: each refused, nothing kept."""
    await _account(client)
    tampered = {**PARAMS, "Body": "Send me the code"}
    stranger = {**PARAMS, "AccountSid": "AC" + "99" * 16}
    attempts = [
        (PARAMS, None),
        (PARAMS, ""),
        (PARAMS, "bm90IGEgc2lnbmF0dXJl"),
        (PARAMS, _signed(PARAMS, token="another-token")),
        (tampered, _signed(PARAMS)),
        (PARAMS, _signed(PARAMS, url=f"{ORG}/twilio/incoming?orgId=org-2")),
        (stranger, _signed(stranger)),
    ]
    for params, signed in attempts:
        refused = await _post(client, params, signed)
        assert refused.status_code == 403, (params, signed)
        assert refused.json()["error"]["message"].startswith("Twilio webhook rejected")
    assert app.inbound_messages() == []


async def test_an_account_without_a_stored_token_verifies_nothing(
    client: httpx.AsyncClient, app: DataverseEmulator
) -> None:
    await _account(client, token=None)
    refused = await _post(client, PARAMS, _signed(PARAMS))
    assert refused.status_code == 403
    assert app.inbound_messages() == []


async def test_the_url_is_accepted_with_or_without_its_default_port(
    client: httpx.AsyncClient, app: DataverseEmulator
) -> None:
    """As the SDK's validator does: Twilio may sign `host:80` for a call to `host`."""
    await _account(client)
    with_port = URL.replace(ORG, f"{ORG}:80")
    answer = await _post(client, PARAMS, _signed(PARAMS, url=with_port))
    assert answer.status_code == 200, answer.text
    assert len(app.inbound_messages()) == 1
    assert url_forms("https://h.test:443/p?q=1") == [
        "https://h.test:443/p?q=1",
        "https://h.test/p?q=1",
    ]
    assert url_forms("http://h.test:8080/p") == ["http://h.test:8080/p"]


def test_a_served_org_verifies_over_the_url_it_was_called_at(
    server: str, app: DataverseEmulator
) -> None:
    """Over a socket the org knows no base URL: the signed URL is the Host it was reached at."""
    url = f"{server}/twilio/incoming?orgId=org-1"
    connect_twilio_account(server, ACCOUNT_SID, AUTH_TOKEN)
    with httpx.Client() as http:
        good = http.post(url, data=PARAMS, headers={"X-Twilio-Signature": _signed(PARAMS, url=url)})
        bad = http.post(url, data=PARAMS, headers={"X-Twilio-Signature": _signed(PARAMS)})
    assert (good.status_code, bad.status_code) == (200, 403)
    assert len(app.inbound_messages()) == 1


@pytest.mark.parametrize("method", ["GET", "PUT"])
async def test_only_a_post_is_the_webhook(client: httpx.AsyncClient, method: str) -> None:
    answer = await client.request(method, URL)
    assert answer.status_code == 404
