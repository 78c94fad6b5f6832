"""The official `telesign` SDK, unmodified, against the emulator over a real socket (issue 5)."""

import base64
from collections.abc import Iterator

import pytest
from telesign.messaging import MessagingClient
from telesign.phoneid import PhoneIdClient

from smsconf.emulator.serving import running
from smsconf.emulator.telesign import DEMO_ACCOUNTS, create_app

ACCOUNT = DEMO_ACCOUNTS[0]
SENDER = ACCOUNT.numbers[0].number
WRONG_KEY = base64.b64encode(b"not the right key").decode()


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with running(create_app()) as url:
        yield url


def test_send_then_read_status(endpoint: str) -> None:
    client = MessagingClient(ACCOUNT.customer_id, ACCOUNT.api_key, rest_endpoint=endpoint)
    sent = client.message("15555550123", "Hello wörld & co", "ARN", sender_id=SENDER)
    assert sent.status_code == 200, sent.body
    assert sent.json["status"]["code"] == 290
    reference = sent.json["reference_id"]
    status = client.status(reference)
    assert status.status_code == 200
    assert (status.json["reference_id"], status.json["status"]["code"]) == (reference, 203)


def test_phoneid_lookup(endpoint: str) -> None:
    client = PhoneIdClient(ACCOUNT.customer_id, ACCOUNT.api_key, rest_endpoint=endpoint)
    plain = client.phoneid(SENDER)
    assert plain.status_code == 200, plain.body
    assert plain.json["phone_type"]["description"] == "FIXED_LINE"
    with_params = client.phoneid(SENDER, account_lifecycle_event="create")  # signed JSON body
    assert with_params.json["status"]["code"] == 300


def test_basic_auth_method(endpoint: str) -> None:
    client = MessagingClient(
        ACCOUNT.customer_id, ACCOUNT.api_key, rest_endpoint=endpoint, auth_method="Basic"
    )
    assert client.message("15555550123", "hi", "OTP").status_code == 200


def test_wrong_key_gets_401_with_the_documented_code(endpoint: str) -> None:
    client = MessagingClient(ACCOUNT.customer_id, WRONG_KEY, rest_endpoint=endpoint)
    reply = client.status("0" * 32)
    assert reply.status_code == 401
    assert reply.json["status"]["code"] == 10008
    assert reply.json["status"]["description"] == "Invalid Signature."
    assert reply.json["signature_string"].endswith("/v1/messaging/" + "0" * 32)
    basic = MessagingClient(
        ACCOUNT.customer_id, WRONG_KEY, rest_endpoint=endpoint, auth_method="Basic"
    )
    assert basic.message("15555550123", "hi", "ARN").json["status"]["code"] == 10022
