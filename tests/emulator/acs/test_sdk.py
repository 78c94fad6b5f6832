"""The official `azure-communication-phonenumbers` and `azure-communication-sms` SDKs,
unmodified, against the ACS emulator over a real socket (issue 19).

Pointed at it through their constructors with an explicit `http://127.0.0.1:PORT` endpoint
(providers.md §4.9); their own `HMACCredentialsPolicy` signs every request and the emulator
checks it with `smsconf.acs.signing`, so a pass here means both agree with the SDK.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from azure.communication.phonenumbers import PhoneNumbersClient
from azure.communication.sms import SmsClient
from azure.core.credentials import AzureKeyCredential
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceNotFoundError,
)

from smsconf.emulator.acs import AcsEmulator, AcsResource, PhoneNumber, create_app
from smsconf.emulator.serving import running

KEY = base64.b64encode(b"k" * 32).decode()
OTHER_KEY = base64.b64encode(b"o" * 32).decode()
TWO_WAY, OUTBOUND, INBOUND = "+18005550100", "+18005550101", "+18005550102"
NUMBERS = [
    PhoneNumber(TWO_WAY, sms="inbound+outbound", calling="inbound+outbound"),
    PhoneNumber(OUTBOUND, sms="outbound"),
    PhoneNumber(INBOUND, sms="inbound", phone_number_type="geographic"),
    PhoneNumber(
        "+447700900123", sms="inbound+outbound", phone_number_type="mobile", country_code="GB"
    ),
    PhoneNumber("+18005550104", sms="none", calling="outbound"),
]


@pytest.fixture
def served() -> Iterator[tuple[str, AcsEmulator]]:
    resources = [
        AcsResource("contoso-acs", KEY, numbers=list(NUMBERS)),
        AcsResource("fabrikam-acs", OTHER_KEY, numbers=[PhoneNumber("+18335550199")]),
    ]
    app = create_app(resources)
    with running(app) as url:
        yield url, app.state.acs


def numbers_client(url: str, key: str = KEY) -> PhoneNumbersClient:
    return PhoneNumbersClient(url, AzureKeyCredential(key), retry_total=0)


def sms_client(url: str, key: str = KEY) -> SmsClient:
    return SmsClient(url, AzureKeyCredential(key), retry_total=0)


def test_list_follows_the_relative_next_links(served: tuple[str, AcsEmulator]) -> None:
    url, emulator = served
    listed = list(numbers_client(url).list_purchased_phone_numbers(top=2))
    assert [n.phone_number for n in listed] == [n.phone_number for n in NUMBERS]
    pages = [q for m, p, q in emulator.data.journal if p == "/phoneNumbers"]
    assert len(pages) == 3 and "skip=2" in pages[1] and "skip=4" in pages[2]
    assert all("api-version=2025-06-01" in q for q in pages)


def test_a_number_with_its_capabilities_type_and_cost(served: tuple[str, AcsEmulator]) -> None:
    url, _ = served
    client = numbers_client(url)
    outbound = client.get_purchased_phone_number(OUTBOUND)
    assert (outbound.capabilities.sms, outbound.capabilities.calling) == ("outbound", "none")
    assert (outbound.phone_number_type, outbound.country_code) == ("tollFree", "US")
    assert outbound.assignment_type == "application"
    assert outbound.cost.amount == 2.0 and outbound.cost.billing_frequency == "monthly"
    assert outbound.purchase_date is not None
    uk = client.get_purchased_phone_number("+447700900123")
    assert (uk.phone_number_type, uk.country_code) == ("mobile", "GB")
    assert client.get_purchased_phone_number(INBOUND).capabilities.sms == "inbound"


def test_each_key_sees_only_its_own_resource(served: tuple[str, AcsEmulator]) -> None:
    url, _ = served
    other = list(numbers_client(url, OTHER_KEY).list_purchased_phone_numbers())
    assert [n.phone_number for n in other] == ["+18335550199"]
    with pytest.raises(ResourceNotFoundError):
        numbers_client(url, OTHER_KEY).get_purchased_phone_number(TWO_WAY)


def test_a_bad_key_is_a_client_authentication_error(served: tuple[str, AcsEmulator]) -> None:
    url, _ = served
    wrong = base64.b64encode(b"w" * 32).decode()
    with pytest.raises(ClientAuthenticationError) as caught:
        list(numbers_client(url, wrong).list_purchased_phone_numbers())
    assert caught.value.status_code == 401
    assert caught.value.error is not None and caught.value.error.code == "Denied"
    with pytest.raises(ClientAuthenticationError):
        sms_client(url, wrong).send(from_=TWO_WAY, to="+15550001111", message="hi")


def test_send_to_several_recipients_one_result_each(served: tuple[str, AcsEmulator]) -> None:
    url, emulator = served
    results = sms_client(url).send(
        from_=TWO_WAY,
        to=["+15550001111", "+15550002222", "not-a-number"],
        message="hello",
        enable_delivery_report=True,
        tag="smsconf",
    )
    assert [(r.to, r.successful, r.http_status_code) for r in results] == [
        ("+15550001111", True, 202),
        ("+15550002222", True, 202),
        ("not-a-number", False, 400),
    ]
    assert results[2].error_message == "Invalid To phone number format."
    assert len({r.message_id for r in results[:2]}) == 2 and results[2].message_id is None
    sent = emulator.data.messages
    assert [(m["to"], m["tag"], m["enableDeliveryReport"]) for m in sent] == [
        ("+15550001111", "smsconf", True),
        ("+15550002222", "smsconf", True),
    ]


def test_an_outbound_only_number_sends(served: tuple[str, AcsEmulator]) -> None:
    url, _ = served
    (result,) = sms_client(url).send(from_=OUTBOUND, to="+15550001111", message="hi")
    assert result.successful


@pytest.mark.parametrize("sender", [INBOUND, "+18005550104", "+14255550123"])
def test_a_from_without_outbound_sms_is_refused_whole(
    served: tuple[str, AcsEmulator], sender: str
) -> None:
    """An inbound-only number, a number without SMS and one the resource does not own: the
    SDK's live tests record the service refusing such a send with 401."""
    url, emulator = served
    with pytest.raises(HttpResponseError) as caught:
        sms_client(url).send(from_=sender, to="+15550001111", message="hi")
    assert caught.value.status_code == 401
    assert emulator.data.messages == []


def test_a_message_past_2048_characters_is_a_400(served: tuple[str, AcsEmulator]) -> None:
    url, _ = served
    with pytest.raises(HttpResponseError) as caught:
        sms_client(url).send(from_=TWO_WAY, to="+15550001111", message="x" * 2049)
    assert caught.value.status_code == 400
    (ok,) = sms_client(url).send(from_=TWO_WAY, to="+15550001111", message="x" * 2048)
    assert ok.successful
